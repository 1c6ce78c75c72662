"""Every explorer preset tells the truth: each claim its text makes is checked on the engine, strictly.

For every preset: each run's regime is the one it claims; every "lr = X" in the text is an lr the
preset runs (a base lr or a value its schedule takes); every "1/λ = X", "2/λ = X" and "λ = X" is the
theory at the minimum the runs approach. Then each preset's own story, measured on the trajectories
(orderings, crossings, distances), not on the classifier's words.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

import lrlab
from lrlab import surfaces, theory
from lrlab.ui.explorer import config as C
from lrlab.ui.explorer import pipeline as P
from lrlab.ui.explorer import presets

NUM = r"([0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?)"


def runs(name: str):
    cfg = presets.config(name)
    return cfg, P.simulate(cfg).runs


def crossings(points, centre, direction) -> int:
    """Sign changes of the displacement from ``centre`` along ``direction``."""
    c = (points[np.all(np.isfinite(points), -1)] - centre) @ direction
    c = c[np.abs(c) > 1e-12]
    return int(np.sum(np.sign(c[1:]) != np.sign(c[:-1])))


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_each_run_shows_the_regime_its_preset_claims(name):
    _, rs = runs(name)
    claimed = presets.PRESETS[name].expect
    assert len(claimed) == len(rs)
    for run, ok in zip(rs, claimed, strict=True):
        assert run.traj.regime in ok, (run.label, run.traj.regime, run.traj.explanation)


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_the_lrs_and_lines_named_in_the_text_are_the_ones_run(name):
    cfg, rs = runs(name)
    text = presets.PRESETS[name].description
    used = np.unique(np.concatenate([np.asarray(r.traj.lr, float) for r in rs]))
    for v in re.findall(r"\blr = " + NUM, text):
        assert np.any(np.isclose(used, float(v), rtol=1e-9)), f"lr = {v} is not run by {name}"
    surf = C.build_surface(cfg)
    crit = theory.critical_lrs(surf, "sgd", at=theory.reference_point(surf, rs[0].traj.points))
    for rule, v in re.findall(r"(1/λ|2/λ) = " + NUM, text):
        want = crit.overshoot if rule == "1/λ" else crit.diverge
        assert float(v) == pytest.approx(want, rel=0.02), (name, rule, v, want)


def test_overshoot():
    _, (below, above) = runs("overshoot")
    assert crossings(below.traj.points, np.zeros(2), np.array([1.0, 0.0])) == 0  # lands short every step
    assert crossings(above.traj.points, np.zeros(2), np.array([1.0, 0.0])) >= 2  # jumps past and back
    assert max(below.traj.loss[-1], above.traj.loss[-1]) < 1e-6 * below.traj.loss[0]  # both get there


def test_oscillation_shrinks_by_the_factor_it_names():
    _, (run,) = runs("oscillation")
    x = run.traj.points[:30, 0]
    np.testing.assert_allclose(x[1:] / x[:-1], -0.8, rtol=1e-9)  # |1 - 0.45*4| = 0.8, sign flipping


def test_divergence_either_side_of_the_line():
    _, (inside, outside) = runs("divergence")
    x = outside.traj.points[:20, 0]
    np.testing.assert_allclose(x[1:] / x[:-1], -1.2, rtol=1e-9)  # each bounce 1.2x the last
    assert outside.traj.diverged_at is not None and inside.traj.diverged_at is None


def test_too_slow_is_250_times_below_the_edge_and_far_from_done():
    cfg, (run,) = runs("too_slow")
    assert 0.5 / cfg.lr == pytest.approx(250)
    assert 0.1 < run.traj.loss[-1] / run.traj.loss[0] < 0.9  # moved, but most of the way is left


def test_the_sweep_goes_slow_fast_oscillating_diverged():
    _, rs = runs("lr_sweep")
    gaps = [r.traj.loss[-1] / r.traj.loss[0] for r in rs[:4]]
    assert gaps[0] > gaps[1] > 0  # the smallest lr is the slowest
    assert rs[-1].traj.diverged_at is not None


def test_local_minimum_small_lr_stuck_larger_lr_global():
    cfg, (small, large) = runs("local_minimum")
    surf = C.build_surface(cfg)
    glob = surf.global_min
    assert small.traj.loss[-1] > glob.value + 0.1  # in the shallow dip
    assert abs(large.traj.loss[-1] - glob.value) < 1e-9  # in the deeper well


def test_plateau_hardly_moves():
    _, (run,) = runs("plateau")
    loss = run.traj.loss
    assert abs(loss[-1] - loss[50]) < 0.01 * loss[50]  # the last 50 steps change it by < 1%


def test_saddle_waits_then_escapes_after_about_270_steps():
    cfg, (run,) = runs("saddle")
    end = run.traj.points[-1]
    assert np.hypot(*end) < 0.01  # still at the saddle (0, 0) after 150 steps
    surf = C.build_surface(cfg)
    longer = lrlab.descend(surf, "sgd", 0.05, start=(1.5, 1e-6), steps=400)
    left = int(np.argmax(np.abs(longer.points[:, 1]) > 0.5))  # escaped toward a minimum at y = ±1
    assert 230 <= left <= 310


def test_momentum_beats_sgd_in_the_ravine():
    cfg, (sgd, mom) = runs("momentum_ravine")
    surf = C.build_surface(cfg)
    lams, vecs = np.linalg.eigh(surf.hessian(np.zeros(2)))
    assert lams[-1] == pytest.approx(100) and 1 / lams[-1] < cfg.lr < 2 / lams[-1]
    assert crossings(sgd.traj.points, np.zeros(2), vecs[:, -1]) > 20  # zig-zags wall to wall
    d_sgd, d_mom = (np.linalg.norm(r.traj.points[-1]) for r in (sgd, mom))
    assert d_sgd > 0.05 and d_mom < 1e-2 * d_sgd  # SGD still far out, momentum at the minimum


def test_adam_crosses_the_plateau_sgd_crawls_on():
    _, (sgd, adam) = runs("adam_vs_sgd")
    assert sgd.traj.loss[-1] > 0.3 and adam.traj.loss[-1] < 1e-6


def test_adaptive_trio_rmsprop_is_thrown_onto_the_plateau():
    _, (ada, rms, adam) = runs("adaptive_trio")
    first = np.abs(rms.traj.points[1] - rms.traj.points[0])
    np.testing.assert_allclose(first, 0.5 / np.sqrt(1 - 0.99), rtol=1e-4)  # lr/sqrt(1-alpha) = 5 (+ eps)
    assert rms.traj.loss[-1] > 0.99 and ada.traj.loss[-1] < 1e-3 and adam.traj.loss[-1] < 1e-3


def test_step_decay_flies_out_for_five_steps_then_converges():
    cfg, (run,) = runs("step_decay")
    d = np.linalg.norm(run.traj.points[:7], axis=-1)
    assert np.all(np.diff(d[:6]) > 0) and d[6] < d[5]  # outward at 0.6 for 5 steps, then back
    assert run.traj.lr[4] == pytest.approx(0.6) and run.traj.lr[5] == pytest.approx(0.06)
    constant = lrlab.descend(C.build_surface(cfg), "sgd", 0.6, steps=cfg.steps)
    assert constant.regime == "diverged"


def test_cyclic_escape_from_the_local_dip():
    cfg, (constant, run) = runs("cyclic_escape")
    assert (constant.label, run.label) == ("Constant", "Cyclic")
    assert constant.traj.regime == "local_minimum" and not constant.traj.approached.is_global
    assert run.traj.approached.is_global
    assert np.all(constant.traj.lr == 0.01) and run.traj.lr[0] == pytest.approx(0.01)
    assert max(run.traj.lr) == pytest.approx(0.2, rel=0.01)


def test_banana_momentum_reaches_the_minimum_sgd_does_not():
    _, (sgd, mom) = runs("banana")
    d_sgd, d_mom = (np.hypot(*(r.traj.points[-1] - (1, 1))) for r in (sgd, mom))
    assert mom.traj.regime == "converged" and d_mom < 1e-2 and d_sgd > 0.1
    assert surfaces.make("rosenbrock").global_min.xy == (1.0, 1.0)


# -- gradient noise: each claim on several seeds (a claim that held on one seed only is not told) --

SEEDS = range(6)


def noisy_runs(name: str, seed: int):
    cfg = replace(presets.config(name), seed=seed)
    return cfg, P.simulate(cfg).runs


def spread(traj) -> float:
    """RMS distance to the approached minimum over the last quarter (the badge's measured spread)."""
    pts = traj.points[-(len(traj.points) // 4) :]
    return float(np.sqrt(np.mean(np.sum((pts - traj.approached.xy) ** 2, -1))))


def test_noise_precise_smaller_lr_smaller_ball_and_the_loss_curves_cross():
    for seed in SEEDS:
        cfg, (small, big) = noisy_runs("noise_precise", seed)
        assert cfg.sigma == 1.0 and (small.traj.lr[0], big.traj.lr[0]) == (0.02, 0.2)
        assert [r.traj.regime for r in (small, big)] == ["converged", "converged"]
        assert small.traj.ball.radius < 0.4 * big.traj.ball.radius  # "about a third as wide" (theory)
        assert spread(small.traj) < 0.5 * spread(big.traj)  # ... and measured
        for r in (small, big):
            assert 0.6 < spread(r.traj) / r.traj.ball.radius < 1.5
        q = len(small.traj.loss) // 4
        assert np.mean(big.traj.loss[1:20]) < 0.3 * np.mean(small.traj.loss[1:20])  # fast first
        assert np.mean(small.traj.loss[-q:]) < 0.5 * np.mean(big.traj.loss[-q:])  # lower at the end


def test_noise_decay_decayed_runs_settle_in_a_much_smaller_ball():
    for seed in SEEDS:
        cfg, (const, step, cos) = noisy_runs("noise_decay", seed)
        assert [r.label for r in (const, step, cos)] == ["Constant", "Step decay", "Cosine annealing"]
        assert all(r.traj.lr[0] == 0.4 for r in (const, step, cos))
        assert step.traj.lr[150] == pytest.approx(0.04) and step.traj.lr[0] == 0.4  # ÷10 every 150 steps
        for r in (step, cos):
            assert spread(r.traj) < 0.3 * spread(const.traj)  # "several times smaller"
            # "arrive as fast": the same first 10 steps (the lr hardly moved yet)
            np.testing.assert_allclose(r.traj.points[:10], const.traj.points[:10], rtol=0.05, atol=0.05)
        assert 0.8 < spread(const.traj) / const.traj.ball.radius < 1.25  # constant: the stationary ball


def test_noise_batch_larger_batch_same_ball_at_a_larger_lr_and_sooner():
    radii, arrivals = {}, {}
    for name in ("noise_batch_1", "noise_batch_16"):
        measured, arrive = [], []
        for seed in SEEDS:
            cfg, (run,) = noisy_runs(name, seed)
            r = run.traj.ball.radius
            measured.append(spread(run.traj))
            d = np.linalg.norm(run.traj.points - run.traj.approached.xy, axis=-1)
            arrive.append(int(np.argmax(d <= 2 * r)))
        radii[name], arrivals[name] = r, np.median(arrive)
        assert 0.6 < np.mean(measured) / r < 1.4, name
    one, sixteen = presets.config("noise_batch_1"), presets.config("noise_batch_16")
    assert sixteen.sigma == pytest.approx(0.125) and one.sigma == 0.5 and sixteen.lr == 16 * one.lr
    assert radii["noise_batch_16"] == pytest.approx(radii["noise_batch_1"], rel=0.15)  # "about the same"
    assert 8 < arrivals["noise_batch_1"] / arrivals["noise_batch_16"] < 32  # "about 16× sooner"
