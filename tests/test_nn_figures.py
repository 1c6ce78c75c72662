"""NN-lab figure builders: plain-dict figures that carry exactly the engine's numbers (rounded), with
the marks each view promises (divergence, suggestions, bands, theory lines, stability edges)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lrlab import datasets, finetune, optimizers, rangetest, sharpness, surfaces, sweep, training
from lrlab.figures import OKABE_ITO
from lrlab.figures import nn as F
from lrlab.mlp import MLP


def wire(fig) -> int:
    """Bytes of the figure as compact JSON (and it must BE valid JSON: no NaN literals)."""
    return len(json.dumps(fig, separators=(",", ":"), allow_nan=False).encode())


@pytest.fixture(scope="module")
def moons():
    return datasets.make("moons", n=128, noise=0.1, seed=0)


@pytest.fixture(scope="module")
def mse_runs(moons):
    """Three lrs on squared error; the largest (1.0) diverges within the first steps."""
    model = MLP((2, 8, 8, 1), "tanh", "mse")
    return model, training.train(model, moons, "sgd", [0.1, 0.5, 1.0], 60, record_every=6)


def test_loss_curves_carry_the_engines_losses_and_mark_divergence(mse_runs):
    _, res = mse_runs
    fig = F.loss_curves(res, ["a", "b", "c"])
    lines = [t for t in fig["data"] if t["mode"] == "lines"]
    assert len(lines) == 6  # train and validation for each of 3 runs
    train = [t for t in lines if t["xaxis"] == "x"]
    val = [t for t in lines if t["xaxis"] == "x2"]
    assert [t["line"]["color"] for t in train] == list(OKABE_ITO[:3]) == [t["line"]["color"] for t in val]
    assert [t["showlegend"] for t in train + val] == [True] * 3 + [False] * 3  # one legend entry per lr
    for k in range(3):
        for t, ref in ((train[k], res.train_loss[k]), (val[k], res.val_loss[k])):
            assert len(t["y"]) == len(ref) == 61
            for got, want in zip(t["y"], ref, strict=True):
                assert (got is None) == (not math.isfinite(want))
                if got is not None:
                    assert got == pytest.approx(want, rel=5e-4)
    d = res.diverged_at[2]
    assert d is not None and res.diverged_at[:2] == (None, None)
    marks = [t for t in fig["data"] if t["mode"] == "markers+text"]
    assert len(marks) == 2  # the diverged run, in both panels
    last = int(np.flatnonzero(np.isfinite(res.train_loss[2]))[-1])
    assert marks[0]["text"] == [f"diverged at step {d}"] and marks[0]["x"] == [last]
    assert fig["layout"]["yaxis"]["type"] == fig["layout"]["yaxis2"]["type"] == "log"
    wire(fig)


def test_boundary_heatmaps_are_the_networks_probabilities(moons):
    model = MLP((2, 8, 1), "tanh", "logistic")
    res = training.train(model, moons, "sgd", [0.3, 3.0], 40, record_every=10)
    xs, ys, pts = datasets.grid(moons, 12)
    probs = F.predictions(model, res.snapshots, pts)
    assert probs.shape == (2, 5, 144)
    fig = F.boundary_figure(xs, ys, probs, res.snapshot_steps, moons, ["slow", "fast"])
    heat = [t for t in fig["data"] if t["type"] == "heatmap"]
    assert [t["xaxis"] for t in heat] == ["x", "x2"]
    # the figure opens on the last step: z[i][j] = round(100 P(class 1)) at (xs[j], ys[i])
    for k in range(2):
        want = model.predict(res.snapshots[k, -1], np.array([[xs[7], ys[3]]]))[0]
        assert heat[k]["z"][3][7] == round(100 * want)
    # one frame per recorded step, each replacing ONLY the two heatmaps (type kept, so no scatter)
    frames = fig["frames"]
    assert (
        [f["name"] for f in frames] == [str(s) for s in res.snapshot_steps] == ["0", "10", "20", "30", "40"]
    )
    for j, f in enumerate(frames):
        assert f["traces"] == [0, 1] and [d["type"] for d in f["data"]] == ["heatmap", "heatmap"]
        want = model.predict(res.snapshots[1, j], np.array([[xs[2], ys[9]]]))[0]
        assert f["data"][1]["z"][9][2] == round(100 * want)
    steps = fig["layout"]["sliders"][0]["steps"]
    assert [s["args"][0] for s in steps] == [[f["name"]] for f in frames]
    assert fig["layout"]["sliders"][0]["active"] == 4
    play = fig["layout"]["updatemenus"][0]["buttons"][0]
    assert play["args"][1]["frame"]["redraw"] is True  # a heatmap only redraws with redraw: true
    # training points drawn in every panel, class 1 as diamonds
    points = [t for t in fig["data"] if t["type"] == "scatter"]
    assert len(points) == 4 and points[1]["marker"]["symbol"] == "diamond"
    assert sum(len(t["x"]) for t in points[:2]) == len(moons.y_train)


def test_boundary_payload_is_linear_in_frames_and_modest(moons):
    model = MLP((2, 16, 16, 1), "tanh", "logistic")
    xs, ys, pts = datasets.grid(moons, 36)
    sizes = {}
    for frames in (11, 21, 41):
        snaps = np.stack([model.init(k) for k in range(3 * frames)]).reshape(3, frames, -1)
        probs = F.predictions(model, snaps, pts)
        sizes[frames] = wire(F.boundary_figure(xs, ys, probs, range(frames), moons, ["a", "b", "c"]))
    per_frame_a = (sizes[21] - sizes[11]) / 10
    per_frame_b = (sizes[41] - sizes[21]) / 20
    assert per_frame_b == pytest.approx(per_frame_a, rel=0.2)  # each frame costs the same
    assert per_frame_b < 3 * 36 * 36 * 4  # 3 grids of small integers
    assert sizes[21] < 400_000  # the page's default: 3 lrs, 21 frames


def test_stopped_runs_leave_empty_grids_not_nan(mse_runs, moons):
    model, res = mse_runs
    xs, ys, pts = datasets.grid(moons, 6)
    probs = F.predictions(model, res.snapshots, pts)
    stopped = ~np.all(np.isfinite(res.snapshots), axis=2)
    assert stopped[2].any() and not stopped[0].any()
    assert np.isnan(probs[stopped]).all() and np.isfinite(probs[~stopped]).all()
    fig = F.boundary_figure(xs, ys, probs, res.snapshot_steps, moons, ["a", "b", "c"])
    assert fig["data"][2]["z"][0][0] is None  # the diverged run's last grid is blank
    wire(fig)


def test_fit_figure_for_regression():
    data = datasets.make("sin", n=64, noise=0.1, seed=1)
    model = MLP((1, 8, 1), "tanh", "mse")
    res = training.train(model, data, "sgd", [0.05], 30, record_every=10)
    x = np.linspace(-3, 3, 7)
    preds = F.predictions(model, res.snapshots, x[:, None])  # one lr in a list: K = 1
    fig = F.fit_figure(x, preds, res.snapshot_steps, data, ["lr = 0.05"])
    assert fig["data"][0]["y"][3] == pytest.approx(model.predict(res.final_params[0], [[0.0]])[0], rel=1e-3)
    assert len(fig["frames"]) == 4 and fig["frames"][0]["data"][0]["type"] == "scatter"
    wire(fig)


def test_range_test_marks_each_suggestion_where_the_engine_put_it(moons):
    res = rangetest.run(MLP((2, 8, 1)), moons, "sgd", num_steps=60)
    fig = F.range_test_figure(res)
    marks = {t["name"]: t for t in fig["data"] if t["mode"] == "markers"}
    assert set(marks) == {F.SUGGESTION_STYLE[n][0] for n in res.suggestions}
    lines = {round(math.log10(s["x0"]), 4) for s in fig["layout"]["shapes"]}
    for name, lr in res.suggestions.items():
        t = marks[F.SUGGESTION_STYLE[name][0]]
        x, y = res.marker(name)
        assert t["x"][0] == pytest.approx(lr, rel=1e-5) and t["y"][0] == pytest.approx(y, rel=1e-3)
        assert round(math.log10(x), 4) in lines  # a vertical line at it
        assert any(f"{lr:.2g}" in a["text"] for a in fig["layout"]["annotations"])  # labelled with its lr
    smoothed = next(t for t in fig["data"] if t["name"] == "loss (smoothed)")
    assert len(smoothed["x"]) == len(res.lrs) and fig["layout"]["xaxis"]["type"] == "log"
    wire(fig)


def test_band_spans_cover_the_grid_at_geometric_midpoints():
    lrs = np.geomspace(1e-3, 10, 5)  # one decade apart
    edges = F.band_edges(lrs)
    np.testing.assert_allclose(np.log10(edges), [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5])
    spans = F.band_spans(lrs, ("too small", "too small", "good", "good", "too large"))
    assert [s[0] for s in spans] == ["too small", "good", "too large"]
    assert spans[0][1] == pytest.approx(10**-3.5) and spans[0][2] == pytest.approx(10**-1.5)
    assert spans[1][2] == pytest.approx(spans[2][1]) and spans[2][2] == pytest.approx(10**1.5)


def test_sweep_on_a_surface_draws_the_bands_and_the_theory():
    bowl = surfaces.make("quadratic")  # lambda_max = 4: overshoot above 0.25, divergence above 0.5
    lrs = sweep.log_grid(1e-3, 2.0, 12)
    res = sweep.sweep_surface(bowl, optimizers.make("sgd"), lrs, steps=100)
    fig = F.sweep_figure(res, floor=0.0)
    rects = [s for s in fig["layout"]["shapes"] if s["type"] == "rect"]
    assert len(rects) == len(F.band_spans(lrs, res.bands)) >= 3
    assert rects[0]["x0"] == pytest.approx(F.band_edges(lrs)[0]) and rects[-1]["x1"] == pytest.approx(
        F.band_edges(lrs)[-1]
    )
    vlines = sorted(s["x0"] for s in fig["layout"]["shapes"] if s["type"] == "line")
    assert vlines == pytest.approx([0.25, 0.5])
    texts = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert "diverge 2/λ = 0.5" in texts and "overshoot = 0.25" in texts
    # runs past 2/lambda diverged: marked as such, and they are the "too large" band
    div = next(t for t in fig["data"] if t["name"] == "diverged")
    assert div["x"] == pytest.approx(list(lrs[res.diverged]), rel=1e-3)
    assert all(lr > 0.5 for lr in lrs[res.diverged]) and all(
        res.bands[i] == "too large" for i in np.flatnonzero(res.diverged)
    )
    best = next(t for t in fig["data"] if t["name"].startswith("best lr"))
    assert best["name"] == f"best lr = {res.best_lr:.3g} (lowest final loss)"  # a surface: no validation
    assert best["x"][0] == pytest.approx(res.best_lr, rel=1e-3)
    assert best["y"][0] == pytest.approx(res.final_loss[list(res.lrs).index(res.best_lr)], rel=1e-3)
    wire(fig)


def test_sweep_on_the_network_plots_train_and_validation(moons):
    lrs = sweep.log_grid(0.01, 10, 4)
    res = sweep.sweep_mlp(MLP((2, 8, 1)), moons, "sgd", lrs, steps=30)
    fig = F.sweep_figure(res)
    tr = next(t for t in fig["data"] if t["name"] == "training loss")
    va = next(t for t in fig["data"] if t["name"] == "validation loss (scores the sweep)")
    assert tr["y"] == pytest.approx(list(res.final_loss), rel=1e-3)
    assert va["y"] == pytest.approx(list(res.val_loss), rel=1e-3)
    # the star sits on the validation curve, at the lr with the lowest validation loss, and says so
    best = next(t for t in fig["data"] if t["name"].startswith("best lr"))
    i = int(np.nanargmin(res.val_loss))
    assert best["name"] == f"best lr = {lrs[i]:.3g} (lowest validation loss)"
    assert best["x"][0] == pytest.approx(lrs[i], rel=1e-3) and best["y"][0] == pytest.approx(
        res.val_loss[i], rel=1e-3
    )
    assert "validation" in best["hovertemplate"]
    assert not [s for s in fig["layout"]["shapes"] if s["type"] == "line"]  # no theory lines on a network


def test_sharpness_figure_draws_two_over_lr_for_each_run(moons):
    model = MLP((2, 8, 1), "tanh", "mse")
    res = sharpness.track(model, moons, "sgd", [0.05, 0.5], steps=40, every=10, iters=30)
    fig = F.sharpness_figure(res, ["small", "large"])
    edges = [t for t in fig["data"] if t["name"].startswith("2/lr of")]
    assert [t["y"][0] for t in edges] == pytest.approx([2 / 0.05, 2 / 0.5])
    curves = [t for t in fig["data"] if t["xaxis"] == "x2" and t["mode"] == "lines+markers"]
    assert curves[1]["y"] == pytest.approx(list(res.sharpness[1]), rel=1e-3)
    # 2/0.05 = 40 is far above the measured sharpness: named above the chart, not drawn to scale
    top = fig["layout"]["yaxis2"]["range"][1]
    assert np.nanmax(res.sharpness) < top < 40
    assert any(
        "2/lr = 40" in a["text"] and "above the chart" in a["text"] for a in fig["layout"]["annotations"]
    )
    wire(fig)


def test_adaptive_optimizers_have_no_edge_line(moons):
    res = sharpness.track(MLP((2, 6, 1), "tanh", "mse"), moons, "adam", [0.01], steps=20, every=10, iters=20)
    fig = F.sharpness_figure(res, ["adam"])
    assert not [t for t in fig["data"] if t["name"].startswith("2/lr")]


def test_finetune_figure_shows_both_tasks():
    data = datasets.make("moons", n=96, noise=0.1, seed=0)
    res = finetune.run(MLP((2, 8, 1)), data, lrs=[0.01, 1.0], steps=20, pretrain_steps=60, record_every=5)
    fig = F.finetune_figure(res, ["small", "large"])
    old = [t for t in fig["data"] if t["xaxis"] == "x"]
    new = [t for t in fig["data"] if t["xaxis"] == "x2"]
    assert old[1]["x"] == res.steps.tolist()
    assert old[1]["y"] == pytest.approx(list(res.original_acc[1]), rel=1e-3)
    assert new[0]["y"] == pytest.approx(list(res.new_acc[0]), rel=1e-3)
    assert fig["layout"]["yaxis"]["tickformat"] == ".0%"
    wire(fig)
