"""Widgets shared by the pages."""

from __future__ import annotations

import math

import streamlit as st

from lrlab.ui import config as C

# the string-valued hyperparameters, each with the values its selectbox offers
CHOICE_SETS = (
    ("triangular", "triangular2", "exp_range"),
    ("min", "max"),
    ("cos", "linear"),
    ("rel", "abs"),
)


def _choices(default: str) -> tuple[str, ...]:
    return next((group for group in CHOICE_SETS if default in group), (default,))


def param_widget(key: str, name: str, default) -> None:
    """One optimizer/schedule/surface parameter's widget, typed like its default; its value lives in
    ``session_state[key]``."""
    st.session_state.setdefault(key, C.widget_value(name, default, default))
    kind = C.param_kind(name, default)
    label = name.replace("_", " ")
    if kind == "bool":
        st.checkbox(label, key=key)
    elif kind == "int":
        st.number_input(label, key=key, step=1, format="%d")
    elif kind == "float":
        step = 10 ** math.floor(math.log10(abs(default))) / 10 if default else 0.01
        st.number_input(label, key=key, step=float(step), format="%g")
    elif kind == "choice":
        st.selectbox(label, _choices(default), key=key)
    else:
        hint = "auto" if kind.startswith("opt") else "numbers separated by commas"
        st.text_input(label, key=key, placeholder=hint, help=f"{hint}; default {C.format_param(default)}")
