"""Presentation mode without a browser: the link field round-trips, old links stay as they were, a
preset stays active (and is kept) whatever the mode, the lr keys walk the slider's grid, n/p walk the
presets in menu order."""

from __future__ import annotations

from dataclasses import replace

from lrlab.ui.explorer import config as C
from lrlab.ui.explorer import presets
from lrlab.ui.explorer.page import LR_GRID
from lrlab.ui.explorer.present import lr_step


def test_present_is_a_link_field_that_round_trips():
    cfg, problems = C.from_query({"surface": "quadratic", "lr": "0.3", "present": "1"})
    assert cfg.present is True and problems == []
    again, none = C.from_query(C.to_query(cfg))
    assert again == cfg and none == []
    plain, _ = C.from_query({"surface": "quadratic", "lr": "0.3"})
    assert plain.present is False and "present" not in C.to_query(plain)
    bad, problems = C.from_query({"present": "maybe"})
    assert bad.present is False and len(problems) == 1


def test_a_preset_is_active_in_presentation_mode_and_opening_one_keeps_the_mode():
    book = presets.BOOK
    cfg = book.config("oscillation")
    shown = replace(cfg, present=True)
    assert book.active(shown) == "oscillation"
    assert book.active(replace(shown, lr=0.44)) is None  # a setting of the runs changed
    assert book.config("divergence", keep=shown).present is True
    assert book.config("divergence").present is False


def test_n_and_p_walk_the_presets_in_menu_order():
    book = presets.BOOK
    names = list(book.presets)
    assert book.step(book.config(names[0]), 1) == names[1]
    assert book.step(book.config(names[0]), -1) == names[-1]  # wraps round
    assert book.step(book.config(names[-1]), 1) == names[0]
    assert book.step(C.DEFAULT, 1) == names[0] and book.step(C.DEFAULT, -1) == names[-1]


def test_the_lr_keys_walk_the_sliders_grid():
    assert lr_step(0.3, 1, LR_GRID) == 0.5 and lr_step(0.3, -1, LR_GRID) == 0.2
    assert lr_step(0.2, 1, LR_GRID) == 0.5 and lr_step(0.2, -1, LR_GRID) == 0.1
    assert lr_step(10.0, 1, LR_GRID) == 10.0 and lr_step(1e-4, -1, LR_GRID) == 1e-4  # the ends stay
    assert lr_step(50.0, -1, LR_GRID) == 10.0  # from beyond the slider, back onto it
