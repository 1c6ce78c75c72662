"""The explorer in headless Chromium: it draws, animates without losing the contour, reacts to the lr
and to clicks, keeps the console clean, and leaves screenshots (tests/screenshots/ and assets/)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SHOTS, publish, wait_idle
from tests.pageweight import ws_messages

pytestmark = pytest.mark.browser

PLAYER = "iframe[title='lrlab.ui.player.descent_player']"


def open_app(page, url: str, fan: bool = True):
    """The page at ``url`` once its player has drawn, and (``fan``) its lr slider's fan has arrived
    from the fan's own element."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=60_000)
    wait_idle(page)
    player = page.frame_locator(PLAYER).first
    player.locator("body[data-ready='1']").wait_for(timeout=30_000)
    if fan:
        player.locator("body[data-fan-ready]").wait_for(state="attached", timeout=30_000)
    return player


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    publish(path)


def contour_paths(player) -> int:
    return player.locator(".contourlayer path").count()


def run_path(player) -> str:
    """The first run's path as drawn on the map (the overlay's line over the plotly.js map)."""
    return player.locator("#mapover path.line").first.get_attribute("d") or ""


def chart_lines(player) -> int:
    """Line traces drawn in the player's per-step charts (loss, lr, gradient norm)."""
    return player.locator("#charts .scatterlayer .trace path.js-line").count()


def cursor_left(player, k: int) -> float:
    return float(player.locator("#charts .cursor").nth(k).evaluate("e => parseFloat(e.style.left)"))


def test_play_and_scrub_keep_the_contour(page, app_url):
    player = open_app(page, app_url + "/?surface=quadratic&lr=0.3&steps=120")
    drawn = contour_paths(player)
    assert drawn > 10
    assert player.locator("#steplabel").inner_text() == "step 120 / 120"
    full = run_path(player)

    player.locator("#play").click()
    page.wait_for_timeout(700)
    label = player.locator("#steplabel").inner_text()
    assert label != "step 120 / 120"  # playing restarted from 0 and moved on
    assert run_path(player) != full  # the path is drawn up to the current step
    assert contour_paths(player) == drawn  # the surface is still there while playing
    page.wait_for_timeout(900)
    assert contour_paths(player) == drawn
    player.locator("#play").click()  # pause
    assert player.locator("#play").inner_text().endswith("Play")

    player.locator("#scrub").fill("2")
    assert player.locator("#steplabel").inner_text() == "step 2 / 120"
    at2 = run_path(player)
    player.locator("#scrub").fill("30")
    assert player.locator("#steplabel").inner_text() == "step 30 / 120"
    assert run_path(player) != at2
    assert contour_paths(player) == drawn  # and after scrubbing
    assert player.locator("#readout").inner_text().count("loss") == 1
    # the three line charts are drawn in the player's frame, one line per run each, and their step
    # cursor follows the scrubber (further right at a later step)
    heads = player.locator("#charts h3").all_inner_texts()
    assert [h.split(" (")[0] for h in heads] == [
        "Loss above the minimum",
        "Learning rate per step",
        "Gradient norm |∇f|",
    ]
    assert chart_lines(player) == 3
    assert player.locator("#charts .ytick").count() > 3  # axes with tick labels
    at30 = [cursor_left(player, k) for k in range(3)]
    player.locator("#scrub").fill("90")
    assert all(cursor_left(player, k) > at30[k] for k in range(3))
    player.locator("#scrub").fill("30")
    assert contour_paths(player) == drawn
    # hovering the path names the run, the step and the point (the overlay lets the mouse through)
    d = run_path(player)
    x, y = (float(v) for v in d.split("L")[3].split(","))  # the path's point at step 3
    box = player.locator("#map").bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    tip = player.locator("#pathtip")
    tip.wait_for(state="visible", timeout=5_000)
    assert tip.inner_text().startswith("lr = 0.3 · step 3\nx = ")
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    shoot(page, "explorer-desktop")
    # the 3D view: same paths, same scrubber (WebGL; software-rendered here)
    player.locator("button[data-view='3d']").click()
    player.locator("#surf3d .gl-container canvas").first.wait_for(timeout=30_000)
    assert player.locator("#map").is_hidden()
    player.locator("#scrub").fill("5")
    assert player.locator("#steplabel").inner_text() == "step 5 / 120"
    player.locator("button[data-view='map']").click()
    assert contour_paths(player) == drawn
    assert page.console_errors == []


def test_lr_past_the_divergence_line_turns_the_badge(page, app_url):
    player = open_app(page, app_url + "/?surface=quadratic&lr=0.45")
    badge = page.locator(".lr-badge").first
    assert badge.get_attribute("data-regime") == "oscillating"
    drawn = contour_paths(player)
    box = page.get_by_label("exact lr")
    box.fill("0.55")
    box.press("Enter")
    wait_idle(page)
    page.wait_for_selector(".lr-badge[data-regime='diverged']", timeout=20_000)
    assert "diverged at step" in page.locator(".lr-badge").first.inner_text()
    # the theory's side of this lr: the player's, for the lr it draws (the sidebar keeps the lines)
    assert "above the divergence line" in player.locator("#fanverdict").inner_text().lower()
    assert "2/λ = **0.5**" in page.locator("[data-testid='stSidebar']").inner_text() or "2/λ = 0.5" in (
        page.locator("[data-testid='stSidebar']").inner_text()
    )
    assert "lr=0.55" in page.url
    # the player re-rendered with the new runs and still draws the surface, and its charts mark it
    player.locator("#readout:has-text('diverged at step')").wait_for(timeout=10_000)
    assert contour_paths(player) == drawn
    player.locator("#charts .textpoint:has-text('diverged at step')").first.wait_for(timeout=10_000)
    # the sidebar's 1-2-5 grid moves the lr back below the line
    grid = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="1-2-5 grid")
    grid.click()
    page.get_by_role("option", name="0.2", exact=True).click()
    wait_idle(page)
    page.wait_for_selector(".lr-badge[data-regime='converged']", timeout=20_000)  # 0.2 < 1/λ = 0.25
    assert "lr=0.2" in page.url
    assert page.console_errors == []


def test_opening_a_preset_names_it_and_shows_its_runs_whole(page, app_url):
    player = open_app(page, app_url + "/?surface=quadratic&lr=0.45")  # 100 steps, like the preset
    player.locator("#scrub").fill("7")
    assert player.locator("#steplabel").inner_text() == "step 7 / 100"
    picker = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    picker.click()
    page.get_by_role("option", name="Too slow: a tiny lr barely moves").click()
    wait_idle(page)
    page.wait_for_selector("[data-testid='stAlertContentInfo']:has-text('Too slow')", timeout=20_000)
    player.locator("#readout:has-text('lr = 0.002')").wait_for(timeout=10_000)
    assert player.locator("#steplabel").inner_text() == "step 100 / 100"  # the scrubber was reset
    shown = picker.evaluate("e => e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value)")
    assert "Too slow" in shown, shown  # the picker names the active preset
    assert page.console_errors == []


def test_click_on_the_map_moves_the_start(page, app_url):
    player = open_app(page, app_url + "/?surface=quadratic&lr=0.1")
    drag = player.locator(".nsewdrag").first
    box = drag.bounding_box()
    # the plot spans x, y in [-2, 2]: click at (1, -1)
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75)
    page.wait_for_function("() => location.search.includes('x0=')", timeout=20_000)
    wait_idle(page)
    assert "x0=1&" in page.url + "&" or "x0=0.99" in page.url or "x0=1.0" in page.url
    assert "y0=-1" in page.url or "y0=-0.99" in page.url
    assert page.console_errors == []


def test_screenshots_projector_and_phone(browser, app_url):
    url = app_url + "/?surface=ravine&opt=sgd&lr=0.04&compare=optimizers&opts=sgd,momentum"
    # projector: 1920x1080 pixels at 150% zoom (large type)
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=1.5)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    open_app(page, url)
    shoot(page, "explorer-projector")
    ctx.close()
    # phone width
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = ctx.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    player = open_app(page, url)
    assert contour_paths(player) > 10
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone
    # the charts stack under the map on a phone, each as wide as the map
    assert chart_lines(player) == 2 * 3
    map_box = player.locator("#map").bounding_box()
    boxes = [player.locator("#charts .chartplot").nth(k).bounding_box() for k in range(3)]
    assert boxes[0]["y"] > map_box["y"] + map_box["height"] - 1
    assert boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1
    assert abs(boxes[0]["width"] - map_box["width"]) < 2
    # each chart's step axis names the last step (a label past the chart's edge is hidden by plotly.js:
    # with too small a right margin the "100" went missing)
    ticks = player.locator("#charts .chartplot").evaluate_all(
        "ds => ds.map((d) => [...d.querySelectorAll('.xtick text')]"
        "  .filter((t) => [t, t.parentNode].every((e) => getComputedStyle(e).display !== 'none'))"
        "  .map((t) => t.textContent))"
    )
    assert ticks == [["0", "50", "100"]] * 3
    shoot(page, "explorer-phone")
    ctx.close()
    assert errors == []


MARK_CONTOUR = "() => document.querySelectorAll('.contourlayer path').forEach((n) => { n.__kept = 1; })"
CONTOUR_KEPT = """() => { const l = [...document.querySelectorAll('.contourlayer path')];
                            return [l.length, l.every((n) => n.__kept === 1)]; }"""


def chart_path(player, k: int) -> str:
    return player.locator("#charts .scatterlayer .trace path.js-line").nth(k).get_attribute("d") or ""


def test_dragging_the_players_lr_across_2_over_lambda_redraws_at_once_then_release_sets_the_url(
    page, app_url
):
    """The lr fan: dragging the in-player slider redraws the path, the readout, the verdict, the U
    curve's mark and the charts from the fan with no rerun (the script never runs while the mouse
    moves), and never the contour (the very same DOM nodes before and after); meanwhile the page's
    badge, written for the server's lr, gives way to "updates on release"; the release sends the lr
    back, and the URL and the badge follow."""
    player = open_app(page, app_url + "/?surface=quadratic&lr=0.3&steps=60")
    slider = player.get_by_role("slider", name="Learning rate")
    assert player.locator("#fanval").inner_text() == "lr = 0.3"
    assert player.locator("#fanverdict").get_attribute("data-regime") == "oscillating"
    assert "between the lines" in player.locator("#fanverdict").inner_text().lower()
    before = run_path(player)
    charts_before = [chart_path(player, k) for k in range(3)]
    mark_before = player.locator("#umark").get_attribute("transform")
    assert player.locator("#umark").get_attribute("data-lr") == "0.3"
    ticks = player.locator(".fantick").all_inner_texts()
    assert ticks == ["1/λ = 0.25", "2/λ = 0.5"]
    assert page.locator("[data-testid='lr-badges']").is_visible()
    assert not page.locator("[data-testid='lr-stale']").is_visible()
    player.locator("body").evaluate(MARK_CONTOUR)
    drawn = contour_paths(player)
    # count the script's runs while the mouse moves: the page reruns only after the release
    page.evaluate(
        """() => { window.__runs = 0; new MutationObserver(() => {
             if (document.querySelector("[data-test-script-state='running']")) window.__runs++;
           }).observe(document.body,
                      {subtree: true, attributes: true, attributeFilter: ["data-test-script-state"]}); }"""
    )
    box = slider.bounding_box()
    tick = player.locator(".fantick").nth(1).bounding_box()  # 2/λ, written right of its line
    y = box["y"] + box["height"] / 2
    x0 = box["x"] + box["width"] * 0.5
    knob = player.locator("#fanlr").evaluate("e => e.value / e.max")
    page.mouse.move(box["x"] + 10 + (box["width"] - 20) * knob, y)
    page.mouse.down()
    seen = set()
    for x in np.linspace(x0, tick["x"] + 40, 12):  # from below 2/λ to past it
        page.mouse.move(float(x), y)
        seen.add(player.locator("#fanverdict").get_attribute("data-regime"))
    assert "diverged" in seen and run_path(player) != before
    verdict = player.locator("#fanverdict").inner_text().lower()
    assert "diverged at step" in verdict and "above the divergence line" in verdict
    assert player.locator("#readout").inner_text().startswith("lr = ")
    shown = player.locator("#fanval").inner_text()
    lr = shown.removeprefix("lr = ")
    # the U curve's mark stands on the lr drawn; the charts follow within a few frames
    assert player.locator("#umark").get_attribute("data-lr") == lr
    assert player.locator("#umark").get_attribute("transform") != mark_before
    player.locator("body[data-charts-fan-index]").wait_for(state="attached", timeout=5_000)
    player.locator("body").evaluate(
        """() => new Promise((ok) => { const f = () => document.body.dataset.chartsFanIndex ===
             document.body.dataset.fanIndex ? ok() : requestAnimationFrame(f); f(); })"""
    )
    assert all(chart_path(player, k) != charts_before[k] for k in (0, 2))  # loss and |∇f| changed
    assert player.locator("#charts .textpoint:has-text('diverged at step')").count() >= 1
    # the contour was never redrawn: the same nodes, all still there
    assert player.locator("body").evaluate(CONTOUR_KEPT) == [drawn, True]
    # the page claims nothing for the server's lr meanwhile: its badge gives way to "updates on release"
    assert not page.locator("[data-testid='lr-badges']").is_visible()
    assert page.locator("[data-testid='lr-stale']").is_visible()
    main = page.locator("[data-testid='stMain']").inner_text().lower()
    assert "oscillat" not in main and "lr = 0.3 is" not in main
    assert page.evaluate("window.__runs") == 0  # no round trip while dragging
    page.mouse.up()
    page.wait_for_function(f"() => location.search.includes('lr={lr}')", timeout=30_000)
    wait_idle(page)
    page.locator("[data-testid='lr-badges']").wait_for(state="visible", timeout=10_000)
    assert page.locator(".lr-badge .pill").first.inner_text().startswith("✖ diverged")
    assert not page.locator("[data-testid='lr-stale']").is_visible()
    assert page.console_errors == []


def test_a_presets_note_about_its_lr_gives_way_while_the_player_shows_another(page, app_url):
    """The oscillation preset's note speaks of lr = 0.45; while the lr slider shows another lr, the
    note and the badge are hidden and the page says that they follow on release; back on 0.45 they
    show again (no release needed)."""
    from lrlab.ui.explorer import presets

    player = open_app(page, app_url + "/?" + presets.url_for("oscillation"))
    note = page.locator("[data-testid='stAlertContentInfo']", has_text="lr = 0.45")
    assert note.is_visible()
    start = player.locator("#fanlr").evaluate("e => e.value")
    move = "(e, v) => { e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); }"
    player.locator("#fanlr").evaluate(move, str(int(start) + 30))
    assert player.locator("#fanval").inner_text() != "lr = 0.45"
    assert not note.is_visible() and not page.locator("[data-testid='lr-badges']").is_visible()
    stale = page.locator("[data-testid='lr-stale']")
    assert stale.is_visible() and "lr = 0.45" in stale.inner_text()
    player.locator("#fanlr").evaluate(move, start)
    assert player.locator("#fanval").inner_text() == "lr = 0.45"
    assert note.is_visible() and not stale.is_visible()
    assert page.console_errors == []


def map_range(player) -> list[list[float]]:
    """The map's axis ranges (public gd.layout, written back by plotly.js on every relayout)."""
    return player.locator("#map").evaluate("d => [d.layout.xaxis.range, d.layout.yaxis.range]")


def wait_axis(player, test: str) -> None:
    """Wait until the map's right x limit satisfies ``test`` (e.g. "> 2")."""
    player.locator("#map").evaluate(
        "d => new Promise((ok) => { const f = () => "
        f"d.layout.xaxis.range[1] {test} ? ok() : setTimeout(f, 20); f(); }})"
    )


def test_follow_the_run_grows_the_axes_with_a_diverging_run_and_marks_where_it_left(page, app_url):
    """A run at lr 0.6 > 2/λ = 0.5 swings ever wider and leaves the box [-2, 2]² at step 1: the map
    marks the point on the box's edge "left at step 1" from that step on; "follow the run" grows the
    axes with the path drawn (more at a later step, back to the box at step 0), the contour staying
    where it was."""
    player = open_app(page, app_url + "/?surface=quadratic&lr=0.6&steps=12")
    drawn = contour_paths(player)
    exits = player.locator("#mapover .exits text")
    assert exits.first.text_content() == "left at step 1" and exits.first.is_visible()
    player.locator("#scrub").fill("0")
    assert not exits.first.is_visible()  # not yet left at step 0
    assert map_range(player) == [[-2, 2], [-2, 2]]
    player.locator("#follow").check()
    player.locator("#scrub").fill("3")
    wait_axis(player, "> 2")  # the relayout is asynchronous
    at3 = map_range(player)
    player.locator("#scrub").fill("8")
    wait_axis(player, f"> {at3[0][1]}")
    at8 = map_range(player)
    assert at8[0][1] > at3[0][1] > 2 and at8[1][1] > at3[1][1] > 2  # equal scales: y grows with x
    assert at3[0][0] == -at3[0][1]  # centred on the box
    # the path's last point is inside the grown axes
    head = player.locator("#mapover path.head").first.bounding_box()
    plot = player.locator("#map .nsewdrag").first.bounding_box()
    assert plot["x"] <= head["x"] + head["width"] / 2 <= plot["x"] + plot["width"]
    assert exits.first.text_content() == "left at step 1"
    assert contour_paths(player) == drawn  # the contour is still drawn (on the box)
    shoot(page, "explorer-follow")
    player.locator("#scrub").fill("0")
    wait_axis(player, "=== 2")
    player.locator("#follow").uncheck()
    player.locator("#scrub").fill("8")
    page.wait_for_timeout(300)
    assert map_range(player) == [[-2, 2], [-2, 2]]
    assert page.console_errors == []


VIEW_PLUGIN = """() => new Promise((ok) => {
  window.__view = {mounted: 0, draws: [], steps: []};
  window.lrlabPlayerPlugins.push((api) => {
    api.addView({
      id: "probe", label: "Probe",
      available: (spec) => spec.runs.length === 1,
      mount(div) { window.__view.mounted++; window.__view.div = div; },
      draw(spec, step) { window.__view.draws.push([spec.runs[0].name, step]); return Promise.resolve(); },
      step(spec, step) { window.__view.steps.push(step); },
    });
    ok();
  });
})"""


def test_a_plugin_view_gets_a_button_a_div_sized_like_the_map_and_its_calls(page, app_url):
    """api.addView: a view registered by a plugin gets its button beside Map and 3D, an empty div of
    its own placed and sized like the map, draw() when shown and when the lr slider's drag puts
    another run in spec.runs[0], step() on each step change; the map is hidden meanwhile."""
    player = open_app(page, app_url + "/?surface=quadratic&lr=0.3&steps=40")
    player.locator("body").evaluate(VIEW_PLUGIN)
    button = player.locator(".views button[data-view='probe']")
    assert button.inner_text() == "Probe" and button.is_visible()
    assert player.locator("body").evaluate("() => window.__view.mounted") == 1
    size = player.locator("#map").bounding_box()
    button.click()
    assert player.locator("#mapbox").is_hidden()
    div = player.locator("div.view[data-view='probe']")
    box = div.bounding_box()
    assert abs(box["x"] - size["x"]) < 1 and abs(box["width"] - size["width"]) < 1
    assert abs(box["height"] - size["height"]) < 2
    assert player.locator("body").evaluate("() => window.__view.draws") == [["lr = 0.3", 40]]
    player.locator("#scrub").fill("7")
    assert player.locator("body").evaluate("() => window.__view.steps").count(7) == 1
    player.locator("#fanlr").evaluate(
        "e => { e.value = String(Number(e.value) + 40); e.dispatchEvent(new Event('input', {bubbles: 1})); }"
    )
    draws = player.locator("body").evaluate("() => window.__view.draws")
    assert len(draws) == 2 and draws[1][0] == player.locator("#fanval").inner_text() and draws[1][1] == 7
    player.locator(".views button[data-view='map']").click()
    assert player.locator("#mapbox").is_visible() and div.is_hidden()
    assert page.console_errors == []


COUNT_RUNS = """() => { window.__runs = 0; new MutationObserver(() => {
     if (document.querySelector("[data-test-script-state='running']")) window.__runs++;
   }).observe(document.body,
              {subtree: true, attributes: true, attributeFilter: ["data-test-script-state"]}); }"""


def test_multiples_drag_together_the_2x_run_crosses_2_over_lambda_and_the_release_resends_no_fan(
    page, app_url
):
    """lr × 0.5, 1, 2, 4 on the bowl (λ = 4, 2/λ = 0.5) with SGD: dragging the player's lr slider past
    1/λ = 0.25 takes the 2× run past 2/λ: its verdict turns diverged while the 1× run's stays
    oscillating, each run keeping its ratio, with no rerun while the mouse moves; the page's badges
    give way meanwhile. The release sets the sidebar's lr and the URL; its websocket carries no fan:
    the fan's element comes as a reference to the message the browser cached on the first load."""
    ws = ws_messages(page)
    player = open_app(page, app_url + "/?surface=quadratic&lr=0.1&steps=60&compare=multiples&mult=0.5,1,2,4")
    page.wait_for_timeout(500)
    cold = list(ws)
    fan_bytes = [n for kind, n in cold if kind == "el:component_instance:lr_fan"]
    assert len(fan_bytes) == 1, cold
    runs = player.locator("#readout .run")
    assert runs.count() == 4 and player.locator("#fanval").inner_text() == "lr = 0.1"
    assert [runs.nth(k).get_attribute("data-regime") for k in range(4)] == [
        "too_slow",
        "converged",
        "converged",
        "oscillating",
    ]
    assert player.locator("#fankeys").is_visible()  # one stripe per run on the track, its colour beside
    page.evaluate(COUNT_RUNS)
    slider = player.get_by_role("slider", name="Learning rate")
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    knob = player.locator("#fanlr").evaluate("e => e.value / e.max")
    page.mouse.move(box["x"] + 10 + (box["width"] - 20) * knob, y)
    page.mouse.down()
    lo, hi = np.log(1e-4), np.log(10)
    seen = []
    for lr in np.geomspace(0.12, 0.4, 14):  # from below 1/λ to past it: 2× from 0.24 to 0.8
        page.mouse.move(box["x"] + 10 + (box["width"] - 20) * (np.log(lr) - lo) / (hi - lo), y)
        shown = float(player.locator("#fanval").inner_text().removeprefix("lr = "))
        names = [runs.nth(k).inner_text() for k in range(4)]
        for k, m in enumerate((0.5, 1, 2, 4)):  # each run keeps its ratio to the slider's lr
            assert names[k].startswith(f"{m:g}× · lr = {float(f'{m * shown:.4g}'):g}"), (names[k], shown)
        seen.append((shown, [runs.nth(k).get_attribute("data-regime") for k in range(4)]))
    crossed = [regimes for shown, regimes in seen if 0.26 < shown < 0.49]
    assert crossed and all(r[2] == "diverged" and r[1] == "oscillating" for r in crossed), seen
    assert all(r[2] != "diverged" for shown, r in seen if shown < 0.24), seen
    assert not page.locator("[data-testid='lr-badges']").is_visible()
    assert page.locator("[data-testid='lr-stale']").is_visible()
    assert page.evaluate("window.__runs") == 0  # no round trip while dragging
    lr = player.locator("#fanval").inner_text().removeprefix("lr = ")
    shot = runs.nth(2).inner_text()
    assert "diverged at step" in shot and "above 2/λ" in shot
    n0 = len(ws)
    page.mouse.up()
    page.wait_for_function(f"() => location.search.includes('lr={lr}')", timeout=30_000)
    wait_idle(page)
    player.locator("body[data-fan-ready]").wait_for(state="attached", timeout=10_000)
    assert float(page.get_by_label("exact lr").input_value()) == pytest.approx(float(lr), rel=1e-3)
    page.locator("[data-testid='lr-badges']").wait_for(state="visible", timeout=10_000)
    assert page.locator(".lr-badge").nth(2).get_attribute("data-regime") == "diverged"
    assert page.locator(".lr-badge").nth(1).get_attribute("data-regime") == "oscillating"
    release = ws[n0:]
    assert not any(kind.endswith(":lr_fan") for kind, _ in release), release
    assert any(kind == "ref" for kind, _ in release), release
    player_bytes = sum(n for kind, n in release if kind.endswith(":descent_player"))
    sent = sum(n for _, n in release)
    print(f"fan element {fan_bytes[0] / 1e3:.0f} KB on the first load; the release {sent / 1e3:.0f} KB")
    assert sent - player_bytes < 25_000  # besides the player's new spec only small page elements
    assert page.console_errors == []
