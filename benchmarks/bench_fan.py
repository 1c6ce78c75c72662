"""The lr fan (issue 11), side by side in one run:

* engine: ``fan.run`` over 128 lrs x 300 Adam steps on Rosenbrock (one batched descent, regimes and
  sentences included) against a ``torch.optim.Adam`` loop per lr;
* server: one rerun's work in the default view, fan included (``pipeline.simulate`` + ``player_spec``,
  uncached), and the player's payload at the defaults and at the 2000-step cap;
* browser: in headless Chromium, an ``input`` event on the player's lr slider to the frame painted
  (in-page clocks: ``performance.now()`` before the event, after two animation frames), against a
  server round trip measured in the same run (the slider's release: ``change`` to the new spec drawn).

    python benchmarks/bench_fan.py
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
from lrlab.ui.explorer import config as C  # noqa: E402
from lrlab.ui.explorer import pipeline as P  # noqa: E402

PLAYER = "iframe[title='lrlab.ui.player.descent_player']"


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


def server_rows() -> list[tuple[str, str]]:
    def rerun(cfg):
        result = P.simulate(cfg)
        return F.player_spec(C.build_surface(cfg), result.runs, result.start, lr_fan=result.fan)

    rows = []
    t = median_time(lambda: rerun(C.DEFAULT), repeats=9)
    rows.append(("rerun work, default view, fan included (simulate + player_spec)", f"{t * 1e3:8.2f} ms"))
    for label, q in (("defaults", {}), ("2000 steps", {"steps": "2000"})):
        cfg = C.from_query(q)[0]
        spec = rerun(cfg)
        total, part = len(json.dumps(spec)), len(json.dumps(spec["fan"]))
        rows.append(
            (f"player payload, {label} (fan: {len(spec['fan']['lrs'])} lrs)", f"{total / 1e3:8.0f} KB")
        )
        rows.append((f"  of which the fan, {label}", f"{part / 1e3:8.0f} KB"))
    return rows


DRAG_JS = """async (positions) => {
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


def browser_rows(n: int = 60, releases: int = 6) -> list[tuple[str, str]]:
    exe = find_chromium()
    if exe is None:
        return [("in-player drag", "skipped: no Chromium (apt-get install chromium, or set LRLAB_CHROMIUM)")]
    from playwright.sync_api import sync_playwright

    with Server() as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.goto(srv.url)
            pg.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=90_000)
            frame = pg.frame_locator(PLAYER).first
            frame.locator("body[data-ready='1']").wait_for(timeout=60_000)
            positions = [int(200 + 150 * ((i * 37) % 41 - 20) / 20) for i in range(n)]  # jumps over the track
            drag = frame.locator("body").evaluate(f"(b, p) => ({DRAG_JS})(p)", positions)
            trips = []
            for _ in range(releases):
                trips.append(frame.locator("body").evaluate(f"() => ({RELEASE_JS})()"))
                pg.wait_for_selector(
                    "[data-test-script-state='notRunning']", state="attached", timeout=90_000
                )
                time.sleep(0.3)
        finally:
            browser.close()
    p50, p95 = statistics.median(drag), percentile(drag, 95)
    trip = statistics.median(trips)
    return [
        (f"in-player lr drag, input -> frame painted ({n} moves)", f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms"),
        (f"server round trip, release -> new spec painted ({releases})", f"median {trip:6.0f} ms"),
        ("  drag speed-up vs the round trip", f"{trip / p50:6.0f}x"),
    ]


def rows() -> list[tuple[str, str]]:
    return engine_rows() + server_rows() + browser_rows()


def main() -> None:
    for k, v in rows():
        print(f"{k:<72} {v}")


if __name__ == "__main__":
    main()
