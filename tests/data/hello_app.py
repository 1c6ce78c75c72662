"""Streamlit's floor: the smallest page, served beside the app to measure what the app adds
(tests/test_browser_pages.py, benchmarks/bench_pages.py)."""

import streamlit as st

st.write("Hello world")
