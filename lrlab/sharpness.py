"""Sharpness: the largest eigenvalue of the training loss's Hessian, and the edge of stability.

Gradient descent with step ``lr`` is stable on a quadratic only if every curvature is below
``2 / lr`` (see :mod:`lrlab.theory`). Cohen et al. (2021, "Gradient Descent on Neural Networks
Typically Occurs at the Edge of Stability") observed that under full-batch GD the sharpness
``lambda_max(H(w_t))`` first rises ("progressive sharpening") until it reaches about ``2 / lr``,
then hovers there instead of crossing it: the loss keeps falling, non-monotonically.

Power iteration on Hessian-vector products (no Hessian is ever formed)::

    v <- H v / |H v|,     lambda = v . H v  (Rayleigh quotient)

converges to the eigenvalue of largest MAGNITUDE, mu. If mu >= 0 it is the largest algebraic
eigenvalue too (every eigenvalue lies in [-mu, mu]). If mu < 0 (the curvature is most negative, as
near a saddle) a second pass runs on the shifted operator ``H - mu I``, whose eigenvalues
``lambda_i - mu`` are all >= 0, so its top one is ``lambda_max - mu``: add ``mu`` back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import optimizers, theory, training


def _power(hvp, v, iters: int, tol: float):
    """Batched power iteration from ``v`` (K, dim): (Rayleigh quotients (K,), unit vectors (K, dim))."""
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    lam = np.full(len(v), np.nan)
    for _ in range(iters):
        w = hvp(v)
        new = np.einsum("kd,kd->k", v, w)
        norm = np.linalg.norm(w, axis=1, keepdims=True)
        v = np.where(norm > 0, w / np.where(norm > 0, norm, 1.0), v)
        done = np.abs(new - lam) <= tol * np.abs(new)
        lam = new
        if np.all(done):
            break
    return lam, v


def top_eigen(hvp, dim: int, iters: int = 100, seed: int = 0, batch: int | None = None, tol: float = 1e-8):
    """(largest algebraic eigenvalue, unit eigenvector) of the symmetric operator ``hvp``.

    ``hvp`` maps a vector (dim,) to H v, or with ``batch = K`` a (K, dim) array to K products (K
    independent operators, e.g. the Hessians of K networks). Stops when every Rayleigh quotient
    changes by less than ``tol`` (relative) or after ``iters`` products (per pass).
    """
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or dim < 1:
        raise ValueError(f"dim must be a positive integer, got {dim!r}")
    if isinstance(iters, bool) or not isinstance(iters, int | np.integer) or iters < 1:
        raise ValueError(f"iters must be a positive integer, got {iters!r}")
    k = 1 if batch is None else int(batch)
    op = (lambda v: hvp(v[0])[None]) if batch is None else hvp
    rng = np.random.default_rng(seed)
    mu, v = _power(op, rng.normal(size=(k, dim)), iters, tol)
    if np.any(mu < 0):
        shift = np.where(mu < 0, mu, 0.0)[:, None]
        lam2, v2 = _power(lambda u: op(u) - shift * u, rng.normal(size=(k, dim)), iters, tol)
        neg = mu < 0
        mu = np.where(neg, lam2 + shift[:, 0], mu)
        v = np.where(neg[:, None], v2, v)
    return (float(mu[0]), v[0]) if batch is None else (mu, v)


def top_eigenvalue(hvp, dim: int, iters: int = 100, seed: int = 0, batch: int | None = None) -> float:
    """The largest algebraic eigenvalue of ``hvp`` (:func:`top_eigen`): a float, or (K,) with ``batch``."""
    return top_eigen(hvp, dim, iters, seed, batch)[0]


def mlp_sharpness(model, params, X, y, iters: int = 100, seed: int = 0) -> np.ndarray:
    """Sharpness (K,) of the loss of each network of ``params`` (K, P) on (X, y), in one batched power
    iteration over exact HVPs. Rows that are not finite (diverged runs) give NaN."""
    p = np.atleast_2d(np.asarray(params, dtype=np.float64))
    ok = np.all(np.isfinite(p), axis=1)
    out = np.full(len(p), np.nan)
    if ok.any():
        hvp = model.hvp_operator(p[ok], X, y)
        out[ok] = top_eigenvalue(hvp, model.n_params, iters, seed, batch=int(ok.sum()))
    return out


@dataclass(frozen=True, eq=False)
class SharpnessResult:
    """steps (S,); sharpness (S,) or (K, S) at those steps; edge: the stability edge in curvature
    for the lr used there (2/lr for plain GD; 2(1+beta)/lr for heavy ball; NaN for adaptive methods),
    same shape; train (the :class:`~lrlab.training.TrainResult`, for loss curves)."""

    steps: np.ndarray
    sharpness: np.ndarray
    edge: np.ndarray
    train: training.TrainResult


def edge_of_stability(optimizer, lr) -> np.ndarray:
    """The curvature above which ``optimizer`` with ``lr`` diverges on a quadratic: ``c / lr`` where
    ``c`` is its divergence threshold at curvature 1 (2 for GD; weight decay is ignored here)."""
    opt = optimizers.make(optimizer) if isinstance(optimizer, str) else optimizer
    _, c, _ = theory.thresholds(opt.name, {**opt.hyper, "weight_decay": 0.0}, 1.0)
    lr = np.asarray(lr, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.full(lr.shape, np.nan) if c is None else c / lr


def track(
    model, data, optimizer="sgd", lr=0.1, steps: int = 1000, every: int = 10, iters: int = 100, seed: int = 0
) -> SharpnessResult:
    """Full-batch training of ``model`` on ``data``, measuring the sharpness of the training loss at
    every ``every``-th step (one batched power iteration over all recorded weights at the end)."""
    res = training.train(model, data, optimizer, lr, steps, seed=seed, record_every=every)
    snaps = res.snapshots if res.batched else res.snapshots[None]
    k, s, p = snaps.shape
    sharp = mlp_sharpness(model, snaps.reshape(k * s, p), data.X_train, data.y_train, iters, seed).reshape(
        k, s
    )
    table = res.lr if res.batched else res.lr[None]
    lr_at = table[:, np.minimum(res.snapshot_steps, steps - 1)]
    edge = edge_of_stability(optimizer, lr_at)
    if not res.batched:
        sharp, edge = sharp[0], edge[0]
    return SharpnessResult(res.snapshot_steps, sharp, edge, res)
