"""The explorer's settings: one frozen, hashable :class:`Config` and its :data:`SCHEMA` (the shared
codec of :mod:`lrlab.ui.codec`: URL <-> config <-> widgets). No Streamlit here.

URL query parameters (every one optional; a missing one takes its default)::

    surface=rosenbrock  s.a=1  s.b=100      surface and its parameters (``s.<name>``)
    formula=x**2+3*y**2  box=3              the typed formula and its plot box, for ``surface=custom``
    x0=-1.5  y0=1.5                         start point (default: the surface's own)
    opt=momentum  o.momentum=0.9            optimizer and its hyperparameters (``o.<name>``)
    lr=0.1                                  learning rate, 1e-4 .. 1e6
    sched=step  sc.step_size=30             schedule and its parameters (``sc.<name>``)
    steps=200                               number of updates, 1 .. 2000
    compare=multiples  mult=0.5,1,2,4       compare: none | multiples | list | optimizers | schedules
    lrs=0.01,0.1,0.5                        the typed lr list (compare=list)
    opts=sgd,momentum,adam                  the optimizers (compare=optimizers)
    scheds=constant,step,cosine             the schedules (compare=schedules), each from the same lr
    noise=0.5  batch=16  seed=3             gradient noise σ₁ (one sample), mini-batch size B
                                            (σ = σ₁/√B), and the seed of the noise draws
    present=1                               presentation mode (big map, big verdicts, keys)
    view=multiples                          the player's view: map | 3d | slice | multiples (one
                                            small map per run); a view a spec lacks opens the map

The parameters of surfaces, optimizers and schedules, their kinds and ranges, are the engine's own
declarations (``surfaces.params``, ``optimizers.params``, ``schedules.params``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lrlab import descent, noise, optimizers, schedules, surfaces
from lrlab.params import choice, choices, flag, integer, real, reals, text
from lrlab.ui.codec import Field, Group, Pairs, Schema

LR_MIN, LR_MAX = 1e-4, 1e6  # the slider spans 1e-4 .. 10; the exact box and the URL go to 1e6
STEPS_MIN, STEPS_MAX = 1, 2000
MAX_RUNS = 7
COMPARE_MODES = ("none", "multiples", "list", "optimizers", "schedules")
VIEWS = ("map", "3d", "slice", "multiples")  # the player's views (components/player: player.js, plugins)
CUSTOM = "custom"
DEFAULT_MULTIPLES = (0.5, 1.0, 2.0, 4.0)
FORMULA_MAX = 300
BOX_MIN, BOX_MAX = 0.01, 1e4


def surface_names() -> list[str]:
    return [*surfaces.names(), CUSTOM]


@dataclass(frozen=True)
class Config:
    """Everything that determines the explorer's runs. Frozen and hashable (a cache key)."""

    surface: str = "quadratic"
    surface_params: Pairs = ()  # overrides of the surface's defaults, sorted by name
    formula: str = ""  # for surface == "custom"
    box: float = 3.0  # custom surfaces are drawn on [-box, box]^2
    x0: float | None = None  # the start; None: the surface's default start
    y0: float | None = None
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
    schedules: tuple[str, ...] = ()
    noise: float = 0.0  # σ₁: the gradient noise of one sample
    batch: int = 1  # mini-batch size B
    seed: int = 0

    @property
    def sigma(self) -> float:
        """The gradient noise the runs follow: σ₁/√B."""
        return noise.sigma_for_batch(self.noise, self.batch)

    present: bool = False  # presentation mode: how the runs are shown, not which (see DISPLAY)
    view: str = "map"  # the player's view (VIEWS), sent back by the player when the student switches

    @property
    def start(self) -> tuple[float, float] | None:
        return None if self.x0 is None else (self.x0, self.y0)

    def key(self) -> str:
        """A canonical string of the config (its full URL query), for cache keys and comparisons."""
        return SCHEMA.key(self)


DEFAULT = Config()
# settings of the view, not of the runs: a preset is active whatever they are, and opening one keeps them
DISPLAY = ("present", "view")


# -- building the engine objects (validation by construction) --------------------------------------


def build_surface(cfg: Config):
    """The configured surface (raises ValueError for a bad formula or parameter)."""
    if cfg.surface == CUSTOM:
        return surfaces.from_expression(cfg.formula, bounds=((-cfg.box, cfg.box), (-cfg.box, cfg.box)))
    return surfaces.make(cfg.surface, **dict(cfg.surface_params))


def build_optimizer(name: str, cfg: Config):
    """Optimizer ``name``; it takes ``cfg.hyper`` when it is the configured optimizer."""
    return optimizers.make(name, **(dict(cfg.hyper) if name == cfg.optimizer else {}))


def build_schedule(cfg: Config, base_lr: float):
    return schedules.make(cfg.schedule, base_lr=base_lr, **dict(cfg.schedule_params))


def schedule_params(name: str, cfg: Config) -> dict:
    """The parameters of schedule ``name`` in ``cfg``: the configured ones for the configured
    schedule, else the ones that span the run (``schedules.spanning``)."""
    if name == cfg.schedule:
        return dict(cfg.schedule_params)
    return schedules.spanning(name, cfg.steps)


def run_schedules(cfg: Config) -> tuple[str, ...]:
    if cfg.compare == "schedules" and cfg.schedules:
        return cfg.schedules
    return (cfg.schedule,)


def run_lrs(cfg: Config) -> tuple[float, ...]:
    """The base learning rate of each run (one per run; optimizers-compare runs share cfg.lr)."""
    if cfg.compare == "multiples":
        return tuple(cfg.lr * m for m in cfg.multiples)
    if cfg.compare == "list" and cfg.lrs:
        return cfg.lrs
    if cfg.compare == "optimizers":
        return tuple(cfg.lr for _ in run_optimizers(cfg))
    if cfg.compare == "schedules":
        return tuple(cfg.lr for _ in run_schedules(cfg))
    return (cfg.lr,)


def run_optimizers(cfg: Config) -> tuple[str, ...]:
    if cfg.compare == "optimizers" and cfg.optimizers:
        return cfg.optimizers
    return (cfg.optimizer,)


def start_limits(surface) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where a start may be: the plot's box widened by one box width on each side."""
    (x0, x1), (y0, y1) = surface.bounds
    w, h = x1 - x0, y1 - y0
    return (x0 - w, x1 + w), (y0 - h, y1 + h)


# -- the rules across settings ----------------------------------------------------------------------


def _settle(cfg: Config, problems: list[str], source: str, given: dict) -> Config:
    """A custom surface needs a formula that builds (from a link; the page keeps the last good
    formula while one is typed); the start lies within :func:`start_limits` and is None at the
    surface's own; a compare mode has the runs it needs."""
    if cfg.surface == CUSTOM and source == "url":
        try:
            build_surface(cfg)
        except ValueError as e:
            if "formula" in given:
                problems.append(f"formula={given['formula']!r} ({e}; default surface {DEFAULT.surface} used)")
            else:
                problems.append(f"surface=custom needs a formula ({e}; default surface used)")
            cfg = replace(cfg, surface=DEFAULT.surface, formula="", box=DEFAULT.box)
    if cfg.x0 is not None or cfg.y0 is not None:
        cfg = _settle_start(cfg, problems, given if source == "url" else None)
    if cfg.compare == "list" and not cfg.lrs:
        cfg = replace(cfg, lrs=(cfg.lr,))
    if cfg.compare == "optimizers" and not cfg.optimizers:
        cfg = replace(cfg, optimizers=(cfg.optimizer,))
    if cfg.compare == "schedules" and not cfg.schedules:
        cfg = replace(cfg, schedules=(cfg.schedule,))
    return cfg


def _settle_start(cfg: Config, problems: list[str], url: dict | None) -> Config:
    try:
        surf = build_surface(cfg)
    except ValueError:
        return cfg  # the page reports the surface; the start waits for one that builds
    out = []
    for key, (lo, hi), value, default in zip(
        ("x0", "y0"), start_limits(surf), (cfg.x0, cfg.y0), surf.start, strict=True
    ):
        if value is not None and not lo <= value <= hi:
            if url is not None:
                shown = url.get(key, f"{value:g}")
                problems.append(
                    f"{key}={shown!r} (outside {lo:g} .. {hi:g}; the surface's start {default:g} used)"
                )
            value = None
        out.append(float(default) if value is None else value)
    same = tuple(out) == tuple(float(v) for v in surf.start)
    return replace(cfg, x0=None if same else out[0], y0=None if same else out[1])


# -- the schema: every setting once --------------------------------------------------------------------


def _relevant(mode: str):
    return lambda cfg: cfg.compare == mode


def _noisy(cfg) -> bool:
    return cfg.noise > 0


def _surface_params(name: str):
    return () if name == CUSTOM else surfaces.params(name)


def _start_key(axis: int):
    return lambda cfg: start_keys(cfg.surface)[axis]


SCHEMA = Schema(
    Config,
    fields=(
        Field(
            "surface", choice("surface", "quadratic", surface_names()), "surface", "w.surface", always=True
        ),
        Field(
            "formula",
            text("formula", "", most=FORMULA_MAX),
            "formula",
            "w.formula",
            shown=lambda c: c.surface == CUSTOM,
            label="formula",
        ),
        Field(
            "box",
            real("box", 3.0, BOX_MIN, BOX_MAX),
            "box",
            "w.box",
            shown=lambda c: c.surface == CUSTOM,
            label="plot box",
        ),
        Field("x0", real("x0", None, optional=True), "x0", _start_key(0), to_widget=lambda v, c: v),
        Field("y0", real("y0", None, optional=True), "y0", _start_key(1), to_widget=lambda v, c: v),
        Field("optimizer", choice("opt", "sgd", optimizers.names()), "opt", "w.opt", always=True),
        Field("lr", real("lr", 0.1, LR_MIN, LR_MAX), "lr", "w.lr", always=True, label="lr"),
        Field("schedule", choice("sched", "constant", schedules.names()), "sched", "w.sched"),
        Field("steps", integer("steps", 100, STEPS_MIN, STEPS_MAX), "steps", "w.steps", label="steps"),
        Field("compare", choice("compare", "none", COMPARE_MODES), "compare", "w.compare"),
        Field(
            "multiples",
            reals("mult", DEFAULT_MULTIPLES, 1e-3, 1e3, count=(1, MAX_RUNS)),
            "mult",
            "w.mult",
            shown=_relevant("multiples"),
            label="multiples",
        ),
        Field(
            "lrs",
            reals("lrs", (), LR_MIN, LR_MAX, count=(1, MAX_RUNS)),
            "lrs",
            "w.lrs",
            shown=_relevant("list"),
            label="learning rates",
            fallback="the single lr",
            to_widget=lambda v, c: ", ".join(f"{x:g}" for x in (v or (c.lr,))),
        ),
        Field(
            "optimizers",
            choices("opts", (), optimizers.names(), count=(1, MAX_RUNS)),
            "opts",
            "w.opts",
            shown=_relevant("optimizers"),
            label="optimizers",
            fallback="the single optimizer",
            to_widget=lambda v, c: list(v or (c.optimizer,)),
        ),
        Field(
            "schedules",
            choices("scheds", (), schedules.names(), count=(1, MAX_RUNS)),
            "scheds",
            "w.scheds",
            shown=_relevant("schedules"),
            label="schedules",
            fallback="the single schedule",
            to_widget=lambda v, c: list(v or (c.schedule,)),
        ),
        Field("noise", noise.SIGMA, "noise", "w.noise", label="gradient noise σ₁"),
        Field("batch", noise.BATCH, "batch", "w.batch", shown=_noisy, label="mini-batch size"),
        Field("seed", descent.SEED, "seed", "w.seed", shown=_noisy, label="seed"),
        Field("present", flag("present", False), "present", "w.present", label="presentation mode"),
        # no widget of its own: the player's view buttons set w.view (page.apply_player_value)
        Field("view", choice("view", "map", VIEWS), "view", "w.view", label="view"),
    ),
    groups=(
        Group("surface_params", "surface", _surface_params, "s.", "w.s.", "surface", build_surface),
        Group(
            "hyper",
            "optimizer",
            optimizers.params,
            "o.",
            "w.o.",
            "optimizer",
            lambda c: build_optimizer(c.optimizer, c),
        ),
        Group(
            "schedule_params",
            "schedule",
            schedules.params,
            "sc.",
            "w.sc.",
            "schedule",
            lambda c: build_schedule(c, c.lr),
        ),
    ),
    settle=_settle,
    widget_prefix="w.",
)


def from_query(params) -> tuple[Config, list[str]]:
    """The config a URL asks for, and one line per value that was not usable (default used)."""
    return SCHEMA.from_query(params)


def to_query(cfg: Config, *, full: bool = False) -> dict[str, str]:
    return SCHEMA.to_query(cfg, full=full)


def query_string(cfg: Config) -> str:
    return SCHEMA.query_string(cfg)


def start_keys(surface: str) -> tuple[str, str]:
    """The widget keys of the start point on ``surface`` (each surface keeps its own start)."""
    return f"w.x0.{surface}", f"w.y0.{surface}"
