"""The descent runner: closed forms, theory thresholds, batching, divergence, bad arguments."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrlab
from lrlab import optimizers, schedules, surfaces, theory

QUAD = surfaces.make("quadratic", a=4.0, b=1.0)


def test_sgd_on_quadratic_matches_closed_form():
    traj = lrlab.descend(QUAD, optimizers.make("sgd"), 0.1, start=(1.0, -2.0), steps=30)
    t = np.arange(31)
    np.testing.assert_allclose(traj.points[:, 0], (1 - 0.1 * 4) ** t * 1.0, rtol=1e-12)
    np.testing.assert_allclose(traj.points[:, 1], (1 - 0.1 * 1) ** t * -2.0, rtol=1e-12)
    np.testing.assert_allclose(traj.loss, QUAD.value(traj.points), rtol=1e-12)
    np.testing.assert_allclose(traj.grad_norm, np.linalg.norm(QUAD.grad(traj.points), axis=-1))
    assert traj.lr.shape == (30,) and np.all(traj.lr == 0.1)
    assert traj.diverged_at is None


# (optimizer, hyper, threshold name) -> regimes on each side, 300 steps on a = 4, b = 1
SIDES = [
    ("sgd", {}, "overshoot", "converged", "oscillating"),
    ("sgd", {}, "diverge", "oscillating", "diverged"),
    ("momentum", {"momentum": 0.9}, "diverge", "oscillating", "diverged"),
    ("momentum", {"momentum": 0.5}, "diverge", "oscillating", "diverged"),
    ("nesterov", {"momentum": 0.9}, "diverge", "oscillating", "diverged"),
    ("nesterov", {"momentum": 0.5}, "diverge", "oscillating", "diverged"),
]


@pytest.mark.parametrize(("name", "hyper", "edge", "below", "above"), SIDES)
def test_regimes_agree_with_theory_on_both_sides(name, hyper, edge, below, above):
    opt = optimizers.make(name, **hyper)
    crit = theory.critical_lrs(QUAD, opt)
    assert crit.lam == pytest.approx(4.0)
    lr_edge = getattr(crit, edge)
    traj = lrlab.descend(QUAD, opt, [0.9 * lr_edge, 1.1 * lr_edge], start=(1.5, 0.0), steps=300)
    assert traj.regime == (below, above)


def test_theory_formulas():
    assert theory.critical_lrs(QUAD, "sgd").diverge == pytest.approx(0.5)
    assert theory.critical_lrs(QUAD, "sgd").overshoot == pytest.approx(0.25)
    assert theory.critical_lrs(QUAD, optimizers.make("momentum", momentum=0.9)).diverge == pytest.approx(
        2 * 1.9 / 4
    )
    assert theory.critical_lrs(QUAD, optimizers.make("nesterov", momentum=0.9)).diverge == pytest.approx(
        3.8 / (2.8 * 4)
    )
    assert theory.critical_lrs(QUAD, "adam").diverge is None
    # the spectral radius crosses 1 exactly at the divergence threshold
    for name in ("sgd", "momentum", "nesterov"):
        hyper = dict(optimizers.make(name).hyper)
        _, div, _ = theory.thresholds(name, hyper, 3.0)
        assert theory.contraction(name, hyper, div * (1 - 1e-6), 3.0) < 1
        assert theory.contraction(name, hyper, div * (1 + 1e-6), 3.0) > 1


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(0.1, 50.0), ratio=st.floats(0.05, 0.95) | st.floats(1.05, 1.95), ratio_div=st.floats(1.1, 3.0)
)
def test_sgd_regime_property(a, ratio, ratio_div):
    """For any curvature: below 1/a converged, between 1/a and 2/a oscillating, above 2/a diverged."""
    surf = surfaces.make("quadratic", a=a, b=a)
    lrs = np.array([ratio / a, ratio_div * 2 / a])
    # enough steps that the slowest converging case gets within tolerance
    factor = max(abs(1 - ratio), 1e-3)
    steps = int(min(5000, max(50, np.ceil(np.log(1e-6) / np.log(factor)) + 20)))
    traj = lrlab.descend(surf, "sgd", lrs, start=(1.0, 0.0), steps=steps)
    assert traj.regime[0] == ("converged" if ratio < 1 else "oscillating")
    assert traj.regime[1] == "diverged"


def test_batched_equals_single():
    opt = optimizers.make("adam")
    surf = surfaces.make("quadratic", a=10.0, b=0.5)
    lrs = np.array([1e-3, 0.03, 0.3, 1.0, 3.0])
    batch = lrlab.descend(surf, opt, lrs, start=(1.0, 1.5), steps=80)
    assert batch.points.shape == (5, 81, 2) and len(batch.regime) == 5
    for k, lr in enumerate(lrs):
        one = lrlab.descend(surf, opt, float(lr), start=(1.0, 1.5), steps=80)
        np.testing.assert_array_equal(batch.points[k], one.points)
        np.testing.assert_array_equal(batch.loss[k], one.loss)
        assert batch.regime[k] == one.regime and batch.diverged_at[k] == one.diverged_at
        assert batch.explanation[k] == one.explanation


def test_batched_starts_and_schedules():
    starts = np.array([[1.0, 1.0], [-1.0, 0.5], [0.2, -1.5]])
    batch = lrlab.descend(QUAD, "sgd", 0.1, start=starts, steps=20)
    for k in range(3):
        one = lrlab.descend(QUAD, "sgd", 0.1, start=starts[k], steps=20)
        np.testing.assert_array_equal(batch.points[k], one.points)
    sched = schedules.make("step", base_lr=0.4, step_size=5, gamma=0.5)
    traj = lrlab.descend(QUAD, "sgd", [sched, sched.scaled(0.5)], start=(1.0, 1.0), steps=20)
    np.testing.assert_allclose(traj.lr[0], sched(np.arange(20)))
    np.testing.assert_allclose(traj.lr[1], 0.5 * sched(np.arange(20)))


def test_divergence_is_recorded_not_clipped_and_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = lrlab.descend(QUAD, "sgd", [0.1, 5.0, 1e6], start=(1.5, 1.5), steps=1000)
    assert traj.regime[0] == "converged"
    assert traj.regime[1] == traj.regime[2] == "diverged"
    k = traj.diverged_at[1]
    # x is multiplied by (1 - 5*4) = -19 every step, unclipped, until it leaves the range
    np.testing.assert_allclose(traj.points[1, :k, 0], 1.5 * (-19.0) ** np.arange(k), rtol=1e-9)
    assert np.all(np.isnan(traj.points[1, k:]))
    assert traj.diverged_at[2] < k
    assert f"diverged at step {k}" in traj.explanation[1].lower()
    assert "2/λ" in traj.explanation[1]


def test_a_tiny_lr_is_too_slow_and_lr_zero_is_stalled():
    surf = surfaces.make("quadratic", a=1.0, b=1.0)
    # steady progress on a bowl, even at 0.01% per step, is too slow, not stalled
    assert lrlab.descend(surf, "sgd", 1e-4, steps=50).regime == "too_slow"
    still = lrlab.descend(surf, "sgd", 0.0, steps=5)
    assert still.regime == "stalled" and "lr = 0" in still.explanation


def test_plateau_schedule_in_the_runner():
    plateau = schedules.make("plateau", base_lr=0.3, patience=2, factor=0.5)
    traj = lrlab.descend(QUAD, "sgd", plateau, start=(1.5, 1.5), steps=40)
    assert traj.lr[0] == 0.3
    assert np.all(np.diff(traj.lr) <= 0)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"lr": -0.1}, "-0.1"),
        ({"lr": float("nan")}, "nan"),
        ({"steps": 0}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"start": (1.0,)}, "start"),
        ({"start": (1.0, float("inf"))}, "start"),
        ({"start": "ab"}, "start"),
        ({"optimizer": "sgdd"}, "sgdd"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, needle):
    args = {"surface": QUAD, "optimizer": "sgd", "lr": 0.1, "start": (1.0, 1.0), "steps": 10}
    args.update(kwargs)
    with pytest.raises(ValueError, match=needle):
        lrlab.descend(**args)


def test_formula_undefined_region_stops_the_run_with_its_reason():
    surf = surfaces.from_expression("log(x) + y**2", bounds=((-1, 3), (-1, 1)), start=(0.5, 0.5))
    traj = lrlab.descend(surf, "sgd", 0.3, steps=50)  # x: 0.5 - 0.3/0.5 = -0.1, log undefined
    assert traj.regime == "diverged" and traj.diverged_at == 1
    assert "no finite value" in traj.explanation and "step 1" in traj.explanation
    assert np.all(np.isfinite(traj.points[0])) and np.all(np.isnan(traj.points[1:]))


@pytest.mark.parametrize("name", surfaces.names())
def test_extreme_inputs_give_a_regime_and_no_warning(name):
    surf = surfaces.make(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        far = lrlab.descend(surf, "adam", [1e-4, 1.0, 1e6], start=(1e5, -1e5), steps=200)
        at_min = lrlab.descend(surf, "sgd", 0.1, start=surf.minima[0].xy, steps=20)
    assert set(far.regime) <= set(lrlab.regimes.NAMES)
    assert at_min.regime in ("converged", "local_minimum")
    assert np.all(at_min.points == np.array(surf.minima[0].xy)) or np.allclose(at_min.grad_norm, 0, atol=1e-8)


def test_plateau_shared_by_a_batch_equals_one_per_run():
    plateau = schedules.make("plateau", base_lr=0.3, patience=1, factor=0.5)
    starts = np.array([[1.5, 1.5], [0.1, -1.0], [-1.0, 0.2]])
    shared = lrlab.descend(QUAD, "momentum", plateau, start=starts, steps=60)
    each = lrlab.descend(QUAD, "momentum", [plateau] * 3, start=starts, steps=60)
    np.testing.assert_array_equal(shared.lr, each.lr)
    for k in range(3):
        one = lrlab.descend(QUAD, "momentum", plateau, start=starts[k], steps=60)
        np.testing.assert_array_equal(shared.lr[k], one.lr)
        np.testing.assert_array_equal(shared.points[k], one.points)
    assert len(set(map(tuple, shared.lr))) > 1  # the runs' losses drive their own lrs


@pytest.mark.parametrize("name", optimizers.names())
def test_recorded_internals_equal_the_optimizer_step_by_step(name):
    """descend computes velocity and effective lr after the loop from stacked states: the same
    numbers as asking the optimizer after every step."""
    surf, opt = surfaces.make("rosenbrock"), optimizers.make(name)
    lrs = np.geomspace(1e-3, 0.5, 4)
    traj = lrlab.descend(surf, opt, lrs, start=(-1.5, 2.0), steps=60)
    p, state = np.tile([-1.5, 2.0], (4, 1)), opt.init(np.zeros((4, 2)))
    with np.errstate(all="ignore"):
        for t in range(60):
            p, state = opt.step(p, surf.grad(p), state, lrs)
            alive = ~np.isnan(traj.points[:, t + 1, 0])
            v, e = optimizers.velocity(state), opt.effective_lr(state, lrs)
            if v is None:
                assert traj.velocity is not None and np.all(np.isnan(traj.velocity[:, t + 1]))
            else:
                np.testing.assert_allclose(traj.velocity[alive, t + 1], v[alive], rtol=1e-13, atol=0)
            if e is not None:
                # two computations (stacked powers beta**t vs the scalar power per step): the last bit
                # differs on some CPUs and numpy versions, so compare to rounding, not bit for bit
                np.testing.assert_allclose(traj.effective_lr[alive, t + 1], e[alive], rtol=1e-13, atol=0)
