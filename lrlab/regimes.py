"""What happened in a run: its regime, and a plain-language explanation tied to the theory.

The regimes, checked in this order on a recorded run:

* ``diverged``: the run left the finite range (see :mod:`lrlab.descent`), or its loss grew
  geometrically to over 1e6 times where it started.
* Near a minimum (within ``TIGHT`` of the plot's diagonal): ``local_minimum`` if that minimum is
  not the global one; else ``oscillating`` if the path crossed the minimum back and forth (the
  displacement from the minimum, projected on the Hessian's eigenvectors there, changed sign at
  least ``FLIPS`` times); else ``converged``.
* Otherwise, if in its second half it still crosses the minimum back and forth: ``oscillating`` when
  its distance to the minimum shrinks, ``unstable`` when it does not (say, lr exactly 2/lambda).
  Else ``too_slow`` if its loss is still going down (or it crawls on a plateau or at a saddle, where
  the gradient is tiny) when the steps run out; ``unstable`` if it is bounded but never settles.

Minima come from the surface's list; for a surface without one (a typed formula), a final point
with a tiny gradient and a positive-definite Hessian counts as a minimum.
"""

from __future__ import annotations

import numpy as np

from lrlab import theory

NAMES = ("converged", "oscillating", "diverged", "too_slow", "local_minimum", "unstable")

SUMMARY = {
    "converged": "Converged: the run settled at the minimum.",
    "oscillating": "Oscillating: each step overshoots the minimum, but the run still closes in.",
    "diverged": "Diverged: each step overshoots by more than the last, and the run flies off.",
    "too_slow": "Too slow: still improving, but far from any minimum when the steps ran out.",
    "local_minimum": "Stuck in a local minimum: settled in a dip that is not the lowest one.",
    "unstable": "Unstable: the run stays bounded but never settles.",
}

TIGHT = 1e-3  # "at the minimum": within this fraction of the plot diagonal
FLIPS = 3  # sign changes across the minimum that count as oscillation
GROWTH = 1e6  # loss growth (over its start) that counts as divergence


def _diag(surface) -> float:
    (x0, x1), (y0, y1) = surface.bounds
    return float(np.hypot(x1 - x0, y1 - y0))


def _nearest_minimum(surface, p):
    """(minimum or None, distance) of the listed minimum nearest the point ``p``."""
    if not surface.minima:
        return None, np.inf
    d = [np.hypot(m.xy[0] - p[0], m.xy[1] - p[1]) for m in surface.minima]
    i = int(np.argmin(d))
    return surface.minima[i], float(d[i])


def count_flips(points, centre, axes, floor: float) -> int:
    """Most sign changes of the displacement from ``centre`` along one of ``axes`` (columns: the
    Hessian's eigenvectors there), counting only while that component is larger than ``floor``."""
    c = (points - centre) @ axes
    c = c[np.all(np.isfinite(c), axis=1)]
    big = np.abs(c) > floor
    s = np.sign(c)
    flips = (s[1:] * s[:-1] < 0) & big[1:] & big[:-1]
    return int(flips.sum(0).max()) if len(flips) else 0


def classify(surface, points, loss, grad_norm, diverged_at) -> str:
    """The regime of one recorded run (``points`` (T+1, 2), ``loss`` and ``grad_norm`` (T+1,))."""
    if diverged_at is not None:
        return "diverged"
    with np.errstate(all="ignore"):  # huge finite values may overflow a product: inf is the answer
        return _classify(surface, points, loss, grad_norm)


def _classify(surface, points, loss, grad_norm) -> str:
    low = np.nanmin(loss)
    grew = loss[-1] - low > GROWTH * (abs(loss[0] - low) + 1e-12)
    if grew and loss[-1] >= np.nanmax(loss[len(loss) // 2 :]):
        return "diverged"
    diag = _diag(surface)
    end = points[-1]
    m, dist = _nearest_minimum(surface, end)
    centre = np.array(m.xy) if m is not None else end
    curvatures, axes = np.linalg.eigh(surface.hessian(centre))
    is_min_found = m is None and grad_norm[-1] < 1e-6 * max(1.0, grad_norm[0]) and np.all(curvatures > 0)
    flips = count_flips(points, centre, axes, floor=1e-9 * diag)
    if dist < TIGHT * diag or is_min_found:
        if m is not None and not m.is_global:
            return "local_minimum"
        return "oscillating" if flips >= FLIPS else "converged"
    if m is None:
        centre = end
    q = len(loss) - max(2, len(loss) // 4)
    dists = np.linalg.norm(points - centre, axis=-1)
    recent = count_flips(points[len(points) // 2 :], centre, axes, floor=1e-3 * dists[-1] + 1e-12 * diag)
    if recent >= FLIPS:
        # crossing the minimum back and forth: closing in, or bouncing at a fixed distance?
        half = max(2, len(dists) // 4)
        closing = np.max(dists[-half:]) < 0.9 * np.max(dists[-2 * half : -half])
        return "oscillating" if closing else "unstable"
    tail = loss[q:]
    if tail[-1] <= tail[0] and np.all(np.diff(tail) <= 1e-12 * (1 + abs(tail[0]))):
        return "too_slow"
    return "unstable"


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def explain(regime, surface, optimizer, hyper, lrs, points, diverged_at, loss, stop_reason=None) -> str:
    """One sentence for the UI: the regime, with the theory's numbers where the theory applies."""
    lr = float(lrs[-1]) if len(lrs) else 0.0
    lr0 = float(lrs[0]) if len(lrs) else 0.0
    crit = None
    if optimizer in theory.MOMENTUM_METHODS:
        start = points[0]
        try:
            crit = theory.critical_lrs(
                surface, _Named(optimizer, hyper), at=theory.reference_point(surface, start)
            )
        except np.linalg.LinAlgError:
            crit = None
    if regime == "diverged":
        where = f"diverged at step {diverged_at}" if diverged_at is not None else "diverging"
        if crit is not None and crit.diverge is not None and lr0 > crit.diverge:
            factor = theory.contraction(optimizer, hyper, lr0, crit.lam - hyper.get("weight_decay", 0.0))
            return (
                f"{where.capitalize()}: lr = {_fmt(lr0)} > {crit.rule} = {_fmt(crit.diverge)}"
                f" (λ = {_fmt(crit.lam)}): each step multiplies the distance to the minimum "
                f"along the steepest direction by {_fmt(factor)} > 1."
            )
        if stop_reason == "undefined":
            return (
                f"{where.capitalize()}: the run reached a point where the loss or its gradient "
                "is not a finite number (outside the formula's domain), so it stopped there."
            )
        return f"{where.capitalize()}: the steps grew until the run left the region. {SUMMARY[regime]}"
    text = SUMMARY[regime]
    if crit is None or crit.diverge is None:
        return text
    factor = theory.contraction(optimizer, hyper, lr, crit.lam - hyper.get("weight_decay", 0.0))
    if regime == "oscillating" and optimizer == "sgd" and crit.overshoot < lr <= crit.diverge:
        return (
            f"{text} 1/λ = {_fmt(crit.overshoot)} < lr = {_fmt(lr)} < 2/λ = "
            f"{_fmt(crit.diverge)}: each step flips the sign of the distance along the "
            f"steepest direction and multiplies it by |1 − lr·λ| = {_fmt(factor)} < 1."
        )
    wd = hyper.get("weight_decay", 0.0)
    lam_min = float(np.linalg.eigvalsh(surface.hessian(np.array(crit.at)))[0]) + wd
    slow = theory.contraction(optimizer, hyper, lr, lam_min - wd)
    if regime == "converged" and optimizer == "sgd" and lr <= crit.overshoot:
        return (
            f"{text} lr = {_fmt(lr)} ≤ 1/λ = {_fmt(crit.overshoot)}: every step moves straight toward "
            f"the minimum; the distance shrinks by |1 − lr·λ| = {_fmt(factor)} per step along the "
            f"steepest direction and by {_fmt(slow)} along the flattest (curvature {_fmt(lam_min)})."
        )
    if regime == "too_slow" and lr <= crit.overshoot and lam_min > 0:
        return (
            f"{text} lr = {_fmt(lr)} is below the divergence edge {crit.rule} = {_fmt(crit.diverge)} "
            f"set by the steepest direction (curvature {_fmt(crit.lam)}), but along the flattest "
            f"(curvature {_fmt(lam_min)}) each step removes only {_fmt(100 * (1 - slow))}% of the "
            "remaining distance."
        )
    return (
        f"{text} lr = {_fmt(lr)}, divergence edge {crit.rule} = {_fmt(crit.diverge)}, "
        f"long-run factor per step {_fmt(factor)}."
    )


class _Named:
    """The (name, hyper) pair that :func:`theory.critical_lrs` accepts in place of an optimizer."""

    def __init__(self, name, hyper):
        self.name, self.hyper = name, hyper
