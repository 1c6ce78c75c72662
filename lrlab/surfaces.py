"""2D loss surfaces with exact gradients and Hessians.

Every surface is a :class:`Surface`: three vectorized functions of ``xy`` with shape ``(..., 2)``

* ``value(xy)``   -> ``(...)``        f(x, y)
* ``grad(xy)``    -> ``(..., 2)``     (df/dx, df/dy)
* ``hessian(xy)`` -> ``(..., 2, 2)``  [[f_xx, f_xy], [f_xy, f_yy]]

plus what a picture needs: ``bounds`` for plotting, the known ``minima`` (location, value, global or
local), a default ``start`` and a one-line ``description`` of what the surface teaches.
Gradients and Hessians are written out analytically, never by finite differences. Minima that have
no closed form are found at import by Newton's method on the exact gradient (to |grad| < 1e-10).

The catalogue, in teaching order (parameters with defaults):

* ``quadratic(a=4, b=1)``: axis-aligned bowl, the 1/lambda and 2/lambda thresholds.
* ``ravine(a=20, b=1, angle=30)``: the same bowl rotated; ill-conditioning, zig-zags.
* ``booth()``, ``matyas()``: classic coupled bowls (condition numbers 9 and 25).
* ``rosenbrock(a=1, b=100)``: the curved banana valley, minimum (a, a^2).
* ``beale()``: steep walls around a flat, ill-conditioned basin, minimum (3, 0.5).
* ``saddle()``: stalling at a saddle, escape along negative curvature.
* ``plateau(s=1)``: vanishing gradients on a flat plateau around a narrow well.
* ``two_minima(c=0.25)``: a shallow local minimum beside a deeper global one.
* ``himmelblau()``: four global minima; the learning rate picks one.
* ``six_hump_camel()``: six minima of three depths, two global.
* ``rastrigin(A=10)``: a rippled bowl with a local minimum near every integer point.

>>> from lrlab import surfaces
>>> surf = surfaces.make("quadratic", a=4.0, b=1.0)   # f = (a x^2 + b y^2) / 2
>>> surf.grad([1.0, 1.0])
array([4., 1.])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from lrlab import expression
from lrlab.params import Param, check_all, real

Fn = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Minimum:
    """A known minimum: its location, its value, and whether it is the global one."""

    xy: tuple[float, float]
    value: float
    is_global: bool = True


@dataclass(frozen=True, eq=False)
class Surface:
    """A loss surface f(x, y) with exact derivatives.

    ``f(x, y)`` returns the value, ``g(x, y)`` the pair ``(f_x, f_y)`` and ``h(x, y)`` the triple
    ``(f_xx, f_xy, f_yy)``, each for arrays ``x``, ``y`` of the same shape.
    """

    name: str
    description: str
    formula: str
    f: Fn = field(repr=False)
    g: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] = field(repr=False)
    h: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]] = field(repr=False)
    bounds: tuple[tuple[float, float], tuple[float, float]] = ((-2.0, 2.0), (-2.0, 2.0))
    minima: tuple[Minimum, ...] = ()
    start: tuple[float, float] = (1.0, 1.0)
    params: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    # -- vectorized evaluation -------------------------------------------------------------
    @staticmethod
    def _xy(xy) -> tuple[np.ndarray, np.ndarray]:
        xy = np.asarray(xy, dtype=np.float64)
        if xy.shape[-1:] != (2,):
            raise ValueError(f"xy must have shape (..., 2), got {xy.shape}")
        return xy[..., 0], xy[..., 1]

    def value(self, xy) -> np.ndarray:
        x, y = self._xy(xy)
        v = np.asarray(self.f(x, y), dtype=np.float64)
        return v + 0.0 if v.shape == x.shape else v + np.zeros_like(x)  # always a new array of x's shape

    def grad(self, xy) -> np.ndarray:
        x, y = self._xy(xy)
        out = np.empty(x.shape + (2,))
        out[..., 0], out[..., 1] = self.g(x, y)  # assignment broadcasts constant components
        return out

    def hessian(self, xy) -> np.ndarray:
        x, y = self._xy(xy)
        hxx, hxy, hyy = self.h(x, y)
        zero = 0.0 * x  # a constant component still follows x's shape, and NaN where x is not finite
        out = np.empty(x.shape + (2, 2))
        out[..., 0, 0] = np.asarray(hxx, float) + zero
        out[..., 0, 1] = out[..., 1, 0] = np.asarray(hxy, float) + zero
        out[..., 1, 1] = np.asarray(hyy, float) + zero
        return out

    @property
    def global_min(self) -> Minimum | None:
        glob = [m for m in self.minima if m.is_global]
        return glob[0] if glob else None


def norm(v) -> np.ndarray:
    """The length of each 2-vector of ``v`` (..., 2): sqrt(v_x² + v_y²) (what ``np.linalg.norm(v,
    axis=-1)`` computes, without its general-purpose reduction)."""
    v = np.asarray(v, dtype=np.float64)
    x, y = v[..., 0], v[..., 1]
    return np.sqrt(x * x + y * y)


# -- the catalogue ---------------------------------------------------------------------------

_REGISTRY: dict[str, tuple[Callable[..., Surface], tuple[Param, ...]]] = {}


def _register(*declared: Param):
    """Register ``_make_<name>`` under ``<name>`` with its parameters (kind, default, range)."""

    def register(fn: Callable[..., Surface]) -> Callable[..., Surface]:
        _REGISTRY[fn.__name__.removeprefix("_make_")] = (fn, declared)
        return fn

    return register


def names() -> list[str]:
    """The built-in surfaces, in the order the app lists them."""
    return list(_REGISTRY)


def params(name: str) -> tuple[Param, ...]:
    """The tunable parameters of surface ``name``: default, kind and accepted range of each."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown surface {name!r}; accepted: {', '.join(names())}")
    return _REGISTRY[name][1]


def make(name: str, **given) -> Surface:
    """Build the surface ``name`` with its parameters (see :func:`params`); a bad name, an unknown
    parameter or a value outside its range raises ValueError naming it."""
    declared = params(name)
    try:
        kw = check_all(f"surface {name!r}", declared, given)
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None
    return _REGISTRY[name][0](**kw)


def _frozen(**kw) -> Mapping[str, float]:
    return MappingProxyType(dict(kw))


def _newton(g, h, guesses, iters: int = 100) -> np.ndarray:
    """Newton's method on the exact gradient from each row of ``guesses`` (n, 2); the refined points.

    Raises RuntimeError if a point does not reach a stationary point (|grad| < 1e-10).
    """
    p = np.array(guesses, dtype=np.float64).reshape(-1, 2)
    for _ in range(iters):
        x, y = p[:, 0], p[:, 1]
        gx, gy = np.broadcast_arrays(*g(x, y), x)[:2]
        hxx, hxy, hyy = np.broadcast_arrays(*h(x, y), x)[:3]
        det = hxx * hyy - hxy * hxy
        step = np.stack([(hyy * gx - hxy * gy) / det, (hxx * gy - hxy * gx) / det], -1)
        p = p - step
        if np.all(np.abs(step) <= 1e-15 * (1.0 + np.abs(p))):
            break
    gx, gy = np.broadcast_arrays(*g(p[:, 0], p[:, 1]), p[:, 0])[:2]
    if not np.all(np.hypot(gx, gy) < 1e-10):
        raise RuntimeError(f"Newton did not converge from {guesses}")
    return p


def _minima(f, g, h, points, tol: float = 1e-9) -> tuple[Minimum, ...]:
    """Checked :class:`Minimum` records for stationary ``points`` (n, 2): each must have a positive-
    definite Hessian; the ones within ``tol`` (relative) of the lowest value are flagged global."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    x, y = p[:, 0], p[:, 1]
    hxx, hxy, hyy = np.broadcast_arrays(*h(x, y), x)[:3]
    if not np.all((hxx > 0) & (hxx * hyy - hxy * hxy > 0)):
        raise RuntimeError(f"not all of {p.tolist()} are minima")
    vals = np.asarray(f(x, y), dtype=np.float64) + 0.0 * x
    low = vals.min()
    return tuple(
        Minimum((float(a), float(b)), float(v), bool(v <= low + tol * max(1.0, abs(low))))
        for (a, b), v in zip(p, vals, strict=True)
    )


@_register(real("a", 4.0, 0.0, lo_open=True), real("b", 1.0, 0.0, lo_open=True))
def _make_quadratic(a: float, b: float) -> Surface:
    """f = (a x^2 + b y^2) / 2: curvatures a and b along the axes; a != b is a ravine."""
    return Surface(
        name="quadratic",
        description="A bowl with curvature a along x and b along y: the cleanest picture of the "
        "1/lambda and 2/lambda thresholds; a != b makes an ill-conditioned ravine.",
        formula=f"f(x, y) = ({a:g}·x² + {b:g}·y²) / 2",
        f=lambda x, y: 0.5 * (a * x * x + b * y * y),
        g=lambda x, y: (a * x, b * y),
        h=lambda x, y: (a + 0 * x, 0 * x, b + 0 * x),
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
        minima=(Minimum((0.0, 0.0), 0.0, True),),
        start=(-1.5, 1.5),
        params=_frozen(a=a, b=b),
    )


@_register(
    real("a", 20.0, 0.0, 100.0, lo_open=True),
    real("b", 1.0, 0.0, 100.0, lo_open=True),
    real("angle", 30.0, -90.0, 90.0),
)
def _make_ravine(a: float, b: float, angle: float) -> Surface:
    """f = (a u^2 + b v^2) / 2 in coordinates (u, v) rotated by ``angle`` degrees from (x, y).

    With u = x cos t + y sin t, v = -x sin t + y cos t, the Hessian is R^T diag(a, b) R: the same bowl
    as ``quadratic`` with its axes turned off the coordinate axes, so no per-coordinate step size can
    undo the condition number a / b.
    """
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    hxx, hxy, hyy = a * c * c + b * s * s, (a - b) * c * s, a * s * s + b * c * c
    return Surface(
        name="ravine",
        description="A narrow valley turned off the axes: the steep walls cap the learning rate at "
        "2/a while the valley floor (curvature b) needs a large one, so plain GD zig-zags and crawls.",
        formula=f"f = ({a:g}·u² + {b:g}·v²) / 2,  u = x cos {angle:g}° + y sin {angle:g}°,  "
        f"v = −x sin {angle:g}° + y cos {angle:g}°",
        f=lambda x, y: 0.5 * (a * (c * x + s * y) ** 2 + b * (c * y - s * x) ** 2),
        g=lambda x, y: (hxx * x + hxy * y, hxy * x + hyy * y),
        h=lambda x, y: (hxx + 0 * x, hxy + 0 * x, hyy + 0 * x),
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
        minima=(Minimum((0.0, 0.0), 0.0, True),),
        start=(-1.6, 1.2),
        params=_frozen(a=a, b=b, angle=angle),
    )


@_register()
def _make_booth() -> Surface:
    """Booth: f = (x + 2y - 7)^2 + (2x + y - 5)^2, minimum 0 at (1, 3); constant Hessian
    [[10, 8], [8, 10]] with eigenvalues 18 along (1, 1) and 2 along (1, -1)."""
    return Surface(
        name="booth",
        description="A tilted bowl with coupled coordinates: curvature 18 along the diagonal and 2 across "
        "it, so GD is stable below 2/18 and the slow direction sets the pace.",
        formula="f(x, y) = (x + 2y − 7)² + (2x + y − 5)²",
        f=lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
        g=lambda x, y: (10 * x + 8 * y - 34, 8 * x + 10 * y - 38),
        h=lambda x, y: (10.0 + 0 * x, 8.0 + 0 * x, 10.0 + 0 * x),
        bounds=((-4.0, 6.0), (-2.0, 8.0)),
        minima=(Minimum((1.0, 3.0), 0.0, True),),
        start=(-3.0, 5.0),
    )


@_register()
def _make_matyas() -> Surface:
    """Matyas: f = 0.26 (x^2 + y^2) - 0.48 x y, minimum 0 at the origin; Hessian
    [[0.52, -0.48], [-0.48, 0.52]] with eigenvalues 1 along (1, -1) and 0.04 along (1, 1)."""
    return Surface(
        name="matyas",
        description="A shallow diagonal valley with condition number 25: the run drops onto the line "
        "y = x quickly, then creeps along it 25 times slower.",
        formula="f(x, y) = 0.26·(x² + y²) − 0.48·x·y",
        f=lambda x, y: 0.26 * (x * x + y * y) - 0.48 * x * y,
        g=lambda x, y: (0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x),
        h=lambda x, y: (0.52 + 0 * x, -0.48 + 0 * x, 0.52 + 0 * x),
        bounds=((-10.0, 10.0), (-10.0, 10.0)),
        minima=(Minimum((0.0, 0.0), 0.0, True),),
        start=(-8.0, -2.0),
    )


def _rosenbrock_g(x, r, a, b):
    """(f_x, f_y) with r = y - x^2 computed once (the same operations as writing it out twice)."""
    return -2 * (a - x) - 4 * b * x * r, 2 * b * r


@_register(real("a", 1.0, 0.0, 2.0), real("b", 100.0, 0.0, 1000.0, lo_open=True))
def _make_rosenbrock(a: float, b: float) -> Surface:
    """Rosenbrock: f = (a - x)^2 + b (y - x^2)^2, minimum 0 at (a, a^2).

    f_x = -2 (a - x) - 4 b x (y - x^2),  f_y = 2 b (y - x^2);
    f_xx = 2 - 4 b y + 12 b x^2,  f_xy = -4 b x,  f_yy = 2 b.
    """
    r = max(2.0, a + 1.0)
    return Surface(
        name="rosenbrock",
        description="The banana valley: finding the curved valley floor is fast, following it to the "
        "minimum is slow, and the walls (curvature ~2b) forbid large steps.",
        formula=f"f(x, y) = ({a:g} − x)² + {b:g}·(y − x²)²",
        f=lambda x, y: (a - x) ** 2 + b * (y - x * x) ** 2,
        g=lambda x, y: _rosenbrock_g(x, y - x * x, a, b),
        h=lambda x, y: (2 - 4 * b * y + 12 * b * x * x, -4 * b * x, 2 * b + 0 * x),
        bounds=((-r, r), (-1.0, max(3.0, a * a + 2.0))),
        minima=(Minimum((a, a * a), 0.0, True),),
        start=(-1.2, 1.0),
        params=_frozen(a=a, b=b),
    )


_BEALE_C = (1.5, 2.25, 2.625)


def _beale_f(x, y):
    return sum((c - x + x * y**i) ** 2 for i, c in enumerate(_BEALE_C, 1))


def _beale_g(x, y):
    """f = sum_i u_i^2 with u_i = c_i - x + x y^i: f_x = 2 sum u_i (y^i - 1), f_y = 2 sum u_i i x y^(i-1)."""
    gx = gy = 0.0
    for i, c in enumerate(_BEALE_C, 1):
        u = c - x + x * y**i
        gx = gx + 2 * u * (y**i - 1)
        gy = gy + 2 * u * i * x * y ** (i - 1)
    return gx, gy


def _beale_h(x, y):
    """With u_x = y^i - 1, u_y = i x y^(i-1): f_xx = 2 sum u_x^2, f_xy = 2 sum (u_x u_y + u i y^(i-1)),
    f_yy = 2 sum (u_y^2 + u i (i-1) x y^(i-2))."""
    hxx = hxy = hyy = 0.0
    for i, c in enumerate(_BEALE_C, 1):
        u = c - x + x * y**i
        ux, uy = y**i - 1, i * x * y ** (i - 1)
        hxx = hxx + 2 * ux * ux
        hxy = hxy + 2 * (ux * uy + u * i * y ** (i - 1))
        hyy = hyy + 2 * (uy * uy + (u * i * (i - 1) * x * y ** (i - 2) if i > 1 else 0.0))
    return hxx, hxy, hyy


@_register()
def _make_beale() -> Surface:
    """Beale: f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2, minimum 0 at (3, 0.5)."""
    return Surface(
        name="beale",
        description="Steep walls where |y| > 1 around a flat, ill-conditioned basin (curvatures 49 and 0.3 "
        "at the minimum): a step small enough for the walls crawls across the basin.",
        formula="f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
        f=_beale_f,
        g=_beale_g,
        h=_beale_h,
        bounds=((-4.5, 4.5), (-4.5, 4.5)),
        minima=(Minimum((3.0, 0.5), 0.0, True),),
        start=(1.0, 1.6),
    )


@_register()
def _make_saddle() -> Surface:
    """f = x^2/2 + y^4/4 - y^2/2: a saddle at the origin (curvatures 1 and -1), minima -1/4 at (0, +-1).

    Near the saddle GD multiplies y by (1 + lr) each step, so from y0 the escape takes about
    ln(1 / y0) / ln(1 + lr) steps.
    """
    f = lambda x, y: 0.5 * x * x + 0.25 * y**4 - 0.5 * y * y  # noqa: E731
    g = lambda x, y: (x, y**3 - y)  # noqa: E731
    h = lambda x, y: (1.0 + 0 * x, 0 * x, 3 * y * y - 1)  # noqa: E731
    return Surface(
        name="saddle",
        description="A saddle between two minima: a run starting almost on the ridge slides to the saddle, "
        "stalls where the gradient vanishes, then escapes along the negative-curvature direction.",
        formula="f(x, y) = x²/2 + y⁴/4 − y²/2",
        f=f,
        g=g,
        h=h,
        bounds=((-2.0, 2.0), (-1.8, 1.8)),
        minima=_minima(f, g, h, [(0.0, -1.0), (0.0, 1.0)]),
        start=(1.5, 1e-3),
    )


@_register(real("s", 1.0, 0.1, 10.0))
def _make_plateau(s: float) -> Surface:
    """f = 1 - exp(-(x^2 + y^2) / s): a Gaussian well of width sqrt(s) in a plateau at height 1.

    With e = exp(-r^2 / s): grad = (2 e / s) (x, y); f_xx = (2 e / s)(1 - 2 x^2 / s),
    f_xy = -4 e x y / s^2, f_yy = (2 e / s)(1 - 2 y^2 / s). The curvature at the bottom is 2 / s.
    """
    e = lambda x, y: np.exp(-(x * x + y * y) / s)  # noqa: E731
    w = 3.0 * np.sqrt(s)
    return Surface(
        name="plateau",
        description="A narrow well in a wide flat plateau: out on the plateau the gradient is nearly zero, "
        "so a small learning rate crawls for hundreds of steps before it finds the slope.",
        formula=f"f(x, y) = 1 − exp(−(x² + y²) / {s:g})",
        f=lambda x, y: 1.0 - e(x, y),
        g=lambda x, y: (2 * x / s * e(x, y), 2 * y / s * e(x, y)),
        h=lambda x, y: (
            2 / s * e(x, y) * (1 - 2 * x * x / s),
            -4 * x * y / (s * s) * e(x, y),
            2 / s * e(x, y) * (1 - 2 * y * y / s),
        ),
        bounds=((-w, w), (-w, w)),
        minima=(Minimum((0.0, 0.0), 0.0, True),),
        start=(2.0 * np.sqrt(s), 1.0 * np.sqrt(s)),
        params=_frozen(s=s),
    )


@_register(real("c", 0.25, 0.0, 0.38, note="beyond 2/(3√3) ≈ 0.385 the local minimum is gone"))
def _make_two_minima(c: float) -> Surface:
    """f = x^4/4 - x^2/2 + c x + y^2/2: a double well in x tilted by c, a plain bowl in y.

    The minima solve x^3 - x + c = 0 (two of its three roots for 0 <= c < 2 / (3 sqrt 3) ~ 0.385);
    for c > 0 the left one is deeper. f_xx = 3 x^2 - 1, f_yy = 1.
    """
    f = lambda x, y: 0.25 * x**4 - 0.5 * x * x + c * x + 0.5 * y * y  # noqa: E731
    g = lambda x, y: (x**3 - x + c, y)  # noqa: E731
    h = lambda x, y: (3 * x * x - 1, 0 * x, 1.0 + 0 * x)  # noqa: E731
    return Surface(
        name="two_minima",
        description="A shallow local minimum beside a deeper global one: a small learning rate settles in "
        "the nearer dip, a larger one overshoots the barrier and lands in the deeper well.",
        formula=f"f(x, y) = x⁴/4 − x²/2 + {c:g}·x + y²/2",
        f=f,
        g=g,
        h=h,
        bounds=((-2.5, 2.5), (-2.0, 2.0)),
        minima=_minima(f, g, h, _newton(g, h, [(-1.5, 0.0), (1.5, 0.0)])),
        start=(2.0, 1.0),
        params=_frozen(c=c),
    )


def _himmelblau_g(x, y):
    """With A = x^2 + y - 11, B = x + y^2 - 7: f_x = 4 x A + 2 B, f_y = 2 A + 4 y B."""
    A, B = x * x + y - 11, x + y * y - 7
    return 4 * x * A + 2 * B, 2 * A + 4 * y * B


def _himmelblau_h(x, y):
    """f_xx = 4 A + 8 x^2 + 2, f_xy = 4 (x + y), f_yy = 4 B + 8 y^2 + 2."""
    A, B = x * x + y - 11, x + y * y - 7
    return 4 * A + 8 * x * x + 2, 4 * (x + y), 4 * B + 8 * y * y + 2


def _himmelblau_f(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


@_register()
def _make_himmelblau() -> Surface:
    """Himmelblau: f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2, four global minima of value 0."""
    guesses = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    pts = _newton(_himmelblau_g, _himmelblau_h, guesses)
    pts[0] = (3.0, 2.0)  # exact
    return Surface(
        name="himmelblau",
        description="Four equally deep minima: which one a run reaches depends on the learning rate, "
        "not only on where it starts.",
        formula="f(x, y) = (x² + y − 11)² + (x + y² − 7)²",
        f=_himmelblau_f,
        g=_himmelblau_g,
        h=_himmelblau_h,
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        minima=_minima(_himmelblau_f, _himmelblau_g, _himmelblau_h, pts),
        start=(0.5, -0.5),
    )


def _camel_f(x, y):
    return (4 - 2.1 * x * x + x**4 / 3) * x * x + x * y + (4 * y * y - 4) * y * y


@_register()
def _make_six_hump_camel() -> Surface:
    """Six-hump camel: f = (4 - 2.1 x^2 + x^4/3) x^2 + x y + (4 y^2 - 4) y^2.

    f_x = 8 x - 8.4 x^3 + 2 x^5 + y, f_y = x - 8 y + 16 y^3;
    f_xx = 8 - 25.2 x^2 + 10 x^4, f_xy = 1, f_yy = -8 + 48 y^2.
    Six minima: two global (+-0.0898, -+0.7126) at -1.0316, two at -0.2155 and two at 2.1043.
    """
    g = lambda x, y: (8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3)  # noqa: E731
    h = lambda x, y: (8 - 25.2 * x * x + 10 * x**4, 1.0 + 0 * x, -8 + 48 * y * y)  # noqa: E731
    half = [(0.0898, -0.7126), (-1.7036, 0.7961), (1.6071, 0.5687)]
    guesses = [p for xy in half for p in (xy, (-xy[0], -xy[1]))]
    return Surface(
        name="six_hump_camel",
        description="Six minima of three depths (two global): local minima and saddles everywhere, so the "
        "learning rate decides which basin a run ends in.",
        formula="f(x, y) = (4 − 2.1x² + x⁴/3)·x² + x·y + (4y² − 4)·y²",
        f=_camel_f,
        g=g,
        h=h,
        bounds=((-2.2, 2.2), (-1.2, 1.2)),
        minima=_minima(_camel_f, g, h, _newton(g, h, guesses)),
        start=(-2.0, 1.1),
    )


def _rastrigin_1d_minima(A: float, lo: float, hi: float) -> np.ndarray:
    """Minimizers in [lo, hi] of x^2 - A cos(2 pi x): the roots of 2x + 2 pi A sin(2 pi x) where it
    crosses from negative to positive, bracketed on a fine grid and refined by bisection."""
    d = lambda x: 2 * x + 2 * np.pi * A * np.sin(2 * np.pi * x)  # noqa: E731
    grid = np.linspace(lo, hi, 40_001)
    v = d(grid)
    i = np.nonzero((v[:-1] < 0) & (v[1:] >= 0))[0]
    left, right = grid[i], grid[i + 1]
    for _ in range(80):
        mid = 0.5 * (left + right)
        neg = d(mid) < 0
        left, right = np.where(neg, mid, left), np.where(neg, right, mid)
    return 0.5 * (left + right)


@_register(real("A", 10.0, 1.0, 50.0))
def _make_rastrigin(A: float) -> Surface:
    """Rastrigin: f = 2A + x^2 + y^2 - A (cos 2 pi x + cos 2 pi y), global minimum 0 at the origin.

    f_x = 2 x + 2 pi A sin(2 pi x), f_xx = 2 + 4 pi^2 A cos(2 pi x) (likewise in y), f_xy = 0. The
    function is separable, so its minima are the products of the 1D minima: one near each integer
    point whose dip is deep enough (all 121 in the plotted square for A = 10), all listed.
    """
    k = 2 * np.pi
    f = lambda x, y: 2 * A + x * x + y * y - A * (np.cos(k * x) + np.cos(k * y))  # noqa: E731
    g = lambda x, y: (2 * x + k * A * np.sin(k * x), 2 * y + k * A * np.sin(k * y))  # noqa: E731
    h = lambda x, y: (2 + k * k * A * np.cos(k * x), 0 * x, 2 + k * k * A * np.cos(k * y))  # noqa: E731
    w = 5.12
    m1 = _rastrigin_1d_minima(A, -w, w)
    grid = np.stack(np.meshgrid(m1, m1, indexing="ij"), -1).reshape(-1, 2)
    order = np.lexsort((grid[:, 1], grid[:, 0], np.hypot(grid[:, 0], grid[:, 1])))
    return Surface(
        name="rastrigin",
        description="A bowl covered in ripples: many local minima whose curvature (~4π²A) is far above "
        "the bowl's (2), so a small learning rate stops in the nearest dip and a large one rattles.",
        formula=f"f(x, y) = {2 * A:g} + x² + y² − {A:g}·(cos 2πx + cos 2πy)",
        f=f,
        g=g,
        h=h,
        bounds=((-w, w), (-w, w)),
        minima=_minima(f, g, h, _newton(g, h, grid[order])),
        start=(2.3, -1.7),
        params=_frozen(A=A),
    )


def _check_bounds(bounds) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        (x0, x1), (y0, y1) = ((float(a), float(b)) for a, b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be ((xmin, xmax), (ymin, ymax)), got {bounds!r}") from None
    if not all(map(np.isfinite, (x0, x1, y0, y1))) or not (x0 < x1 and y0 < y1):
        raise ValueError(f"bounds must be finite with min < max, got {bounds!r}")
    return (x0, x1), (y0, y1)


def from_expression(text: str, bounds=((-3.0, 3.0), (-3.0, 3.0)), start=None) -> Surface:
    """A surface named "custom" for the typed formula f(x, y) ``text``, parsed safely (never
    eval-ed) with exact symbolic derivatives (see :mod:`lrlab.expression` for what is allowed;
    anything else raises ValueError naming the part).

    The minima are unknown (``minima=()``). ``start`` defaults to 70% of the way from the centre
    toward the top-left corner of ``bounds``; a given ``start`` must lie inside ``bounds``.
    """
    canonical, f, g, h = expression.functions(text)
    (x0, x1), (y0, y1) = _check_bounds(bounds)
    if start is None:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        # rounded: a box of ±3 gives -2.1, not the float -2.0999999999999996 in the start's boxes
        start = (round(cx - 0.7 * (x1 - x0) / 2, 12), round(cy + 0.7 * (y1 - y0) / 2, 12))
    try:
        sx, sy = (float(s) for s in start)
    except (TypeError, ValueError):
        raise ValueError(f"start must be a pair (x, y), got {start!r}") from None
    if not (x0 <= sx <= x1 and y0 <= sy <= y1):
        raise ValueError(f"start {start!r} must lie inside bounds x in [{x0}, {x1}], y in [{y0}, {y1}]")
    return Surface(
        name="custom",
        # the formula itself is shown beside it as code (Markdown would read its ** as bold)
        description="A user formula f(x, y): its minima are not known in advance.",
        formula=canonical,
        f=f,
        g=g,
        h=h,
        bounds=((x0, x1), (y0, y1)),
        minima=(),
        start=(sx, sy),
    )
