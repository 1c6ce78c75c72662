"""One-click presets of the neural-network lab: each one a URL of the NN page that shows one idea.

The same shape as the explorer's :mod:`lrlab.ui.explorer.presets`:

* ``PRESETS``: an ordered dict ``name -> NNPreset(title, concept, description, params)``; ``params``
  are the NN page's URL query parameters (see :mod:`lrlab.ui.nn.config`), ``concept`` the Learn-page
  topic the preset illustrates.
* ``url_for(name) -> str``: the query string; ``"/nn?" + url_for(name)`` opens the NN page on it.
* ``config(name)``: the preset's :class:`~lrlab.ui.nn.config.NNConfig`; ``active(cfg)``: the preset
  ``cfg`` still is (however it was opened, until any setting changes), else None.

Every claim a description makes was measured on the seeded engine (``tests/test_nn_app.py`` checks
them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

from lrlab.ui.codec import URL_SAFE
from lrlab.ui.nn.config import SCHEMA


@dataclass(frozen=True)
class NNPreset:
    title: str
    concept: str
    description: str
    params: dict = field(default_factory=dict)


def _p(**kw) -> dict:
    return {"nn_" + k.replace("__", "."): str(v) for k, v in kw.items()}


_NOISY = {"data": "moons", "opt": "sgd", "batch": 8, "steps": 300}

PRESETS: dict[str, NNPreset] = {
    "three_lrs": NNPreset(
        "Too small, good, too large on two moons",
        "what_is_lr",
        "The same network from the same start at three learning rates. lr = 0.1 is too small: after 300 "
        "steps 40% of the loss is still there and the boundary is a rough tilted line. lr = 1 learns "
        "the moons. lr = 30 is too large: the loss jumps up instead of down and the network ends up "
        "guessing (50% accuracy).",
        _p(data="moons", opt="sgd", lrs="0.1,1,30"),
    ),
    "divergence": NNPreset(
        "Divergence: past the edge the loss explodes",
        "divergence",
        "Squared-error loss on the moons. lr = 0.1 converges smoothly, lr = 0.5 overshoots (the loss "
        "wobbles but falls), lr = 1 is past the edge of stability: the loss grows every step and the "
        "run is stopped at step 6.",
        _p(data="moons", opt="sgd", loss="mse", lrs="0.1,0.5,1"),
    ),
    "minibatch": NNPreset(
        "Mini-batch noise: the lr scales the noise",
        "minibatch",
        "Batches of 8 points instead of all 192: every step follows a noisy estimate of the gradient. "
        "At lr = 0.1 the noise is small but progress is slow; at lr = 1 the loss jitters; at lr = 3 "
        "(fine with full batches) the noisy steps throw the network off and it never recovers.",
        _p(**_NOISY, lrs="0.1,1,3"),
    ),
    "sched_step": NNPreset(
        "Step decay: divide the lr by 10 at step 150",
        "schedule_step",
        "Mini-batch SGD at lr = 1 and 2 jitters (see the mini-batch preset). Step decay keeps the "
        "large lr for fast progress, then cuts it tenfold at step 150: the jitter dies down at once.",
        _p(**_NOISY, lrs="1,2", sched="step", sc__step_size=150, sc__gamma=0.1),
    ),
    "sched_exponential": NNPreset(
        "Exponential decay: lr × 0.993 every step",
        "schedule_exponential",
        "The lr shrinks smoothly by 0.7% per step (to an eighth by step 300), so the mini-batch "
        "jitter fades gradually while the network keeps learning; from lr = 2 it is still visible at "
        "the end (compare polynomial decay, which reaches zero).",
        _p(**_NOISY, lrs="1,2", sched="exponential", sc__gamma=0.993),
    ),
    "sched_polynomial": NNPreset(
        "Polynomial (linear) decay to zero",
        "schedule_polynomial",
        "lr_t = lr (1 − t/300): full speed at the start, exactly zero at the end, so the last steps "
        "only polish. Both runs finish with a calm loss and 100% validation accuracy.",
        _p(**_NOISY, lrs="1,2", sched="polynomial", sc__total_iters=300, sc__power=1),
    ),
    "sched_cosine": NNPreset(
        "Cosine annealing",
        "schedule_cosine",
        "The lr follows half a cosine from its start value down to 0 over the 300 steps: it stays "
        "large for longer than linear decay, then drops quickly near the end.",
        _p(**_NOISY, lrs="1,2", sched="cosine", sc__t_max=300),
    ),
    "sched_cyclic": NNPreset(
        "Cyclic lr: up and down between 0.05 and 2",
        "schedule_cyclic",
        "A triangular cycle of 150 steps whose peak halves each cycle (triangular2). The loss "
        "jitters at every peak and settles in every valley of the lr.",
        _p(
            **_NOISY,
            lrs="0.05",
            sched="cyclic",
            sc__max_lr=2,
            sc__step_size_up=75,
            sc__mode="triangular2",
        ),
    ),
    "warmup": NNPreset(
        "Warm-up lets Adam start with a large lr",
        "schedule_warmup",
        "Adam at lr = 1 on the moons. The lr climbs linearly from a third of its value over the "
        "first 100 steps, while Adam's running averages settle; with warm-up the run reaches "
        "a near-zero loss. Set warmup steps to 0 to see the same lr stall at a loss of 0.2.",
        _p(data="moons", opt="adam", lrs="0.3,1", sched="constant", sc__warmup_steps=100),
    ),
    "adam_spirals": NNPreset(
        "Adam on spirals: one lr for every weight is not enough",
        "adaptive",
        "Adam divides each weight's step by the running size of its own gradients. On the two "
        "spirals its default lr = 0.001 is slow; 0.01 and 0.1 untangle the spirals in 500 steps.",
        _p(data="spirals", noise=0.05, opt="adam", lrs="0.001,0.01,0.1", steps=500),
    ),
    "lr_finder": NNPreset(
        "LR finder: the range test and its three suggestions",
        "lr_finder",
        "One training run whose lr grows from 1e-6 to 10, step by step. The loss stays flat while "
        "the lr is too small, falls while it is useful, and shoots up when it is too large. Click a "
        "suggestion to train with it.",
        _p(data="moons", opt="sgd", lrs="0.1,1,30", tool="range"),
    ),
    "grid_search": NNPreset(
        "Grid search: the final loss over a grid of lrs",
        "grid_search",
        "13 learning rates from 0.001 to 100, each trained for 200 steps from the same start. The "
        "final loss draws a U: too small on the left, too large on the right, the good band between.",
        _p(data="moons", opt="sgd", lrs="0.1,1,30", steps=200, tool="sweep"),
    ),
    "sweep_surface": NNPreset(
        "Grid search on a bowl, with the theory's edges",
        "grid_search",
        "The same sweep on the quadratic bowl f = (4x² + y²)/2: the good band ends where theory says "
        "gradient descent starts to diverge, 2/λ = 0.5.",
        _p(
            data="moons",
            opt="sgd",
            tool="sweep",
            sweep_on="quadratic",
            sweep_min=0.001,
            sweep_max=2,
            steps=100,
        ),
    ),
    "edge_of_stability": NNPreset(
        "Edge of stability: sharpness rises to 2/lr and stays there",
        "edge_of_stability",
        "Full-batch gradient descent on 75 moons points with squared error (Cohen et al. 2021). At "
        "lr = 0.075 the sharpness (the largest curvature of the loss) keeps rising far past 2/0.3; at "
        "lr = 0.3 it climbs to 2/lr = 6.7, overshoots, and then hovers at that edge while the loss "
        "keeps falling.",
        _p(data="moons", n=100, loss="mse", opt="sgd", lrs="0.075,0.3", steps=500, tool="sharpness"),
    ),
    "finetune": NNPreset(
        "Fine-tuning: small vs large lr",
        "finetuning",
        "A network trained on the moons is fine-tuned on the same moons moved by (1, 1). With "
        "lr = 0.01 it keeps its old skill (and adapts slowly); with lr = 1 it learns the new "
        "position fast and forgets the original task.",
        _p(data="moons", opt="sgd", tool="finetune", ft_lrs="0.01,1"),
    ),
    "overfitting": NNPreset(
        "Overfitting: training loss falls, validation loss rises",
        "overfitting",
        "48 noisy training points and a 32-32 network. With Adam at lr = 0.01 the training loss "
        "goes to almost zero while the validation loss turns around after about 135 steps: the "
        "network memorises the noise. At lr = 0.001 it learns slower and has not overfitted yet.",
        _p(data="moons", n=64, noise=0.3, hidden="32,32", opt="adam", lrs="0.01,0.001", steps=600),
    ),
}


def url_for(name: str) -> str:
    """The NN page's query string for preset ``name`` (raises KeyError for an unknown name)."""
    return urlencode(PRESETS[name].params, safe=URL_SAFE)


def config(name: str):
    """The NN page's config for preset ``name`` (raises KeyError for an unknown name)."""
    return SCHEMA.from_query(PRESETS[name].params)[0]


@cache
def _by_key() -> dict[str, str]:
    return {config(name).key(): name for name in PRESETS}


def active(cfg) -> str | None:
    """The preset whose settings ``cfg`` is exactly, or None once anything was changed."""
    return _by_key().get(cfg.key())
