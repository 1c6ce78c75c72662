"""The app's pages, registered in one place: app.py navigates over :func:`all_pages`, and the Learn
page's buttons switch to a preset through :func:`open_preset`."""

from __future__ import annotations

import streamlit as st

from lrlab.ui.explorer import page as explorer_page
from lrlab.ui.explorer import presets as explorer_presets
from lrlab.ui.learn import page as learn_page
from lrlab.ui.nn import page as nn_page
from lrlab.ui.nn import presets as nn_presets


def explorer(*, default: bool = True) -> st.Page:
    """The surface explorer, the app's default page (``default=False``: another page is)."""
    return st.Page(
        explorer_page.render,
        title="Surface explorer",
        icon=":material/landscape:",
        url_path="explorer",
        default=default,
    )


def nn() -> st.Page:
    return st.Page(nn_page.render, title="Neural-net lab", icon=":material/hub:", url_path="nn")


def _learn() -> None:
    learn_page.render(open_preset)


def learn() -> st.Page:
    return st.Page(_learn, title="Learn", icon=":material/school:", url_path="learn")


def all_pages() -> list[st.Page]:
    return [explorer(), nn(), learn()]


def open_preset(kind: str, name: str) -> None:
    """Switch to the page of preset ``name`` (``kind``: learn_page.SURFACE or learn_page.NN), its
    settings in the URL (the page reads them as it would a shared link)."""
    if kind == learn_page.SURFACE:
        st.switch_page(explorer(), query_params=explorer_presets.PRESETS[name].params)
    else:
        st.switch_page(nn(), query_params=nn_presets.PRESETS[name].params)
