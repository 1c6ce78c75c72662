"""Projector-friendly styling: high-contrast colours, large type, regime badges.

The palette is Okabe & Ito's (colour-blind safe; see ``lrlab.figures``). Regime badges pair each
colour with an icon and a word, so no information is carried by colour alone.
"""

from __future__ import annotations

import html

# regime or verdict -> (background, text colour, icon): the explorer's regimes (lrlab.regimes) and the
# NN lab's verdicts (lrlab.verdict); a shared name (too_slow, diverged) means the same thing on both
REGIME_STYLE = {
    "converged": ("#E3F4EC", "#00573A", "✔"),
    "oscillating": ("#FFF1D6", "#6B4500", "↔"),
    "diverged": ("#FBE1D6", "#8A2A00", "✖"),
    "too_slow": ("#E6EEF7", "#123F66", "…"),
    "stalled": ("#ECEAF5", "#3B2F6B", "⏸"),
    "local_minimum": ("#F5E3EE", "#6B2150", "◒"),
    "unstable": ("#EEEEEE", "#333333", "~"),
    "trained": ("#E3F4EC", "#00573A", "✔"),
    "jumpy": ("#FFF1D6", "#6B4500", "↕"),
    "overfitting": ("#F5E3EE", "#6B2150", "⤴"),
    "loss_rose": ("#FBE1D6", "#8A2A00", "↑"),
}
REGIME_COLORS = {name: fg for name, (_, fg, _) in REGIME_STYLE.items()}  # the badges' pill colours

CSS = """
<style>
/* larger, high-contrast type for projectors; Streamlit's theme sets the base size (config.toml) */
[data-testid="stMainBlockContainer"] { padding-top: 1.6rem; max-width: 1500px; }
h1 { font-size: 1.8rem !important; padding-top: 0 !important; }
[data-testid="stSidebar"] label p { font-size: 1rem; font-weight: 600; }
.lr-badges { display: flex; flex-direction: column; gap: .45rem; margin: .2rem 0 .6rem; }
.lr-badge { border-left: .45rem solid var(--run); border-radius: .4rem; padding: .35rem .7rem;
            line-height: 1.35; }
.lr-badge .head { font-weight: 700; font-size: 1.08rem; }
.lr-badge .pill { display: inline-block; border-radius: 1rem; padding: .05rem .6rem; margin-left: .4rem;
                  font-weight: 700; font-size: .95rem; }
.lr-badge .why { font-size: .98rem; }
.lr-crit { font-size: .95rem; line-height: 1.45; }
/* a component's frame (the player, each chart) is a block: inline, it sat on a line of text and took
   8 px more than its own height below it */
iframe[data-testid="stCustomComponentV1"] { display: block; }
.lr-crit b.side { padding: 0 .35rem; border-radius: .3rem; }
/* while the player's lr slider shows another lr than the server ran (the player sets data-lr-preview
   on the page's root element, components/player/player.js), the blocks written for the server's lr
   hide */
.lr-stale { display: none; }
html[data-lr-preview] .lr-dep, html[data-lr-preview] [class*="st-key-lr-dep"] { display: none; }
html[data-lr-preview] .lr-stale { display: block; border-left: .45rem solid #888; border-radius: .4rem;
                                  background: #f2f2f2; padding: .35rem .7rem; margin: .2rem 0 .6rem; }
/* the lr fan's element (lrlab.ui.player.fan_carrier) draws nothing: no room, no gap */
.st-key-lrlab-fan { display: none !important; }
@media (max-width: 640px) {
  h1 { font-size: 1.55rem !important; }
  /* the header (sidebar toggle, menu) floats over the page top on a phone: start below it */
  [data-testid="stMainBlockContainer"] { padding-left: .6rem; padding-right: .6rem; padding-top: 3.8rem; }
}
</style>
"""


# the class (or st.container key prefix) of what the page writes for the server's lr: hidden while the
# player shows another lr (see CSS above)
LR_DEPENDENT = "lr-dep"
FAN_CARRIER = "lrlab-fan"  # the st.container key of the lr fan's hidden element (see CSS above)


def stale_note(lr: float, runs: int = 1) -> str:
    """Shown in place of the lr-dependent blocks while the player shows another lr than ``lr`` (the
    slider's lr of a view of ``runs`` runs)."""
    shown = html.escape(f"{lr:g}")
    if runs > 1:
        what = (
            f"The player shows the runs at another lr than lr = {shown} "
            "(their verdicts: in the player, beside each run's name)."
        )
    else:
        what = f"The player shows another lr than lr = {shown} (its verdict: under the player's lr slider)."
    return (
        f'<div class="lr-stale" data-testid="lr-stale">{what} '
        "This column follows when you release the slider.</div>"
    )


def inject() -> None:
    import streamlit as st

    st.html(CSS)


def badge_html(label: str, regime: str, regime_text: str, explanation: str, colour: str) -> str:
    """One run's badge: colour bar, label, regime pill (icon + words) and the engine's sentence."""
    bg, fg, icon = REGIME_STYLE.get(regime, REGIME_STYLE["unstable"])
    e = html.escape
    return (
        f'<div class="lr-badge" data-regime="{e(regime)}" style="--run:{e(colour)};background:{bg}">'
        f'<span class="head">{e(label)}</span>'
        f'<span class="pill" style="background:{fg};color:#fff">{icon} {e(regime_text)}</span>'
        f'<div class="why">{e(explanation)}</div></div>'
    )
