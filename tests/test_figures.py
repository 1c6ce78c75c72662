"""Figure builders: plain-dict figures that carry exactly the engine's numbers, linear in steps."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

from lrlab import surfaces
from lrlab.descent import descend
from lrlab.figures import OKABE_ITO
from lrlab.figures import surface as F


def runs_for(surface, lrs, steps, opt="sgd"):
    traj = descend(surface, opt, np.asarray(lrs, float), steps=steps)
    return [F.Run(f"lr = {lr:g}", traj.run(k)) for k, lr in enumerate(lrs)]


@pytest.fixture(scope="module")
def bowl():
    return surfaces.make("quadratic")


def test_spec_paths_are_the_engines_points_rounded(bowl):
    runs = runs_for(bowl, [0.1, 0.3, 0.6], 80)
    spec = F.player_spec(bowl, runs, bowl.start)
    dec = F._decimals(bowl)
    assert dec == 4  # a 4-wide plot: coordinates to 1e-4, 1/40 000 of the width
    for run, out in zip(runs, spec["runs"], strict=True):
        pts = run.traj.points
        assert len(out["x"]) == len(out["y"]) == pts.shape[0] == 81
        for t in range(pts.shape[0]):
            for axis, key in ((0, "x"), (1, "y")):
                v = pts[t, axis]
                got = out[key][t]
                if math.isfinite(v):
                    assert got == pytest.approx(v, abs=0.5 * 10**-dec)
                else:
                    assert got is None
        assert out["diverged_at"] == run.traj.diverged_at
    # the diverging run (0.6 > 2/λ = 0.5) is cut where the engine stopped it, not clipped into the frame
    d = runs[2].traj.diverged_at
    assert d is not None
    assert spec["runs"][2]["x"][d] is None and spec["runs"][2]["x"][d - 1] is not None
    assert abs(spec["runs"][2]["x"][d - 1]) > 2  # it has left the frame [-2, 2]
    json.dumps(spec, allow_nan=False)  # valid JSON: no NaN literals


def test_spec_marks_minima_and_start():
    surf = surfaces.make("two_minima")
    spec = F.player_spec(surf, runs_for(surf, [0.05], 10), surf.start)
    traces = {t.get("name"): t for t in spec["map"]["traces"]}
    assert spec["map"]["traces"][0]["type"] == "contour"
    glob = [m for m in surf.minima if m.is_global]
    loc = [m for m in surf.minima if not m.is_global]
    for name, group in (("global minimum", glob), ("local minimum", loc)):
        xs, ys = traces[name]["x"], traces[name]["y"]
        assert len(xs) == len(group)
        for m, x, y in zip(group, xs, ys, strict=True):
            assert (x, y) == pytest.approx(m.xy, abs=1e-4)
    assert (traces["start"]["x"][0], traces["start"]["y"][0]) == pytest.approx(surf.start)


def test_contour_grid_is_the_surface(bowl):
    xs, ys, z = F.surface_grid(bowl, 11)
    assert z.shape == (11, 11)
    assert z[3, 7] == pytest.approx(bowl.value([xs[7], ys[3]]))
    traces, layout = F.map_static(bowl, bowl.start, n=11)
    zl = np.array(traces[0]["z"], dtype=float)
    # drawn on a log scale of the gap to the minimum: monotone in f
    order_f = np.argsort(z.ravel())
    assert np.all(np.diff(zl.ravel()[order_f]) >= -1e-3)
    assert layout["xaxis"]["range"] == [-2.0, 2.0] and layout["xaxis"]["autorange"] is False


def test_payload_is_linear_in_steps_and_small(bowl):
    sizes = {}
    for steps in (250, 500, 1000):
        runs = runs_for(bowl, [0.05, 0.2, 0.45], steps, opt="momentum")
        sizes[steps] = F.payload_bytes(F.player_spec(bowl, runs, bowl.start))
    per_step_a = (sizes[500] - sizes[250]) / 250
    per_step_b = (sizes[1000] - sizes[500]) / 500
    assert per_step_b == pytest.approx(per_step_a, rel=0.25)  # linear, not quadratic
    assert sizes[1000] < 600_000
    # ~3 runs × (x, y, loss, lr, 2 gradient and 2 momentum arrow coordinates) per step
    assert per_step_b < 3 * 8 * 12


def test_adaptive_runs_carry_effective_lr_and_sgd_does_not(bowl):
    sgd = runs_for(bowl, [0.1], 20)
    adam = runs_for(bowl, [0.1], 20, opt="adam")
    s_spec = F.player_spec(bowl, sgd, bowl.start)["runs"][0]
    a_spec = F.player_spec(bowl, adam, bowl.start)["runs"][0]
    assert s_spec["eff"] is None and s_spec["vstep"] is None
    eff = adam[0].traj.effective_lr
    assert a_spec["eff"][0][0] == pytest.approx(eff[1, 0], rel=1e-2)
    # gradient arrow at step t is -lr_t * g_t
    g = sgd[0].traj.grads
    assert s_spec["gstep"][0][3] == pytest.approx(-0.1 * g[3, 0], abs=1e-4)


def test_line_figures(bowl):
    runs = runs_for(bowl, [0.1, 0.6], 40)
    loss = F.loss_figure(bowl, runs)
    assert loss["layout"]["yaxis"]["type"] == "log"
    lines = [t for t in loss["data"] if t["mode"] == "lines"]
    assert [t["line"]["color"] for t in lines] == list(OKABE_ITO[:2])
    assert lines[0]["y"][5] == pytest.approx(runs[0].traj.loss[5], rel=1e-3)
    marks = [t for t in loss["data"] if t["mode"] == "markers+text"]
    assert len(marks) == 1 and marks[0]["text"] == [f"diverged at step {runs[1].traj.diverged_at}"]
    assert F.lr_figure(runs)["data"][1]["y"][0] == pytest.approx(0.6)
    gn = F.grad_norm_figure(runs)["data"][0]["y"]
    assert gn[0] == pytest.approx(runs[0].traj.grad_norm[0], rel=1e-3)
    json.dumps([loss, F.lr_figure(runs), F.grad_norm_figure(runs)], allow_nan=False)


def test_csv_round_trips_the_runs(bowl):
    runs = runs_for(bowl, [0.1, 0.9], 30)
    rows = list(csv.DictReader(io.StringIO(F.runs_csv(runs))))
    assert len(rows) == 2 * 31
    assert tuple(rows[0]) == F.CSV_COLUMNS
    r = rows[7]
    assert float(r["x"]) == runs[0].traj.points[7, 0]
    assert float(r["loss"]) == runs[0].traj.loss[7]
    assert float(r["lr"]) == 0.1
    assert rows[30]["lr"] == ""  # no update leaves the last step
    d = runs[1].traj.diverged_at
    stopped = rows[31 + d]
    assert stopped["x"] == "" and stopped["diverged_at"] == str(d) and stopped["regime"] == "diverged"


def test_regime_text_says_where_it_diverged(bowl):
    run = runs_for(bowl, [0.7], 50)[0]
    assert F.regime_text(run.traj) == f"diverged at step {run.traj.diverged_at}"
    assert F.legend_text(run).endswith(f"diverged at step {run.traj.diverged_at}")


def test_spec_carries_the_line_charts_and_its_id_follows_the_inputs(bowl):
    runs = runs_for(bowl, [0.1, 0.3], 30)
    spec = F.player_spec(bowl, runs, bowl.start)
    assert spec["charts"] == F.line_charts(bowl, runs)
    loss = spec["charts"][0]["figure"]
    assert loss["layout"]["yaxis"]["type"] == "log" and spec["charts"][0]["note"] == "(log)"
    line = loss["data"][1]
    assert "x" not in line and len(line["y"]) == 31  # x is the step index (Plotly's default)
    assert line["y"][4] == pytest.approx(runs[1].traj.loss[4], rel=1e-3)
    assert line["line"]["dash"] != loss["data"][0]["line"]["dash"]  # runs keep their dashes
    # the id: the same for the same inputs (a new Surface object too), new when anything changes
    again = surfaces.make("quadratic")
    assert F.player_spec(again, runs_for(again, [0.1, 0.3], 30), again.start)["id"] == spec["id"]
    assert F.player_spec(bowl, runs_for(bowl, [0.1, 0.31], 30), bowl.start)["id"] != spec["id"]
    assert F.player_spec(bowl, runs, bowl.start, focus=1)["id"] != spec["id"]
    assert F.player_spec(bowl, runs, (0.5, 0.5))["id"] != spec["id"]
    steep = surfaces.make("quadratic", a=9.0)
    assert F.player_spec(steep, runs, bowl.start)["id"] != spec["id"]
    assert F.player_spec(bowl, runs, bowl.start, charts=False)["charts"] == []


def test_static_grids_are_cached_per_surface_not_per_object(bowl):
    again = surfaces.make("quadratic")
    assert again is not bowl
    assert F.static_parts(again) is F.static_parts(bowl)  # computed once per surface
    steep = F.static_parts(surfaces.make("quadratic", a=9.0))
    assert steep is not F.static_parts(bowl) and steep["z"] != F.static_parts(bowl)["z"]
    # the 3D grid: the loss to 4 decimals of its height range, flattened at the cap (a flat top, no
    # saw-toothed rim of cut cells), NaN -> null
    traces, layout = F.surface3d_static(bowl, bowl.start)
    xs, ys, z = F.surface_grid(bowl, F.GRID3D)
    zc = np.array([[np.nan if v is None else v for v in row] for row in traces[0]["z"]])
    r0, r1 = layout["scene"]["zaxis"]["range"]
    cap = r1 - 0.02 * (r1 - r0) / 1.04  # the range is the cap and the minimum, each padded by 2%
    assert np.all(np.isfinite(zc)) and np.sum(z > cap) > 0  # every cell drawn, some of them capped
    span = cap - float(np.nanmin(z))
    dec = 4 - math.floor(math.log10(span))
    assert np.max(np.abs(zc - np.minimum(z, cap))) <= 0.5 * 10.0**-dec + 1e-9
    assert [a["text"] for a in layout["scene"]["annotations"]][:2] == ["x", "y"]  # the axes are named
    assert "capped at" in layout["scene"]["annotations"][2]["text"]
    assert 0 < layout["meta"]["lift"] < 0.05 * (r1 - r0)  # paths drawn just above the surface
    json.dumps(traces, allow_nan=False)


def test_the_lr_chart_never_shows_negative_learning_rates():
    from lrlab.ui.explorer import config as C
    from lrlab.ui.explorer import pipeline as P

    for q in ({}, {"sched": "step"}, {"sched": "cosine"}):
        cfg = C.from_query(q)[0]
        fig = F.lr_figure(P.simulate(cfg).runs)
        axis = fig["layout"]["yaxis"]
        assert axis["type"] == "log" or axis["rangemode"] == "tozero", q


def test_exit_points_find_where_a_path_first_crosses_the_box():
    box = ((-2.0, 2.0), (-1.0, 1.0))
    pts = np.array(
        [
            [[-1.5, 0.5], [1.0, 0.5], [3.0, 0.0], [np.nan, np.nan]],  # leaves at step 2 through x = 2
            [[0.0, 0.0], [1.0, 0.5], [0.5, 0.2], [0.0, 0.0]],  # never leaves
            [[3.0, 3.0], [0.0, 0.0], [0.0, 0.0], [1.0, -3.0]],  # starts outside, comes in, leaves at 3
            [[0.0, 0.0], [np.nan, np.nan], [np.nan, np.nan], [np.nan, np.nan]],  # stopped: not an exit
        ]
    )
    steps, xy = F.exit_points(pts, box)
    assert steps.tolist() == [2, -1, 3, -1]
    # on the segment a -> b, where the coordinate beyond its edge reaches it
    np.testing.assert_allclose(xy[0], [2.0, 0.5 - 0.5 * (1.0 / 2.0)], rtol=1e-12)
    np.testing.assert_allclose(xy[2], [1.0 / 3.0, -1.0], rtol=1e-12)
    assert np.all(np.isnan(xy[[1, 3]]))
    # a single path: the same answer without the leading axis
    k, p = F.exit_points(pts[2], box)
    assert int(k) == 3 and np.allclose(p, xy[2])
    # through a corner's two sides: the first side reached
    k, p = F.exit_points(np.array([[0.0, 0.0], [4.0, 1.5]]), box)
    assert int(k) == 1 and np.allclose(p, [2.0, 0.75])


def test_a_run_that_leaves_the_map_says_at_which_step_in_the_spec(bowl):
    runs = runs_for(bowl, [0.1, 0.6], 30)  # 0.6 > 2/λ = 0.5: flies off
    spec = F.player_spec(bowl, runs, bowl.start)
    assert spec["runs"][0]["exit"] is None
    k, x, y = spec["runs"][1]["exit"]
    pts = runs[1].traj.points
    assert np.all(np.abs(pts[:k]) <= 2) and np.any(np.abs(pts[k]) > 2)  # inside until k - 1, then out
    assert max(abs(x), abs(y)) == pytest.approx(2.0)  # on the box's edge
    a, b = pts[k - 1], pts[k]
    s = (x - a[0]) / (b[0] - a[0])
    assert y == pytest.approx(a[1] + s * (b[1] - a[1]), abs=1e-4)  # on the segment it left by


def test_the_fan_carries_each_lrs_side_exit_and_final_loss_and_fixed_chart_ranges():
    from lrlab import theory
    from lrlab.ui.explorer import config as C
    from lrlab.ui.explorer import pipeline as P

    cfg, _ = C.from_query({"surface": "quadratic", "lr": "0.3", "steps": "60"})
    result = P.simulate(cfg)
    surf = C.build_surface(cfg)
    spec = F.player_spec(surf, result.runs, result.start, lr_fan=result.fan, fan_id="f1", fan_lr=0.3)
    assert spec["fan"] == {"id": "f1", "lr": 0.3, "fmin": F.fan_floor(surf, result.fan, result.runs)}
    fan = F.fan_spec(surf, result.fan)
    (member,) = fan["members"]
    (lr_fan,) = result.fan.fans
    crit, tr, fmin = lr_fan.critical, lr_fan.traj, spec["fan"]["fmin"]
    assert member["lrs"] == fan["lrs"] == list(result.fan.lrs) and member["factor"] == 1.0
    for i, lr in enumerate(fan["lrs"]):
        # the side of each lr, in the theory's words; the band is crit.side's
        assert member["side_kind"][i] == crit.side(lr)
        assert member["side"][i].lower().startswith(theory.SIDE_WORDS[crit.side(lr)].split(":")[0])
        # a diverged run has no final loss; the others their last loss
        if tr.diverged_at[i] is not None:
            assert member["final"][i] is None and member["exit"][i] is not None
        else:
            assert member["final"][i] == pytest.approx(tr.loss[i, -1], rel=1e-3)
        k, _ = F.exit_points(tr.points[i], surf.bounds)
        assert (member["exit"][i] or [-1])[0] == k
    assert {member["side_kind"][i] for i, lr in enumerate(fan["lrs"]) if lr > 0.5 * 1.001} == {"diverge"}
    assert {member["side_short"][i] for i, lr in enumerate(fan["lrs"]) if lr > 0.5 * 1.001} == {"above 2/λ"}
    # the run on screen carries its own sentence and side, against the same lines
    run = spec["runs"][0]
    assert run["explanation"] == result.runs[0].traj.explanation
    assert run["side_kind"] == crit.side(0.3) == "overshoot" and run["side_short"] == "between 1/λ and 2/λ"
    # the charts' y ranges hold every run of the fan and the run on screen (a drag moves the line)
    loss, lr_chart, grad = (c["figure"]["layout"] for c in spec["charts"])
    gaps = np.maximum(tr.loss - fmin, 1e-16)
    lo, hi = loss["yaxis"]["range"]
    assert loss["yaxis"]["autorange"] is False
    assert lo <= np.log10(np.nanmin(gaps)) < np.log10(np.nanmax(gaps)) <= hi
    lo, hi = lr_chart["yaxis"]["range"]
    assert lr_chart["yaxis"]["type"] == "log"
    assert lo <= np.log10(min(fan["lrs"])) < np.log10(max(fan["lrs"])) <= hi
    assert grad["xaxis"]["range"] == [0, 60]
    # a schedule: each lr's sentence is the theory's sentence of segments
    cfg, _ = C.from_query({"surface": "quadratic", "lr": "0.3", "steps": "60", "sched": "step"})
    result = P.simulate(cfg)
    (member,) = F.fan_spec(C.build_surface(cfg), result.fan)["members"]
    (lr_fan,) = result.fan.fans
    for i in (0, 40, len(lr_fan.lrs) - 1):
        assert member["side"][i] == theory.lr_sides(lr_fan.critical, lr_fan.traj.lr[i])[1]
        d = lr_fan.traj.diverged_at[i]
        if d is None:  # the band of the lr it ended on
            assert member["side_short"][i].startswith("ends ")
        else:  # a run that diverged: the band of its last update's lr, and when
            assert member["side_short"][i] == f"above 2/λ at step {d - 1}", (d, lr_fan.traj.lr[i][: d + 1])
    # an adaptive optimizer has no lines: no side sentence, no ticks
    cfg, _ = C.from_query({"surface": "quadratic", "opt": "adam", "steps": "60"})
    result = P.simulate(cfg)
    fan = F.fan_spec(C.build_surface(cfg), result.fan)
    assert fan["members"][0]["side"] is None and fan["lines"] == []
