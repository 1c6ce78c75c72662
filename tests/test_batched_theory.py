"""The engine's per-run work done for K runs at once: Newton's approached minimum, the critical lrs,
the contraction factors, the crossing count and the runner's range check, each against the one-run
computation (or a plain reference written out here) and the closed forms of the theory."""

from __future__ import annotations

import numpy as np
import pytest

import lrlab
from lrlab import descent, fan, noise, optimizers, regimes, schedules, surfaces, theory

RNG = np.random.default_rng(20240611)


def _points(surf, k: int) -> np.ndarray:
    (x0, x1), (y0, y1) = surf.bounds
    return np.column_stack([RNG.uniform(x0, x1, k), RNG.uniform(y0, y1, k)])


NEWTON_SURFACES = ["rosenbrock", "six_hump_camel", "himmelblau", "beale", "rastrigin", "saddle"]


@pytest.mark.parametrize("name", NEWTON_SURFACES)
def test_newton_on_k_points_equals_newton_on_each(name):
    surf = surfaces.make(name)
    pts = np.vstack([_points(surf, 40), [m.xy for m in surf.minima[:5]], [[np.nan, 0.0]]])
    found, ok = theory.newton(surf, pts)
    for k, p in enumerate(pts):
        one, one_ok = theory.newton(surf, p[None])
        assert one_ok[0] == ok[k], p
        np.testing.assert_allclose(one[0], found[k], rtol=1e-12, atol=1e-12, equal_nan=True)
    # what it calls a minimum is one: stationary, the Hessian positive definite
    g, h = surf.grad(found[ok]), surf.hessian(found[ok])
    assert np.all(surfaces.norm(g) < 1e-6) and np.all(np.linalg.eigvalsh(h)[:, 0] > 0)
    assert not ok[-1]  # a point that is not a number finds nothing


@pytest.mark.parametrize("name", ["rosenbrock", "two_minima", "six_hump_camel", "plateau"])
def test_approached_for_k_ends_equals_approached_for_each(name):
    surf = surfaces.make(name)
    ends = np.vstack([_points(surf, 30), [[1e6, -1e6]]])
    batch = theory.approached(surf, ends)
    assert batch == [theory.approached(surf, e[None])[0] for e in ends]
    listed = {m.xy: m for m in surf.minima}
    for a in batch[:-1]:  # every built-in surface lists all its minima: from the plot, a listed one
        assert a is not None and listed[a.xy].value == a.value and listed[a.xy].is_global == a.is_global


def test_approached_on_a_typed_formula_is_newtons_minimum():
    surf = surfaces.from_expression("(x - 1)**2 + 3*(y + 0.5)**2 + 0.1*x**4")
    ends = _points(surf, 12)
    recs = theory.approached(surf, ends)
    for a, end in zip(recs, ends, strict=True):
        assert a is not None and a.is_global is None  # stationary, to Newton's own bar:
        bar = theory.STATIONARY * (1 + surfaces.norm(surf.grad(end)))
        assert surfaces.norm(surf.grad(np.array(a.xy))) < bar
    assert len({np.round(a.xy, 9).tobytes() for a in recs}) == 1  # a convex bowl: one minimum


@pytest.mark.parametrize("opt", ["sgd", "momentum", "nesterov", "adam"])
@pytest.mark.parametrize("hyper", [{}, {"weight_decay": 0.05}])
def test_critical_lrs_at_k_points_equal_critical_lrs_at_each(opt, hyper):
    surf = surfaces.make("rosenbrock")
    optimizer = optimizers.make(opt, **hyper)
    at = _points(surf, 25)
    batch = theory.critical_lrs_all(surf, optimizer, at)
    for a, crit in zip(at, batch, strict=True):
        one = theory.critical_lrs(surf, optimizer, at=a)
        assert crit.at == one.at and crit.rule == one.rule
        assert crit.lam == pytest.approx(one.lam, rel=1e-12)
        for v, w in ((crit.overshoot, one.overshoot), (crit.diverge, one.diverge)):
            assert (v is None) == (w is None) and (v is None or v == pytest.approx(w, rel=1e-12))
        lam = np.linalg.eigvalsh(surf.hessian(a))[-1] + hyper.get("weight_decay", 0.0)
        if opt == "sgd" and lam > 0:  # the closed form: 1/λ and 2/λ
            assert crit.overshoot == pytest.approx(1 / lam, rel=1e-12)
            assert crit.diverge == pytest.approx(2 / lam, rel=1e-12)
        if opt == "adam" or lam <= 0:
            assert crit.diverge is None and crit.overshoot is None and crit.rule == ""


def test_threshold_arrays_equal_thresholds_one_by_one():
    lams = np.array([4.0, 0.25, 1e-3, 0.0, -2.0, np.nan, 1e300])
    for name in ("sgd", "momentum", "nesterov", "rmsprop"):
        for hyper in ({}, {"momentum": 0.5, "dampening": 0.3}, {"weight_decay": 0.1}):
            hyper = {k: v for k, v in hyper.items() if k in optimizers.defaults(name)}
            full = {**optimizers.defaults(name), **hyper}
            over, div, rule = theory.threshold_arrays(name, full, lams)
            for k, lam in enumerate(lams):
                o, d, r = theory.thresholds(name, full, float(lam))
                assert (d is None) == bool(np.isnan(div[k])) and (o is None) == bool(np.isnan(over[k]))
                if d is not None:
                    assert r == rule
                    assert (o, d) == (pytest.approx(over[k], rel=1e-15), pytest.approx(div[k], rel=1e-15))


def _radius_by_roots(name, hyper, lr, lam):
    """The spectral radius from numpy.roots of the characteristic polynomial (the module docstring)."""
    lam = lam + hyper.get("weight_decay", 0.0)
    if name == "sgd":
        return abs(1 - lr * lam)
    beta, lr = hyper["momentum"], lr * (1 - hyper.get("dampening", 0.0))
    if name == "momentum":
        coeffs = [1.0, -(1 + beta - lr * lam), beta]
    else:
        coeffs = [1.0, -(1 + beta) * (1 - lr * lam), beta * (1 - lr * lam)]
    return float(np.max(np.abs(np.roots(coeffs))))


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov"])
def test_contractions_equal_the_roots_of_the_characteristic_polynomial(name):
    hyper = {**optimizers.defaults(name), "weight_decay": 0.01}
    lam = 10 ** RNG.uniform(-2, 2, 300)
    lr = 10 ** RNG.uniform(-4, 1, 300)
    lr[:20] = 1 / (lam[:20] + 0.01)  # nesterov's c = β(1 − ηλ) = 0 here: numpy.roots' trailing-zero case
    got = theory.contractions(name, hyper, lr, lam)
    want = [_radius_by_roots(name, hyper, a, b) for a, b in zip(lr, lam, strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert theory.contraction(name, hyper, float(lr[7]), float(lam[7])) == pytest.approx(want[7], rel=1e-12)
    assert theory.contractions("adam", optimizers.defaults("adam"), lr, lam) is None


def test_heavy_ball_spirals_with_radius_sqrt_beta():
    """Complex roots z, z̄ of z² − (1 + β − ηλ)z + β have |z|² = β: between the overshoot line and the
    divergence line the heavy ball's distance shrinks by √β per step, whatever the lr."""
    hyper = optimizers.defaults("momentum")
    lam, beta = 4.0, hyper["momentum"]
    lo, hi = (1 - np.sqrt(beta)) ** 2 / lam, (1 + np.sqrt(beta)) ** 2 / lam
    lrs = np.linspace(lo, hi, 50)[1:-1]
    np.testing.assert_allclose(theory.contractions("momentum", hyper, lrs, lam), np.sqrt(beta), rtol=1e-9)


def _flips_by_hand(c, floor, where):
    """Per run and axis: walk the steps, remember the last visible sign, count the steps where a
    visible component has the other sign (and ``where`` allows it)."""
    k, t = c.shape[1:]
    counts, landed = np.zeros((2, k), int), np.zeros(k)
    for ax in range(2):
        for i in range(k):
            last = 0
            for s in range(t):
                v = c[ax, i, s]
                if not (np.isfinite(v) and abs(v) > floor[ax, i, min(s, floor.shape[-1] - 1)]):
                    continue
                if last and np.sign(v) != last and s > 0 and where[i, s - 1]:
                    counts[ax, i] += 1
                    landed[i] = max(landed[i], abs(v))
                last = np.sign(v)
    return counts.max(0), landed


def test_crossings_counted_at_once_equal_a_walk_through_each_run():
    k, t = 12, 60
    c = RNG.standard_normal((2, k, t)) * np.geomspace(1, 1e-3, t)
    c[:, :, ::7] *= 1e-12  # below the floor: they do not hide a crossing
    c[0, 3, 40:] = np.nan  # a run stopped
    c[1, 5, 10] = np.inf
    floor = np.full((1, k, 1), 1e-9)
    where = RNG.random((k, t - 1)) < 0.8
    late = where & (np.arange(1, t) >= t // 2)
    (flips, flips_late), landed = regimes._count_flips(c, floor, (where, late))
    want, want_landed = _flips_by_hand(c, np.broadcast_to(floor, (2, k, 1)), where)
    np.testing.assert_array_equal(flips, want)
    np.testing.assert_array_equal(flips_late, _flips_by_hand(c, np.broadcast_to(floor, (2, k, 1)), late)[0])
    np.testing.assert_array_equal(landed, want_landed)


@pytest.mark.parametrize("lr", [0.51, 0.6, 1.0, 2.0, 5.0, 40.0])
def test_a_run_leaving_the_range_stops_at_the_first_step_out(lr):
    """SGD on the bowl a = 4 from x₀: x_t = (1 − 4η)ᵗ x₀ exactly; the run stops at the first t with
    |x_t| ≥ ESCAPE × the plot width (checked every CHECK steps, the stop is still that step)."""
    surf = surfaces.make("quadratic", a=4.0, b=1.0)
    x0, steps = 1.5, 400
    (a, b), _ = surf.bounds
    limit = descent.ESCAPE * (b - a)
    t = np.arange(steps + 1)
    with np.errstate(over="ignore"):
        out = np.abs((1 - 4 * lr) ** t * x0) >= limit
    want = int(np.argmax(out)) if out.any() else None
    traj = lrlab.descend(surf, "sgd", [0.1, lr], start=(x0, 0.0), steps=steps)
    assert traj.diverged_at == (None, want)
    assert np.all(np.isfinite(traj.points[1, :want])) and np.all(np.isnan(traj.points[1, want:]))
    # a plateau schedule is checked every step: the same stop
    never = schedules.make("plateau", lr, patience=10**6)  # keeps lr; the runner checks every step
    plateau = lrlab.descend(surf, "sgd", never, start=(x0, 0.0), steps=steps)
    assert plateau.diverged_at == want


def test_norm_is_the_euclidean_length():
    v = RNG.standard_normal((5, 7, 2)) * 1e3
    np.testing.assert_allclose(surfaces.norm(v), np.linalg.norm(v, axis=-1), rtol=1e-15)
    with np.errstate(over="ignore"):
        assert surfaces.norm([3.0, 4.0]) == 5.0 and np.isinf(surfaces.norm([1e300, 1e300]))


def test_a_constant_hessian_follows_the_points_shape_and_their_nans():
    h = surfaces.make("quadratic", a=4.0, b=1.0).hessian([[0.0, 1.0], [np.nan, 0.0], [2.0, 3.0]])
    assert h.shape == (3, 2, 2)
    np.testing.assert_array_equal(h[[0, 2]], [[[4.0, 0.0], [0.0, 1.0]]] * 2)
    assert np.all(np.isnan(h[1]))


def test_the_fan_of_an_adaptive_optimizer_has_no_lines_and_no_newton(monkeypatch):
    surf = surfaces.make("rosenbrock")
    monkeypatch.setattr(theory, "reference_point", lambda *a: pytest.fail("no line to read"))
    assert fan.critical_at(surf, "adam", None) is None
    assert fan.critical_at(surf, optimizers.make("rmsprop"), (0.5, 0.5)) is None
    monkeypatch.undo()
    crit = fan.critical_at(surf, "sgd", None)
    assert crit == theory.critical_lrs(surf, "sgd", at=theory.reference_point(surf, np.array(surf.start)))
    assert crit.at == (1.0, 1.0)


def test_noise_balls_of_k_runs_equal_each_runs_ball():
    surf = surfaces.make("six_hump_camel")
    centres = [m.xy for m in surf.minima] + [None, (0.0, 0.0)]  # no minimum; a saddle-ish point
    lrs = np.geomspace(1e-3, 0.05, len(centres))[:, None] * np.ones(80)
    window = [(20, 81)] * len(centres)
    hyper = optimizers.defaults("momentum")
    balls = noise.run_balls(surf, centres, lrs, 0.3, "momentum", hyper, window)
    for i, c in enumerate(centres):
        one = noise.run_balls(surf, [c], lrs[i : i + 1], 0.3, "momentum", hyper, window[:1])[0]
        assert (one is None) == (balls[i] is None), c
        if one is not None:
            assert one.centre == balls[i].centre and one.radius == pytest.approx(balls[i].radius, rel=1e-12)
            np.testing.assert_allclose(balls[i].std_path, one.std_path, rtol=1e-12)
            lams = np.linalg.eigvalsh(surf.hessian(np.array(c)))
            np.testing.assert_allclose(balls[i].lams, lams, rtol=1e-12)
    assert balls[-2] is None and balls[-1] is None  # the Hessian at (0, 0) is not positive definite
