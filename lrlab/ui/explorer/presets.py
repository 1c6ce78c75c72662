"""One-click classroom presets: each one a URL of the explorer that shows one idea.

For the Learn page (and anything else that links to a preset):

* ``PRESETS``: an ordered dict ``name -> Preset(title, concept, description, params, expect)``;
  ``params`` are the explorer's URL query parameters (see :mod:`lrlab.ui.explorer.config`),
  ``concept`` the Learn-page topic the preset illustrates, ``expect`` the regimes the runs end in (one
  set per run, in order; the tests check them against the engine).
* ``url_for(name) -> str``: the query string, e.g. ``"surface=quadratic&opt=sgd&lr=0.45"``; a link
  ``"/?" + url_for(name)`` opens the explorer on that view.
* ``config(name)``: the preset's :class:`~lrlab.ui.explorer.config.Config`;
  ``active(cfg)``: the preset ``cfg`` still is, however it was opened (picker, Learn button, shared
  link) and until any setting changes, else None.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lrlab.ui.explorer.config import DISPLAY, SCHEMA
from lrlab.ui.presetbook import Book

CONVERGES = frozenset({"converged", "oscillating"})


@dataclass(frozen=True)
class Preset:
    title: str
    concept: str  # the Learn-page topic: overshoot, divergence, too_slow, local_minimum, ...
    description: str
    params: dict = field(default_factory=dict)
    expect: tuple[frozenset, ...] = ()


def _p(**kw) -> dict:
    return {k.replace("__", "."): str(v) for k, v in kw.items()}


def _e(*names) -> tuple[frozenset, ...]:
    return tuple(n if isinstance(n, frozenset) else frozenset({n}) for n in names)


PRESETS: dict[str, Preset] = {
    "overshoot": Preset(
        "Overshoot: past 1/λ each step jumps over the minimum",
        "overshoot",
        "On the bowl f = (4x² + y²)/2 the steep direction has curvature λ = 4. Below 1/λ = 0.25 a step "
        "lands short of the minimum along x; above it the step jumps past it and the path zig-zags in.",
        _p(surface="quadratic", opt="sgd", lr=0.3, compare="list", lrs="0.2,0.3", steps=40),
        _e("converged", "oscillating"),
    ),
    "oscillation": Preset(
        "Oscillation: just under 2/λ the run bounces from wall to wall",
        "oscillation",
        "lr = 0.45 is between 1/λ = 0.25 and 2/λ = 0.5: every step overshoots and the distance to the "
        "minimum along x shrinks only by |1 − 0.45·4| = 0.8 per step, so the path rattles for a long time.",
        _p(surface="quadratic", opt="sgd", lr=0.45, steps=100),
        _e("oscillating"),
    ),
    "divergence": Preset(
        "Divergence: past 2/λ every bounce is bigger than the last",
        "divergence",
        "Two runs either side of the line 2/λ = 0.5: at 0.45 the bounces shrink, at 0.55 each one is "
        "|1 − 0.55·4| = 1.2 times the last, and the run leaves the map.",
        _p(surface="quadratic", opt="sgd", lr=0.55, compare="list", lrs="0.45,0.55", steps=100),
        _e("oscillating", "diverged"),
    ),
    "too_slow": Preset(
        "Too slow: a tiny lr barely moves",
        "too_slow",
        "lr = 0.002 is 250 times below the divergence edge: after 100 steps the run has covered a "
        "small part of the way. Training time grows like 1/lr.",
        _p(surface="quadratic", opt="sgd", lr=0.002, steps=100),
        _e("too_slow"),
    ),
    "lr_sweep": Preset(
        "A learning-rate sweep: ×0.5 … ×8 on one surface",
        "grid_search",
        "Five runs at 0.05, 0.1, 0.2, 0.4, 0.8: too slow, monotone, fast, oscillating, diverged. "
        "A grid search tries lrs like these and keeps the best one.",
        _p(surface="quadratic", opt="sgd", lr=0.1, compare="multiples", mult="0.5,1,2,4,8", steps=60),
        _e("too_slow", "converged", "converged", "oscillating", "diverged"),
    ),
    "local_minimum": Preset(
        "Stuck in a local minimum",
        "local_minimum",
        "A small lr (0.05) settles in the shallow dip next to the start; a larger one (0.3) "
        "overshoots the barrier and finds the deeper, global well.",
        _p(surface="two_minima", opt="sgd", lr=0.05, compare="list", lrs="0.05,0.3", steps=150),
        _e("local_minimum", "converged"),
    ),
    "plateau": Preset(
        "Stalled on a plateau",
        "plateau",
        "Far from the well the surface is almost flat, the gradient almost zero, and a step of "
        "lr·∇f almost nothing: over the last 50 of 100 steps the loss changes by less than 1%.",
        _p(surface="plateau", opt="sgd", lr=0.05, steps=100),
        _e("stalled"),
    ),
    "saddle": Preset(
        "Stalled at a saddle point",
        "saddle",
        "Starting almost on the ridge (y = 0.000001), the run slides to the saddle at (0, 0), where the "
        "gradient vanishes, and waits there: after 150 steps it is still at the saddle. Only the tiny "
        "offset along y, which grows 1.05-fold per step (1 + lr), lets it escape, after about 270 steps.",
        _p(surface="saddle", opt="sgd", lr=0.05, x0=1.5, y0=0.000001, steps=150),
        _e("stalled"),
    ),
    "momentum_ravine": Preset(
        "Momentum vs SGD in a ravine",
        "momentum",
        "A narrow valley with curvatures 100 across and 1 along. SGD at lr = 0.018 is between 1/λ = 0.01 "
        "and 2/λ = 0.02 of the steep walls, so it zig-zags from wall to wall, and along the floor each "
        "step removes only 1.8% of the way: after 150 steps it is still far out. Heavy-ball momentum "
        "(β = 0.9) at the same lr builds up speed along the floor and reaches the minimum, spiralling.",
        _p(
            surface="ravine",
            s__a=100,
            opt="sgd",
            lr=0.018,
            compare="optimizers",
            opts="sgd,momentum",
            steps=150,
        ),
        _e("oscillating", CONVERGES),
    ),
    "adam_vs_sgd": Preset(
        "Adam vs SGD on a plateau",
        "adaptive",
        "Adam divides each step by the running size of the gradient, so its steps stay about lr long "
        "even where the gradient is tiny: it crosses the plateau that SGD is still crawling on.",
        _p(surface="plateau", opt="sgd", lr=0.05, compare="optimizers", opts="sgd,adam", steps=200),
        _e("too_slow", CONVERGES),
    ),
    "adaptive_trio": Preset(
        "AdaGrad, RMSprop and Adam at one lr",
        "adaptive",
        "The same lr = 0.5 for three adaptive methods on the plateau: watch the per-axis effective lr in "
        "the readout (AdaGrad's only shrinks; RMSprop's and Adam's follow recent gradients). AdaGrad and "
        "Adam reach the well. RMSprop's running average of g² starts at zero, so its first step is "
        "lr/√(1 − α) = 5 long in each coordinate: it is thrown past the well onto the flat plateau, "
        "where it stalls.",
        _p(
            surface="plateau",
            opt="adagrad",
            lr=0.5,
            compare="optimizers",
            opts="adagrad,rmsprop,adam",
            steps=200,
        ),
        _e(CONVERGES, "stalled", CONVERGES),
    ),
    "step_decay": Preset(
        "Step decay rescues a too-high lr",
        "schedules",
        "lr = 0.6 is above 2/λ = 0.5: for 5 steps the run flies outward; then the schedule divides "
        "the lr by 10 and the same run comes back and converges. (With a constant schedule it diverges.)",
        _p(surface="quadratic", opt="sgd", lr=0.6, sched="multistep", sc__milestones="5", sc__gamma=0.1),
        _e(CONVERGES),
    ),
    "cyclic_escape": Preset(
        "A cyclic lr escapes a local minimum",
        "schedules",
        "At a constant lr of 0.01 the first run stops in the nearest (local) dip of the camel. The cyclic "
        "schedule lifts the same lr to 0.2 every 50 steps: the second run is thrown out of the shallow dip "
        "and, as the peaks shrink (triangular2), settles in a global minimum.",
        _p(
            surface="six_hump_camel",
            opt="sgd",
            lr=0.01,
            sched="cyclic",
            sc__max_lr=0.2,
            sc__step_size_up=50,
            sc__mode="triangular2",
            steps=300,
            compare="schedules",
            scheds="constant,cyclic",
        ),
        _e("local_minimum", CONVERGES),
    ),
    "banana": Preset(
        "Momentum along the banana valley",
        "momentum",
        "Rosenbrock's walls have curvature ~1000, so SGD must stay below 2/λ = 0.002 and crawls along "
        "the curved floor; momentum at the same lr = 0.001 reaches the minimum at (1, 1) in 1500 steps, "
        "while SGD is still on its way.",
        _p(surface="rosenbrock", opt="sgd", lr=0.001, compare="optimizers", opts="sgd,momentum", steps=1500),
        _e("too_slow", CONVERGES),
    ),
    "noise_precise": Preset(
        "Gradient noise: a smaller lr is more precise, but slower",
        "noise",
        "Each step's gradient carries noise σ = 1 (as a mini-batch gradient does), the same draws for both "
        "runs. lr = 0.2 gets near the minimum in a few steps, then hovers in a wide noise ball; lr = 0.02 "
        "is slow to arrive but settles in a ball about a third as wide (the theory: the variance is "
        "ησ²/(λ(2 − ηλ)), proportional to the lr), so its loss curve crosses below the fast one's.",
        _p(surface="quadratic", opt="sgd", lr=0.02, compare="list", lrs="0.02,0.2", steps=400, noise=1),
        _e("converged", "converged"),
    ),
    "noise_decay": Preset(
        "High lr first, then decay: why schedules exist",
        "noise",
        "With gradient noise σ = 1 a constant lr = 0.4 arrives fast and then hovers in a wide noise ball "
        "for ever. Step decay (÷10 every 150 steps) and cosine annealing start from the same lr, so they "
        "arrive as fast, and then, as the lr falls, they settle into a ball several times smaller: the "
        "large lr for the journey, a small one to fine-tune at the end.",
        _p(
            surface="quadratic",
            opt="sgd",
            lr=0.4,
            sched="step",
            sc__step_size=150,
            compare="schedules",
            scheds="constant,step,cosine",
            steps=600,
            noise=1,
        ),
        _e("converged", "converged", "converged"),
    ),
    "noise_batch_1": Preset(
        "Batch size and lr (1 of 2): batch 1, lr = 0.01",
        "noise",
        "One sample per step: gradient noise σ₁ = 0.5. lr = 0.01 keeps the noise ball small, but the run "
        "needs hundreds of steps to get there. Compare with batch 16 at 16× the lr (2 of 2).",
        _p(surface="quadratic", s__a=2, s__b=1, opt="sgd", lr=0.01, steps=1000, noise=0.5),
        _e("converged"),
    ),
    "noise_batch_16": Preset(
        "Batch size and lr (2 of 2): batch 16, lr = 0.16",
        "noise",
        "A batch of 16 samples averages 16 independent errors: σ = 0.5/√16 = 0.125. At 16× the lr, "
        "lr = 0.16, the noise ball is about the same size as batch 1's at its lr of 0.01 (the ball grows "
        "with ησ²), and the run gets there about 16× sooner: a larger batch allows a larger lr.",
        _p(surface="quadratic", s__a=2, s__b=1, opt="sgd", lr=0.16, steps=1000, noise=0.5, batch=16),
        _e("converged"),
    ),
}


BOOK = Book(SCHEMA, PRESETS, display=DISPLAY)
url_for, config, active = BOOK.url_for, BOOK.config, BOOK.active
