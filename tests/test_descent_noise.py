"""``lrlab.descend(..., noise=σ, seed=s)``: noisy gradients, against the noise theory (lrlab.noise),
and the regimes a noisy run gets."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrlab
from lrlab import noise, schedules, surfaces

QUAD = surfaces.make("quadratic", a=4.0, b=1.0)  # f = (4x² + y²)/2, minimum at 0: λ = 4 along x, 1 along y


@pytest.mark.parametrize("lr", [0.02, 0.1, 0.3, 0.45])
def test_stationary_variance_of_long_runs_is_the_theorys(lr):
    """Var along each eigenvector, measured over long runs and several seeds, agrees with
    ησ²/(λ(2 − ηλ)) within 10%."""
    sigma, steps, burn = 0.3, 20_000, 2_000
    pts = np.concatenate(
        [
            lrlab.descend(QUAD, "sgd", lr, start=(0.0, 0.0), steps=steps, noise=sigma, seed=s).points[burn:]
            for s in range(4)
        ]
    )
    for axis, lam in ((0, 4.0), (1, 1.0)):
        theory = lr * sigma**2 / (lam * (2 - lr * lam))
        assert np.mean(pts[:, axis] ** 2) == pytest.approx(theory, rel=0.10), (axis, lam)
        assert noise.stationary_variance(lam, lr, sigma) == pytest.approx(theory, rel=1e-12)


def test_step_decay_ends_in_a_smaller_ball_than_its_constant_start():
    sigma, steps, lr = 0.5, 1200, 0.2
    decay = schedules.make("step", base_lr=lr, step_size=300, gamma=0.1)
    for seed in range(5):
        const = lrlab.descend(QUAD, "sgd", lr, steps=steps, noise=sigma, seed=seed)
        dec = lrlab.descend(QUAD, "sgd", decay, steps=steps, noise=sigma, seed=seed)
        rms = [np.sqrt(np.mean(np.sum(t.points[-300:] ** 2, -1))) for t in (const, dec)]
        assert rms[1] < 0.5 * rms[0], (seed, rms)
        assert (const.regime, dec.regime) == ("converged", "converged")
        assert dec.ball.radius < 0.5 * const.ball.radius


def test_the_theorys_spread_under_a_schedule_is_the_runs():
    """E|p_T − m|² over 200 seeds against the theory's variance after the schedule's lrs
    (noise.variance_paths, from none at the start), within 20%; the mean's own decay is negligible."""
    sigma, steps = 0.5, 600
    decay = schedules.make("cosine", base_lr=0.3, t_max=steps)
    ends = np.array(
        [lrlab.descend(QUAD, "sgd", decay, steps=steps, noise=sigma, seed=s).points[-1] for s in range(200)]
    )
    var = noise.variance_paths([4.0, 1.0], decay(np.arange(steps))[None].repeat(2, 0), sigma)[:, -1]
    assert np.mean(ends[:, 0] ** 2) == pytest.approx(var[0], rel=0.2)
    assert np.mean(ends[:, 1] ** 2) == pytest.approx(var[1], rel=0.2)
    for opt, hyper in (("momentum", {"momentum": 0.9}), ("nesterov", {"momentum": 0.9, "nesterov": True})):
        lam, lr = 2.0, 0.05  # constant lr, long run: the path reaches the stationary Lyapunov solution
        path = noise.variance_paths([lam], np.full((1, 3000), lr), sigma, opt, hyper)[0, -1]
        assert path == pytest.approx(noise.stationary_variance(lam, lr, sigma, opt, hyper), rel=1e-9)


def test_same_seed_same_runs_other_seed_other_runs():
    a = lrlab.descend(QUAD, "adam", 0.05, steps=200, noise=0.4, seed=7)
    b = lrlab.descend(QUAD, "adam", 0.05, steps=200, noise=0.4, seed=7)
    c = lrlab.descend(QUAD, "adam", 0.05, steps=200, noise=0.4, seed=8)
    assert np.array_equal(a.points, b.points)  # the same computation twice
    assert not np.allclose(a.points, c.points)
    assert (a.noise, a.seed) == (0.4, 7)


def test_noise_zero_is_the_noiseless_run():
    for opt in ("sgd", "momentum", "adam"):
        plain = lrlab.descend(QUAD, opt, [0.05, 0.3], steps=80)
        zero = lrlab.descend(QUAD, opt, [0.05, 0.3], steps=80, noise=0.0, seed=123)
        assert np.array_equal(plain.points, zero.points) and plain.regime == zero.regime  # no draws made
        assert plain.explanation == zero.explanation and zero.ball == (None, None)


def test_every_run_of_a_batch_sees_the_same_draws():
    lrs = [0.01, 0.1, 0.4]
    batch = lrlab.descend(QUAD, "momentum", lrs, steps=150, noise=0.6, seed=3)
    for k, lr in enumerate(lrs):
        one = lrlab.descend(QUAD, "momentum", lr, steps=150, noise=0.6, seed=3)
        np.testing.assert_allclose(batch.points[k], one.points, rtol=1e-12, atol=1e-14)
    # the gradient used is exact + σ ξ_t with the documented draws: replay SGD by hand
    xi = lrlab.descent.noise_draws(150, seed=3)
    p = np.array(QUAD.start, dtype=float)
    for t in range(150):
        p = p - 0.1 * (QUAD.grad(p) + 0.6 * xi[t])
    np.testing.assert_allclose(
        lrlab.descend(QUAD, "sgd", 0.1, steps=150, noise=0.6, seed=3).points[-1], p, rtol=1e-10
    )


def test_recorded_loss_and_gradient_are_of_the_true_surface():
    t = lrlab.descend(QUAD, "sgd", 0.1, steps=100, noise=1.0, seed=0)
    np.testing.assert_allclose(t.loss, QUAD.value(t.points), rtol=1e-12)
    np.testing.assert_allclose(t.grads, QUAD.grad(t.points), rtol=1e-12)
    np.testing.assert_allclose(t.grad_norm, np.linalg.norm(QUAD.grad(t.points), axis=-1), rtol=1e-12)


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf, -math.inf, True, "0.1", None])
def test_bad_noise_is_refused(bad):
    with pytest.raises(ValueError, match="noise"):
        lrlab.descend(QUAD, "sgd", 0.1, steps=10, noise=bad)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3", 10**9])
def test_bad_seed_is_refused(bad):
    with pytest.raises(ValueError, match="seed"):
        lrlab.descend(QUAD, "sgd", 0.1, steps=10, noise=0.1, seed=bad)


def test_a_settled_noisy_run_is_converged_and_names_its_ball():
    for seed in range(6):
        t = lrlab.descend(QUAD, "sgd", [0.05, 0.2], steps=1000, noise=0.5, seed=seed)
        assert t.regime == ("converged", "converged")
        for k, lr in enumerate((0.05, 0.2)):
            ball = t.ball[k]
            # after 1000 steps the theory's spread is the stationary ball's (the start is forgotten)
            assert ball.radius == pytest.approx(noise.ball(QUAD, (0, 0), lr, 0.5).radius, rel=1e-6)
            rms = np.sqrt(np.mean(np.sum(t.points[k, -250:] ** 2, -1)))
            assert 0.5 * ball.radius < rms < 2 * ball.radius  # the run's spread is the theory's
            words = t.explanation[k]
            assert (
                "noise ball" in words and f"σ = 0.5: {ball.radius:.3g})" in words and f"lr = {lr:g}" in words
            )
            assert f"{rms:.3g}" in words  # the measured spread, as the sentence says it


def test_noise_does_not_hide_divergence_slowness_or_a_plateau():
    for seed in range(4):
        over = lrlab.descend(QUAD, "sgd", 0.55, steps=300, noise=0.3, seed=seed)  # > 2/λ = 0.5
        assert over.regime == "diverged"
        slow = lrlab.descend(QUAD, "sgd", 1e-4, steps=200, noise=0.01, seed=seed)
        assert slow.regime == "too_slow"
    # SGD between 1/λ and 2/λ overshoots on its way in, larger than the noise: still oscillating
    osc = [
        lrlab.descend(QUAD, "sgd", 0.45, start=(3.0, 0.0), steps=400, noise=0.01, seed=s).regime
        for s in range(4)
    ]
    assert osc == ["oscillating"] * 4


def test_theory_exposes_the_noise_ball():
    assert lrlab.theory.noise_ball is noise.ball
    assert lrlab.theory.stationary_variance is noise.stationary_variance
