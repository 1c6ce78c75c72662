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

Every figure also carries its narrow-screen form (:func:`narrow_form`): a second layout the chart
component draws on a frame narrower than the side-by-side form needs (a phone), its panels one under
the other (the boundaries in rows of two from four runs on), the step slider writing only its ends.
The decision-boundary panels are square with x and y at one scale, in both forms.

Numbers are rounded for the wire (4 significant digits); NaN (a stopped run) becomes ``null``.
"""

from __future__ import annotations

import copy
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
    """An axis; without a ``title``, no title key at all (Plotly reserves room for a title whose text
    is set, even empty)."""
    return {
        **({"title": {"text": title}} if title else {}),
        "showgrid": True,
        "gridcolor": GRID_COLOUR,
        "linecolor": "#111",
        "ticks": "outside",
        "zeroline": False,
        "exponentformat": "power",
        **kw,
    }


# -- wide and narrow screens -----------------------------------------------------------------------
# The same figure is shown on a 1920 px projector and on a 390 px phone, and the server does not know
# which: a figure whose panels stand side by side carries a second, narrow-screen layout
# (:func:`narrow_form`) that the chart component draws instead while its frame is narrower than the
# width the side-by-side form needs. Pixel sizes below are the layouts' own (margins, gaps, rows).

NARROW_PX = 640  # frames narrower than this draw two line charts one under the other
REF_PX = 320  # the narrowest frame the narrow form is sized for (a small phone's column)
CHAR_EM = 0.5  # a text's width per character, in font sizes (measured 0.42 here: a safe estimate)
TITLE_PX = 17  # panel titles' font size
LINE_PX = 22  # one line of a panel title
TICKS_PX = 34  # x ticks and their labels under a panel (with the theme's padding)
AXIS_TITLE_PX = 44  # an x axis title under the tick labels (the theme's standoff and font)
LEGEND_FONT = 15
PANEL_MIN_PX = 120  # a decision-boundary panel is never drawn smaller than this side by side


def narrow_form(fig: dict, layout: dict, *, below: int, grow: dict | None = None) -> dict:
    """Give ``fig`` its narrow-screen form: ``layout``, a complete Plotly layout, replaces
    ``fig["layout"]`` while the chart's frame is narrower than ``below`` px (the browser decides,
    and again when a resize crosses ``below``; ``lrlab/ui/components/chart/chart.js``). Frames
    animate data only, so Play and the step slider work in both forms. ``grow``: ``{"wide": [a, b],
    "narrow": [a, b]}``, a form whose height follows the frame's width, ``a + b * width`` px, at
    most its layout's ``height`` (square panels, :func:`_square`). Returns ``fig``."""
    fig["fit"] = {"below": int(below), "narrow": layout}
    if grow:
        fig["fit"]["grow"] = {k: [round(a, 2), round(b, 5)] for k, (a, b) in grow.items()}
    return fig


def _text_px(text: str, size: float) -> float:
    """An estimate of ``text``'s width in px at font ``size`` (its longest line)."""
    return max(len(line) for line in text.split("<br>")) * CHAR_EM * size


def _halves(line: str, chars: int = 12) -> str:
    """``line`` if at most ``chars`` long, else broken ("<br>") at the space that best halves it."""
    spaces = [i for i, c in enumerate(line) if c == " "]
    if len(line) <= chars or not spaces:
        return line
    i = min(spaces, key=lambda i: max(i, len(line) - i - 1))
    return line[:i] + "<br>" + line[i + 1 :]


def _lines(texts: Sequence[str]) -> int:
    return max([t.count("<br>") + 1 for t in texts if t] or [0])


def _legend_px(names: Sequence[str], width: float) -> int:
    """Height of a horizontal legend of ``names`` over a plot area ``width`` px wide (Plotly wraps its
    entries at the plot area's width)."""
    rows, used = 1, 0.0
    for name in names:
        w = 42 + _text_px(name, LEGEND_FONT)
        if used and used + w > width:
            rows, used = rows + 1, 0.0
        used += w
    return 32 * rows + 4


def _grid(k: int, cols: int, *, col_gap: float = 0.0, row_gap: float = 0.0) -> list[tuple[list, list]]:
    """(x domain, y domain) of ``k`` panels in rows of ``cols``, left to right then top to bottom;
    a last row with fewer panels is centred. Gaps are fractions of the plot area."""
    rows = math.ceil(k / cols)
    w = (1.0 - col_gap * (cols - 1)) / cols
    h = (1.0 - row_gap * (rows - 1)) / rows
    out = []
    for i in range(k):
        r, c = divmod(i, cols)
        x0 = c * (w + col_gap) + (cols - min(cols, k - r * cols)) * (w + col_gap) / 2
        y1 = 1.0 - r * (h + row_gap)
        out.append(([round(x0, 5), round(x0 + w, 5)], [round(max(y1 - h, 0.0), 5), round(y1, 5)]))
    return out


def _place(layout: dict, domains, titles: Sequence[str] | None = None) -> dict:
    """Put panel i's axes on ``domains[i]`` and its title (the annotation named "panel i") above it;
    ``titles``: new title texts. Returns ``layout``."""
    for i, (xd, yd) in enumerate(domains):
        sfx = "" if i == 0 else str(i + 1)
        layout[f"xaxis{sfx}"]["domain"], layout[f"yaxis{sfx}"]["domain"] = xd, yd
    for a in layout["annotations"]:
        name = a.get("name", "")
        if name.startswith("panel "):
            i = int(name.split()[1])
            xd, yd = domains[i]
            a.update(x=round((xd[0] + xd[1]) / 2, 5), y=yd[1])
            if titles is not None:
                a["text"] = titles[i]
    return layout


def _panels(
    titles: Sequence[str], *, height: int, cols: int | None = None, gap: float = 0.08, top: int = 50
) -> dict:
    """A layout of ``len(titles)`` panels, in one row (or rows of ``cols``): axes x, x2, ... / y,
    y2, ..., each title above its panel (annotations named "panel 0", "panel 1", ...)."""
    layout = {
        "font": FONT,
        "height": height,
        "margin": {"l": 70, "r": 15, "t": top, "b": 100},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "legend": {
            "orientation": "h",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
            "x": 0,
            # a system font: legend entries are sized when drawn, before a web font may have loaded
            "font": {"size": LEGEND_FONT, "family": "Arial, Helvetica, sans-serif"},
        },
        "hovermode": "closest",
        "annotations": [],
    }
    for i, title in enumerate(titles):
        sfx = "" if i == 0 else str(i + 1)
        layout[f"xaxis{sfx}"] = _axis(anchor=f"y{sfx}")
        layout[f"yaxis{sfx}"] = _axis(anchor=f"x{sfx}")
        if title:
            layout["annotations"].append(
                {
                    "name": f"panel {i}",
                    "text": title,
                    "xanchor": "center",
                    "xref": "paper",
                    "yref": "paper",
                    "yanchor": "bottom",
                    "yshift": 6,
                    "showarrow": False,
                    "font": {"size": TITLE_PX},
                }
            )
    return _place(layout, _grid(len(titles), cols or len(titles), col_gap=gap))


def _stacked(layout: dict, *, panel_px: int, legend: Sequence[str] = (), titles=None) -> dict:
    """The narrow form of a layout whose panels stand side by side: a copy with the panels one under
    the other, full width, each ``panel_px`` tall; every panel has its own y tick labels, and only
    the last keeps its x axis title (the others would stand in the gap). ``legend``: the names in
    the legend (it wraps on a narrow frame)."""
    out = copy.deepcopy(layout)
    n = sum(1 for key in out if key.startswith("xaxis"))
    texts = titles or [a["text"] for a in out["annotations"] if a.get("name", "").startswith("panel ")]
    lines = _lines(texts)
    gap = TICKS_PX + 10 + LINE_PX * lines
    top = 14 + LINE_PX * lines if lines else out["margin"]["t"]  # (band labels may stand above)
    xtitle = bool(out["xaxis"].get("title", {}).get("text"))
    width = REF_PX - out["margin"]["l"] - out["margin"]["r"]
    bottom = TICKS_PX + AXIS_TITLE_PX * xtitle + (_legend_px(legend, width) if legend else 10)
    plot = n * panel_px + (n - 1) * gap
    out.update(height=top + bottom + plot, margin={**out["margin"], "t": top, "b": bottom})
    _place(out, _grid(n, 1, row_gap=gap / plot), titles)
    for i in range(n):
        sfx = "" if i == 0 else str(i + 1)
        out[f"yaxis{sfx}"]["showticklabels"] = True
        if i < n - 1:
            out[f"xaxis{sfx}"].pop("title", None)
    return out


def _square(layout: dict, panel: int = 0) -> list[float]:
    """[a, b]: the height ``a + b * width`` px at which ``layout``'s panels are square on a frame
    ``width`` px wide (panel px width = x domain x (width - l - r), height = y domain x (height - t
    - b)). Their data windows being square too, x and y then have the same scale."""
    sfx = "" if panel == 0 else str(panel + 1)
    xd, yd = layout[f"xaxis{sfx}"]["domain"], layout[f"yaxis{sfx}"]["domain"]
    m = layout["margin"]
    ratio = (xd[1] - xd[0]) / (yd[1] - yd[0])
    return [m["t"] + m["b"] - ratio * (m["l"] + m["r"]), ratio]


def _log_ticks(*arrays) -> dict:
    """Tick settings for a log axis over the finite positive values of ``arrays``. Left to itself,
    Plotly writes the powers of ten and, between them, digits ("2", "5") at 3/4 size, too small for
    a projector: over two decades or more, the powers of ten only; over less, the values 1-2-5 (or
    every digit over less than half a decade) written out in full size ("0.02", "0.05", "0.1")."""
    v = np.concatenate([np.ravel(np.asarray(a, np.float64)) for a in arrays])
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return {}
    lo, hi = float(v.min()), float(v.max())
    decades = math.log10(hi / lo)
    if decades >= 2:
        return {"minorloglabels": "none"}
    digits = range(1, 10) if decades < 0.5 else (1, 2, 5)
    e0, e1 = math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1
    ticks = [d * 10.0**e for e in range(e0, e1 + 1) for d in digits if lo / 3 <= d * 10.0**e <= 3 * hi]
    ticks = [float(f"{t:.3g}") for t in ticks]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}


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
    """Train (left) and validation (right) loss per step, one colour per lr, on log axes sharing one
    scale (the right panel's y tick labels would only repeat the left's); on a narrow frame, one
    under the other.

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
                at, where = f"diverged at step {d}", _beside(d, steps)
                traces += stop_mark(steps, loss, colour(k), at, where, xaxis=xa, yaxis=ya)
    for sfx in ("", "2"):
        layout[f"xaxis{sfx}"]["title"] = {"text": "step"}
        layout[f"yaxis{sfx}"].update(type="log", **_log_ticks(train, val))
    layout["yaxis2"].update(matches="y", showticklabels=False)
    layout["yaxis"]["title"] = {"text": "loss (log)"}
    layout["hovermode"] = "x unified"
    fig = {"data": traces, "layout": layout}
    return narrow_form(fig, _stacked(layout, panel_px=190, legend=labels), below=NARROW_PX)


def _beside(step: int, steps: Sequence[int]) -> str:
    """Where a stopped run's label goes: right of its mark, or left of it in the right 40% (a label
    above it would be cut off at the top of the plot, where a diverging loss ends)."""
    return "middle right" if step < 0.6 * (steps[-1] - steps[0]) + steps[0] else "middle left"


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


CONTROLS_PX = 142  # under a plot: its x tick labels, Play/Pause and the step on one row, the slider
_BELOW = TICKS_PX + 6  # the controls' top, px under the plot area
NARROW_SLIDER_PX = 500  # under this, the step slider's tick labels are the first and last only


def _frame_slider(steps: Sequence[int], prefix: str = "step ", *, narrow: bool = False) -> tuple[list, list]:
    """Plotly's Play/Pause buttons and step slider over frames named by their step, under the plot
    area (placed in px, whatever its height): the buttons on the left and the current step on the
    right of one row, the slider's rail under them across the whole width, so neither covers the
    other at any width. ``narrow``: the rail's tick labels are hidden (Plotly would write one every
    few steps, packed edge to edge on a phone); :func:`_slider_ends` writes the first and last."""
    names = [str(int(s)) for s in steps]
    buttons = [
        {
            "type": "buttons",
            "direction": "left",
            "x": 0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "top",
            "pad": {"t": _BELOW, "r": 10},
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
            "x": 0,
            "len": 1,
            "y": 0,
            "yanchor": "top",
            "pad": {"t": _BELOW, "l": 0, "r": 0},
            # the current step at the right of the buttons' row, the rail under the buttons
            "currentvalue": {
                "prefix": prefix,
                "font": {"size": 16, "color": FONT["color"]},
                "xanchor": "right",
                "offset": 22,
            },
            "font": {"size": 13, **({"color": "rgba(0,0,0,0)"} if narrow else {})},
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


def _slider_ends(steps: Sequence[int]) -> list[dict]:
    """The first and last step written under the ends of :func:`_frame_slider`'s rail (its
    first and last ticks stand 10 px in from the plot area's edges)."""
    y = -(_BELOW + 22 + 21 + 25 + 7 + 3)  # under the rail's ticks: current value + offset, ticks
    return [
        {
            "name": "slider end",
            "text": str(int(t)),
            "x": x,
            "xref": "paper",
            "y": 0,
            "yref": "paper",
            "yshift": y,
            "xshift": 10 if x == 0 else -10,
            "xanchor": "center",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 13},
        }
        for x, t in ((0, steps[0]), (1, steps[-1]))
    ]


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
    height: int = 640,
    extra_points=None,
) -> dict:
    """Decision boundaries, one square panel per run (x and y at the same scale), over the grid
    ``xs`` (R,) x ``ys`` (R,) (square: ``datasets.grid(..., square=True)``).

    ``probs`` (K, S, R*R): P(y = 1) at each of S recorded ``steps`` (from :func:`predictions` on
    ``datasets.grid`` points); ``data``: the :class:`~lrlab.datasets.Dataset` whose training points
    are drawn; ``titles``: K panel titles, "<br>" between their two lines. With S > 1 the figure
    animates over the steps (frames that replace only the heatmaps); it opens on the last step.
    ``extra_points``: an optional (X, y) drawn as open markers (e.g. the original task next to a
    shifted one). ``height``: at most this tall (the panels grow with the frame's width).

    Side by side while each panel gets at least its title's width (and :data:`PANEL_MIN_PX`); on a
    narrower frame (:func:`narrow_form`) one under the other, each as wide as the frame, titles on
    one line (or, from four runs, in rows of two).
    """
    probs = np.asarray(probs, np.float64)
    k, s, _ = probs.shape
    r_y, r_x = len(ys), len(xs)
    grids = probs.reshape(k, s, r_y, r_x)
    animated = s > 1
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
    legend = ["class 0", "class 1"]
    for i in range(k):
        traces += _data_points(data.X_train, data.y_train, i, legend=i == 0)
        if extra_points is not None:
            traces += _data_points(*extra_points, i, legend=i == 0, faded=True, tag=" (original task)")
    if extra_points is not None:
        legend += ["class 0 (original task)", "class 1 (original task)"]
    fig = {"data": traces}
    l, r = 54, 16  # margins: the y tick labels, the last x tick label's overhang

    def form(cols: int, texts: Sequence[str], width: float, col_px: float) -> dict:
        """The layout of rows of ``cols`` panels, its gaps sized for a frame ``width`` px wide."""
        lines = _lines(texts)
        rows = math.ceil(k / cols)
        top = 14 + LINE_PX * lines
        bottom = (CONTROLS_PX if animated else TICKS_PX) + _legend_px(legend, width - l - r)
        panel = (width - l - r - (cols - 1) * col_px) / cols
        row_px = TICKS_PX + 10 + LINE_PX * lines
        layout = _panels(texts, height=height, cols=cols, gap=col_px / (width - l - r), top=top)
        plot = rows * panel + (rows - 1) * row_px
        _place(layout, _grid(k, cols, col_gap=col_px / (width - l - r), row_gap=row_px / plot))
        layout["margin"].update(l=l, r=r, b=bottom)
        layout["hovermode"] = False
        for i in range(k):
            sfx = "" if i == 0 else str(i + 1)
            first = i % cols == 0  # the first panel of its row: its y tick labels show
            layout[f"xaxis{sfx}"].update(
                range=xr, showgrid=False, constrain="domain", constraintoward="center"
            )
            layout[f"yaxis{sfx}"].update(
                range=yr,
                showgrid=False,
                showticklabels=first,
                scaleanchor=f"x{sfx}",
                scaleratio=1,
                constrain="domain",
                constraintoward="top",
            )
        if animated:
            layout["updatemenus"], layout["sliders"] = _frame_slider(steps, narrow=width < NARROW_SLIDER_PX)
            if width < NARROW_SLIDER_PX:
                layout["annotations"] += _slider_ends(steps)
        return layout

    one_line = [t.replace("<br>", " · ") for t in titles]
    if k > 3:  # narrow panels side by side: long lines ("diverged at step 12") in two
        titles = ["<br>".join(_halves(line) for line in t.split("<br>")) for t in titles]
    col_px = 28  # between panels: the x tick labels at their edges stay apart
    need = max([PANEL_MIN_PX] + [_text_px(t, TITLE_PX) + 12 for t in titles])
    below = max(NARROW_SLIDER_PX, math.ceil(k * need + (k - 1) * col_px + l + r))
    wide = form(k, titles, below, col_px)
    fig["layout"] = wide
    if animated:
        _animate(fig, steps, lambda j: [{"type": "heatmap", "z": _pct(grids[i, j])} for i in range(k)])
    cols = 1 if k <= 3 else 2
    narrow = form(cols, one_line if cols == 1 else titles, REF_PX, col_px)
    grow = {"wide": _square(wide), "narrow": _square(narrow)}
    narrow["height"] = math.ceil(grow["narrow"][0] + grow["narrow"][1] * below)
    return narrow_form(fig, narrow, below=below, grow=grow)


def _animate(fig: dict, steps: Sequence[int], frame_data) -> None:
    """Frames over the recorded ``steps``: frame j restyles the first traces with ``frame_data(j)``
    (a list, one update per run)."""
    fig["frames"] = [
        {"name": str(int(t)), "data": (data := frame_data(j)), "traces": list(range(len(data)))}
        for j, t in enumerate(steps)
    ]


def fit_figure(x, preds, steps: Sequence[int], data, labels: Sequence[str], *, height: int = 440) -> dict:
    """1-D regression: the data and each run's fitted curve ``preds`` (K, S, R) over ``x`` (R,),
    animated over the S recorded ``steps`` like :func:`boundary_figure` (Play and the step slider
    under the plot; on a narrow frame the slider writes only its first and last step)."""
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
    if s == 1:
        return fig
    _animate(fig, steps, lambda j: [{"type": "scatter", "y": sig(preds[i, j])} for i in range(k)])
    layout["margin"]["b"] = CONTROLS_PX + 10
    narrow = copy.deepcopy(layout)
    narrow["margin"].update(l=50, t=_legend_px([*labels, "training data"], REF_PX - 65) + 10)
    layout["updatemenus"], layout["sliders"] = _frame_slider(steps)
    narrow["updatemenus"], narrow["sliders"] = _frame_slider(steps, narrow=True)
    narrow["annotations"] += _slider_ends(steps)
    return narrow_form(fig, narrow, below=NARROW_SLIDER_PX)


# -- LR range test ---------------------------------------------------------------------------------


def range_test_figure(result, *, height: int = 400) -> dict:
    """Loss against lr (log x) during the range test: the raw loss, its smoothed curve, and the three
    suggestions (steepest slope, minimum / 10, valley) each marked and labelled with its name and lr
    in its colour (beside its line, on the side with more room)."""
    lrs = np.asarray(result.lrs, np.float64)
    smoothed = np.asarray(result.smoothed, np.float64)
    layout = _panels(["loss while the lr grows exponentially"], height=height, top=40)
    layout["xaxis"].update(type="log", title={"text": "learning rate (log)"}, **_log_ticks(lrs))
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
    span = np.log10(lrs[[0, -1]]) if len(lrs) > 1 else np.array([0.0, 1.0])
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
                "showlegend": False,  # its label on the plot names it
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
        left = (math.log10(x) - span[0]) < 0.35 * (span[1] - span[0])  # near the left edge: label right
        layout["annotations"].append(  # labels staggered from the top down, so close lrs stay legible
            {
                "name": "suggestion",
                "text": f"<b>{label}</b> {lr:.2g}",
                "x": math.log10(x),
                "y": 0.97 - 0.1 * i,
                "xref": "x",
                "yref": "paper",
                "xanchor": "left" if left else "right",
                "xshift": 4 if left else -4,
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
    fig = {"data": traces, "layout": layout}
    narrow = _stacked(
        layout,
        panel_px=250,
        legend=["loss (raw)", "loss (smoothed)"],
        titles=["loss while the lr grows<br>exponentially"],
    )
    for a in narrow["annotations"]:
        if a.get("name") == "suggestion":
            a["font"] = {**a["font"], "size": 13}
    return narrow_form(fig, narrow, below=NARROW_PX)


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
        layout["yaxis"].update(type="log", **_log_ticks(tr, [] if va is None else va))
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
                "name": "band",
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
    theory = []  # (lr, label, the label's preferred side of its line)
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
            theory.append((lr, f"{name} = {lr:.3g}", side))
    edges = band_edges(lrs)
    span = (math.log10(edges[0]), math.log10(edges[-1]))
    layout["shapes"] = shapes
    layout["annotations"] += notes + _theory_notes(theory, span, NARROW_PX - 110, 14)
    layout["xaxis"].update(range=list(span), **_log_ticks(edges))
    fig = {"data": traces, "layout": layout}
    narrow = _stacked(layout, panel_px=260, legend=[t["name"] for t in traces])
    narrow["annotations"] = [a for a in narrow["annotations"] if a.get("name") != "theory"]
    narrow["annotations"] += _theory_notes(theory, span, REF_PX - 110, 13)
    for a in narrow["annotations"]:
        if a.get("name") == "band":
            a["font"] = {**a["font"], "size": 14}
    return narrow_form(fig, narrow, below=NARROW_PX)


def _theory_notes(theory, span, plot_px: float, size: int) -> list[dict]:
    """Labels of the theory's lines: overshoot's left of its line, divergence's right of its own, so
    they never cover each other; one with too little room on its side (``plot_px``: the narrowest
    plot area of the form) goes to the other side, a row lower."""
    notes = []
    for lr, text, side in theory:
        frac = (math.log10(lr) - span[0]) / (span[1] - span[0])
        room = (1 - frac if side == "left" else frac) * plot_px
        moved = room < _text_px(text, size) + 8
        if moved:
            side = "right" if side == "left" else "left"
        notes.append(
            {
                "name": "theory",
                "text": text,
                "x": math.log10(lr),
                "y": 0.85 - 0.12 * moved,
                "xref": "x",
                "yref": "paper",
                "xanchor": side,
                "xshift": 4 if side == "left" else -4,
                "showarrow": False,
                "font": {"size": size, "color": "#000"},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )
    return notes


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
    layout["yaxis"].update(type="log", title={"text": "loss (log)"}, **_log_ticks(train))
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
                    "bgcolor": "rgba(255,255,255,0.8)",  # legible over the curves it labels
                }
            )
        else:
            above.append(f'<span style="color:{colour(k)}">2/lr = {v:.3g} ({labels[k]}) ↑</span>')
    if above:  # in the sharpness panel's corner, wherever the narrow form puts that panel
        note = corner_note("above the chart: " + "<br>".join(above))
        layout["annotations"].append({**note, "xref": "x2 domain", "yref": "y2 domain"})
    fig = {"data": traces, "layout": layout}
    titles = ["training loss", "sharpness λmax(∇²L)<br>and its edge 2/lr"]
    return narrow_form(fig, _stacked(layout, panel_px=220, legend=labels, titles=titles), below=NARROW_PX)


# -- fine-tuning -----------------------------------------------------------------------------------


def finetune_figure(result, labels: Sequence[str], *, height: int = 400) -> dict:
    """While fine-tuning on the new task: validation accuracy on the ORIGINAL task (left: does the
    network remember it?) and on the NEW task (right: does it learn it?), one colour per lr, on one
    scale; on a narrow frame, one under the other. Regression (no accuracy): the losses instead."""
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
            layout[f"yaxis{sfx}"].update(type="log", **_log_ticks(old, new))
    layout["yaxis"]["title"] = {"text": what}
    layout["yaxis2"].update(matches="y", showticklabels=False)
    layout["hovermode"] = "x unified"
    traces: list[dict] = []
    steps_old = np.asarray(result.steps).tolist()
    for k, label in enumerate(labels):
        traces.append(_line(steps_old, old[k], k, label, panel=0))
        traces.append(_line(list(range(new.shape[1])), new[k], k, label, panel=1, legend=False))
    fig = {"data": traces, "layout": layout}
    return narrow_form(fig, _stacked(layout, panel_px=200, legend=labels), below=NARROW_PX)
