"""The lr fan (lrlab.fan): one batched run over a log grid of lrs, each of which is the single run at
that lr; the grid holds the theory's lines and the lrs either side of them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import lrlab
from lrlab import fan, optimizers, schedules, surfaces, theory
from lrlab.figures import surface as F
from lrlab.ui.explorer import config as C
from lrlab.ui.explorer import pipeline as P


@pytest.mark.parametrize(
    ("surface", "opt", "sched"),
    [
        ("quadratic", "sgd", "constant"),
        ("ravine", "momentum", "constant"),
        ("rosenbrock", "adam", "cosine"),
        ("six_hump_camel", "nesterov", "step"),
        ("himmelblau", "rmsprop", "constant"),
    ],
)
def test_each_lr_of_the_fan_is_the_single_run_at_that_lr(surface, opt, sched):
    surf = surfaces.make(surface)
    f = fan.run(surf, optimizers.make(opt), steps=120, schedule=sched, n=24)
    for i in range(0, len(f.lrs), 5):
        lr = schedules.for_lrs(sched, [f.lrs[i]])
        one = lrlab.descend(surf, opt, lr, steps=120).run(0)
        assert one.regime == f.regimes[i] and one.diverged_at == f.traj.diverged_at[i], f.lrs[i]
        np.testing.assert_allclose(f.traj.points[i], one.points, rtol=1e-9, atol=1e-12, equal_nan=True)
        assert one.explanation == f.traj.explanation[i]


def test_the_grid_holds_the_theorys_lines_and_both_sides_of_them():
    surf = surfaces.make("quadratic")
    f = fan.run(surf, "sgd", steps=100, include=[0.123])
    crit = theory.critical_lrs(surf, "sgd", at=(0.0, 0.0))
    for c in (crit.overshoot, crit.diverge):
        for v in (c * (1 - fan.SIDE), c, c * (1 + fan.SIDE)):
            assert np.any(np.isclose(f.lrs, v, rtol=1e-12)), v
    assert 0.123 in f.lrs and f.nearest(0.123) == list(f.lrs).index(0.123)
    assert f.lrs[0] == fan.LO and f.lrs[-1] == fan.HI and np.all(np.diff(f.lrs) > 0)
    # the bands the theory names are all on the slider: below 1/λ, between, on 2/λ, above
    regime = dict(zip(f.lrs, f.regimes, strict=True))
    assert {regime[v] for v in f.lrs if 0.1 < v < crit.overshoot} == {"converged"}
    assert regime[f.lrs[0]] == "too_slow"
    assert {regime[v] for v in f.lrs if crit.overshoot < v < crit.diverge} == {"oscillating"}
    assert regime[crit.diverge] == "unstable" and regime[f.lrs[-1]] == "diverged"


def test_fewer_lrs_for_long_runs_every_step_kept():
    assert fan.size(100) == fan.N_MAX and fan.size(2000) == fan.N_MIN
    assert all(fan.size(s) * (s + 1) <= max(fan.POINTS, fan.N_MIN * (s + 1)) for s in (1, 50, 300, 2000))
    f = fan.run(surfaces.make("booth"), "sgd", steps=2000)
    assert f.traj.points.shape[1] == 2001  # decimated by lrs, never by steps


def test_the_players_fan_is_the_pipelines_and_does_not_depend_on_the_lr():
    """The view's fan is one member per run, the same for every lr (its key leaves the lr out), and
    its ticks are the configured optimizer's lines at the minimum the start leads to."""
    cfg, _ = C.from_query({"surface": "quadratic", "lr": "0.3", "steps": "60"})
    result = P.simulate(cfg)
    other = P.simulate(replace(cfg, lr=0.123))
    assert P.fan_key(cfg) == P.fan_key(replace(cfg, lr=0.123, present=True))
    assert P.fan_key(cfg) != P.fan_key(replace(cfg, steps=61))
    np.testing.assert_array_equal(result.fan.lrs, other.fan.lrs)
    assert 0.3 not in result.fan.lrs and 0.123 not in result.fan.lrs  # the fan holds no lr of the view
    (lr_fan,) = result.fan.fans
    np.testing.assert_allclose(lr_fan.traj.points, other.fan.fans[0].traj.points, equal_nan=True)
    surf = C.build_surface(cfg)
    spec = F.fan_spec(surf, result.fan, ["lr = {lr}"])
    assert [ln["label"] for ln in spec["lines"]] == ["1/λ = 0.25", "2/λ = 0.5"]
    # the slider's start is the server's exact lr (the player draws the server's runs there)
    assert F.player_spec(surf, result.runs, result.start, lr_fan=result.fan)["fan"]["lr"] == 0.3
    # every compare mode and the plateau schedule have a fan: one member per run, in the runs' order
    for q in (
        {"compare": "list", "lrs": "0.1,0.2"},
        {"sched": "plateau"},
        {"compare": "multiples"},
        {"compare": "optimizers", "opts": "sgd,adam,momentum"},
        {"compare": "schedules", "scheds": "constant,cosine"},
    ):
        res = P.simulate(C.from_query(q)[0])
        assert res.fan is not None and len(res.fan.fans) == len(res.runs), q


def _single(surf, member, lr, steps, **kw):
    sched = schedules.for_lrs(member.schedule, [lr], **member.params())
    return lrlab.descend(surf, member.opt(), sched, steps=steps, **kw).run(0)


def _same_run(one, fan_run_points, regime, diverged_at, explanation, lr):
    assert one.regime == regime and one.diverged_at == diverged_at, lr
    np.testing.assert_allclose(fan_run_points, one.points, rtol=1e-9, atol=1e-12, equal_nan=True)
    assert one.explanation == explanation, lr


@pytest.mark.parametrize(
    ("query", "groups"),
    [
        ({"surface": "quadratic", "compare": "multiples", "mult": "0.5,1,2,4"}, 1),
        ({"surface": "ravine", "opt": "momentum", "compare": "list", "lrs": "0.01,0.03,0.045"}, 1),
        ({"surface": "rosenbrock", "compare": "optimizers", "opts": "sgd,nesterov,adam,rmsprop"}, 4),
        ({"surface": "six_hump_camel", "compare": "schedules", "scheds": "constant,step,cosine,onecycle"}, 4),
        ({"surface": "himmelblau", "sched": "plateau", "compare": "multiples", "mult": "1,3"}, 1),
        ({"surface": "quadratic", "noise": "0.5", "compare": "multiples", "mult": "1,2"}, 1),
    ],
)
def test_each_members_fan_run_is_the_single_run_at_its_lr(query, groups, monkeypatch):
    """fan.run_many: member k's run at base lr g is the single run at factor_k × g (points, regime,
    sentence), members sharing optimizer and schedule in ONE batched descend."""
    cfg = C.from_query({"steps": "80", **query})[0]
    surf = C.build_surface(cfg)
    calls = []
    monkeypatch.setattr(fan, "descend", lambda *a, **k: calls.append(a) or lrlab.descend(*a, **k))
    fans = P.fan_of(cfg, surf)
    assert len(calls) == groups
    members = [m for m, _ in P.fan_members(cfg)]
    assert len(fans.fans) == len(members) == len(P.simulate(cfg).runs)
    noise = dict(noise=cfg.sigma, seed=cfg.seed)
    for k, (member, f) in enumerate(zip(members, fans.fans, strict=True)):
        np.testing.assert_allclose(f.lrs, member.factor * fans.lrs, rtol=1e-15)
        for i in range(k, len(fans.lrs), 9):
            one = _single(surf, member, f.lrs[i], 80, start=P.start_of(cfg, surf), **noise)
            tr = f.traj
            _same_run(one, tr.points[i], tr.regime[i], tr.diverged_at[i], tr.explanation[i], f.lrs[i])


def test_the_server_runs_are_the_fans_members_at_the_views_lr():
    """At a grid lr the view's runs and the fan's members agree: multiples keep their ratios, a typed
    list its ratios to the first lr, optimizers and schedules run at the lr."""
    for q in (
        {"compare": "multiples", "mult": "0.5,1,2,4"},
        {"compare": "list", "lrs": "0.2,0.05,0.4"},
        {"compare": "optimizers", "opts": "sgd,momentum,adam"},
        {"compare": "schedules", "scheds": "constant,step"},
    ):
        cfg = C.from_query({"surface": "quadratic", "steps": "50", **q})[0]
        fans = P.fan_of(cfg)
        i = len(fans.lrs) // 2
        g = float(fans.lrs[i])
        moved = replace(cfg, lrs=P.scaled_list(cfg, g)) if cfg.compare == "list" else replace(cfg, lr=g)
        assert P.base_lr(moved) == pytest.approx(g) and P.fan_key(moved) == P.fan_key(cfg)
        for run, f in zip(P.simulate(moved, with_fan=False).runs, fans.fans, strict=True):
            np.testing.assert_allclose(
                run.traj.points, f.traj.points[i], rtol=1e-9, atol=1e-12, equal_nan=True
            )
            assert run.traj.regime == f.traj.regime[i]


def test_the_point_budget_is_shared_by_the_members_never_fewer_steps():
    assert fan.size(100, 1) == fan.size(100) == fan.N_MAX
    assert fan.size(100, 4) == fan.POINTS_MANY // (4 * 101) < fan.size(100, 3) < fan.N_MAX
    assert fan.size(2000, 7) == fan.N_MIN  # at least N_MIN lrs
    for k in (2, 4, 7):
        assert fan.size(300, k) * k * 301 <= max(fan.POINTS_MANY, fan.N_MIN * k * 301)
    fans = fan.run_many(surfaces.make("booth"), [fan.Member("sgd", factor=f) for f in (1, 2)], steps=1500)
    assert all(f.traj.points.shape[1] == 1501 for f in fans.fans)


def test_a_released_lr_goes_to_the_sidebar_and_the_url():
    from lrlab.ui.explorer.page import apply_player_value

    ss = {"w.lr": 0.1, "w.lr_grid": 0.1}
    apply_player_value(ss, {"lr": 0.336, "nonce": 1})
    assert ss == {"w.lr": 0.336}  # the slider's options are rebuilt around the new lr
    for bad in ({"lr": "x"}, {"lr": -1}, {"lr": 1e9}, None, "lr"):
        apply_player_value(ss, bad)
        assert ss == {"w.lr": 0.336}


def test_a_released_lr_in_a_compare_mode():
    """lr × multiples, optimizers and schedules: the lr itself; a typed list: rewritten by one factor
    (the first typed lr becomes the released one, as the list box writes lrs)."""
    from lrlab.ui.explorer.page import apply_player_value

    for mode in ("multiples", "optimizers", "schedules"):
        ss = {"w.compare": mode, "w.lr": 0.1}
        apply_player_value(ss, {"lr": 0.25, "nonce": 1})
        assert ss["w.lr"] == 0.25
    ss = {"w.compare": "list", "w.lr": 0.1, "w.lrs": "0.02, 0.1, 0.3"}
    apply_player_value(ss, {"lr": 0.05, "nonce": 1})
    assert ss == {"w.compare": "list", "w.lr": 0.1, "w.lrs": "0.05, 0.25, 0.75"}
    cfg, errors = C.SCHEMA.from_widgets(ss)
    assert not errors and cfg.lrs == pytest.approx((0.05, 0.25, 0.75))
    # a factor that would take a typed lr out of range (0.2 × 1e-4 < 1e-4): the list stays
    ss["w.lrs"] = "0.05, 0.01"
    apply_player_value(ss, {"lr": 1e-4, "nonce": 2})
    assert ss["w.lrs"] == "0.05, 0.01"


@pytest.mark.parametrize(
    "query",
    [
        {"surface": "quadratic", "lr": "0.3"},
        {"surface": "quadratic", "lr": "0.6"},  # diverged: read where its last point leads
        {"surface": "two_minima", "lr": "0.01", "steps": "300"},
        {"surface": "himmelblau", "opt": "momentum", "lr": "0.002"},
        {"surface": "rosenbrock", "opt": "nesterov", "lr": "0.0005", "steps": "200"},
        {"surface": "custom", "formula": "x**2 + 3*y**2 + 0.5*x*y", "lr": "0.1"},
        {"surface": "saddle", "lr": "0.05"},
        {"surface": "quadratic", "noise": "0.5", "lr": "0.2"},
    ],
)
def test_simulate_reads_the_theory_where_descend_found_the_minimum(query):
    """pipeline.simulate takes the point its theory is read at from descend (the minimum the first
    run approaches) instead of running theory.reference_point again: the same point."""
    cfg = C.from_query(query)[0]
    surf = C.build_surface(cfg)
    result = P.simulate(cfg, surf, with_fan=False)
    at = theory.reference_point(surf, result.runs[0].traj.points)
    crit = theory.critical_lrs(surf, C.build_optimizer(cfg.optimizer, cfg), at=at)
    assert result.critical.at == pytest.approx(crit.at, rel=1e-9, abs=1e-12)
    assert result.critical.lam == pytest.approx(crit.lam, rel=1e-9)
