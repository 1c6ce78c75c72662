"""The NN lab and the Learn page in headless Chromium: the loss chart and the decision boundary draw, the
boundary keeps drawing while it animates, a range-test suggestion click trains with that lr, a Learn
button opens its preset, the console stays clean; screenshots go to tests/screenshots/ and assets/."""

from __future__ import annotations

import re
import time

import pytest

from tests.conftest import SHOTS, publish, wait_idle

pytestmark = pytest.mark.browser
CHART = "/component/lrlab.ui.chart.chart/"  # every chart of the NN lab is drawn in one of these frames


def shoot(page, name: str, *, asset: bool = True, height: int | None = None) -> None:
    """Screenshot from the top of the page (``height``: a taller window for this one picture)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    size = page.viewport_size
    if height:
        page.set_viewport_size({"width": size["width"], "height": height})
    page.evaluate("document.querySelector('h1').scrollIntoView()")  # the main area scrolls, not the window
    page.mouse.move(1, 1)  # no hover labels in the picture
    page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    if height:
        page.set_viewport_size(size)
    if asset:
        publish(path)


def open_page(page, app_url: str, link: str, title: str) -> None:
    """Load the app at its root and follow a sidebar link (a page URL loaded directly makes Streamlit's
    frontend probe /<page>/_stcore/health first, a 404 in the console that is not ours)."""
    page.goto(app_url + "/", wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=60_000)
    wait_idle(page)
    page.get_by_role("link", name=link).click()
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=60_000)
    wait_idle(page)


@pytest.fixture(scope="module")
def lab(browser, app_url):
    """One desktop page for the module (loading the app costs seconds): it starts on the NN lab; each
    test moves on from wherever the previous one left it, through the app's own controls."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    open_page(pg, app_url, "Neural-net lab", "neural-network lab")
    yield pg
    ctx.close()


def follow(page, link: str, title: str) -> None:
    page.get_by_role("link", name=link).click()
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=60_000)
    wait_idle(page)


def chart(page, text: str, timeout: float = 60.0):
    """The frame of the chart (lrlab.ui.chart: one figure per frame) whose plot shows ``text``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for f in page.frames:
            if CHART in f.url and not f.is_detached():
                try:
                    if f.locator(".js-plotly-plot").filter(has_text=text).count():
                        return f
                except Exception:  # noqa: BLE001 - detached by a rerun meanwhile
                    continue
        page.wait_for_timeout(100)
    raise AssertionError(f"no chart shows {text!r}")


def heatmaps(frame) -> list[str]:
    """The image data of each drawn decision-boundary heatmap."""
    images = frame.locator(".heatmaplayer image")
    return [images.nth(i).get_attribute("href") or "" for i in range(images.count())]


def slider_label(frame) -> str:
    return frame.locator(".slider-group > text.slider-label").first.text_content() or ""  # "step 120"


def test_loss_chart_and_boundary_draw_and_keep_drawing_while_animating(lab):
    page = lab
    assert [h.inner_text() for h in page.locator(".lr-badge .head").all()] == [
        "lr = 0.1",
        "lr = 1",
        "lr = 30",
    ]
    loss = chart(page, "training loss").locator(".js-plotly-plot")
    lines = loss.locator(".scatterlayer .trace path.js-line")
    assert lines.count() >= 6  # 3 lrs x (training, validation)
    assert all(len(lines.nth(i).get_attribute("d") or "") > 100 for i in range(6))
    boundary = chart(page, "loss went up")  # the boundary's panel titles name each run's verdict
    boundary.locator(".heatmaplayer image").nth(2).wait_for(state="attached")
    drawn = heatmaps(boundary)
    assert len(drawn) == 3 and all(h.startswith("data:image/png") for h in drawn)
    assert slider_label(boundary).strip() == "step 300"

    boundary.locator(".updatemenu-button").filter(has_text="Play").click()
    page.wait_for_timeout(700)
    playing = heatmaps(boundary)
    assert len(playing) == 3  # the boundary is still drawn while it animates ...
    # ... and it changes (lr = 30 may sit on one saturated colour at many steps; the others learn)
    assert playing[0] != drawn[0] and playing[1] != drawn[1]
    assert slider_label(boundary).strip() != "step 300"
    boundary.wait_for_function(
        "() => document.querySelector('.slider-group > text.slider-label').textContent.trim() === 'step 300'",
        timeout=20_000,
    )
    assert heatmaps(boundary) == drawn  # back at the last step: the same pictures as before Play
    shoot(page, "nn_lab", height=1500)
    assert page.console_errors == []


def test_the_mode_bar_is_st_plotly_charts_and_fullscreen_fills_the_screen(lab):
    page = lab
    frame = chart(page, "training loss")
    frame.locator(".js-plotly-plot").hover()
    titles = frame.locator(".modebar-btn").evaluate_all("bs => bs.map((b) => b.getAttribute('data-title'))")
    assert titles == [
        "Download plot as a PNG",
        "Zoom",
        "Pan",
        "Zoom in",
        "Zoom out",
        "Autoscale",
        "Reset axes",
        "Fullscreen",
    ]
    assert frame.locator(".modebar .plotlyjsicon").count() == 0  # no Plotly logo
    svg = "Number(document.querySelector('.main-svg').getAttribute('height'))"
    assert frame.evaluate(svg) == 380  # loss_curves' own height
    frame.locator(".modebar-btn[data-title='Fullscreen']").click()
    frame.wait_for_function(f"() => !!document.fullscreenElement && {svg} > 380")
    assert frame.evaluate(svg) == frame.evaluate("window.innerHeight")
    frame.locator(".modebar-btn[data-title='Fullscreen']").click()
    frame.wait_for_function(f"() => !document.fullscreenElement && {svg} === 380")
    assert page.console_errors == []


def test_a_range_test_suggestion_click_trains_with_that_lr(lab):
    page = lab
    follow(page, "Neural-net lab", "neural-network lab")
    page.locator("[data-testid='stSelectbox']").filter(has_text="Classroom presets").click()
    page.get_by_role("option", name=re.compile("^LR finder")).click()
    wait_idle(page)
    plot = chart(page, "loss while the lr grows").locator(".js-plotly-plot")
    assert "nn_tool=range" in page.url
    for name in ("steepest slope", "minimum / 10", "valley"):
        assert plot.locator(".annotation-text").filter(has_text=name).count() == 1
    button = page.get_by_role("button", name=re.compile("^valley: lr = "))
    label = button.inner_text()
    assert label.endswith("· too slow")  # the check of the suggestion, said on the button
    lr = re.search(r"lr = ([0-9.e+-]+)", label).group(1)
    button.click()
    wait_idle(page)
    page.wait_for_selector(f".lr-badge .head:text-is('lr = {lr}')", timeout=30_000)
    assert page.locator(".lr-badge").count() == 1
    assert f"nn_lrs={lr}&" in page.url + "&"
    assert page.locator("[data-testid='stAlertContentSuccess']").filter(has_text="valley").count() == 1
    assert page.console_errors == []


def test_learn_page_typesets_and_a_button_opens_its_preset(lab):
    page = lab
    follow(page, "Learn", "Learn")
    assert page.locator(".katex").count() >= 10  # the formulas are typeset
    shoot(page, "learn")
    page.get_by_role("button", name=re.compile("^Edge of stability")).click()
    page.wait_for_selector("h1:has-text('neural-network lab')", timeout=60_000)
    wait_idle(page)
    chart(page, "its edge 2/lr")
    assert "nn_tool=sharpness" in page.url and "nn_lrs=0.075%2C0.3" in page.url
    assert page.locator("[data-testid='stAlert']").filter(has_text="Edge of stability").count() == 1
    assert page.console_errors == []


def test_projector_screenshots(browser, app_url):
    # 1920x1080 pixels at 150% zoom (large type), as the explorer's projector screenshot
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=1.5)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    open_page(page, app_url, "Neural-net lab", "neural-network lab")
    boundary = chart(page, "loss went up")
    boundary.locator(".heatmaplayer image").nth(2).wait_for(state="attached")
    assert len(heatmaps(boundary)) == 3
    shoot(page, "nn_lab-projector", asset=False)
    follow(page, "Learn", "Learn")
    shoot(page, "learn-projector", asset=False)
    ctx.close()
    assert errors == []
