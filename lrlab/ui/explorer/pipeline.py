"""Config -> engine -> runs: the explorer's computation, with no Streamlit in it.

:func:`simulate` turns a :class:`~lrlab.ui.explorer.config.Config` into a :class:`Result`: the labelled runs
(single-run ``Trajectory`` objects whose ``surface`` field is dropped, so a Result pickles and can
live in ``st.cache_data``) and the critical learning rates of the configured optimizer. Each compare
mode is one batched ``lrlab.descend`` call (K learning rates or K schedules at once), except
"optimizers" and "schedules", which are one call per optimizer or schedule. With gradient noise every
run follows the same draws (one seed), so the runs compare under the same noise.
"""

from __future__ import annotations

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
    fan: fan.Fan | None = None  # the lr fan the player's lr slider draws from (single-run view)


def has_fan(cfg: C.Config) -> bool:
    """The player's own lr slider serves the single-run view (a plateau schedule, stepped by each run's
    own loss, is not one batched table: no fan)."""
    return cfg.compare == "none" and cfg.schedule != "plateau"


def start_of(cfg: C.Config, surface) -> tuple[float, float]:
    return tuple(float(v) for v in (cfg.start if cfg.start is not None else surface.start))


def _lr_arg(cfg: C.Config, lrs, schedule: str | None = None):
    name = schedule or cfg.schedule
    return schedules.for_lrs(name, lrs, **C.schedule_params(name, cfg))


def simulate(cfg: C.Config, surface=None) -> Result:
    """All the runs ``cfg`` asks for. Raises ValueError for any setting the engine refuses."""
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
        # at the minimum the first run approaches, never at the start
        crit = theory.critical_lrs(
            surface,
            C.build_optimizer(cfg.optimizer, cfg),
            at=theory.reference_point(surface, runs[0].traj.points),
        )
    except (ValueError, np.linalg.LinAlgError):
        crit = None
    lr_fan = None
    if has_fan(cfg):
        lr_fan = _fan(cfg, surface, start, crit)
    return Result(tuple(runs), crit, start, np.asarray(runs[0].traj.lr, dtype=float), lr_fan)


def _fan(cfg: C.Config, surface, start, crit):
    """The lr fan of the single-run view, or None where a schedule refuses some of its lrs (e.g. a
    cyclic max_lr below them)."""
    try:
        lr_fan = fan.run(
            surface,
            C.build_optimizer(cfg.optimizer, cfg),
            start=start,
            steps=cfg.steps,
            schedule=cfg.schedule,
            schedule_params=dict(cfg.schedule_params),
            noise=cfg.sigma,
            seed=cfg.seed,
            critical=crit if crit is not None and crit.diverge is not None else None,
            include=[cfg.lr],
        )
    except ValueError:
        return None
    return replace(lr_fan, traj=_strip(lr_fan.traj))


def _strip(traj):
    return replace(traj, surface=None)
