"""The lr fan (issue 11), side by side in one run:

* engine: ``fan.run`` over 128 lrs x 300 Adam steps on Rosenbrock (one batched descent, regimes and
  sentences included) against a ``torch.optim.Adam`` loop per lr;
* server: one rerun's work in the default view and in a compare view (lr x 0.5, 1, 2, 4), uncached:
  with the fan computed (a change of anything but the lr: ``pipeline.simulate`` + ``fan_of`` +
  ``fan_spec`` packed + ``player_spec`` + ``slice_spec``) and for an lr change (the fan cached by
  the page); the payload of the player's spec and of the fan's own element at the defaults, at the
  2000-step cap and in the compare modes;
* websocket: the bytes the browser receives on a cold load and on an lr release (the slider's
  ``change``), decoded message by message (``--before APP``: an earlier app's, measured beside it);
* browser: in headless Chromium, an ``input`` event on the player's lr slider to the frame painted
  (in-page clocks, see NEXT_PAINT_JS; a real mouse drag and the earlier two-frame measure beside it),
  the charts following the drag, against a server round trip measured in the same run (the slider's
  release: ``change`` to the new spec drawn); the same drag with 4 runs (lr x multiples) beside the
  one-run view.

    python benchmarks/bench_fan.py [--only browser|ws|server|engine] [--app APP] [--before APP]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_browser import FLAGS, find_chromium  # noqa: E402
from bench_engine import median_time  # noqa: E402
from stclient import Server, percentile  # noqa: E402

from lrlab import fan, optimizers, regimes, surfaces, theory  # noqa: E402
from lrlab.figures import surface as F  # noqa: E402
from lrlab.figures.slice import slice_spec  # noqa: E402
from lrlab.ui.explorer import config as C  # noqa: E402
from lrlab.ui.explorer import pipeline as P  # noqa: E402
from lrlab.ui.player import pack_fan  # noqa: E402
from tests.pageweight import ws_messages  # noqa: E402

PLAYER = "iframe[title='lrlab.ui.player.descent_player']"
PAUSE_MS = 200  # player.js: the drag's pause after which plotly.js redraws the charts


def engine_rows(n: int = 128, steps: int = 300) -> list[tuple[str, str]]:
    surf, opt = surfaces.make("rosenbrock"), optimizers.make("adam")

    def fan_run():
        return fan.run(surf, opt, steps=steps, n=n)

    fan_times = [median_time(fan_run)]
    rows = [("", "")]  # the fan's row, filled in once it is measured again after the torch loops
    rows += verdict_rows(fan_run())
    try:
        import torch
    except ImportError:
        rows[0] = _fan_row(n, steps, fan_times)
        return rows + [("torch.optim loop", "skipped: torch not installed (pip install -e '.[parity]')")]
    torch.set_num_threads(1)
    lrs = fan.run(surf, opt, steps=2, n=n).lrs

    def torch_runs():
        for lr in lrs:
            p = torch.tensor(surf.start, dtype=torch.float64, requires_grad=True)
            topt = torch.optim.Adam([p], lr=float(lr))
            for _ in range(steps):
                topt.zero_grad()
                loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] * p[0]) ** 2
                loss.backward()
                topt.step()

    t_torch = median_time(torch_runs, repeats=1)
    fan_times.append(median_time(fan_run))  # before and after the torch loops: the load may drift
    t_fan = statistics.mean(fan_times)
    rows[0] = _fan_row(n, steps, fan_times)
    rows.append((f"torch.optim.Adam loop, one per lr ({len(lrs)} loops)", f"{t_torch * 1e3:8.2f} ms"))
    rows.append(("  fan speed-up vs torch loops", f"{t_torch / t_fan:6.0f}x"))
    return rows


def _fan_row(n: int, steps: int, times: list[float]) -> tuple[str, str]:
    label = f"fan.run, {n} lrs x {steps} Adam steps, Rosenbrock (verdicts included)"
    each = " / ".join(f"{t * 1e3:.2f}" for t in times)
    return label, f"{statistics.mean(times) * 1e3:8.2f} ms" + (f" ({each})" if len(times) > 1 else "")


def verdict_rows(f: fan.Fan) -> list[tuple[str, str]]:
    """Where the fan's engine time goes besides the descent: its K runs' regimes (``classify_all``,
    of which Newton's approached minimum at the K ends) and sentences (``explain_all``)."""
    tr, surf = f.traj, f.traj.surface
    stopped = [d is not None for d in tr.diverged_at]
    found, fx = regimes.classify_all(surf, tr.points, tr.loss, tr.grad_norm, stopped)
    reasons = [None if d is None else "escaped" for d in tr.diverged_at]
    t_classify = median_time(lambda: regimes.classify_all(surf, tr.points, tr.loss, tr.grad_norm, stopped))
    t_newton = median_time(lambda: theory.approached(surf, theory.last_points(tr.points)))
    t_explain = median_time(
        lambda: regimes.explain_all(
            found, fx, surf, tr.optimizer, tr.hyper, tr.lr, tr.diverged_at, reasons, tr.points
        )
    )
    return [
        ("  of which regimes (classify_all)", f"{t_classify * 1e3:8.2f} ms"),
        ("    of which the approached minima (Newton from the K ends)", f"{t_newton * 1e3:8.2f} ms"),
        ("  of which sentences (explain_all)", f"{t_explain * 1e3:8.2f} ms"),
    ]


MULTIPLES = {"compare": "multiples", "mult": "0.5,1,2,4"}
OPTIMIZERS = {"compare": "optimizers", "opts": ",".join(optimizers.names())}  # all 7


def _fan_element(cfg: C.Config) -> tuple[fan.Fans, str]:
    """What the page computes and sends once per fan (lrlab/ui/explorer/page.py ``_fan``)."""
    surf = C.build_surface(cfg)
    fans = P.fan_of(cfg, surf)
    labels = [label for _, label in P.fan_members(cfg)]
    return fans, pack_fan(F.fan_spec(surf, fans, labels))


def _spec(cfg: C.Config, fans) -> dict:
    """The player's spec of a rerun (lrlab/ui/explorer/page.py ``_figures``), the fan given."""
    surf = C.build_surface(cfg)
    result = P.simulate(cfg, surf, with_fan=False)
    spec = F.player_spec(surf, result.runs, result.start, lr_fan=fans, fan_id="f", fan_lr=P.base_lr(cfg))
    spec["slice"] = slice_spec(surf, result.runs, lr_fan=fans)
    return spec


def server_rows() -> list[tuple[str, str]]:
    rows = []
    for label, q in (("default view", {}), ("compare view, lr x 0.5,1,2,4", MULTIPLES)):
        cfg = C.from_query(q)[0]
        fans = P.fan_of(cfg)

        def with_fan(cfg=cfg):
            return _spec(cfg, _fan_element(cfg)[0])

        def lr_change(cfg=cfg, fans=fans):
            return _spec(cfg, fans)

        t_fan = median_time(with_fan, repeats=9)
        t_lr = median_time(lr_change, repeats=9)
        rows.append(
            (f"rerun work, {label}, fan included (computed, spec'd, packed)", f"{t_fan * 1e3:8.2f} ms")
        )
        rows.append((f"rerun work, {label}, an lr change (the fan cached)", f"{t_lr * 1e3:8.2f} ms"))
    views = (
        ("defaults", {}),
        ("2000 steps", {"steps": "2000"}),
        ("lr x 0.5,1,2,4", MULTIPLES),
        ("lr x 0.5,1,2,4, 2000 steps", {**MULTIPLES, "steps": "2000"}),
        ("7 optimizers", OPTIMIZERS),
        ("7 optimizers, 2000 steps", {**OPTIMIZERS, "steps": "2000"}),
        ("plateau schedule", {"sched": "plateau"}),
    )
    for label, q in views:
        cfg = C.from_query(q)[0]
        fans, packed = _fan_element(cfg)
        spec = F.payload_bytes(_spec(cfg, fans))
        raw = len(json.dumps(F.fan_spec(C.build_surface(cfg), fans), separators=(",", ":")))
        runs = len(fans.fans)
        rows.append(
            (f"player payload, {label} (spec + fan element)", f"{(spec + len(packed)) / 1e3:8.0f} KB")
        )
        rows.append((f"  of which the player's spec ({runs} run{'s' * (runs > 1)})", f"{spec / 1e3:8.0f} KB"))
        rows.append(
            (
                f"  of which the fan element ({len(fans.lrs)} lrs x {runs}; its JSON {raw / 1e3:.0f} KB)",
                f"{len(packed) / 1e3:8.0f} KB",
            )
        )
    return rows


# The drag, three ways, in the player's own clock (performance.now()):
# * NEXT_PAINT_JS (the budget's figure): an `input` event on the slider at a random moment of the
#   frame (a mouse is not in step with the screen), timed to the end of the paint that follows it: a
#   requestAnimationFrame registered before the event runs first in the next frame, and the task it
#   posts runs right after that frame is painted (before any work the player itself posted then);
# * MOUSE_JS: a real drag (Playwright's mouse over the slider), from each pointer event's own time
#   stamp (when the browser got it) to the paint after the `input` it caused;
# * TWO_RAF_JS, as measured before: to two animation frames after the event, each event sent right
#   after the previous one's frames (so in step with the screen: never under two frames, 33 ms).
NEXT_PAINT_JS = """async (positions) => {
  const input = document.getElementById('fanlr');
  const painted = () => new Promise((r) => requestAnimationFrame(() => {
    const ch = new MessageChannel(); ch.port1.onmessage = () => r(performance.now()); ch.port2.postMessage(0);
  }));
  const out = [];
  for (const v of positions) {
    await new Promise((r) => setTimeout(r, 17 + Math.random() * 17));  // a random phase, the charts done
    const t0 = performance.now();
    const done = painted();
    input.value = String(v);
    input.dispatchEvent(new Event('input', {bubbles: true}));
    out.push((await done) - t0);
  }
  return out;
}"""

MOUSE_JS = """() => {
  const rec = window.__drag = [];
  let moved = null;
  window.addEventListener('pointermove', (e) => { moved = e.timeStamp; }, true);
  window.addEventListener('input', () => {  // capture: before the player's own listener
    const t0 = moved;
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => rec.push(performance.now() - t0);
      ch.port2.postMessage(0);
    });
  }, true);
}"""

TWO_RAF_JS = """async (positions) => {
  const input = document.getElementById('fanlr');
  const out = [];
  for (const v of positions) {
    const t0 = performance.now();
    input.value = String(v);
    input.dispatchEvent(new Event('input', {bubbles: true}));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    out.push(performance.now() - t0);
  }
  return out;
}"""

# the charts follow a drag in the map's frame (drawn by hand); plotly.js redraws them once it pauses
# (PAUSE_MS, player.js), one per frame after the paint: from the input to all three redrawn
CHARTS_JS = """async (positions) => {
  const input = document.getElementById('fanlr');
  const out = [];
  for (const v of positions) {
    await new Promise((r) => setTimeout(r, 120));
    const t0 = performance.now();
    input.value = String(v);
    input.dispatchEvent(new Event('input', {bubbles: true}));
    const want = document.body.dataset.fanIndex;
    const until = t0 + 3000;  // a player that does not report it (an earlier version): no figure
    while (document.body.dataset.chartsFanIndex !== want) {
      if (performance.now() > until) return null;
      await new Promise((r) => requestAnimationFrame(r));
    }
    const ch = new MessageChannel();
    await new Promise((r) => {
      ch.port1.onmessage = r;
      requestAnimationFrame(() => ch.port2.postMessage(0));
    });
    out.push(performance.now() - t0);
  }
  return out;
}"""

# Play on the default view: the time between animation frames while the run is drawn step by step
# (16.7 ms: every frame of the screen; more: frames dropped by the map's redraw)
PLAY_JS = """async () => {
  const play = document.getElementById('play');
  document.getElementById('scrub').value = '0';
  play.click();
  const out = [];
  let t = performance.now();
  for (let i = 0; i < 120 && play.classList.contains('playing'); i++) {
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    out.push(now - t);
    t = now;
  }
  if (play.classList.contains('playing')) play.click();
  return out.slice(2);
}"""

RELEASE_JS = """async () => {
  const input = document.getElementById('fanlr');
  const before = document.body.dataset.specId;
  const t0 = performance.now();
  input.value = String(Math.max(0, Number(input.value) - 7));
  input.dispatchEvent(new Event('input', {bubbles: true}));
  input.dispatchEvent(new Event('change', {bubbles: true}));
  while (document.body.dataset.specId === before) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""


def _mouse_drag(pg, frame, sweeps: int = 3) -> list[float]:
    """A real drag across the slider, back and forth; the latency of each `input` it caused."""
    frame.locator("body").evaluate(f"() => ({MOUSE_JS})()")
    box = frame.locator("#fanlr").bounding_box()
    y = box["y"] + box["height"] / 2
    knob = frame.locator("#fanlr").evaluate("e => e.value / e.max")
    x0 = box["x"] + 10 + (box["width"] - 20) * knob
    pg.mouse.move(x0, y)
    pg.mouse.down()
    lo, hi = box["x"] + 0.35 * box["width"], box["x"] + 0.95 * box["width"]
    pg.mouse.move(lo, y, steps=10)
    for _ in range(sweeps):
        pg.mouse.move(hi, y, steps=40)
        pg.mouse.move(lo, y, steps=40)
    pg.mouse.move(x0, y, steps=10)
    out = frame.locator("body").evaluate("() => window.__drag.slice()")
    pg.mouse.up()  # the release: a round trip (waited for by the caller)
    return out


def browser_rows(n: int = 60, releases: int = 6, app: str | None = None) -> list[tuple[str, str]]:
    """The browser's rows; ``app``: another copy of app.py to serve (e.g. an earlier version's, run
    from its own folder so that its own lrlab is imported), measured the same way."""
    exe = find_chromium()
    if exe is None:
        return [("in-player drag", "skipped: no Chromium (apt-get install chromium, or set LRLAB_CHROMIUM)")]
    from playwright.sync_api import sync_playwright

    idle = "[data-test-script-state='notRunning']"
    with Server(app=app) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.goto(srv.url)
            pg.wait_for_selector(idle, state="attached", timeout=90_000)
            frame = pg.frame_locator(PLAYER).first
            frame.locator("body[data-ready='1']").wait_for(timeout=60_000)
            positions = [int(200 + 150 * ((i * 37) % 41 - 20) / 20) for i in range(n)]  # jumps over the track
            body = frame.locator("body")
            play = body.evaluate(f"() => ({PLAY_JS})()")
            paint = body.evaluate(f"(b, p) => ({NEXT_PAINT_JS})(p)", positions)
            two_raf = body.evaluate(f"(b, p) => ({TWO_RAF_JS})(p)", positions)
            mouse = _mouse_drag(pg, frame)
            pg.wait_for_selector(idle, state="attached", timeout=90_000)
            time.sleep(0.5)
            frame.locator("body[data-ready='1']").wait_for(timeout=60_000)
            # the charts in view (under the map here): they follow the drag in the frames after it
            frame.locator("#charts").evaluate("e => e.scrollIntoView({block: 'center'})")
            time.sleep(0.5)
            paint_charts = body.evaluate(f"(b, p) => ({NEXT_PAINT_JS})(p)", positions)
            charts = body.evaluate(f"(b, p) => ({CHARTS_JS})(p)", positions[:20])
            pg.evaluate("() => window.scrollTo(0, 0)")
            trips = []
            for _ in range(releases):
                trips.append(body.evaluate(f"() => ({RELEASE_JS})()"))
                pg.wait_for_selector(idle, state="attached", timeout=90_000)
                time.sleep(0.3)
        finally:
            browser.close()

    def p(xs, q):
        return statistics.median(xs) if q == 50 else percentile(xs, q)

    trip = statistics.median(trips)
    return [
        (
            f"in-player lr drag, input -> frame painted ({n} moves, random phase)",
            f"p50 {p(paint, 50):6.1f} ms, p95 {p(paint, 95):6.1f} ms",
        ),
        (
            f"  a real mouse drag, pointer event -> frame painted ({len(mouse)} inputs)",
            f"p50 {p(mouse, 50):6.1f} ms, p95 {p(mouse, 95):6.1f} ms",
        ),
        (
            "  as measured before: input -> two animation frames (floor: 2 frames, 33 ms)",
            f"p50 {p(two_raf, 50):6.1f} ms, p95 {p(two_raf, 95):6.1f} ms",
        ),
        (
            "  the three charts in view (they follow): input -> map painted",
            f"p50 {p(paint_charts, 50):6.1f} ms, p95 {p(paint_charts, 95):6.1f} ms",
        ),
        (
            f"  charts: plotly.js's redraw once the drag pauses ({PAUSE_MS} ms), all three painted",
            "n/a (not reported)" if charts is None else f"median {p(charts, 50):6.0f} ms",
        ),
        (f"server round trip, release -> new spec painted ({releases})", f"median {trip:6.0f} ms"),
        ("  drag speed-up vs the round trip", f"{trip / p(paint, 50):6.0f}x"),
        (
            f"Play, default view: time between animation frames ({len(play)})",
            f"p50 {p(play, 50):6.1f} ms, p95 {p(play, 95):6.1f} ms",
        ),
    ]


SLIDER_READY = "#fanbar:not([hidden])"  # the player's lr slider is there (its fan arrived)


# the messages _ws_text names: the fan's element, the player's spec, a reference to a cached message
WS_PARTS = {
    "el:component_instance:lr_fan": "fan element",
    "el:component_instance:descent_player": "player spec",
    "ref": "reference",
}


def _ws_text(msgs) -> str:
    """Bytes of ``msgs`` (:func:`tests.pageweight.ws_messages`), in all and in the parts named."""
    total = sum(n for _, n in msgs)
    parts = {}
    for kind, n in msgs:
        if kind in WS_PARTS:
            parts[WS_PARTS[kind]] = parts.get(WS_PARTS[kind], 0) + n
    detail = ", ".join(f"{k} {v / 1e3:.1f}" for k, v in parts.items())
    return f"{total / 1e3:8.1f} KB ({detail} KB)"


def ws_rows(
    app: str | None = None, label: str = "now", views=(("default view", ""),)
) -> list[tuple[str, str]]:
    """Websocket bytes of a cold load and of an lr release (the slider's change) per view."""
    exe = find_chromium()
    if exe is None:
        return [("websocket bytes", "skipped: no Chromium")]
    from playwright.sync_api import sync_playwright

    idle = "[data-test-script-state='notRunning']"
    out = []
    with Server(app=app) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            for name, query in views:
                pg = browser.new_page(viewport={"width": 1400, "height": 1000})
                msgs = ws_messages(pg)
                pg.goto(srv.url + "/" + query)
                pg.wait_for_selector(idle, state="attached", timeout=90_000)
                frame = pg.frame_locator(PLAYER).first
                frame.locator(SLIDER_READY).wait_for(state="attached", timeout=60_000)
                time.sleep(1.0)
                cold = list(msgs)
                for _ in range(2):  # the second release: the fan element is surely in the browser's cache
                    n0 = len(msgs)
                    frame.locator("body").evaluate(f"() => ({RELEASE_JS})()")
                    pg.wait_for_selector(idle, state="attached", timeout=90_000)
                    time.sleep(1.0)
                release = msgs[n0:]
                out.append((f"websocket, {label}, {name}: cold load", _ws_text(cold)))
                out.append((f"websocket, {label}, {name}: an lr release", _ws_text(release)))
                pg.close()
        finally:
            browser.close()
    return out


def compare_drag_rows(n: int = 60, rounds: int = 3, before: str | None = None) -> list[tuple[str, str]]:
    """The drag (input -> frame painted, NEXT_PAINT_JS) in the one-run view and with 4 runs (lr x
    0.5, 1, 2, 4), and (``before``: an earlier app.py, served beside) the earlier one-run view, their
    pages taking turns in one browser so that the load is shared."""
    exe = find_chromium()
    if exe is None:
        return [("in-player drag, 4 runs", "skipped: no Chromium")]
    from contextlib import ExitStack

    from playwright.sync_api import sync_playwright

    views = [
        ("one run", None, "?lr=0.1"),
        ("4 runs (lr x 0.5,1,2,4)", None, "?lr=0.1&" + "&".join(f"{k}={v}" for k, v in MULTIPLES.items())),
    ]
    if before:
        views.insert(0, ("one run, before", before, "?lr=0.1"))
    got = {name: [] for name, _, _ in views}
    positions = [int(200 + 150 * ((i * 37) % 41 - 20) / 20) for i in range(n)]
    with ExitStack() as stack, sync_playwright() as pw:
        servers = {app: stack.enter_context(Server(app=app)) for app in {app for _, app, _ in views}}
        browser = pw.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            pages = {}
            for name, app, query in views:
                pg = browser.new_page(viewport={"width": 1400, "height": 1000})
                pg.goto(servers[app].url + "/" + query)
                pg.wait_for_selector(
                    "[data-test-script-state='notRunning']", state="attached", timeout=90_000
                )
                frame = pg.frame_locator(PLAYER).first
                frame.locator(SLIDER_READY).wait_for(state="attached", timeout=60_000)
                pages[name] = (pg, frame.locator("body"))
            time.sleep(1.0)
            for _ in range(rounds):
                for name, (pg, body) in pages.items():
                    pg.bring_to_front()
                    got[name] += body.evaluate(f"(b, p) => ({NEXT_PAINT_JS})(p)", positions)
        finally:
            browser.close()
    return [
        (
            f"in-player lr drag, {name}: input -> frame painted ({len(v)} moves)",
            f"p50 {statistics.median(v):6.1f} ms, p95 {percentile(v, 95):6.1f} ms",
        )
        for name, v in got.items()
    ]


def rows() -> list[tuple[str, str]]:
    return engine_rows() + server_rows() + ws_rows(views=WS_VIEWS) + browser_rows() + compare_drag_rows()


WS_VIEWS = (("default view", ""), ("lr x 0.5,1,2,4", "?compare=multiples&mult=0.5,1,2,4"))


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("engine", "server", "ws", "browser"), help="one part only")
    ap.add_argument("--app", help="the browser rows against another copy of app.py (a variant)")
    ap.add_argument("--before", help="an earlier app.py: its websocket bytes and its drag, beside these")
    args = ap.parse_args()

    def ws():
        before = ws_rows(app=args.before, label="before") if args.before else []
        return before + ws_rows(app=args.app, views=WS_VIEWS)

    parts = {
        "engine": engine_rows,
        "server": server_rows,
        "ws": ws,
        "browser": lambda: browser_rows(app=args.app) + compare_drag_rows(before=args.before),
    }
    for name, part in parts.items():
        if args.only in (None, name):
            for k, v in part():
                print(f"{k:<80} {v}")


if __name__ == "__main__":
    main()
