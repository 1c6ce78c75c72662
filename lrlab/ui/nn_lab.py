"""Neural-network lab page (placeholder: another helper writes this page)."""

import streamlit as st


def render() -> None:
    st.title("Neural-network lab")
    st.info("This page is being built.")
