"""The explorer's settings as one frozen, hashable :class:`Config`, and its round trips to the URL
and to widget state. No Streamlit here: pure functions over dicts, tested directly.

URL query parameters (every one optional; a missing one takes its default)::

    surface=rosenbrock  s.a=1  s.b=100      surface and its parameters (``s.<name>``)
    formula=x**2+3*y**2                     the typed formula, for ``surface=custom``
    x0=-1.5  y0=1.5                         start point (default: the surface's own)
    opt=momentum  o.momentum=0.9            optimizer and its hyperparameters (``o.<name>``)
    lr=0.1                                  learning rate, 1e-4 .. 10
    sched=step  sc.step_size=30             schedule and its parameters (``sc.<name>``)
    steps=200                               number of updates, 1 .. 2000
    compare=multiples  mult=0.5,1,2,4       compare: none | multiples | list | optimizers
    lrs=0.01,0.1,0.5                        the typed lr list (compare=list)
    opts=sgd,momentum,adam                  the optimizers (compare=optimizers)

Validation: every value is parsed and range-checked; a malformed or out-of-range value falls back
to its default and adds one line to the problems list (the app shows them together in ONE notice).
Unknown keys are ignored. Parameters of the surface, optimizer and schedule are checked by building
the object with the engine (``make`` raises ``ValueError`` naming the bad value).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

LR_MIN, LR_MAX = 1e-4, 1e6  # the slider spans 1e-4 .. 10; the exact box and the URL go to 1e6
STEPS_MIN, STEPS_MAX = 1, 2000
MAX_RUNS = 7
COMPARE_MODES = ("none", "multiples", "list", "optimizers")
CUSTOM = "custom"
DEFAULT_MULTIPLES = (0.5, 1.0, 2.0, 4.0)
FORMULA_MAX = 300
BOX_MIN, BOX_MAX = 0.01, 1e4


def _registries():
    from lrlab import optimizers, schedules, surfaces

    return surfaces, optimizers, schedules


def _has_expression() -> bool:
    try:
        from lrlab import expression  # noqa: F401
    except ImportError:
        return False
    return hasattr(expression, "surface_from_expression")


def surface_names() -> list[str]:
    surfaces, _, _ = _registries()
    return list(surfaces.names()) + ([CUSTOM] if _has_expression() else [])


Pairs = tuple[tuple[str, float | int | bool], ...]


@dataclass(frozen=True)
class Config:
    """Everything that determines the explorer's runs. Frozen and hashable (a cache key)."""

    surface: str = "quadratic"
    surface_params: Pairs = ()  # overrides of the surface's defaults, sorted by name
    formula: str = ""  # for surface == "custom"
    box: float = 3.0  # custom surfaces are drawn on [-box, box]^2
    start: tuple[float, float] | None = None  # None: the surface's default start
    optimizer: str = "sgd"
    hyper: Pairs = ()  # overrides of optimizers.defaults(optimizer)
    lr: float = 0.1
    schedule: str = "constant"
    schedule_params: Pairs = ()
    steps: int = 100
    compare: str = "none"
    multiples: tuple[float, ...] = DEFAULT_MULTIPLES
    lrs: tuple[float, ...] = ()
    optimizers: tuple[str, ...] = ()
    extra: tuple = field(default=(), compare=False, repr=False)

    def key(self) -> str:
        """A canonical string of the config (its URL query), for cache keys and comparisons."""
        return "&".join(f"{k}={v}" for k, v in sorted(to_query(self, full=True).items()))


DEFAULT = Config()


# -- value parsing -----------------------------------------------------------------------------------


def _float(text: str) -> float:
    try:
        v = float(str(text).strip())
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(v):
        raise ValueError("not a finite number")
    return v


def _lr(text) -> float:
    v = _float(text)
    if not LR_MIN <= v <= LR_MAX:
        raise ValueError(f"outside {LR_MIN:g} .. {LR_MAX:g}")
    return v


def _steps(text) -> int:
    s = str(text).strip()
    v = int(float(s)) if s.replace(".", "", 1).isdigit() and float(s).is_integer() else int(s)
    if not STEPS_MIN <= v <= STEPS_MAX:
        raise ValueError(f"outside {STEPS_MIN} .. {STEPS_MAX}")
    return v


def _list(text) -> list[str]:
    return [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]


def parse_lr_list(text) -> tuple[float, ...]:
    """'0.01, 0.1, 0.5' -> (0.01, 0.1, 0.5); each in [LR_MIN, LR_MAX], 1 .. MAX_RUNS of them."""
    parts = _list(text)
    if not 1 <= len(parts) <= MAX_RUNS:
        raise ValueError(f"give 1 to {MAX_RUNS} learning rates separated by commas")
    out = []
    for p in parts:
        try:
            out.append(_lr(p))
        except ValueError as e:
            raise ValueError(f"{p!r} is not a learning rate in {LR_MIN:g} .. {LR_MAX:g} ({e})") from None
    return tuple(out)


def parse_multiples(text) -> tuple[float, ...]:
    parts = _list(text)
    if not 1 <= len(parts) <= MAX_RUNS:
        raise ValueError(f"give 1 to {MAX_RUNS} multiples separated by commas")
    out = []
    for p in parts:
        v = _float(p.lower().removeprefix("x").removeprefix("×"))
        if not 1e-3 <= v <= 1e3:
            raise ValueError(f"multiple {p!r} outside 0.001 .. 1000")
        out.append(v)
    return tuple(out)


# Parameters whose default is a string or None: what they may be.
CHOICES = {
    "mode": ("triangular", "triangular2", "exp_range", "min", "max"),
    "anneal_strategy": ("cos", "linear"),
    "threshold_mode": ("rel", "abs"),
}
OPTIONAL = {"max_lr": "float", "step_size_down": "int"}  # None means "auto" (see the schedule)


def param_kind(name: str, default) -> str:
    """How a parameter is typed and edited: bool, int, float, choice, floats, ints, optfloat, optint."""
    if default is None:
        return "opt" + OPTIONAL.get(name, "float")
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if isinstance(default, str):
        return "choice"
    if isinstance(default, tuple):
        return "ints" if all(isinstance(v, int) and not isinstance(v, bool) for v in default) else "floats"
    raise ValueError(f"parameter {name!r} has a default of unsupported type: {default!r}")


def _int(text) -> int:
    v = _float(text)
    if not v.is_integer():
        raise ValueError("expected a whole number")
    return int(v)


def parse_param(name: str, text, default):
    """Parse the text of parameter ``name`` as the kind of its ``default`` (raises ValueError)."""
    kind = param_kind(name, default)
    s = str(text).strip()
    if kind == "bool":
        if s.lower() in ("1", "true", "yes", "on"):
            return True
        if s.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError("expected true or false")
    if kind == "int":
        return _int(s)
    if kind == "float":
        return _float(s)
    if kind == "choice":
        allowed = CHOICES.get(name)
        if allowed is not None and s not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}")
        return s
    if kind in ("floats", "ints"):
        parts = _list(s)
        if not parts or len(parts) > 20:
            raise ValueError("expected 1 to 20 numbers separated by commas")
        return tuple(_int(v) if kind == "ints" else _float(v) for v in parts)
    if s.lower() in ("", "none", "auto"):
        return None
    return _int(s) if kind == "optint" else _float(s)


def _fmt(v) -> str:
    if v is None:
        return "auto"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.10g}"
    if isinstance(v, tuple):
        return ",".join(_fmt(x) for x in v)
    return str(v)


format_param = _fmt


# -- defaults of the engine's objects ---------------------------------------------------------------


def surface_defaults(name: str) -> dict:
    """The tunable parameters of a built-in surface and their defaults ({} for custom)."""
    if name == CUSTOM:
        return {}
    surfaces, _, _ = _registries()
    return dict(surfaces.make(name).params)


def optimizer_defaults(name: str) -> dict:
    _, optimizers, _ = _registries()
    return dict(optimizers.defaults(name))


def schedule_defaults(name: str) -> dict:
    _, _, schedules = _registries()
    out = {k: v for k, v in dict(schedules.defaults(name)).items() if k != "base_lr"}
    if name != "plateau":
        out["warmup_steps"] = 0  # every schedule but plateau takes a linear warm-up in front
    return out


def merged(defaults: Mapping, overrides: Pairs) -> dict:
    out = dict(defaults)
    out.update(dict(overrides))
    return out


def _overrides(defaults: Mapping, values: Mapping) -> Pairs:
    """The entries of ``values`` that differ from ``defaults``, sorted, typed like the defaults."""
    out = []
    for k in sorted(defaults):
        if k in values and values[k] != defaults[k]:
            out.append((k, values[k]))
    return tuple(out)


# -- building the engine objects (validation by construction) --------------------------------------


def build_surface(cfg: Config):
    """The configured surface (raises ValueError for a bad formula or parameter)."""
    if cfg.surface == CUSTOM:
        if not _has_expression():
            raise ValueError("custom formulas are not available in this version")
        from lrlab.expression import surface_from_expression

        return surface_from_expression(cfg.formula, bounds=((-cfg.box, cfg.box), (-cfg.box, cfg.box)))
    surfaces, _, _ = _registries()
    return surfaces.make(cfg.surface, **dict(cfg.surface_params))


def build_optimizer(name: str, cfg: Config):
    """Optimizer ``name``; it takes ``cfg.hyper`` when it is the configured optimizer."""
    _, optimizers, _ = _registries()
    hyper = dict(cfg.hyper) if name == cfg.optimizer else {}
    return optimizers.make(name, **hyper)


def build_schedule(cfg: Config, base_lr: float):
    _, _, schedules = _registries()
    return schedules.make(cfg.schedule, base_lr=base_lr, **dict(cfg.schedule_params))


def run_lrs(cfg: Config) -> tuple[float, ...]:
    """The base learning rate of each run (one per run; optimizers-compare runs share cfg.lr)."""
    if cfg.compare == "multiples":
        return tuple(cfg.lr * m for m in cfg.multiples)
    if cfg.compare == "list" and cfg.lrs:
        return cfg.lrs
    if cfg.compare == "optimizers":
        return tuple(cfg.lr for _ in run_optimizers(cfg))
    return (cfg.lr,)


def run_optimizers(cfg: Config) -> tuple[str, ...]:
    if cfg.compare == "optimizers" and cfg.optimizers:
        return cfg.optimizers
    return (cfg.optimizer,)


# -- URL --------------------------------------------------------------------------------------------


def to_query(cfg: Config, *, full: bool = False) -> dict[str, str]:
    """Query parameters for ``cfg``: the main settings always, the rest only where they differ from
    the defaults (``full=True``: everything)."""
    q: dict[str, str] = {"surface": cfg.surface, "opt": cfg.optimizer, "lr": _fmt(float(cfg.lr))}
    if cfg.surface == CUSTOM or full:
        q["formula"] = cfg.formula
        if cfg.box != DEFAULT.box or full:
            q["box"] = _fmt(float(cfg.box))
    for k, v in cfg.surface_params:
        q[f"s.{k}"] = _fmt(v)
    if cfg.start is not None:
        q["x0"], q["y0"] = _fmt(float(cfg.start[0])), _fmt(float(cfg.start[1]))
    for k, v in cfg.hyper:
        q[f"o.{k}"] = _fmt(v)
    if cfg.schedule != DEFAULT.schedule or full:
        q["sched"] = cfg.schedule
    for k, v in cfg.schedule_params:
        q[f"sc.{k}"] = _fmt(v)
    if cfg.steps != DEFAULT.steps or full:
        q["steps"] = str(cfg.steps)
    if cfg.compare != "none" or full:
        q["compare"] = cfg.compare
    if cfg.compare == "multiples" and cfg.multiples != DEFAULT_MULTIPLES or full:
        q["mult"] = ",".join(_fmt(float(m)) for m in cfg.multiples)
    if cfg.compare == "list" and cfg.lrs or full and cfg.lrs:
        q["lrs"] = ",".join(_fmt(float(v)) for v in cfg.lrs)
    if cfg.compare == "optimizers" and cfg.optimizers or full and cfg.optimizers:
        q["opts"] = ",".join(cfg.optimizers)
    return q


def query_string(cfg: Config) -> str:
    from urllib.parse import urlencode

    return urlencode(to_query(cfg), safe=",*+^()/")


def _first(v):
    if isinstance(v, list | tuple):
        return v[-1] if v else ""
    return v


def _group(prefix: str, params: Mapping[str, str], defaults: Mapping, what: str, problems: list) -> Pairs:
    values = {}
    for key, raw in params.items():
        if not key.startswith(prefix):
            continue
        name = key[len(prefix) :]
        if name not in defaults:
            continue  # unknown parameter: ignored
        try:
            values[name] = parse_param(name, raw, defaults[name])
        except ValueError as e:
            problems.append(f"{key}={raw!r} ({e}; {what} default {_fmt(defaults[name])} used)")
    return _overrides(defaults, values)


def from_query(params: Mapping[str, str | list[str]]) -> tuple[Config, list[str]]:
    """The config a URL asks for, and one line per value that was not usable (default used)."""
    p = {str(k): str(_first(v)) for k, v in params.items()}
    problems: list[str] = []
    cfg = DEFAULT
    _, optimizers, schedules = _registries()

    def bad(key: str, why: str, used) -> None:
        problems.append(f"{key}={p[key]!r} ({why}; default {used} used)")

    surface = p.get("surface", DEFAULT.surface)
    if surface not in surface_names():
        bad("surface", f"not one of {', '.join(surface_names())}", DEFAULT.surface)
        surface = DEFAULT.surface
    cfg = replace(cfg, surface=surface)
    if surface == CUSTOM:
        formula = p.get("formula", "")[:FORMULA_MAX]
        cfg = replace(cfg, formula=formula)
        if "box" in p:
            try:
                box = _float(p["box"])
                if not BOX_MIN <= box <= BOX_MAX:
                    raise ValueError(f"outside {BOX_MIN:g} .. {BOX_MAX:g}")
                cfg = replace(cfg, box=box)
            except ValueError as e:
                bad("box", str(e), _fmt(DEFAULT.box))
        try:
            build_surface(cfg)
        except ValueError as e:
            bad("formula", str(e), f"surface {DEFAULT.surface}") if "formula" in p else problems.append(
                f"surface=custom needs a formula ({e}); default surface used"
            )
            cfg = replace(cfg, surface=DEFAULT.surface, formula="")
    if cfg.surface != CUSTOM:
        sp = _group("s.", p, surface_defaults(cfg.surface), "surface", problems)
        try:
            build_surface(replace(cfg, surface_params=sp))
            cfg = replace(cfg, surface_params=sp)
        except ValueError as e:
            problems.append(f"surface parameters {dict(sp)} ({e}; defaults used)")

    opt = p.get("opt", DEFAULT.optimizer)
    if opt not in optimizers.names():
        bad("opt", f"not one of {', '.join(optimizers.names())}", DEFAULT.optimizer)
        opt = DEFAULT.optimizer
    cfg = replace(cfg, optimizer=opt)
    hyper = _group("o.", p, optimizer_defaults(opt), "optimizer", problems)
    try:
        build_optimizer(opt, replace(cfg, hyper=hyper))
        cfg = replace(cfg, hyper=hyper)
    except ValueError as e:
        problems.append(f"optimizer settings {dict(hyper)} ({e}; defaults used)")

    if "lr" in p:
        try:
            cfg = replace(cfg, lr=_lr(p["lr"]))
        except ValueError as e:
            bad("lr", str(e), _fmt(DEFAULT.lr))

    sched = p.get("sched", DEFAULT.schedule)
    if sched not in schedules.names():
        bad("sched", f"not one of {', '.join(schedules.names())}", DEFAULT.schedule)
        sched = DEFAULT.schedule
    cfg = replace(cfg, schedule=sched)
    sp = _group("sc.", p, schedule_defaults(sched), "schedule", problems)
    try:
        build_schedule(replace(cfg, schedule_params=sp), cfg.lr)
        cfg = replace(cfg, schedule_params=sp)
    except ValueError as e:
        problems.append(f"schedule settings {dict(sp)} ({e}; defaults used)")

    if "steps" in p:
        try:
            cfg = replace(cfg, steps=_steps(p["steps"]))
        except ValueError as e:
            bad("steps", str(e) if "outside" in str(e) else "not a whole number", DEFAULT.steps)

    if "x0" in p or "y0" in p:
        cfg = _start_from(p, cfg, problems)

    compare = p.get("compare", "none")
    if compare not in COMPARE_MODES:
        bad("compare", f"not one of {', '.join(COMPARE_MODES)}", "none")
        compare = "none"
    cfg = replace(cfg, compare=compare)
    if "mult" in p:
        try:
            cfg = replace(cfg, multiples=parse_multiples(p["mult"]))
        except ValueError as e:
            bad("mult", str(e), "0.5,1,2,4")
    if "lrs" in p:
        try:
            cfg = replace(cfg, lrs=parse_lr_list(p["lrs"]))
        except ValueError as e:
            bad("lrs", str(e), "the single lr")
    if "opts" in p:
        names = _list(p["opts"])
        unknown = [n for n in names if n not in optimizers.names()]
        if unknown or not 1 <= len(names) <= MAX_RUNS:
            bad("opts", f"give 1 to {MAX_RUNS} of {', '.join(optimizers.names())}", "the single optimizer")
        else:
            cfg = replace(cfg, optimizers=tuple(dict.fromkeys(names)))
    if cfg.compare == "list" and not cfg.lrs:
        cfg = replace(cfg, lrs=(cfg.lr,))
    if cfg.compare == "optimizers" and not cfg.optimizers:
        cfg = replace(cfg, optimizers=(cfg.optimizer,))
    return cfg, problems


def start_limits(surface) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where a start may be: the plot's box widened by one box width on each side."""
    (x0, x1), (y0, y1) = surface.bounds
    w, h = x1 - x0, y1 - y0
    return (x0 - w, x1 + w), (y0 - h, y1 + h)


def _start_from(p: Mapping[str, str], cfg: Config, problems: list) -> Config:
    try:
        surf = build_surface(cfg)
    except ValueError:
        return cfg
    (xa, xb), (ya, yb) = start_limits(surf)
    out = []
    for key, (lo, hi), default in (("x0", (xa, xb), surf.start[0]), ("y0", (ya, yb), surf.start[1])):
        if key not in p:
            out.append(float(default))
            continue
        try:
            v = _float(p[key])
            if not lo <= v <= hi:
                raise ValueError(f"outside {lo:g} .. {hi:g}")
            out.append(v)
        except ValueError as e:
            problems.append(f"{key}={p[key]!r} ({e}; the surface's start {default:g} used)")
            out.append(float(default))
    start = (out[0], out[1])
    return replace(cfg, start=None if start == tuple(float(v) for v in surf.start) else start)


def notice(problems: list[str]) -> str | None:
    """ONE message for all the URL values that were not usable, or None."""
    if not problems:
        return None
    items = "; ".join(problems)
    return f"Some settings in the link were not usable and fell back to defaults: {items}."


# -- widgets ----------------------------------------------------------------------------------------
# The explorer's widgets hold the config in st.session_state under these keys ("w." + ...). Parameter
# widgets are namespaced by their owner, so switching surface/optimizer/schedule shows its defaults.


def surface_key(surface: str, name: str) -> str:
    return f"w.s.{surface}.{name}"


def hyper_key(opt: str, name: str) -> str:
    return f"w.o.{opt}.{name}"


def sched_key(sched: str, name: str) -> str:
    return f"w.sc.{sched}.{name}"


def start_keys(surface: str) -> tuple[str, str]:
    return f"w.x0.{surface}", f"w.y0.{surface}"


TEXT_KINDS = ("floats", "ints", "optfloat", "optint")


def widget_value(name: str, value, default):
    """The value a parameter's widget holds: typed for number/checkbox/select, text otherwise."""
    return _fmt(value) if param_kind(name, default) in TEXT_KINDS else value


def widget_state(cfg: Config, surface=None) -> dict:
    """Session-state values that make the explorer's widgets show ``cfg``."""
    st: dict = {
        "w.surface": cfg.surface,
        "w.formula": cfg.formula,
        "w.box": float(cfg.box),
        "w.opt": cfg.optimizer,
        "w.lr": float(cfg.lr),
        "w.sched": cfg.schedule,
        "w.steps": int(cfg.steps),
        "w.compare": cfg.compare,
        "w.mult": ", ".join(_fmt(float(m)) for m in cfg.multiples),
        "w.lrs": ", ".join(_fmt(float(v)) for v in (cfg.lrs or (cfg.lr,))),
        "w.opts": list(cfg.optimizers or (cfg.optimizer,)),
    }
    for k, d in surface_defaults(cfg.surface).items():
        st[surface_key(cfg.surface, k)] = widget_value(k, merged({k: d}, cfg.surface_params)[k], d)
    for k, d in optimizer_defaults(cfg.optimizer).items():
        st[hyper_key(cfg.optimizer, k)] = widget_value(k, merged({k: d}, cfg.hyper)[k], d)
    for k, d in schedule_defaults(cfg.schedule).items():
        st[sched_key(cfg.schedule, k)] = widget_value(k, merged({k: d}, cfg.schedule_params)[k], d)
    if surface is None:
        try:
            surface = build_surface(cfg)
        except ValueError:
            surface = None
    if surface is not None:
        x, y = cfg.start if cfg.start is not None else surface.start
        kx, ky = start_keys(cfg.surface)
        st[kx], st[ky] = float(x), float(y)
    return st


def _read_group(state: Mapping, keyf, owner: str, defaults: Mapping, what: str, errors: list) -> Pairs:
    values = {}
    for k, d in defaults.items():
        key = keyf(owner, k)
        if key not in state:
            continue
        v = state[key]
        if param_kind(k, d) in TEXT_KINDS:
            try:
                v = parse_param(k, v, d)
            except ValueError as e:
                errors.append(f"{what} {k} = {state[key]!r}: {e}; default {_fmt(d)} used")
                continue
        values[k] = v
    return _overrides(defaults, values)


def from_widgets(state: Mapping, surface=None) -> tuple[Config, list[str]]:
    """The config the widgets show, and one line per widget value that was not usable."""
    errors: list[str] = []
    surface_name = state.get("w.surface", DEFAULT.surface)
    opt = state.get("w.opt", DEFAULT.optimizer)
    sched = state.get("w.sched", DEFAULT.schedule)
    cfg = replace(
        DEFAULT,
        surface=surface_name,
        formula=str(state.get("w.formula", "")),
        box=float(state.get("w.box", DEFAULT.box)),
        optimizer=opt,
        lr=float(state.get("w.lr", DEFAULT.lr)),
        schedule=sched,
        steps=int(state.get("w.steps", DEFAULT.steps)),
        compare=state.get("w.compare", "none"),
    )
    if surface_name != CUSTOM:
        cfg = replace(
            cfg,
            surface_params=_read_group(
                state, surface_key, surface_name, surface_defaults(surface_name), "surface", errors
            ),
        )
    cfg = replace(cfg, hyper=_read_group(state, hyper_key, opt, optimizer_defaults(opt), "optimizer", errors))
    cfg = replace(
        cfg,
        schedule_params=_read_group(state, sched_key, sched, schedule_defaults(sched), "schedule", errors),
    )
    if cfg.compare == "multiples":
        try:
            cfg = replace(cfg, multiples=parse_multiples(state.get("w.mult", "0.5, 1, 2, 4")))
        except ValueError as e:
            errors.append(f"multiples: {e}; 0.5, 1, 2, 4 used")
    elif cfg.compare == "list":
        try:
            cfg = replace(cfg, lrs=parse_lr_list(state.get("w.lrs", "")))
        except ValueError as e:
            errors.append(f"learning rates: {e}; the single lr used")
            cfg = replace(cfg, lrs=(cfg.lr,))
    elif cfg.compare == "optimizers":
        opts = tuple(state.get("w.opts") or ()) or (opt,)
        cfg = replace(cfg, optimizers=opts[:MAX_RUNS])
    if surface is not None:
        kx, ky = start_keys(surface_name)
        if kx in state and ky in state:
            start = (float(state[kx]), float(state[ky]))
            if start != tuple(float(v) for v in surface.start):
                cfg = replace(cfg, start=start)
    return cfg, errors
