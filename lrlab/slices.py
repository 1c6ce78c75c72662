"""The 1-D picture: the loss along the steepest direction through a minimum, and where a run sits on it.

Take a minimum ``m`` (the one a run approaches, :func:`centres`) and the Hessian there, ``H = H(m)``,
with its largest eigenvalue ``λ`` (the curvature) and unit eigenvector ``v`` (the steepest
direction; its sign is fixed so that its component of largest magnitude is positive, the first one
on a tie). The **slice** is the loss along the line ``m + s·v``, measured from the minimum:

    g(s) = f(m + s·v) − f(m),    so g(0) = 0, g'(0) = 0, g''(0) = vᵀ H v = λ.

An iterate ``p_t`` projects onto the line at ``s_t = (p_t − m)·v`` and is drawn at ``(s_t, g(s_t))``.

**Exact on a quadratic.** If ``f`` is a quadratic, ``f(p) = f(m) + ½ (p − m)ᵀ H (p − m)`` with a
constant ``H``, then ``g(s) = λ s²/2`` and, ``v`` being an eigenvector, ``∇f(p)·v = λ s``: the
gradient's component along ``v`` depends on ``s`` alone. An update that is a linear combination of
gradients (SGD, heavy-ball momentum, Nesterov, with or without weight decay) therefore moves ``s``
exactly as the same optimizer moves a 1-D parameter on ``g``:

* SGD ``p ← p − η∇f``:  ``s_{t+1} = (1 − ηλ) s_t``. For ``η < 1/λ`` the dots walk down one side;
  for ``1/λ < η < 2/λ`` the factor is in (−1, 0): the sign of ``s`` flips every step (overshoot) while
  ``|s|`` shrinks; at ``η = 2/λ`` the factor is −1: the dot bounces between ``±s_0`` forever; above
  it ``|s|`` grows by ``|1 − ηλ|`` per step (divergence).
* momentum ``b ← βb + λs``, ``s ← s − ηb``; Nesterov ``b ← βb + λs``, ``s ← s − η(λs + βb)``.

Per-coordinate methods (AdaGrad, RMSprop, Adam, AdamW) scale each *coordinate* by its own history,
so their motion along ``v`` is 1-D only when ``v`` is a coordinate axis (``H`` diagonal in that
basis): :meth:`Slice.one_dimensional`. Whether ``H`` is constant is the surface's own knowledge,
never a guess from samples: the built-in quadratics (:data:`CONSTANT_HESSIAN`, whose Hessians are
written out as constants; a test checks the list against every built-in surface) and a typed formula
whose symbolic Hessian (:func:`lrlab.expression.hessian`) is three constants.

**A slice elsewhere.** On any other surface the run is not on the line: ``s_t`` is its shadow on it
and ``g(s_t)`` the loss *on the line* at that shadow, not the run's loss. The local bowl
``λ s²/2`` (the curvature the theory's 1/λ and 2/λ are read from) is :meth:`Slice.model`.

**The range drawn.** The slice covers ``[lo, hi]``: the projections of the runs' recorded points that
lie inside the map's box (``surface.bounds``), and 0, widened by ``PAD`` of that width each side
(at least ``MIN_HALF`` of the box's larger side either side of 0). A run that flies off projects
beyond it at some step: :meth:`Slice.leaves` reports that step (a view cannot draw 1e100).

**Sampling.** ``g`` is sampled at ``n`` evenly spaced ``s`` (``n`` from ``N_MIN`` to ``N_MAX``): the
fewest for which linear interpolation between samples (what a browser draws between them, and how it
places a dot between them) stays within ``TOL`` of the curve's height range everywhere, checked
against the curve sampled at ``N_MAX``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import expression, theory

# built-in surfaces whose Hessian is a constant, written out in their definitions (lrlab.surfaces)
CONSTANT_HESSIAN = frozenset({"quadratic", "ravine", "booth", "matyas"})
# optimizers whose update is a linear combination of gradients (the same in every rotated basis)
ISOTROPIC = theory.MOMENTUM_METHODS
PAD = 0.04  # the range is widened by this fraction of its width on each side
MIN_HALF = 0.02  # ... and reaches at least this fraction of the box's larger side either side of 0
N_MIN, N_MAX = 201, 3201  # samples of g: (N_MAX - 1) / (N_MIN - 1) = 16, a power of two
TOL = 1e-3  # linear interpolation error allowed, as a fraction of the curve's height range
AXIS = 1e-12  # v is a coordinate axis when its other component is below this


def constant_hessian(surface) -> bool:
    """Whether ``surface`` is a quadratic (its Hessian is the same everywhere), from its definition:
    a built-in quadratic (:data:`CONSTANT_HESSIAN`) or a typed formula whose symbolic Hessian is
    three constants. A formula whose Hessian only simplifies to a constant after algebra the parser
    does not do counts as not constant (the view then says "slice", which is never false)."""
    if surface.name in CONSTANT_HESSIAN:
        return True
    if surface.name != "custom":
        return False
    try:
        parts = expression.hessian(expression.parse(surface.formula))
    except ValueError:
        return False
    return all(isinstance(h, expression.Num) for h in parts)


def direction(surface, at) -> tuple[float, np.ndarray]:
    """(λ, v): the largest eigenvalue of the Hessian at ``at`` and its unit eigenvector, signed so
    that its component of largest magnitude is positive (the first on a tie)."""
    h = surface.hessian(np.asarray(at, np.float64).reshape(2))
    lam, vec = np.linalg.eigh(np.where(np.isfinite(h), h, 0.0))
    v = vec[:, -1]
    v = v if v[int(np.argmax(np.abs(v)))] > 0 else -v
    return float(lam[-1]), v + 0.0


def _per_run(value) -> tuple:
    """A Trajectory field as a tuple over its runs (a single run's value is not a tuple)."""
    return value if isinstance(value, tuple) else (value,)


def centres(surface, *trajs) -> np.ndarray:
    """The minimum each run of ``trajs`` (single or batched trajectories, in order) is sliced
    through, (K, 2): the one it approaches (``Trajectory.approached``); for a run that approaches none,
    or diverged, the one its start leads to (:func:`lrlab.theory.approached` from where the gradient
    flow from the start heads, :func:`lrlab.theory.flow`, once per distinct start; the start itself
    if none is found), as :func:`lrlab.theory.reference_point` reads it."""
    starts = np.concatenate([np.reshape(tr.points, (-1, *np.shape(tr.points)[-2:]))[:, 0] for tr in trajs])
    approached = [a for tr in trajs for a in _per_run(tr.approached)]
    diverged = [d for tr in trajs for d in _per_run(tr.diverged_at)]
    out = np.array([(np.nan, np.nan) if a is None else a.xy for a in approached], np.float64)
    redo = [k for k, a in enumerate(approached) if a is None or diverged[k] is not None]
    if redo:
        uniq, back = np.unique(starts[redo], axis=0, return_inverse=True)
        found = theory.approached(surface, theory.flow(surface, uniq))
        ends = np.array([f.xy if f is not None else tuple(s) for f, s in zip(found, uniq, strict=True)])
        out[redo] = ends[np.ravel(back)]
    return out


def covering(surface, m, v, points=None) -> tuple[float, float]:
    """The range of s a slice through ``m`` along ``v`` covers: the projections of ``points``
    ((..., 2), NaN ignored) that lie inside the box ``surface.bounds``, and 0, widened by ``PAD`` of
    the width each side, at least ``MIN_HALF`` of the box's larger side either side of 0. Without
    points: where the line crosses the box."""
    (x0, x1), (y0, y1) = surface.bounds
    m, v = np.asarray(m, np.float64), np.asarray(v, np.float64)
    if points is None:  # where the line is inside the box: the overlap of each axis' interval of s
        s = np.array([-np.inf, np.inf])
        for (a, b), mi, vi in zip(((x0, x1), (y0, y1)), m, v, strict=True):
            if vi != 0.0:
                ends = sorted(((a - mi) / vi, (b - mi) / vi))
                s = np.array([max(s[0], ends[0]), min(s[1], ends[1])])
    else:
        p = np.asarray(points, np.float64).reshape(-1, 2)
        inside = (p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)
        s = (p[inside] - m) @ v
    lo, hi = min(0.0, float(s.min(initial=0.0))), max(0.0, float(s.max(initial=0.0)))
    pad = PAD * (hi - lo)
    half = MIN_HALF * max(x1 - x0, y1 - y0)
    return min(lo - pad, -half), max(hi + pad, half)


@dataclass(frozen=True, eq=False)
class Slice:
    """The slice through ``m`` along ``v`` (see the module docstring): ``lam`` the curvature, ``f_star``
    = f(m), ``s`` (n,) evenly spaced over ``[lo, hi]``, ``g`` (n,) = f(m + s·v) − f(m) (NaN where the
    surface is undefined), ``exact`` whether the surface is a quadratic (:func:`constant_hessian`)."""

    surface: object
    m: np.ndarray
    v: np.ndarray
    lam: float
    f_star: float
    s: np.ndarray
    g: np.ndarray
    exact: bool

    @property
    def lo(self) -> float:
        return float(self.s[0])

    @property
    def hi(self) -> float:
        return float(self.s[-1])

    def value(self, s) -> np.ndarray:
        """g(s) = f(m + s·v) − f(m) at any ``s`` (any shape)."""
        return _on_line(self.surface, self.m, self.v, self.f_star, s)

    def model(self, s) -> np.ndarray:
        """The bowl the theory reads at the minimum, λ s²/2 (equal to g on a quadratic)."""
        s = np.asarray(s, np.float64)
        return 0.5 * self.lam * s * s

    def project(self, points) -> np.ndarray:
        """s = (p − m)·v of each point: (..., 2) -> (...), e.g. (K, T+1, 2) -> (K, T+1); NaN stays NaN."""
        return (np.asarray(points, np.float64) - self.m) @ self.v

    def interpolate(self, s) -> np.ndarray:
        """g at ``s`` by linear interpolation between the samples (how the browser places a dot)."""
        s = np.asarray(s, np.float64)
        return np.interp(s, self.s, self.g)

    def leaves(self, points) -> np.ndarray | int | None:
        """The first step at which each run's projection is outside ``[lo, hi]`` (NaN, a stopped
        run, is not a step): (K,) ints with -1 for "never" for points (K, T+1, 2); an int or None for
        one run (T+1, 2)."""
        s = self.project(points)
        out = np.atleast_2d(s)
        off = (out < self.lo) | (out > self.hi)
        first = np.where(off.any(-1), off.argmax(-1), -1)
        if s.ndim == 1:
            return None if first[0] < 0 else int(first[0])
        return first

    def one_dimensional(self, optimizer) -> bool:
        """Whether the projection of a run of ``optimizer`` (a name or an optimizer object) moves
        exactly as a 1-D run of that optimizer on g: on a quadratic, for an update that is a linear
        combination of gradients, or for a per-coordinate method when v is a coordinate axis."""
        name = optimizer if isinstance(optimizer, str) else optimizer.name
        return self.exact and (name in ISOTROPIC or bool(np.min(np.abs(self.v)) < AXIS))


def _on_line(surface, m, v, f_star: float, s) -> np.ndarray:
    """f(m + s·v) − f_star for ``s`` of any shape."""
    s = np.asarray(s, np.float64)
    with np.errstate(all="ignore"):
        return surface.value(m + s[..., None] * v) - f_star


def _samples(value, lo: float, hi: float, n: int | None) -> tuple[np.ndarray, np.ndarray]:
    """(s, g) on ``n`` even samples of [lo, hi], or, for ``n`` None, the fewest of N_MIN, 2 N_MIN - 1,
    ..., N_MAX whose linear interpolation is within TOL of the height range of g at N_MAX samples."""
    if n is not None:
        s = np.linspace(lo, hi, int(n))
        return s, value(s)
    s = np.linspace(lo, hi, N_MAX)
    g = value(s)
    finite = np.isfinite(g)
    height = float(np.ptp(g[finite])) if finite.any() else 0.0
    stride = (N_MAX - 1) // (N_MIN - 1)
    while stride > 1:
        coarse = np.interp(s, s[::stride], g[::stride])
        err = np.abs(coarse - g)[finite & np.isfinite(coarse)]
        if err.size == 0 or err.max() <= TOL * height:
            break
        stride //= 2
    return s[::stride], g[::stride]


def steepest(surface, at, *, points=None, span=None, n: int | None = None) -> Slice:
    """The slice through the point ``at`` (a minimum, (2,)) along its steepest direction.

    ``points`` ((..., 2)): the runs' recorded points the range must cover (:func:`covering`); ``span``:
    the range (lo, hi) itself instead; ``n``: the number of samples (default: the fewest that
    interpolate within ``TOL``, see the module docstring)."""
    m = np.asarray(at, np.float64).reshape(2)
    lam, v = direction(surface, m)
    lo, hi = covering(surface, m, v, points) if span is None else (float(span[0]), float(span[1]))
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"a slice needs a finite range lo < hi, got ({lo}, {hi})")
    with np.errstate(all="ignore"):
        f_star = float(surface.value(m))

    s, g = _samples(lambda s: _on_line(surface, m, v, f_star, s), lo, hi, n)
    g = np.where(np.isfinite(g), g, np.nan)
    return Slice(surface, m, v, lam, f_star, s, g, constant_hessian(surface))
