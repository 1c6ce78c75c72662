"""The lr fan (lrlab.fan): one batched run over a log grid of lrs, each of which is the single run at
that lr; the grid holds the theory's lines and the lrs either side of them."""

from __future__ import annotations

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


def test_the_players_fan_is_the_pipelines_and_starts_on_the_run_on_screen():
    cfg, _ = C.from_query({"surface": "quadratic", "lr": "0.3", "steps": "60"})
    result = P.simulate(cfg)
    spec = F.player_spec(C.build_surface(cfg), result.runs, result.start, lr_fan=result.fan)["fan"]
    i = spec["index"]
    assert spec["lrs"][i] == 0.3 and spec["regime"][i] == result.runs[0].traj.regime
    assert spec["explanation"][i] == result.runs[0].traj.explanation
    assert spec["x"][i] == F.player_spec(C.build_surface(cfg), result.runs, result.start)["runs"][0]["x"]
    assert [ln["label"] for ln in spec["lines"]] == ["1/λ = 0.25", "2/λ = 0.5"]
    # compare modes and the plateau schedule draw their own runs: no fan there
    for q in ({"compare": "list", "lrs": "0.1,0.2"}, {"sched": "plateau"}):
        assert P.simulate(C.from_query(q)[0]).fan is None


def test_a_released_lr_goes_to_the_sidebar_and_the_url():
    from lrlab.ui.explorer.page import apply_player_value

    ss = {"w.lr": 0.1, "w.lr_grid": 0.1}
    apply_player_value(ss, {"lr": 0.336, "nonce": 1})
    assert ss == {"w.lr": 0.336}  # the slider's options are rebuilt around the new lr
    for bad in ({"lr": "x"}, {"lr": -1}, {"lr": 1e9}, None, "lr"):
        apply_player_value(ss, bad)
        assert ss == {"w.lr": 0.336}
