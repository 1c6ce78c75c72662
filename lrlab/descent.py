"""The batched descent runner: ``lrlab.descend``.

One code path runs a single descent and a batch of K descents (K learning rates, K schedules or K
starts): every array carries a leading run axis, and a single run is the batch of one, squeezed.

A run is never clipped. It is *stopped* (and marked diverged) at the first step where it leaves the
finite range: its point lands more than ``escape`` plot-widths from the plot's centre, or its value or
gradient stops being a finite number (an overflow, or a formula undefined there). The points, losses
and gradients recorded from that step on are NaN and ``diverged_at`` holds the step.

With ``noise=σ > 0`` the gradient an update uses is the exact one plus σ·ξ_t, ξ_t ~ N(0, I₂) drawn
fresh each step from ``numpy.random.default_rng(seed)``: one draw per step shared by every run of the
batch (runs compare under the same noise; a batch equals its runs made one by one). What is recorded
(loss, gradient, gradient norm) is of the true surface. ``noise=0`` makes no draws: today's exact run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from lrlab import noise as _noise
from lrlab import optimizers as _optimizers
from lrlab import regimes, schedules
from lrlab import surfaces as _surfaces
from lrlab.params import integer

MAX_STEPS = 1_000_000
ESCAPE = 100.0  # plot-widths from the plot centre beyond which a run counts as gone
CHECK = 16  # steps between two checks of the range (see ``descend``)
MAX_SEED = 99_999

# the seed of ``descend``'s gradient noise (``lrlab.noise.SIGMA`` is σ's own declaration)
SEED = integer("seed", 0, 0, MAX_SEED, note="it picks the noise draws: the same seed gives the same runs")


@dataclass(frozen=True, eq=False)
class Trajectory:
    """What ``descend`` returns. Shapes are for a batch of K runs; a single run drops the K axis.

    points (K, T+1, 2), loss (K, T+1), grad_norm (K, T+1), grads (K, T+1, 2): at each iterate
        (index 0 is the start); NaN after a run is stopped.
    lr (K, T): the learning rate used by update t.
    velocity (K, T+1, 2) or None: the optimizer's momentum buffer / first moment after each step.
    effective_lr (K, T+1, 2) or None: the per-coordinate step multiplier of adaptive methods.
    regime: one of ``regimes.NAMES`` per run; explanation: one sentence per run for the UI.
    diverged_at: the step at which the run left the finite range, or None.
    approached: the minimum each run approaches (``theory.Approached``, or None): where its theory is
        read and the f* of "loss above the minimum".
    noise, seed: the gradient noise σ the runs followed and the seed of its draws; ball: the theory's
        noise ball of each run (``noise.Ball`` or None; see ``regimes.noise_balls``).
    """

    points: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    grads: np.ndarray
    lr: np.ndarray
    velocity: np.ndarray | None
    effective_lr: np.ndarray | None
    regime: str | tuple[str, ...]
    explanation: str | tuple[str, ...]
    diverged_at: int | None | tuple[int | None, ...]
    optimizer: str
    hyper: dict
    surface: object
    approached: object = None
    noise: float = 0.0
    seed: int = 0
    ball: object = None

    @property
    def batched(self) -> bool:
        return self.points.ndim == 3

    def __len__(self) -> int:
        return self.points.shape[0] if self.batched else 1

    def run(self, k: int) -> Trajectory:
        """Run ``k`` of a batch, as the single-run ``Trajectory`` it would have been."""
        if not self.batched:
            if k != 0:
                raise IndexError(k)
            return self
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in ("optimizer", "hyper", "surface", "noise", "seed") or v is None:
                out[f.name] = v
            else:
                out[f.name] = v[k]
        return Trajectory(**out)

    def runs(self) -> list[Trajectory]:
        return [self.run(k) for k in range(len(self))]


def _check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise ValueError(f"steps must be an integer in [1, {MAX_STEPS}], got {steps!r}")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be in [1, {MAX_STEPS}], got {steps}")
    return int(steps)


def _check_start(start, surface) -> np.ndarray:
    if start is None:
        start = surface.start
    try:
        arr = np.asarray(start, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"start must be two finite numbers (x, y), got {start!r}") from None
    if arr.ndim not in (1, 2) or arr.shape[-1] != 2 or not np.all(np.isfinite(arr)):
        raise ValueError(f"start must be two finite numbers (x, y) or K such pairs, got {start!r}")
    with np.errstate(all="ignore"):
        defined = np.isfinite(surface.value(arr)) & np.all(np.isfinite(surface.grad(arr)), -1)
    if not np.all(defined):
        x, y = arr.reshape(-1, 2)[int(np.argmin(np.ravel(defined)))]
        raise ValueError(
            f"the loss or its gradient is not defined at the start ({x:g}, {y:g}): "
            "start where the formula has a finite value"
        )
    return arr


def lr_table(lr, steps: int):
    """The learning rate of every update, from any ``lr`` argument ``descend`` (or ``training.train``)
    accepts: (table (K, T) or (T,), plateau or None, batched)."""
    if isinstance(lr, schedules.Plateau):
        return np.full(steps, lr.base_lr), lr, False
    if isinstance(lr, Sequence) and lr and isinstance(lr[0], schedules.Plateau):
        if not all(isinstance(s, schedules.Plateau) for s in lr):
            raise ValueError("a list of plateau schedules cannot be mixed with other kinds")
        return np.array([np.full(steps, s.base_lr) for s in lr]), list(lr), True
    t = np.arange(steps)
    if callable(lr):
        table, batched = np.asarray(lr(t), dtype=np.float64) * np.ones(steps), False
    elif isinstance(lr, Sequence) and lr and all(callable(s) for s in lr):
        table, batched = np.array([np.asarray(s(t), np.float64) * np.ones(steps) for s in lr]), True
    else:
        try:
            arr = np.asarray(lr, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"lr must be a number, an array of numbers or a schedule, got {lr!r}") from None
        if arr.ndim > 1 or arr.size == 0:
            raise ValueError(f"lr must be a number or a 1-D array of K numbers, got shape {arr.shape}")
        batched = arr.ndim == 1
        table = np.repeat(arr[..., None], steps, axis=-1)
    if not np.all(np.isfinite(table)) or np.any(table < 0):
        bad = table[~(np.isfinite(table) & (table >= 0))].flat[0]
        raise ValueError(f"learning rates must be finite and >= 0, got {bad!r}")
    return table, None, batched


class PlateauDriver:
    """Steps ``ReduceLROnPlateau`` for K runs: one plateau schedule shared by all (vectorized), or a
    list of K. ``update(loss (K,))`` returns the lr of each run for the next update."""

    def __init__(self, plateau, k: int):
        self.each = plateau if isinstance(plateau, list) else None
        self.plateau = plateau
        if self.each and all(replace(s, base_lr=self.each[0].base_lr) == self.each[0] for s in self.each):
            # one rule from K base lrs (an lr fan): Plateau.update is elementwise over the K runs with
            # the rule's scalars, so one vectorized state whose lr starts at each run's base lr is the
            # K separate ones (no Python loop over the runs at every step)
            self.plateau, self.each = self.each[0], None
            self.state = {**self.plateau.init(k), "lr": np.array([s.base_lr for s in plateau], np.float64)}
            return
        self.state = [s.init(1) for s in self.each] if self.each else plateau.init(k)

    def update(self, loss: np.ndarray) -> np.ndarray:
        if self.each is None:
            lr, self.state = self.plateau.update(self.state, loss)
            return lr
        out = np.empty(len(self.each))
        for i, sched in enumerate(self.each):
            lr, self.state[i] = sched.update(self.state[i], loss[i : i + 1])
            out[i] = lr[0]
        return out


def _check_seed(seed) -> int:
    return int(SEED.check(seed))


def noise_draws(steps: int, seed: int = 0) -> np.ndarray:
    """The unit draws ξ_t (steps, 2) that ``descend(..., seed=seed)`` adds (times σ) to the gradients."""
    return np.random.default_rng(_check_seed(seed)).standard_normal((steps, 2))


def descend(
    surface,
    optimizer,
    lr,
    start=None,
    steps: int = 100,
    *,
    noise: float = 0.0,
    seed: int = 0,
    escape: float = ESCAPE,
    internals: bool = True,
) -> Trajectory:
    """Run ``steps`` updates of ``optimizer`` on ``surface`` from ``start``.

    ``optimizer``: an ``optimizers.make(...)`` object or a name. ``lr``: a float; an array of K floats;
    a schedule (``schedules.make``); a list of K schedules; or a plateau schedule, which the runner
    steps with the loss after each update (PyTorch's ``ReduceLROnPlateau``). ``start``: (x, y), K such
    pairs, or None for the surface's default. Learning rates and starts broadcast against each other:
    K lrs from one start, one lr from K starts, or K of each.
    ``noise``: the gradient noise σ >= 0 (see the module docstring), ``seed`` its draws.
    ``internals`` records the optimizer's velocity and per-axis effective lr (for the app).
    """
    if isinstance(optimizer, str):
        optimizer = _optimizers.make(optimizer)
    steps = _check_steps(steps)
    sigma = _noise.check_sigma(noise)
    xi = sigma * noise_draws(steps, seed) if sigma > 0 else None
    start = _check_start(start, surface)
    table, plateau, lr_batched = lr_table(lr, steps)
    batched = lr_batched or start.ndim == 2
    k = max(table.shape[0] if lr_batched else 1, start.shape[0] if start.ndim == 2 else 1)
    try:
        table = np.broadcast_to(table, (k, steps)).copy()
        p = np.broadcast_to(start, (k, 2)).copy()
    except ValueError:
        raise ValueError(
            f"{table.shape[0]} learning rates cannot pair with {start.shape[0]} "
            "starts: give one of either, or the same number of both"
        ) from None

    (x0, x1), (y0, y1) = surface.bounds
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    limit = escape * max(x1 - x0, y1 - y0)

    # recorded time-major (contiguous rows per step), returned run-major as views; the steps after a
    # stop of every run are set to NaN after the loop
    points = np.empty((steps + 1, k, 2))
    grads = np.empty((steps + 1, k, 2))
    lr_rows = table.T[:, :, None]  # a view: plateau updates to ``table`` show through
    velocity = np.full((k, steps + 1, 2), np.nan) if internals else None
    eff = np.full((k, steps + 1, 2), np.nan) if internals else None
    stopped = np.full(k, steps + 1)  # first index that is not recorded
    state = optimizer.init(p)
    update = optimizer.updater()
    driver = PlateauDriver(plateau, k) if plateau is not None else None
    states: list[dict] = []
    # the range is checked on the steps recorded since the last check, every CHECK steps: a run that
    # left it is marked stopped at the first step it was out (its later steps are masked below), and
    # frozen so it cannot overflow further. A plateau schedule reads every run's loss after each step:
    # there a run is checked, and frozen, at every step.
    every = 1 if driver is not None else CHECK
    checked = 0  # the steps up to this one are checked

    with np.errstate(all="ignore"):
        g = surface.grad(p)
        points[0], grads[0] = p, g
        for t in range(steps):
            p, state = update(p, g if xi is None else g + xi[t], state, lr_rows[t])
            g = surface.grad(p)
            points[t + 1], grads[t + 1] = p, g
            if internals:
                states.append(state)  # pure updates: each state is new, nothing to copy
            if t + 1 - checked >= every or t + 1 == steps:
                block, checked = slice(checked + 1, t + 2), t + 1
                # one cheap test of the block (NaN fails it); the per-run mask only when it trips
                if not (np.abs(points[block] - centre).max() < limit and np.isfinite(grads[block].sum())):
                    out = _out_of_range(points[block], grads[block], centre, limit)
                    gone = out.any(0)
                    stopped = np.where(gone & (stopped > block.start), block.start + out.argmax(0), stopped)
                    p = np.where(gone[:, None], 0.0, p)
                    g = np.where(gone[:, None], 0.0, g)
                    if np.all(stopped <= steps):
                        break
            if driver is not None and t + 1 < steps:
                table[:, t + 1 :] = driver.update(surface.value(p))[:, None]
        points[t + 2 :] = grads[t + 2 :] = np.nan  # not reached: every run had stopped
        if states:
            _internals(optimizer, states, table, velocity, eff)
        loss = surface.value(points).T  # NaN where a point is (such a step is past its run's stop)
        points, grads = points.transpose(1, 0, 2), grads.transpose(1, 0, 2)

    # a value that is not finite (say, log of a negative number) stops the run there too
    bad_loss = ~np.isfinite(loss)
    first_bad = np.where(bad_loss.any(1), bad_loss.argmax(1), steps + 1)
    stopped = np.minimum(stopped, first_bad)
    stop_reason = [
        None if st > steps else _stop_reason(points[i, st], centre, limit) for i, st in enumerate(stopped)
    ]
    idx = np.arange(steps + 1)
    dead = idx[None, :] >= stopped[:, None]
    for arr in (points, grads, velocity, eff):
        if arr is not None:
            arr[dead] = np.nan
    loss[dead] = np.nan
    with np.errstate(all="ignore"):  # a huge but finite gradient may overflow its norm: that is inf
        grad_norm = _surfaces.norm(grads)
    diverged_at = [int(s) if s <= steps else None for s in stopped]

    hyper = dict(optimizer.hyper)
    noisy = (sigma, optimizer.name, hyper, table) if sigma > 0 else None
    found, facts = regimes.classify_all(
        surface, points, loss, grad_norm, [d is not None for d in diverged_at], noise=noisy
    )
    explanation = regimes.explain_all(
        found, facts, surface, optimizer.name, hyper, table, diverged_at, stop_reason, points
    )
    traj = Trajectory(
        points=points,
        loss=loss,
        grad_norm=grad_norm,
        grads=grads,
        lr=table,
        velocity=velocity,
        effective_lr=eff,
        regime=tuple(found),
        explanation=tuple(explanation),
        diverged_at=tuple(diverged_at),
        optimizer=optimizer.name,
        hyper=hyper,
        surface=surface,
        approached=tuple(facts.approached),
        noise=sigma,
        seed=int(seed),
        ball=tuple(facts.balls),
    )
    return traj if batched else traj.run(0)


def _out_of_range(points, grads, centre, limit) -> np.ndarray:
    """(C, K) from C recorded steps of K runs: the point is ``limit`` or farther from ``centre`` along
    an axis, or is not a number, or the gradient is not finite there."""
    d = np.abs(points - centre)
    inside = (d[..., 0] < limit) & (d[..., 1] < limit)
    return ~(inside & np.isfinite(grads[..., 0]) & np.isfinite(grads[..., 1]))


def _stop_reason(point, centre, limit) -> str:
    """'undefined' if the run stopped at a finite point inside the range (the formula has no finite
    value or gradient there), else 'escaped'."""
    inside = np.all(np.isfinite(point)) and np.all(np.abs(point - centre) < limit)
    return "undefined" if inside else "escaped"


def _internals(optimizer, states, table, velocity, eff) -> None:
    """Velocity and per-axis effective lr of every recorded step, in one vectorized pass over the
    optimizer states stacked along the step axis."""
    n = len(states)
    stacked = {key: np.stack([s[key] for s in states]) for key in states[0] if key != "t"}
    stacked["t"] = np.arange(1, n + 1).reshape(n, 1, 1)
    v = _optimizers.velocity(stacked)
    if v is not None:
        velocity[:, 1 : n + 1] = v.swapaxes(0, 1)
    e = optimizer.effective_lr(stacked, table.T[:n, :, None])
    if e is not None:
        eff[:, 1 : n + 1] = e.swapaxes(0, 1)
