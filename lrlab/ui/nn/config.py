"""The neural-network lab's settings: one frozen, hashable :class:`NNConfig` and its :data:`SCHEMA`
(the shared codec of :mod:`lrlab.ui.codec`, as on the explorer). No Streamlit here.

The query parameters all start with ``nn_`` so a link never mixes them up with the explorer's::

    nn_data=moons  nn_n=256  nn_noise=0.1  nn_seed=0     dataset, size, noise, seed (init + batches)
    nn_hidden=16,16  nn_act=tanh  nn_loss=logistic       hidden layers, activation, loss
    nn_opt=sgd  nn_o.momentum=0.9                        optimizer and its hyperparameters
    nn_sched=cosine  nn_sc.t_max=300                     schedule and its parameters
    nn_batch=32                                          mini-batch size (0: full batch)
    nn_steps=300                                         training steps, 10 .. 2000
    nn_lrs=0.1,1,30                                      the learning rates trained side by side
    nn_tool=range                                        none | range | sweep | sharpness | finetune
    nn_rt_steps=100                                      range test: steps from 1e-6 to 10
    nn_sweep_on=mlp  nn_sweep_min=0.001  nn_sweep_max=100  nn_sweep_num=13
                                                         sweep: the MLP or a surface, its log grid
    nn_ft_shift=translate  nn_ft_lrs=0.01,1  nn_ft_steps=100
                                                         fine-tuning: the new task, lrs, steps
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from lrlab import datasets, optimizers, rangetest, schedules, surfaces
from lrlab.mlp import MLP
from lrlab.params import choice, integer, integers, real, reals
from lrlab.ui.codec import Field, Group, Pairs, Schema

LR_MIN, LR_MAX = 1e-5, 100.0
MAX_LRS = 5
N_MIN, N_MAX = 32, 1024
NOISE_MAX = 2.0
SEED_MAX = 9999
STEPS_MIN, STEPS_MAX = 10, 2000
LAYERS_MAX, WIDTH_MAX = 4, 64
BATCH_MAX = 1024
RT_MIN, RT_MAX = 20, 500
SWEEP_NUM_MIN, SWEEP_NUM_MAX = 3, 40
FT_STEPS_MIN, FT_STEPS_MAX = 10, 1000
ACTIVATIONS = ("tanh", "relu")
LOSSES = ("logistic", "mse")
TOOLS = ("none", "range", "sweep", "sharpness", "finetune")
SHIFTS = ("translate", "rotate", "flip")
MLP_TARGET = "mlp"
W = "nn.w."  # the page's widget keys


def is_regression(dataset: str) -> bool:
    return dataset in datasets.REGRESSION


def sweep_targets() -> list[str]:
    """Where a sweep runs: the configured MLP, or one of the explorer's built-in surfaces."""
    return [MLP_TARGET, *surfaces.names()]


@dataclass(frozen=True)
class NNConfig:
    """Everything that determines the NN lab's runs. Frozen and hashable (a cache key)."""

    dataset: str = "moons"
    n: int = 256
    noise: float = 0.1
    seed: int = 0
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "tanh"
    loss: str = "logistic"  # regression data always trains with "mse"
    optimizer: str = "sgd"
    hyper: Pairs = ()
    schedule: str = "constant"
    schedule_params: Pairs = ()
    batch: int = 0  # 0: full batch
    steps: int = 300
    lrs: tuple[float, ...] = (0.1, 1.0, 30.0)
    tool: str = "none"
    rt_steps: int = 100
    sweep_on: str = MLP_TARGET
    sweep_min: float = 1e-3
    sweep_max: float = 100.0
    sweep_num: int = 13
    ft_shift: str = "translate"
    ft_lrs: tuple[float, ...] = (0.01, 1.0)
    ft_steps: int = 100

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer sizes of the MLP: input dimension, hidden layers, one output."""
        return (1 if is_regression(self.dataset) else 2, *self.hidden, 1)

    @property
    def task_loss(self) -> str:
        """The loss actually trained: ``mse`` for regression data, else the configured one."""
        return "mse" if is_regression(self.dataset) else self.loss

    def n_train(self) -> int:
        return self.n - int(round(0.25 * self.n))

    def batch_size(self) -> int | None:
        """The engine's ``batch_size``: None (full batch) for 0 or a batch as large as the training set."""
        return None if self.batch == 0 or self.batch >= self.n_train() else self.batch

    def key(self) -> str:
        """A canonical string of the config (its full URL query), for cache keys and comparisons."""
        return SCHEMA.key(self)


DEFAULT = NNConfig()


# -- building the engine objects (validation by construction) ----------------------------------------


def build_data(cfg: NNConfig):
    return datasets.make(cfg.dataset, n=cfg.n, noise=cfg.noise, seed=cfg.seed)


def build_model(cfg: NNConfig):
    return MLP(cfg.sizes, cfg.activation, cfg.task_loss)


def build_optimizer(cfg: NNConfig):
    return optimizers.make(cfg.optimizer, **dict(cfg.hyper))


def build_schedule(cfg: NNConfig, base_lr: float):
    return schedules.make(cfg.schedule, base_lr=base_lr, **dict(cfg.schedule_params))


def range_test(cfg: NNConfig) -> rangetest.RangeTestResult:
    """The LR range test the page shows for ``cfg`` (its model, data, optimizer, steps, batch, seed)."""
    return rangetest.run(
        build_model(cfg),
        build_data(cfg),
        build_optimizer(cfg),
        num_steps=cfg.rt_steps,
        batch_size=cfg.batch_size(),
        seed=cfg.seed,
    )


def lr_arg(cfg: NNConfig, lrs=None):
    """What ``training.train`` takes for these base lrs (default: the configured ones)."""
    return schedules.for_lrs(cfg.schedule, cfg.lrs if lrs is None else lrs, **dict(cfg.schedule_params))


# -- the rules across settings ------------------------------------------------------------------------


def _settle(cfg: NNConfig, problems: list[str], source: str, given: dict) -> NNConfig:
    """The learning rates are distinct (kept in order); the sweep's range is not empty; regression
    data trains with squared error."""
    cfg = replace(cfg, lrs=tuple(dict.fromkeys(cfg.lrs)), ft_lrs=tuple(dict.fromkeys(cfg.ft_lrs)))
    if not cfg.sweep_min < cfg.sweep_max:
        problems.append(
            f"nn_sweep_min={cfg.sweep_min:g} is not below nn_sweep_max={cfg.sweep_max:g} "
            f"(defaults {DEFAULT.sweep_min:g} .. {DEFAULT.sweep_max:g} used)"
            if source == "url"
            else f"sweep range {cfg.sweep_min:g} .. {cfg.sweep_max:g} is empty; the default range used"
        )
        cfg = replace(cfg, sweep_min=DEFAULT.sweep_min, sweep_max=DEFAULT.sweep_max)
    if is_regression(cfg.dataset):
        if source == "url" and "nn_loss" in given and cfg.loss != "mse":
            problems.append(f"nn_loss={cfg.loss!r} (regression data trains with mse; mse used)")
        cfg = replace(cfg, loss="mse")
    return cfg


# -- the schema: every setting once -------------------------------------------------------------------


def _field(attr: str, param, url: str, widget: str, **kw) -> Field:
    return Field(attr, param, "nn_" + url, W + widget, **kw)


def _lrs(name: str, default, most: int):
    return reals(name, default, LR_MIN, LR_MAX, count=(1, most))


SCHEMA = Schema(
    NNConfig,
    fields=(
        _field("dataset", choice("nn_data", "moons", datasets.names()), "data", "data", always=True),
        _field("n", integer("nn_n", 256, N_MIN, N_MAX), "n", "n", label="points"),
        _field("noise", real("nn_noise", 0.1, 0.0, NOISE_MAX), "noise", "noise", label="noise"),
        _field("seed", integer("nn_seed", 0, 0, SEED_MAX), "seed", "seed", label="seed"),
        _field(
            "hidden",
            integers("nn_hidden", (16, 16), 1, WIDTH_MAX, count=(1, LAYERS_MAX)),
            "hidden",
            "hidden",
            label="hidden layers",
        ),
        _field("activation", choice("nn_act", "tanh", ACTIVATIONS), "act", "act"),
        _field("loss", choice("nn_loss", "logistic", LOSSES), "loss", "loss"),
        _field("optimizer", choice("nn_opt", "sgd", optimizers.names()), "opt", "opt", always=True),
        _field("schedule", choice("nn_sched", "constant", schedules.names()), "sched", "sched"),
        _field("batch", integer("nn_batch", 0, 0, BATCH_MAX), "batch", "batch", label="batch size"),
        _field("steps", integer("nn_steps", 300, STEPS_MIN, STEPS_MAX), "steps", "steps", label="steps"),
        _field(
            "lrs",
            _lrs("nn_lrs", (0.1, 1.0, 30.0), MAX_LRS),
            "lrs",
            "lrs",
            always=True,
            label="learning rates",
        ),
        _field(
            "tool",
            choice("nn_tool", "none", TOOLS),
            "tool",
            "tool",
            to_widget=lambda v, c: None if v == "none" else v,  # the tool picker has no "none" option
            from_widget=lambda raw: raw or "none",
        ),
        _field("rt_steps", integer("nn_rt_steps", 100, RT_MIN, RT_MAX), "rt_steps", "rt_steps"),
        _field("sweep_on", choice("nn_sweep_on", MLP_TARGET, sweep_targets()), "sweep_on", "sweep_on"),
        _field("sweep_min", real("nn_sweep_min", 1e-3, LR_MIN, LR_MAX), "sweep_min", "sweep_min"),
        _field("sweep_max", real("nn_sweep_max", 100.0, LR_MIN, LR_MAX), "sweep_max", "sweep_max"),
        _field(
            "sweep_num", integer("nn_sweep_num", 13, SWEEP_NUM_MIN, SWEEP_NUM_MAX), "sweep_num", "sweep_num"
        ),
        _field("ft_shift", choice("nn_ft_shift", "translate", SHIFTS), "ft_shift", "ft_shift"),
        _field(
            "ft_lrs",
            _lrs("nn_ft_lrs", (0.01, 1.0), 4),
            "ft_lrs",
            "ft_lrs",
            label="fine-tuning learning rates",
        ),
        _field("ft_steps", integer("nn_ft_steps", 100, FT_STEPS_MIN, FT_STEPS_MAX), "ft_steps", "ft_steps"),
    ),
    groups=(
        Group("hyper", "optimizer", optimizers.params, "nn_o.", W + "o.", "optimizer", build_optimizer),
        Group(
            "schedule_params",
            "schedule",
            schedules.params,
            "nn_sc.",
            W + "sc.",
            "schedule",
            lambda c: build_schedule(c, c.lrs[0]),
        ),
    ),
    settle=_settle,
    url_prefix="nn_",
    widget_prefix=W,
)


def from_query(params) -> tuple[NNConfig, list[str]]:
    """The config a URL asks for, and one line per value that was not usable (default used)."""
    return SCHEMA.from_query(params)


def to_query(cfg: NNConfig, *, full: bool = False) -> dict[str, str]:
    return SCHEMA.to_query(cfg, full=full)


def query_string(cfg: NNConfig) -> str:
    return SCHEMA.query_string(cfg)


def lrs_text(lrs) -> str:
    return ", ".join(f"{float(v):.10g}" for v in lrs)


def nice(lr: float) -> float:
    """A suggested lr rounded to 2 significant digits (what a click on a suggestion applies)."""
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"not a positive learning rate: {lr!r}")
    return min(max(float(f"{lr:.2g}"), LR_MIN), LR_MAX)
