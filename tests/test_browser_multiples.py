"""The small multiples ("One map per run", components/player/multiples.js) in headless Chromium: one
small map per run, each with the contour and its own run only, titled with the verdict word the
page's badge gives that run, in the badge's colour; Play keeps every contour and moves every head;
the view is in the URL both ways; the slides (PNG, GIF) draw the grid with its verdicts."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest

from tests.conftest import SHOTS
from tests.test_browser_explorer import open_app
from tests.test_browser_present import gif_frames, open_at

pytestmark = pytest.mark.browser

LINK = "/?compare=multiples&mult=0.5,1,2,4&lr=0.2"  # SGD on the bowl (λ = 4): 0.1 ... 0.8 > 2/λ

# per small map: its contour's paths, its overlay's drawn lines (stroke, d) and heads, its title
READ = """() => [...document.querySelectorAll('.multview .mcell')].map((c) => {
  const shown = (e) => e.style.display !== 'none';
  return {
    contour: c.querySelectorAll('.contourlayer path').length,
    lines: [...c.querySelectorAll('.mapover path.line')].filter(shown)
             .map((e) => [e.getAttribute('stroke'), e.getAttribute('d')]),
    heads: [...c.querySelectorAll('.mapover path.head')].filter(shown)
             .map((e) => e.getAttribute('transform')),
    word: c.querySelector('.pill').textContent,
    wordColour: getComputedStyle(c.querySelector('.pill')).backgroundColor,
    name: c.querySelector('.mtitle span:nth-child(2)').textContent,
    now: c.querySelector('.now').textContent,
  };
})"""

BADGES = """() => [...document.querySelectorAll('.lr-badge')].map((b) => ({
  run: b.getAttribute('style').match(/--run:([^;]+)/)[1],
  head: b.querySelector('.head').textContent,
  word: b.querySelector('.pill').textContent.split(' ').slice(1).join(' '),
  colour: getComputedStyle(b.querySelector('.pill')).backgroundColor,
}))"""


def frame(page):
    return next(f for f in page.frames if "descent_player" in f.url)


def points(d: str) -> int:
    return d.count("M") + d.count("L")


def test_one_small_map_per_run_titled_with_its_badges_verdict_and_play_moves_every_head(page, app_url):
    player = open_app(page, app_url + LINK)
    button = player.locator("button[data-view='multiples']")
    assert button.inner_text() == "One map per run"
    button.click()
    player.locator(".multview .mcell .contourlayer path").first.wait_for(timeout=20_000)
    assert player.locator("#mapbox").is_hidden()
    page.wait_for_function("() => new URLSearchParams(location.search).get('view') === 'multiples'")

    cells = frame(page).evaluate(READ)
    badges = page.evaluate(BADGES)
    assert len(cells) == len(badges) == 4
    for cell, badge in zip(cells, badges, strict=True):
        assert cell["contour"] > 10  # each small map has the whole contour
        assert len(cell["lines"]) == 1  # ... and one path: its own run's, in the page's colour for it
        assert cell["lines"][0][0].lower() == badge["run"].lower()
        assert points(cell["lines"][0][1]) >= 2 and len(cell["heads"]) == 1
        assert cell["name"] == badge["head"]
        assert cell["word"] == badge["word"] and cell["wordColour"] == badge["colour"]
    words = [c["word"] for c in cells]
    assert words[0] == "converged" and words[2] == "oscillating" and words[3].startswith("diverged at step")
    assert cells[3]["now"] == words[3]  # at the last step the diverged run says where it stopped
    assert cells[0]["now"].startswith("loss ")

    player.locator("#scrub").fill("3")  # every map at step 3: four points of its own path
    at3 = frame(page).evaluate(READ)
    # four points each at step 3, but the 4× run's: it left the map at step 1 (x: -1.5 -> 3.3 -> -7.26
    # -> 16), and a step joining two points off the map is not drawn across it, so 2 points are
    assert [points(c["lines"][0][1]) for c in at3] == [4, 4, 4, 2]
    assert all(a["heads"] != b["heads"] for a, b in zip(at3, cells, strict=True))

    player.locator("#scrub").fill("100")
    end = frame(page).evaluate(READ)
    player.locator("#speed").select_option("0.25")  # ~3 steps a second: before the run diverges at 8
    player.locator("#play").click()  # from step 0
    page.wait_for_timeout(700)
    playing = frame(page).evaluate(READ)
    step = int(player.locator("#steplabel").inner_text().split()[1])
    assert 0 < step < 8
    for a, b in zip(playing, end, strict=True):
        assert a["contour"] == b["contour"]  # Play never redraws a contour
        assert a["heads"] != b["heads"]  # and every head moved
    player.locator("#speed").select_option("4")
    player.locator("#play:not(.playing)").wait_for(timeout=20_000)  # played to the end
    done = frame(page).evaluate(READ)
    assert [c["heads"] for c in done] == [c["heads"] for c in end]
    assert [c["contour"] for c in done] == [c["contour"] for c in end]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "multiples.png"))
    assert page.console_errors == []


def test_a_link_opens_the_small_multiples_and_the_url_follows_the_views(page, app_url):
    player = open_app(page, app_url + LINK + "&view=multiples")
    player.locator(".multview .mcell .contourlayer path").first.wait_for(timeout=20_000)
    assert player.locator("#mapbox").is_hidden() and player.locator(".multview").is_visible()
    assert player.locator("button[data-view='multiples']").get_attribute("class") == "on"
    assert player.locator(".mcell").count() == 4
    assert player.locator("#readout").is_hidden()  # each map's title says what the readout said

    player.locator("button[data-view='map']").click()
    assert player.locator("#mapbox").is_visible() and player.locator(".multview").is_hidden()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('view')")  # the default
    player.locator("button[data-view='multiples']").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('view') === 'multiples'")
    assert player.locator(".multview").is_visible()

    # the other views too: a link with view=slice opens the Slice view
    player = open_app(page, app_url + "/?surface=quadratic&lr=0.35&view=slice")
    player.locator(".sliceview .js-plotly-plot").wait_for(timeout=20_000)
    assert player.locator("#mapbox").is_hidden()

    # one run: no small multiples to show; the link opens the map, and says nothing false
    player = open_app(page, app_url + "/?surface=quadratic&lr=0.3&view=multiples")
    assert player.locator("#mapbox").is_visible()
    assert player.locator("button[data-view='multiples']").is_hidden()
    assert page.console_errors == []


def colour_pixels(img: np.ndarray, hex_colour: str) -> np.ndarray:
    rgb = np.array([int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)])
    return np.argwhere(np.all(np.abs(img[:, :, :3].astype(int) - rgb) <= 2, axis=2))


def test_the_slides_draw_the_grid_with_each_runs_verdict(browser, app_url):
    from PIL import Image  # Streamlit's own dependency

    ctx, pg, player, errors = open_at(browser, app_url, (1280, 720), LINK + "&steps=20&view=multiples")
    try:
        player.locator(".multview .mcell .contourlayer path").first.wait_for(timeout=20_000)
        badges = pg.evaluate(BADGES)
        with pg.expect_download(timeout=60_000) as dl:
            player.locator("#png").click()
        png = open(dl.value.path(), "rb").read()
        assert struct.unpack(">II", png[16:24]) == (960, 540)
        img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        (SHOTS / "multiples-slide.png").write_bytes(png)
        # each run drawn in a map of its own: its colour's pixels (its path, its head, its swatch)
        # stand in one column of the grid, left to right in run order
        xs = [np.median(colour_pixels(img, b["run"])[:, 1]) for b in badges]
        assert all(len(colour_pixels(img, b["run"])) > 150 for b in badges)
        assert np.all(np.diff(xs) > 150), xs
        # the verdicts in the image: each pill in its badge's colour, under its run's column
        for b, x in zip(badges, xs, strict=True):
            r, g, bl = (int(v) for v in b["colour"][4:-1].split(","))
            pill = colour_pixels(img, f"#{r:02x}{g:02x}{bl:02x}")
            near = pill[np.abs(pill[:, 1] - x) < 120]
            assert len(near) > 300, b["word"]

        with pg.expect_download(timeout=120_000) as dl:
            player.locator("#gif").click()
        data = open(dl.value.path(), "rb").read()
        assert gif_frames(data) == 21 and struct.unpack("<HH", data[6:10]) == (960, 540)
        assert errors == []
    finally:
        ctx.close()


# what the player's lr slider does during a drag: a run's data replaced in spec.runs, then the view's
# draw (through the plugin API: window.lrlabPlayerPlugins.push hands it over)
SWAP = """() => new Promise((done) => window.lrlabPlayerPlugins.push((api) => {
  document.querySelectorAll('.multview .contourlayer path').forEach((n) => { n.__kept = 1; });
  const spec = api.spec();
  const from = spec.runs[3];
  ['x', 'y', 'loss', 'lr', 'exit', 'status', 'regime', 'diverged_at', 'name'].forEach((k) => {
    spec.runs[0][k] = from[k];
  });
  Promise.resolve(api.currentView().draw(spec, api.step())).then(() => done(
    [...document.querySelectorAll('.multview .contourlayer path')].every((n) => n.__kept === 1)));
}))"""


def test_a_run_replaced_in_place_is_redrawn_without_redrawing_a_contour(page, app_url):
    player = open_app(page, app_url + LINK + "&view=multiples")
    player.locator(".multview .mcell .contourlayer path").first.wait_for(timeout=20_000)
    before = frame(page).evaluate(READ)
    assert frame(page).evaluate(SWAP) is True  # the very same contour nodes
    after = frame(page).evaluate(READ)
    assert after[0]["word"] == before[3]["word"] and after[0]["wordColour"] == before[3]["wordColour"]
    assert after[0]["name"] == before[3]["name"] and after[0]["now"] == before[3]["now"]
    assert after[0]["lines"][0][1] == before[3]["lines"][0][1]  # the same path, in run 0's map
    assert after[0]["lines"][0][0] == before[0]["lines"][0][0]  # in run 0's colour
    assert [c["contour"] for c in after] == [c["contour"] for c in before]
    assert after[1:] == before[1:]
    assert page.console_errors == []
