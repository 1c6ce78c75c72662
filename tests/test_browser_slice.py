"""The player's Slice view in headless Chromium: on the bowl the dots are exactly 1-D gradient descent
on the drawn parabola (overshoot between 1/λ and 2/λ, growth above 2/λ, read from the plot's data),
the curve survives Play, the lr slider's drag redraws it with no round trip, and runs that end in
different minima get a slice each."""

from __future__ import annotations

import numpy as np
import pytest

import lrlab
from lrlab import slices, surfaces
from tests.conftest import SHOTS
from tests.test_browser_explorer import open_app

pytestmark = pytest.mark.browser

# the slice plot's data: the curve (traces[0]) and, per run, its dots so far and its current dot
READ = """() => {
  const gd = document.querySelector('.sliceview .js-plotly-plot');
  const of = (role, k) => gd.data.find(t => t.meta && t.meta.role === role && t.meta.run === k);
  const runs = gd.data.filter(t => t.meta && t.meta.role === 'now').map(t => t.meta.run);
  return {
    curve: [gd.data[0].x, gd.data[0].y],
    dots: runs.map(k => [of('dots', k).x, of('dots', k).y]),
    now: runs.map(k => [of('now', k).x[0], of('now', k).text[0]]),
    range: gd.layout.xaxis.range,
    slice: document.querySelector('.sliceview').dataset.slice,
    title: document.querySelector('.slicetitle').textContent,
    note: document.querySelector('.slicenote').textContent,
    paths: document.querySelectorAll('.sliceview .scatterlayer .trace path.js-line').length,
  };
}"""


def open_slice(page, url):
    player = open_app(page, url)
    player.locator("button[data-view='slice']").click()
    player.locator(".sliceview .js-plotly-plot").wait_for(timeout=20_000)
    assert player.locator("#map").is_hidden()
    return player


def read(page):
    frame = next(f for f in page.frames if "descent_player" in f.url)
    return frame.evaluate(READ)


def test_between_the_lines_the_dots_flip_sides_and_shrink_and_the_curve_survives_play(page, app_url):
    player = open_slice(page, app_url + "/?surface=quadratic&lr=0.35&steps=40")  # 1/λ < 0.35 < 2/λ
    got = read(page)
    assert (
        got["title"].startswith("Slice: ")
        and "λ = 4" in got["title"]
        and "global minimum (0, 0)" in got["title"]
    )
    assert "move exactly" in got["note"] and "2/λ = 0.5" in got["note"]
    xs, ys = (np.array(v, float) for v in got["curve"])
    assert len(xs) >= slices.N_MIN
    np.testing.assert_allclose(ys, 2 * xs**2, rtol=2e-3, atol=1e-6)  # the parabola λ s²/2, drawn
    s, g = (np.array(v, float) for v in got["dots"][0])
    assert len(s) == 41  # every step so far (the player opens at the last step)
    first = s[:7]  # s_t = (1 − 0.35·4)^t · (−1.5), coordinates on the wire to 1e-4
    np.testing.assert_allclose(first, -1.5 * (-0.4) ** np.arange(7), atol=6e-5)
    assert np.all(np.sign(first[1:]) == -np.sign(first[:-1]))  # alternate sides of s = 0
    assert np.all(np.abs(first[1:]) < np.abs(first[:-1]))  # ... with shrinking |s|
    np.testing.assert_allclose(g, np.interp(s, xs, ys), rtol=1e-9, atol=1e-12)  # on the drawn curve
    drawn = got["paths"]
    assert drawn >= 1

    player.locator("#play").click()
    page.wait_for_timeout(900)
    playing = read(page)
    assert 1 <= len(playing["dots"][0][0]) < 41  # the dots follow the step
    assert playing["curve"] == got["curve"] and playing["paths"] >= 1  # the curve is still drawn
    player.locator("#play").click()
    player.locator("#scrub").fill("3")
    at3 = read(page)
    assert at3["now"][0][0] == pytest.approx(-1.5 * (-0.4) ** 3, abs=6e-5)
    assert len(at3["dots"][0][0]) == 4
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "slice-overshoot.png"))
    assert page.console_errors == []


def test_above_two_over_lambda_the_dots_grow_and_leave_the_slice_where_the_engine_says(page, app_url):
    open_slice(page, app_url + "/?surface=quadratic&lr=0.55&steps=40")
    got = read(page)
    s = np.array(got["dots"][0][0], float)
    lo, hi = got["range"]
    inside = (s > lo) & (s < hi)
    k = int(np.argmin(inside))  # the first dot drawn at the edge
    assert k >= 2
    np.testing.assert_allclose(np.abs(s[1:k]) / np.abs(s[: k - 1]), 1.2, rtol=2e-3)  # |1 − ηλ| per step
    # the engine's projection of the same run leaves the same range at the same step
    traj = lrlab.descend(surfaces.make("quadratic"), "sgd", 0.55, steps=40)
    sl = slices.steepest(surfaces.make("quadratic"), (0.0, 0.0), span=(lo, hi))
    assert sl.leaves(traj.points) == k
    assert got["now"][0][1] == f"off the slice at step {k}"
    assert page.console_errors == []


def test_the_lr_slider_drag_redraws_the_slice_without_a_round_trip(page, app_url):
    player = open_slice(page, app_url + "/?surface=quadratic&lr=0.1&steps=40")
    before = read(page)
    s = np.array(before["dots"][0][0][:8], float)
    assert np.all(s < 0)  # below 1/λ: straight in from one side
    # move the in-player slider to about 0.45 (an input event only: the release would rerun the page)
    player.locator("#fanlr").evaluate(
        """e => { const lo = Math.log(1e-4), hi = Math.log(10);
                  e.value = String(Math.round(e.max * (Math.log(0.45) - lo) / (hi - lo)));
                  e.dispatchEvent(new Event('input', {bubbles: true})); }"""
    )
    shown = float(player.locator("#fanval").inner_text().removeprefix("lr = "))
    assert 0.25 < shown < 0.5
    after = read(page)
    s = np.array(after["dots"][0][0][:8], float)
    assert np.all(np.sign(s[1:]) == -np.sign(s[:-1]))  # now it overshoots
    np.testing.assert_allclose(s[1:] / s[:-1], 1 - 4 * shown, rtol=2e-2)
    assert after["curve"] == before["curve"]
    assert page.console_errors == []


def test_runs_in_different_minima_get_a_slice_each(page, app_url):
    player = open_slice(page, app_url + "/?surface=himmelblau&compare=list&lrs=0.001,0.01,0.02&steps=200")
    got = read(page)
    assert got["title"].startswith("A slice, not the run's loss")
    assert "(3.58, −1.85)" in got["title"] and "not the run's loss" in got["note"]
    assert len(got["dots"][0][0]) == 201 and len(got["dots"][2][0]) == 0  # lr 0.02 ends at (3, 2)
    assert "lr = 0.02" in got["note"]
    pick = player.get_by_label("Slice through")
    assert pick.locator("option").count() == 2
    pick.select_option(index=1)
    other = read(page)
    assert other["slice"] != got["slice"] and "minimum (3, 2)" in other["title"]
    assert len(other["dots"][2][0]) == 201 and len(other["dots"][0][0]) == 0
    assert page.console_errors == []
