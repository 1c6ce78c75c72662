r"""Gradient noise, and why it makes a smaller learning rate more precise.

Real training follows a noisy gradient (a mini-batch estimate). The model here: the gradient used at
step t is the exact one plus isotropic Gaussian noise,

    ĝ_t = ∇f(p_t) + σ ξ_t,     ξ_t ~ N(0, I₂), fresh each step.

Near a minimum m with Hessian H = Σ_i λ_i v_i v_iᵀ, the distance along the eigenvector v_i,
d = (p − m)·v_i, obeys a linear recursion driven by the noise (exact for a quadratic):

* **SGD** ``p ← p − η ĝ``:  d ← (1 − ηλ) d − ησ ξ.  With a constant η (0 < ηλ < 2) the mean goes to
  0 and the variance to the fixed point of v ← (1 − ηλ)² v + η²σ²:

      Var_i = η σ² / (λ_i (2 − η λ_i)),     E[f − f*] = Σ_i λ_i Var_i / 2 = (η σ² / 2) Σ_i 1 / (2 − η λ_i).

  Both are proportional to η for ηλ ≪ 1: the run settles in a *noise ball* whose size the learning
  rate sets. A schedule that lowers η shrinks the ball: under any schedule η_t the variance follows
  v_{t+1} = (1 − η_t λ)² v_t + η_t² σ² exactly (:func:`variance_path`).
* **Heavy-ball momentum** (PyTorch: b ← βb + ĝ, p ← p − ηb) and **Nesterov** (PyTorch:
  b ← βb + ĝ, p ← p − η(ĝ + βb)): the pair (d, b) evolves as x ← A x + n ξ with

      momentum:  A = [[1 − ηλ, −ηβ], [λ, β]],                n = σ (−η, 1)
      nesterov:  A = [[1 − η(1+β)λ, −ηβ²], [λ, β]],          n = σ (−η(1+β), 1)

  (PyTorch's dampening τ scales the gradient fed to the buffer by (1 − τ), weight decay w adds w to
  every λ), and the stationary covariance Σ solves the discrete Lyapunov equation Σ = A Σ Aᵀ + n nᵀ.
* **Adaptive methods** (AdaGrad, RMSprop, Adam) divide by a running size of the noisy gradient
  itself; there is no closed form here, and these functions return None for them.

A mini-batch of B samples averages B independent gradient errors, so σ_B = σ₁ / √B
(:func:`sigma_for_batch`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab.params import integer, real

MOMENTUM_METHODS = ("sgd", "momentum", "nesterov")
BALL_SIGMAS = 2.0  # the ball drawn on the map: 2 standard deviations along each eigenvector


# σ, declared once: ``descend(noise=)`` checks it, the app's widget and URL are built from it
SIGMA = real("noise", 0.0, 0.0, note="σ, the standard deviation of the noise added to each gradient")
BATCH = integer("batch", 1, 1, 1_000_000, note="the mini-batch size B: σ_B = σ₁/√B")


def check_sigma(sigma) -> float:
    """``sigma`` as a finite float >= 0, else ValueError naming it."""
    return float(SIGMA.check(sigma))


def sigma_for_batch(sigma_1: float, batch: int) -> float:
    """The gradient noise of a mini-batch of ``batch`` samples when one sample has ``sigma_1``:
    the mean of B independent errors has σ₁/√B."""
    return check_sigma(sigma_1) / float(np.sqrt(BATCH.check(batch)))


def _linear_system(name: str, hyper: dict, lr: float, lam: float):
    """(A, n): one step of the (distance, buffer) state along a direction of curvature ``lam``,
    and the column the unit noise enters through (without σ). None for adaptive methods."""
    lam = lam + float(hyper.get("weight_decay", 0.0))
    if name == "sgd":
        return np.array([[1.0 - lr * lam]]), np.array([-lr])
    if name not in MOMENTUM_METHODS:
        return None
    beta = float(hyper.get("momentum", 0.9))
    feed = 1.0 - float(hyper.get("dampening", 0.0))  # the buffer takes (1 - dampening) g
    if name == "momentum":
        # b' = beta b + feed (lam d + xi);  d' = d - lr b'
        A = np.array([[1.0 - lr * feed * lam, -lr * beta], [feed * lam, beta]])
        return A, np.array([-lr * feed, feed])
    # nesterov: b' = beta b + g;  d' = d - lr (g + beta b')
    A = np.array([[1.0 - lr * (1 + beta) * lam, -lr * beta * beta], [lam, beta]])
    return A, np.array([-lr * (1 + beta), 1.0])


def stationary_variance(lam: float, lr: float, sigma: float, optimizer: str = "sgd", hyper=None):
    """The stationary variance of the distance to the minimum along a direction of curvature
    ``lam`` > 0, under a constant ``lr`` and gradient noise ``sigma``; ``inf`` if the linear update
    is unstable there (no stationary state), None for an adaptive optimizer."""
    sigma = check_sigma(sigma)
    system = _linear_system(optimizer, dict(hyper or {}), float(lr), float(lam))
    if system is None:
        return None
    A, n = system
    if np.max(np.abs(np.linalg.eigvals(A))) >= 1.0:
        return np.inf
    # Sigma = A Sigma A^T + n n^T, solved as (I - A (x) A) vec(Sigma) = vec(n n^T)
    k = A.shape[0]
    vec = np.linalg.solve(np.eye(k * k) - np.kron(A, A), np.outer(n, n).ravel())
    return float(sigma * sigma * vec[0])


def variance_path(lam: float, lrs, sigma: float, var0: float = 0.0) -> np.ndarray:
    """SGD's variance of the distance along curvature ``lam`` after each update of the lr table
    ``lrs`` (T,), from ``var0``: v_{t+1} = (1 − η_t λ)² v_t + η_t² σ² (exact on a quadratic). (T+1,)"""
    sigma = check_sigma(sigma)
    lrs = np.asarray(lrs, dtype=np.float64).ravel()
    out = np.empty(lrs.size + 1)
    out[0] = v = float(var0)
    with np.errstate(over="ignore"):
        for t, lr in enumerate(lrs):
            v = (1.0 - lr * lam) ** 2 * v + (lr * sigma) ** 2
            out[t + 1] = v
    return out


@dataclass(frozen=True)
class Ball:
    """Where a noisy run settles around a minimum: ``centre``, the Hessian's eigenvectors ``axes``
    (columns) with curvatures ``lams``, the theory's standard deviation ``std`` of the distance along
    each, the radius ``radius`` = sqrt(Σ Var_i) (the root-mean-square distance to the minimum) and the
    expected loss above the minimum ``gap`` = Σ λ_i Var_i / 2."""

    centre: tuple[float, float]
    axes: np.ndarray
    lams: np.ndarray
    std: np.ndarray
    radius: float
    gap: float
    std_path: np.ndarray | None = None  # (2, T+1): the theory's std along each axis after each step

    def ellipse(self, k: float = BALL_SIGMAS, n: int = 73) -> np.ndarray:
        """(n, 2) points of the k-σ ellipse (for the map)."""
        t = np.linspace(0.0, 2 * np.pi, n)
        local = np.stack([k * self.std[0] * np.cos(t), k * self.std[1] * np.sin(t)], -1)
        return np.asarray(self.centre) + local @ self.axes.T


def ball(surface, at, lr: float, sigma: float, optimizer: str = "sgd", hyper=None) -> Ball | None:
    """The theory's noise ball at the minimum ``at`` of ``surface`` for a constant ``lr``: None for an
    adaptive optimizer or where the Hessian there is not positive definite; infinite ``std`` along a
    direction where the lr is past the divergence edge."""
    at = tuple(float(v) for v in at)
    lams, axes = np.linalg.eigh(surface.hessian(np.array(at)))
    if not np.all(lams > 0):
        return None
    var = [stationary_variance(lam, lr, sigma, optimizer, hyper) for lam in lams]
    if any(v is None for v in var):
        return None
    var = np.array(var, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return Ball(at, axes, lams, np.sqrt(var), float(np.sqrt(var.sum())), float(0.5 * (lams * var).sum()))


def variance_paths(lams, lrs, sigma: float, optimizer: str = "sgd", hyper=None) -> np.ndarray | None:
    """The variance of the distance along M directions of curvature ``lams`` (M,) after each update
    of the lr tables ``lrs`` (M, T), from 0 at the start: the recursion of the module docstring,
    Σ_{t+1} = A_t Σ_t A_tᵀ + n_t n_tᵀ, with the lr of each step (exact on a quadratic, for any
    schedule; SGD's is :func:`variance_path`). (M, T+1); None for an adaptive optimizer; ``inf``
    once a step makes the distance grow without bound."""
    sigma = check_sigma(sigma)
    if optimizer not in MOMENTUM_METHODS:
        return None
    hyper = dict(hyper or {})
    lam = np.asarray(lams, np.float64).reshape(-1) + float(hyper.get("weight_decay", 0.0))
    lrs = np.broadcast_to(np.asarray(lrs, np.float64), (lam.size, np.shape(lrs)[-1]))
    beta = float(hyper.get("momentum", 0.9))
    feed = 1.0 - float(hyper.get("dampening", 0.0))
    m, steps = lrs.shape
    out = np.zeros((m, steps + 1))
    p = np.zeros(m)  # Var(d)
    q = np.zeros(m)  # Cov(d, b)
    r = np.zeros(m)  # Var(b)
    with np.errstate(all="ignore"):
        for t in range(steps):
            eta = lrs[:, t]
            if optimizer == "sgd":
                p = (1.0 - eta * lam) ** 2 * p + (eta * sigma) ** 2
            else:
                if optimizer == "momentum":  # see _linear_system
                    a, b, c, d = 1.0 - eta * feed * lam, -eta * beta, feed * lam, beta
                    n0, n1 = -eta * feed * sigma, feed * sigma
                else:
                    a, b, c, d = 1.0 - eta * (1 + beta) * lam, -eta * beta * beta, lam, beta
                    n0, n1 = -eta * (1 + beta) * sigma, sigma
                ap, aq = a * p + b * q, a * q + b * r
                cp, cq = c * p + d * q, c * q + d * r
                p, q, r = ap * a + aq * b + n0 * n0, ap * c + aq * d + n0 * n1, cp * c + cq * d + n1 * n1
            out[:, t + 1] = p
    return np.where(np.isfinite(out), out, np.inf)


def run_balls(surface, centres, lrs, sigma: float, optimizer: str, hyper, window) -> list[Ball | None]:
    """The theory's noise ball of K runs, each at its minimum ``centres[k]`` (or None) under its own lr
    table ``lrs`` (K, T), averaged over each run's last ``window[k]`` recorded steps: the spread the
    theory expects there (from no spread at the start, through the schedule's lrs). None for a run
    without a minimum, with a Hessian there that is not positive definite, or for an adaptive
    optimizer."""
    k = len(centres)
    lrs = np.broadcast_to(np.asarray(lrs, np.float64), (k, np.shape(lrs)[-1]))
    out: list[Ball | None] = [None] * k
    have = [i for i, c in enumerate(centres) if c is not None]
    if not have:
        return out
    # the Hessians at every run's minimum in one batched eigh
    lam_all, axes_all = np.linalg.eigh(surface.hessian(np.array([centres[i] for i in have], np.float64)))
    pos = np.all(lam_all > 0, axis=1)
    keep = [i for i, p in zip(have, pos, strict=True) if p]
    lams, axes = lam_all[pos], axes_all[pos]
    if not keep:
        return out
    var = variance_paths(np.ravel(lams), np.repeat(lrs[keep], 2, axis=0), sigma, optimizer, hyper)
    if var is None:
        return out
    for j, i in enumerate(keep):
        n = int(window[i][1])  # recorded points
        w = max(int(window[i][0]), 1)
        v = var[2 * j : 2 * j + 2, max(n - w, 0) : n].mean(axis=1)
        lam = lams[j]
        with np.errstate(invalid="ignore"):
            out[i] = Ball(
                tuple(float(x) for x in centres[i]),
                axes[j],
                lam,
                np.sqrt(v),
                float(np.sqrt(v.sum())),
                float(0.5 * (lam * v).sum()),
                np.sqrt(var[2 * j : 2 * j + 2]),
            )
    return out
