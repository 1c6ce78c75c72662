"""The descent player: a static HTML/JS Streamlit component (components v1, no build step).

Why a component and not ``st.plotly_chart`` with Plotly frames: a contour plus frames lost its contour
on Play under ``st.plotly_chart`` (measured in headless Chromium with streamlit 1.67 / plotly.js 4.1;
``tests/test_browser_explorer.py`` counts the contour's paths after Play), and frames that carry
path prefixes grow as O(steps^2). The player receives the figure once
(``lrlab.figures.surface.player_spec``: static traces + whole paths, linear in steps): plotly.js draws
the static map once per spec, and ``overlay.js`` draws the moving paths, heads and arrows by hand in
an SVG layer above it, so the contour is never redrawn while the runs move.
The per-step line charts (loss, lr, gradient norm; ``spec["charts"]``) are drawn in the same frame
with the same plotly.js, once per spec; a CSS line marks the current step on them.

plotly.js is the page's one copy, served by :mod:`lrlab.ui.plotlyjs` and shared with every other
component of the page (no CDN: the app works offline): the map and the charts draw with the cartesian
bundle (``index.html`` loads it through the shared loader, then ``player.js``), and the full bundle,
which the 3D view's ``surface`` and ``scatter3d`` need, is loaded by ``player.js`` only when the 3D
view is first opened.
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from lrlab.ui import plotlyjs

SOURCE = Path(__file__).parent / "components" / "player"
FILES = (
    "index.html",
    "player.js",
    "player.css",
    "fan.js",
    "overlay.js",
    "present.js",
    "export.js",
    "slides.js",
    "slice.js",
    "multiples.js",
    "multiples-grid.js",
)
LOADER = f"../{plotlyjs.NAME}/{plotlyjs.LOADER}"  # index.html's first script (a test checks it)
PLOTLY_JS = plotlyjs.PLOTLY_JS  # the full bundle's path, as before (now served by lrlab.ui.plotlyjs)

_component = components.declare_component("descent_player", path=str(SOURCE))


def descent_player(spec: dict, *, key: str, on_change=None):
    """Draw the player for ``spec``; returns the last click on the map as
    ``{"start": [x, y], "nonce": int}`` or None."""
    return _component(spec=spec, key=key, default=None, on_change=on_change)
