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

The lr fan the player's lr slider drags (``lrlab.figures.surface.fan_spec``) is not in the spec: it is
the argument of a hidden element of its own, :func:`fan_carrier`, whose arguments do not change with
the lr, so Streamlit sends it once and then a reference to it (its ForwardMsg cache) on every lr
change; the spec's ``fan.id`` names it, and the player takes it from that element's frame through the
page (``components/fan/carrier.js`` and player.js's ``fanStore`` say how).
"""

from __future__ import annotations

import base64
import json
import zlib
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

FAN_SOURCE = Path(__file__).parent / "components" / "fan"
FAN_FILES = ("index.html", "carrier.js")

_component = components.declare_component("descent_player", path=str(SOURCE))
_carrier = components.declare_component("lr_fan", path=str(FAN_SOURCE))


def descent_player(spec: dict, *, key: str, on_change=None):
    """Draw the player for ``spec``; returns the last click on the map as
    ``{"start": [x, y], "nonce": int}`` or None."""
    return _component(spec=spec, key=key, default=None, on_change=on_change)


LEVEL = 3  # zlib's: 6 took 5x as long for 8% fewer bytes (measured on a 1.4 MB fan: 67 vs 12 ms)


def pack_fan(fan: dict) -> str:
    """The fan (``fan_spec``) as the carrier sends it: its compact JSON, deflated (zlib), in base64.
    The JSON of paths and losses deflates 4-6x (measured: 301 -> 71 KB at the defaults; 2.6 MB ->
    0.4 MB for lr × 4 multiples at 2000 steps); the browser inflates it with its own
    DecompressionStream("deflate") (player.js, fanStore). Streamlit's websocket itself is not
    compressed (``server.enableWebsocketCompression`` is off by default)."""
    text = json.dumps(fan, separators=(",", ":"), allow_nan=False).encode()
    return base64.b64encode(zlib.compress(text, LEVEL)).decode("ascii")


def unpack_fan(packed: str) -> dict:
    """:func:`pack_fan`'s inverse (tests, benchmarks)."""
    return json.loads(zlib.decompress(base64.b64decode(packed)))


def fan_carrier(fan_id: str, packed: str, *, key: str) -> None:
    """The lr fan's hidden element: ``packed`` (:func:`pack_fan` of ``fan_spec``, made once per fan)
    under ``fan_id``. The same two strings on every rerun that keeps the fan: Streamlit then sends a
    reference instead of the fan (messages of at least ``global.minCachedMessageSize`` that the
    browser has cached)."""
    _carrier(id=fan_id, fan=packed, key=key, default=None)
