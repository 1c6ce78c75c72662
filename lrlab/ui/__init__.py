"""LR Lab's Streamlit user interface: the pages (explorer, NN lab, Learn) and their parts.

The math lives in the engine (``lrlab``) and the figures in ``lrlab.figures``; modules here only turn
widgets into a frozen config (:mod:`lrlab.ui.config`), call the pipeline and draw.
"""


def explorer_page():
    """The explorer as an ``st.Page`` (the app's default page); also the target of presets.open."""
    import streamlit as st

    from lrlab.ui import explorer

    return st.Page(
        explorer.render,
        title="Surface explorer",
        icon=":material/landscape:",
        url_path="explorer",
        default=True,
    )
