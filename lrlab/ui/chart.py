"""One Plotly figure drawn by the app's own plotly.js: a static Streamlit component (components v1, no
build step), in place of ``st.plotly_chart``.

Why not ``st.plotly_chart``: it loads Streamlit's own chart bundle, a second plotly.js of 4.7 MB that
Streamlit serves uncompressed, next to the one the descent player already loads; and under it a
contour animated by Plotly frames lost its contour on Play (``shared/README.md``). This component
runs the page's one plotly.js (the cartesian bundle of :mod:`lrlab.ui.plotlyjs`, ~0.38 MB gzip,
downloaded once per page and shared with the player and every other chart by its loader) and draws
the figure dict as it is, frames included: Plotly's Play/Pause buttons and step slider work as in
plain plotly.js (``tests/test_browser_nn.py`` plays the decision boundary and checks that its
heatmaps stay drawn).

The frame is as wide as its column and as tall as the figure's layout says. A figure may carry a
narrow-screen form, ``figure["fit"]`` (:func:`lrlab.figures.nn.narrow_form`): a second layout that
``chart.js`` draws while the frame is narrower than ``fit["below"]`` px, decided in the browser (the
server does not know the screen) and again when a resize crosses it; ``fit["grow"]`` lets a form's
height follow the width (square panels). It returns nothing. Figures are plain dicts
(``lrlab.figures``): lists, numbers, strings and None only, as JSON wants.
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from lrlab.ui import plotlyjs

SOURCE = Path(__file__).parent / "components" / "chart"
# Plotly's mode bar on hover, as st.plotly_chart showed it: no logo, no selection tools, no "edit in
# Chart Studio"; chart.js adds the same "Fullscreen" button Streamlit adds
MODEBAR = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendChartToCloud"]}
NO_MODEBAR = {"displayModeBar": False}

# The look ``st.plotly_chart(theme="streamlit")`` gave these charts: the layout template Streamlit 1.67's
# frontend applies, read from a drawn chart of this app (gd.layout.template.layout), so a figure that
# moves from st.plotly_chart to this component looks the same. What a figure sets itself wins over
# it, as with any Plotly template. Sizes follow the theme's base font (``theme.baseFontSize = 17``
# in .streamlit/config.toml): ticks 0.75x, axis titles 0.875x; greys are Streamlit's faded text and
# grid colours; the legend keeps Streamlit's body-text colour.
BASE_PX = 17
_MUTED, _GRID, _TEXT = "#808495", "#e6eaf1", "#111111"
_FONT = '"Source Sans", sans-serif'
_AXIS = {
    "zerolinecolor": _GRID,
    "gridcolor": _GRID,
    "minor": {"gridcolor": _GRID},
    "tickcolor": _GRID,
    "tickfont": {"color": _MUTED, "size": 0.75 * BASE_PX},
    "automargin": True,
}
STREAMLIT_THEME = {
    "font": {"color": _MUTED, "family": _FONT, "size": 0.75 * BASE_PX, "weight": 400},
    "title": {
        "font": {"family": _FONT, "size": BASE_PX, "color": _TEXT},
        "pad": {"l": 0.25 * BASE_PX},
        "xanchor": "left",
        "x": 0,
    },
    "legend": {
        "title": {"font": {"size": 0.75 * BASE_PX, "color": _MUTED}, "side": "top"},
        "valign": "top",
        "bordercolor": "transparent",
        "borderwidth": 0,
        "font": {"size": 0.75 * BASE_PX, "color": "#262730"},
    },
    "xaxis": {
        **_AXIS,
        "showgrid": False,
        "zeroline": False,
        "title": {"font": {"color": _MUTED, "size": 0.875 * BASE_PX}, "standoff": 1.25 * BASE_PX},
    },
    "yaxis": {
        **_AXIS,
        "ticklabelposition": "outside",
        "title": {"font": {"color": _MUTED, "size": 0.875 * BASE_PX}, "standoff": 1.5 * BASE_PX},
    },
    "margin": {"pad": 0.5 * BASE_PX, "r": 0, "l": 0},
    "hoverlabel": {
        "bgcolor": "#FFFFFF",
        "bordercolor": "rgba(17, 17, 17, 0.2)",
        "font": {"color": _MUTED, "family": _FONT, "size": 0.75 * BASE_PX},
    },
}
LOADER = f"../{plotlyjs.NAME}/{plotlyjs.LOADER}"  # index.html's first script (a test checks it)

_component = components.declare_component("chart", path=str(SOURCE))
NAME = _component.name  # "lrlab.ui.chart.chart": how a page's charts are found (AppTest, browser tests)


def chart(figure: dict, *, key: str, modebar: bool = True, theme: bool = True) -> None:
    """Draw ``figure`` (``{"data": [...], "layout": {...}, "frames": [...]?, "fit": {...}?}``) under ``key``;
    ``modebar``: show Plotly's mode bar on hover (zoom, pan, download), as ``st.plotly_chart`` does;
    ``theme``: under :data:`STREAMLIT_THEME` (``st.plotly_chart``'s default look), else as it is."""
    if theme:
        template = {"template": {"layout": STREAMLIT_THEME}}
        figure = {**figure, "layout": {**template, **figure.get("layout", {})}}
        if "fit" in figure:  # the narrow form looks the same
            figure["fit"] = {**figure["fit"], "narrow": {**template, **figure["fit"]["narrow"]}}
    _component(figure=figure, config=MODEBAR if modebar else NO_MODEBAR, key=key, default=None)
