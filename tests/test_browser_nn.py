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
    frontend probe /<page>/_stcore/health first, a 404 in the console that is not ours). On a phone
    the sidebar is open for the click, and closed again."""
    page.goto(app_url + "/", wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=60_000)
    wait_idle(page)
    phone = page.get_by_test_id("stExpandSidebarButton").is_visible()  # the sidebar is closed
    if phone:
        page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_role("link", name=link).click()
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=60_000)
    wait_idle(page)
    if phone and page.get_by_test_id("stSidebarCollapseButton").count():
        page.get_by_test_id("stSidebarCollapseButton").locator("button").first.click(force=True)
        page.wait_for_timeout(500)


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


# Read in a chart's frame: the form drawn (chart.js: "wide" or "narrow"), each panel's plot area, and
# every piece of the picture that must stay legible: each visible text (titles, tick labels, legend,
# notes, the buttons' labels, the current step, the slider's labels), each button, the slider's rail
# and grip. Returns the pairs of pieces that overlap, the texts cut by the figure's edge, and the
# tick labels drawn over another panel's plot area.
READABLE = """() => {
  const gd = document.getElementById("chart");
  const box = (e) => {
    const b = e.getBoundingClientRect();
    return {x0: b.left, y0: b.top, x1: b.right, y1: b.bottom};
  };
  const shown = (t) => {
    const s = getComputedStyle(t);
    if (s.display === "none" || s.visibility === "hidden") return false;
    if (+s.opacity === 0 || +s.fillOpacity === 0) return false;  // (the narrow slider's labels)
    const b = t.getBoundingClientRect();
    return b.width > 0 && b.height > 0 && t.textContent.trim() !== "";
  };
  const KINDS = [[".xtick,.ytick", "tick"], [".annotation", "note"], [".legend", "legend"],
                 [".updatemenu-container", "button"], [".slider-container", "slider"],
                 [".textpoint", "point"]];
  const kind = (t) => (KINDS.find(([sel]) => t.closest(sel)) || [null, "title"])[1];
  const subplot = (t) => (t.closest(".subplot") ? t.closest(".subplot").classList[1] : null);
  const texts = [...gd.querySelectorAll("text")].filter((t) => !t.parentElement.closest("text"));
  const items = texts.filter(shown).map((t) => ({kind: kind(t), what: t.textContent, subplot: subplot(t),
                                                 ...box(t)}));
  for (const b of gd.querySelectorAll(".updatemenu-button")) {
    items.push({kind: "button-box", what: b.textContent, ...box(b)});
  }
  for (const r of gd.querySelectorAll(".slider-rail-rect,.slider-grip-rect")) {
    items.push({kind: "rail", what: "rail", ...box(r)});
  }
  const hit = (a, b) => a.x0 < b.x1 - 1 && b.x0 < a.x1 - 1 && a.y0 < b.y1 - 1 && b.y0 < a.y1 - 1;
  const own = (a, b) => a.kind === "button-box" && b.kind === "button" && a.what.includes(b.what);
  const allowed = (a, b) => (a.kind === "rail" && b.kind === "rail") || own(a, b) || own(b, a);
  const pairs = [];
  items.forEach((a, i) => items.slice(i + 1).forEach((b) => {
    if (hit(a, b) && !allowed(a, b)) pairs.push(`${a.kind} "${a.what}" / ${b.kind} "${b.what}"`);
  }));
  const svg = box(gd.querySelector(".main-svg"));
  const out = (t) => t.x0 < svg.x0 - 1 || t.x1 > svg.x1 + 1 || t.y0 < svg.y0 - 1 || t.y1 > svg.y1 + 1;
  const cut = items.filter(out).map((t) => `${t.kind} "${t.what}"`);
  const areas = {};
  for (const g of gd.querySelectorAll(".draglayer > g")) {
    areas[g.classList[0]] = box(g.querySelector(".nsewdrag"));
  }
  const over = (t) => Object.entries(areas).some(([id, a]) => id !== t.subplot && hit(t, a));
  const intruders = items.filter((t) => t.kind === "tick" && over(t)).map((t) => t.what);
  return {form: document.body.dataset.form, pairs, cut, intruders, n: items.length,
          areas: Object.values(areas).map((a) => [a.x1 - a.x0, a.y1 - a.y0]),
          titles: items.filter((t) => t.kind === "note").map((t) => t.what)};
}"""


def open_boundary(browser, app_url: str, width: int, height: int, scale: float = 1):
    """A fresh context at ``width`` x ``height`` (``scale``: device pixels per CSS pixel) on the NN lab
    with its decision boundary's three heatmaps drawn: (context, page, boundary frame, console errors)."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    open_page(page, app_url, "Neural-net lab", "neural-network lab")
    boundary = chart(page, "loss went up")
    boundary.locator(".heatmaplayer image").nth(2).wait_for(state="attached")
    return ctx, page, boundary, errors


def readable(frame, form: str | None = None) -> dict:
    """The chart in ``frame`` as :data:`READABLE` reads it, asserted legible: nothing overlaps, no text
    is cut, no tick label stands over another panel; ``form``: the form it must be drawn in."""
    got = frame.evaluate(READABLE)
    assert got["n"] > 5, got  # it read a drawn chart
    assert got["pairs"] == [] and got["cut"] == [] and got["intruders"] == [], got
    if form:
        assert got["form"] == form, got
    return got


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
    ctx, page, boundary, errors = open_boundary(browser, app_url, 1280, 720, 1.5)
    assert len(heatmaps(boundary)) == 3
    got = readable(boundary, "wide")  # a 1280 px projector: side by side, square
    assert len(got["areas"]) == 3 and all(abs(w - h) <= 2 for w, h in got["areas"]), got
    readable(chart(page, "training loss"), "wide")
    shoot(page, "nn_lab-projector", asset=False)
    for tool in TOOLS:  # every tool legible on the projector too
        pick_tool(page, tool)
        chart(page, TOOL_TEXT[tool])
        for frame in every_chart(page):
            readable(frame, "wide")
    page.set_viewport_size({"width": 1920, "height": 1080})  # a 1920 px projector at 100%: the same
    page.wait_for_timeout(800)
    for frame in every_chart(page):
        got = readable(frame, "wide")
        if frame.locator(".heatmaplayer image").count():  # the boundaries, before and after fine-tuning
            assert len(got["areas"]) == 3 and all(abs(w - h) <= 2 for w, h in got["areas"]), got
    follow(page, "Learn", "Learn")
    shoot(page, "learn-projector", asset=False)
    ctx.close()
    assert errors == []


def every_chart(page) -> list:
    """The frames of the page's charts (the main area's; the sidebar's schedule preview excepted)."""
    page.wait_for_timeout(300)
    frames = [f for f in page.frames if CHART in f.url and not f.is_detached()]
    for f in frames:
        f.locator("body[data-ready='1']").wait_for(state="attached", timeout=30_000)
    return frames


def pick_tool(page, label: str) -> None:
    page.locator("[data-testid='stButtonGroup'] button").filter(has_text=label).click()
    wait_idle(page, timeout=120_000)


TOOLS = ["LR range test", "LR sweep (grid search)", "Sharpness vs 2/lr", "Fine-tuning"]
TOOL_TEXT = {  # a text each tool's chart shows
    "LR range test": "loss while the lr grows",
    "LR sweep (grid search)": "too small",
    "Sharpness vs 2/lr": "its edge 2/lr",
    "Fine-tuning": "new task",
}


def test_on_a_phone_the_charts_stack_their_panels_and_nothing_overlaps(browser, app_url):
    ctx, page, boundary, errors = open_boundary(browser, app_url, 390, 844, 2)
    got = readable(boundary, "narrow")
    # three square panels, one under the other, each as wide as the frame allows
    assert len(got["areas"]) == 3 and all(abs(w - h) <= 2 and w > 250 for w, h in got["areas"]), got
    assert sorted(got["titles"]) == [
        "0",
        "300",
        "lr = 0.1 · too slow",
        "lr = 1 · trained",
        "lr = 30 · loss went up",
    ]
    # the slider writes its first and last step only, the current one beside the buttons
    assert boundary.locator(".slider-label").first.text_content().strip() == "step 300"
    loss = chart(page, "training loss")
    got = readable(loss, "narrow")
    assert len(got["areas"]) == 2 and got["areas"][0] == got["areas"][1]
    for tool in TOOLS:  # and every tool's charts
        pick_tool(page, tool)
        chart(page, TOOL_TEXT[tool])
        for frame in every_chart(page):
            readable(frame, "narrow")
    shoot(page, "nn_lab-phone", asset=False)
    ctx.close()
    assert errors == []


def test_a_resize_across_the_threshold_redraws_once_and_keeps_the_animation_where_it_stands(browser, app_url):
    ctx, page, boundary, _ = open_boundary(browser, app_url, 390, 844)
    assert boundary.evaluate("document.body.dataset.form") == "narrow"
    boundary.locator(".updatemenu-button").filter(has_text="Play").click()
    page.wait_for_timeout(600)
    boundary.locator(".updatemenu-button").filter(has_text="Pause").click()
    page.wait_for_timeout(300)
    z = "JSON.stringify(document.getElementById('chart').data.slice(0, 3).map((t) => t.z))"
    step, drawn, data = slider_label(boundary), heatmaps(boundary), boundary.evaluate(z)
    assert step.strip() != "step 300"  # stopped halfway
    boundary.evaluate(
        "window.__draws = 0; document.getElementById('chart').on('plotly_afterplot', () => window.__draws++)"
    )
    for width in range(420, 1300, 80):  # a window's edge dragged across the threshold, in small steps
        page.set_viewport_size({"width": width, "height": 844})
        page.wait_for_timeout(20)
    boundary.wait_for_function("document.body.dataset.form === 'wide'", timeout=10_000)
    page.wait_for_timeout(800)
    assert boundary.evaluate("window.__draws") <= 2  # drawn once the resize settled, not at every step
    assert slider_label(boundary) == step and boundary.evaluate(z) == data  # the same frame, now wide
    readable(boundary, "wide")
    page.set_viewport_size({"width": 390, "height": 844})
    boundary.wait_for_function("document.body.dataset.form === 'narrow'", timeout=10_000)
    page.wait_for_timeout(500)
    assert slider_label(boundary) == step and heatmaps(boundary) == drawn  # and back: the same pictures
    readable(boundary, "narrow")
    ctx.close()
