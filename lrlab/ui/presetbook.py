"""A page's presets as one object: each preset is a link of the page (its ``params``), read by the
page's schema. Both pages keep theirs in a :class:`Book`."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from urllib.parse import urlencode

from lrlab.ui.codec import URL_SAFE, Schema


class Book:
    """``presets``: name -> preset (with ``title``, ``description``, ``params``), in menu order."""

    def __init__(self, schema: Schema, presets: Mapping):
        self.schema, self.presets = schema, presets

    def url_for(self, name: str) -> str:
        """The page's query string for preset ``name`` (KeyError for an unknown name)."""
        return urlencode(self.presets[name].params, safe=URL_SAFE)

    def config(self, name: str):
        """The page's config for preset ``name`` (KeyError for an unknown name)."""
        return self.schema.from_query(self.presets[name].params)[0]

    @cached_property
    def _by_key(self) -> dict[str, str]:
        return {self.schema.key(self.config(name)): name for name in self.presets}

    def active(self, cfg) -> str | None:
        """The preset whose settings ``cfg`` is exactly, or None once anything was changed: however
        it was opened (the picker, a Learn button, a shared link)."""
        return self._by_key.get(self.schema.key(cfg))
