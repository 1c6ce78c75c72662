"""LR Lab: a thin navigation over the pages; each page lives in lrlab.ui."""

import streamlit as st

from lrlab.ui import explorer_page, learn, nn_presets, style

st.set_page_config(page_title="LR Lab", page_icon="📉", layout="wide")
style.inject()
page = st.navigation(
    [
        explorer_page(),
        nn_presets.page(),  # the same st.Page its presets switch to
        st.Page(learn.render, title="Learn", icon=":material/school:", url_path="learn"),
    ]
)
page.run()
