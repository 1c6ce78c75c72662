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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import theory, training
from lrlab.descent import descend

BANDS = ("too small", "good", "too large")


@dataclass(frozen=True, eq=False)
class SweepResult:
    """lrs (K,); final_loss (K,) (training loss, NaN if diverged); final_val_loss (K,) or None;
    diverged (K,) bool; bands (K,) from :data:`BANDS`; best_lr; curves (K, T+1) loss per step;
    initial_loss; critical: the theory's thresholds (``theory.Critical``: lam, overshoot, diverge,
    rule) for a surface sweep, else None."""

    lrs: np.ndarray
    final_loss: np.ndarray
    final_val_loss: np.ndarray | None
    diverged: np.ndarray
    bands: tuple[str, ...]
    best_lr: float | None  # the lr with the lowest final loss
    curves: np.ndarray
    initial_loss: float
    critical: object | None = None


def log_grid(lr_min: float = 1e-4, lr_max: float = 10.0, num: int = 25) -> np.ndarray:
    """``num`` learning rates spaced evenly in log from ``lr_min`` to ``lr_max``."""
    if not (0 < lr_min < lr_max and np.isfinite(lr_max)):
        raise ValueError(f"need 0 < lr_min < lr_max < inf, got lr_min={lr_min!r}, lr_max={lr_max!r}")
    if isinstance(num, bool) or not isinstance(num, int) or not 2 <= num <= 1000:
        raise ValueError(f"num must be an integer in [2, 1000], got {num!r}")
    return np.geomspace(lr_min, lr_max, num)


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
) -> SweepResult:
    """Train ``model`` on ``data`` once per lr of ``lrs`` (default :func:`log_grid`), in one pass."""
    lrs = log_grid() if lrs is None else np.asarray(lrs, dtype=np.float64).reshape(-1)
    res = training.train(
        model, data, optimizer, lrs, steps, batch_size=batch_size, seed=seed, record_every=steps
    )
    diverged = np.array([d is not None for d in res.diverged_at])
    final, l0 = res.train_loss[:, -1], float(res.train_loss[0, 0])
    return SweepResult(
        lrs=lrs,
        final_loss=final,
        final_val_loss=res.val_loss[:, -1],
        diverged=diverged,
        bands=label_bands(lrs, final, l0, diverged, 0.0, tol),
        best_lr=_best_lr(lrs, final, diverged),
        curves=res.train_loss,
        initial_loss=l0,
    )


def sweep_surface(surface, optimizer, lrs, start=None, steps: int = 100, tol: float = 0.5) -> SweepResult:
    """Descend ``surface`` from ``start`` once per lr of ``lrs``, in one batched ``descend`` call.

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
        final_val_loss=None,
        diverged=diverged,
        bands=label_bands(lrs, final, l0, diverged, floor, tol),
        best_lr=_best_lr(lrs, final, diverged),
        curves=traj.loss,
        initial_loss=l0,
        critical=critical,
    )
