"""The player's view in the explorer's link (``view=map|3d|slice|multiples``): it round-trips through
the codec, a bad value falls back with one notice, a link without it opens the map, it is a display
setting (a preset stays active and is kept whatever the view), the player's {"view": ...} reaches the
config, and the page hands it to the player as ``open_view``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lrlab.ui.explorer import config as C
from lrlab.ui.explorer import presets
from lrlab.ui.explorer.page import apply_player_value
from tests.conftest import player_spec, url
from tests.test_app import run_app


@pytest.mark.parametrize("view", C.VIEWS)
def test_each_view_is_a_link_field_that_round_trips(view):
    cfg, problems = C.from_query({"compare": "multiples", "view": view})
    assert cfg.view == view and problems == []
    again, none = C.from_query(C.to_query(cfg))
    assert again == cfg and none == []
    assert ("view" in C.to_query(cfg)) == (view != "map")  # the default stays out of the link


def test_a_link_without_a_view_opens_the_map_and_a_bad_one_says_so():
    assert C.from_query({"compare": "multiples"})[0].view == "map"
    bad, problems = C.from_query({"view": "grid", "lr": "0.3"})
    assert bad.view == "map" and bad.lr == 0.3
    (line,) = problems
    assert line.startswith("view='grid'") and "default map used" in line


def test_the_view_is_a_display_setting_presets_keep():
    book = presets.BOOK
    cfg = replace(book.config("lr_sweep"), view="multiples")
    assert book.active(cfg) == "lr_sweep"  # showing it one map per run is still the preset
    assert book.config("divergence", keep=cfg).view == "multiples"  # n / p keep the view
    assert book.config("divergence").view == "map"


def test_the_players_view_reaches_the_config_and_nothing_else_does():
    ss = {"w.compare": "multiples"}
    apply_player_value(ss, {"view": "multiples", "nonce": 1})
    assert ss["w.view"] == "multiples"
    assert C.SCHEMA.from_widgets(ss)[0].view == "multiples"
    for bad in ({"view": "grid"}, {"view": None}, {"view": ["map"]}):
        apply_player_value(ss, bad)
        assert ss["w.view"] == "multiples"
    apply_player_value(ss, {"view": "map", "nonce": 2})
    assert C.SCHEMA.from_widgets(ss)[0].view == "map"


def test_the_page_hands_the_links_view_to_the_player_and_keeps_it_in_the_url():
    at = run_app({"compare": "multiples", "mult": "0.5,1,2,4", "lr": "0.2", "view": "multiples"})
    spec = player_spec(at)
    assert spec["open_view"] == "multiples" and len(spec["runs"]) == 4
    assert url(at)["view"] == "multiples"
    plain = run_app({"compare": "multiples", "lr": "0.2"})
    assert player_spec(plain)["open_view"] == "map"
    assert "view" not in url(plain)
