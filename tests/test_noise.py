"""Gradient-noise theory (lrlab.noise) against closed forms and against simulated noisy runs with the
project's PyTorch-exact optimizers."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import noise, optimizers, schedules, surfaces

QUAD = surfaces.make("quadratic", a=4.0, b=1.0)


def simulate(opt, lam, lrs, sigma, chains=4000, seed=0):
    """``chains`` independent 1-D runs on f = lam d^2 / 2 from d = 0 with gradient lam d + sigma xi,
    through the optimizer's own update (``lrs``: the lr per step); the distances after each step."""
    rng = np.random.default_rng(seed)
    p = np.zeros((chains, 1))
    state = opt.init(p)
    out = []
    for lr in lrs:
        g = lam * p + sigma * rng.standard_normal(p.shape)
        p, state = opt.step(p, g, state, lr)
        out.append(p[:, 0].copy())
    return np.array(out)


def test_sgd_stationary_variance_is_the_closed_form():
    for lam in (0.5, 1.0, 4.0):
        for lr in (0.01, 0.1, 0.3, 0.45):
            if lr * lam >= 2:
                continue
            expected = lr * 0.7**2 / (lam * (2 - lr * lam))
            assert noise.stationary_variance(lam, lr, 0.7) == pytest.approx(expected, rel=1e-12)
    assert noise.stationary_variance(4.0, 0.5, 1.0) == np.inf  # exactly 2/lambda: no stationary state
    assert noise.stationary_variance(4.0, 0.6, 1.0) == np.inf
    assert noise.stationary_variance(4.0, 0.1, 1.0, "adam") is None


@pytest.mark.parametrize(
    ("name", "hyper", "lr"),
    [
        ("sgd", {}, 0.05),
        ("sgd", {}, 0.4),
        ("momentum", {"momentum": 0.9}, 0.05),
        ("momentum", {"momentum": 0.5, "dampening": 0.3}, 0.2),
        ("nesterov", {"momentum": 0.9}, 0.05),
        ("sgd", {"weight_decay": 0.5}, 0.2),
    ],
)
def test_stationary_variance_matches_simulated_runs(name, hyper, lr):
    lam, sigma = 2.0, 0.5
    opt = optimizers.make(name, **hyper)
    d = simulate(opt, lam, np.full(1500, lr), sigma)
    measured = d[-500:].var()  # 500 late steps x 4000 chains
    theory = noise.stationary_variance(lam, lr, sigma, name, hyper)
    assert measured == pytest.approx(theory, rel=0.05)


def test_variance_path_follows_a_step_decay_exactly_in_expectation():
    lam, sigma = 4.0, 1.0
    sched = schedules.make("step", base_lr=0.2, step_size=100, gamma=0.1)
    lrs = sched(np.arange(300))
    path = noise.variance_path(lam, lrs, sigma)
    d = simulate(optimizers.make("sgd"), lam, lrs, sigma, chains=8000)
    for t in (50, 99, 150, 299):
        assert d[t].var() == pytest.approx(path[t + 1], rel=0.06)
    # a smaller lr settles closer: the decayed ball is ~10x smaller in variance than the constant one's
    const = noise.stationary_variance(lam, 0.2, sigma)
    assert path[100] == pytest.approx(const, rel=1e-3) and path[-1] < 0.12 * const


def test_the_ball_on_a_surface_and_its_expected_gap():
    b = noise.ball(QUAD, (0.0, 0.0), 0.1, 0.5)
    lams = np.array([1.0, 4.0])
    var = 0.1 * 0.25 / (lams * (2 - 0.1 * lams))
    np.testing.assert_allclose(np.sort(b.std**2), np.sort(var), rtol=1e-12)
    assert b.radius == pytest.approx(np.sqrt(var.sum()), rel=1e-12)
    assert b.gap == pytest.approx(0.1 * 0.25 / 2 * np.sum(1 / (2 - 0.1 * lams)), rel=1e-12)
    ring = b.ellipse()
    assert ring.shape == (73, 2) and np.allclose(ring[0], ring[-1])
    # the ellipse's extent along x (curvature 4) and y (curvature 1) is 2 standard deviations
    assert np.abs(ring[:, 0]).max() == pytest.approx(2 * np.sqrt(var[1]), rel=1e-3)
    assert noise.ball(QUAD, (0.0, 0.0), 0.1, 0.5, "adam") is None
    assert noise.ball(surfaces.make("saddle"), (0.0, 0.0), 0.1, 0.5) is None  # not a minimum


def test_batch_size_and_bad_values():
    assert noise.sigma_for_batch(2.0, 16) == pytest.approx(0.5)
    for bad in (-1.0, float("nan"), float("inf"), "x", True):
        with pytest.raises(ValueError, match="noise"):
            noise.check_sigma(bad)
    with pytest.raises(ValueError, match="batch"):
        noise.sigma_for_batch(1.0, 0)
