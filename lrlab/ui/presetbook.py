"""A page's presets as one object: each preset is a link of the page (its ``params``), read by the
page's schema. Both pages keep theirs in a :class:`Book`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property
from urllib.parse import urlencode

from lrlab.ui.codec import URL_SAFE, Schema


class Book:
    """``presets``: name -> preset (with ``title``, ``description``, ``params``), in menu order.
    ``display``: config attributes of how the view is shown (presentation mode), not of the runs: a
    preset is active whatever they are, and opening one keeps them."""

    def __init__(self, schema: Schema, presets: Mapping, display: tuple[str, ...] = ()):
        self.schema, self.presets, self.display = schema, presets, display

    def url_for(self, name: str) -> str:
        """The page's query string for preset ``name`` (KeyError for an unknown name)."""
        return urlencode(self.presets[name].params, safe=URL_SAFE)

    def config(self, name: str, keep=None):
        """The page's config for preset ``name`` (KeyError for an unknown name), with the display
        settings of ``keep`` (the config on screen) if given."""
        cfg = self.schema.from_query(self.presets[name].params)[0]
        return cfg if keep is None else replace(cfg, **{a: getattr(keep, a) for a in self.display})

    def _runs_only(self, cfg):
        return replace(cfg, **{a: getattr(self.schema.default, a) for a in self.display})

    def step(self, cfg, by: int) -> str:
        """The preset ``by`` places after the active one in menu order (wrapping round); from no
        active preset, the first (by > 0) or the last (by < 0)."""
        names = list(self.presets)
        now = self.active(cfg)
        if now is None:
            return names[0] if by > 0 else names[-1]
        return names[(names.index(now) + by) % len(names)]

    @cached_property
    def _by_key(self) -> dict[str, str]:
        return {self.schema.key(self.config(name)): name for name in self.presets}

    def active(self, cfg) -> str | None:
        """The preset whose settings ``cfg`` is exactly, or None once anything was changed: however
        it was opened (the picker, a Learn button, a shared link)."""
        return self._by_key.get(self.schema.key(self._runs_only(cfg)))
