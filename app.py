"""LR Lab: a thin navigation over the pages; each page lives in lrlab.ui (registered in lrlab.ui.pages)."""

import streamlit as st

from lrlab.ui import pages, style

st.set_page_config(page_title="LR Lab", page_icon="📉", layout="wide")
style.inject()
st.navigation(pages.all_pages()).run()
