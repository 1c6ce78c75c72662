"""Figures of the neural-network lab, built as plain dicts (no graph-object validation).

Inputs are engine results (:mod:`lrlab.training`, :mod:`lrlab.rangetest`, :mod:`lrlab.sweep`,
:mod:`lrlab.sharpness`, :mod:`lrlab.finetune`) plus labels; outputs are JSON-ready Plotly figure
dicts for the chart component (``lrlab.ui.chart``, the app's own plotly.js):

* :func:`loss_curves`: train and validation loss per step for K learning rates, side by side.
* :func:`boundary_figure`: the decision boundary of each run over training, one panel per lr,
  animated by Plotly frames that replace only the heatmaps' ``z`` (Play button and step slider).
  The heatmap is IN every frame (``redraw: true``), so it cannot vanish on Play the way a static
  contour under an animated path did (``shared/README.md``; the browser test checks it). Each
  frame carries K grids of R x R probabilities as integers 0..100, so the payload is
  K x frames x R^2 small integers (~60 kB per run for 21 frames at R = 36), linear in frames.
* :func:`fit_figure`: the same for 1-D regression (the fitted curve over the data).
* :func:`range_test_figure`: the LR range test's loss against lr with its three suggestions.
* :func:`sweep_figure`: final loss against lr (the "U"), with too small / good / too large bands,
  the best lr marked on the loss that picked it, and, on a surface, the theory's lines 1/lambda
  and 2/lambda.
* :func:`sharpness_figure`: sharpness (top Hessian eigenvalue) per step against 2/lr.
* :func:`finetune_figure`: accuracy on the original and on the new task while fine-tuning.

Numbers are rounded for the wire (4 significant digits); NaN (a stopped run) becomes ``null``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lrlab.figures import SYMBOLS, colour
from lrlab.figures.parts import corner_note, sig, stop_mark
from lrlab.figures.surface import FONT
from lrlab.sweep import band_edges  # re-exported: the figures' name for it since the first release

CLASS_COLOURS = ("#0072B2", "#D55E00")  # class 0, class 1 (Okabe & Ito blue and vermillion)
CLASS_SYMBOLS = ("circle", "diamond")
# P(y = 1) from 0 to 1: light blue through white (the boundary, p = 0.5) to light vermillion
BOUNDARY_SCALE = [[0.0, "#8fbfe0"], [0.5, "#ffffff"], [1.0, "#f2b48f"]]
BAND_STYLE = {  # band -> (fill, text colour)
    "too small": ("rgba(18,63,102,0.10)", "#123F66"),
    "good": ("rgba(0,158,115,0.16)", "#00573A"),
    "too large": ("rgba(213,94,0,0.13)", "#8A2A00"),
}
SUGGESTION_STYLE = {  # name -> (label, colour, symbol)
    "steepest": ("steepest slope", "#D55E00", "triangle-down"),
    "minimum_10": ("minimum / 10", "#009E73", "square"),
    "valley": ("valley", "#CC79A7", "diamond"),
}
GRID_COLOUR = "#e5e5e5"
OUTLINE = {"color": "#000", "width": 1.5}


# -- numbers and layout ----------------------------------------------------------------------------


def _pct(p) -> list:
    """Probabilities -> integers 0..100 (None where not finite), the boundary heatmaps' z."""
    p = np.asarray(p, np.float64)
    with np.errstate(invalid="ignore"):
        q = np.rint(100 * np.clip(p, 0.0, 1.0))
    return [[None if not math.isfinite(v) else int(v) for v in row] for row in q.tolist()]


def _axis(title: str = "", **kw) -> dict:
    return {
        "title": {"text": title},
        "showgrid": True,
        "gridcolor": GRID_COLOUR,
        "linecolor": "#111",
        "ticks": "outside",
        "zeroline": False,
        "exponentformat": "power",
        **kw,
    }


def _domains(n: int, gap: float = 0.08) -> list[list[float]]:
    """``n`` side-by-side horizontal domains in [0, 1] with ``gap`` between them."""
    width = (1.0 - gap * (n - 1)) / n
    return [[round(i * (width + gap), 4), round(i * (width + gap) + width, 4)] for i in range(n)]


def _panels(titles: Sequence[str], *, height: int, gap: float = 0.08, top: int = 50) -> dict:
    """A layout of ``len(titles)`` panels in one row: axes x, x2, ... / y, y2, ..., titles above."""
    layout = {
        "font": FONT,
        "height": height,
        "margin": {"l": 70, "r": 15, "t": top, "b": 100},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "legend": {
            "orientation": "h",
            "y": 0.005,
            "yanchor": "bottom",
            "yref": "container",
            "x": 0,
            # a system font: legend entries are sized when drawn, before a web font may have loaded
            "font": {"size": 15, "family": "Arial, Helvetica, sans-serif"},
        },
        "hovermode": "closest",
        "annotations": [],
    }
    for i, (title, dom) in enumerate(zip(titles, _domains(len(titles), gap), strict=True)):
        sfx = "" if i == 0 else str(i + 1)
        layout[f"xaxis{sfx}"] = _axis(domain=dom, anchor=f"y{sfx}")
        layout[f"yaxis{sfx}"] = _axis(anchor=f"x{sfx}")
        if not title:
            continue
        layout["annotations"].append(
            {
                "text": title,
                "x": (dom[0] + dom[1]) / 2,
                "xanchor": "center",
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 6,
                "showarrow": False,
                "font": {"size": 17},
            }
        )
    return layout


def _ax(i: int) -> tuple[str, str]:
    sfx = "" if i == 0 else str(i + 1)
    return f"x{sfx}", f"y{sfx}"


def _line(x, y, k: int, name: str, *, panel: int = 0, legend: bool = True, dash=None, width=3) -> dict:
    xa, ya = _ax(panel)
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "legendgroup": name,
        "showlegend": legend,
        "x": sig(x, 6) if not isinstance(x, list) else x,
        "y": sig(y),
        "xaxis": xa,
        "yaxis": ya,
        "line": {
            "color": colour(k),
            "width": width,
            "dash": dash or "solid",
        },
        "hovertemplate": f"{name}<br>%{{x}}: %{{y:.4g}}<extra></extra>",
    }


def _diverged(result) -> tuple:
    d = result.diverged_at
    return d if isinstance(d, tuple) else (d,)


def _rows(a) -> np.ndarray:
    a = np.asarray(a, np.float64)
    return a[None] if a.ndim == 1 else a


# -- training --------------------------------------------------------------------------------------


def loss_curves(result, labels: Sequence[str], *, height: int = 380) -> dict:
    """Train (left) and validation (right) loss per step, one colour per lr, on log axes.

    ``result``: a :class:`~lrlab.training.TrainResult` of K runs (or one); ``labels``: K legend texts.
    """
    train, val = _rows(result.train_loss), _rows(result.val_loss)
    steps = list(range(train.shape[1]))
    layout = _panels(["training loss", "validation loss"], height=height)
    traces: list[dict] = []
    for k, (label, d) in enumerate(zip(labels, _diverged(result), strict=True)):
        for panel, loss in ((0, train[k]), (1, val[k])):
            traces.append(_line(steps, loss, k, label, panel=panel, legend=panel == 0))
            if d is not None:
                xa, ya = _ax(panel)
                traces += stop_mark(
                    steps, loss, colour(k), f"diverged at step {d}", "top center", xaxis=xa, yaxis=ya
                )
    for sfx in ("", "2"):
        layout[f"xaxis{sfx}"]["title"] = {"text": "step"}
        layout[f"yaxis{sfx}"]["type"] = "log"
    layout["yaxis2"]["matches"] = "y"
    layout["yaxis"]["title"] = {"text": "loss (log)"}
    layout["hovermode"] = "x unified"
    return {"data": traces, "layout": layout}


def predictions(model, snapshots, points) -> np.ndarray:
    """``model.predict`` (K, S, M) of every snapshot (K, S, P) on ``points`` (M, d) in ONE batched
    pass: P(y = 1) for the logistic loss, the output itself for MSE. NaN where a snapshot is not
    finite (its run had stopped)."""
    snaps = np.asarray(snapshots, np.float64)
    k, s, p = snaps.shape
    flat = snaps.reshape(k * s, p)
    ok = np.all(np.isfinite(flat), axis=1)
    out = np.full((k * s, len(points)), np.nan)
    if ok.any():
        with np.errstate(all="ignore"):
            out[ok] = model.predict(flat[ok], points)
    return out.reshape(k, s, len(points))


def _frame_slider(steps: Sequence[int], prefix: str = "step ") -> tuple[list[dict], list[dict]]:
    """Plotly's Play/Pause buttons and step slider over frames named by their step."""
    names = [str(int(s)) for s in steps]
    buttons = [
        {
            "type": "buttons",
            "direction": "left",
            "x": 0,
            "y": -0.1,
            "xanchor": "left",
            "yanchor": "top",
            "pad": {"t": 10, "r": 10},
            "showactive": False,
            "font": {"size": 16},
            "buttons": [
                {
                    "label": "▶ Play",
                    "method": "animate",
                    "args": [
                        None,
                        {
                            "frame": {"duration": 220, "redraw": True},
                            "transition": {"duration": 0},
                            "fromcurrent": False,
                            "mode": "immediate",
                        },
                    ],
                },
                {
                    "label": "❚❚ Pause",
                    "method": "animate",
                    "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
                },
            ],
        }
    ]
    slider = [
        {
            "active": len(names) - 1,
            "x": 0.22,
            "len": 0.78,
            "y": -0.1,
            "yanchor": "top",
            "pad": {"t": 10},
            "currentvalue": {"prefix": prefix, "font": {"size": 16}},
            "font": {"size": 13},
            "steps": [
                {
                    "label": n,
                    "method": "animate",
                    "args": [[n], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}],
                }
                for n in names
            ],
        }
    ]
    return buttons, slider


def _data_points(X, y, panel: int, legend: bool, *, faded: bool = False, tag: str = "") -> list[dict]:
    xa, ya = _ax(panel)
    out = []
    for c in (0, 1):
        m = np.asarray(y) == c
        name = f"class {c}{tag}"
        out.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "legendgroup": name,
                "showlegend": legend,
                "x": sig(X[m, 0]),
                "y": sig(X[m, 1]),
                "xaxis": xa,
                "yaxis": ya,
                "marker": {  # open markers take their outline colour from "color"
                    "color": CLASS_COLOURS[c],
                    "symbol": CLASS_SYMBOLS[c] + ("-open" if faded else ""),
                    "size": 8,
                    "line": {"color": CLASS_COLOURS[c] if faded else "#fff", "width": 1.5 if faded else 1},
                },
                "hoverinfo": "skip",
            }
        )
    return out


def boundary_figure(
    xs,
    ys,
    probs,
    steps: Sequence[int],
    data,
    titles: Sequence[str],
    *,
    height: int = 440,
    extra_points=None,
) -> dict:
    """Decision boundaries, one panel per run, over the grid ``xs`` (R,) x ``ys`` (R,).

    ``probs`` (K, S, R*R): P(y = 1) at each of S recorded ``steps`` (from :func:`predictions` on
    ``datasets.grid`` points); ``data``: the :class:`~lrlab.datasets.Dataset` whose training points
    are drawn; ``titles``: K panel titles. With S > 1 the figure animates over the steps (frames
    that replace only the heatmaps); it opens on the last step. ``extra_points``: an optional
    (X, y) drawn as open markers (e.g. the original task next to a shifted one).
    """
    probs = np.asarray(probs, np.float64)
    k, s, _ = probs.shape
    r_y, r_x = len(ys), len(xs)
    grids = probs.reshape(k, s, r_y, r_x)
    layout = _panels(list(titles), height=height, gap=0.04 if k > 2 else 0.06, top=40)
    layout["margin"]["l"] = 40
    layout["hovermode"] = False
    xr, yr = [float(xs[0]), float(xs[-1])], [float(ys[0]), float(ys[-1])]
    traces: list[dict] = []
    for i in range(k):
        xa, ya = _ax(i)
        traces.append(
            {
                "type": "heatmap",
                "name": f"P(class 1) {titles[i]}",
                "x": sig(xs),
                "y": sig(ys),
                "z": _pct(grids[i, -1]),
                "zmin": 0,
                "zmax": 100,
                "zsmooth": "best",
                "colorscale": BOUNDARY_SCALE,
                "showscale": False,
                "xaxis": xa,
                "yaxis": ya,
                "hoverinfo": "skip",
            }
        )
    for i in range(k):
        traces += _data_points(data.X_train, data.y_train, i, legend=i == 0)
        if extra_points is not None:
            traces += _data_points(*extra_points, i, legend=i == 0, faded=True, tag=" (original task)")
    for i in range(k):
        sfx = "" if i == 0 else str(i + 1)
        layout[f"xaxis{sfx}"].update(range=xr, showgrid=False)
        layout[f"yaxis{sfx}"].update(range=yr, showgrid=False)
        if i:
            layout[f"yaxis{sfx}"]["showticklabels"] = False
    fig = {"data": traces, "layout": layout}
    if s == 1:
        layout["margin"]["b"] = 70
    else:
        _animate(fig, steps, lambda j: [{"type": "heatmap", "z": _pct(grids[i, j])} for i in range(k)])
    return fig


def _animate(fig: dict, steps: Sequence[int], frame_data) -> None:
    """Frames over the recorded ``steps``: frame j restyles the first traces with ``frame_data(j)``
    (a list, one update per run), driven by a Play button and a step slider."""
    fig["frames"] = [
        {"name": str(int(t)), "data": (data := frame_data(j)), "traces": list(range(len(data)))}
        for j, t in enumerate(steps)
    ]
    layout = fig["layout"]
    layout["updatemenus"], layout["sliders"] = _frame_slider(steps)
    layout["margin"]["b"] = 135


def fit_figure(x, preds, steps: Sequence[int], data, labels: Sequence[str], *, height: int = 440) -> dict:
    """1-D regression: the data and each run's fitted curve ``preds`` (K, S, R) over ``x`` (R,),
    animated over the S recorded ``steps`` like :func:`boundary_figure`."""
    preds = np.asarray(preds, np.float64)
    k, s, _ = preds.shape
    layout = _panels([""], height=height, top=40)
    layout["legend"].update(yref="paper", y=1.02, yanchor="bottom")  # the slider takes the bottom
    layout["yaxis"]["title"] = {"text": "y"}
    ymin, ymax = float(np.min(data.y_train)), float(np.max(data.y_train))
    pad = 0.25 * (ymax - ymin)
    layout["yaxis"]["range"] = [ymin - pad, ymax + pad]
    traces = [_line(x, preds[i, -1], i, labels[i], width=3.5) for i in range(k)] + [
        {
            "type": "scatter",
            "mode": "markers",
            "name": "training data",
            "x": sig(data.X_train[:, 0]),
            "y": sig(data.y_train),
            "marker": {"color": "#555", "size": 6, "symbol": "circle-open"},
            "hoverinfo": "skip",
        }
    ]
    fig = {"data": traces, "layout": layout}
    if s > 1:
        _animate(fig, steps, lambda j: [{"type": "scatter", "y": sig(preds[i, j])} for i in range(k)])
    return fig


# -- LR range test ---------------------------------------------------------------------------------


def range_test_figure(result, *, height: int = 400) -> dict:
    """Loss against lr (log x) during the range test: the raw loss, its smoothed curve, and the three
    suggestions (steepest slope, minimum / 10, valley) each marked and labelled with its lr."""
    lrs = np.asarray(result.lrs, np.float64)
    smoothed = np.asarray(result.smoothed, np.float64)
    layout = _panels(["loss while the lr grows exponentially"], height=height, top=40)
    layout["xaxis"].update(type="log", title={"text": "learning rate (log)"})
    layout["yaxis"]["title"] = {"text": "training loss"}
    finite = smoothed[np.isfinite(smoothed)]
    raw = np.asarray(result.losses, np.float64)
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        pad = 0.08 * (hi - lo if hi > lo else 1.0)
        lo = min(lo, float(np.nanmin(raw))) if np.isfinite(raw).any() else lo
        layout["yaxis"]["range"] = [lo - pad, min(hi, 4.5 * lo + 1e-12) + 4 * pad]
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "loss (raw)",
            "x": sig(lrs),
            "y": sig(result.losses),
            "line": {"color": "#9a9a9a", "width": 1.5},
            "hovertemplate": "lr %{x:.3g}: loss %{y:.4g}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "loss (smoothed)",
            "x": sig(lrs),
            "y": sig(smoothed),
            "line": {"color": colour(0), "width": 3.5},
            "hovertemplate": "lr %{x:.3g}: smoothed %{y:.4g}<extra></extra>",
        },
    ]
    shapes = []
    order = sorted(result.suggestions.items(), key=lambda kv: kv[1])
    for i, (name, lr) in enumerate(order):
        label, col, symbol = SUGGESTION_STYLE.get(name, (name, "#000", "circle"))
        x, y = result.marker(name)
        x = float(f"{x:.6g}")
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": label,
                "x": [x],
                "y": sig([y]),
                "marker": {"symbol": symbol, "size": 17, "color": col, "line": OUTLINE},
                "hovertemplate": f"{label}: lr %{{x:.3g}}<extra></extra>",
            }
        )
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"color": col, "width": 2, "dash": "dot"},
            }
        )
        layout["annotations"].append(  # labels staggered from the top down, so close lrs stay legible
            {
                "text": f"<b>{label}</b> {lr:.2g}",
                "x": math.log10(x),
                "y": 0.97 - 0.1 * i,
                "xref": "x",
                "yref": "paper",
                "xanchor": "right",
                "xshift": -4,
                "showarrow": False,
                "font": {"size": 15, "color": col},
                "bgcolor": "rgba(255,255,255,0.9)",
            }
        )
    layout["shapes"] = shapes
    if result.stopped_at is not None:
        layout["annotations"].append(
            corner_note(f"stopped at step {result.stopped_at}: loss > 4× its best", color="#444")
        )
    return {"data": traces, "layout": layout}


# -- sweep -----------------------------------------------------------------------------------------


def band_spans(lrs, bands: Sequence[str]) -> list[tuple[str, float, float]]:
    """Runs of equal bands as (band, lr from, lr to), in order along the lr axis."""
    edges = band_edges(lrs)
    spans: list[tuple[str, float, float]] = []
    for i, b in enumerate(bands):
        if spans and spans[-1][0] == b:
            spans[-1] = (b, spans[-1][1], float(edges[i + 1]))
        else:
            spans.append((b, float(edges[i]), float(edges[i + 1])))
    return spans


def sweep_figure(result, *, title: str = "", floor: float | None = 0.0, height: int = 420) -> dict:
    """Final loss against lr on a log grid (the U), shaded by band (too small / good / too large).

    ``floor``: subtracted from the losses before the log axis (0 for the MLP, the surface's minimum
    value; None: plot the losses on a linear axis). Diverged runs are marked at the top. For a
    surface sweep (``result.critical``) the theory's overshoot and divergence lrs are drawn. The
    curve that scored the sweep (``result.scored_by``: the validation loss of an MLP sweep) is named
    so in the legend; the best lr's star sits on it, and its legend entry names that loss.
    """
    lrs = np.asarray(result.lrs, np.float64)
    log_y = floor is not None
    with np.errstate(invalid="ignore"):
        shift = 0.0 if floor is None else floor
        tr = np.asarray(result.final_loss, np.float64) - shift
        va = None if result.val_loss is None else np.asarray(result.val_loss, np.float64) - shift
        if log_y:
            tr = np.where(np.isfinite(tr), np.maximum(tr, 1e-12), np.nan)
            va = None if va is None else np.where(np.isfinite(va), np.maximum(va, 1e-12), np.nan)
    by_val = getattr(result, "scored_by", "training") == "validation" and va is not None
    layout = _panels([title], height=height, top=60 if title else 40)
    layout["xaxis"].update(type="log", title={"text": "learning rate (log)"})
    ylabel = "final loss" if floor in (None, 0.0) else "final f − f*"
    layout["yaxis"].update(title={"text": ylabel + (" (log)" if log_y else "")})
    if log_y:
        layout["yaxis"]["type"] = "log"
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": ("training loss" + ("" if by_val else " (scores the sweep)"))
            if va is not None
            else "final loss",
            "x": sig(lrs),
            "y": sig(tr),
            "line": {"color": colour(0), "width": 3},
            "marker": {"size": 10, "symbol": "circle"},
            "hovertemplate": "lr %{x:.3g}: %{y:.4g}<extra></extra>",
        }
    ]
    if va is not None:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "validation loss" + (" (scores the sweep)" if by_val else ""),
                "x": sig(lrs),
                "y": sig(va),
                "line": {"color": colour(1), "width": 3, "dash": "dash"},
                "marker": {"size": 10, "symbol": "square"},
                "hovertemplate": "lr %{x:.3g}: %{y:.4g}<extra></extra>",
            }
        )
    finite = tr[np.isfinite(tr)]
    diverged = np.asarray(result.diverged, bool)
    if diverged.any():
        top = float(finite.max()) * (3.0 if log_y else 1.0) if finite.size else 1.0
        if not log_y and finite.size:
            top = float(finite.max() + 0.1 * (finite.max() - finite.min() + 1e-12))
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "diverged",
                "x": sig(lrs[diverged]),
                "y": [top] * int(diverged.sum()),
                "marker": {"symbol": "x", "size": 14, "color": "#8A2A00"},
                "hovertemplate": "lr %{x:.3g}: diverged<extra></extra>",
            }
        )
    if result.best_lr is not None:
        i = int(np.argmin(np.abs(lrs - result.best_lr)))
        which = "validation" if by_val else ("training" if va is not None else "final")
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"best lr = {lrs[i]:.3g} (lowest {which} loss)",
                "x": sig([lrs[i]]),
                "y": sig([(va if by_val else tr)[i]]),
                "marker": {
                    "symbol": "star",
                    "size": 22,
                    "color": "#F0E442",
                    "line": {"color": "#000", "width": 2},
                },
                "hovertemplate": f"best lr %{{x:.3g}}: lowest final {which} loss %{{y:.4g}}<extra></extra>",
            }
        )
    shapes, notes = [], []
    for band, a, b in band_spans(lrs, result.bands):
        fill, ink = BAND_STYLE.get(band, ("rgba(0,0,0,0.05)", "#333"))
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": a,
                "x1": b,
                "y0": 0,
                "y1": 1,
                "fillcolor": fill,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        notes.append(  # above the plot, clear of the points and the theory's labels
            {
                "text": f"<b>{band}</b>",
                "x": math.log10(math.sqrt(a * b)),
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 16, "color": ink},
            }
        )
    crit = getattr(result, "critical", None)
    if crit is not None:
        lines = [(crit.overshoot, "overshoot", "dot", "right")]
        if crit.diverge is not None:
            lines.append((crit.diverge, f"diverge {crit.rule}", "dash", "left"))
        for lr, name, dash, side in lines:
            if lr is None or not math.isfinite(lr):
                continue
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": lr,
                    "x1": lr,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#000", "width": 2.5, "dash": dash},
                }
            )
            notes.append(  # overshoot's label left of its line, divergence's right of its own
                {
                    "text": f"{name} = {lr:.3g}",
                    "x": math.log10(lr),
                    "y": 0.85,
                    "xref": "x",
                    "yref": "paper",
                    "xanchor": side,
                    "xshift": 4 if side == "left" else -4,
                    "showarrow": False,
                    "font": {"size": 14, "color": "#000"},
                    "bgcolor": "rgba(255,255,255,0.8)",
                }
            )
    layout["shapes"] = shapes
    layout["annotations"] += notes
    edges = band_edges(lrs)
    layout["xaxis"]["range"] = [math.log10(edges[0]), math.log10(edges[-1])]
    return {"data": traces, "layout": layout}


# -- sharpness -------------------------------------------------------------------------------------


def sharpness_figure(result, labels: Sequence[str], *, height: int = 420) -> dict:
    """Training loss (left) and sharpness, the top Hessian eigenvalue, per recorded step (right), with
    each lr's stability edge 2/lr as a dashed line of the same colour (Cohen et al. 2021)."""
    sharp, edge = _rows(result.sharpness), _rows(result.edge)
    steps = np.asarray(result.steps)
    train = _rows(result.train.train_loss)
    layout = _panels(["training loss", "sharpness λmax(∇²L) and its edge 2/lr"], height=height)
    layout["xaxis"]["title"] = {"text": "step"}
    layout["xaxis2"]["title"] = {"text": "step"}
    layout["yaxis"].update(type="log", title={"text": "loss (log)"})
    layout["yaxis2"]["title"] = {"text": "λmax"}
    traces: list[dict] = []
    edges = []  # (k, step, value) of each run's last finite edge
    for k, label in enumerate(labels):
        traces.append(_line(list(range(train.shape[1])), train[k], k, label, panel=0))
        traces.append(
            {
                **_line(steps.tolist(), sharp[k], k, label, panel=1, legend=False),
                "mode": "lines+markers",
                "marker": {"symbol": SYMBOLS[k % len(SYMBOLS)], "size": 8, "color": colour(k)},
            }
        )
        e = edge[k]
        if np.isfinite(e).any():
            i = int(np.flatnonzero(np.isfinite(e))[-1])
            edges.append((k, float(steps[i]), float(e[i])))
            traces.append(
                {
                    **_line(steps.tolist(), e, k, f"2/lr of {label}", panel=1, legend=False, dash="dash"),
                    "hovertemplate": "edge %{y:.4g}<extra></extra>",
                }
            )
    finite = sharp[np.isfinite(sharp)]
    top = float(finite.max()) if finite.size else 1.0
    # show every edge within reach of the measured sharpness; name the ones far above it
    ymax = 1.12 * max([top] + [v for _, _, v in edges if v <= 2.5 * top])
    ymin = min(0.0, 1.12 * float(finite.min())) if finite.size else 0.0
    layout["yaxis2"]["range"] = [ymin, ymax]
    above = []
    for k, x, v in edges:
        if v <= ymax:
            layout["annotations"].append(
                {
                    "text": f"2/lr = {v:.3g}",
                    "x": x,
                    "y": v,
                    "xref": "x2",
                    "yref": "y2",
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 14, "color": colour(k)},
                }
            )
        else:
            above.append(f'<span style="color:{colour(k)}">2/lr = {v:.3g} ({labels[k]}) ↑</span>')
    if above:
        layout["annotations"].append(corner_note("above the chart: " + ", ".join(above)))
    return {"data": traces, "layout": layout}


# -- fine-tuning -----------------------------------------------------------------------------------


def finetune_figure(result, labels: Sequence[str], *, height: int = 400) -> dict:
    """While fine-tuning on the new task: validation accuracy on the ORIGINAL task (left: does the
    network remember it?) and on the NEW task (right: does it learn it?), one colour per lr.
    Regression (no accuracy): the losses instead."""
    acc = result.original_acc is not None
    old = _rows(result.original_acc if acc else result.original_loss)
    new = _rows(result.new_acc if acc else result.new_loss)
    what = "accuracy" if acc else "loss"
    layout = _panels([f"original task ({what})", f"new task ({what})"], height=height, gap=0.1)
    for sfx in ("", "2"):
        layout[f"xaxis{sfx}"]["title"] = {"text": "fine-tuning step"}
        if acc:
            layout[f"yaxis{sfx}"].update(range=[0.35, 1.03], tickformat=".0%")
        else:
            layout[f"yaxis{sfx}"]["type"] = "log"
    layout["yaxis"]["title"] = {"text": what}
    layout["yaxis2"]["matches"] = "y"
    layout["hovermode"] = "x unified"
    traces: list[dict] = []
    steps_old = np.asarray(result.steps).tolist()
    for k, label in enumerate(labels):
        traces.append(_line(steps_old, old[k], k, label, panel=0))
        traces.append(_line(list(range(new.shape[1])), new[k], k, label, panel=1, legend=False))
    return {"data": traces, "layout": layout}
