"""Learning-rate sweeps: the final loss over a log grid of learning rates (the "U curve").

Every lr of the grid runs from the same start in ONE batched pass (:func:`lrlab.training.train` for
an MLP, :func:`lrlab.descend` for a 2-D surface). Too small an lr barely moves in the step budget,
too large a one overshoots or diverges: plotted against log(lr), the final loss is a U (or a
bathtub whose right wall is the divergence edge, 2/lambda for gradient descent on a quadratic).

Bands (:func:`label_bands`) compare how many orders of magnitude each run closed of the gap between
the initial loss ``L0`` and a floor ``F`` (0 for the MLP's losses, the global minimum's value for a
surface that lists one, else the lowest loss seen), with a resolution ``eps = 1e-12 (L0 - F)``::

    progress_k = ln((L0 - F + eps) / (max(L_k - F, 0) + eps))      p* = the largest progress, at lr*
    good       progress_k >= p* - tol |p*|        (tol = 0.5: at least half the best orders of magnitude)
    too large  otherwise, if the run diverged or lr > lr*
    too small  otherwise (lr < lr*)

Diverged runs are always "too large" and their final loss is NaN.

An MLP sweep is scored by the VALIDATION loss, as a grid search should be: its bands and its best lr
(the non-diverged lr with the lowest final validation loss) are read off the validation curve, so
the best lr always sits in the good band. The lowest TRAINING loss can come from another lr: on 48
noisy moons points, Adam for 400 steps, it comes from lr = 0.03, which memorises them, while lr =
0.002 ends with a validation loss over 3x lower (``tests/test_sweep.py``). A surface has no
validation set: its sweep is scored by the final loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import theory, training
from lrlab.descent import descend

BANDS = ("too small", "good", "too large")


SCORED_BY = ("validation", "training")  # which final loss sets the bands and picks ``best_lr``


@dataclass(frozen=True, eq=False)
class SweepResult:
    """lrs (K,); final_loss (K,) (training loss, NaN if diverged); val_loss (K,): the final
    validation loss (NaN if diverged), None for a surface (no validation set); diverged (K,) bool;
    bands (K,) from :data:`BANDS`; best_lr: the non-diverged lr with the lowest scored final loss
    (None if every lr diverged); scored_by: which loss of :data:`SCORED_BY` set the bands and picked
    best_lr ("validation" for an MLP sweep with a validation split, else "training"); curves (K, T+1)
    training loss per step; initial_loss: the training loss at the start; initial_val_loss: the
    validation loss at the start (None for a surface); critical: the theory's thresholds
    (``theory.Critical``: lam, overshoot, diverge, rule) for a surface sweep, else None."""

    lrs: np.ndarray
    final_loss: np.ndarray
    val_loss: np.ndarray | None
    diverged: np.ndarray
    bands: tuple[str, ...]
    best_lr: float | None
    curves: np.ndarray
    initial_loss: float
    critical: object | None = None
    scored_by: str = "training"
    initial_val_loss: float | None = None

    @property
    def final_val_loss(self) -> np.ndarray | None:
        """The old name of :attr:`val_loss`."""
        return self.val_loss

    def band_at(self, lr: float) -> str | None:
        """The band of the grid cell holding ``lr`` (cells split at :func:`band_edges`), or None if
        ``lr`` lies outside the swept range: a sweep says nothing about lrs it did not try."""
        edges = band_edges(self.lrs)
        if not (np.isfinite(lr) and edges[0] <= lr <= edges[-1]):
            return None
        return self.bands[min(int(np.searchsorted(edges, lr, side="right")) - 1, len(self.lrs) - 1)]


def log_grid(lr_min: float = 1e-4, lr_max: float = 10.0, num: int = 25) -> np.ndarray:
    """``num`` learning rates spaced evenly in log from ``lr_min`` to ``lr_max``."""
    if not (0 < lr_min < lr_max and np.isfinite(lr_max)):
        raise ValueError(f"need 0 < lr_min < lr_max < inf, got lr_min={lr_min!r}, lr_max={lr_max!r}")
    if isinstance(num, bool) or not isinstance(num, int) or not 2 <= num <= 1000:
        raise ValueError(f"num must be an integer in [2, 1000], got {num!r}")
    return np.geomspace(lr_min, lr_max, num)


def band_edges(lrs) -> np.ndarray:
    """Edges (K+1,) between consecutive lrs of a log grid: geometric midpoints, half a step outside."""
    lrs = np.asarray(lrs, np.float64)
    logs = np.log(lrs)
    if len(lrs) == 1:
        return np.array([lrs[0] / 2, lrs[0] * 2])
    mids = (logs[1:] + logs[:-1]) / 2
    first, last = 2 * logs[0] - mids[0], 2 * logs[-1] - mids[-1]
    return np.exp(np.r_[first, mids, last])


def label_bands(
    lrs, final_loss, initial_loss: float, diverged, floor: float | None = None, tol: float = 0.5
) -> tuple[str, ...]:
    """The band of each lr (see the module docstring for the rule)."""
    lrs, loss = np.asarray(lrs, dtype=np.float64), np.asarray(final_loss, dtype=np.float64)
    diverged = np.asarray(diverged, dtype=bool) | ~np.isfinite(loss)
    if not 0 <= tol < 1:
        raise ValueError(f"tol must be in [0, 1), got {tol!r}")
    if diverged.all():
        return ("too large",) * len(lrs)
    if floor is None:
        floor = min(float(loss[~diverged].min()), initial_loss)
    eps = 1e-12 * max(initial_loss - floor, 1e-300)
    gap = np.maximum(np.where(diverged, np.inf, loss) - floor, 0.0) + eps
    with np.errstate(divide="ignore"):  # a diverged run: gap inf, progress -inf
        progress = np.log((max(initial_loss - floor, 0.0) + eps) / gap)
    best = int(np.argmax(progress))
    good = progress >= progress[best] - tol * abs(progress[best])
    return tuple(
        "good" if good[i] else "too large" if diverged[i] or lrs[i] > lrs[best] else "too small"
        for i in range(len(lrs))
    )


def _best_lr(lrs, loss, diverged) -> float | None:
    ok = np.where(diverged | ~np.isfinite(loss), np.inf, loss)
    return None if np.all(np.isinf(ok)) else float(lrs[np.argmin(ok)])


def sweep_mlp(
    model,
    data,
    optimizer="sgd",
    lrs=None,
    steps: int = 200,
    batch_size: int | None = None,
    seed: int = 0,
    tol: float = 0.5,
    init=None,
) -> SweepResult:
    """Train ``model`` on ``data`` once per lr of ``lrs`` (default :func:`log_grid`), in one pass.

    Scored by the final validation loss (``scored_by = "validation"``): the bands, and ``best_lr``,
    the non-diverged lr with the lowest one; on data without a validation split, by the training loss.
    ``init`` (P,) replaces the initial weights ``model.init(seed)`` of every run.
    """
    lrs = log_grid() if lrs is None else np.asarray(lrs, dtype=np.float64).reshape(-1)
    res = training.train(
        model, data, optimizer, lrs, steps, batch_size=batch_size, seed=seed, record_every=steps, init=init
    )
    diverged = np.array([d is not None for d in res.diverged_at])
    final, l0 = res.train_loss[:, -1], float(res.train_loss[0, 0])
    val, v0 = np.where(diverged, np.nan, res.val_loss[:, -1]), float(res.val_loss[0, 0])
    by_val = len(data.y_val) > 0  # a dataset without a validation split: by the training loss
    scored, s0 = (val, v0) if by_val else (final, l0)
    return SweepResult(
        lrs=lrs,
        final_loss=final,
        val_loss=val,
        diverged=diverged,
        bands=label_bands(lrs, scored, s0, diverged, 0.0, tol),
        best_lr=_best_lr(lrs, scored, diverged),
        curves=res.train_loss,
        initial_loss=l0,
        scored_by="validation" if by_val else "training",
        initial_val_loss=v0 if by_val else None,
    )


def sweep_surface(surface, optimizer, lrs, start=None, steps: int = 100, tol: float = 0.5) -> SweepResult:
    """Descend ``surface`` from ``start`` once per lr of ``lrs``, in one batched ``descend`` call.

    A surface has no validation set: ``val_loss`` is None, and the bands and ``best_lr`` (the
    non-diverged lr with the lowest final loss) come from the final loss (``scored_by = "training"``).

    A run counts as diverged if it left the finite range or its regime is "diverged" (its loss grew
    geometrically). ``critical`` holds the theory's thresholds at the minimum nearest the start
    (``theory.critical_lrs``); their ``diverge`` is None for adaptive optimizers.
    """
    lrs = np.asarray(lrs, dtype=np.float64).reshape(-1)
    traj = descend(surface, optimizer, lrs, start=start, steps=steps, internals=False)
    diverged = np.array(
        [d is not None or r == "diverged" for d, r in zip(traj.diverged_at, traj.regime, strict=True)]
    )
    final = np.where(diverged, np.nan, traj.loss[:, -1])
    l0 = float(traj.loss[0, 0])
    floor = surface.global_min.value if surface.global_min is not None else None
    try:
        at = theory.reference_point(surface, traj.points[0, 0])
        critical = theory.critical_lrs(surface, optimizer, at=at)
    except (np.linalg.LinAlgError, ValueError):
        critical = None
    return SweepResult(
        lrs=lrs,
        final_loss=final,
        val_loss=None,
        diverged=diverged,
        bands=label_bands(lrs, final, l0, diverged, floor, tol),
        best_lr=_best_lr(lrs, final, diverged),
        curves=traj.loss,
        initial_loss=l0,
        critical=critical,
    )
