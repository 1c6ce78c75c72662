"""Page weights in headless Chromium: what each page costs the network on a cold load, above
Streamlit's own floor (a hello-world script served beside the app), and which plotly.js it asks for.

Bytes as the browser received them (``encodedDataLength`` from the DevTools protocol, HTTP cache
disabled, a fresh context per page: ``tests/pageweight.py``). They depend on the app, the bundles and
Streamlit's release, not on the machine's speed, so they can be asserted; times live in
``benchmarks/bench_pages.py``. The websocket's payload is counted apart (printed, and bounded): it is
the page's data, not its code, and grows with the figures.
"""

from __future__ import annotations

import pytest

from lrlab.ui import plotlyjs
from tests.conftest import served, wait_idle
from tests.pageweight import HELLO_APP, ROOT, Wire

pytestmark = pytest.mark.browser

MB = 1e6
BUDGET_MB = 0.8  # HTTP bytes of a page above the hello-world floor
# Measured (bench_pages.py), each page's HTTP above the floor: the page's plotly.js (LR Lab's partial
# bundle, 0.38 MB gzip; none on Learn) plus Streamlit's own code for the page's elements (served
# uncompressed: select boxes, number inputs, the radio, the toggle, HTML; the sidebar's lr is a select
# box of the 1-2-5 grid, whose code is already loaded, since st.select_slider's moment.js and numbro
# weighed 0.126 MB) and the components' own files (the player's overlay.js, U curve, view registry
# and Slice view; the lr fan's carrier, ~2 KB). Within the budget; each ceiling is the measured value
# (+5 KB for headers), so that any growth fails and is looked at.
CEILING_MB = {"explorer": 0.68, "explorer + schedule preview": 0.685, "NN lab": 0.62, "Learn": 0.525}
# the explorer's websocket carries the player's spec (~0.07 MB at the defaults, the contour's grid
# most of it) and the lr fan's own element (every run of the player's lr slider, deflated: ~0.11 MB
# of the ~0.2 MB; it was 0.34 MB of JSON inside the spec, bench_fan.py); with a schedule, each fan
# run's lr per step too. The ceiling is what it measures (+5%), so that growth fails
WS_MB = {"explorer": 0.21, "explorer + schedule preview": 0.25, "NN lab": 0.5, "Learn": 0.05}
PAGES = {
    "explorer": "/",
    "explorer + schedule preview": "/?sched=cosine",
    "NN lab": "/nn",
    "Learn": "/learn",
}
DRAWN = {  # a selector inside some frame of the page once its pictures are drawn
    "explorer": "#map .contourlayer path",
    "explorer + schedule preview": "#map .contourlayer path",
    "NN lab": ".heatmaplayer image",
    "Learn": ".katex",
}
CARTESIAN = f"/component/{plotlyjs.NAME}/{plotlyjs.CARTESIAN}"
FULL = f"/component/{plotlyjs.NAME}/{plotlyjs.FULL}"


@pytest.fixture(scope="module")
def hello_url():
    yield from served(str(HELLO_APP.relative_to(ROOT)))


def drawn(page, selector: str, timeout: float = 60_000) -> None:
    """Wait until ``selector`` is in the page or in one of its frames."""
    page.wait_for_function(
        """(sel) => [document, ...[...document.querySelectorAll('iframe')].map((f) => f.contentDocument)]
                     .some((d) => d && d.querySelector(sel))""",
        arg=selector,
        timeout=timeout,
    )


def cold(browser, url: str, selector: str):
    """A fresh context on ``url``, drawn and settled: (context, page, wire)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    wire = Wire(page)
    page.goto(url)
    wait_idle(page, timeout=90_000)
    drawn(page, selector)
    wire.settle(page)
    return ctx, page, wire


@pytest.fixture(scope="module")
def floor(browser, hello_url) -> int:
    ctx, _, wire = cold(browser, hello_url + "/", "[data-testid='stMarkdown']")
    ctx.close()
    assert 2 * MB < wire.http_bytes < 4 * MB  # Streamlit's own page: its bundles, fonts, the HTML
    return wire.http_bytes


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_weighs_at_most_its_budget_above_the_floor(browser, app_url, floor, name):
    ctx, page, wire = cold(browser, app_url + PAGES[name], DRAWN[name])
    above = (wire.http_bytes - floor) / MB
    print(f"{name}: {above:.3f} MB above the floor (HTTP), websocket {wire.ws_bytes / MB:.3f} MB")
    assert above <= CEILING_MB[name] <= BUDGET_MB, name
    assert wire.ws_bytes / MB <= WS_MB[name], name
    plotly = wire.plotly_requests()
    if name == "Learn":
        assert plotly == []  # no chart: no plotly.js
    else:
        # one plotly.js however many charts (the loader shares it), the cartesian one, not Streamlit's
        assert len(plotly) == 1 and plotly[0].endswith(CARTESIAN), plotly
    assert all(r.status in (200, 204, 404) for r in wire.requests)  # 404: Streamlit probing /nn, /learn
    assert page.console_errors == []
    ctx.close()


def test_the_full_bundle_is_fetched_only_when_3d_opens_and_then_draws_the_surface(browser, app_url):
    ctx, page, wire = cold(browser, app_url + "/", DRAWN["explorer"])
    assert not any(u.endswith(FULL) for u in wire.plotly_requests())
    player = next(f for f in page.frames if "descent_player" in f.url)
    # scrubbing and playing on the map fetch nothing more
    player.locator("#scrub").fill("3")
    wire.settle(page)
    assert len(wire.plotly_requests()) == 1
    player.locator("button[data-view='3d']").click()
    player.locator("#surf3d .gl-container canvas").first.wait_for(timeout=60_000)
    player.wait_for_function(
        "() => { const d = document.getElementById('surf3d'); return !!(d.data && "
        "d.data.some((t) => t.type === 'surface') && d.querySelector('.gl-container canvas')); }",
        timeout=30_000,
    )
    wire.settle(page)
    plotly = wire.plotly_requests()
    assert len(plotly) == 2 and plotly[0].endswith(CARTESIAN) and plotly[1].endswith(FULL), plotly
    # the page's plotly.js is still the cartesian one (LR Lab's build: exactly the 2D traces the app
    # draws, as registered in plotly.js itself), the 3D view has its own
    traces = player.evaluate("Object.keys(window.Plotly.PlotSchema.get().traces)")
    assert sorted(traces) == ["contour", "heatmap", "scatter"], traces
    player.locator("button[data-view='map']").click()
    player.locator("#scrub").fill("5")
    assert player.locator("#steplabel").inner_text().startswith("step 5 /")
    assert player.locator("#map .contourlayer path").count() > 0
    # back to 3D: the bundle is not fetched again
    player.locator("button[data-view='3d']").click()
    player.locator("#surf3d .gl-container canvas").first.wait_for(timeout=30_000)
    wire.settle(page)
    assert len(wire.plotly_requests()) == 2
    assert page.console_errors == []
    ctx.close()


def test_a_page_switch_in_the_same_tab_fetches_no_plotly_js_again(browser, app_url):
    """The loader keeps the bundle in the page: the NN lab opened from the explorer's sidebar (a new
    chart frame, the player's frame gone) runs it without a request."""
    ctx, page, wire = cold(browser, app_url + "/?sched=cosine", DRAWN["explorer"])
    assert len(wire.plotly_requests()) == 1
    page.get_by_role("link", name="Neural-net lab").click()
    page.wait_for_selector("h1:has-text('neural-network lab')", timeout=60_000)
    wait_idle(page)
    drawn(page, DRAWN["NN lab"])
    wire.settle(page)
    assert len(wire.plotly_requests()) == 1
    assert page.console_errors == []
    ctx.close()
