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

Where the theory is read: at the minimum the run *approaches* (:func:`approached`): Newton's method on
the exact gradient and Hessian from the run's end, or, where Newton finds no minimum below the run,
the surface's listed minimum nearest the end. Never at the start point, where the curvature can be
anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import optimizers, surfaces
from lrlab.noise import ball as noise_ball
from lrlab.noise import sigma_for_batch, stationary_variance

__all__ = ["noise_ball", "sigma_for_batch", "stationary_variance"]  # gradient noise: see lrlab.noise

MOMENTUM_METHODS = ("sgd", "momentum", "nesterov")
EDGE_RTOL = 1e-9  # an lr this close (relative) to the divergence line is on it: the edge
NEWTON_ITERS = 60
STATIONARY = 1e-9  # stationary: |grad| < this x (1 + |grad| at the run) and Newton's step < this (relative)
SAME_POINT = 1e-6  # a Newton point within this (relative) of a listed minimum is that minimum
FLAT = 1e-6  # curvatures below this fraction of the largest count as this: no step to infinity
ROUNDING = 1e-12  # losses equal to this relative precision are equal (float rounding of f)
NEAR = 0.5  # where f cannot tell, Newton's step is taken when |grad| falls to this fraction or less
ESCAPE = 1e-3  # the shortest step Newton takes down a negative curvature (of the plot's width): off a saddle
FLOW_ITERS = 300  # gradient flow from a start: at most this many short steps before Newton takes over
FLOW_STEP = 0.5  # a flow step: this over the largest local curvature |λ| (half of GD's monotone 1/λ)
FLOW_REACH = 0.05  # ... and at most this fraction of the plot's width; Newton takes over within it


@dataclass(frozen=True)
class Critical:
    """Critical learning rates at a point, from the Hessian's largest eigenvalue ``lam``."""

    lam: float  # largest Hessian eigenvalue (+ weight decay) at ``at``
    at: tuple[float, float]  # where the Hessian was taken
    overshoot: float | None  # above this lr the path overshoots the minimum
    diverge: float | None  # above this lr the run diverges
    rule: str  # the formula, for display ("2/λ", "2(1+β)/λ", ...)

    def side(self, lr: float) -> str:
        """Which band ``lr`` falls in: 'monotone', 'overshoot', 'edge' (on the divergence line, within
        a relative 1e-9), 'diverge' or 'unknown' (no threshold: an adaptive optimizer)."""
        if self.diverge is None:
            return "unknown"
        if abs(lr - self.diverge) <= EDGE_RTOL * self.diverge:
            return "edge"
        if lr > self.diverge:
            return "diverge"
        if self.overshoot is not None and lr > self.overshoot:
            return "overshoot"
        return "monotone"


def _name_hyper(optimizer) -> tuple[str, dict]:
    if isinstance(optimizer, str):
        optimizer = optimizers.make(optimizer)
    return optimizer.name, dict(optimizer.hyper)


def threshold_arrays(name: str, hyper: dict, lam) -> tuple[np.ndarray, np.ndarray, str]:
    """:func:`thresholds` for an array of curvatures ``lam`` (K,): (overshoot lrs, divergence lrs, rule),
    NaN where there is no line (``lam`` + weight decay not > 0, or an adaptive optimizer)."""
    lam = np.asarray(lam, np.float64) + float(hyper.get("weight_decay", 0.0))
    none = np.full(lam.shape, np.nan)
    if name not in MOMENTUM_METHODS:
        return none, none, ""
    pos = lam > 0
    with np.errstate(all="ignore"):
        if name == "sgd":
            over, div, rule = 1.0 / lam, 2.0 / lam, "2/λ"
        else:
            beta = float(hyper.get("momentum", 0.9))
            scale = 1.0 / (1.0 - float(hyper.get("dampening", 0.0)))
            if name == "momentum":
                over = (1 - np.sqrt(beta)) ** 2 / lam * scale
                div, rule = 2 * (1 + beta) / lam * scale, "2(1+β)/λ"
            else:
                over = ((1 - beta) / (1 + beta)) ** 2 / lam * scale
                div, rule = (2 + 2 * beta) / ((1 + 2 * beta) * lam) * scale, "(2+2β)/((1+2β)λ)"
    return np.where(pos, over, np.nan), np.where(pos, div, np.nan), rule


def thresholds(name: str, hyper: dict, lam: float) -> tuple[float | None, float | None, str]:
    """(overshoot lr, divergence lr, rule) for optimizer ``name`` on curvature ``lam`` > 0 (plus the
    weight decay): SGD 1/λ and 2/λ, heavy ball (1−√β)²/λ and 2(1+β)/λ, Nesterov ((1−β)/(1+β))²/λ and
    (2+2β)/((1+2β)λ), the momentum methods' lines divided by (1 − dampening); (None, None, '') where
    there are none. :func:`threshold_arrays` for a batch of one."""
    over, div, rule = threshold_arrays(name, hyper, [lam])
    if np.isnan(div[0]):
        return None, None, ""
    return float(over[0]), float(div[0]), rule


def critical_lrs_all(surface, optimizer, at) -> list[Critical]:
    """:func:`critical_lrs` at each of K points ``at`` (K, 2), in one pass: the exact Hessians stacked
    (K, 2, 2), one batched ``eigvalsh``, the lines as arrays (:func:`threshold_arrays`)."""
    name, hyper = _name_hyper(optimizer)
    at = np.asarray(at, dtype=np.float64).reshape(-1, 2)
    wd = float(hyper.get("weight_decay", 0.0))
    lam = np.linalg.eigvalsh(surface.hessian(at))[:, -1]
    over, div, rule = threshold_arrays(name, hyper, lam)
    out = []
    for k in range(len(at)):
        line = not np.isnan(div[k])
        out.append(
            Critical(
                lam=float(lam[k]) + wd,
                at=(float(at[k, 0]), float(at[k, 1])),
                overshoot=float(over[k]) if line else None,
                diverge=float(div[k]) if line else None,
                rule=rule if line else "",
            )
        )
    return out


def critical_lrs(surface, optimizer, at=None) -> Critical:
    """The critical learning rates of ``optimizer`` (an object or a name) on ``surface`` at ``at``.

    ``at`` defaults to the minimum a run from the surface's default start approaches
    (:func:`reference_point`). ``lam`` is the largest eigenvalue of the exact Hessian there.
    :func:`critical_lrs_all` for a batch of one.
    """
    if at is None:
        at = reference_point(surface, surface.start)
    return critical_lrs_all(surface, optimizer, [at])[0]


@dataclass(frozen=True)
class Approached:
    """The minimum a run approaches: where it is, its value, and whether it is the global one (None
    when that is unknown: a typed formula lists no minima)."""

    xy: tuple[float, float]
    value: float
    is_global: bool | None


def _sym2(h):
    """The 2x2 symmetric Hessians ``h`` (K, 2, 2) = [[a, b], [b, c]] in the closed form of their
    eigenvalues λ = m ∓ r: (m = (a + c)/2, half = (a − c)/2, b, r = |(half, b)|)."""
    mid, half, b = 0.5 * (h[:, 0, 0] + h[:, 1, 1]), 0.5 * (h[:, 0, 0] - h[:, 1, 1]), h[:, 0, 1]
    return mid, half, b, np.hypot(half, b)


def newton(surface, points) -> tuple[np.ndarray, np.ndarray]:
    """A minimum downhill of each row of ``points`` (K, 2): (K, 2) end points and (K,) whether each
    is a minimum (positive-definite Hessian, |∇f| below ``STATIONARY`` times 1 + |∇f| at the point
    given, and Newton's own next step H⁻¹g below ``STATIONARY`` times 1 + |p| in each coordinate).

    Newton's method made to go downhill: the step is s = -V diag(1/max(|λ_i|, δ)) Vᵀ g over the
    Hessian's eigenpairs (closed form for a 2x2: λ = m ∓ r), so a negative curvature is walked down,
    not up to a saddle or a maximum, halved until the loss falls. Near a minimum that is plain Newton
    (quadratic convergence). Three places where the loss stops being a guide:

    * next to a minimum (within ~1e-8) the predicted fall ½ gᵀH⁻¹g is below f's rounding
      (``ROUNDING`` · (1 + |f|)), so f(q + s) < f(q) fails however good the step. Where the Hessian is
      positive definite, that fall is below the rounding and f(q + s) is not above f(q) beyond it, the
      full step is taken if it does what converging Newton does: |∇f| falls to ``NEAR`` of itself.
    * on a saddle or a maximum the gradient has no component along the negative curvature: the step
      along it is at least ``ESCAPE`` times the plot's width, downhill (the eigenvector turned so that
      its largest component is positive where the gradient gives no side), then halved until f falls.
    * far out the gradient at the start can be huge (a run that flew off): a bar relative to it calls
      points on a steep wall stationary, so a row stops only when Newton's own step is below
      1e-3 · ``STATIONARY`` of its scale, and a minimum must pass that step test too.

    No warning escapes.
    """
    p = np.array(points, dtype=np.float64).reshape(-1, 2)
    halvings = 0.5 ** np.arange(30)  # step lengths tried, longest first
    (x0, x1), (y0, y1) = surface.bounds
    ell = ESCAPE * max(x1 - x0, y1 - y0)  # the shortest step down a negative curvature
    with np.errstate(all="ignore"):
        scale = 1.0 + surfaces.norm(surface.grad(p))
        f = surface.value(p)
        live = np.all(np.isfinite(p), -1) & np.isfinite(f)
        for _ in range(NEWTON_ITERS):
            idx = np.flatnonzero(live)
            if not len(idx):
                break
            q, f_q = p[idx], f[idx]
            tol = 1.0 + np.abs(q)  # the scale of a position, per coordinate
            g = surface.grad(q)
            h = surface.hessian(q)
            h = np.where(np.isfinite(h), h, 0.0)
            # the eigenpairs of [[a, b], [b, c]] in closed form: λ = m ∓ r (m = (a + c)/2, r =
            # |((a − c)/2, b)|), the larger one's eigenvector v1 = (cs, sn) ∝ ((a − c)/2 + r, b) or
            # (b, r − (a − c)/2), whichever has no cancellation ((1, 0) where H = λI); v0 = (−sn, cs)
            mid, half, b, r = _sym2(h)
            lam0, lam1 = mid - r, mid + r
            up = half >= 0
            ex, ey = np.where(up, half + r, b), np.where(up, b, r - half)
            n = np.hypot(ex, ey)
            cs, sn = np.where(n > 0, ex / n, 1.0), np.where(n > 0, ey / n, 0.0)
            size0, size1 = np.abs(lam0), np.abs(lam1)
            floor = FLAT * np.maximum(np.maximum(size0, size1), 1e-300)
            along0, along1 = cs * g[:, 1] - sn * g[:, 0], cs * g[:, 0] + sn * g[:, 1]  # Vᵀ g
            w0, w1 = along0 / np.maximum(size0, floor), along1 / np.maximum(size1, floor)  # diag(1/|λ|) Vᵀ g
            neg = np.flatnonzero(lam0 < -floor)
            if len(neg):
                # at a saddle or a maximum the gradient gives no direction along the negative
                # curvature: the step along it is at least ESCAPE of the plot's width, downhill (where
                # the gradient has no component along it: along v0 turned so its largest component is > 0)
                low = neg[np.abs(w0[neg]) < ell]
                if len(low):
                    lead = np.where(np.abs(sn[low]) >= np.abs(cs[low]), -sn[low], cs[low])
                    w0[low] = np.where(w0[low] != 0, np.sign(w0[low]), -np.sign(lead)) * ell
            step = np.stack([sn * w0 - cs * w1, -cs * w0 - sn * w1], -1)  # −(v0 w0 + v1 w1)
            step = np.where(np.isfinite(step), step, 0.0)
            done = np.all(np.abs(step) <= 1e-3 * STATIONARY * tol, -1)  # Newton's step: far below the bar
            full = q + step
            f_full = surface.value(full)
            take = f_full < f_q  # most rows: the full step (plain Newton near a minimum)
            short = np.flatnonzero(~take & ~done)
            stop = None
            if len(short):
                # f too flat to tell: the full step left f within its rounding, the Hessian is positive
                # definite (no curvature floored) and Newton's predicted fall ½ gᵀH⁻¹g is below that
                # rounding; the step is taken if |∇f| falls to NEAR of itself or less
                f_s = f_q[short]
                res = ROUNDING * (1.0 + np.abs(f_s))
                level = f_full[short] - f_s <= res
                if level.any():
                    near, res = short[level], res[level]
                    fall = 0.5 * (w0[near] * along0[near] + w1[near] * along1[near])
                    near = near[(fall <= res) & (lam0[near] > floor[near])]
                    g_near = surfaces.norm(surface.grad(full[near]))
                    take[near] = good = g_near <= NEAR * surfaces.norm(g[near])
                    # where the next step (about |∇f|/λ) is already far below the bar: no need to look
                    tiny = g_near / lam0[near] <= 1e-3 * STATIONARY * (1.0 + surfaces.norm(full[near]))
                    stop = near[good & tiny]
                    short = short[~take[short]]
            new, f_new = np.where(take[:, None], full, q), np.where(take, f_full, f_q)
            moved = take & ~done  # a full step longer than the bar moves
            if len(short):
                trial = q[short, None, :] + halvings[None, 1:, None] * step[short, None, :]
                ft = surface.value(trial)
                better = ft < f_q[short, None]
                first = np.argmax(better, axis=1)
                ok_short = better.any(1)
                rows = short[ok_short]
                new[rows] = trial[ok_short, first[ok_short]]
                f_new[rows] = ft[ok_short, first[ok_short]]
                moved[rows] = np.any(np.abs(new[rows] - q[rows]) > 1e-15 * tol[rows], -1)
            if stop is not None:
                moved[stop] = False
            p[idx], f[idx] = new, f_new
            live[idx] = moved
        g, h = surface.grad(p), surface.hessian(p)
        a, b, c = h[:, 0, 0], h[:, 0, 1], h[:, 1, 1]
        det = a * c - b * b
        pd = (a > 0) & (det > 0)
        rest = np.stack([c * g[:, 0] - b * g[:, 1], a * g[:, 1] - b * g[:, 0]], -1) / det[:, None]  # H⁻¹g
        still = np.all(np.abs(rest) <= STATIONARY * (1.0 + np.abs(p)), -1)  # Newton's next step: none
        ok = np.all(np.isfinite(p), -1) & (surfaces.norm(g) < STATIONARY * scale) & pd & still
    return p, ok


def approached(surface, ends) -> list[Approached | None]:
    """The minimum each run approaches, from the runs' last recorded points ``ends`` (K, 2).

    Newton from the end; a minimum it finds no higher than the end is the one approached (the listed
    record when it is a listed minimum). Else the listed minimum nearest the end (a run still out on
    a plateau approaches the well), or None for a surface that lists none.
    """
    ends = np.asarray(ends, dtype=np.float64).reshape(-1, 2)
    found, ok = newton(surface, ends)
    listed = surface.minima
    with np.errstate(all="ignore"):
        f_end, f_found = surface.value(ends), surface.value(found)
        took = ok & (f_found <= f_end + ROUNDING * (1.0 + np.abs(f_end)))
        if listed:
            mxy = np.array([m.xy for m in listed], dtype=np.float64)  # (M, 2)
            near = SAME_POINT * (1.0 + np.hypot(mxy[:, 0], mxy[:, 1]))
            same = np.hypot(found[:, None, 0] - mxy[:, 0], found[:, None, 1] - mxy[:, 1]) <= near  # (K, M)
            nearest = np.argmin(np.hypot(ends[:, None, 0] - mxy[:, 0], ends[:, None, 1] - mxy[:, 1]), axis=1)
    records = [Approached(tuple(m.xy), m.value, m.is_global) for m in listed]
    glob = min((m.value for m in listed), default=None)
    out: list[Approached | None] = []
    for k in range(len(ends)):
        if took[k]:
            if listed and same[k].any():
                out.append(records[int(np.argmax(same[k]))])
            else:
                is_global = None if glob is None else bool(f_found[k] <= glob + 1e-9 * (1 + abs(glob)))
                out.append(Approached((float(found[k, 0]), float(found[k, 1])), float(f_found[k]), is_global))
        elif listed and np.isfinite(ends[k]).all():
            out.append(records[int(nearest[k])])
        else:
            out.append(None)
    return out


def last_points(points) -> np.ndarray:
    """The last finite point of each run of ``points`` ((T+1, 2) or (K, T+1, 2)): (K, 2)."""
    p = np.asarray(points, dtype=np.float64)
    p = p[None] if p.ndim == 2 else p
    ok = np.all(np.isfinite(p), -1)
    idx = np.where(ok.any(1), p.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), 0)
    return p[np.arange(len(p)), idx]


def flow(surface, points, iters: int = FLOW_ITERS) -> np.ndarray:
    """Where gradient flow (dx/dt = −∇f, gradient descent at a vanishing lr) from each row of
    ``points`` (K, 2) heads: (K, 2) after at most ``iters`` steps x ← x − h ∇f(x), with
    h = ``FLOW_STEP`` / max(|λ₁|, |λ₂|) of the Hessian at x (short enough to follow the flow's curve,
    not to jump over a ridge into another basin) and the step at most ``FLOW_REACH`` of the plot's
    width, halved until f falls. A row stops where f stops falling, or once its Hessian is positive
    definite and Newton's step H⁻¹∇f is shorter than ``FLOW_REACH`` of the width (a minimum's
    quadratic bowl: Newton from there converges to it). Newton from there
    (:func:`approached`) finds the minimum of that basin: Newton from the start itself can land in
    another one (on Himmelblau from (0.5, −0.5) it went to (3, 2); gradient descent at every small lr
    goes to (3.58, −1.85))."""
    p = np.array(points, dtype=np.float64).reshape(-1, 2)
    (x0, x1), (y0, y1) = surface.bounds
    reach = FLOW_REACH * max(x1 - x0, y1 - y0)
    halvings = 0.5 ** np.arange(12)
    with np.errstate(all="ignore"):
        f = surface.value(p)
        live = np.all(np.isfinite(p), -1) & np.isfinite(f)
        for _ in range(iters):
            idx = np.flatnonzero(live)
            if not len(idx):
                break
            q = p[idx]
            g = surface.grad(q)
            h = surface.hessian(q)
            mid, _, b, r = _sym2(h)
            top = np.abs(mid) + r  # max(|λ₁|, |λ₂|)
            gn = surfaces.norm(g)
            a, c = h[:, 0, 0], h[:, 1, 1]
            det = a * c - b * b
            newton_step = np.hypot(c * g[:, 0] - b * g[:, 1], a * g[:, 1] - b * g[:, 0]) / det  # |H⁻¹g|
            bowl = (mid - r > 0) & (newton_step <= reach)  # Newton takes over from here
            live[idx[bowl]] = False
            length = np.minimum(FLOW_STEP * gn / np.maximum(top, 1e-300), reach)  # the step's length
            step = -g * (length / np.maximum(gn, 1e-300))[:, None]
            step = np.where(np.isfinite(step), step, 0.0)
            trial = q[:, None, :] + halvings[None, :, None] * step[:, None, :]
            ft = surface.value(trial)
            better = ft < f[idx, None]
            ok = better.any(1) & (gn > 0) & ~bowl
            first = np.argmax(better, axis=1)
            rows = idx[ok]
            p[rows] = trial[ok, first[ok]]
            f[rows] = ft[ok, first[ok]]
            live[idx[~ok]] = False
    return p


def reference_point(surface, points) -> tuple[float, float]:
    """Where to read the theory for a run: the minimum it approaches (:func:`approached`) from its
    ``points`` ((T+1, 2): its last finite point counts), or for one point (2,), a start, the minimum
    gradient descent at a small lr goes to from it: Newton from where the gradient flow heads
    (:func:`flow`); the point itself if none is found."""
    p = np.asarray(points, dtype=np.float64)
    end = last_points(p)[0] if p.ndim == 2 else flow(surface, p.reshape(1, 2))[0]
    rec = approached(surface, end[None])[0]
    if rec is None and p.ndim != 2:
        return float(p.reshape(2)[0]), float(p.reshape(2)[1])
    return rec.xy if rec is not None else (float(end[0]), float(end[1]))


def contractions(name: str, hyper: dict, lr, lam) -> np.ndarray | None:
    """:func:`contraction` for K pairs (``lr``, ``lam``) at once: (K,), NaN where a coefficient is not
    finite; None for an adaptive optimizer. The momentum methods' radius is that of the roots of
    z² + b z + c, the eigenvalues of its companion matrix [[−b, −c], [1, 0]] (``numpy.roots``' own
    construction: c = 0 leaves the single root −b), batched."""
    wd = float(hyper.get("weight_decay", 0.0))
    lr, lam = np.broadcast_arrays(np.asarray(lr, np.float64), np.asarray(lam, np.float64) + wd)
    if name == "sgd":
        return np.abs(1.0 - lr * lam)
    if name not in MOMENTUM_METHODS:
        return None
    beta = float(hyper.get("momentum", 0.9))
    lr = lr * (1.0 - float(hyper.get("dampening", 0.0)))
    if name == "momentum":
        b, c = -(1 + beta - lr * lam), np.full(lr.shape, beta)
    else:
        b, c = -(1 + beta) * (1 - lr * lam), beta * (1 - lr * lam)
    out = np.where(c == 0, np.abs(b), np.nan)
    rows = np.flatnonzero((c != 0) & np.isfinite(b) & np.isfinite(c))
    if len(rows):
        companion = np.zeros((len(rows), 2, 2))
        companion[:, 0, 0], companion[:, 0, 1], companion[:, 1, 0] = -b[rows], -c[rows], 1.0
        out[rows] = np.abs(np.linalg.eigvals(companion)).max(-1)
    return np.where(np.isfinite(b) & np.isfinite(c), out, np.nan)


def contraction(name: str, hyper: dict, lr: float, lam: float) -> float | None:
    """Spectral radius of the linearized update on curvature ``lam``: the factor by which the
    distance to the minimum is multiplied per step in the long run (> 1 means divergence).
    :func:`contractions` for a batch of one."""
    out = contractions(name, hyper, [lr], [lam])
    return None if out is None else float(out[0])


OVERSHOOT_RULE = {"2/λ": "1/λ", "2(1+β)/λ": "(1−√β)²/λ", "(2+2β)/((1+2β)λ)": "((1−β)/(1+β))²/λ"}
SIDE_WORDS = {
    "monotone": "below the overshoot line: straight in",
    "overshoot": "between the lines: overshoots, still converges",
    "edge": "on the divergence line: bounces forever",
    "diverge": "above the divergence line: diverges",
}


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def lr_sides(crit: Critical, lrs) -> tuple[str, str]:
    """Where the learning rates a run used sit against the lines of ``crit``: (the side of the last
    lr, one sentence). A schedule is read in segments of steps whose lr is on one side, e.g.
    "lr 0.6 at steps 0–4: above the divergence line 2/λ = 0.5 (diverges while it lasts); then 0.06 →
    0.06 at steps 5–99: below the overshoot line 1/λ = 0.25 (straight in)". For an adaptive optimizer
    (no lines): ('unknown', why there are none)."""
    lrs = np.asarray(lrs, np.float64).ravel()
    if crit.diverge is None:
        return "unknown", "This optimizer rescales each step by its gradient history: no fixed lr threshold."
    over = (
        "1/λ"
        if crit.rule == "2/λ"
        else "(1−√β)²/λ"
        if "(1+β)" in crit.rule and "2β" not in crit.rule
        else "the overshoot line"
    )
    lines = {
        "monotone": f"below the overshoot line {over} = {_fmt(crit.overshoot)}",
        "overshoot": f"between {over} = {_fmt(crit.overshoot)} and {crit.rule} = {_fmt(crit.diverge)}",
        "edge": f"on the divergence line {crit.rule} = {_fmt(crit.diverge)}",
        "diverge": f"above the divergence line {crit.rule} = {_fmt(crit.diverge)}",
    }
    sides = [crit.side(float(v)) for v in lrs]
    if len(set(sides)) == 1 and np.all(lrs == lrs[0]):
        s = sides[0]
        return s, f"lr = {_fmt(lrs[0])} is {lines[s]}: {SIDE_WORDS[s].split(': ')[1]}."
    segments, t0 = [], 0
    for t in range(1, len(sides) + 1):
        if t == len(sides) or sides[t] != sides[t0]:
            segments.append((t0, t - 1, sides[t0]))
            t0 = t
    parts = []
    for a, b, s in segments[:2] + ([segments[-1]] if len(segments) > 2 else []):
        lr = _fmt(lrs[a]) if lrs[a] == lrs[b] else f"{_fmt(lrs[a])} → {_fmt(lrs[b])}"
        when = f"step {a}" if a == b else f"steps {a}–{b}"
        while_ = " while it lasts" if s == "diverge" and b < len(lrs) - 1 else ""
        parts.append(f"lr {lr} at {when}: {lines[s]} ({SIDE_WORDS[s].split(': ')[1]}{while_})")
    gap = "; …; " if len(segments) > 3 else "; then "
    text = parts[0] + ("; then " + parts[1] if len(parts) > 1 else "")
    if len(parts) > 2:
        text += gap + parts[2]
    return sides[-1], text + "."
