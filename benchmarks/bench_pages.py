"""What each page costs a student's browser, cold: bytes on the wire, the map's first drawing, and the
NN lab's redraw (headless Chromium + Playwright, the DevTools protocol).

1. **Page weight.** The app and a hello-world Streamlit script (``tests/data/hello_app.py``: the
   floor, what any Streamlit page costs) are served side by side; each page is opened in a fresh
   browser context (empty cache) with the HTTP cache disabled, and counted once the script is idle
   and no request has been in flight for 1.5 s (``tests/pageweight.py``): HTTP bytes as received
   (``encodedDataLength``: headers + body as sent, gzip where the server compressed: the
   "transferred" size of DevTools) and, apart, the websocket's payload (the page's data: widgets,
   figures). Pages: the explorer's default view, the explorer with a schedule preview
   (``?sched=cosine``), the NN lab, Learn; then the 3D view opened in the explorer (what it adds).
   Each page's HTTP bytes above the floor are set against the budget (0.8 MB), with the plotly.js
   bundles it requested.
2. **Map drawn.** 5 cold loads of the explorer: from the navigation's start (the page's
   ``performance.timeOrigin``) to the descent player's contour in the DOM, painted (seen in one
   animation frame, timed in the next), in the browser's clock; next to it the same for the hello
   world's text (Streamlit's own start-up on this machine).
3. **NN lab redraw.** 10 changes of the "learning rates" box (new lrs each time: the server trains
   them, as a student typing would make it), from the Enter ``keydown`` to the loss chart repainted
   with a legend naming the new lrs (a ``MutationObserver`` in every frame, two animation frames).

``--app PATH`` measures another copy of the app (e.g. the previous release's ``app.py``).
Run: ``python benchmarks/bench_pages.py`` (needs Playwright and a Chromium).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_browser import FLAGS, find_chromium  # noqa: E402
from stclient import Server, percentile  # noqa: E402

from tests.pageweight import HELLO_APP, Wire  # noqa: E402

BUDGET_MB = 0.8  # each page, above the hello-world floor
BUDGET_MAP_S = 2.5
BUDGET_NN_MS = 1000
MB = 1e6
PAGES = {  # name -> path (from the app's root)
    "explorer": "/",
    "explorer + schedule preview": "/?sched=cosine",
    "NN lab": "/nn",
    "Learn": "/learn",
}
LRS = ["0.2, 2, 20", "0.05, 0.5, 5", "0.3, 3, 25", "0.15, 1.5, 15", "0.07, 0.7, 7"]
LRS += ["0.25, 2.5, 12", "0.04, 0.4, 4", "0.35, 3.5, 35", "0.12, 1.2, 9", "0.08, 0.8, 8"]

# in the page, before its scripts: a watcher that looks once per animation frame into the page and
# every same-origin frame (components) for the descent player's contour and for the NN lab's loss
# chart (the plot with the annotation "training loss") and its legend. What it sees in one frame is
# painted in that frame, so the time is taken in the next one. (Not a script in each frame: a
# frame's first document is replaced on navigation, and an observer set up in it sees nothing.)
INIT_JS = """(() => {
  if (window !== window.top) return;
  const now = () => performance.timeOrigin + performance.now();
  const rec = window.__lrlabPages = {mapDrawn: null, lossPaints: [], keys: []};
  window.addEventListener('keydown', (e) => { if (e.key === 'Enter') rec.keys.push(now()); }, true);
  const docs = () => {
    const out = [document];
    for (const f of document.querySelectorAll('iframe')) {
      try { if (f.contentDocument) out.push(f.contentDocument); } catch (e) { /* another origin */ }
    }
    return out;
  };
  let legend = null;
  const look = () => {
    let map = false, loss = null;
    const hello = rec.textDrawn === undefined && !!document.querySelector('[data-testid="stMarkdown"]');
    for (const d of docs()) {
      if (!map && d.querySelector('#map .contourlayer path')) map = true;
      for (const plot of d.querySelectorAll('.js-plotly-plot')) {
        const notes = [...plot.querySelectorAll('.annotation-text')].map((t) => t.textContent);
        if (!notes.includes('training loss')) continue;
        loss = [...plot.querySelectorAll('.legendtext')].map((t) => t.textContent).join('|');
      }
    }
    const seen = {map: map && rec.mapDrawn === null, loss: loss !== null && loss !== legend ? loss : null};
    if (seen.loss !== null) legend = seen.loss;
    requestAnimationFrame(() => {  // the next frame: what was seen has been painted
      const t = now();
      if (hello) rec.textDrawn = t;
      if (seen.map) rec.mapDrawn = t;
      if (seen.loss !== null) rec.lossPaints.push([t, seen.loss]);
      look();
    });
  };
  requestAnimationFrame(look);
})();"""


def _idle(pg, timeout: float = 90_000) -> None:
    pg.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=timeout)
    pg.wait_for_timeout(300)
    pg.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=timeout)


def _in_frames(pg, js: str):
    """``js`` evaluated in every frame of the page (frames that are gone are skipped)."""
    out = []
    for f in pg.frames:
        try:
            out.append(f.evaluate(js))
        except Exception:  # noqa: BLE001 - a frame detached by a rerun
            continue
    return out


def _wait_for(pg, js: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(_in_frames(pg, js)):
            return
        pg.wait_for_timeout(100)
    raise TimeoutError(f"not seen within {timeout:.0f} s: {js}")


DRAWN = {  # name -> a JS expression true in some frame once the page's pictures are drawn
    "hello": "!!document.querySelector('[data-testid=stMarkdown]')",
    "explorer": "!!(window.__lrlabPages && window.__lrlabPages.mapDrawn)",
    "explorer + schedule preview": "!!(window.__lrlabPages && window.__lrlabPages.mapDrawn)",
    "NN lab": "document.querySelectorAll('.heatmaplayer image').length >= 3",
    "Learn": "document.querySelectorAll('.katex').length >= 10",
}


def open_cold(browser, url: str, drawn: str, viewport=(1400, 1000)):
    """A fresh context (empty cache) on ``url``, settled; returns (context, page, wire)."""
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    ctx.add_init_script(INIT_JS)
    pg = ctx.new_page()
    wire = Wire(pg)
    pg.goto(url)
    _idle(pg)
    _wait_for(pg, drawn)
    wire.settle(pg)
    return ctx, pg, wire


def _name(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?")[0]


def weights(browser, app_url: str, hello_url: str) -> dict:
    """{page: {"http", "ws", "total", "plotly"}}, the floor under "hello", 3D under "explorer 3D"."""
    out = {}
    for name, url in [("hello", hello_url + "/"), *[(n, app_url + p) for n, p in PAGES.items()]]:
        ctx, pg, wire = open_cold(browser, url, DRAWN[name])
        out[name] = {
            "http": wire.http_bytes,
            "ws": wire.ws_bytes,
            "total": wire.total_bytes,
            "plotly": [_name(u) for u in wire.plotly_requests()],
        }
        if name == "explorer":  # then open the 3D view: what it adds
            before = wire.total_bytes, len(wire.plotly_requests())
            player = next(f for f in pg.frames if "descent_player" in f.url)
            player.get_by_role("button", name="3D").click()
            player.locator("#surf3d .gl-container canvas").first.wait_for(timeout=60_000)
            wire.settle(pg)
            out["explorer, 3D opened"] = {
                "http": 0,
                "ws": 0,
                "total": wire.total_bytes - before[0],
                "plotly": [_name(u) for u in wire.plotly_requests()[before[1] :]],
            }
        ctx.close()
    return out


def first_drawn(browser, url: str, what: str, n: int = 5) -> list[float]:
    """Seconds from the navigation's start to ``what`` ("mapDrawn": the explorer's contour,
    "textDrawn": the hello world's text) painted, over ``n`` cold loads."""
    drawn = DRAWN["explorer"] if what == "mapDrawn" else DRAWN["hello"]
    times = []
    for _ in range(n):
        ctx, pg, _wire = open_cold(browser, url, drawn)
        pg.wait_for_function(f"() => !!window.__lrlabPages.{what}")
        start, t = pg.evaluate(f"[performance.timeOrigin, window.__lrlabPages.{what}]")
        times.append((t - start) / 1000)
        ctx.close()
    return times


def nn_redraws(browser, app_url: str) -> list[float]:
    """Milliseconds from Enter in the lrs box to the loss chart repainted naming the new lrs."""
    ctx, pg, _wire = open_cold(browser, app_url + "/nn", DRAWN["NN lab"])
    box = pg.get_by_role("textbox", name="learning rates, side by side")
    out = []
    for text in LRS:
        labels = [f"lr = {float(v):.4g}" for v in text.split(",")]
        box.fill(text)
        box.press("Enter")
        key = pg.evaluate("window.__lrlabPages.keys[window.__lrlabPages.keys.length - 1]")
        deadline = time.monotonic() + 60
        done = None
        while done is None and time.monotonic() < deadline:
            pg.wait_for_timeout(50)
            paints = pg.evaluate("window.__lrlabPages.lossPaints")
            hits = [t for t, legend in paints if t > key and all(lab in legend.split("|") for lab in labels)]
            done = min(hits) if hits else None
        if done is None:
            raise TimeoutError(f"the loss chart never named {labels}")
        out.append(done - key)
        _idle(pg)
    ctx.close()
    return out


def measure(app: str | None = None, loads: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    exe = find_chromium()
    if exe is None:
        raise RuntimeError("no Chromium found (apt-get install chromium, or set LRLAB_CHROMIUM)")
    with Server(app=app) as srv, Server(app=HELLO_APP) as hello, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            return {
                "weights": weights(browser, srv.url, hello.url),
                "map": first_drawn(browser, srv.url + "/", "mapDrawn", loads),
                "hello": first_drawn(browser, hello.url + "/", "textDrawn", loads),
                "nn": nn_redraws(browser, srv.url),
            }
        finally:
            browser.close()


def rows(app: str | None = None) -> list[tuple[str, str]]:
    m = measure(app)
    w = m["weights"]
    hello = w["hello"]
    floor = hello["http"]
    th = m["hello"]
    out = [
        (
            "pages: hello-world floor, cold",
            f"HTTP {floor / MB:.2f} MB, websocket {hello['ws'] / MB:.3f} MB; "
            f"text drawn {statistics.median(th):.2f} s after navigation (median of {len(th)})",
        )
    ]
    for name in PAGES:
        p = w[name]
        above = (p["http"] - floor) / MB
        bundles = ", ".join(p["plotly"]) or "none"
        out.append(
            (
                f"pages: {name} above the floor",
                f"{above:.2f} MB HTTP ({above / BUDGET_MB:.0%} of {BUDGET_MB} MB); websocket "
                f"{p['ws'] / MB:.3f} MB; page {p['http'] / MB:.2f} MB; plotly.js: {bundles}",
            )
        )
    d3 = w["explorer, 3D opened"]
    out.append(
        (
            "pages: explorer, then 3D opened: bytes added",
            f"{d3['total'] / MB:.2f} MB; plotly.js: {', '.join(d3['plotly']) or 'none'}",
        )
    )
    t = m["map"]
    out.append(
        (
            f"pages: explorer map drawn after navigation (cold, {len(t)} loads)",
            f"median {statistics.median(t):.2f} s ({min(t):.2f}-{max(t):.2f}; "
            f"{statistics.median(t) / BUDGET_MAP_S:.0%} of {BUDGET_MAP_S} s; "
            f"{statistics.median(t) / statistics.median(th):.1f}x the hello world's text)",
        )
    )
    r = m["nn"]
    out.append(
        (
            f"pages: NN lab lrs change -> loss chart repainted ({len(r)} changes)",
            f"p50 {statistics.median(r):.0f} ms, p90 {percentile(r, 90):.0f} ms, max {max(r):.0f} ms "
            f"({statistics.median(r) / BUDGET_NN_MS:.0%} of {BUDGET_NN_MS} ms)",
        )
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--app", help="serve this script instead of app.py (e.g. another copy of the app)")
    args = ap.parse_args()
    for k, v in rows(args.app):
        print(f"{k:<62}  {v}")


if __name__ == "__main__":
    main()
