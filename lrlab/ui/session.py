"""The Streamlit side of a page's state (the pure codec is :mod:`lrlab.ui.codec`).

Every widget keeps its value in ``st.session_state`` under the page's widget keys. The URL is the
shareable copy of the config: on arrival, or when a link changes it, it is parsed and validated into
the widgets (one notice lists what fell back); after every run the config is written back.
"""

from __future__ import annotations

import streamlit as st

from lrlab.ui.codec import Schema, notice


class PageState:
    """URL <-> widgets for the page of ``schema``; ``name`` namespaces its own session keys."""

    def __init__(self, schema: Schema, name: str):
        self.schema = schema
        self.applied, self.last, self.note = f"{name}._url_applied", f"{name}._cfg_last", f"{name}._notice"
        self.first_widget = schema.fields[0].widget_key(schema.default)

    def _url(self) -> dict[str, str]:
        return self.schema.page_params(st.query_params.to_dict())

    def sync_from_url(self) -> None:
        """Before the widgets are drawn: a new link seeds them; a first visit seeds the last config
        (or the defaults); widgets not drawn in the last run (another tool's) keep their values."""
        ss = st.session_state
        raw = self._url()
        if raw and raw != ss.get(self.applied):
            cfg, problems = self.schema.from_query(raw)
            self.schema.seed(ss, cfg)
            ss[self.note] = (notice(problems), self.schema.key(cfg)) if problems else None
            ss[self.applied] = raw
        elif self.first_widget not in ss:
            self.schema.seed(ss, ss.get(self.last, self.schema.default))
        else:
            for k, v in self.schema.widget_state(ss.get(self.last, self.schema.default)).items():
                ss.setdefault(k, v)

    def seed(self, cfg) -> None:
        """Make the widgets show ``cfg`` (a preset)."""
        self.schema.seed(st.session_state, cfg)

    def notice(self, cfg) -> str | None:
        """The link's notice, while the view is still the one the link asked for."""
        note = st.session_state.get(self.note)
        return note[0] if note and note[0] and note[1] == self.schema.key(cfg) else None

    def write_url(self, cfg) -> None:
        """After the run: the address bar shows ``cfg``."""
        q = self.schema.to_query(cfg)
        if self._url() != q:
            st.query_params.from_dict(q)
        st.session_state[self.applied] = q
        st.session_state[self.last] = cfg
