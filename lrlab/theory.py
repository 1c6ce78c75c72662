"""Stability theory of gradient descent near a minimum.

Near a minimum ``m`` the loss is a quadratic with Hessian ``H``; along an eigenvector of ``H`` with
eigenvalue (curvature) ``lam`` the distance to the minimum ``d`` evolves linearly.

* **SGD** ``p <- p - lr*g``: ``d <- (1 - lr*lam) d``. The factor is in (0, 1) for ``lr < 1/lam``
  (monotone approach), in (-1, 0) for ``1/lam < lr < 2/lam`` (the step overshoots the minimum and the
  sign flips every step, but the distance still shrinks) and below -1 for ``lr > 2/lam``: divergence.
* **Heavy-ball momentum**, PyTorch form ``b <- beta*b + g``, ``p <- p - lr*b``: the pair (d, b) is
  multiplied by ``[[1 - lr*lam, -lr*beta], [lam, beta]]`` (with ``b`` the *next* buffer). Its
  eigenvalues ``z`` solve ``z^2 - (1 + beta - lr*lam) z + beta = 0``: complex (the path spirals, i.e.
  overshoots) once ``lr*lam > (1 - sqrt(beta))^2``, and ``z = -1`` at ``lr = 2(1 + beta)/lam``: divergence.
* **Nesterov**, PyTorch form ``b <- beta*b + g``, ``p <- p - lr*(g + beta*b)``: the characteristic
  polynomial is ``z^2 - (1 + beta)(1 - lr*lam) z + beta(1 - lr*lam)``, complex or negative once
  ``lr*lam > ((1 - beta)/(1 + beta))^2``, and ``z = -1`` at ``lr = (2 + 2beta)/((1 + 2beta) lam)``.

Weight decay ``wd`` adds ``wd`` to every curvature, and SGD's ``dampening`` scales the gradient fed to
the buffer by ``(1 - dampening)`` (after the first step), i.e. it scales the effective lr.
Adaptive methods (AdaGrad, RMSprop, Adam) rescale each coordinate by its gradient history, so they have
no fixed threshold in ``lr``: :func:`critical_lrs` returns ``None`` thresholds for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MOMENTUM_METHODS = ("sgd", "momentum", "nesterov")


@dataclass(frozen=True)
class Critical:
    """Critical learning rates at a point, from the Hessian's largest eigenvalue ``lam``."""

    lam: float  # largest Hessian eigenvalue (+ weight decay) at ``at``
    at: tuple[float, float]  # where the Hessian was taken
    overshoot: float | None  # above this lr the path overshoots the minimum
    diverge: float | None  # above this lr the run diverges
    rule: str  # the formula, for display ("2/λ", "2(1+β)/λ", ...)

    def side(self, lr: float) -> str:
        """Which band ``lr`` falls in: 'monotone', 'overshoot', 'diverge' or 'unknown'."""
        if self.diverge is None:
            return "unknown"
        if lr > self.diverge:
            return "diverge"
        if self.overshoot is not None and lr > self.overshoot:
            return "overshoot"
        return "monotone"


def _name_hyper(optimizer) -> tuple[str, dict]:
    if isinstance(optimizer, str):
        from lrlab import optimizers

        optimizer = optimizers.make(optimizer)
    return optimizer.name, dict(optimizer.hyper)


def thresholds(name: str, hyper: dict, lam: float) -> tuple[float | None, float | None, str]:
    """(overshoot lr, divergence lr, rule) for optimizer ``name`` on curvature ``lam`` > 0."""
    lam = lam + float(hyper.get("weight_decay", 0.0))
    if name not in MOMENTUM_METHODS or not lam > 0:
        return None, None, ""
    if name == "sgd":
        return 1.0 / lam, 2.0 / lam, "2/λ"
    beta = float(hyper.get("momentum", 0.9))
    scale = 1.0 / (1.0 - float(hyper.get("dampening", 0.0)))
    if name == "momentum":
        over = (1 - np.sqrt(beta)) ** 2 / lam
        return over * scale, 2 * (1 + beta) / lam * scale, "2(1+β)/λ"
    over = ((1 - beta) / (1 + beta)) ** 2 / lam
    return over * scale, (2 + 2 * beta) / ((1 + 2 * beta) * lam) * scale, "(2+2β)/((1+2β)λ)"


def critical_lrs(surface, optimizer, at=None) -> Critical:
    """The critical learning rates of ``optimizer`` (an object or a name) on ``surface`` at ``at``.

    ``at`` defaults to the global minimum nearest the surface's default start (or the start itself
    for a surface with no known minimum). ``lam`` is the largest eigenvalue of the exact Hessian.
    """
    name, hyper = _name_hyper(optimizer)
    if at is None:
        at = reference_point(surface, surface.start)
    at = tuple(float(v) for v in at)
    lam = float(np.linalg.eigvalsh(surface.hessian(np.array(at)))[-1])
    over, div, rule = thresholds(name, hyper, lam)
    over, div = (None if v is None else float(v) for v in (over, div))
    return Critical(
        lam=lam + float(hyper.get("weight_decay", 0.0)), at=at, overshoot=over, diverge=div, rule=rule
    )


def reference_point(surface, start) -> tuple[float, float]:
    """The global minimum nearest ``start``, or ``start`` if the surface lists no minimum."""
    glob = [m.xy for m in surface.minima if m.is_global]
    if not glob:
        return tuple(float(v) for v in start)
    d = [np.hypot(x - start[0], y - start[1]) for x, y in glob]
    return glob[int(np.argmin(d))]


def contraction(name: str, hyper: dict, lr: float, lam: float) -> float | None:
    """Spectral radius of the linearized update on curvature ``lam``: the factor by which the
    distance to the minimum is multiplied per step in the long run (> 1 means divergence)."""
    lam = lam + float(hyper.get("weight_decay", 0.0))
    if name == "sgd":
        return abs(1.0 - lr * lam)
    if name not in MOMENTUM_METHODS:
        return None
    beta = float(hyper.get("momentum", 0.9))
    lr = lr * (1.0 - float(hyper.get("dampening", 0.0)))
    if name == "momentum":
        coeffs = [1.0, -(1 + beta - lr * lam), beta]
    else:
        coeffs = [1.0, -(1 + beta) * (1 - lr * lam), beta * (1 - lr * lam)]
    return float(np.max(np.abs(np.roots(coeffs))))
