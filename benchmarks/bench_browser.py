"""In a real browser: from a sidebar lr change to the chart repainted (headless Chromium + Playwright).

The app is served on 127.0.0.1; a headless Debian Chromium opens the default view and the sidebar's
lr is changed 30 times, one step of the 1-2-5 grid at a time, each typed into the ``exact lr`` box and
committed with Enter: up to lr 1, down to 0.002, up again, down again (a student sweeping the lr
from the sidebar: a server round trip each; the player's own lr slider, which redraws in the browser
without one, is measured by ``bench_fan.py``). 8 of the 30 values are new to the server (cache
misses); the rest were shown before (the server's caches hit, but the browser still receives and
redraws everything).

What "repainted" means here, measured in the browser's own clock (``performance.timeOrigin +
performance.now()``, comparable across the page and its iframe):

* **start**: the ``keydown`` event of the Enter key, caught in the capture phase on the page.
* **chart repainted**: inside the descent player's iframe, a ``MutationObserver`` on the map's DOM
  (plotly.js's plot and the player's moving layer drawn over it: SVG ``d`` attributes and child lists)
  fires; two ``requestAnimationFrame`` callbacks
  later (the frame after the DOM change has been painted) the time is recorded with the player's
  readout text. The first such record whose readout names the new run (``lr = 0.2 (converged): ...``
  or ``lr = 1: diverged at step 6``) ends it.
* the parts (reported too): the badge block shows the new lr (main page); the new arguments reach
  the player (a capture-phase ``message`` listener in the iframe sees ``streamlit:render``).
* **page settled** (reported too): the chart repainted, the badge block (``lr-badges``) shows the new
  lr, and Streamlit's script state (``data-test-script-state``) is back to ``notRunning``: the latest
  of the three.

``--profile`` adds a JS sampling profile (Chrome DevTools Protocol) of the page's renderer thread, which
the same-origin player iframe shares: busy milliseconds per change by category (the player's
plotly.js, the page's ``st.plotly_chart`` charts, Streamlit's React frontend, browser internals).

Run: ``python benchmarks/bench_browser.py`` (needs Playwright and a Chromium: ``/usr/bin/chromium`` or
``LRLAB_CHROMIUM``).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import time
from pathlib import Path

from stclient import Server, percentile

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MOVES = [1] * 3 + [-1] * 8 + [1] * 8 + [-1] * 8 + [1] * 3  # steps along the 1-2-5 grid from lr 0.1
GRID = [float(f"{m}e{e}") for e in range(-4, 1) for m in (1, 2, 5)] + [10.0]


def lr_walk(moves, start: float = 0.1) -> list[str]:
    """The lrs the moves visit on the 1-2-5 grid, as typed (and as the readout names them)."""
    i, out = GRID.index(start), []
    for m in moves:
        i = min(max(i + m, 0), len(GRID) - 1)
        out.append(f"{GRID[i]:g}")
    return out


BUDGET_MEDIAN_MS, BUDGET_P95_MS = 300, 600

PAGE_JS = """() => {
  if (window.__lrb) return;
  const now = () => performance.timeOrigin + performance.now();
  const rec = window.__lrb = {keys: [], states: [], badges: []};
  window.addEventListener('keydown', () => rec.keys.push(now()), true);
  const app = document.querySelector('[data-test-script-state]');
  new MutationObserver(() => rec.states.push([now(), app.getAttribute('data-test-script-state')]))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  let last = '';
  new MutationObserver(() => {
    const b = document.querySelector('[data-testid="lr-badges"]');
    const text = b ? b.textContent : '';
    if (text !== last) { last = text; rec.badges.push([now(), text]); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""

FRAME_JS = """() => {
  if (window.__lrb) return;
  const now = () => performance.timeOrigin + performance.now();
  const rec = window.__lrb = {paints: [], renders: []};
  const isRender = (e) => e.data && e.data.type === 'streamlit:render';
  // capture: when the new arguments arrive; bubbling (after the player's own handler): when its
  // synchronous redraw (Plotly.react, restyle) is done
  window.addEventListener('message', (e) => { if (isRender(e)) rec.renders.push([now(), 'in']); }, true);
  window.addEventListener('message', (e) => { if (isRender(e)) rec.renders.push([now(), 'drawn']); });
  const map = document.getElementById('mapbox');
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      pending = false;
      rec.paints.push([now(), document.getElementById('readout').textContent]);
    }));
  }).observe(map, {subtree: true, childList: true, attributes: true, attributeFilter: ['d']});
}"""


def find_chromium() -> str | None:
    for cand in (os.environ.get("LRLAB_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if cand and Path(cand).exists():
            return cand
    return None


def _player(pg, timeout: float = 60.0):
    """The descent player's iframe (waits for it to be attached)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for f in pg.frames:
            if "descent_player" in f.url:
                return f
        pg.wait_for_timeout(50)
    raise RuntimeError("the descent player iframe is not on the page")


def _names(text: str, value: str) -> bool:
    """Does ``text`` name the run ``lr = value`` (not a longer number that starts the same)?"""
    return re.search(rf"lr = {re.escape(value)}(?![0-9.e])", text) is not None


def _js_category(frame: dict) -> str:
    url, fn = frame.get("url", ""), frame.get("functionName", "")
    if "/component/" in url:
        return "player iframe: " + ("plotly.js" if "plotly" in url else "player.js")
    if "PlotlyChart" in url or "plotly" in url.lower():
        return "page: st.plotly_chart charts (plotly.js)"
    if url:
        return "page: Streamlit frontend (React, widgets, layout code)"
    if fn in ("(idle)", "(program)", "(garbage collector)"):
        return {"(idle)": "idle", "(program)": "browser internals (style, layout, paint)"}.get(
            fn, "JS garbage collector"
        )
    return "native DOM calls (measure, set attributes)"


def js_profile_rows(profile: dict, n_changes: int) -> list[tuple[str, str]]:
    """Self time per category of a CDP ``Profiler`` profile, in ms per lr change."""
    nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    per: dict[str, float] = {}
    for sid, dt in zip(profile["samples"][1:], profile["timeDeltas"][1:], strict=True):
        cat = _js_category(nodes[sid])
        per[cat] = per.get(cat, 0.0) + dt / 1000.0
    busy = sum(v for k, v in per.items() if k != "idle") or 1.0
    rows = [
        (
            f"browser main thread, busy per change (JS profile over {n_changes} changes)",
            f"{busy / n_changes:6.0f} ms",
        )
    ]
    for k, v in sorted(per.items(), key=lambda kv: -kv[1]):
        if k != "idle":
            rows.append((f"  {k}", f"{v / n_changes:6.0f} ms  ({v / busy:4.0%})"))
    return rows


def measure(
    n_moves: int = len(MOVES),
    pause: float = 0.15,
    server_flags: tuple[str, ...] = (),
    app: str | None = None,
    profile: bool = False,
) -> dict:
    """Per change: times (ms after the keydown) of the badge update, the new arguments reaching the
    player's iframe, the chart repainted, and the script back to notRunning."""
    from playwright.sync_api import sync_playwright

    exe = find_chromium()
    if exe is None:
        raise RuntimeError("no Chromium found (apt-get install chromium, or set LRLAB_CHROMIUM)")
    out = {"changes": [], "errors": [], "console": []}
    with Server(extra=server_flags, app=app) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.on("console", lambda m: out["console"].append(m.text) if m.type == "error" else None)
            pg.on("pageerror", lambda e: out["console"].append(str(e)))
            t0 = time.perf_counter()
            pg.goto(srv.url)
            pg.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=90_000)
            _player(pg).wait_for_selector("body[data-ready='1']", timeout=60_000)
            out["load_s"] = time.perf_counter() - t0
            pg.evaluate(PAGE_JS)
            box = pg.get_by_label("exact lr", exact=True)
            seen = {"0.1"}
            cdp = None
            if profile:  # the JS sampling profiler of the page's renderer (the iframe shares its thread)
                cdp = pg.context.new_cdp_session(pg)
                cdp.send("Profiler.enable")
                cdp.send("Profiler.setSamplingInterval", {"interval": 500})
                cdp.send("Profiler.start")
            for value in lr_walk(MOVES[:n_moves]):
                frame = _player(pg)
                frame.evaluate(FRAME_JS)
                box.fill(value)  # typed: no key event yet
                k0 = pg.evaluate("window.__lrb.keys.length")
                p0 = frame.evaluate("window.__lrb.paints.length")
                r0 = frame.evaluate("window.__lrb.renders.length")
                box.press("Enter")  # the change is committed: the clock starts
                cold = value not in seen
                seen.add(value)
                deadline = time.monotonic() + 60
                while True:
                    if time.monotonic() > deadline:
                        out["errors"].append(f"lr {value}: no repaint within 60 s")
                        break
                    time.sleep(0.02)
                    keys = pg.evaluate("window.__lrb.keys")
                    if len(keys) <= k0:
                        continue
                    t_key = keys[k0]
                    paints = [p for p in frame.evaluate("window.__lrb.paints")[p0:] if _names(p[1], value)]
                    badges = [
                        b for b in pg.evaluate("window.__lrb.badges") if b[0] >= t_key and _names(b[1], value)
                    ]
                    state = pg.get_attribute("[data-test-script-state]", "data-test-script-state")
                    if paints and badges and state == "notRunning":
                        t_paint = paints[0][0]
                        idle = [
                            s[0]
                            for s in pg.evaluate("window.__lrb.states")
                            if s[0] >= t_key and s[1] == "notRunning"
                        ]
                        ins = [
                            r[0]
                            for r in frame.evaluate("window.__lrb.renders")[r0:]
                            if r[1] == "in" and r[0] <= t_paint
                        ]
                        t_idle = idle[-1] if idle else t_paint
                        out["changes"].append(
                            {
                                "value": value,
                                "cold": cold,
                                "chart": t_paint - t_key,
                                "badge": badges[0][0] - t_key,
                                "args_in": (ins[-1] - t_key) if ins else float("nan"),
                                "idle": t_idle - t_key,
                                "settled": max(t_paint, badges[0][0], t_idle) - t_key,
                            }
                        )
                        break
                time.sleep(pause)
            if cdp is not None:
                out["js_profile"] = cdp.send("Profiler.stop")["profile"]
        finally:
            browser.close()
    return out


def rows(
    n_moves: int = len(MOVES),
    server_flags: tuple[str, ...] = (),
    app: str | None = None,
    profile: bool = False,
) -> list[tuple[str, str]]:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return [("browser", "skipped: Playwright is not installed")]
    if find_chromium() is None:
        return [("browser", "skipped: no Chromium (apt-get install chromium, or set LRLAB_CHROMIUM)")]
    m = measure(n_moves, server_flags=server_flags, app=app, profile=profile)
    ch = m["changes"]

    def stats(xs) -> str:
        xs = [x for x in xs if x == x]
        if not xs:
            return "no data"
        return f"median {statistics.median(xs):6.0f} ms, p95 {percentile(xs, 95):6.0f} ms (n={len(xs)})"

    chart = [c["chart"] for c in ch]
    med, p95 = (statistics.median(chart), percentile(chart, 95)) if chart else (float("inf"),) * 2
    ok = med <= BUDGET_MEDIAN_MS and p95 <= BUDGET_P95_MS and not m["errors"]
    gap = [c["chart"] - c["args_in"] for c in ch]
    return [
        ("browser: first load to the player ready", f"{m.get('load_s', float('nan')):6.1f} s"),
        ("browser: lr typed, Enter -> chart repainted, all changes", stats(chart)),
        ("browser:   of which new values (server cache miss)", stats([c["chart"] for c in ch if c["cold"]])),
        (
            "browser:   of which revisited values (cache hit)",
            stats([c["chart"] for c in ch if not c["cold"]]),
        ),
        ("browser: key -> badge text updated (main page)", stats([c["badge"] for c in ch])),
        ("browser: key -> new args reach the player iframe", stats([c["args_in"] for c in ch])),
        ("browser: args in iframe -> chart repainted", stats(gap)),
        ("browser: key -> script state notRunning", stats([c["idle"] for c in ch])),
        ("browser: key -> page settled (chart, badge, idle)", stats([c["settled"] for c in ch])),
        ("  budget: median <= 300 ms and p95 <= 600 ms (chart)", "met" if ok else "NOT met"),
        ("browser: timeouts / console errors", f"{len(m['errors'])} / {len(m['console'])}"),
    ] + (js_profile_rows(m["js_profile"], len(ch)) if "js_profile" in m else [])


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--server-flag",
        action="append",
        default=[],
        help="a streamlit flag, e.g. --runner.postScriptGC=false",
    )
    ap.add_argument("--app", help="serve this script instead of app.py (to measure a variant)")
    ap.add_argument("--profile", action="store_true", help="also profile the page's JS (CDP; adds overhead)")
    args = ap.parse_args()
    rs = rows(server_flags=tuple(args.server_flag), app=args.app, profile=args.profile)
    if args.server_flag or args.app:
        rs.insert(0, ("variant", " ".join([*args.server_flag, args.app or ""]).strip()))
    width = max(len(r[0]) for r in rs)
    for name, val in rs:
        print(f"{name:<{width}}  {val}")


if __name__ == "__main__":
    main()
