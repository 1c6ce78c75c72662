"""The descent player: a static HTML/JS Streamlit component (components v1, no build step).

Why a component and not ``st.plotly_chart`` with Plotly frames: a contour plus frames lost its contour
on Play under ``st.plotly_chart`` (measured in headless Chromium with streamlit 1.67 / plotly.js 4.1;
``tests/test_browser_explorer.py`` counts the contour's paths after Play), and frames that carry
path prefixes grow as O(steps^2). The player receives the figure once
(``lrlab.figures.surface.player_spec``: static traces + whole paths, linear in steps) and animates in
JavaScript by restyling only the path, head and arrow traces; the contour trace is never touched.
The per-step line charts (loss, lr, gradient norm; ``spec["charts"]``) are drawn in the same frame
with the same plotly.js, once per spec; a CSS line marks the current step on them.

plotly.js comes from the installed ``plotly`` Python package (``package_data/plotly.min.js``): the
component folder is copied once, with that file, into a temporary folder that Streamlit serves. No
CDN: the app works offline. Streamlit refuses symlinks that leave the served folder, hence the copy.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import plotly
import streamlit.components.v1 as components

SOURCE = Path(__file__).parent / "components" / "player"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
FILES = ("index.html", "player.js", "player.css")


def _bundle() -> Path:
    """The served folder: our files plus plotly.min.js, keyed by their content (safe to share)."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((SOURCE / name).read_bytes())
    digest.update(str(PLOTLY_JS.stat().st_size).encode() + plotly.__version__.encode())
    target = Path(tempfile.gettempdir()) / f"lrlab-player-{digest.hexdigest()[:12]}"
    if not (target / "plotly.min.js").exists():
        tmp = Path(tempfile.mkdtemp(prefix="lrlab-player-"))
        for name in FILES:
            shutil.copy2(SOURCE / name, tmp / name)
        shutil.copy2(PLOTLY_JS, tmp / "plotly.min.js")
        try:
            tmp.rename(target)
        except OSError:  # another process won the race: use theirs
            shutil.rmtree(tmp, ignore_errors=True)
    return target


_component = components.declare_component("descent_player", path=str(_bundle()))


def descent_player(spec: dict, *, key: str, on_change=None):
    """Draw the player for ``spec``; returns the last click on the map as
    ``{"start": [x, y], "nonce": int}`` or None."""
    return _component(spec=spec, key=key, default=None, on_change=on_change)
