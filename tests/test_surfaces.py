"""The built-in surfaces: exact derivatives against finite differences, the listed minima against
Newton's method, vectorized shapes, parameter checks, and the behaviour each default start promises."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlab import surfaces

NAMES = surfaces.names()

# Every surface with its defaults, plus non-default parameters at the edges of the accepted ranges.
CASES = [(name, {}) for name in NAMES] + [
    ("quadratic", {"a": 0.3, "b": 7.0}),
    ("ravine", {"a": 50.0, "b": 0.5, "angle": -90.0}),
    ("ravine", {"a": 3.0, "b": 9.0, "angle": 45.0}),
    ("rosenbrock", {"a": 0.0, "b": 10.0}),
    ("rosenbrock", {"a": 2.0, "b": 1000.0}),
    ("plateau", {"s": 0.1}),
    ("plateau", {"s": 10.0}),
    ("two_minima", {"c": 0.0}),
    ("two_minima", {"c": 0.38}),
    ("rastrigin", {"A": 1.0}),
    ("rastrigin", {"A": 50.0}),
]
IDS = [f"{n}-{'-'.join(f'{k}={v:g}' for k, v in p.items()) or 'default'}" for n, p in CASES]

# Bad parameter values for every parameterized surface (each must raise ValueError).
BAD = [
    ("quadratic", "a", 0.0),
    ("quadratic", "b", -1.0),
    ("ravine", "a", 0.0),
    ("ravine", "b", 101.0),
    ("ravine", "angle", 91.0),
    ("rosenbrock", "a", -0.5),
    ("rosenbrock", "a", 2.5),
    ("rosenbrock", "b", 0.0),
    ("plateau", "s", 0.05),
    ("plateau", "s", 11.0),
    ("two_minima", "c", -0.1),
    ("two_minima", "c", 0.39),  # beyond 2/(3 sqrt 3) the local minimum no longer exists
    ("rastrigin", "A", 0.5),
    ("rastrigin", "A", 51.0),
]


@pytest.fixture(params=CASES, ids=IDS)
def surf(request):
    name, params = request.param
    return surfaces.make(name, **params)


def _inside(s, n, seed=0):
    (x0, x1), (y0, y1) = s.bounds
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)], -1)


def _fd_grad(s, p, h=1e-6):
    """Central differences of the value, one coordinate at a time: (n, 2)."""
    e = np.eye(2) * h
    return np.stack([(s.value(p + e[i]) - s.value(p - e[i])) / (2 * h) for i in range(2)], -1)


def _fd_hess(s, p, h=1e-6):
    """Central differences of the exact gradient: column i is d(grad)/d(x_i), (n, 2, 2)."""
    e = np.eye(2) * h
    return np.stack([(s.grad(p + e[i]) - s.grad(p - e[i])) / (2 * h) for i in range(2)], -1)


def _assert_close(approx, exact, scale, rtol=1e-5):
    """|approx - exact| <= rtol * (|exact| + scale) elementwise; ``scale`` absorbs the round-off of
    the difference quotient (eps * |f| / h) where the exact value is near zero."""
    err = np.abs(approx - exact)
    bound = rtol * (np.abs(exact) + scale)
    worst = np.unravel_index(np.argmax(err / bound), err.shape)
    assert np.all(err <= bound), f"worst at {worst}: approx {approx[worst]}, exact {exact[worst]}"


# -- exact derivatives ----------------------------------------------------------------------------


def test_gradient_matches_central_differences(surf):
    p = _inside(surf, 200, seed=1)
    scale = 1e-2 * (1.0 + np.abs(surf.value(p)))[:, None]
    _assert_close(_fd_grad(surf, p), surf.grad(p), scale)


def test_hessian_matches_central_differences_of_the_gradient(surf):
    p = _inside(surf, 200, seed=2)
    hess = surf.hessian(p)
    assert np.array_equal(hess, np.swapaxes(hess, -1, -2)), "Hessian must be symmetric"
    scale = 1e-2 * (1.0 + np.abs(surf.grad(p)).max(-1))[:, None, None]
    _assert_close(_fd_hess(surf, p), hess, scale)


def test_finite_difference_check_catches_a_wrong_gradient():
    """The tolerance above is tight enough to see a 0.1% error in a gradient."""
    s = surfaces.make("rosenbrock")
    p = _inside(s, 50, seed=3)
    scale = 1e-2 * (1.0 + np.abs(s.value(p)))[:, None]
    with pytest.raises(AssertionError):
        _assert_close(_fd_grad(s, p), 1.001 * s.grad(p), scale)


@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 1, 3)])
def test_vectorized_shapes_match_pointwise(surf, shape):
    n = int(np.prod(shape, dtype=int))
    p = _inside(surf, n, seed=4).reshape(*shape, 2)
    v, g, h = surf.value(p), surf.grad(p), surf.hessian(p)
    assert v.shape == shape and g.shape == (*shape, 2) and h.shape == (*shape, 2, 2)
    flat = p.reshape(-1, 2)
    for i, q in enumerate(flat):
        idx = np.unravel_index(i, shape) if shape else ()
        assert surf.value(q).shape == () and surf.grad(q).shape == (2,)
        # a batch and a point may take different SIMD paths for exp/sin/cos (last bits differ on
        # some CPUs): equal to rounding, not bit for bit
        np.testing.assert_allclose(v[idx], surf.value(q), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(g[idx], surf.grad(q), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(h[idx], surf.hessian(q), rtol=1e-12, atol=1e-12)


def test_a_list_is_accepted_and_a_wrong_last_axis_is_refused():
    s = surfaces.make("quadratic", a=4.0, b=1.0)
    np.testing.assert_array_equal(s.grad([1.0, 1.0]), [4.0, 1.0])
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        s.value(np.zeros((4, 3)))


@settings(max_examples=150, deadline=None)
@given(
    x=st.floats(-2.0, 2.0),
    y=st.floats(-1.0, 3.0),
    a=st.floats(0.0, 2.0),
    b=st.floats(0.5, 1000.0),
)
def test_rosenbrock_gradient_hypothesis(x, y, a, b):
    s = surfaces.make("rosenbrock", a=a, b=b)
    p = np.array([[x, y]])
    exact = s.grad(p)
    _assert_close(_fd_grad(s, p, h=1e-5), exact, 1e-2 * (1.0 + abs(s.value(p)[0])))
    np.testing.assert_allclose(exact[0], [-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)])


@settings(max_examples=150, deadline=None)
@given(
    x=st.floats(-100.0, 100.0),
    y=st.floats(-100.0, 100.0),
    a=st.floats(0.01, 100.0),
    b=st.floats(0.01, 100.0),
)
def test_quadratic_gradient_hypothesis(x, y, a, b):
    s = surfaces.make("quadratic", a=a, b=b)
    p = np.array([[x, y]])
    _assert_close(_fd_grad(s, p, h=1e-4), s.grad(p), 1e-2 * (1.0 + abs(s.value(p)[0])))
    np.testing.assert_allclose(s.hessian(p)[0], [[a, 0.0], [0.0, b]])


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    u=st.floats(0.0, 1.0),
    v=st.floats(0.0, 1.0),
)
def test_every_gradient_and_hessian_hypothesis(name, u, v):
    s = surfaces.make(name)
    (x0, x1), (y0, y1) = s.bounds
    p = np.array([[x0 + u * (x1 - x0), y0 + v * (y1 - y0)]])
    _assert_close(_fd_grad(s, p), s.grad(p), 1e-2 * (1.0 + abs(s.value(p)[0])))
    _assert_close(_fd_hess(s, p), s.hessian(p), 1e-2 * (1.0 + np.abs(s.grad(p)).max()))


# -- minima ---------------------------------------------------------------------------------------


def test_listed_minima_are_minima(surf):
    assert surf.minima, "every built-in surface lists its minima"
    (x0, x1), (y0, y1) = surf.bounds
    for m in surf.minima:
        xy = np.array(m.xy)
        assert x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1, f"{m} outside the bounds"
        assert np.linalg.norm(surf.grad(xy)) < 1e-8, m
        assert np.all(np.linalg.eigvalsh(surf.hessian(xy)) > 0), m
        assert m.value == pytest.approx(float(surf.value(xy)), rel=1e-12, abs=1e-14)


def test_exactly_the_global_minima_are_lowest(surf):
    vals = np.array([m.value for m in surf.minima])
    flags = np.array([m.is_global for m in surf.minima])
    low = vals.min()
    lowest = vals <= low + 1e-9 * max(1.0, abs(low))
    np.testing.assert_array_equal(flags, lowest)
    assert surf.global_min is not None and surf.global_min.value == pytest.approx(low, abs=1e-12)


def test_no_unlisted_minimum_inside_the_bounds(surf):
    """Newton's method (damped, on the exact Hessian) from a grid of starts: every minimum it finds
    inside the plotting window is one of the listed ones."""
    (x0, x1), (y0, y1) = surf.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40))
    p = np.stack([gx.ravel(), gy.ravel()], -1)
    with np.errstate(all="ignore"):
        for _ in range(60):
            step = np.linalg.solve(surf.hessian(p), surf.grad(p)[..., None])[..., 0]
            step = np.where(np.isfinite(step), step, 0.0)
            size = np.linalg.norm(step, axis=-1, keepdims=True)
            p = p - step * np.minimum(1.0, 0.25 * max(x1 - x0, y1 - y0) / np.maximum(size, 1e-300))
            p = np.where(np.abs(p) < 1e6, p, 0.0)
        found = (
            (np.linalg.norm(surf.grad(p), axis=-1) < 1e-9)
            & np.all(np.linalg.eigvalsh(surf.hessian(p)) > 1e-9, axis=-1)
            & (p[:, 0] >= x0)
            & (p[:, 0] <= x1)
            & (p[:, 1] >= y0)
            & (p[:, 1] <= y1)
        )
    listed = np.array([m.xy for m in surf.minima])
    assert found.sum() > 0
    dist = np.linalg.norm(p[found][:, None, :] - listed[None], axis=-1).min(1)
    assert np.all(dist < 1e-7), f"unlisted minima: {p[found][dist >= 1e-7][:5]}"


def test_known_minima_from_the_literature():
    s = surfaces.make("rosenbrock", a=1.5, b=20.0)
    assert [m.xy for m in s.minima] == [(1.5, 2.25)]

    him = surfaces.make("himmelblau")
    known = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    np.testing.assert_allclose([m.xy for m in him.minima], known, atol=1e-6)
    assert all(m.is_global and abs(m.value) < 1e-25 for m in him.minima)

    cam = surfaces.make("six_hump_camel")
    glob = sorted(m.xy for m in cam.minima if m.is_global)
    np.testing.assert_allclose(glob, [(-0.0898, 0.7126), (0.0898, -0.7126)], atol=1e-4)
    assert cam.global_min.value == pytest.approx(-1.0316284535, abs=1e-10)
    vals = sorted(round(m.value, 4) for m in cam.minima)
    assert vals == [-1.0316, -1.0316, -0.2155, -0.2155, 2.1043, 2.1043]

    assert [(m.xy, m.value) for m in surfaces.make("beale").minima] == [((3.0, 0.5), 0.0)]
    assert [m.xy for m in surfaces.make("booth").minima] == [(1.0, 3.0)]
    assert sorted(m.xy for m in surfaces.make("saddle").minima) == [(0.0, -1.0), (0.0, 1.0)]


def test_two_minima_solve_the_cubic():
    for c in (0.0, 0.1, 0.25, 0.38):
        s = surfaces.make("two_minima", c=c)
        xs = sorted(m.xy[0] for m in s.minima)
        roots = np.sort(np.roots([1.0, 0.0, -1.0, c]).real)
        np.testing.assert_allclose(xs, roots[[0, 2]], atol=1e-12)
        glob = [m for m in s.minima if m.is_global]
        assert len(glob) == (2 if c == 0 else 1)
        if c > 0:
            assert glob[0].xy[0] < 0 and glob[0].value < max(m.value for m in s.minima)


def test_rastrigin_lists_every_dip_in_the_square():
    s = surfaces.make("rastrigin")
    assert len(s.minima) == 121  # one near each integer point of [-5, 5]^2
    assert [m for m in s.minima if m.is_global] == [surfaces.Minimum((0.0, 0.0), 0.0, True)]
    near = np.round([m.xy for m in s.minima])
    assert len({tuple(q) for q in near}) == 121
    # A smaller A flattens the ripples: the outer dips disappear (2x beats 2 pi A sin 2 pi x).
    assert len(surfaces.make("rastrigin", A=1.0).minima) < 121


def test_saddle_point_is_a_saddle():
    s = surfaces.make("saddle")
    np.testing.assert_array_equal(s.grad([0.0, 0.0]), [0.0, 0.0])
    np.testing.assert_array_equal(np.linalg.eigvalsh(s.hessian([0.0, 0.0])), [-1.0, 1.0])


# -- catalogue metadata ---------------------------------------------------------------------------


def test_metadata(surf):
    (x0, x1), (y0, y1) = surf.bounds
    assert x0 < x1 and y0 < y1
    sx, sy = surf.start
    assert np.isfinite(sx) and np.isfinite(sy)
    assert x0 <= sx <= x1 and y0 <= sy <= y1
    assert np.isfinite(surf.value(surf.start))
    assert surf.description.strip() and surf.formula.strip()
    assert surf.name in NAMES


def test_names_and_order():
    assert NAMES[0] == "quadratic"
    required = {
        "rosenbrock",
        "himmelblau",
        "two_minima",
        "saddle",
        "plateau",
        "six_hump_camel",
        "rastrigin",
        "beale",
    }
    assert required <= set(NAMES)
    assert len(NAMES) == len(set(NAMES))
    for name in NAMES:
        assert surfaces.make(name).name == name


def test_params_are_recorded():
    s = surfaces.make("rosenbrock", a=0.5, b=10)
    assert dict(s.params) == {"a": 0.5, "b": 10.0}
    assert s.minima[0].xy == (0.5, 0.25)


def test_unknown_surface_lists_the_accepted_names():
    with pytest.raises(ValueError, match="nope") as err:
        surfaces.make("nope")
    for name in NAMES:
        assert name in str(err.value)


@pytest.mark.parametrize(("name", "param", "value"), BAD)
def test_out_of_range_parameters_are_refused(name, param, value):
    with pytest.raises(ValueError, match=param) as err:
        surfaces.make(name, **{param: value})
    assert repr(value) in str(err.value) or f"{value:g}" in str(err.value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "big", None])
@pytest.mark.parametrize(("name", "param"), sorted({(n, p) for n, p, _ in BAD}))
def test_non_numbers_are_refused(name, param, value):
    with pytest.raises(ValueError, match=param):
        surfaces.make(name, **{param: value})


def test_unknown_parameter_is_refused():
    with pytest.raises(ValueError, match="accepted: a, b"):
        surfaces.make("rosenbrock", c=1.0)
    with pytest.raises(ValueError, match="accepted: none"):
        surfaces.make("himmelblau", a=1.0)


# -- what each default start shows (plain gradient descent, the teaching claims) --------------------


def _gd(s, lrs, steps, start=None):
    """Plain GD for a batch of learning rates: p <- p - lr * grad(p); rows that blow up turn NaN."""
    lrs = np.asarray(lrs, dtype=np.float64)[:, None]
    p = np.tile(np.asarray(start if start is not None else s.start, dtype=np.float64), (len(lrs), 1))
    with np.errstate(all="ignore"):
        for _ in range(steps):
            p = p - lrs * s.grad(p)
            p = np.where(np.abs(p) < 1e6, p, np.nan)
    return p


def _landed(s, p, tol=1e-6):
    """The listed minimum within ``tol`` of each row of ``p`` (or None)."""
    out = []
    for q in p:
        d = [np.hypot(m.xy[0] - q[0], m.xy[1] - q[1]) for m in s.minima]
        out.append(s.minima[int(np.argmin(d))] if np.isfinite(q).all() and min(d) < tol else None)
    return out


def test_two_minima_small_lr_stuck_large_lr_global():
    s = surfaces.make("two_minima")
    small, large, huge = _landed(s, _gd(s, [0.1, 0.4, 0.8], 300))
    assert small is not None and not small.is_global
    assert large is not None and large.is_global
    assert huge is None


def test_six_hump_camel_small_lr_stuck_large_lr_global():
    s = surfaces.make("six_hump_camel")
    small, large = _landed(s, _gd(s, [0.03, 0.1], 400))
    assert small is not None and not small.is_global
    assert large is not None and large.is_global


def test_himmelblau_lr_picks_the_minimum():
    s = surfaces.make("himmelblau")
    a, b = _landed(s, _gd(s, [0.005, 0.015], 400))
    assert a is not None and b is not None and a.xy != b.xy


def test_saddle_stalls_then_escapes():
    s = surfaces.make("saddle")
    slow, fast = _gd(s, [0.05, 0.3], 60)
    assert np.hypot(*slow) < 0.1  # parked at the saddle: y grew only by 1.05^60 from 1e-3
    assert _landed(s, fast[None])[0] is not None
    assert _landed(s, _gd(s, [0.05], 400))[0] is not None  # and escapes in the end


def test_plateau_small_lr_crawls():
    s = surfaces.make("plateau")
    slow, fast = _gd(s, [0.01, 0.5], 200)
    assert s.value(slow) > 0.95 and np.linalg.norm(s.grad(slow)) < 0.05
    assert _landed(s, fast[None])[0] is not None


def test_rastrigin_small_lr_stops_in_the_nearest_dip():
    s = surfaces.make("rastrigin")
    (end,) = _gd(s, [1e-3], 300)
    m = _landed(s, end[None])[0]
    assert m is not None and not m.is_global
    assert tuple(np.round(m.xy)) == tuple(np.round(s.start))  # the dip the start lies in
