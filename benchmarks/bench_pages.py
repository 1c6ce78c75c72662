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
   bundles it requested; for the explorer, where those bytes go (plotly.js, Streamlit's own code
   for the page's elements, the components' own files).
2. **Map drawn.** 5 cold loads of the explorer (``--loads``): from the navigation's start (the page's
   ``performance.timeOrigin``) to the descent player's contour in the DOM, painted (seen in one
   animation frame, timed in the next), in the browser's clock; next to it the same for the hello
   world's text (Streamlit's own start-up on this machine), and the medians of the milestones on
   the way (the player's frame created, plotly.js received and run in it).
3. **NN lab redraw.** 10 changes of the "learning rates" box (new lrs each time: the server trains
   them, as a student typing would make it), from the Enter ``keydown`` to the loss chart repainted
   with a legend naming the new lrs (a ``MutationObserver`` in every frame, two animation frames).

``--app PATH`` measures another copy of the app (its ``app.py``). ``--before PATH`` measures an
earlier copy too, in the same run (e.g. ``git worktree add /tmp/before <commit>``, then
``--before /tmp/before/app.py``): both apps are served at once, their map loads alternate, and each
row says before -> now, so the comparison is made under the same load.
Run: ``python benchmarks/bench_pages.py`` (needs Playwright and a Chromium).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_browser import FLAGS, find_chromium  # noqa: E402
from stclient import Server, load_average, percentile  # noqa: E402

from tests.pageweight import HELLO_APP, PLOTLY_JS, Wire  # noqa: E402

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
  const rec = window.__lrlabPages = {mapDrawn: null, frameCreated: null, lossPaints: [], keys: []};
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
    const frame = document.querySelector('iframe[src*="descent_player"]');
    if (frame && rec.frameCreated === null) rec.frameCreated = now();
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


def _kind(url: str, floor: set[str]) -> str:
    """Where a request of an app's page belongs: plotly.js, Streamlit's own files (its code for the
    page's elements: files the hello world did not load), the components' own files, or the rest."""
    if PLOTLY_JS.search(url) and "/component/" in url:
        return "plotly.js"
    if "/static/" in url:
        return "streamlit" if _name(url) not in floor else "floor"
    if "/component/" in url:
        return "components"
    return "other"


def _weigh(browser, name: str, url: str, floor: set[str]):
    """One cold load of page ``name``: (its entry, the context, the page, the wire); ``floor``: the
    hello world's files, so Streamlit's code for this page's own elements is told apart."""
    ctx, pg, wire = open_cold(browser, url, DRAWN[name])
    kinds: dict[str, int] = {}
    for r in wire.requests:
        kind = _kind(r.url, floor)
        kinds[kind] = kinds.get(kind, 0) + r.bytes
    entry = {
        "http": wire.http_bytes,
        "ws": wire.ws_bytes,
        "total": wire.total_bytes,
        "plotly": [_name(u) for u in wire.plotly_requests()],
        "files": {_name(r.url) for r in wire.requests},
        "kinds": kinds,
    }
    return entry, ctx, pg, wire


def weights(browser, app_url: str, floor: set[str]) -> dict:
    """{page: {"http", "ws", "total", "plotly", "kinds"}}, and what opening the 3D view adds under
    "explorer, 3D opened"."""
    out = {}
    for name, path in PAGES.items():
        out[name], ctx, pg, wire = _weigh(browser, name, app_url + path, floor)
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


# in the player's frame, once the map is drawn: when plotly.js arrived (its response's end) and when
# it had run (the loader then requests player.js), in the page's clock
FRAME_JS = """() => {
  const at = (re, key) => {
    const r = performance.getEntriesByType('resource').find((e) => re.test(e.name));
    return r ? performance.timeOrigin + r[key] : null;
  };
  return {plotlyReceived: at(/plotly[^/]*[.]js/, 'responseEnd'), plotlyRun: at(/player[.]js/, 'startTime')};
}"""


def first_drawn(browser, url: str, what: str) -> dict:
    """One cold load: seconds from the navigation's start to ``what`` ("mapDrawn": the explorer's
    contour, "textDrawn": the hello world's text) painted, under "drawn"; for the map, the
    milestones on the way: "frame" (the player's frame created), "plotly received", "plotly run"."""
    drawn = DRAWN["explorer"] if what == "mapDrawn" else DRAWN["hello"]
    ctx, pg, _wire = open_cold(browser, url, drawn)
    pg.wait_for_function(f"() => !!window.__lrlabPages.{what}")
    start, t, frame = pg.evaluate(
        f"[performance.timeOrigin, window.__lrlabPages.{what}, window.__lrlabPages.frameCreated]"
    )
    out = {"drawn": (t - start) / 1000}
    if what == "mapDrawn":
        player = next(f for f in pg.frames if "descent_player" in f.url)
        marks = player.evaluate(FRAME_JS)
        out["frame"] = (frame - start) / 1000
        out["plotly received"] = (marks["plotlyReceived"] - start) / 1000
        out["plotly run"] = (marks["plotlyRun"] - start) / 1000
    ctx.close()
    return out


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


def measure(app: str | None = None, loads: int = 5, before: str | None = None) -> dict:
    """{"hello": {"weights", "text"}, "now": {"weights", "map", "nn"}, "before": ... (with ``before``)}:
    the apps are served at once and their map loads alternate, so both see the same load."""
    from playwright.sync_api import sync_playwright

    exe = find_chromium()
    if exe is None:
        raise RuntimeError("no Chromium found (apt-get install chromium, or set LRLAB_CHROMIUM)")
    apps = {"now": app} if before is None else {"before": before, "now": app}
    with ExitStack() as stack:
        servers = {k: stack.enter_context(Server(app=a)) for k, a in apps.items()}
        hello = stack.enter_context(Server(app=HELLO_APP))
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=exe, args=FLAGS)
        stack.callback(browser.close)
        floor, ctx, _, _ = _weigh(browser, "hello", hello.url + "/", set())
        ctx.close()
        out: dict = {"hello": {"weights": floor}}
        for k, srv in servers.items():
            out[k] = {"weights": weights(browser, srv.url, floor["files"]), "map": []}
        for i in range(loads):
            for k in apps if i % 2 == 0 else list(apps)[::-1]:
                out[k]["map"].append(first_drawn(browser, servers[k].url + "/", "mapDrawn"))
        out["hello"]["text"] = [
            first_drawn(browser, hello.url + "/", "textDrawn")["drawn"] for _ in range(loads)
        ]
        for k, srv in servers.items():
            out[k]["nn"] = nn_redraws(browser, srv.url)
        return out


def _pair(m: dict, f) -> str:
    """``f`` of the current app's measurements, after the earlier copy's when it was measured."""
    return f"{f(m['before'])} -> {f(m['now'])}" if "before" in m else f(m["now"])


def _above(app: dict, name: str, floor: int) -> float:
    return (app["weights"][name]["http"] - floor) / MB


def _kind_mb(app: dict, kind: str) -> float:
    return app["weights"]["explorer"]["kinds"].get(kind, 0) / MB


def _median(app: dict, milestone: str) -> float:
    return statistics.median(load[milestone] for load in app["map"])


def rows(app: str | None = None, before: str | None = None, loads: int = 5) -> list[tuple[str, str]]:
    m = measure(app, loads, before)
    hello = m["hello"]["weights"]
    floor = hello["http"]
    th = m["hello"]["text"]
    out = [
        (
            "pages: hello-world floor, cold",
            f"HTTP {floor / MB:.2f} MB, websocket {hello['ws'] / MB:.3f} MB; "
            f"text drawn {statistics.median(th):.2f} s after navigation (median of {len(th)})",
        )
    ]
    for name in PAGES:
        p = m["now"]["weights"][name]
        above = _pair(m, lambda x, name=name: f"{_above(x, name, floor):.2f} MB")
        share = _above(m["now"], name, floor) / BUDGET_MB
        bundles = ", ".join(p["plotly"]) or "none"
        out.append(
            (
                f"pages: {name} above the floor",
                f"{above} HTTP ({share:.0%} of {BUDGET_MB} MB); websocket {p['ws'] / MB:.3f} MB; "
                f"page {p['http'] / MB:.2f} MB; plotly.js: {bundles}",
            )
        )
    kinds = {
        "plotly.js": "plotly.js",
        "streamlit": "Streamlit's code for its elements",
        "components": "components",
    }
    out.append(
        (
            "pages: explorer above the floor, by kind",
            "; ".join(
                f"{label} " + _pair(m, lambda x, k=k: f"{_kind_mb(x, k):.3f} MB")
                for k, label in kinds.items()
            ),
        )
    )
    d3 = m["now"]["weights"]["explorer, 3D opened"]
    out.append(
        (
            "pages: explorer, then 3D opened: bytes added",
            f"{d3['total'] / MB:.2f} MB; plotly.js: {', '.join(d3['plotly']) or 'none'}",
        )
    )
    t = [load["drawn"] for load in m["now"]["map"]]
    out.append(
        (
            f"pages: explorer map drawn after navigation (cold, {len(t)} loads)",
            "median "
            + _pair(m, lambda x: f"{_median(x, 'drawn'):.2f} s")
            + f" ({min(t):.2f}-{max(t):.2f}; {statistics.median(t) / BUDGET_MAP_S:.0%} of {BUDGET_MAP_S} s; "
            f"{statistics.median(t) / statistics.median(th):.1f}x the hello world's text)",
        )
    )
    out.append(
        (
            "pages: explorer map, milestones (medians, s after navigation)",
            "; ".join(f"{k} " + _pair(m, lambda x, k=k: f"{_median(x, k):.2f}") for k in MILESTONES),
        )
    )
    r = m["now"]["nn"]
    out.append(
        (
            f"pages: NN lab lrs change -> loss chart repainted ({len(r)} changes)",
            "p50 "
            + _pair(m, lambda x: f"{statistics.median(x['nn']):.0f} ms")
            + f", p90 {percentile(r, 90):.0f} ms, max {max(r):.0f} ms "
            f"({statistics.median(r) / BUDGET_NN_MS:.0%} of {BUDGET_NN_MS} ms)",
        )
    )
    return out


MILESTONES = ("frame", "plotly received", "plotly run", "drawn")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--app", help="serve this script instead of app.py (e.g. another copy of the app)")
    ap.add_argument("--before", help="an earlier copy's app.py, measured in the same run (before -> now)")
    ap.add_argument("--loads", type=int, default=5, help="cold loads of the map per app (default 5)")
    args = ap.parse_args()
    print(load_average())
    for k, v in rows(args.app, args.before, args.loads):
        print(f"{k:<62}  {v}")
    print(load_average())


if __name__ == "__main__":
    main()
