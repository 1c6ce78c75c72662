"""The lr fan: one batched descent over a dense log grid of learning rates, so a learning rate can be
dragged across every regime and the picture follow at once (in the browser, from the fan, with no
engine call per position).

``fan.run(surface, optimizer, start=, steps=, ...)`` is **one** ``lrlab.descend`` call over
``fan.grid(...)``: a log grid from ``LO`` to ``HI`` plus the optimizer's critical lrs at the minimum
the runs approach (1/λ and 2/λ for SGD, 2(1+β)/λ with momentum, (2+2β)/((1+2β)λ) with Nesterov) and
points just either side of each (``SIDE``), so the grid holds an lr in every band the theory names.
Each lr of the fan is a real run: its regime and sentence are the engine's, exactly as a single
``descend`` at that lr gives them (a test checks it); a position between two grid lrs shows the
nearest grid lr and says which.

How many lrs: ``n`` at most ``N_MAX``, and fewer for long runs so that the drawn points stay within
``POINTS`` (the player gets every point of every run: it is decimated by the number of lrs, never
by dropping steps of a run).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import schedules, theory
from lrlab.descent import Trajectory, descend

LO, HI = 1e-4, 10.0  # the fan's lr range (the explorer's slider range)
N_MAX = 96  # lrs in the fan at most (about 13 per decade of lr)
N_MIN = 8  # ... and at least (with the critical lrs and the current one: ~15 at 2000 steps)
POINTS = 12_000  # drawn (lr, step) points at most: the player's payload is linear in this
SIDE = 0.01  # the critical lrs are joined by lrs 1% either side of them


def size(steps: int) -> int:
    """How many log-grid lrs a fan of runs of ``steps`` updates holds."""
    return int(min(N_MAX, max(N_MIN, POINTS // (steps + 1))))


def grid(n: int = N_MAX, critical=(), lo: float = LO, hi: float = HI, include=()) -> np.ndarray:
    """``n`` log-spaced lrs from ``lo`` to ``hi`` (to 3 significant digits), plus each critical lr in
    ``critical`` and the lrs ``SIDE`` either side of it, plus the lrs in ``include`` (the current lr,
    so the slider starts on the run on screen), those inside the range, sorted, without duplicates."""
    base = np.array([float(f"{v:.3g}") for v in np.geomspace(lo, hi, n)])  # lrs as the slider shows them
    extra = [c * f for c in critical if c and np.isfinite(c) for f in (1 - SIDE, 1.0, 1 + SIDE)]
    extra = [v for v in [*extra, *include] if lo <= v <= hi]
    return np.unique(np.concatenate([base, np.asarray(extra, np.float64)]))


@dataclass(frozen=True, eq=False)
class Fan:
    """One batched run over ``lrs`` (N,): ``traj`` the batched ``Trajectory``, ``critical`` the
    theory's lines at the minimum the runs approach (or None), ``final_loss`` (N,)."""

    lrs: np.ndarray
    traj: Trajectory
    critical: theory.Critical | None

    @property
    def regimes(self) -> tuple[str, ...]:
        return self.traj.regime

    @property
    def final_loss(self) -> np.ndarray:
        """The last recorded loss of each run (NaN for a run stopped at its start)."""
        loss = np.asarray(self.traj.loss, np.float64)
        ok = np.isfinite(loss)
        last = np.where(ok.any(1), loss.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), 0)
        return loss[np.arange(len(loss)), last]

    def nearest(self, lr: float) -> int:
        """The index of the fan's lr nearest to ``lr`` on the log scale."""
        return int(np.argmin(np.abs(np.log(self.lrs) - np.log(max(float(lr), 1e-300)))))


def critical_at(surface, optimizer, start) -> theory.Critical | None:
    """The theory's lines for ``optimizer`` at the minimum a run from ``start`` approaches (found by
    ``theory.reference_point`` from the start itself: a downhill Newton, or the surface's minima).
    None for an adaptive optimizer (it has no lines: no Newton is run for it)."""
    if getattr(optimizer, "name", optimizer) not in theory.MOMENTUM_METHODS:
        return None
    start = np.asarray(surface.start if start is None else start, np.float64)
    try:
        crit = theory.critical_lrs(surface, optimizer, at=theory.reference_point(surface, start))
    except (ValueError, np.linalg.LinAlgError):
        return None
    return crit if crit.diverge is not None else None


def run(
    surface,
    optimizer,
    *,
    start=None,
    steps: int = 100,
    schedule: str = "constant",
    schedule_params: dict | None = None,
    noise: float = 0.0,
    seed: int = 0,
    n: int | None = None,
    critical: theory.Critical | None = None,
    include=(),
) -> Fan:
    """The fan: one ``descend`` of ``optimizer`` under ``schedule`` (its base lr is each grid lr)
    over :func:`grid` (``n`` log-grid lrs, default :func:`size`), with the critical lrs included:
    ``critical``'s, or, if None, those at the minimum the start leads to (:func:`critical_at`);
    and the lrs in ``include``."""
    crit = critical if critical is not None else critical_at(surface, optimizer, start)
    lines = () if crit is None else (crit.overshoot, crit.diverge)
    lrs = grid(size(steps) if n is None else n, lines, include=[float(v) for v in include])
    lr = schedules.for_lrs(schedule, lrs, **dict(schedule_params or {}))
    traj = descend(surface, optimizer, lr, start=start, steps=steps, noise=noise, seed=seed, internals=False)
    return Fan(lrs, traj, crit)
