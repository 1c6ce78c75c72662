"""lrlab.figures.slice: the Slice view's spec carries the engine's slice, a curve the browser can
interpolate on, words that say what the picture is, and which slice each run and fan lr is drawn on."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lrlab import fan, slices, surfaces
from lrlab.descent import descend
from lrlab.figures import slice as FS
from lrlab.figures.surface import Run, player_spec
from lrlab.ui.explorer import config as C
from lrlab.ui.explorer import pipeline as P


def runs_for(surface, lrs, steps, opt="sgd"):
    traj = descend(surface, opt, np.asarray(lrs, float), steps=steps)
    return [Run(f"lr = {lr:g}", traj.run(k)) for k, lr in enumerate(lrs)]


def browser_dots(sl: dict, run: dict):
    """What slice.js draws: s_t = (p_t − m)·v from the spec's rounded path, clamped to the range, and
    g(s_t) linear between the curve's samples."""
    x, y = (np.array([np.nan if v is None else v for v in run[k]], float) for k in ("x", "y"))
    s = (x - sl["m"][0]) * sl["v"][0] + (y - sl["m"][1]) * sl["v"][1]
    lo, hi = sl["range"]
    s = np.clip(s, lo, hi)
    xs, ys = (np.array(v, float) for v in (sl["traces"][0]["x"], sl["traces"][0]["y"]))
    return s, np.interp(s, xs, ys)


def test_bowl_spec_is_the_exact_parabola_with_the_theorys_lines():
    bowl = surfaces.make("quadratic")
    runs = runs_for(bowl, [0.1, 0.35, 0.55], 60)
    spec = FS.slice_spec(bowl, runs)
    json.dumps(spec, allow_nan=False)
    assert spec["runs"] == [0, 0, 0] and spec["fan"] is None and len(spec["slices"]) == 1
    sl = spec["slices"][0]
    assert sl["m"] == [0.0, 0.0] and sl["v"] == [1.0, 0.0] and sl["lam"] == 4.0 and sl["exact"]
    assert [(x["kind"], x["label"]) for x in sl["lines"]] == [
        ("overshoot", "1/λ = 0.25"),
        ("diverge", "2/λ = 0.5"),
    ]
    assert sl["title"] == (
        "Slice: the loss along the steepest direction (1, 0) through the global minimum (0, 0), "
        "curvature λ = 4"
    )
    assert "move exactly as the optimizer would on this curve alone" in sl["label"]
    assert "overshoot above 1/λ = 0.25, divergence above 2/λ = 0.5" in sl["label"]
    assert sl["layout"]["xaxis"]["title"]["text"] == "position along the steepest direction"
    assert sl["layout"]["yaxis"]["title"]["text"] == "loss above the minimum"
    names = [t["name"] for t in sl["traces"]]
    assert names == ["loss along the line", "the minimum"]  # no dashed bowl: exact
    # the dots the browser draws from the player's own (rounded) paths: s_t = (1 − ηλ)^t s_0 on λ s²/2
    pspec = player_spec(bowl, runs, bowl.start)
    s, g = browser_dots(sl, pspec["runs"][1])
    np.testing.assert_allclose(s[:6], -1.5 * (-0.4) ** np.arange(6), atol=6e-5)
    height = max(sl["traces"][0]["y"])  # linear between samples: within TOL of the curve's height
    np.testing.assert_allclose(g[:6], 2 * s[:6] ** 2, rtol=2e-3, atol=slices.TOL * height)


def test_the_drawn_curve_interpolates_the_true_slice_within_tol():
    rng = np.random.default_rng(1)
    for name, opt, lr in [
        ("rosenbrock", "adam", 0.05),
        ("rastrigin", "sgd", 0.001),
        ("himmelblau", "sgd", 0.01),
    ]:
        surf = surfaces.make(name)
        runs = runs_for(surf, [lr], 200, opt)
        sl = FS.slice_spec(surf, runs)["slices"][0]
        ref = slices.steepest(surf, sl["m"], span=sl["range"], n=20001)
        xs, ys = (np.array(v, float) for v in (sl["traces"][0]["x"], sl["traces"][0]["y"]))
        assert np.all(np.diff(xs) > 0)
        s = rng.uniform(*sl["range"], 3000)
        height = np.ptp(ref.g)
        # a dot interpolated on the drawn samples is within TOL of the curve (plus 4-digit rounding)
        assert np.max(np.abs(np.interp(s, xs, ys) - ref.value(s))) <= (slices.TOL + 1e-3) * height, name


def test_rosenbrock_with_adam_is_labelled_a_slice_with_the_theorys_bowl():
    surf = surfaces.make("rosenbrock")
    runs = runs_for(surf, [0.05], 300, "adam")
    sl = FS.slice_spec(surf, runs)["slices"][0]
    assert not sl["exact"] and sl["m"] == [1.0, 1.0]
    assert sl["title"].startswith("A slice, not the run's loss: ")
    assert "curvature λ = 1002" in sl["title"] and "global minimum (1, 1)" in sl["title"]
    assert "a dot's height is the loss on the line, not the run's loss" in sl["label"]
    assert sl["lines"] == [] and "theory's lines at this curvature" not in sl["label"]  # Adam has none
    dashed = next(t for t in sl["traces"] if t["line"].get("dash") == "dash")
    s = np.array(dashed["x"], float)
    model = np.array([np.nan if v is None else v for v in dashed["y"]], float)
    ok = np.isfinite(model)
    # 4 significant digits of λ s²/2 at s rounded to 1e-5 of the range
    np.testing.assert_allclose(model[ok], 0.5 * sl["lam"] * s[ok] ** 2, rtol=1e-3, atol=1e-3)
    assert np.nanmax(model) <= sl["layout"]["yaxis"]["range"][1]  # cut at the top of the plot
    # the range covers every recorded point of the run inside the box
    pts = runs[0].traj.points
    proj = (pts - np.array(sl["m"])) @ np.array(sl["v"])
    assert sl["range"][0] <= np.nanmin(proj) and np.nanmax(proj) <= sl["range"][1]


def test_adam_on_the_ravine_says_its_dots_are_a_projection():
    ravine = surfaces.make("ravine")
    sl = FS.slice_spec(ravine, runs_for(ravine, [0.05], 60, "adam"))["slices"][0]
    assert sl["exact"] and sl["title"].startswith("Slice: ")
    assert "the dots are the run's projection" in sl["label"] and "move exactly" not in sl["label"]
    surf = surfaces.make("ravine")
    mixed = [
        Run("SGD", descend(surf, "sgd", 0.05, steps=30)),
        Run("Adam", descend(surf, "adam", 0.05, steps=30)),
    ]
    sl = FS.slice_spec(surf, mixed)["slices"][0]
    assert "Adam scale each coordinate" in sl["label"] and "SGD move exactly" in sl["label"]
    assert sl["lines"] == []  # two optimizers: no one set of lines


def test_runs_in_different_minima_get_a_slice_each_and_the_fan_says_which():
    surf = surfaces.make("himmelblau")
    runs = runs_for(surf, [0.001, 0.01, 0.02, 0.05], 200)  # the last diverges
    spec = FS.slice_spec(surf, runs)
    # the diverged run: the minimum its start leads to, where every small lr goes (3.58, -1.85); not
    # (3, 2), where Newton from the start went and the lr 0.02 run goes
    assert spec["runs"] == [0, 0, 1, 0]
    assert [s["m"] for s in spec["slices"]] == [pytest.approx([3.58443, -1.84813]), [3.0, 2.0]]
    assert "global minimum (3, 2)" in spec["slices"][1]["point"]

    single = runs_for(surf, [0.01], 200)
    lr_fan = fan.run(surf, "sgd", steps=200)
    spec = FS.slice_spec(surf, single, lr_fan=lr_fan)
    assert len(spec["fan"]) == len(lr_fan.lrs)
    centres = slices.centres(surf, lr_fan.traj)
    for k in range(len(lr_fan.lrs)):
        assert spec["slices"][spec["fan"][k]]["m"] == pytest.approx(list(centres[k]), rel=1e-5, abs=1e-5)
    # the fan run at the view's lr is on the view's slice
    assert spec["fan"][lr_fan.nearest(0.01)] == spec["runs"][0]
    # every fan run's points inside the box project inside its slice's range
    (x0, x1), (y0, y1) = surf.bounds
    for k in range(len(lr_fan.lrs)):
        sl = spec["slices"][spec["fan"][k]]
        p = lr_fan.traj.points[k]
        inside = (p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)
        proj = (p[inside] - np.array(sl["m"])) @ np.array(sl["v"])
        assert np.all(proj >= sl["range"][0] - 1e-5) and np.all(proj <= sl["range"][1] + 1e-5)


def test_a_typed_formula_without_a_minimum_names_the_point():
    surf = surfaces.from_expression("x + y**2")  # no minimum anywhere: the slice is through the end
    sl = FS.slice_spec(surf, runs_for(surf, [0.1], 20))["slices"][0]
    assert "(no minimum found)" in sl["point"] and "the point" in sl["title"]
    json.dumps(sl, allow_nan=False)
    quad = surfaces.from_expression("x**2 + 3*y**2")
    sl = FS.slice_spec(quad, runs_for(quad, [0.1], 20))["slices"][0]
    assert sl["exact"] and sl["v"] == [0.0, 1.0] and sl["lam"] == 6.0 and "the minimum (0, 0)" in sl["title"]


def test_the_explorer_sends_the_slice_with_the_player_spec():
    cfg = C.Config(surface="quadratic", lr=0.35, steps=40)
    result = P.simulate(cfg)
    spec = FS.slice_spec(C.build_surface(cfg), result.runs, lr_fan=result.fan)
    (member,) = spec["fan"]  # the pipeline's fan (lrlab.fan.Fans): one list per run of the view
    assert set(member) == {0} and spec["runs"] == [0] and len(member) == len(result.fan.lrs)
    # small beside the player's spec: one curve of a few hundred samples and one index per fan lr
    assert len(json.dumps(spec, separators=(",", ":"))) < 12_000


def test_at_most_max_slices_the_runs_first_then_the_fans_most_used():
    cfg = C.Config(surface="rastrigin")  # the fan's lrs end in dozens of ripples' minima
    surf = C.build_surface(cfg)
    result = P.simulate(cfg, surf)
    spec = FS.slice_spec(surf, result.runs, lr_fan=result.fan)
    assert len(spec["slices"]) == FS.MAX_SLICES and spec["runs"] == [0]
    (lr_fan,) = result.fan.fans
    (fan,) = spec["fan"]
    centres = slices.centres(surf, lr_fan.traj)
    sent = [i for i in fan if i is not None]
    assert None in fan and set(sent) <= set(range(FS.MAX_SLICES))
    for k, i in enumerate(fan):
        if i is not None:
            assert spec["slices"][i]["m"] == pytest.approx(list(centres[k]), rel=1e-5, abs=1e-5)
    counts = [sent.count(i) for i in range(1, FS.MAX_SLICES)]  # after the run's own slice, 0
    assert counts == sorted(counts, reverse=True) and min(counts) >= 1
    # a left-out minimum is used by no more fan lrs than any minimum sent
    keys = [tuple(np.round(c, 6)) for c, i in zip(centres, fan, strict=True) if i is None]
    assert max(keys.count(key) for key in keys) <= min(counts)
    assert len(json.dumps(spec, separators=(",", ":"))) < 80_000


def test_several_runs_fans_say_which_slice_each_members_run_is_on():
    """lr × multiples: one list per run, run k's fan runs (member k) sliced as run k's own."""
    cfg = C.Config(surface="quadratic", lr=0.1, steps=40, compare="multiples")
    result = P.simulate(cfg)
    spec = FS.slice_spec(C.build_surface(cfg), result.runs, lr_fan=result.fan)
    assert len(spec["fan"]) == len(result.runs) == 4
    assert [len(row) for row in spec["fan"]] == [len(result.fan.lrs)] * 4
    assert {i for row in spec["fan"] for i in row} == {0} and spec["runs"] == [0] * 4
