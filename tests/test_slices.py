"""lrlab.slices: the loss along the steepest direction through a minimum, and the runs' projections on
it, against closed forms, finite differences and 1-D runs of the same optimizers."""

from __future__ import annotations

import numpy as np
import pytest

import lrlab
from lrlab import optimizers, slices, surfaces


def one_d_run(opt_name: str, lam: float, s0: float, lr: float, steps: int) -> np.ndarray:
    """A 1-D run of the optimizer on g(s) = λ s²/2 (gradient λ s), with lrlab.optimizers itself."""
    opt = optimizers.make(opt_name)
    s = np.array([s0])
    state = opt.init(s)
    out = [s0]
    for _ in range(steps):
        s, state = opt.step(s, lam * s, state, lr)
        out.append(float(s[0]))
    return np.array(out)


# -- the direction, the curvature and the curve ---------------------------------------------------


def test_quadratic_slice_is_the_parabola_along_the_stiff_axis():
    bowl = surfaces.make("quadratic", a=4.0, b=1.0)
    sl = slices.steepest(bowl, (0.0, 0.0))
    assert sl.lam == pytest.approx(4.0)
    assert sl.v == pytest.approx([1.0, 0.0])
    assert sl.exact
    np.testing.assert_allclose(sl.g, 2.0 * sl.s**2, rtol=1e-12, atol=1e-15)  # g = λ s²/2
    # no points: the line's chord through the box [-2, 2]², widened by PAD of its width each side
    assert (sl.lo, sl.hi) == pytest.approx((-2 - 4 * slices.PAD, 2 + 4 * slices.PAD))


@pytest.mark.parametrize("a, b, angle", [(20.0, 1.0, 30.0), (5.0, 2.0, -70.0), (9.0, 1.0, 60.0)])
def test_rotated_ravine_slice_follows_the_rotated_axis(a, b, angle):
    surf = surfaces.make("ravine", a=a, b=b, angle=angle)
    sl = slices.steepest(surf, (0.0, 0.0))
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    expected = np.array([c, s]) * (1 if abs(c) >= abs(s) and c > 0 or abs(s) > abs(c) and s > 0 else -1)
    assert sl.lam == pytest.approx(a)
    assert sl.v == pytest.approx(expected, abs=1e-12)
    assert np.abs(sl.v).max() == pytest.approx(sl.v[np.argmax(np.abs(sl.v))])  # the sign rule
    np.testing.assert_allclose(sl.g, 0.5 * a * sl.s**2, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau", "beale", "six_hump_camel", "rastrigin"])
def test_curvature_of_the_slice_at_its_minimum_by_finite_differences(name):
    surf = surfaces.make(name)
    m = surf.global_min.xy
    sl = slices.steepest(surf, m)
    h = surf.hessian(np.array(m))
    assert h @ sl.v == pytest.approx(sl.lam * sl.v, rel=1e-9, abs=1e-9)  # an eigenpair
    assert np.linalg.norm(sl.v) == pytest.approx(1.0)
    assert sl.lam == pytest.approx(np.linalg.eigvalsh(h)[-1])
    assert not sl.exact
    e = 1e-4
    g0, gp, gm = sl.value(np.array([0.0, e, -e]))
    assert g0 == 0.0
    assert (gp - gm) / (2 * e) == pytest.approx(0.0, abs=1e-6 * (1 + sl.lam))  # g'(0) = 0 at a minimum
    assert (gp - 2 * g0 + gm) / e**2 == pytest.approx(sl.lam, rel=1e-5)  # g''(0) = λ
    assert sl.model(e) == pytest.approx(0.5 * sl.lam * e * e)


def test_rosenbrock_closed_form():
    # at (1, 1): H = [[802, -400], [-400, 200]]: λ = 501 + sqrt(301² + 400²)
    sl = slices.steepest(surfaces.make("rosenbrock"), (1.0, 1.0))
    assert sl.lam == pytest.approx(501 + np.hypot(301, 400), rel=1e-12)
    assert sl.v[1] / sl.v[0] == pytest.approx((sl.lam - 802) / -400, rel=1e-12)
    # along the line: f(1 + s v1, 1 + s v2) written out
    s = np.linspace(-1, 1, 7)
    x, y = 1 + s * sl.v[0], 1 + s * sl.v[1]
    np.testing.assert_allclose(sl.value(s), (1 - x) ** 2 + 100 * (y - x * x) ** 2, rtol=1e-12, atol=1e-14)


def test_which_surfaces_are_quadratics_is_checked_against_their_hessians():
    rng = np.random.default_rng(3)
    for name in surfaces.names():
        surf = surfaces.make(name)
        (x0, x1), (y0, y1) = surf.bounds
        pts = np.stack([rng.uniform(x0, x1, 50), rng.uniform(y0, y1, 50)], -1)
        h = surf.hessian(pts)
        constant = bool(np.allclose(h, h[:1], rtol=0, atol=1e-12))
        assert slices.constant_hessian(surf) == constant, name
        assert (name in slices.CONSTANT_HESSIAN) == constant, name


@pytest.mark.parametrize(
    "formula, exact",
    [
        ("x**2 + 3*y**2", True),
        ("(x - 1)**2 + 2*x*y + y**2/2", True),
        ("x**4 + y**2", False),
        ("sin(x) + y**2", False),
    ],
)
def test_a_typed_formula_is_exact_when_its_symbolic_hessian_is_constant(formula, exact):
    surf = surfaces.from_expression(formula)
    assert slices.constant_hessian(surf) is exact


def test_the_samples_interpolate_the_curve_within_tol():
    rng = np.random.default_rng(0)
    for name in ("quadratic", "rosenbrock", "rastrigin", "himmelblau", "plateau"):
        surf = surfaces.make(name)
        sl = slices.steepest(surf, surf.global_min.xy)
        assert slices.N_MIN <= len(sl.s) <= slices.N_MAX
        s = rng.uniform(sl.lo, sl.hi, 4000)
        height = np.ptp(sl.value(np.linspace(sl.lo, sl.hi, 20001)))
        assert np.max(np.abs(sl.interpolate(s) - sl.value(s))) <= 1.5 * slices.TOL * height, name
    # ripples need more samples than a bowl
    assert len(slices.steepest(surfaces.make("rastrigin"), (0.0, 0.0)).s) > len(
        slices.steepest(surfaces.make("quadratic"), (0.0, 0.0)).s
    )


# -- the runs on the slice: exactly 1-D on a quadratic ---------------------------------------------


def test_sgd_on_the_bowl_is_one_d_gradient_descent_on_the_slice():
    bowl = surfaces.make("quadratic", a=4.0, b=1.0)
    lrs = [0.1, 0.35, 0.5, 0.55]  # below 1/λ, between 1/λ and 2/λ, on 2/λ, above
    traj = lrlab.descend(bowl, "sgd", lrs, start=(-1.5, 1.5), steps=60)
    sl = slices.steepest(bowl, (0.0, 0.0), points=traj.points)
    s = sl.project(traj.points)
    t = np.arange(61)
    for k, lr in enumerate(lrs):
        ok = np.isfinite(s[k])
        expected = (1 - lr * 4.0) ** t * -1.5  # s_t = (1 − ηλ)^t s_0
        np.testing.assert_allclose(s[k][ok], expected[ok], rtol=1e-12, atol=1e-15)
    # overshoot: the sign flips every step and |s| shrinks by |1 − ηλ| = 0.4
    assert np.all(np.sign(s[1, 1:]) == -np.sign(s[1, :-1]))
    np.testing.assert_allclose(np.abs(s[1, 1:]) / np.abs(s[1, :-1]), 0.4, rtol=1e-12)
    # on the 2/λ line it bounces at constant amplitude
    np.testing.assert_allclose(np.abs(s[2]), 1.5, rtol=1e-12)
    assert np.all(np.sign(s[2, 1:]) == -np.sign(s[2, :-1]))
    # above it, |s| grows by 1.2 per step until the run is stopped, and the slice reports where it leaves
    d = traj.diverged_at[3]
    np.testing.assert_allclose(np.abs(s[3, 1:d]) / np.abs(s[3, : d - 1]), 1.2, rtol=1e-12)
    left = sl.leaves(traj.points)
    assert left[:3].tolist() == [-1, -1, -1]
    first = int(np.argmax(np.abs(s[3]) > sl.hi))
    assert left[3] == first and 0 < first < d
    assert abs(s[3, first - 1]) <= sl.hi < abs(s[3, first])
    # the dot's height is the loss in this direction: on the bowl λ s²/2
    np.testing.assert_allclose(sl.value(s[1]), 2.0 * s[1] ** 2, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("opt", ["sgd", "momentum", "nesterov"])
@pytest.mark.parametrize("surface", ["ravine", "booth", "quadratic"])
def test_linear_optimizers_move_the_projection_as_a_one_d_run(opt, surface):
    surf = surfaces.make(surface)
    m = surf.global_min.xy
    lam = float(np.linalg.eigvalsh(surf.hessian(np.array(m)))[-1])
    lrs = np.array([0.3, 0.9, 1.5, 2.5]) / lam  # across the theory's lines
    traj = lrlab.descend(surf, opt, lrs, steps=40)
    sl = slices.steepest(surf, m)
    assert sl.one_dimensional(opt)
    s = sl.project(traj.points)
    for k, lr in enumerate(lrs):
        ref = one_d_run(opt, sl.lam, float(s[k, 0]), lr, 40)
        ok = np.isfinite(s[k])
        scale = np.maximum(np.abs(ref[ok]), np.abs(s[k, 0]))
        assert np.max(np.abs(s[k][ok] - ref[ok]) / scale) < 1e-9, (opt, surface, lr)


def test_adam_is_one_d_on_an_axis_aligned_bowl_but_not_on_a_rotated_one():
    bowl = surfaces.make("quadratic", a=4.0, b=1.0)
    traj = lrlab.descend(bowl, "adam", [0.05, 0.3], steps=60)
    sl = slices.steepest(bowl, (0.0, 0.0))
    assert sl.one_dimensional("adam")
    s = sl.project(traj.points)
    for k, lr in enumerate([0.05, 0.3]):
        np.testing.assert_allclose(s[k], one_d_run("adam", 4.0, -1.5, lr, 60), rtol=1e-9, atol=1e-12)
    ravine = surfaces.make("ravine")
    rsl = slices.steepest(ravine, (0.0, 0.0))
    assert rsl.exact and not rsl.one_dimensional("adam") and rsl.one_dimensional("sgd")
    one = lrlab.descend(ravine, "adam", 0.05, steps=60)
    rs = rsl.project(one.points)
    assert np.max(np.abs(rs - one_d_run("adam", 20.0, float(rs[0]), 0.05, 60))) > 1e-2  # it does differ


def test_not_one_dimensional_off_a_quadratic():
    sl = slices.steepest(surfaces.make("rosenbrock"), (1.0, 1.0))
    assert not sl.one_dimensional("sgd")


# -- the range, the centres, a batch ---------------------------------------------------------------


def test_the_range_covers_the_points_inside_the_box_only():
    bowl = surfaces.make("quadratic")
    pts = np.array([[-1.0, 0.5], [0.5, 1.9], [50.0, 0.0], [np.nan, np.nan]])  # the third is off the map
    lo, hi = slices.covering(bowl, (0.0, 0.0), np.array([1.0, 0.0]), pts)
    width = 1.5
    assert (lo, hi) == pytest.approx((-1.0 - slices.PAD * width, 0.5 + slices.PAD * width))
    # the minimum is always inside, and a range never shrinks to nothing
    lo, hi = slices.covering(bowl, (0.0, 0.0), np.array([1.0, 0.0]), np.array([[0.0, 0.0]]))
    assert (lo, hi) == pytest.approx((-slices.MIN_HALF * 4, slices.MIN_HALF * 4))
    with pytest.raises(ValueError, match="lo < hi"):
        slices.steepest(bowl, (0.0, 0.0), span=(1.0, 1.0))


def test_centres_a_diverged_run_is_sliced_where_its_start_leads():
    surf = surfaces.make("himmelblau")
    traj = lrlab.descend(surf, "sgd", [0.001, 0.01, 0.02, 0.05], steps=200)
    assert traj.diverged_at[3] is not None
    c = slices.centres(surf, traj)
    for k in range(3):
        assert tuple(c[k]) == pytest.approx(traj.approached[k].xy)
    start_leads = lrlab.theory.reference_point(surf, np.array(surf.start))
    assert tuple(c[3]) == pytest.approx(start_leads)


def test_a_batch_equals_its_runs_one_by_one():
    surf = surfaces.make("two_minima")
    traj = lrlab.descend(surf, "momentum", [0.01, 0.1, 0.5, 2.0], steps=80)
    c = slices.centres(surf, traj)
    sl = slices.steepest(surf, c[0], points=traj.points)
    s, left = sl.project(traj.points), sl.leaves(traj.points)
    for k, one in enumerate(traj.runs()):
        assert slices.centres(surf, one)[0] == pytest.approx(c[k])
        np.testing.assert_array_equal(sl.project(one.points), s[k])
        got = sl.leaves(one.points)
        assert (got if got is not None else -1) == left[k]
