"""Config -> engine -> runs: the explorer's computation, with no Streamlit in it.

:func:`simulate` turns a :class:`~lrlab.ui.explorer.config.Config` into a :class:`Result`: the labelled runs
(single-run ``Trajectory`` objects whose ``surface`` field is dropped, so a Result pickles and can
live in ``st.cache_data``) and the critical learning rates of the configured optimizer. Each compare
mode is one batched ``lrlab.descend`` call (K learning rates or K schedules at once), except
"optimizers" and "schedules", which are one call per optimizer or schedule. With gradient noise every
run follows the same draws (one seed), so the runs compare under the same noise.

The lr fan the player's lr slider drags (:func:`fan_of`, ``lrlab.fan.run_many``) does not depend on the
lr: one member per run of the view (its optimizer, schedule and factor of the dragged lr), so it is
computed, cached (:func:`fan_key`) and sent once per change of anything else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np

from lrlab import fan, schedules, theory
from lrlab.descent import descend
from lrlab.figures.surface import Run
from lrlab.ui.explorer import config as C
from lrlab.ui.labels import SCHEDULE_LABELS, lr_label, opt_label


@dataclass(frozen=True, eq=False)
class Result:
    runs: tuple[Run, ...]
    critical: object  # theory.Critical of the configured optimizer at the reference minimum, or None
    start: tuple[float, float]
    schedule_preview: np.ndarray  # lr per step of the first run's schedule (for plateau: as run)
    fan: fan.Fans | None = None  # the lr fan the player's lr slider draws from (see fan_of)


FACTOR_DIGITS = 4  # a typed list's ratios to its first lr, as the fan's members take them


def has_fan(cfg: C.Config) -> bool:
    """The player's own lr slider serves every view: one run or any compare mode, any schedule
    (reduce-on-plateau too: ``descend`` steps a batch of plateau runs, each by its own loss)."""
    return True


def base_lr(cfg: C.Config) -> float:
    """The lr the player's slider stands for: the lr, or in "Typed list of lrs" mode the first typed lr
    (the others keep their ratios to it)."""
    return float(cfg.lrs[0]) if cfg.compare == "list" and cfg.lrs else float(cfg.lr)


def list_factors(cfg: C.Config) -> tuple[float, ...]:
    """Each typed lr over the first, to ``FACTOR_DIGITS`` significant digits: a list rewritten by one
    factor (the slider's release, :func:`scaled_list`) keeps them, and so keeps its fan."""
    lrs = cfg.lrs or (cfg.lr,)
    return tuple(float(f"{v / lrs[0]:.{FACTOR_DIGITS}g}") for v in lrs)


def scaled_list(cfg: C.Config, lr: float) -> tuple[float, ...]:
    """The typed list moved so that its first lr is ``lr``: every lr times one factor."""
    lrs = cfg.lrs or (cfg.lr,)
    return tuple(float(v) * float(lr) / float(lrs[0]) for v in lrs)


def fan_members(cfg: C.Config) -> tuple[tuple[fan.Member, str], ...]:
    """One ``fan.Member`` per run of the view, in the runs' order, with its label as a template
    ("{lr}": the member's lr at a slider position, as the player writes it)."""
    opt = C.build_optimizer(cfg.optimizer, cfg)
    sched = dict(C.schedule_params(cfg.schedule, cfg))
    if cfg.compare == "optimizers":
        return tuple(
            (fan.Member(C.build_optimizer(n, cfg), cfg.schedule, sched), opt_label(n))
            for n in C.run_optimizers(cfg)
        )
    if cfg.compare == "schedules":
        return tuple(
            (fan.Member(opt, n, C.schedule_params(n, cfg)), SCHEDULE_LABELS.get(n, n))
            for n in C.run_schedules(cfg)
        )
    if cfg.compare == "multiples":
        return tuple(
            (fan.Member(opt, cfg.schedule, sched, m), f"{m:g}× · lr = {{lr}}") for m in cfg.multiples
        )
    factors = list_factors(cfg) if cfg.compare == "list" else (1.0,)
    return tuple((fan.Member(opt, cfg.schedule, sched, f), "lr = {lr}") for f in factors)


def fan_key(cfg: C.Config) -> str:
    """What the fan depends on, as a string: the config with the lr left out (and a typed list as its
    ratios, the view's display settings at their defaults). Two configs with the same key have the same
    fan (cache on it; its digest is the fan's id, :func:`fan_id`)."""
    lrs = list_factors(cfg) if cfg.compare == "list" else ()
    neutral = {a: getattr(C.DEFAULT, a) for a in C.DISPLAY}
    return C.SCHEMA.key(replace(cfg, lr=C.DEFAULT.lr, lrs=lrs, **neutral))


def fan_id(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def start_of(cfg: C.Config, surface) -> tuple[float, float]:
    return tuple(float(v) for v in (cfg.start if cfg.start is not None else surface.start))


def _lr_arg(cfg: C.Config, lrs, schedule: str | None = None):
    name = schedule or cfg.schedule
    return schedules.for_lrs(name, lrs, **C.schedule_params(name, cfg))


def simulate(cfg: C.Config, surface=None, *, with_fan: bool = True) -> Result:
    """All the runs ``cfg`` asks for, and their lr fan (``with_fan``; the page caches it apart, on
    :func:`fan_key`). Raises ValueError for any setting the engine refuses."""
    surface = surface if surface is not None else C.build_surface(cfg)
    start = start_of(cfg, surface)
    lrs = C.run_lrs(cfg)
    runs: list[Run] = []
    run = dict(start=start, steps=cfg.steps, noise=cfg.sigma, seed=cfg.seed)
    if cfg.compare == "optimizers":
        for name in C.run_optimizers(cfg):
            opt = C.build_optimizer(name, cfg)
            traj = descend(surface, opt, _lr_arg(cfg, [cfg.lr]), **run)
            runs.append(Run(opt_label(name), _strip(traj.run(0))))
    elif cfg.compare == "schedules":
        opt = C.build_optimizer(cfg.optimizer, cfg)
        for name in C.run_schedules(cfg):
            traj = descend(surface, opt, _lr_arg(cfg, [cfg.lr], name), **run)
            runs.append(Run(SCHEDULE_LABELS.get(name, name), _strip(traj.run(0))))
    else:
        opt = C.build_optimizer(cfg.optimizer, cfg)
        traj = descend(surface, opt, _lr_arg(cfg, lrs), **run)
        labels = [lr_label(lr) for lr in lrs]
        if cfg.compare == "multiples":
            labels = [f"{m:g}× · lr = {lr:.4g}" for m, lr in zip(cfg.multiples, lrs, strict=True)]
        runs = [Run(lab, _strip(traj.run(k))) for k, lab in enumerate(labels)]
    try:
        # at the minimum the first run approaches, never at the start: descend found it already
        # (theory.approached at the run's last point, as theory.reference_point would)
        app = runs[0].traj.approached
        at = app.xy if app is not None else theory.reference_point(surface, runs[0].traj.points)
        crit = theory.critical_lrs(surface, C.build_optimizer(cfg.optimizer, cfg), at=at)
    except (ValueError, np.linalg.LinAlgError):
        crit = None
    lr_fan = fan_of(cfg, surface) if with_fan and has_fan(cfg) else None
    return Result(tuple(runs), crit, start, np.asarray(runs[0].traj.lr, dtype=float), lr_fan)


def fan_of(cfg: C.Config, surface=None):
    """The lr fan of the view (``fan.run_many`` over :func:`fan_members`, the theory's lines of the
    configured optimizer at the minimum the start leads to as the slider's ticks), or None where a
    schedule refuses some of its lrs (e.g. a cyclic max_lr below them). Independent of the lr."""
    surface = surface if surface is not None else C.build_surface(cfg)
    start = start_of(cfg, surface)
    members = [m for m, _ in fan_members(cfg)]
    try:
        fans = fan.run_many(
            surface,
            members,
            start=start,
            steps=cfg.steps,
            noise=cfg.sigma,
            seed=cfg.seed,
            ticks=C.build_optimizer(cfg.optimizer, cfg),
        )
    except ValueError:
        return None
    # kept while the page caches it (up to 1-2 MB of runs for many long ones): what it draws, not the
    # gradients (no figure reads them; the gradient norm is kept)
    return replace(fans, fans=tuple(replace(f, traj=replace(_strip(f.traj), grads=None)) for f in fans.fans))


def _strip(traj):
    return replace(traj, surface=None)
