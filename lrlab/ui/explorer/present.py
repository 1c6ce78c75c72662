"""Presentation mode of the explorer (``?present=1``): the sidebar collapsed, the map large, the
verdicts in large type beside it, and keys for a lecturer.

Keys (handled by the player, ``components/player/present.js``, whether the focus is inside the
player's frame or on the page around it):

* ← / → : the lr one step down / up the slider's 1-2-5 grid (:func:`lr_step`);
* space : Play / Pause (in the browser only);
* n / p : the next / previous classroom preset (the display settings are kept).

The keys that need the server arrive as the player's component value ``{"key": name, "nonce": n}``
and are applied here through the codec: the config the widgets show, changed in one field, seeded
back into the widgets. Nothing here computes a run or a verdict.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from lrlab.ui.explorer import config as C

KEYS = ("lr_down", "lr_up", "next", "prev")

CSS = """
<style>
/* presentation mode: no sidebar (its widgets keep the state; the toggle beside the map leaves) */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding-top: 2.6rem; padding-bottom: 1rem; }
.lr-badge .head { font-size: 1.5rem; }
.lr-badge .pill { font-size: 1.6rem; padding: .1rem .8rem; margin: .2rem 0 .1rem .4rem; }
.lr-badge .why { display: none; } /* the verdict word, large; the sentences stay in the normal view */
</style>
"""


def lr_step(lr: float, by: int, grid: tuple[float, ...]) -> float:
    """The grid point next to ``lr`` in direction ``by`` (+1 up, -1 down): the nearest one strictly
    above (below) it; ``lr`` itself at either end of the grid."""
    if by > 0:
        above = [g for g in grid if g > lr * (1 + 1e-9)]
        return min(above) if above else lr
    below = [g for g in grid if g < lr * (1 - 1e-9)]
    return max(below) if below else lr


def on_key(value: dict, state, book, grid: tuple[float, ...]) -> None:
    """Apply one key the player sent (see the module docstring); unknown keys are ignored."""
    key = value.get("key")
    if key not in KEYS:
        return
    ss = st.session_state
    cfg, _ = state.schema.from_widgets(ss)
    if key in ("lr_down", "lr_up"):
        new = replace(cfg, lr=lr_step(cfg.lr, 1 if key == "lr_up" else -1, grid))
    else:
        new = book.config(book.step(cfg, 1 if key == "next" else -1), keep=cfg)
    state.seed(new)


def inject(cfg: C.Config) -> None:
    """The page's presentation-mode styling, when it is on."""
    if cfg.present:
        st.html(CSS)
