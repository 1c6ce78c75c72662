"""One-click presets of the neural-network lab: each one a URL of the NN page that shows one idea.

The same shape as the explorer's :mod:`lrlab.ui.explorer.presets`:

* ``PRESETS``: an ordered dict ``name -> NNPreset(title, concept, description, params)``; ``params``
  are the NN page's URL query parameters (see :mod:`lrlab.ui.nn.config`), ``concept`` the Learn-page
  topic the preset illustrates.
* ``url_for(name) -> str``: the query string; ``"/nn?" + url_for(name)`` opens the NN page on it.
* ``config(name)``: the preset's :class:`~lrlab.ui.nn.config.NNConfig`; ``active(cfg)``: the preset
  ``cfg`` still is (however it was opened, until any setting changes), else None.

Every claim a description makes was measured on the seeded engine (``tests/test_nn_claims.py`` checks
them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lrlab.ui.nn.config import SCHEMA
from lrlab.ui.presetbook import Book


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
        "steps over a quarter of the loss is still there, and it gets fewer validation points right "
        "than lr = 1, which learns the moons. lr = 30 is too large: its first step sends the loss up "
        "instead of down, and the run ends with a higher loss than it started with.",
        _p(data="moons", opt="sgd", lrs="0.1,1,30"),
    ),
    "divergence": NNPreset(
        "Divergence: past the edge the loss explodes",
        "divergence",
        "Squared-error loss on the moons. lr = 0.1 converges smoothly: its loss falls at every step. "
        "lr = 0.5 overshoots: its loss still falls, but unevenly, going back up on many steps (this "
        "close to the edge, an unlucky start can still tip a run over late). lr = 1 is past the edge "
        "of stability: the loss explodes within a few steps and the run is stopped at step 6.",
        _p(data="moons", opt="sgd", loss="mse", lrs="0.1,0.5,1"),
    ),
    "minibatch": NNPreset(
        "Mini-batch noise: the lr scales the noise",
        "minibatch",
        "Batches of 8 points instead of all 192: every step follows a noisy estimate of the gradient. "
        "At lr = 0.1 the noise is small but progress is too slow; at lr = 1 the loss keeps jumping "
        "back up; at lr = 5 (which trains well with full batches: set the batch size to 0) the noisy "
        "steps throw the network off and its loss ends above where it started.",
        _p(**_NOISY, lrs="0.1,1,5"),
    ),
    "sched_step": NNPreset(
        "Step decay: divide the lr by 10 at step 150",
        "schedule_step",
        "Mini-batch SGD at a constant lr = 1 keeps jumping (see the mini-batch preset). Step decay "
        "keeps the large lr for fast progress, then cuts it tenfold at step 150: from there on the "
        "jumps die down, at lr = 1 and at lr = 2.",
        _p(**_NOISY, lrs="1,2", sched="step", sc__step_size=150, sc__gamma=0.1),
    ),
    "sched_exponential": NNPreset(
        "Exponential decay: lr × 0.993 every step",
        "schedule_exponential",
        "The lr shrinks smoothly by 0.7% per step (to an eighth by step 300), so the mini-batch "
        "jumps fade gradually: both runs, lr = 1 and lr = 2, end calm (compare polynomial decay, "
        "which reaches zero).",
        _p(**_NOISY, lrs="1,2", sched="exponential", sc__gamma=0.993),
    ),
    "sched_polynomial": NNPreset(
        "Polynomial (linear) decay to zero",
        "schedule_polynomial",
        "lr_t = lr (1 − t/300): full speed at the start, falling in a straight line to zero at step "
        "300, so the last steps only polish. Both runs, lr = 1 and lr = 2, finish calm.",
        _p(**_NOISY, lrs="1,2", sched="polynomial", sc__total_iters=300, sc__power=1),
    ),
    "sched_cosine": NNPreset(
        "Cosine annealing",
        "schedule_cosine",
        "The lr follows half a cosine from its start value down to 0 over the 300 steps: above "
        "linear decay for the first 150 steps, below it after, and flat at both ends. Both runs, "
        "lr = 1 and lr = 2, finish calm.",
        _p(**_NOISY, lrs="1,2", sched="cosine", sc__t_max=300),
    ),
    "sched_cyclic": NNPreset(
        "Cyclic lr: up and down between 0.05 and 2",
        "schedule_cyclic",
        "A triangular cycle of 150 steps whose peak halves each cycle (triangular2): the lr climbs "
        "from 0.05 to 2 and back, then to 1.025 and back. The loss jumps around near every peak and "
        "settles in every valley of the lr.",
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
        "Warm-up eases a large lr in",
        "schedule_warmup",
        "SGD with momentum 0.9 on the moons at lr = 0.3 and 3. Here the lr climbs linearly from a "
        "third of its value over the first 100 steps (PyTorch's LinearLR), and neither loss ever "
        "rises above its start. Set warmup steps to 0: lr = 3 now opens with the loss jumping well "
        "above its start (to 6 times it here), and where that run ends is left to chance (changing "
        "the initial weights in their 9th digit moves its final loss tenfold or more); lr = 0.3 "
        "needs no warm-up.",
        _p(data="moons", opt="momentum", lrs="0.3,3", sched="constant", sc__warmup_steps=100),
    ),
    "adam_spirals": NNPreset(
        "Adam on spirals: the lr is still a step length",
        "adaptive",
        "Adam divides each weight's step by the running size of its own gradients, yet its lr still "
        "sets how far the weights move. On the two spirals PyTorch's default lr = 0.001 is too slow: "
        "after 200 steps over a quarter of the loss is left. At lr = 0.01 and lr = 0.1 Adam "
        "untangles the spirals and gets every validation point right.",
        _p(data="spirals", noise=0.05, opt="adam", lrs="0.001,0.01,0.1", steps=200),
    ),
    "lr_finder": NNPreset(
        "LR finder: the range test and its three suggestions",
        "lr_finder",
        "One training run whose lr grows from 1e-6 to 10, step by step. The loss stays flat while "
        "the lr is too small, falls while it is useful, and shoots up when it is too large. Click a "
        "suggestion to train with it: steepest slope and minimum / 10 train well. fastai's valley "
        "lands on the flat start here (0.004, too slow): on this smooth full-batch curve the loss "
        "falls by a hair at every step, so its longest descent begins with the test.",
        _p(data="moons", opt="sgd", lrs="0.1,1,30", tool="range"),
    ),
    "grid_search": NNPreset(
        "Grid search: the final validation loss over a grid of lrs",
        "grid_search",
        "Squared-error loss on the moons, 13 learning rates from 0.001 to 10, each trained for 200 "
        "steps from the same start. The final validation loss draws a U: too small on the left, too "
        "large on the right (from 1 on, every run diverges), the good band between; the best lr is "
        "the one with the lowest validation loss, here 0.22. Above, three lrs train side by side: "
        "lr = 0.001 (too slow), lr = 0.2 and lr = 2 (diverges).",
        _p(data="moons", loss="mse", opt="sgd", lrs="0.001,0.2,2", steps=200, tool="sweep", sweep_max=10),
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
        "lr = 0.075 the sharpness (the largest curvature of the loss) keeps rising, far below its "
        "edge 2/lr = 27, and the loss falls at every step. At lr = 0.3 it climbs to the edge "
        "2/lr = 6.7, overshoots it, and then hovers around it while the loss keeps falling, "
        "unevenly: it goes back up on some steps.",
        _p(data="moons", n=100, loss="mse", opt="sgd", lrs="0.075,0.3", steps=500, tool="sharpness"),
    ),
    "finetune": NNPreset(
        "Fine-tuning: small vs large lr",
        "finetuning",
        "A network trained on the moons is fine-tuned on the same moons moved by (1, 1). With "
        "lr = 0.01 it keeps most of its old skill and barely adapts; with lr = 1 it learns the new "
        "position within 100 steps and forgets much more of the original task.",
        _p(data="moons", opt="sgd", tool="finetune", ft_lrs="0.01,1"),
    ),
    "overfitting": NNPreset(
        "Overfitting: training loss falls, validation loss rises",
        "overfitting",
        "48 noisy training points and a 32-32 network. With Adam at lr = 0.01 the training loss "
        "goes to almost zero while the validation loss turns around (here after about 135 steps; on "
        "most seeds within 300) and ends at twice its lowest or more: the network memorises the "
        "noise. At lr = 0.0005 the validation loss is still near its lowest after 600 steps: the "
        "network is still learning, usually too slowly to finish.",
        _p(data="moons", n=64, noise=0.3, hidden="32,32", opt="adam", lrs="0.01,0.0005", steps=600),
    ),
}


BOOK = Book(SCHEMA, PRESETS)
url_for, config, active = BOOK.url_for, BOOK.config, BOOK.active
