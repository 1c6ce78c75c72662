"""2D loss surfaces with exact gradients and Hessians.

Every surface is a :class:`Surface`: three vectorized functions of ``xy`` with shape ``(..., 2)``

* ``value(xy)``   -> ``(...)``        f(x, y)
* ``grad(xy)``    -> ``(..., 2)``     (df/dx, df/dy)
* ``hessian(xy)`` -> ``(..., 2, 2)``  [[f_xx, f_xy], [f_xy, f_yy]]

plus what a picture needs: ``bounds`` for plotting, the known ``minima`` (location, value, global or
local), a default ``start`` and a one-line ``description`` of what the surface teaches.
Gradients and Hessians are written out analytically, never by finite differences.

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
    h: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]] = field(
        repr=False
    )
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
        return np.asarray(self.f(x, y), dtype=np.float64) + np.zeros_like(x)

    def grad(self, xy) -> np.ndarray:
        x, y = self._xy(xy)
        gx, gy = self.g(x, y)
        gx, gy = np.broadcast_arrays(np.asarray(gx, float) + 0.0 * x, np.asarray(gy, float))
        return np.stack([gx, gy], axis=-1)

    def hessian(self, xy) -> np.ndarray:
        x, y = self._xy(xy)
        hxx, hxy, hyy = np.broadcast_arrays(*(np.asarray(v, float) + 0.0 * x for v in self.h(x, y)))
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    @property
    def global_min(self) -> Minimum | None:
        glob = [m for m in self.minima if m.is_global]
        return glob[0] if glob else None


# -- the catalogue ---------------------------------------------------------------------------

_REGISTRY: dict[str, Callable[..., Surface]] = {}


def _register(fn: Callable[..., Surface]) -> Callable[..., Surface]:
    _REGISTRY[fn.__name__.removeprefix("_make_")] = fn
    return fn


def names() -> list[str]:
    """The built-in surfaces, in the order the app lists them."""
    return list(_REGISTRY)


def make(name: str, **params) -> Surface:
    """Build the surface ``name`` with its parameters (see each ``_make_*`` for the accepted ones)."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown surface {name!r}; accepted: {', '.join(names())}")
    return _REGISTRY[name](**params)


def _frozen(**kw) -> Mapping[str, float]:
    return MappingProxyType(dict(kw))


@_register
def _make_quadratic(a: float = 4.0, b: float = 1.0) -> Surface:
    """f = (a x^2 + b y^2) / 2: curvatures a and b along the axes; a != b is a ravine."""
    a, b = float(a), float(b)
    if not (np.isfinite(a) and np.isfinite(b)) or a <= 0 or b <= 0:
        raise ValueError(f"quadratic curvatures must be finite and > 0, got a={a}, b={b}")
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
