"""The neural-network lab's settings as one frozen, hashable :class:`NNConfig`, and its round trips to
the URL and to widget state. No Streamlit here: pure functions over dicts, tested directly.

It mirrors :mod:`lrlab.ui.config` (the explorer's): every value is parsed and range-checked, a
malformed one falls back to its default and adds one line to the problems list (shown in ONE notice,
:func:`lrlab.ui.config.notice`), unknown keys are ignored. The query parameters all start with
``nn_`` so a link never mixes them up with the explorer's::

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
from collections.abc import Mapping
from dataclasses import dataclass, replace

from lrlab.ui import config as C

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

Pairs = C.Pairs


def dataset_names() -> list[str]:
    from lrlab import datasets

    return datasets.names()


def is_regression(dataset: str) -> bool:
    from lrlab import datasets

    return dataset in datasets.REGRESSION


def sweep_targets() -> list[str]:
    """Where a sweep runs: the configured MLP, or one of the explorer's built-in surfaces."""
    from lrlab import surfaces

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
        return "&".join(f"{k}={v}" for k, v in sorted(to_query(self, full=True).items()))


DEFAULT = NNConfig()


# -- parsing (the value parsers are the explorer's) --------------------------------------------------

_float, _int, _list, _first, _overrides = C._float, C._int, C._list, C._first, C._overrides
_group, _read_group = C._group, C._read_group  # URL and widget groups of hyperparameters


def _ranged(parse, lo, hi):
    def check(text):
        v = parse(text)
        if not lo <= v <= hi:
            raise ValueError(f"outside {lo:g} .. {hi:g}")
        return v

    return check


def parse_lrs(text, most: int = MAX_LRS) -> tuple[float, ...]:
    """'0.1, 1, 30' -> (0.1, 1.0, 30.0): 1 .. ``most`` learning rates in [LR_MIN, LR_MAX], kept in order."""
    parts = _list(text)
    if not 1 <= len(parts) <= most:
        raise ValueError(f"give 1 to {most} learning rates separated by commas")
    out = []
    for p in parts:
        try:
            out.append(_ranged(_float, LR_MIN, LR_MAX)(p))
        except ValueError as e:
            raise ValueError(f"{p!r} is not a learning rate in {LR_MIN:g} .. {LR_MAX:g} ({e})") from None
    return tuple(dict.fromkeys(out))


def parse_hidden(text) -> tuple[int, ...]:
    """'16, 16' -> (16, 16): 1 .. LAYERS_MAX hidden layers of 1 .. WIDTH_MAX units."""
    parts = _list(text)
    if not 1 <= len(parts) <= LAYERS_MAX:
        raise ValueError(f"give 1 to {LAYERS_MAX} layer widths separated by commas")
    out = []
    for p in parts:
        try:
            v = _int(p)
        except ValueError:
            raise ValueError(f"layer width {p!r} is not a whole number") from None
        if not 1 <= v <= WIDTH_MAX:
            raise ValueError(f"layer width {v} outside 1 .. {WIDTH_MAX}")
        out.append(v)
    return tuple(out)


def _fmt_lrs(lrs) -> str:
    return ",".join(C.format_param(float(v)) for v in lrs)


# -- building the engine objects (validation by construction) ----------------------------------------


def build_data(cfg: NNConfig):
    from lrlab import datasets

    return datasets.make(cfg.dataset, n=cfg.n, noise=cfg.noise, seed=cfg.seed)


def build_model(cfg: NNConfig):
    from lrlab.mlp import MLP

    return MLP(cfg.sizes, cfg.activation, cfg.task_loss)


def build_optimizer(cfg: NNConfig):
    from lrlab import optimizers

    return optimizers.make(cfg.optimizer, **dict(cfg.hyper))


def build_schedule(cfg: NNConfig, base_lr: float):
    from lrlab import schedules

    return schedules.make(cfg.schedule, base_lr=base_lr, **dict(cfg.schedule_params))


def lr_arg(cfg: NNConfig, lrs=None):
    """What ``training.train`` takes for these base lrs: an array for a constant lr, else K schedules."""
    import numpy as np

    lrs = cfg.lrs if lrs is None else lrs
    if cfg.schedule == "constant" and not dict(cfg.schedule_params).get("warmup_steps"):
        return np.asarray(lrs, dtype=float)
    return [build_schedule(cfg, lr) for lr in lrs]


# -- URL ---------------------------------------------------------------------------------------------


def to_query(cfg: NNConfig, *, full: bool = False) -> dict[str, str]:
    """Query parameters for ``cfg``: data, optimizer and lrs always, the rest where it differs from the
    defaults (``full=True``: everything)."""
    d = DEFAULT
    q: dict[str, str] = {"nn_data": cfg.dataset, "nn_opt": cfg.optimizer, "nn_lrs": _fmt_lrs(cfg.lrs)}

    def put(key, value, default, text):
        if value != default or full:
            q[key] = text

    put("nn_n", cfg.n, d.n, str(cfg.n))
    put("nn_noise", cfg.noise, d.noise, C.format_param(float(cfg.noise)))
    put("nn_seed", cfg.seed, d.seed, str(cfg.seed))
    put("nn_hidden", cfg.hidden, d.hidden, ",".join(str(h) for h in cfg.hidden))
    put("nn_act", cfg.activation, d.activation, cfg.activation)
    put("nn_loss", cfg.loss, d.loss, cfg.loss)
    for k, v in cfg.hyper:
        q[f"nn_o.{k}"] = C.format_param(v)
    put("nn_sched", cfg.schedule, d.schedule, cfg.schedule)
    for k, v in cfg.schedule_params:
        q[f"nn_sc.{k}"] = C.format_param(v)
    put("nn_batch", cfg.batch, d.batch, str(cfg.batch))
    put("nn_steps", cfg.steps, d.steps, str(cfg.steps))
    put("nn_tool", cfg.tool, d.tool, cfg.tool)
    put("nn_rt_steps", cfg.rt_steps, d.rt_steps, str(cfg.rt_steps))
    put("nn_sweep_on", cfg.sweep_on, d.sweep_on, cfg.sweep_on)
    put("nn_sweep_min", cfg.sweep_min, d.sweep_min, C.format_param(float(cfg.sweep_min)))
    put("nn_sweep_max", cfg.sweep_max, d.sweep_max, C.format_param(float(cfg.sweep_max)))
    put("nn_sweep_num", cfg.sweep_num, d.sweep_num, str(cfg.sweep_num))
    put("nn_ft_shift", cfg.ft_shift, d.ft_shift, cfg.ft_shift)
    put("nn_ft_lrs", cfg.ft_lrs, d.ft_lrs, _fmt_lrs(cfg.ft_lrs))
    put("nn_ft_steps", cfg.ft_steps, d.ft_steps, str(cfg.ft_steps))
    return q


def query_string(cfg: NNConfig) -> str:
    from urllib.parse import urlencode

    return urlencode(to_query(cfg), safe=",")


# (query key, config field, parser) of the plain scalar settings
_SCALARS = (
    ("nn_n", "n", _ranged(_int, N_MIN, N_MAX)),
    ("nn_noise", "noise", _ranged(_float, 0.0, NOISE_MAX)),
    ("nn_seed", "seed", _ranged(_int, 0, SEED_MAX)),
    ("nn_hidden", "hidden", parse_hidden),
    ("nn_batch", "batch", _ranged(_int, 0, BATCH_MAX)),
    ("nn_steps", "steps", _ranged(_int, STEPS_MIN, STEPS_MAX)),
    ("nn_lrs", "lrs", parse_lrs),
    ("nn_rt_steps", "rt_steps", _ranged(_int, RT_MIN, RT_MAX)),
    ("nn_sweep_min", "sweep_min", _ranged(_float, LR_MIN, LR_MAX)),
    ("nn_sweep_max", "sweep_max", _ranged(_float, LR_MIN, LR_MAX)),
    ("nn_sweep_num", "sweep_num", _ranged(_int, SWEEP_NUM_MIN, SWEEP_NUM_MAX)),
    ("nn_ft_lrs", "ft_lrs", lambda t: parse_lrs(t, 4)),
    ("nn_ft_steps", "ft_steps", _ranged(_int, FT_STEPS_MIN, FT_STEPS_MAX)),
)


def _choices():
    from lrlab import optimizers, schedules

    return (
        ("nn_data", "dataset", dataset_names()),
        ("nn_act", "activation", ACTIVATIONS),
        ("nn_loss", "loss", LOSSES),
        ("nn_opt", "optimizer", optimizers.names()),
        ("nn_sched", "schedule", schedules.names()),
        ("nn_tool", "tool", TOOLS),
        ("nn_sweep_on", "sweep_on", sweep_targets()),
        ("nn_ft_shift", "ft_shift", SHIFTS),
    )


def _shown(value) -> str:
    if isinstance(value, tuple):
        return ",".join(C.format_param(v) for v in value)
    return C.format_param(value)


def from_query(params: Mapping[str, str | list[str]]) -> tuple[NNConfig, list[str]]:
    """The config a URL asks for, and one line per value that was not usable (default used)."""
    p = {str(k): str(_first(v)) for k, v in params.items() if str(k).startswith("nn_")}
    problems: list[str] = []
    values: dict = {}
    for key, name, allowed in _choices():
        if key in p:
            if p[key] in allowed:
                values[name] = p[key]
            else:
                default = getattr(DEFAULT, name)
                problems.append(f"{key}={p[key]!r} (not one of {', '.join(allowed)}; default {default} used)")
    for key, name, parse in _SCALARS:
        if key in p:
            try:
                values[name] = parse(p[key])
            except ValueError as e:
                default = _shown(getattr(DEFAULT, name))
                problems.append(f"{key}={p[key]!r} ({e}; default {default} used)")
    cfg = replace(DEFAULT, **values)

    hyper = _group("nn_o.", p, C.optimizer_defaults(cfg.optimizer), "optimizer", problems)
    try:
        build_optimizer(replace(cfg, hyper=hyper))
        cfg = replace(cfg, hyper=hyper)
    except ValueError as e:
        problems.append(f"optimizer settings {dict(hyper)} ({e}; defaults used)")
    sp = _group("nn_sc.", p, C.schedule_defaults(cfg.schedule), "schedule", problems)
    try:
        build_schedule(replace(cfg, schedule_params=sp), cfg.lrs[0])
        cfg = replace(cfg, schedule_params=sp)
    except ValueError as e:
        problems.append(f"schedule settings {dict(sp)} ({e}; defaults used)")

    if cfg.sweep_min >= cfg.sweep_max:
        problems.append(
            f"nn_sweep_min={cfg.sweep_min:g} is not below nn_sweep_max={cfg.sweep_max:g} "
            f"(defaults {DEFAULT.sweep_min:g} .. {DEFAULT.sweep_max:g} used)"
        )
        cfg = replace(cfg, sweep_min=DEFAULT.sweep_min, sweep_max=DEFAULT.sweep_max)
    if is_regression(cfg.dataset) and "loss" in values and cfg.loss != "mse":
        problems.append(f"nn_loss={cfg.loss!r} (regression data trains with mse; mse used)")
    if is_regression(cfg.dataset):
        cfg = replace(cfg, loss="mse")
    return cfg, problems


# -- widgets -----------------------------------------------------------------------------------------
# The page's widgets keep the config in st.session_state under "nn.w."-keys; parameter widgets are
# namespaced by their owner, so switching optimizer or schedule shows that one's defaults.

W = "nn.w."


def hyper_key(opt: str, name: str) -> str:
    return f"{W}o.{opt}.{name}"


def sched_key(sched: str, name: str) -> str:
    return f"{W}sc.{sched}.{name}"


def lrs_text(lrs) -> str:
    return ", ".join(C.format_param(float(v)) for v in lrs)


def widget_state(cfg: NNConfig) -> dict:
    """Session-state values that make the page's widgets show ``cfg``."""
    st = {
        W + "data": cfg.dataset,
        W + "n": int(cfg.n),
        W + "noise": float(cfg.noise),
        W + "seed": int(cfg.seed),
        W + "hidden": ", ".join(str(h) for h in cfg.hidden),
        W + "act": cfg.activation,
        W + "loss": cfg.loss,
        W + "opt": cfg.optimizer,
        W + "sched": cfg.schedule,
        W + "batch": int(cfg.batch),
        W + "steps": int(cfg.steps),
        W + "lrs": lrs_text(cfg.lrs),
        W + "tool": None if cfg.tool == "none" else cfg.tool,  # the tool picker shows no "none" option
        W + "rt_steps": int(cfg.rt_steps),
        W + "sweep_on": cfg.sweep_on,
        W + "sweep_min": float(cfg.sweep_min),
        W + "sweep_max": float(cfg.sweep_max),
        W + "sweep_num": int(cfg.sweep_num),
        W + "ft_shift": cfg.ft_shift,
        W + "ft_lrs": lrs_text(cfg.ft_lrs),
        W + "ft_steps": int(cfg.ft_steps),
    }
    for k, d in C.optimizer_defaults(cfg.optimizer).items():
        st[hyper_key(cfg.optimizer, k)] = C.widget_value(k, C.merged({k: d}, cfg.hyper)[k], d)
    for k, d in C.schedule_defaults(cfg.schedule).items():
        st[sched_key(cfg.schedule, k)] = C.widget_value(k, C.merged({k: d}, cfg.schedule_params)[k], d)
    return st


def from_widgets(state: Mapping) -> tuple[NNConfig, list[str]]:
    """The config the widgets show, and one line per widget value that was not usable."""
    errors: list[str] = []
    d = DEFAULT

    def get(name, default):
        return state.get(W + name, default)

    def text(name, parse, default, what):
        raw = get(name, None)
        if raw is None:
            return default
        try:
            return parse(raw)
        except ValueError as e:
            errors.append(f"{what}: {e}; {_shown(default)} used")
            return default

    cfg = NNConfig(
        dataset=get("data", d.dataset),
        n=int(get("n", d.n)),
        noise=float(get("noise", d.noise)),
        seed=int(get("seed", d.seed)),
        hidden=text("hidden", parse_hidden, d.hidden, "hidden layers"),
        activation=get("act", d.activation),
        loss=get("loss", d.loss),
        optimizer=get("opt", d.optimizer),
        schedule=get("sched", d.schedule),
        batch=int(get("batch", d.batch)),
        steps=int(get("steps", d.steps)),
        lrs=text("lrs", parse_lrs, d.lrs, "learning rates"),
        tool=get("tool", d.tool) or "none",
        rt_steps=int(get("rt_steps", d.rt_steps)),
        sweep_on=get("sweep_on", d.sweep_on),
        sweep_min=float(get("sweep_min", d.sweep_min)),
        sweep_max=float(get("sweep_max", d.sweep_max)),
        sweep_num=int(get("sweep_num", d.sweep_num)),
        ft_shift=get("ft_shift", d.ft_shift),
        ft_lrs=text("ft_lrs", lambda t: parse_lrs(t, 4), d.ft_lrs, "fine-tuning learning rates"),
        ft_steps=int(get("ft_steps", d.ft_steps)),
    )
    cfg = replace(
        cfg,
        hyper=_read_group(
            state, hyper_key, cfg.optimizer, C.optimizer_defaults(cfg.optimizer), "optimizer", errors
        ),
        schedule_params=_read_group(
            state, sched_key, cfg.schedule, C.schedule_defaults(cfg.schedule), "schedule", errors
        ),
    )
    if not cfg.sweep_min < cfg.sweep_max:
        errors.append(f"sweep range {cfg.sweep_min:g} .. {cfg.sweep_max:g} is empty; the default range used")
        cfg = replace(cfg, sweep_min=d.sweep_min, sweep_max=d.sweep_max)
    if is_regression(cfg.dataset):
        cfg = replace(cfg, loss="mse")
    return cfg, errors


def lr_label(lr: float) -> str:
    return f"lr = {lr:.4g}"


def nice(lr: float) -> float:
    """A suggested lr rounded to 2 significant digits (what a click on a suggestion applies)."""
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"not a positive learning rate: {lr!r}")
    return min(max(float(f"{lr:.2g}"), LR_MIN), LR_MAX)
