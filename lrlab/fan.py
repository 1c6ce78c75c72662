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

Several runs side by side (the explorer's compare modes) drag together: :func:`run_many` runs one fan
per :class:`Member` (an optimizer, a schedule and a factor of the dragged lr) over ONE shared base
grid, member k at ``factor_k ×`` each grid lr, so that one slider position is one lr for every run:
lr × multiples keep their ratios (factor = the multiple), a typed list moves by one factor (factor =
each lr over the first), several optimizers or schedules run at the same lr (factor 1). Members that
share an optimizer and a schedule run in one batched ``descend`` over all their lrs; the others one
call each. The point budget is shared: fewer grid lrs for more members, never fewer steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import optimizers, schedules, theory
from lrlab.descent import Trajectory, descend

LO, HI = 1e-4, 10.0  # the fan's lr range (the explorer's slider range)
N_MAX = 96  # lrs in the fan at most (about 13 per decade of lr)
N_MIN = 8  # ... and at least (with the critical lrs and the current one: ~15 at 2000 steps)
POINTS = 12_000  # drawn (lr, step) points at most: the player's payload is linear in this
POINTS_MANY = 2 * POINTS  # ... shared by the runs of a view of several (it travels deflated, ~10 B a point)
SIDE = 0.01  # the critical lrs are joined by lrs 1% either side of them


def size(steps: int, members: int = 1) -> int:
    """How many log-grid lrs a fan of runs of ``steps`` updates holds; with ``members`` > 1 runs per
    lr (:func:`run_many`) they share ``POINTS_MANY`` points (still at least ``N_MIN`` lrs)."""
    members = max(1, int(members))
    budget = POINTS if members == 1 else POINTS_MANY
    return int(min(N_MAX, max(N_MIN, budget // (members * (steps + 1)))))


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


def critical_at(surface, optimizer, start, at=None) -> theory.Critical | None:
    """The theory's lines for ``optimizer`` at the minimum a run from ``start`` approaches at a small
    lr (found by ``theory.reference_point`` from the start itself: the gradient flow from it, then
    Newton, or the surface's minima; ``at``: that point, if already found). None for an adaptive
    optimizer (it has no lines: nothing is searched for it)."""
    if getattr(optimizer, "name", optimizer) not in theory.MOMENTUM_METHODS:
        return None
    start = np.asarray(surface.start if start is None else start, np.float64)
    try:
        at = theory.reference_point(surface, start) if at is None else at
        crit = theory.critical_lrs(surface, optimizer, at=at)
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


# -- several runs dragged together ------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One run of a view dragged by one lr: ``optimizer`` (a name or an ``optimizers.make`` object)
    under ``schedule`` (with ``schedule_params``, a dict or pairs) from ``factor`` × the dragged lr."""

    optimizer: object
    schedule: str = "constant"
    schedule_params: tuple = ()
    factor: float = 1.0

    def opt(self):
        return optimizers.make(self.optimizer) if isinstance(self.optimizer, str) else self.optimizer

    def params(self) -> dict:
        return dict(self.schedule_params or {})

    def group(self) -> tuple:
        """What one batched ``descend`` shares: the optimizer (name, hyperparameters), the schedule."""
        opt = self.opt()
        hyper = tuple(sorted((k, repr(v)) for k, v in dict(opt.hyper).items()))
        return opt.name, hyper, self.schedule, tuple(sorted((k, repr(v)) for k, v in self.params().items()))


@dataclass(frozen=True, eq=False)
class Fans:
    """The fans of several members over one shared base grid ``lrs`` (N,): ``fans[k]`` is member k's
    :class:`Fan` (its ``lrs`` are ``factor_k × lrs``, its ``critical`` its own optimizer's lines), and
    ``critical`` the lines drawn on the slider (on the base grid's scale)."""

    lrs: np.ndarray
    members: tuple[Member, ...]
    fans: tuple[Fan, ...]
    critical: theory.Critical | None

    def nearest(self, lr: float) -> int:
        """The index of the base grid's lr nearest to ``lr`` on the log scale."""
        return int(np.argmin(np.abs(np.log(self.lrs) - np.log(max(float(lr), 1e-300)))))


def as_fans(lr_fan) -> Fans:
    """``lr_fan`` as :class:`Fans`: a :class:`Fan` (:func:`run`'s) is one member at factor 1."""
    if isinstance(lr_fan, Fans):
        return lr_fan
    return Fans(lr_fan.lrs, (Member(lr_fan.traj.optimizer),), (lr_fan,), lr_fan.critical)


def run_many(
    surface,
    members,
    *,
    start=None,
    steps: int = 100,
    noise: float = 0.0,
    seed: int = 0,
    n: int | None = None,
    critical: theory.Critical | None = None,
    ticks=None,
) -> Fans:
    """The fans of ``members`` (:class:`Member`) over one base grid: :func:`grid` of ``n`` log-grid
    lrs (default :func:`size` shared by the members) with the slider's ticks and 1% either side of
    them: the lines of ``critical``, or if None those of the optimizer ``ticks`` (default: the first
    member's) at the minimum the start leads to (none for an adaptive one). Member k runs at
    ``factor_k`` × each grid lr. Members that share an optimizer and a schedule (:meth:`Member.group`)
    run in one ``descend`` over all their lrs, each other group in one call of its own; every run is
    the single run at its lr (same start, steps, noise draws)."""
    members = tuple(members)
    if not members:
        raise ValueError("run_many needs at least one member")
    start = np.asarray(surface.start if start is None else start, np.float64)
    at = None  # the minimum the start leads to, found once for every member's lines
    ticks = members[0].opt() if ticks is None else ticks
    names = {m.opt().name for m in members} | ({getattr(ticks, "name", ticks)} if critical is None else set())
    if names & set(theory.MOMENTUM_METHODS):
        try:
            at = theory.reference_point(surface, start)
        except (ValueError, np.linalg.LinAlgError):
            at = None
    crit = critical if critical is not None else critical_at(surface, ticks, start, at)
    lines = () if crit is None else (crit.overshoot, crit.diverge)
    lrs = grid(size(steps, len(members)) if n is None else n, lines)
    groups: dict[tuple, list[int]] = {}
    for k, m in enumerate(members):
        groups.setdefault(m.group(), []).append(k)
    out: list[Fan | None] = [None] * len(members)
    for ks in groups.values():
        first = members[ks[0]]
        every = np.concatenate([members[k].factor * lrs for k in ks])
        lr = schedules.for_lrs(first.schedule, every, **first.params())
        run = dict(start=start, steps=steps, noise=noise, seed=seed, internals=False)
        traj = descend(surface, first.opt(), lr, **run)
        mine = critical_at(surface, first.opt(), start, at)
        for j, k in enumerate(ks):
            rows = slice(j * len(lrs), (j + 1) * len(lrs))
            # Trajectory.run picks rows of every per-run field: a slice picks a batch of them
            out[k] = Fan(members[k].factor * lrs, traj.run(rows), mine)
    return Fans(lrs, members, tuple(out), crit)
