"""The player's Slice view: the loss along the steepest direction through a minimum, with each run's
projection bouncing on it (:mod:`lrlab.slices` has the math). Pure, JSON-ready dicts.

:func:`slice_spec` gives ``spec["slice"]`` of the descent player: one entry per minimum the runs (and
the lr fan's runs) are sliced through, each with its static figure (``traces[0]`` is the curve
g(s) = f(m + s·v) − f(m), sampled so that straight lines between samples stay within
``slices.TOL`` of it: the browser draws those lines and places each dot s_t = (p_t − m)·v on them by
linear interpolation between the same samples, so a dot lies on the drawn curve), m, v, λ, the
sentence that says what the picture is, and the theory's lines; plus which slice each run and each
fan lr is drawn on. The browser (``components/player/slice.js``) projects the paths it has, so a drag
of the player's lr slider (which swaps a run's path for a fan run's) needs no server round trip.

Rounding for the wire: s to 1/100 000 of the range, g to 4 significant digits (the browser draws and
interpolates the rounded numbers, so dots and curve agree), m and v to 6 significant digits.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from lrlab import slices, theory
from lrlab.fan import Fans, as_fans
from lrlab.figures.parts import sig
from lrlab.figures.surface import FONT, Run, _axis, _round

XTITLE = "position along the steepest direction"
YTITLE = "loss above the minimum"
CURVE = "#111"
MODEL = "#6a3d9a"
STAR = "#F0E442"  # the map's marker of a minimum
SAME = 1e-7  # two minima within this fraction of the box's larger side are one slice
MAX_SLICES = 6  # slices sent at most: every run's, then the lr fan's most used (~5-9 KB each)


def _num(v: float) -> str:
    """3 significant digits (whole numbers from 1000 to 1e6), a true minus sign (it reads better on a
    projector)."""
    if not math.isfinite(v):
        return "–"
    text = f"{v:.0f}" if 1e3 <= abs(v) < 1e6 else f"{v:.3g}"
    return text.replace("-", "−")


def _pair(p) -> str:
    return f"({_num(float(p[0]) + 0.0)}, {_num(float(p[1]) + 0.0)})"


def which_point(surface, m) -> str:
    """How the label names the point a slice goes through: 'the global minimum (1, 1)', 'a local
    minimum (…)', 'the minimum (…)' (a typed formula's, found by Newton), or 'the point (…)' where no
    minimum was found (the slice still goes through it)."""
    m = np.asarray(m, np.float64)
    for rec in surface.minima:
        if np.hypot(*(m - rec.xy)) <= theory.SAME_POINT * (1.0 + np.hypot(*rec.xy)):
            return f"{'the global' if rec.is_global else 'a local'} minimum {_pair(rec.xy)}"
    with np.errstate(all="ignore"):
        g = float(np.linalg.norm(surface.grad(m)))
        lam = np.linalg.eigvalsh(surface.hessian(m))
    if g < theory.STATIONARY * 1e3 * (1.0 + abs(float(surface.value(m)))) and lam[0] > 0:
        return f"the minimum {_pair(m)}"
    return f"the point {_pair(m)} (no minimum found)"


def _theory_lines(optimizer: str, hyper: dict, lam: float) -> list[dict]:
    """The theory's lines at curvature ``lam`` for ``optimizer`` (none for per-coordinate methods)."""
    over, div, rule = theory.thresholds(optimizer, hyper, lam)
    if div is None:
        return []
    lines = []
    if over is not None and rule in theory.OVERSHOOT_RULE:
        lines.append(
            {"lr": float(over), "label": f"{theory.OVERSHOOT_RULE[rule]} = {_num(over)}", "kind": "overshoot"}
        )
    lines.append({"lr": float(div), "label": f"{rule} = {_num(div)}", "kind": "diverge"})
    return lines


def label(surface, sl: slices.Slice, members: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """(title, sentence) of a slice for a student: which point, which direction, which curvature, and
    what a dot is. ``members``: (run label, optimizer name) of the runs drawn on it: whether their
    dots move exactly as a 1-D run on this curve (:meth:`lrlab.slices.Slice.one_dimensional`) is said
    per optimizer."""
    point = which_point(surface, sl.m)
    head = "Slice" if sl.exact else "A slice, not the run's loss"
    title = (
        f"{head}: the loss along the steepest direction {_pair(sl.v)} through {point}, "
        f"curvature λ = {_num(sl.lam)}"
    )
    where = "The steepest direction is the one in which the surface curves most."
    if not sl.exact:
        what = (
            " Each dot is the run's position projected onto that line. The surface is not a bowl, so the "
            "run is off the line: a dot's height is the loss on the line, not the run's loss."
        )
        model = " Dashed: the bowl λ·s²/2, the curvature the theory reads its lr thresholds from."
        model = model if sl.lam > 0 else ""
        return title, where + what + model
    alone = [lab for lab, opt in members if sl.one_dimensional(opt)]
    mixed = [lab for lab, opt in members if not sl.one_dimensional(opt)]
    what = " Each dot is the run's position along it; its height, the part of the loss in that direction."
    if not mixed:
        what += (
            " On this bowl the directions don't mix: the dots move exactly as the optimizer would on this "
            "curve alone."
        )
    elif len({opt for _, opt in members}) == 1:
        what += (
            " This optimizer scales each coordinate by its own history, so its steps along this line also "
            "depend on the other direction: the dots are the run's projection."
        )
    else:
        what += (
            f" {_names(mixed)} scale each coordinate by its own history, so their steps along this line also "
            f"depend on the other direction (the dots are a projection); {_names(alone)} move exactly as on "
            "this curve alone."
        )
    return title, where + what


def _names(labels) -> str:
    return ", ".join(dict.fromkeys(labels)) or "none"


def theory_sentence(lines: list[dict]) -> str:
    """The theory's lines in words: ' The theory's lines at this curvature: overshoot above 1/λ = 0.25,
    divergence above 2/λ = 0.5.'"""
    if not lines:
        return ""
    words = {"overshoot": "overshoot above", "diverge": "divergence above"}
    return (
        " The theory's lines at this curvature: "
        + ", ".join(f"{words[x['kind']]} {x['label']}" for x in lines)
        + "."
    )


def _layout(lo: float, hi: float, y0: float, y1: float) -> dict:
    xaxis = {**_axis(XTITLE, (lo, hi)), "zeroline": True, "zerolinecolor": "#999", "zerolinewidth": 1}
    return {
        "font": FONT,
        "margin": {"l": 80, "r": 15, "t": 12, "b": 60},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "xaxis": xaxis,
        "yaxis": {**_axis(YTITLE, (y0, y1)), "exponentformat": "power"},
        "showlegend": False,  # two curves at most: the sentence under the plot names the dashed one
        "hovermode": "closest",
        "dragmode": "zoom",
    }


def _figure(sl: slices.Slice) -> tuple[list[dict], dict]:
    """The static traces (traces[0]: the curve; the theory's bowl, dashed, where the slice is not
    exact; the minimum at s = 0) and the layout of one slice."""
    dec = max(0, 5 - math.floor(math.log10(sl.hi - sl.lo)))
    s = _round(sl.s, dec)
    g = np.asarray(sl.g, np.float64)
    finite = g[np.isfinite(g)]
    top = float(finite.max()) if finite.size else 1.0
    bottom = min(0.0, float(finite.min())) if finite.size else 0.0
    pad = 0.05 * (top - bottom if top > bottom else 1.0)
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "loss along the line",
            "x": s,
            "y": sig(g),
            "line": {"color": CURVE, "width": 3},
            "hovertemplate": "s=%{x:.3g}<br>loss above the minimum %{y:.3g}<extra></extra>",
        }
    ]
    if not sl.exact and sl.lam > 0:
        model = sl.model(sl.s)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "the theory's bowl λ·s²/2",
                "x": s,
                "y": sig(np.where(model <= top + pad, model, np.nan)),
                "line": {"color": MODEL, "width": 2.5, "dash": "dash"},
                "hoverinfo": "skip",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": "the minimum",
            "x": [0.0],
            "y": [0.0],
            "marker": {
                "symbol": "star",
                "size": 20,
                "color": "#F0E442",
                "line": {"color": "#000", "width": 2},
            },
            "hoverinfo": "skip",
        }
    )
    return traces, _layout(float(s[0]), float(s[-1]), bottom - pad, top + pad)


def _key(surface, m) -> tuple:
    (x0, x1), (y0, y1) = surface.bounds
    scale = SAME * max(x1 - x0, y1 - y0)
    return tuple(np.round(np.asarray(m, np.float64) / scale).astype(np.int64).tolist())


def slice_spec(surface, runs: Sequence[Run], *, lr_fan=None) -> dict:
    """``spec["slice"]`` of the descent player: ``{"slices": [...], "runs": [i per run], "fan": [i or
    None per fan lr] or None}`` (for a ``lrlab.fan.Fans``, the fan of several runs, ``"fan"`` is one
    such list per member, run k's fan being member k's): one slice per minimum the runs are sliced through
    (``slices.centres``), in order of first use, then the minima the lr fan's runs (which the player's
    lr slider swaps in) are sliced through, the most used first, up to ``MAX_SLICES`` in all (a fan lr
    whose minimum is left out has None: the view says its slice comes with the slider's release).
    Each slice: ``m``, ``v``, ``lam``, ``exact``, ``range`` [lo, hi] (as drawn), ``point`` (which
    minimum), ``title`` and ``label`` (what it shows, in words, the theory's lines included),
    ``lines`` (the theory's lrs at λ when the runs on it share an optimizer that has them), ``traces``
    (static; ``traces[0]`` is the curve) and ``layout``."""
    k = len(runs)
    members = [(r.label, r.traj) for r in runs]
    trajs = [r.traj for r in runs]
    fans = [] if lr_fan is None else as_fans(lr_fan).fans
    for j, f in enumerate(fans):  # the fan's runs: run j's optimizer at other lrs (same label)
        members += [(runs[min(j, k - 1)].label, f.traj)] * len(f.lrs)
        trajs.append(f.traj)
    points = [
        p for tr in trajs for p in np.asarray(tr.points, np.float64).reshape(-1, *np.shape(tr.points)[-2:])
    ]
    centres = slices.centres(surface, *trajs)
    keys = [_key(surface, m) for m in centres]
    order = list(dict.fromkeys(keys[:k]))  # the runs' minima, then the fan's, most used first
    fan_keys = [key for key, _ in Counter(key for key in keys[k:] if key not in order).most_common()]
    order += fan_keys[: max(0, MAX_SLICES - len(order))]
    number = {key: i for i, key in enumerate(order)}
    index = [number.get(key) for key in keys]
    out = []
    for i in range(len(order)):
        on = [j for j, g in enumerate(index) if g == i]
        first = on[0]
        sl = slices.steepest(surface, centres[first], points=np.concatenate([points[j] for j in on]))
        who = [(members[j][0], members[j][1].optimizer) for j in on]
        title, text = label(surface, sl, who)
        opts = {members[j][1].optimizer for j in on}
        hyper = members[first][1].hyper
        lines = _theory_lines(opts.pop(), hyper, sl.lam) if len(opts) == 1 and sl.lam > 0 else []
        traces, layout = _figure(sl)
        out.append(
            {
                "m": sig(sl.m, 6),
                "v": sig(sl.v, 6),
                "lam": float(f"{sl.lam:.6g}"),
                "exact": bool(sl.exact),
                "range": [traces[0]["x"][0], traces[0]["x"][-1]],
                "point": which_point(surface, sl.m),
                "title": title,
                "label": text + theory_sentence(lines),
                "lines": lines,
                "traces": traces,
                "layout": layout,
            }
        )
    if lr_fan is None:
        return {"slices": out, "runs": index[:k], "fan": None}
    rows, at = [], k
    for f in fans:
        rows.append(index[at : at + len(f.lrs)])
        at += len(f.lrs)
    return {"slices": out, "runs": index[:k], "fan": rows if isinstance(lr_fan, Fans) else rows[0]}
