"""LR Lab: a thin navigation over the pages; each page lives in lrlab.ui."""

import streamlit as st

from lrlab.ui import explorer_page, learn, nn_lab, style

st.set_page_config(page_title="LR Lab", page_icon="📉", layout="wide")
style.inject()
page = st.navigation(
    [
        explorer_page(),
        st.Page(nn_lab.render, title="Neural-net lab", icon=":material/hub:", url_path="nn"),
        st.Page(learn.render, title="Learn", icon=":material/school:", url_path="learn"),
    ]
)
page.run()
