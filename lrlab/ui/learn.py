"""Learn page (placeholder: another helper writes this page; it links presets via lrlab.ui.presets)."""

import streamlit as st

from lrlab.ui import presets


def render() -> None:
    st.title("Learn")
    st.info("This page is being built. Meanwhile, the presets:")
    for name, p in presets.PRESETS.items():
        if st.button(p.title, key=f"learn.{name}"):
            presets.open(name)
