"""The projector, the presentation and the slides, in headless Chromium: at 1280x720 and 1920x1080
the map, Play, each run's lr and verdict word show without scrolling and the map has at least half
the content width; ?present=1 hides the sidebar, gives the map 60% of the screen's height, keeps the
preset's note and large verdicts on screen and answers its keys on the page and in the player; the
GIF and PNG buttons download a real GIF (several frames) and a real PNG (960x540)."""

from __future__ import annotations

import struct
from urllib.parse import parse_qs, urlparse

import pytest

from lrlab.ui.explorer import presets
from tests.conftest import SHOTS, publish, wait_idle

pytestmark = pytest.mark.browser

PLAYER = "iframe[title='lrlab.ui.player.descent_player']"
LINK = "/?" + presets.url_for("overshoot")  # two runs: lr 0.2 converged, lr 0.3 oscillating


def open_at(browser, app_url, size, link=LINK):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, accept_downloads=True)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(app_url + link, wait_until="domcontentloaded")
    pg.wait_for_selector("[data-testid='lr-badges']", timeout=60_000)
    wait_idle(pg)
    player = pg.frame_locator(PLAYER).first
    player.locator("body[data-ready='1']").wait_for(timeout=30_000)
    player.locator("body[data-fan-ready]").wait_for(state="attached", timeout=30_000)  # the lr slider
    pg.wait_for_timeout(500)
    return ctx, pg, player, errors


def inside(box, size) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size[0] + 0.5
        and (box["y"] + box["height"] <= size[1] + 0.5)
    )


def shoot(pg, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pg.screenshot(path=str(path))
    publish(path)


def verdict_words(pg) -> list[str]:
    return [t.split(" ", 1)[1] for t in pg.locator(".lr-badge .pill").all_inner_texts()]


SINGLE = "/?surface=quadratic&lr=0.3&steps=60"  # one run, with the player's lr slider and U curve
# four runs (lr x 0.5, 1, 2, 4) whose sides of Nesterov's lines are long texts ("between
# ((1-b)/(1+b))^2/lambda and (2+2b)/((1+2b)lambda)"): they pushed the map below the fold at 1280x720
FOUR = "/?surface=himmelblau&opt=nesterov&lr=0.001&compare=multiples"


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (1366, 768)])
@pytest.mark.parametrize(
    "link", [LINK, SINGLE, FOUR], ids=["two runs", "one run with the lr slider", "four runs"]
)
def test_a_projector_shows_the_map_play_the_lr_and_every_verdict_without_scrolling(
    browser, app_url, size, link
):
    ctx, pg, player, errors = open_at(browser, app_url, size, link)
    try:
        plot = player.locator("#map .nsewdrag").first.bounding_box()  # the map's plot area
        boxes = [plot, player.locator("#play").bounding_box(), player.locator("#readout").bounding_box()]
        if link == SINGLE:  # the lr slider, its U curve and the verdict of the lr drawn
            boxes += [player.locator(f"#{i}").bounding_box() for i in ("fanlr", "fanu", "fanverdict")]
        for box in boxes:
            assert inside(box, size), (box, size)
        lines = player.locator("#readout .run").all_inner_texts()
        words = verdict_words(pg)
        if link == FOUR:  # each run's lr and its verdict word, in the readout on screen (its side of
            # the lines and its loss hidden at 1280x720 and 1366x768: the compact readout)
            assert words == ["too slow", "oscillating", "oscillating", "oscillating"]
            for line, w, v in zip(lines, words, ["0.0005", "0.001", "0.002", "0.004"], strict=True):
                assert f"lr = {v} {w}" in line, line
            for k in range(4):
                assert inside(player.locator("#readout .run .pill").nth(k).bounding_box(), size)
            # no line runs past its column (a side's formula wraps between words, not out of sight)
            spill = player.locator("#readout .run").evaluate_all(
                "rs => rs.map((r) => Math.max(...[r, ...r.querySelectorAll('*')].map((e) =>"
                "  e.getBoundingClientRect().right)) - document.documentElement.clientWidth)"
            )
            assert max(spill) <= 0, spill
        else:
            assert words == (["converged", "oscillating"] if link == LINK else ["oscillating"])
            # each run's lr and verdict word in the readout: "lr = 0.3 (oscillating): loss …"
            # for one run, "lr = 0.2 converged below 1/λ: loss …" (the word in its colour) for several
            for line, w, v in zip(lines, words, ["0.2", "0.3"] if link == LINK else ["0.3"], strict=True):
                assert line.startswith(f"lr = {v}") and w in line, line
                assert not line.endswith(f", lr {v}"), line  # a constant lr is said once, in its name
        content = pg.locator("[data-testid='stMainBlockContainer']").bounding_box()
        mapdiv = player.locator("#map").bounding_box()
        assert mapdiv["width"] >= 0.5 * content["width"]
        # the map is no thumbnail: its plot area (equal scales: a square on the bowl) at least 35% of
        # the screen's height whatever stands above it (measured: 37% at 1280x720 and 42% at 1366x768
        # in both views, 59% at 1920x1080; the one-run view's was 17% at 1280x720 before its header
        # was made compact)
        assert plot["height"] >= 0.35 * size[1] and abs(plot["width"] - plot["height"]) < 2
        if size != (1366, 768) and (link == LINK or size == (1280, 720)):
            shoot(pg, f"explorer-{size[0]}x{size[1]}" + ("" if link == LINK else "-single"))
        assert errors == []
    finally:
        ctx.close()


def test_a_phone_stacks_the_map_full_width(browser, app_url):
    ctx, pg, player, errors = open_at(browser, app_url, (390, 844))
    try:
        plot = player.locator("#map .nsewdrag").first.bounding_box()
        assert plot["width"] >= 220 and plot["x"] + plot["width"] <= 390
        shoot(pg, "explorer-390x844")
        assert errors == []
    finally:
        ctx.close()


def lr_in_url(pg) -> str:
    return parse_qs(urlparse(pg.url).query)["lr"][0]


def test_presentation_mode_big_map_big_verdicts_note_and_keys(browser, app_url):
    size = (1280, 720)
    ctx, pg, player, errors = open_at(browser, app_url, size, LINK + "&present=1")
    try:
        assert not pg.locator("[data-testid='stSidebar']").is_visible()
        assert pg.locator("[data-testid='stSidebar'] input").count() > 0  # collapsed, not gone
        mapdiv = player.locator("#map").bounding_box()
        assert mapdiv["height"] >= 0.6 * size[1] and inside(mapdiv, (size[0], size[1] + 1))
        title = presets.PRESETS["overshoot"].title
        note = pg.locator("[data-testid='stAlertContentInfo']")
        assert title in note.inner_text() and inside(note.bounding_box(), size)
        pill = pg.locator(".lr-badge .pill").first
        assert float(pill.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 24
        assert inside(pill.bounding_box(), size)
        shoot(pg, "explorer-present")

        # keys on the page: the focus is on the page's body, not in the player
        assert lr_in_url(pg) == "0.3"
        pg.locator("body").press("ArrowRight")
        pg.wait_for_function("() => location.search.includes('lr=0.5')", timeout=20_000)
        wait_idle(pg)
        pg.locator("body").press("ArrowLeft")  # one grid step down from 0.5: 0.2 (0.3 is off the grid)
        pg.wait_for_function("() => location.search.includes('lr=0.2&')", timeout=20_000)
        wait_idle(pg)
        assert "present=" in pg.url  # the mode is in the link
        title = presets.PRESETS["overshoot"].title
        assert pg.locator("[data-testid='stAlertContentInfo']", has_text=title).count() == 0  # lr changed

        # n with no preset active: the first preset, still in presentation mode
        names = list(presets.PRESETS)
        assert names[0] == "overshoot"
        pg.locator("body").press("n")
        pg.locator("[data-testid='stAlertContentInfo']", has_text=title).wait_for(timeout=20_000)
        wait_idle(pg)
        assert not pg.locator("[data-testid='stSidebar']").is_visible()
        # keys inside the player's frame: n to the second preset, p back to the first, space plays
        player.locator("body[data-ready='1']").wait_for(timeout=20_000)
        player.locator("#readout").click()
        player.locator("#readout").press("n")
        second = presets.PRESETS[names[1]].title
        pg.locator("[data-testid='stAlertContentInfo']", has_text=second).wait_for(timeout=20_000)
        wait_idle(pg)
        player.locator("#readout").click()
        player.locator("#readout").press("p")
        pg.locator("[data-testid='stAlertContentInfo']", has_text=title).wait_for(timeout=20_000)
        wait_idle(pg)
        player.locator("body[data-ready='1']").wait_for(timeout=20_000)
        pg.wait_for_timeout(500)
        player.locator("#readout").click()
        player.locator("#readout").press(" ")
        player.locator("#play.playing").wait_for(timeout=5_000)
        pg.locator("body").press(" ")  # and on the page
        player.locator("#play:not(.playing)").wait_for(timeout=5_000)
        assert errors == []
    finally:
        ctx.close()


def gif_frames(data: bytes) -> int:
    """Image descriptors in a GIF: walk its blocks (header, palette, extensions, images)."""
    assert data[:6] == b"GIF89a"
    flags = data[10]
    i = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = 0
    while i < len(data):
        b = data[i]
        if b == 0x3B:  # trailer
            return frames
        if b == 0x21:  # extension: label, then sub-blocks
            i += 2
        elif b == 0x2C:  # image descriptor, local palette, LZW minimum code size, then sub-blocks
            frames += 1
            f = data[i + 9]
            i += 10 + (3 * 2 ** ((f & 7) + 1) if f & 0x80 else 0) + 1
        else:
            raise AssertionError(f"not a GIF block at byte {i}: {b:#x}")
        while data[i] != 0:
            i += data[i] + 1
        i += 1
    raise AssertionError("GIF without a trailer")


def test_the_gif_and_png_buttons_download_slides(browser, app_url):
    ctx, pg, player, errors = open_at(browser, app_url, (1280, 720), "/?surface=quadratic&lr=0.3&steps=20")
    try:
        assert player.locator("#gif").inner_text() == "GIF"
        with pg.expect_download(timeout=120_000) as dl:
            player.locator("#gif").click()
        data = open(dl.value.path(), "rb").read()
        assert dl.value.suggested_filename.endswith(".gif")
        assert gif_frames(data) == 21  # one per step 0..20
        w, h = struct.unpack("<HH", data[6:10])
        assert (w, h) == (960, 540)
        assert data.count(b"\x21\xf9\x04") >= 21  # a graphic control extension (delay) per frame

        player.locator("#scrub").fill("7")
        with pg.expect_download(timeout=60_000) as dl:
            player.locator("#png").click()
        png = open(dl.value.path(), "rb").read()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (960, 540)
        assert dl.value.suggested_filename == "lrlab-step7.png"
        assert errors == []
    finally:
        ctx.close()
