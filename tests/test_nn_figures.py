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


# -- wide and narrow screens ------------------------------------------------------------------------
# chart.js draws fig["fit"]["narrow"] instead of fig["layout"] on a frame narrower than fit["below"] px,
# at the height fit["grow"] gives (square panels); these tests read the layouts as chart.js does and
# lay the panels out in px at many frame widths. The browser test measures what plotly.js drew.

WIDTHS = (320, 360, 390, 430, 500, 560, 600, 640, 700, 792, 1000, 1331, 1600, 1900)


def form_at(fig: dict, width: int) -> tuple[str, dict, int]:
    """(form, its layout, its height) chart.js draws on a frame ``width`` px wide."""
    fit = fig["fit"]
    name = "narrow" if width < fit["below"] else "wide"
    layout = fit["narrow"] if name == "narrow" else fig["layout"]
    height = layout["height"]
    if name in fit.get("grow", {}):
        a, b = fit["grow"][name]
        height = min(height, round(a + b * width))
    return name, layout, height


def panel_boxes(layout: dict, width: int, height: int) -> list[tuple[float, float, float, float]]:
    """Each panel's plot area (x0, y0, x1, y1) in px, from the layout's margins and axis domains."""
    m = layout["margin"]
    pw, ph = width - m["l"] - m["r"], height - m["t"] - m["b"]
    out = []
    for i in range(sum(1 for key in layout if key.startswith("xaxis"))):
        sfx = "" if i == 0 else str(i + 1)
        (x0, x1), (y0, y1) = layout[f"xaxis{sfx}"]["domain"], layout[f"yaxis{sfx}"]["domain"]
        out.append((m["l"] + x0 * pw, m["t"] + (1 - y1) * ph, m["l"] + x1 * pw, m["t"] + (1 - y0) * ph))
    return out


def title_lines(layout: dict, i: int) -> int:
    found = [a["text"] for a in layout["annotations"] if a.get("name") == f"panel {i}"]
    return found[0].count("<br>") + 1 if found else 0


@pytest.fixture(scope="module")
def nn_figures(moons, mse_runs):
    """Every NN figure, as the page builds it (small runs)."""
    model, res = mse_runs
    xs, ys, pts = datasets.grid(moons, 12, square=True)
    probs = F.predictions(model, res.snapshots, pts)
    titles = ["lr = 0.1<br>too slow", "lr = 0.5<br>trained", "lr = 1<br>diverged at step 3"]
    five = np.concatenate([probs, probs[:2]])
    sharp = sharpness.track(
        MLP((2, 8, 1), "tanh", "mse"), moons, "sgd", [0.05, 0.5], steps=40, every=10, iters=20
    )
    ft = finetune.run(MLP((2, 8, 1)), moons, lrs=[0.01, 1.0], steps=20, pretrain_steps=40, record_every=5)
    sin = datasets.make("sin", n=64, noise=0.1, seed=1)
    fit_model = MLP((1, 8, 1), "tanh", "mse")
    fit_res = training.train(fit_model, sin, "sgd", [0.05, 0.2], 30, record_every=10)
    x = np.linspace(-3, 3, 20)
    bowl = sweep.sweep_surface(
        surfaces.make("quadratic"), optimizers.make("sgd"), sweep.log_grid(1e-3, 2, 12), steps=60
    )
    return {
        "loss": F.loss_curves(res, ["lr = 0.1", "lr = 0.5", "lr = 1"]),
        "boundary": F.boundary_figure(xs, ys, probs, res.snapshot_steps, moons, titles),
        "boundary, 5 runs": F.boundary_figure(xs, ys, five, res.snapshot_steps, moons, titles + titles[:2]),
        "boundary, 1 run": F.boundary_figure(xs, ys, probs[:1], res.snapshot_steps, moons, titles[:1]),
        "boundary, static": F.boundary_figure(
            xs,
            ys,
            probs[:, -1:],
            [60],
            moons,
            ["pretrained", "fine-tuned<br>lr = 1", "x"],
            extra_points=(moons.X_train, moons.y_train),
        ),
        "fit": F.fit_figure(
            x,
            F.predictions(fit_model, fit_res.snapshots, x[:, None]),
            fit_res.snapshot_steps,
            sin,
            ["a", "b"],
        ),
        "range test": F.range_test_figure(rangetest.run(MLP((2, 8, 1)), moons, "sgd", num_steps=40)),
        "sweep": F.sweep_figure(bowl, floor=0.0),
        "sharpness": F.sharpness_figure(sharp, ["lr = 0.05", "lr = 0.5"]),
        "fine-tuning": F.finetune_figure(ft, ["lr = 0.01", "lr = 1"]),
    }


def test_every_nn_figure_has_a_narrow_form_that_a_browser_can_draw(nn_figures):
    for name, fig in nn_figures.items():
        fit = fig["fit"]
        assert set(fit) <= {"below", "narrow", "grow"}, name
        assert F.NARROW_SLIDER_PX <= fit["below"] <= 800, name  # a 1280 px projector's column draws it wide
        wide, narrow = fig["layout"], fit["narrow"]
        axes = sorted(k for k in wide if k.endswith(("axis", "axis2", "axis3", "axis4", "axis5")))
        assert axes == sorted(
            k for k in narrow if k.endswith(("axis", "axis2", "axis3", "axis4", "axis5"))
        ), name
        assert isinstance(narrow["height"], int | float) and narrow["height"] > 0, name
        assert "frames" not in narrow and all("layout" not in f for f in fig.get("frames", []))  # data only
        wire(fig)


def test_panels_never_overlap_and_leave_room_for_ticks_and_titles(nn_figures):
    for name, fig in nn_figures.items():
        for width in WIDTHS:
            form, layout, height = form_at(fig, width)
            boxes = panel_boxes(layout, width, height)
            for i, a in enumerate(boxes):
                assert a[0] >= 0 and a[2] <= width and a[1] >= 0 and a[3] <= height, (name, width, form)
                for j, b in enumerate(boxes[i + 1 :], i + 1):
                    if a[1] < b[3] and b[1] < a[3]:  # side by side: the tick labels at their edges apart
                        assert b[0] - a[2] >= 20, (name, width, form, i, j)
                    else:  # one above the other: the upper one's tick labels, then the lower one's title
                        gap = b[1] - a[3]
                        assert gap >= F.TICKS_PX + F.LINE_PX * title_lines(layout, j), (
                            name,
                            width,
                            form,
                            i,
                            j,
                        )
            # the titles of neighbouring panels (as wide as the code reckons them) stay apart
            for i, a in enumerate(boxes[:-1]):
                b = boxes[i + 1]
                if a[1] < b[3] and b[1] < a[3]:
                    ta, tb = (
                        next((x["text"] for x in layout["annotations"] if x.get("name") == f"panel {k}"), "")
                        for k in (i, i + 1)
                    )
                    room = (b[0] + b[2]) / 2 - (a[0] + a[2]) / 2
                    assert room >= (F._text_px(ta, F.TITLE_PX) + F._text_px(tb, F.TITLE_PX)) / 2, (
                        name,
                        width,
                    )


def test_a_phone_draws_panels_one_under_the_other_and_a_projector_side_by_side(nn_figures):
    for name in ("loss", "boundary", "sharpness", "fine-tuning"):
        fig = nn_figures[name]
        assert form_at(fig, 390)[0] == "narrow" and form_at(fig, 792)[0] == "wide", name  # phone, 1280 px
        _, layout, height = form_at(fig, 390)
        xs = {(round(b[0]), round(b[2])) for b in panel_boxes(layout, 390, height)}
        assert len(xs) == 1, name  # one column
    five = nn_figures["boundary, 5 runs"]
    assert form_at(five, 792)[0] == "wide"  # five panels in a row on a 1280 px projector
    _, layout, height = form_at(five, 390)
    assert len({round(b[1]) for b in panel_boxes(layout, 390, height)}) == 3  # rows of 2, 2 and 1 on a phone
    # the titles read in one line when a panel has the frame's width, in two side by side
    texts = {
        a["text"]
        for a in nn_figures["boundary"]["fit"]["narrow"]["annotations"]
        if "panel" in a.get("name", "")
    }
    assert texts == {"lr = 0.1 · too slow", "lr = 0.5 · trained", "lr = 1 · diverged at step 3"}


def test_each_boundary_panel_is_square_with_x_and_y_at_one_scale(nn_figures, moons):
    xs, ys, _ = datasets.grid(moons, 12, square=True)
    assert xs[-1] - xs[0] == pytest.approx(ys[-1] - ys[0])  # a square window on the data
    plain = datasets.grid(moons, 12)
    eps = 1e-9  # the wider axis is recomputed about its centre: equal up to the last bit
    assert xs[0] <= plain[0][0] + eps and xs[-1] >= plain[0][-1] - eps  # it still covers all the data
    assert ys[0] <= plain[1][0] + eps and ys[-1] >= plain[1][-1] - eps
    for name in ("boundary", "boundary, 5 runs", "boundary, 1 run", "boundary, static"):
        fig = nn_figures[name]
        for layout in (fig["layout"], fig["fit"]["narrow"]):
            for i in range(sum(1 for key in layout if key.startswith("xaxis"))):
                sfx = "" if i == 0 else str(i + 1)
                x, y = layout[f"xaxis{sfx}"], layout[f"yaxis{sfx}"]
                assert y["scaleanchor"] == f"x{sfx}" and y["scaleratio"] == 1  # plotly.js keeps 1:1
                assert x["range"][1] - x["range"][0] == pytest.approx(y["range"][1] - y["range"][0])
        for width in WIDTHS:  # and the height that chart.js gives the form makes the panels square
            form, layout, height = form_at(fig, width)
            cap = layout["height"]
            a, b = fig["fit"]["grow"][form]
            for x0, y0, x1, y1 in panel_boxes(layout, width, height):
                if a + b * width <= cap:
                    assert x1 - x0 == pytest.approx(y1 - y0, abs=1), (name, width, form)
                else:  # capped (one panel on a wide screen): plotly.js narrows the x domain instead
                    assert x1 - x0 > y1 - y0


def test_the_boundary_goes_narrow_only_when_its_titles_would_not_fit_side_by_side(nn_figures):
    for name in ("boundary", "boundary, 5 runs", "boundary, static"):
        fig = nn_figures[name]
        below = fig["fit"]["below"]
        _, layout, height = form_at(fig, below)
        titles = [a["text"] for a in layout["annotations"] if "panel" in a.get("name", "")]
        need = max(F._text_px(t, F.TITLE_PX) for t in titles)
        widest = max(need, F.PANEL_MIN_PX) - 0.5  # (domains are rounded to 5 digits)
        assert min(b[2] - b[0] for b in panel_boxes(layout, below, height)) >= widest, name
        assert form_at(fig, below - 1)[0] == "narrow" and form_at(fig, below)[0] == "wide"


def test_the_step_slider_writes_only_its_ends_on_a_narrow_frame(nn_figures):
    for name in ("boundary", "fit"):
        fig = nn_figures[name]
        steps = [s["label"] for s in fig["layout"]["sliders"][0]["steps"]]
        wide, narrow = fig["layout"]["sliders"][0], fig["fit"]["narrow"]["sliders"][0]
        assert "color" not in wide["font"]  # Plotly's labels, as many as fit
        assert narrow["font"]["color"] == "rgba(0,0,0,0)" and narrow["steps"] == wide["steps"]
        ends = [a for a in fig["fit"]["narrow"]["annotations"] if a.get("name") == "slider end"]
        assert [a["text"] for a in ends] == [steps[0], steps[-1]] and [a["x"] for a in ends] == [0, 1]
        assert not [a for a in fig["layout"]["annotations"] if a.get("name") == "slider end"]
        # the current step is written right of the buttons' row, in ink, not in the labels' colour
        for layout in (fig["layout"], fig["fit"]["narrow"]):
            (menu,), (slider,) = layout["updatemenus"], layout["sliders"]
            assert menu["pad"]["t"] == slider["pad"]["t"] and slider["x"] == 0 and slider["len"] == 1
            assert (
                slider["currentvalue"]["xanchor"] == "right"
                and slider["currentvalue"]["font"]["color"] == "#111"
            )


def test_log_axes_label_full_size_values_only():
    assert F._log_ticks([1e-3, 10]) == {"minorloglabels": "none"}  # 4 decades: the powers of ten
    t = F._log_ticks([0.02, 0.3], [np.nan, -1])  # 1.2 decades: 1-2-5 written out
    assert t["tickmode"] == "array" and t["ticktext"] == [f"{v:g}" for v in t["tickvals"]]
    assert {0.02, 0.05, 0.1, 0.2} <= set(t["tickvals"]) and all(0.02 / 3 <= v <= 0.9 for v in t["tickvals"])
    assert set(F._log_ticks([0.5, 0.9])["tickvals"]) >= {0.5, 0.6, 0.7, 0.8, 0.9}  # under half a decade
    assert F._log_ticks([np.nan]) == {}
