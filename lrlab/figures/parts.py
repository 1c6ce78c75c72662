"""Pieces both figure modules draw: numbers rounded for the wire, the marker of a stopped run, and
a note in a plot's corner."""

from __future__ import annotations

import math

import numpy as np


def sig(a, digits: int = 4) -> list:
    """``a`` flattened, each value rounded to ``digits`` significant digits; NaN/inf -> None (JSON null)."""
    return [
        None if not math.isfinite(v) else float(f"{v:.{digits}g}")
        for v in np.asarray(a, np.float64).ravel().tolist()
    ]


def stop_mark(x, y, color: str, text: str, position: str, **axes) -> list[dict]:
    """An x at the last finite point of ``(x, y)`` (a run that was stopped), labelled ``text``
    (e.g. "diverged at step 7") at ``position`` ("top center", ...); ``axes``: xaxis/yaxis ids of a
    panel. No trace if no point is finite."""
    y = np.asarray(y, np.float64)
    ok = np.flatnonzero(np.isfinite(y))
    if not len(ok):
        return []
    last = int(ok[-1])
    return [
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": [float(np.asarray(x, np.float64)[last])],
            "y": sig([y[last]]),
            "text": [text],
            "textposition": position,
            "textfont": {"color": color, "size": 15},
            "marker": {"symbol": "x", "size": 14, "color": color},
            "showlegend": False,
            "hoverinfo": "skip",
            **axes,
        }
    ]


def corner_note(text: str, *, size: int = 14, color: str = "#111") -> dict:
    """An annotation in the plot's top-right corner, on a white ground so lines under it stay legible."""
    return {
        "text": text,
        "x": 1,
        "y": 1,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "right",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": size, "color": color},
        "bgcolor": "rgba(255,255,255,0.85)",
    }
