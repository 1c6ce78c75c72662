"""Every link shared before the one-codec rewrite still opens the same view.

``tests/data/links_v1.json`` was written by the app as it was before (commit ba36456): for each link
(every preset of both pages as it stood, the README's and the browser tests' links, a link with every
setting, malformed links) the config that version built and how many values it replaced. Each one
must give the same config, and the same number of problems, today; a setting added since keeps
its default (no noise, no compared schedules, no presentation mode), so the view is the same."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from lrlab.ui.explorer import config as C
from lrlab.ui.nn import config as N

LINKS = json.loads((Path(__file__).parent / "data" / "links_v1.json").read_text())


def _plain(v):
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    return v


@pytest.mark.parametrize("link", LINKS, ids=[f"{x['page']}-{x['what']}-{i}" for i, x in enumerate(LINKS)])
def test_a_link_from_before_opens_the_same_view(link):
    schema = N.SCHEMA if link["page"] == "nn" else C.SCHEMA
    cfg, problems = schema.from_query(link["query"])
    fields = dataclasses.fields(cfg)
    got = {f.name: _plain(getattr(cfg, f.name)) for f in fields if f.name in link["config"]}
    assert got == link["config"]
    # settings added since (gradient noise, compared schedules, presentation mode) stay at their
    # defaults: the same view
    assert set(link["config"]) <= {f.name for f in fields}
    for f in fields:
        if f.name not in link["config"]:
            assert getattr(cfg, f.name) == f.default, f.name
    assert len(problems) == link["problems"]
    again, none = schema.from_query(schema.to_query(cfg))  # and it round-trips
    assert again == cfg and none == []
