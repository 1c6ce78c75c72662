"""The Learn page: what a learning rate is and what it does, one concept per section, each with buttons
that open the preset showing it (explorer presets from :mod:`lrlab.ui.explorer.presets`,
neural-network presets from :mod:`lrlab.ui.nn.presets`; :mod:`lrlab.ui.pages` opens them).

The text is data (:data:`CONCEPTS`), so the tests can check that every button names a preset that
exists and that every concept has at least one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from lrlab.ui.explorer import presets
from lrlab.ui.nn import presets as nn_presets

SURFACE, NN = "surface", "nn"


@dataclass(frozen=True)
class Concept:
    key: str
    title: str
    parts: tuple[tuple[str, str], ...]  # ("md", markdown) or ("latex", formula), in order
    links: tuple[tuple[str, str], ...]  # (SURFACE | NN, preset name)


def _md(text: str) -> tuple[str, str]:
    return ("md", text)


def _tex(text: str) -> tuple[str, str]:
    return ("latex", text)


TABLE_ROWS = (
    ("", "**small learning rate**", "**large learning rate**"),
    (
        "**training time**",
        "long: the error shrinks by a factor e every ≈ 1/(ηλ) steps",
        "short, *if* it converges",
    ),
    ("**stability**", "stable: every step goes downhill", "oscillates past 1/λ, diverges past 2/λ"),
    ("**risk of overshooting**", "low", "high: steps jump over the minimum (and over narrow valleys)"),
    (
        "**precision at the end**",
        "fine: settles close to the minimum",
        "coarse: keeps bouncing around it; with mini-batches the noise floor grows with η",
    ),
    (
        "**local minima, plateaus**",
        "stuck in the first dip, crawls on flat ground",
        "can jump out of shallow dips",
    ),
    (
        "**fine-tuning a trained network**",
        "keeps what was learned",
        "can wipe it out (catastrophic forgetting)",
    ),
)
TABLE = "\n".join(
    ["| " + " | ".join(TABLE_ROWS[0]) + " |", "|---|---|---|"]
    + ["| " + " | ".join(r) + " |" for r in TABLE_ROWS[1:]]
)

CONCEPTS: tuple[Concept, ...] = (
    Concept(
        "what_is_lr",
        "What a learning rate is",
        (
            _md(
                "Training a model means lowering a loss *L(w)* by changing the weights *w*. Gradient "
                "descent takes one step at a time against the gradient, the direction in which the "
                "loss rises fastest:"
            ),
            _tex(r"w_{t+1} \;=\; w_t \;-\; \eta\,\nabla L(w_t)"),
            _md(
                "The **learning rate** η (eta) is the size of that step, relative to the gradient. The "
                "gradient says *where* to go; η says *how far*. On the simplest loss, a parabola with "
                "curvature λ, one step multiplies the distance to the minimum by a fixed factor:"
            ),
            _tex(
                r"L(w) = \tfrac{\lambda}{2} w^2 \;\Rightarrow\; w_{t+1} = (1 - \eta\lambda)\, w_t"
                r"\;\Rightarrow\; w_t = (1 - \eta\lambda)^t\, w_0"
            ),
            _md(
                "Everything on this page follows from that factor |1 − ηλ|: below 1 the run converges, "
                "above 1 it blows up. In many dimensions each direction has its own curvature (an "
                "eigenvalue of the Hessian ∇²L), and one η has to suit all of them."
            ),
        ),
        ((SURFACE, "lr_sweep"), (NN, "three_lrs")),
    ),
    Concept(
        "too_high",
        "Too high: overshoot, oscillation, divergence",
        (
            _md("Reading the factor 1 − ηλ for a growing η:"),
            _tex(
                r"\begin{array}{lll}"
                r"0 < \eta \le 1/\lambda & 0 \le 1-\eta\lambda < 1 & "
                r"\text{straight in, never past the minimum}\\"
                r"1/\lambda < \eta < 2/\lambda & -1 < 1-\eta\lambda < 0 & "
                r"\text{overshoots: lands on the other side, zig-zags in}\\"
                r"\eta = 2/\lambda & 1-\eta\lambda = -1 & \text{bounces between two points forever}\\"
                r"\eta > 2/\lambda & 1-\eta\lambda < -1 & "
                r"\text{diverges: every bounce is bigger than the last}"
                r"\end{array}"
            ),
            _md(
                "So the **divergence edge is η = 2/λ** for the *sharpest* direction, $\\lambda_{\\max}$. "
                "A network's "
                "loss has no single λ, but the same thing happens: past the edge the loss grows "
                "instead of falling and, in floating point, soon overflows."
            ),
        ),
        ((SURFACE, "overshoot"), (SURFACE, "oscillation"), (SURFACE, "divergence"), (NN, "divergence")),
    ),
    Concept(
        "too_low",
        "Too low: slow, and stuck in local minima and on plateaus",
        (
            _md("With a small ηλ the factor is close to 1 and progress is a slow exponential decay:"),
            _tex(
                r"(1-\eta\lambda)^t \approx e^{-\eta\lambda t}"
                r"\quad\Rightarrow\quad t \approx \frac{1}{\eta\lambda}"
            ),
            _md(
                "steps to shrink the error by a factor e: halve η and training takes twice as long. "
                "Stability is set by the sharpest direction ($\\eta < 2/\\lambda_{\\max}$) but speed by the "
                "flattest, so an ill-conditioned loss needs at least "
                "$\\lambda_{\\max} / (2\\lambda_{\\min})$ "
                "steps per factor e.  \n"
                "A small η also takes *every* dip seriously: it settles in the first **local minimum** it "
                "meets. Where the surface is almost flat (a **plateau**) or flat in one direction (a "
                "**saddle point**) the gradient is nearly zero, and so is the step η∇L: the run crawls."
            ),
        ),
        ((SURFACE, "too_slow"), (SURFACE, "local_minimum"), (SURFACE, "plateau"), (SURFACE, "saddle")),
    ),
    Concept(
        "momentum",
        "Momentum",
        (
            _md(
                "Heavy-ball momentum (PyTorch's form) keeps a running sum of past gradients and steps "
                "along it. Along a narrow valley the gradients agree and add up; across it they "
                "alternate and cancel:"
            ),
            _tex(r"b_{t+1} = \mu\, b_t + \nabla L(w_t), \qquad w_{t+1} = w_t - \eta\, b_{t+1}"),
            _md("It also moves the divergence edge outward, from 2/λ to 2(1 + μ)/λ."),
        ),
        ((SURFACE, "momentum_ravine"), (SURFACE, "banana")),
    ),
    Concept(
        "schedules",
        "Schedules: changing η during training",
        (
            _md(
                "Large steps early (fast progress), small steps late (precision): a **schedule** makes "
                "η a function of the step t, starting from η₀. The common ones (as in "
                "`torch.optim.lr_scheduler`):"
            ),
            _tex(
                r"\begin{array}{ll}"
                r"\text{step decay} & \eta_t = \eta_0\,\gamma^{\lfloor t/s \rfloor}\\"
                r"\text{exponential} & \eta_t = \eta_0\,\gamma^{t}\\"
                r"\text{polynomial} & \eta_t = \eta_0\,(1 - t/T)^{p}\\"
                r"\text{cosine} & \eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})"
                r"\left(1 + \cos\tfrac{\pi t}{T}\right)\\"
                r"\text{cyclic (triangular)} & \eta_t \text{ rises linearly from } \eta_0 \text{ to } "
                r"\eta_{\max} \text{ in } s \text{ steps, then falls back, and repeats}\\"
                r"\text{linear warm-up} & \eta_t = \eta_0\left(f + (1-f)\,t/W\right) \text{ for } t < W"
                r"\text{, then the schedule}"
                r"\end{array}"
            ),
            _md(
                "Decay removes the jitter of mini-batch SGD at the end and can rescue a run that starts "
                "too hot; a cyclic lr's peaks can throw a run out of a shallow local minimum; warm-up "
                "eases a large η in over the first steps, so the first big steps (taken where the "
                "gradient is largest) don't throw the run far uphill before it has found its way."
            ),
        ),
        (
            (SURFACE, "step_decay"),
            (NN, "sched_step"),
            (NN, "sched_exponential"),
            (NN, "sched_polynomial"),
            (NN, "sched_cosine"),
            (SURFACE, "cyclic_escape"),
            (NN, "sched_cyclic"),
            (NN, "warmup"),
        ),
    ),
    Concept(
        "noise",
        "Gradient noise: why a smaller lr is more precise, and why schedules exist",
        (
            _md(
                "Real training follows a noisy gradient: a mini-batch's gradient is the true one plus an "
                "error. Model it as ĝ = ∇f + σξ with ξ ~ N(0, I), fresh each step. On a bowl of curvature "
                "λ, SGD no longer lands on the minimum: it settles in a **noise ball** whose variance "
                "along that direction is"
            ),
            _tex(
                r"\operatorname{Var} = \frac{\eta\,\sigma^2}{\lambda\,(2 - \eta\lambda)},\qquad "
                r"\mathbb{E}[f - f^*] \approx \frac{\eta\,\sigma^2}{2}\sum_i \frac{1}{2 - \eta\lambda_i}"
            ),
            _md(
                "Both grow with η: a large lr arrives fast but hovers in a wide ball, a small one is slow "
                "but precise. A schedule takes both: a large η for the journey, then a decaying η so the "
                "ball shrinks at the end. A batch of B samples averages B independent errors, so "
                "σ_B = σ₁/√B: a larger batch allows a larger lr for the same ball (η σ² is what "
                "counts). In the explorer, *Gradient noise* sets σ₁, the batch size and the seed; the "
                "map draws each run's theoretical 2σ ellipse and the badge puts the measured spread "
                "beside the theory's."
            ),
        ),
        (
            (SURFACE, "noise_precise"),
            (SURFACE, "noise_decay"),
            (SURFACE, "noise_batch_1"),
            (SURFACE, "noise_batch_16"),
        ),
    ),
    Concept(
        "adaptive",
        "Adaptive methods: AdaGrad, RMSprop, Adam",
        (
            _md(
                "One η for every weight is a compromise between steep and flat directions. Adaptive "
                "methods divide each weight's step by the size of *its own* recent gradients g "
                "(element-wise; ε ≈ 1e-8 avoids dividing by zero):"
            ),
            _tex(
                r"\text{AdaGrad:}\quad G_t = G_{t-1} + g_t^2,\qquad "
                r"w_{t+1} = w_t - \eta\, g_t / (\sqrt{G_t} + \varepsilon)"
            ),
            _tex(
                r"\text{RMSprop:}\quad v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2,\qquad "
                r"w_{t+1} = w_t - \eta\, g_t / (\sqrt{v_t} + \varepsilon)"
            ),
            _tex(
                r"\text{Adam:}\quad m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t,\quad "
                r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2,\qquad "
                r"w_{t+1} = w_t - \eta\, \hat m_t / (\sqrt{\hat v_t} + \varepsilon)"
            ),
            _tex(r"\text{with } \hat m_t = m_t / (1-\beta_1^t), \quad \hat v_t = v_t / (1-\beta_2^t)"),
            _md(
                "AdaGrad's sum only grows, so its effective step only shrinks; RMSprop and Adam forget "
                "old gradients. Adam's step is about η in size wherever the gradient is steady, even on "
                "a plateau where plain SGD crawls. η still matters: it is the step length now."
            ),
        ),
        ((SURFACE, "adam_vs_sgd"), (SURFACE, "adaptive_trio"), (NN, "adam_spirals")),
    ),
    Concept(
        "finding_lr",
        "Finding a good η: grid search and the LR finder",
        (
            _md(
                "**Grid search**: train once per η on a log grid (0.001, 0.003, 0.01, …: the good range "
                "spans orders of magnitude), from the same start, and keep the η with the best "
                "*validation* loss. Plotted against log η the final loss is a U: too small on the "
                "left, too large on the right.  \n"
                "**The LR finder** (LR range test, Smith 2017) needs a single run: the lr grows "
                "exponentially at every step,"
            ),
            _tex(r"\eta_t = \eta_{\min}\,\left(\eta_{\max}/\eta_{\min}\right)^{t/(N-1)}"),
            _md(
                "and the loss is recorded against η. It stays flat while η is too small, falls while η "
                "is useful, and shoots up once η is too large; the test stops when the smoothed loss "
                "exceeds 4× its best. A good η is read off the falling part: the steepest slope, a "
                "tenth of the η at the minimum, or fastai's *valley*."
            ),
        ),
        ((SURFACE, "lr_sweep"), (NN, "grid_search"), (NN, "sweep_surface"), (NN, "lr_finder")),
    ),
    Concept(
        "compare",
        "Small vs large learning rate",
        (_md(TABLE),),
        ((NN, "three_lrs"), (NN, "minibatch")),
    ),
    Concept(
        "edge_of_stability",
        "The edge of stability",
        (
            _md(
                "A network's curvature is not fixed: the **sharpness** $\\lambda_{\\max}(\\nabla^2 L)$ "
                "changes as the weights "
                "move. Cohen et al. (2021) found that under full-batch gradient descent it rises until it "
                "reaches the edge 2/η, and then hovers there: the network trains *at* the edge, the loss "
                "still falling, but unevenly."
            ),
        ),
        ((NN, "edge_of_stability"),),
    ),
    Concept(
        "finetuning",
        "Fine-tuning with a small learning rate",
        (
            _md(
                "A pretrained network already sits in a good place. Fine-tuning on new data with a "
                "**small** η moves the weights a little (with plain gradient steps they move at most "
                "Σ ηₜ |∇L| in T steps), so what the network knew survives. A **large** η rewrites "
                "the weights for the new data and the old task is lost: *catastrophic forgetting*. "
                "That is why fine-tuning typically uses an η 10 to 100 times smaller than training "
                "from scratch."
            ),
        ),
        ((NN, "finetune"),),
    ),
    Concept(
        "train_vs_val",
        "Training vs validation loss",
        (
            _md(
                "The **training loss** is measured on the data the network learns from; the "
                "**validation loss** on data it never sees. Both fall while the network learns the "
                "pattern. When the training loss keeps falling but the validation loss turns up, the "
                "network has started to memorise the noise of its training points: **overfitting**. "
                "The η sets how fast you reach that point (stop there, or use more data or a smaller "
                "network); compare learning rates, and choose one, by the validation loss."
            ),
        ),
        ((NN, "overfitting"),),
    ),
)


def preset_title(kind: str, name: str) -> str:
    """The title of a linked preset (KeyError if it does not exist)."""
    return (presets.PRESETS if kind == SURFACE else nn_presets.PRESETS)[name].title


def render(open_preset: Callable[[str, str], None]) -> None:
    """The page; a button calls ``open_preset(kind, name)`` (kind SURFACE or NN)."""
    st.title("Learn: the learning rate")
    st.markdown(
        "Each section explains one idea; its buttons open the **surface explorer** "
        "(:material/landscape:) or the **neural-network lab** (:material/hub:) on a preset that shows it."
    )
    st.markdown(" · ".join(f"[{c.title}](#{c.key.replace('_', '-')})" for c in CONCEPTS))
    for c in CONCEPTS:
        with st.container(border=True):
            st.subheader(c.title, anchor=c.key.replace("_", "-"))
            for kind, text in c.parts:
                if kind == "latex":
                    st.latex(text)
                else:
                    st.markdown(text)
            cols = st.columns(2 if len(c.links) > 1 else 1)
            for i, (kind, name) in enumerate(c.links):
                icon = ":material/landscape:" if kind == SURFACE else ":material/hub:"
                if cols[i % len(cols)].button(
                    preset_title(kind, name), key=f"learn.{c.key}.{kind}.{name}", icon=icon, width="stretch"
                ):
                    open_preset(kind, name)
