"""Figures of descent runs on a 2D surface, built as plain dicts (no graph-object validation).

Inputs are a surface (``lrlab.surfaces.Surface``) and runs: a sequence of :class:`Run`, a label
plus a single-run ``lrlab.Trajectory``. Outputs are JSON-ready dicts:

* :func:`player_spec`: what the descent player component draws (contour map and 3D surface, each
  as static traces, plus every run's whole path once, plus the per-step line charts of
  :func:`line_charts`). The player animates by slicing the paths in JavaScript, so the spec grows
  linearly with the number of steps. The static part depends only on the surface (and the start) and
  is cached per surface (:func:`static_parts`).
* :func:`loss_figure`, :func:`lr_figure`, :func:`grad_norm_figure`: Plotly figure dicts the player
  draws under/next to its map (y only: x is the step index, Plotly's default);
  :func:`schedule_preview`: a figure dict for the chart component (:mod:`lrlab.ui.chart`).
* :func:`runs_csv`: the runs as CSV text (one row per run and step).

Numbers are rounded for the wire: coordinates to 4 decimals of the plot's width (1/10 000 of the
plot), losses and learning rates to 4 significant digits, the contour's log10 gap to 3 decimals and
the 3D surface to 4 decimals of its height range; NaN (a stopped run) becomes ``null``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from lrlab import theory
from lrlab.fan import as_fans
from lrlab.figures import DASHES, SYMBOLS, colour
from lrlab.figures.parts import sig, stop_mark
from lrlab.theory import OVERSHOOT_RULE

FONT = {"family": "Source Sans Pro, Source Sans 3, system-ui, sans-serif", "size": 17, "color": "#111"}
GRID = 81  # contour grid per axis
GRID3D = 41
CONTOUR_SCALE = [[0.0, "#ffffff"], [0.5, "#e2e2e2"], [1.0, "#a3a3a3"]]
SURFACE_SCALE = [[0.0, "#f4f4f4"], [0.5, "#b8c9d9"], [1.0, "#5b7894"]]

REGIME_LABEL = {
    "converged": "converged",
    "oscillating": "oscillating",
    "diverged": "diverged",
    "too_slow": "too slow",
    "local_minimum": "stuck in a local minimum",
    "unstable": "unstable",
    "stalled": "stalled",
}


class Run(NamedTuple):
    """One run to draw: its legend label and its single-run trajectory."""

    label: str
    traj: Any


# -- number formatting for the wire ----------------------------------------------------------------


def _decimals(surface) -> int:
    (x0, x1), (y0, y1) = surface.bounds
    span = max(x1 - x0, y1 - y0)
    return max(0, 4 - math.floor(math.log10(span)))


def _rounded(a, decimals: int) -> list:
    """``a`` rounded to ``decimals`` places as nested lists (shape kept); NaN/inf -> None, -0.0 -> 0.0.

    Vectorized: ``np.round`` then ``tolist`` (rint(a * 10^d) / 10^d is the double nearest to the
    decimal, so its JSON is short); no per-value formatting."""
    a = np.round(np.asarray(a, dtype=np.float64), decimals) + 0.0
    bad = ~np.isfinite(a)
    if not bad.any():
        return a.tolist()
    out = a.astype(object)
    out[bad] = None
    return out.tolist()


def _sig_rows(a, digits: int = 4) -> list:
    """``sig`` of every value of ``a`` with its shape kept (nested lists), vectorized: each value to
    ``digits`` significant digits as the double nearest that decimal (an integer times or over an
    exact power of ten: IEEE's correctly rounded product or quotient), so its JSON is as short as
    ``sig``'s; NaN/inf -> None. A value whose power of ten is not exact in a double (beyond 10^±22)
    goes through ``sig`` itself."""
    a = np.asarray(a, np.float64)
    with np.errstate(all="ignore"):
        e = np.floor(np.log10(np.abs(a))) - (digits - 1)  # the power of the last digit kept
        fine = np.isfinite(a) & (a != 0) & (np.abs(e) <= 22)
        p = 10.0 ** np.abs(np.where(fine, e, 0))
        r = np.where(e < 0, np.round(a * p) / p, np.round(a / p) * p)
    r = np.where(a == 0, 0.0, r)
    bad = ~np.isfinite(a)
    rest = ~fine & ~bad & (a != 0)
    if not bad.any() and not rest.any():
        return r.tolist()
    out = r.astype(object)
    out[bad] = None
    if rest.any():
        out[rest] = sig(a[rest], digits)
    return out.tolist()


def _round(a, decimals: int) -> list:
    """Round to ``decimals`` places, flattened; NaN/inf -> None (JSON null)."""
    return _rounded(np.ravel(a), decimals)


# -- labels ----------------------------------------------------------------------------------------


def regime_text(traj) -> str:
    """'diverged at step 7', 'oscillating', ... for one run."""
    return status_text(traj.regime, traj.diverged_at)


def status_text(regime: str, diverged_at: int | None) -> str:
    """:func:`regime_text` from a run's regime and the step it diverged at."""
    if regime == "diverged" and diverged_at is not None:
        return f"diverged at step {diverged_at}"
    return REGIME_LABEL.get(regime, regime)


def legend_text(run: Run) -> str:
    return f"{run.label} · {regime_text(run.traj)}"


# -- the surface on a grid -------------------------------------------------------------------------


def surface_grid(surface, n: int = GRID) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs (n,), ys (n,), Z (n, n)) with Z[i, j] = f(xs[j], ys[i]); non-finite values are NaN."""
    (x0, x1), (y0, y1) = surface.bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    xy = np.stack(np.meshgrid(xs, ys), axis=-1)
    with np.errstate(all="ignore"):
        z = surface.value(xy)
    return xs, ys, np.where(np.isfinite(z), z, np.nan)


def floor_value(surface, z: np.ndarray | None = None, runs: Sequence[Run] = ()) -> float:
    """f* of "loss above the minimum": the global minimum's value if the surface lists one; else the
    lowest minimum the ``runs`` approach (``Trajectory.approached``, found by Newton), never above a
    loss they recorded (so the chart shows no drop that did not happen); else the grid's minimum."""
    glob = surface.global_min
    if glob is not None:
        return float(glob.value)
    found = [a.value for r in runs for a in _approached(r.traj) if a is not None]
    recorded = [float(np.nanmin(r.traj.loss)) for r in runs if np.isfinite(r.traj.loss).any()]
    if found or recorded:
        return float(min(found + recorded))
    if z is None:
        z = surface_grid(surface)[2]
    return float(np.nanmin(z)) if np.isfinite(z).any() else 0.0


def _approached(traj) -> tuple:
    a = getattr(traj, "approached", None)
    return a if isinstance(a, tuple) else (a,)


def _log_gap(z: np.ndarray, fmin: float, delta: float) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.log10(np.maximum(z - fmin, 0.0) + delta)


def _gap_delta(z: np.ndarray, fmin: float) -> float:
    """A small offset so log10(f - f* + delta) is finite at the minimum and still shows its bowl."""
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return 1.0
    spread = float(np.nanpercentile(finite, 50) - fmin)
    return max(spread * 1e-3, 1e-12)


def _axis(title: str, rng) -> dict:
    return {
        "title": {"text": title, "font": {"size": 18}},
        "range": list(rng),
        "autorange": False,
        "showgrid": False,
        "zeroline": False,
        "ticks": "outside",
        "linecolor": "#111",
        "mirror": True,
        "tickfont": {"size": 15},
    }


def _surface_key(surface) -> tuple:
    """What the static figure parts depend on: the surface's identity, not the object."""
    return (
        surface.name,
        surface.formula,
        tuple(map(tuple, surface.bounds)),
        tuple(sorted((k, repr(v)) for k, v in dict(surface.params).items())),
        tuple((tuple(m.xy), m.value, m.is_global) for m in surface.minima),
    )


class _Keyed:
    """A surface hashed by :func:`_surface_key` (Surface objects compare by identity)."""

    __slots__ = ("key", "surface")

    def __init__(self, surface):
        self.surface, self.key = surface, _surface_key(surface)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Keyed) and other.key == self.key


@lru_cache(maxsize=64)
def _grids(k: _Keyed, n: int, n3: int) -> dict:
    """The surface on the contour grid (n x n, as the map draws it) and on the 3D grid (n3 x n3, raw)."""
    surface = k.surface
    xs, ys, z = surface_grid(surface, n)
    fmin = floor_value(surface, z)
    zl = _log_gap(z, fmin, _gap_delta(z, fmin))
    dec = _decimals(surface)
    xs3, ys3, z3 = surface_grid(surface, n3)
    finite = z3[np.isfinite(z3)]
    return {
        "x": _round(xs, dec),
        "y": _round(ys, dec),
        "z": _rounded(zl, 3),
        "x3": _round(xs3, dec),
        "y3": _round(ys3, dec),
        "z3": z3,
        "p90": float(np.nanpercentile(finite, 90)) if finite.size else 1.0,
        "zmin": float(np.nanmin(finite)) if finite.size else 0.0,
    }


def static_parts(surface, n: int = GRID, n3: int = GRID3D) -> dict:
    """The surface's grids, rounded for the wire, cached per surface (see :func:`_surface_key`):
    x, y, z (log10 gap, the contour), x3, y3, z3 (raw loss, 3D), p90 and zmin of z3. Read-only."""
    return _grids(_Keyed(surface), n, n3)


def map_static(surface, start, n: int = GRID) -> tuple[list[dict], dict]:
    """Static traces (contour, minima, start) and layout of the contour map."""
    g = static_parts(surface, n)
    dec = _decimals(surface)
    traces: list[dict] = [
        {
            "type": "contour",
            "name": "loss",
            "x": g["x"],
            "y": g["y"],
            "z": g["z"],
            "colorscale": CONTOUR_SCALE,
            "ncontours": 22,
            "contours": {"coloring": "fill", "showlines": True},
            "line": {"color": "rgba(60,60,60,0.45)", "width": 1},
            "showscale": False,
            "hovertemplate": "x=%{x:.3g}<br>y=%{y:.3g}<extra></extra>",
            "showlegend": False,
        }
    ]
    glob = [m for m in surface.minima if m.is_global]
    loc = [m for m in surface.minima if not m.is_global]
    for group, name, symbol in ((glob, "global minimum", "star"), (loc, "local minimum", "star-open")):
        if group:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": name,
                    "x": _round([m.xy[0] for m in group], dec),
                    "y": _round([m.xy[1] for m in group], dec),
                    "marker": {
                        "symbol": symbol,
                        "size": 22 if symbol == "star" else (15 if len(group) <= 12 else 9),
                        "color": "#F0E442" if symbol == "star" else "#000",
                        "line": {"color": "#000", "width": 2},
                    },
                    "hovertemplate": name + " (%{x:.3g}, %{y:.3g})<extra></extra>",
                }
            )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": "start",
            "x": _round([start[0]], dec),
            "y": _round([start[1]], dec),
            "marker": {"symbol": "x-thin", "size": 18, "line": {"color": "#000", "width": 3}},
            "hovertemplate": "start (%{x:.3g}, %{y:.3g})<extra></extra>",
        }
    )
    (x0, x1), (y0, y1) = surface.bounds
    layout = {
        "font": FONT,
        "margin": {"l": 60, "r": 10, "t": 10, "b": 125},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "xaxis": {**_axis("x", (x0, x1)), "constrain": "domain"},
        "yaxis": {**_axis("y", (y0, y1)), "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"},
        "legend": {
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": 16},
            "bgcolor": "rgba(255,255,255,0.85)",
        },
        "hovermode": "closest",
        "dragmode": "zoom",
    }
    return traces, layout


def _axis3d() -> dict:
    return {"title": {"text": ""}, "nticks": 5, "tickfont": {"size": 16}}


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) in [lo, hi], about ``n`` of them."""
    if not hi > lo:
        return [float(hi)]
    raw = (hi - lo) / n
    base = 10.0 ** math.floor(math.log10(raw))
    step = next(m * base for m in (1, 2, 5, 10) if m * base >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + k * step, 12) for k in range(int((hi - first) / step + 1e-9) + 1)]


def _label3d(text: str, x: float, y: float, z: float) -> dict:
    return {"text": text, "x": x, "y": y, "z": z, "showarrow": False, "font": {"size": 18, "color": "#111"}}


def surface3d_static(surface, start, n: int = GRID3D) -> tuple[list[dict], dict]:
    """Static traces (surface, minima) and layout of the 3D view; z is the loss, flattened at a cap
    (the 90th percentile of the grid, or above the start) so steep walls don't dwarf the valley: a
    flat top, not a saw-toothed rim of cut cells."""
    g = static_parts(surface, GRID, n)
    with np.errstate(all="ignore"):
        start_loss = float(surface.value(np.asarray(start, float)))
    cap = g["p90"]
    if math.isfinite(start_loss):
        cap = max(cap, start_loss * 1.15 if start_loss > 0 else start_loss + 1)
    zmin = g["zmin"]
    z = g["z3"]
    with np.errstate(invalid="ignore"):
        zc = np.minimum(z, cap)  # NaN (undefined) stays NaN
    span = cap - zmin if cap > zmin else 1.0
    traces = [
        {
            "type": "surface",
            "name": "loss",
            "x": g["x3"],
            "y": g["y3"],
            "z": _rounded(zc, 4 - math.floor(math.log10(span))),
            "colorscale": SURFACE_SCALE,
            "showscale": False,
            "opacity": 0.92,
            "hoverinfo": "skip",
        }
    ]
    (x0, x1), (y0, y1) = surface.bounds
    pad = 0.02 * (cap - zmin if cap > zmin else 1.0)
    lift = 0.5 * pad  # the player draws paths this far above the surface, so they are not inside it
    if surface.minima:
        traces.append(
            {
                "type": "scatter3d",
                "mode": "markers",
                "name": "minima",
                "x": [m.xy[0] for m in surface.minima],
                "y": [m.xy[1] for m in surface.minima],
                "z": [m.value + lift for m in surface.minima],  # on the surface, not inside it
                "marker": {"size": 6, "color": "#F0E442", "line": {"color": "#000", "width": 2}},
                "hoverinfo": "skip",
            }
        )
    layout = {
        "meta": {"lift": lift},
        "font": FONT,
        "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
        "paper_bgcolor": "#fff",
        "showlegend": True,
        "legend": {"orientation": "h", "y": 0.02, "x": 0, "font": {"size": 16}},
        "scene": {  # few ticks in a readable size, so corner labels don't run into each other
            "xaxis": {**_axis3d(), "range": [x0, x1]},
            "yaxis": {**_axis3d(), "range": [y0, y1]},
            # no loss tick in the bottom fifth: it would sit on the x axis' end label in the corner
            "zaxis": {
                **_axis3d(),
                "range": [zmin - pad, cap + pad],
                "tickvals": _ticks(zmin + 0.2 * span, cap),
            },
            # the axis names as scene annotations: plotly.js draws 3D axis titles tiny in WebGL-less
            # (software) rendering, annotations are plain SVG text at a point of the scene
            "annotations": [
                _label3d("x", (x0 + x1) / 2, y0, zmin),
                _label3d("y", x1, (y0 + y1) / 2, zmin),
                _label3d(f"loss (capped at {cap:.3g})", x0, y1, cap),
            ],
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.7},
            # from above the front corner: the paths in a valley stay in sight over its near wall
            # (from far enough that the front corner's tick labels are not cut at the bottom)
            "camera": {"eye": {"x": 1.15, "y": -1.5, "z": 1.67}},
        },
    }
    return traces, layout


# -- the player ------------------------------------------------------------------------------------


def exit_points(points, bounds) -> tuple[np.ndarray, np.ndarray]:
    """Where each path first leaves the box ``bounds`` ((x0, x1), (y0, y1)), the map's range.

    ``points`` (..., T+1, 2). Returns ``(step, xy)``: ``step`` (...,) the first step k whose point is
    outside the box while the point before it (k − 1) was inside, or -1 if the path never does;
    ``xy`` (..., 2) where the segment from point k − 1 to point k crosses the box's edge (NaN when
    ``step`` is -1). A point that is not finite is neither inside nor outside (a run the engine
    stopped does not "leave" at its stop). On the segment p(s) = a + s (b − a), s in [0, 1], the
    crossing is the smallest s at which one coordinate reaches the side of the box it crosses:
    s = (edge − a) / (b − a) for each coordinate beyond its edge."""
    pts = np.asarray(points, np.float64)
    lo = np.array([bounds[0][0], bounds[1][0]], np.float64)
    hi = np.array([bounds[0][1], bounds[1][1]], np.float64)
    finite = np.all(np.isfinite(pts), axis=-1)
    with np.errstate(invalid="ignore"):
        inside = finite & np.all((pts >= lo) & (pts <= hi), axis=-1)
    leaves = inside[..., :-1] & finite[..., 1:] & ~inside[..., 1:]  # (..., T): step k-1 -> k
    any_ = leaves.any(axis=-1)
    k = np.where(any_, np.argmax(leaves, axis=-1) + 1, -1)
    kk = np.maximum(k, 1)[..., None, None]
    a = np.take_along_axis(pts, np.broadcast_to(kk - 1, (*k.shape, 1, 2)), axis=-2)[..., 0, :]
    b = np.take_along_axis(pts, np.broadcast_to(kk, (*k.shape, 1, 2)), axis=-2)[..., 0, :]
    with np.errstate(all="ignore"):
        edge = np.where(b > hi, hi, lo)
        s = np.where((b > hi) | (b < lo), (edge - a) / (b - a), np.inf).min(axis=-1)
        xy = a + s[..., None] * (b - a)
    xy = np.where(any_[..., None], xy, np.nan)
    return k, xy


def _exit_json(step: int, xy, dec: int):
    """One path's exit for the wire: ``[step, x, y]`` or None."""
    if step < 0:
        return None
    return [int(step), *_round(xy, dec)]


def _internals(traj, dec: int) -> tuple[list | None, list | None, list | None]:
    """Per-step arrows at p_t for update t: the gradient step -lr_t g_t, the momentum step
    -lr_t v_{t+1} (the buffer that update t builds), and the per-axis effective lr after update t."""
    lr = np.asarray(traj.lr, np.float64)
    t = lr.shape[0]
    g = np.asarray(traj.grads, np.float64)[:t]
    with np.errstate(all="ignore"):
        gstep = -lr[:, None] * g
        vstep = None
        if traj.velocity is not None and np.isfinite(traj.velocity[1:]).any():
            vstep = -lr[:, None] * np.asarray(traj.velocity, np.float64)[1:]
    eff = None
    if traj.effective_lr is not None and np.isfinite(traj.effective_lr[1:]).any():
        # effective_lr[t + 1] is the per-axis multiplier update t applied
        e = np.asarray(traj.effective_lr, np.float64)[1:]
        eff = [sig(e[:, 0], 3), sig(e[:, 1], 3)]
    gs = [_round(gstep[:, 0], dec), _round(gstep[:, 1], dec)]
    vs = None if vstep is None else [_round(vstep[:, 0], dec), _round(vstep[:, 1], dec)]
    return gs, vs, eff


def ball_shapes(runs: Sequence[Run], dec: int) -> list[dict]:
    """With gradient noise: each run's noise ball, the theory's 2-σ ellipse at the minimum it
    approaches (``noise.Ball.ellipse``, over the run's last quarter), as layout shapes drawn above the
    paths (a noisy path covers its own ball): a white halo under a line in the run's colour."""
    out = []
    for k, run in enumerate(runs):
        ball = getattr(run.traj, "ball", None)
        if ball is None or not np.all(np.isfinite(ball.std)):
            continue
        xy = ball.ellipse()
        path = "M " + " L ".join(f"{x:.{dec + 1}f},{y:.{dec + 1}f}" for x, y in xy) + " Z"
        for color, width in (("white", 5), (colour(k), 2.5)):
            out.append(
                {"type": "path", "path": path, "layer": "above", "line": {"color": color, "width": width}}
            )
    return out


def fan_spec(surface, lr_fan, labels: Sequence[str] | None = None) -> dict:
    """The lr fan as the player's lr slider draws from it: JSON-ready, and independent of the lr (it is
    sent once, as its own page element, and reused while only the lr changes). ``lr_fan``: a
    ``lrlab.fan.Fans`` (or a ``Fan``, one member); ``labels``: each member's run label with "{lr}"
    where the player writes the member's lr (default "lr = {lr}").

    ``lrs``: the shared base grid (the slider's lrs); ``lines``: the theory's lines of the configured
    optimizer on that scale (the slider's ticks); ``members``: per run of the view, in its order,
    ``label``, ``factor`` and per grid lr (member lr = factor × base lr) the map's path (``x``, ``y``,
    the same rounding as :func:`player_spec`), ``loss`` (raw: the player subtracts its spec's f*),
    ``gnorm``, ``lr`` per step (None for a constant lr), ``regime``, ``status`` (the badge's words),
    ``explanation`` (the engine's sentence), ``side`` / ``side_kind`` / ``side_short`` (where the
    member's lr sits against its own optimizer's lines, :func:`side_texts`; None without lines),
    ``diverged_at``,
    ``exit`` (where the path first leaves the box, :func:`exit_points`) and ``final`` (the last
    recorded loss; None for a run that diverged: it has none)."""
    fans = as_fans(lr_fan)
    dec = _decimals(surface)
    members = []
    for k, f in enumerate(fans.fans):
        tr = f.traj
        pts = np.asarray(tr.points, np.float64)
        lrs = np.asarray(tr.lr, np.float64)
        constant = bool(np.all(lrs == lrs[:, :1]))
        with np.errstate(all="ignore"):
            loss = _sig_rows(tr.loss)
            gnorm = _sig_rows(np.maximum(np.asarray(tr.grad_norm, np.float64), 1e-16))
        sides = side_texts(f.critical, lrs, tr.diverged_at)
        steps, xy = exit_points(pts, surface.bounds)
        diverged = np.array([d is not None for d in tr.diverged_at])
        members.append(
            {
                "label": labels[k] if labels is not None else "lr = {lr}",
                "factor": float(fans.members[k].factor),
                "lrs": [float(v) for v in f.lrs],
                "x": _rounded(pts[..., 0], dec),
                "y": _rounded(pts[..., 1], dec),
                "loss": loss,
                "gnorm": gnorm,
                "lr": [None] * len(lrs) if constant else _sig_rows(lrs),
                "regime": list(tr.regime),
                "status": [status_text(r, d) for r, d in zip(tr.regime, tr.diverged_at, strict=True)],
                "explanation": list(tr.explanation),
                **sides,
                "diverged_at": list(tr.diverged_at),
                "exit": [_exit_json(int(i), q, dec) for i, q in zip(steps, xy, strict=True)],
                "final": sig(np.where(diverged, np.nan, f.final_loss)),
            }
        )
    return {"lrs": [float(v) for v in fans.lrs], "lines": _tick_lines(fans.critical), "members": members}


def _tick_lines(crit) -> list[dict]:
    """The theory's lines as the slider's labelled ticks: ``{"lr", "label"}`` ("1/λ = 0.25", ...)."""
    if crit is None or crit.diverge is None:
        return []
    lines = []
    over = OVERSHOOT_RULE.get(crit.rule)
    if crit.overshoot is not None and over:
        lines.append({"lr": float(crit.overshoot), "label": f"{over} = {crit.overshoot:.3g}"})
    lines.append({"lr": float(crit.diverge), "label": f"{crit.rule} = {crit.diverge:.3g}"})
    return lines


def fan_floor(surface, lr_fan, runs: Sequence[Run] = ()) -> float:
    """f* of "loss above the minimum" for a view with a fan: :func:`floor_value` over the view's
    ``runs`` and every run of the fan, so that no drawn loss, the server's or a dragged one, is below
    it (the player subtracts it from the fan's raw losses)."""
    trajs = [f.traj for f in as_fans(lr_fan).fans]
    return floor_value(surface, runs=[*runs, *(Run("", tr) for tr in trajs)])


def side_texts(crit, lrs, diverged_at=None) -> dict:
    """Where each run's lrs (``lrs`` (K, T), one row per run) sit against ``crit``'s lines, in the
    theory's words: ``side`` (for a constant lr its band, "Between the lines: overshoots, still
    converges."; for a schedule the sentence of segments the page's theory box writes,
    ``theory.lr_sides``), ``side_kind`` (the band of the last lr) and ``side_short`` (a few words for a
    run's verdict beside others', "above 2/λ"; for a schedule the band of the lr it ended on, "ends
    below 1/λ", or for a run that diverged at step d (``diverged_at``, one per run) of the lr of its
    last update, "above 2/λ at step d−1"). Each None where ``crit`` has no lines (an adaptive
    optimizer)."""
    if crit is None or crit.diverge is None:
        return {"side": None, "side_kind": None, "side_short": None}
    rows = np.asarray(lrs, np.float64).reshape(len(lrs), -1)
    constant = bool(np.all(rows == rows[:, :1]))
    sides = [_side_words(crit, row[0]) if constant else theory.lr_sides(crit, row) for row in rows]
    over = OVERSHOOT_RULE.get(crit.rule) or "the overshoot line"
    short = {
        "monotone": f"below {over}",
        "overshoot": f"between {over} and {crit.rule}",
        "edge": f"on {crit.rule}",
        "diverge": f"above {crit.rule}",
    }

    def words(k: int, kind: str) -> str:
        if constant:
            return short.get(kind, "")
        d = None if diverged_at is None else diverged_at[k]
        if d is None:
            return "ends " + short.get(kind, "")
        t = max(0, min(int(d), rows.shape[1]) - 1)  # its last update's lr
        return f"{short.get(crit.side(float(rows[k, t])), '')} at step {t}"

    return {
        "side": [sentence for _, sentence in sides],
        "side_kind": [kind for kind, _ in sides],
        "side_short": [words(k, kind) for k, (kind, _) in enumerate(sides)],
    }


def _side_words(crit, lr: float) -> tuple[str, str]:
    """(band, sentence) of a constant ``lr`` against ``crit``'s lines, in ``theory.SIDE_WORDS``."""
    kind = crit.side(float(lr))
    words = theory.SIDE_WORDS[kind]
    return kind, f"{words[0].upper()}{words[1:]}."


def fan_ranges(lr_fan, fmin: float, runs: Sequence[Run] = ()) -> dict[str, list[float]]:
    """The y range (log10, padded) of each per-step chart over every run of the fan (every member's)
    and the view's ``runs``, so a drag of the player's lr moves the lines against fixed axes: ``loss``
    (f − f*, floored at 1e-16 as :func:`loss_figure`), ``lr`` and ``gnorm``. ``None`` for a chart with
    no positive value."""
    trajs = [f.traj for f in as_fans(lr_fan).fans] + [r.traj for r in runs]

    def values(attr: str) -> np.ndarray:
        return np.concatenate([np.asarray(getattr(tr, attr), np.float64).ravel() for tr in trajs])

    with np.errstate(all="ignore"):
        series = {
            "loss": np.maximum(values("loss") - fmin, 1e-16),
            "lr": values("lr"),
            "gnorm": np.maximum(values("grad_norm"), 1e-16),
        }
    out = {}
    for key, v in series.items():
        v = v[np.isfinite(v) & (v > 0)]
        if not v.size:
            out[key] = None
            continue
        lo, hi = math.log10(float(v.min())), math.log10(float(v.max()))
        pad = max(0.05 * (hi - lo), 0.15)
        out[key] = [round(lo - pad, 3), round(hi + pad, 3)]
    return out


def player_spec(
    surface,
    runs: Sequence[Run],
    start,
    *,
    focus: int = 0,
    height: int = 620,
    clickable: bool = True,
    hint: str = "",
    charts: bool = True,
    lr_fan=None,
    fan_id: str = "",
    fan_lr: float | None = None,
) -> dict:
    """Everything the descent player draws, JSON-ready; ``id`` changes whenever the content does.

    ``charts``: include :func:`line_charts` (drawn by the player beside or under its map);
    ``lr_fan``: the ``lrlab.fan.Fans`` (or ``Fan``) of the player's own lr slider, sent apart as
    :func:`fan_spec` under ``fan_id``: ``spec["fan"]`` only names it (``id``), says which lr of the
    slider the runs are (``lr``: ``fan_lr``, default the first run's first lr) and the f* the player
    subtracts from the fan's losses (``fmin``, :func:`fan_floor`); the charts' y ranges are fixed over
    the fan and the runs (:func:`fan_ranges`)."""
    dec = _decimals(surface)
    map_traces, map_layout = map_static(surface, start)
    shapes = ball_shapes(runs, dec)
    if shapes:
        map_layout = {**map_layout, "shapes": [*map_layout.get("shapes", []), *shapes]}
    s3_traces, s3_layout = surface3d_static(surface, start)
    members = () if lr_fan is None else as_fans(lr_fan).fans
    out_runs = []
    for k, run in enumerate(runs):
        tr = run.traj
        pts = np.asarray(tr.points, np.float64)
        gstep, vstep, eff = _internals(tr, dec)
        leave, where = exit_points(pts, surface.bounds)
        crit = members[k].critical if k < len(members) else None
        side = {
            key: v if v is None else v[0] for key, v in side_texts(crit, [tr.lr], [tr.diverged_at]).items()
        }
        out_runs.append(
            {
                "name": run.label,
                "legend": legend_text(run),
                "status": regime_text(tr),
                "color": colour(k),
                "dash": DASHES[k % len(DASHES)] if k else "solid",
                "symbol": SYMBOLS[k % len(SYMBOLS)],
                "x": _round(pts[:, 0], dec),
                "y": _round(pts[:, 1], dec),
                "loss": sig(tr.loss),
                "lr": sig(tr.lr),
                "gstep": gstep,
                "vstep": vstep,
                "eff": eff,
                "diverged_at": tr.diverged_at,
                "exit": _exit_json(int(leave), where, dec),  # [k, x, y]: "left at step k" on the map
                "regime": tr.regime,
                "explanation": tr.explanation,
                **side,  # with a fan: where its lr sits against its member's lines (as the fan's runs)
            }
        )
    steps = max((len(r["x"]) - 1 for r in out_runs), default=0)
    spec = {
        "steps": steps,
        "height": int(height),
        "focus": int(focus) if 0 <= focus < len(out_runs) else -1,
        "clickable": bool(clickable),
        "hint": hint,
        "aspect": _aspect(surface),
        "legend_px": 0,
        "run_legend": False,  # the readout above the map is the runs' legend (colour, name, regime)
        "arrow_names": {"grad": "gradient step −lr·∇f", "vel": "momentum −lr·v", "step": "step taken"},
        "uirevision": _digest([surface.name, surface.formula, list(surface.bounds)]),
        "map": {"traces": map_traces, "layout": map_layout},
        "surface3d": {"traces": s3_traces, "layout": s3_layout},
        "runs": out_runs,
        "charts": [],
        "fan": None,
    }
    fmin = None
    if lr_fan is not None:
        fmin = fan_floor(surface, lr_fan, runs)
        lr0 = float(runs[0].traj.lr[0]) if fan_lr is None else float(fan_lr)
        spec["fan"] = {"id": str(fan_id), "lr": lr0, "fmin": fmin}
    if charts:  # with a fan, fixed y ranges over all its runs: a drag moves the lines, not the axes
        ranges = None if lr_fan is None else fan_ranges(lr_fan, fmin, runs)
        spec["charts"] = line_charts(surface, runs, ranges=ranges, fmin=fmin)
    spec["id"] = _fingerprint(surface, runs, start, spec)
    return spec


def _fingerprint(surface, runs: Sequence[Run], start, spec: dict) -> str:
    """A digest of everything the spec is built from (the surface's key, the runs' raw arrays, the
    options), without serializing the spec itself: the same inputs give the same spec."""
    h = hashlib.sha1()
    opts = {k: spec[k] for k in ("steps", "height", "focus", "clickable", "hint", "aspect", "run_legend")}
    fan = spec.get("fan")
    fan_key = None if fan is None else (fan["id"], fan["lr"], fan["fmin"])
    head = (_surface_key(surface), [float(v) for v in start], opts, len(spec["charts"]), fan_key)
    h.update(repr(head).encode())
    for run in runs:
        tr = run.traj
        h.update(repr((run.label, tr.regime, tr.diverged_at, tr.optimizer)).encode())
        for a in (tr.points, tr.loss, tr.lr, tr.grad_norm, tr.grads, tr.velocity, tr.effective_lr):
            h.update(b"-" if a is None else np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


def _aspect(surface) -> float:
    (x0, x1), (y0, y1) = surface.bounds
    return float((y1 - y0) / (x1 - x0))


def _digest(obj) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True, allow_nan=False).encode()).hexdigest()[:16]


def payload_bytes(spec: dict) -> int:
    """Size of the spec on the wire (compact JSON, as Streamlit sends component args)."""
    return len(json.dumps(spec, separators=(",", ":"), allow_nan=False).encode())


# -- line charts ------------------------------------------------------------------------------------


def _line_layout(ytitle: str, *, log: bool, height: int = 300, xtitle: str = "step") -> dict:
    return {
        "font": FONT,
        "height": height,
        "margin": {"l": 70, "r": 15, "t": 15, "b": 50},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "xaxis": {
            "title": {"text": xtitle},
            "showgrid": True,
            "gridcolor": "#e5e5e5",
            "linecolor": "#111",
            "ticks": "outside",
            "zeroline": False,
        },
        "yaxis": {
            "title": {"text": ytitle},
            "type": "log" if log else "linear",
            "showgrid": True,
            "gridcolor": "#e5e5e5",
            "linecolor": "#111",
            "ticks": "outside",
            "exponentformat": "power",
            "zeroline": False,
        },
        "showlegend": False,  # runs keep their colours and dashes everywhere; the badges name them
        "hovermode": "x unified",
    }


def _line(run: Run, k: int, y, name: str | None = None) -> dict:
    y = np.asarray(y, np.float64)
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name or run.label,
        "y": sig(y),  # x is the step: Plotly's default x (0, 1, 2, ...) for a trace without one
        "line": {"color": colour(k), "width": 3, "dash": DASHES[k % len(DASHES)] if k else "solid"},
    }


def _divergence_marks(run: Run, k: int, y) -> list[dict]:
    d = run.traj.diverged_at
    if d is None:
        return []
    return stop_mark(
        np.arange(d), np.asarray(y, np.float64)[:d], colour(k), f"diverged at step {d}", "bottom right"
    )


def loss_figure(surface, runs: Sequence[Run], *, height: int = 300, fmin: float | None = None) -> dict:
    """Loss above the minimum, f - f*, per step on a log axis (linear convergence is a straight line);
    f* is :func:`floor_value` of the runs unless ``fmin`` is given."""
    fmin = floor_value(surface, runs=runs) if fmin is None else fmin
    traces = []
    for k, run in enumerate(runs):
        with np.errstate(all="ignore"):
            gap = np.maximum(np.asarray(run.traj.loss, np.float64) - fmin, 1e-16)
        traces.append(_line(run, k, gap))
        traces += _divergence_marks(run, k, gap)
    return {"data": traces, "layout": _line_layout("f − f*  (log)", log=True, height=height)}


def lr_figure(runs: Sequence[Run], *, height: int = 300) -> dict:
    """The learning rate used by each update."""
    traces = [_line(run, k, run.traj.lr) for k, run in enumerate(runs)]
    lrs = np.concatenate([np.asarray(r.traj.lr, float).ravel() for r in runs]) if runs else np.ones(1)
    pos = lrs[lrs > 0]
    log = pos.size > 0 and pos.max() / pos.min() > 1000
    layout = _line_layout("learning rate", log=bool(log), height=height)
    if not log:  # a learning rate is never negative: the linear axis starts at 0
        layout["yaxis"]["rangemode"] = "tozero"
    return {"data": traces, "layout": layout}


def grad_norm_figure(runs: Sequence[Run], *, height: int = 300) -> dict:
    """The gradient norm |∇f| at each iterate, on a log axis."""
    traces = []
    for k, run in enumerate(runs):
        with np.errstate(all="ignore"):
            gn = np.maximum(np.asarray(run.traj.grad_norm, np.float64), 1e-16)
        traces.append(_line(run, k, gn))
        traces += _divergence_marks(run, k, gn)
    return {"data": traces, "layout": _line_layout("|∇f|  (log)", log=True, height=height)}


CHART_HEIGHT = 210


def line_charts(
    surface,
    runs: Sequence[Run],
    *,
    height: int = CHART_HEIGHT,
    ranges: dict | None = None,
    fmin: float | None = None,
) -> list[dict]:
    """The player's per-step charts: ``{"title", "note", "figure"}`` for the loss above the minimum
    (log), the learning rate and the gradient norm (log). ``ranges`` (:func:`fan_ranges`): fixed log
    y ranges (and x from 0 to the last step), the lr chart then on a log axis too."""
    loss = loss_figure(surface, runs, height=height, fmin=fmin)
    lr = lr_figure(runs, height=height)
    grad = grad_norm_figure(runs, height=height)
    steps = max((len(r.traj.loss) - 1 for r in runs), default=0)
    for key, fig in (("loss", loss), ("lr", lr), ("gnorm", grad)):
        rng = (ranges or {}).get(key)
        if rng is not None:
            fig["layout"]["yaxis"].update(type="log", range=list(rng), autorange=False)
            fig["layout"]["yaxis"].pop("rangemode", None)
            fig["layout"]["xaxis"].update(range=[0, steps], autorange=False)
    lr_note = "(log)" if lr["layout"]["yaxis"]["type"] == "log" else ""
    # a narrower chart: room for 10^-16 tick labels beside the y title, and on the right for the last
    # step's label ("2000"; plotly.js hides a tick label that would pass the chart's edge)
    for fig in (loss, lr, grad):
        fig["layout"]["margin"] = {"l": 88, "r": 24, "t": 8, "b": 48}
        fig["layout"]["yaxis"]["title"]["standoff"] = 6
        fig["layout"]["yaxis"]["tickfont"] = {"size": 15}
        fig["layout"]["xaxis"]["tickfont"] = {"size": 15}
    return [
        {"title": "Loss above the minimum", "note": "(log)", "figure": loss},
        {"title": "Learning rate per step", "note": lr_note, "figure": lr},
        {"title": "Gradient norm |∇f|", "note": "(log)", "figure": grad},
    ]


def schedule_preview(lr_table, *, height: int = 150) -> dict:
    """A small chart of a schedule's lr per step (``lr_table`` shape (T,))."""
    y = np.asarray(lr_table, np.float64)
    layout = _line_layout("", log=False, height=height, xtitle="")
    layout["margin"] = {"l": 45, "r": 5, "t": 5, "b": 25}
    layout["font"] = {**FONT, "size": 12}
    layout["showlegend"] = False
    layout["hovermode"] = "x"
    trace = {
        "type": "scatter",
        "mode": "lines",
        "x": list(range(len(y))),
        "y": sig(y),
        "line": {"color": colour(0), "width": 2.5},
        "name": "lr",
        "hovertemplate": "step %{x}: lr %{y:.3g}<extra></extra>",
    }
    return {"data": [trace], "layout": layout}


# -- CSV --------------------------------------------------------------------------------------------

CSV_COLUMNS = ("run", "optimizer", "step", "x", "y", "loss", "lr", "grad_norm", "regime", "diverged_at")


def runs_csv(runs: Sequence[Run]) -> str:
    """Every run's points, loss, lr (the lr of the update that leaves this step; empty at the last
    step) and gradient norm per step, full precision; stopped steps are left empty."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)

    def cell(v: float) -> str:
        return repr(float(v)) if math.isfinite(v) else ""

    for run in runs:
        tr = run.traj
        pts = np.asarray(tr.points, np.float64)
        lr = np.asarray(tr.lr, np.float64)
        for t in range(pts.shape[0]):
            w.writerow(
                [
                    run.label,
                    tr.optimizer,
                    t,
                    cell(pts[t, 0]),
                    cell(pts[t, 1]),
                    cell(tr.loss[t]),
                    cell(lr[t]) if t < lr.shape[0] else "",
                    cell(tr.grad_norm[t]),
                    tr.regime,
                    "" if tr.diverged_at is None else tr.diverged_at,
                ]
            )
    return buf.getvalue()
