"""Widgets built from the engine's parameter declarations (:class:`lrlab.params.Param`)."""

from __future__ import annotations

import math

import streamlit as st

from lrlab import optimizers, schedules
from lrlab.params import Param
from lrlab.ui.codec import TEXT_KINDS, Schema, widget_value
from lrlab.ui.labels import OPT_LABELS, SCHEDULE_LABELS
from lrlab.ui.presetbook import Book
from lrlab.ui.session import PageState

NO_PRESET = "—"


def preset_picker(book: Book, state: PageState, key: str) -> None:
    """The "Classroom presets" menu: choosing one makes the widgets show it; it names the active
    preset (however it was opened) until a setting changes. The config the widgets hold is read
    before they are drawn."""
    ss = st.session_state
    ss[key] = book.active(state.schema.from_widgets(ss)[0]) or NO_PRESET
    st.selectbox(
        "Classroom presets",
        [NO_PRESET, *book.presets],
        format_func=lambda n: "Choose a preset…" if n == NO_PRESET else book.presets[n].title,
        key=key,
        on_change=_open_preset,
        args=(book, state, key),
    )


def _open_preset(book: Book, state: PageState, key: str) -> None:
    name = st.session_state.get(key, NO_PRESET)
    if name in book.presets:
        state.seed(book.config(name, keep=state.schema.from_widgets(st.session_state)[0]))


def param_widget(key: str, param: Param) -> None:
    """The widget of one surface/optimizer/schedule parameter, chosen by its kind and bounded by its
    range; its value lives in ``session_state[key]`` (see :func:`lrlab.ui.codec.widget_value`)."""
    st.session_state.setdefault(key, widget_value(param, param.default))
    label = param.name.replace("_", " ")
    if param.kind in TEXT_KINDS or param.optional:
        auto = f"auto = {param.auto}" if param.auto else "auto"
        hint = auto if param.optional else "numbers separated by commas"
        st.text_input(
            label,
            key=key,
            placeholder=hint,
            help=f"{param.describe()}; default {param.format(param.default)}",
        )
    elif param.kind == "flag":
        st.checkbox(label, key=key)
    elif param.kind == "choice":
        st.selectbox(label, param.choices, key=key)
    else:
        lo = param.lo if math.isfinite(param.lo) and not param.lo_open else None
        hi = param.hi if math.isfinite(param.hi) and not param.hi_open else None
        if param.kind == "integer":
            st.number_input(label, key=key, step=1, format="%d", min_value=_int(lo), max_value=_int(hi))
        else:
            d = param.default
            step = 10 ** math.floor(math.log10(abs(d))) / 10 if d else 0.01
            st.number_input(
                label,
                key=key,
                step=float(step),
                format="%g",
                min_value=lo,
                max_value=hi,
                help=f"{param.describe()}; default {param.format(d)}",
            )


def _int(v):
    return None if v is None else int(v)


def optimizer_and_schedule(schema: Schema, opt_key: str, sched_key: str):
    """The optimizer and schedule pickers, each with its parameters' widgets (PyTorch's defaults),
    keyed by the schema's groups; returns the container under the schedule (for its preview)."""
    _picker_with_params(
        "Optimizer",
        optimizers,
        OPT_LABELS,
        opt_key,
        schema.group("hyper"),
        "Hyperparameters (PyTorch defaults)",
    )
    _picker_with_params(
        "Schedule",
        schedules,
        SCHEDULE_LABELS,
        sched_key,
        schema.group("schedule_params"),
        "Schedule parameters",
    )
    return st.container()


def _picker_with_params(title: str, registry, labels: dict, key: str, group, expander: str) -> None:
    st.subheader(title)
    st.selectbox(title, registry.names(), format_func=lambda n: labels.get(n, n), key=key)
    owner = st.session_state[key]
    with st.expander(expander):
        for p in registry.params(owner):
            param_widget(group.widget_key(owner, p.name), p)
