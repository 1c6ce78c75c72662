"""Server time for one slider change in the default view: one rerun of the app script.

Three measurements, all of the default view (quadratic, SGD, 100 steps):

1. **AppTest** (``streamlit.testing.v1``): the app runs once, then the lr changes 30 times.
   ``app.py`` is run through a small wrapper script that times the script itself (wall clock and the
   script thread's CPU time, which load on a shared machine inflates less), so the table shows both
   ``at.run()`` (script + AppTest's bookkeeping) and the script alone (engine, figure building and
   Streamlit's element serialization to protobuf: what a server does per rerun).
   * "new lr": 30 distinct values typed into the exact-lr box, each a cache miss (engine + figures).
   * "slider, revisited": 30 moves of the lr slider among grid values already shown (cache hits).
2. **Pipeline parts** without Streamlit: ``pipeline.simulate``, the figure builders, and what
   ``st.plotly_chart`` does to a dict figure (``plotly.tools.return_figure_from_figure_or_data``
   builds and validates a ``plotly.graph_objects.Figure``).
3. **A served app over its websocket** (``stclient``): from sending ``rerun_script`` with a new
   ``?lr=`` to receiving ``script_finished`` (includes protobuf serialization, the socket, and the
   ``gc.collect(2)`` Streamlit runs after every script run unless ``runner.postScriptGC`` is false:
   measured both ways).

Then where a cold rerun's time goes, in buckets (engine, figure builders, ``st.plotly_chart``, the
player component call, caching, widgets, other elements, the rest):

* sampled in the AppTest script thread (``Sampler``: reads the thread's stack every 1 ms; little
  overhead, no bias toward call-heavy code);
* a pyinstrument profile of 10 more reruns (its hooks on every call inflate a rerun by ~60 % and
  over-weight call-heavy code such as Plotly's validators; its full tree goes to ``--profile-out``);
* the served app run by ``sampled_server.py`` (all server threads sampled): the script's buckets plus
  protobuf serialization and the web server around it.

Run: ``python benchmarks/bench_server.py`` (``--no-ws`` skips the served app, ``--no-profile`` the
profile).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

from stclient import APP, Client, Server, badge_ok, percentile

SINK = "_lrlab_bench_sink"
WRAPPER = f"""
import runpy, sys, threading, time
sink = sys.modules[{SINK!r}]
prof = None
if sink.profile:
    from pyinstrument import Profiler
    prof = Profiler(interval=0.001)
    prof.start()
if sink.sampler is not None:
    sink.sampler.watch(threading.get_ident())
w0, c0 = time.perf_counter(), time.thread_time()
try:
    runpy.run_path({str(APP)!r}, run_name="__main__")
finally:
    sink.runs.append((time.perf_counter() - w0, time.thread_time() - c0))
    if sink.sampler is not None:
        sink.sampler.watch(None)
    if prof is not None:
        prof.stop()
        sink.sessions.append(prof.last_session)
"""
BUDGET_MS = 60
N_CHANGES = 30
GRID = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)


def _sink() -> types.ModuleType:
    sink = sys.modules.get(SINK)
    if sink is None:
        sink = types.ModuleType(SINK)
        sys.modules[SINK] = sink
    sink.profile, sink.runs, sink.sessions, sink.sampler = False, [], [], None
    return sink


def _stats(xs) -> str:
    ms = [x * 1e3 for x in xs]
    return f"median {statistics.median(ms):6.1f} ms, p95 {percentile(ms, 95):6.1f} ms"


class Harness:
    """AppTest of app.py through the timing wrapper."""

    def __init__(self):
        import logging

        from streamlit.testing.v1 import AppTest

        # AppTest run outside a server logs "missing ScriptRunContext" warnings: harmless here
        for name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching"):
            logging.getLogger(name).setLevel(logging.ERROR)

        self.sink = _sink()
        self.dir = tempfile.mkdtemp(prefix="lrlab-bench-")
        path = Path(self.dir) / "wrapped_app.py"
        path.write_text(WRAPPER)
        self.at = AppTest.from_file(str(path), default_timeout=120)
        self.lr_i = 0

    def run(self) -> tuple[float, float, float]:
        """(at.run() wall, script wall, script CPU) of one rerun."""
        n = len(self.sink.runs)
        t0 = time.perf_counter()
        self.at.run()
        total = time.perf_counter() - t0
        if self.at.exception:
            raise RuntimeError(f"the app raised: {[e.value for e in self.at.exception]}")
        wall, cpu = self.sink.runs[n]
        return total, wall, cpu

    def new_lr(self) -> tuple[float, float, float]:
        """Type an lr never used before in this process (a cache miss)."""
        self.lr_i += 1
        lr = round(0.1 + 0.00037 * self.lr_i, 6)
        self.at.number_input(key="w.lr").set_value(lr)
        out = self.run()
        badge = next(h.proto.body for h in self.at.get("html") if "lr-badges" in h.proto.body)
        if f"lr = {lr:.4g}" not in badge:
            raise RuntimeError(f"the rerun did not show lr = {lr:.4g}")
        return out

    def slider(self, value: float) -> tuple[float, float, float]:
        self.at.selectbox(key="w.lr_grid").set_value(value)
        return self.run()


def apptest_rows(h: Harness) -> list[tuple[str, str]]:
    t0 = time.perf_counter()
    h.run()
    first = time.perf_counter() - t0
    for _ in range(3):  # warm-up: imports, plotly's validators, first-use caches
        h.new_lr()
    cold = [h.new_lr() for _ in range(N_CHANGES)]
    for v in GRID:  # first visit of each grid value fills the cache
        h.slider(v)
    warm = [h.slider(GRID[(3 * i + 1) % len(GRID)]) for i in range(N_CHANGES)]
    rows = [("AppTest: first run of the app (imports, caches empty)", f"{first * 1e3:8.0f} ms")]
    for name, data in (("new lr (cache miss)", cold), ("slider, revisited values (cache hit)", warm)):
        total, wall, cpu = zip(*data, strict=True)
        rows += [
            (f"rerun, {name}: at.run() wall", _stats(total)),
            (f"rerun, {name}: script alone, wall", _stats(wall)),
            (f"rerun, {name}: script alone, CPU", _stats(cpu)),
        ]
    med = statistics.median(w for _, w, _ in cold) * 1e3
    rows.append(
        (
            "  budget: server rerun median <= 60 ms (new lr, script wall)",
            f"{'met' if med <= BUDGET_MS else 'NOT met'}",
        )
    )
    return rows


def _median_ms(fn, n: int = 15) -> float:
    fn()
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3


def parts_rows() -> list[tuple[str, str]]:
    """The pipeline's parts for one new lr, without Streamlit."""
    import plotly.tools

    from lrlab.figures import surface as F
    from lrlab.ui.explorer import config as C
    from lrlab.ui.explorer import pipeline as P

    cfg = C.DEFAULT
    surf = C.build_surface(cfg)
    res = P.simulate(cfg, surf)
    spec = F.player_spec(surf, res.runs, res.start, focus=0)
    figs = [F.loss_figure(surf, res.runs), F.lr_figure(res.runs), F.grad_norm_figure(res.runs)]
    rows = [
        (
            "part: pipeline.simulate (descend + regime + theory)",
            f"{_median_ms(lambda: P.simulate(cfg, surf)):8.2f} ms",
        ),
        (
            "part: player_spec (whole)",
            f"{_median_ms(lambda: F.player_spec(surf, res.runs, res.start)):8.2f} ms",
        ),
        (
            "part:   map_static (81x81 contour grid)",
            f"{_median_ms(lambda: F.map_static(surf, res.start)):8.2f} ms",
        ),
        (
            "part:   surface3d_static (49x49 grid)",
            f"{_median_ms(lambda: F.surface3d_static(surf, res.start)):8.2f} ms",
        ),
        (
            "part:   spec id (_fingerprint of the inputs)",
            f"{_median_ms(lambda: F._fingerprint(surf, res.runs, res.start, spec)):8.2f} ms",
        ),
        (
            "part: loss + lr + grad-norm figure dicts",
            f"{_median_ms(lambda: [F.loss_figure(surf, res.runs), F.lr_figure(res.runs), F.grad_norm_figure(res.runs)]):8.2f} ms",  # noqa: E501
        ),
        ("part: runs_csv", f"{_median_ms(lambda: F.runs_csv(res.runs)):8.2f} ms"),
        (
            "ref.: go.Figure validation of 3 line charts (no longer on the default page)",
            f"{_median_ms(lambda: [plotly.tools.return_figure_from_figure_or_data(f, True) for f in figs]):8.2f} ms",  # noqa: E501
        ),
        (
            "part: json.dumps of the player spec (component args)",
            f"{_median_ms(lambda: json.dumps(spec)):8.2f} ms",
        ),
    ]
    return rows


# -- profile ---------------------------------------------------------------------------------------

BUCKETS = (
    "engine (lrlab: descend, regimes, theory)",
    "figure builders (lrlab.figures)",
    "st.plotly_chart (go.Figure validation + JSON)",
    "player component call (args JSON)",
    "st.cache_data/resource (hashing, copies)",
    "widgets (sidebar controls)",
    "other st elements (markdown, html, layout)",
    "UI glue (lrlab.ui: config, callbacks)",
    "Streamlit runtime / other",
)
STICKY = {BUCKETS[2], BUCKETS[3], BUCKETS[4], BUCKETS[5], BUCKETS[6]}


def _bucket_of(path: str, fn: str, current: str) -> str:
    """The bucket of a frame (file ``path``, function ``fn``) called from inside bucket ``current``:
    the innermost rule wins, except that code running inside a Streamlit element stays that element's
    unless it is lrlab's own (a cache miss calling the engine or the figure builders)."""
    path = path.replace("\\", "/")
    if "/lrlab/figures/" in path:
        return BUCKETS[1]
    if ("/lrlab/" in path and "/lrlab/ui/" not in path) or "/lrlab/ui/explorer/pipeline.py" in path:
        return BUCKETS[0]
    if current in STICKY:
        return current
    if "streamlit/elements/plotly_chart.py" in path and "plotly_chart" in fn:
        return BUCKETS[2]
    if "/lrlab/ui/player.py" in path or "streamlit/components/" in path:
        return BUCKETS[3]
    if "streamlit/runtime/caching/" in path:
        return BUCKETS[4]
    if "streamlit/elements/widgets/" in path:
        return BUCKETS[5]
    if "streamlit/elements/" in path:
        return BUCKETS[6]
    if "/lrlab/ui/" in path:
        return BUCKETS[7]
    return current


class Sampler:
    """A statistical profiler with little overhead: a thread that reads the watched thread's stack
    (``sys._current_frames``) every ``interval`` seconds and counts the bucket of its innermost frame.
    Unlike pyinstrument (which hooks every call and here slows a rerun down by ~60 %), it does not
    inflate call-heavy code such as Plotly's validators."""

    def __init__(self, interval: float = 0.001):
        import threading

        self.interval = interval
        self.target: int | None = None
        self.counts = dict.fromkeys(BUCKETS, 0)
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def watch(self, thread_id: int | None) -> None:
        self.target = thread_id

    def __enter__(self) -> Sampler:
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(self.interval / 2)  # let the sampler in between the watched thread's bytecodes
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._switch)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            tid = self.target
            frame = sys._current_frames().get(tid) if tid is not None else None
            if frame is None:
                continue
            stack = []
            while frame is not None:
                stack.append(frame.f_code)
                frame = frame.f_back
            bucket = BUCKETS[8]
            for code in reversed(stack):
                bucket = _bucket_of(code.co_filename, code.co_name, bucket)
            self.counts[bucket] += 1
            self.samples += 1


def bucket_times(root) -> dict[str, float]:
    """Seconds per bucket of a pyinstrument tree: each frame's self time goes to its bucket."""
    out = dict.fromkeys(BUCKETS, 0.0)
    stack = [(root, BUCKETS[8])]
    while stack:
        frame, current = stack.pop()
        b = _bucket_of(frame.file_path or "", frame.function or "", current)
        out[b] += frame.time - sum(c.time for c in frame.children)
        stack += [(c, b) for c in frame.children]
    return out


def profile_rows(h: Harness, n: int = 20, out: Path | None = None) -> list[tuple[str, str]]:
    """Where a cold rerun's time goes: sampled buckets over ``n`` reruns, then a pyinstrument tree of
    10 more (its buckets too, for comparison; the tree is written to ``out``). Without pyinstrument
    (the ``bench`` extra) the tree is skipped, with the reason in the table; the sampled part stays."""
    n0 = len(h.sink.runs)
    with Sampler() as sampler:
        h.sink.sampler = sampler
        try:
            for _ in range(n):
                h.new_lr()
        finally:
            h.sink.sampler = None
    wall = statistics.median(w for w, _ in h.sink.runs[n0:])
    rows = [
        (
            f"profile (sampled, {sampler.samples} samples): cold rerun, script wall median",
            f"{wall * 1e3:8.1f} ms  (100%)",
        )
    ]
    total = max(sampler.samples, 1)
    for name, c in sorted(sampler.counts.items(), key=lambda kv: -kv[1]):
        rows.append((f"  {name}", f"{wall * c / total * 1e3:8.1f} ms  ({c / total:4.0%})"))

    if importlib.util.find_spec("pyinstrument") is None:
        why = "skipped: pyinstrument is not installed (pip install -e '.[bench]')"
        rows.append(("pyinstrument tree", why))
        return rows
    from pyinstrument.renderers import ConsoleRenderer  # here: the one part that needs the bench extra
    from pyinstrument.session import Session

    h.sink.profile, h.sink.sessions = True, []
    try:
        for _ in range(10):
            h.new_lr()
    finally:
        h.sink.profile = False
    session = h.sink.sessions[0]
    for s in h.sink.sessions[1:]:
        session = Session.combine(session, s)
    root = session.root_frame()
    shares = bucket_times(root)
    top = sorted(shares.items(), key=lambda kv: -kv[1])[:4]
    rows.append(
        (
            "pyinstrument, 10 cold reruns: ms per rerun (inflated by its hooks)",
            f"{root.time / 10 * 1e3:6.1f} ms; "
            + ", ".join(f"{k.split(' (')[0]} {v / root.time:.0%}" for k, v in top),
        )
    )
    if out is not None:
        text = ConsoleRenderer(unicode=True, color=False, show_all=False, time="seconds").render(session)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        rows.append(("  full pyinstrument tree written to", str(out)))
    return rows


# -- websocket -------------------------------------------------------------------------------------


async def _ws(srv: Server, tag: str = "") -> list[tuple[str, str]]:
    c = Client(srv.ws_url)
    await c.connect()
    first = await c.rerun("")
    for i in range(3):
        await c.rerun(f"lr={0.3 + 0.001 * i:g}")
    times, bad, size = [], 0, 0
    for i in range(N_CHANGES):
        lr = round(0.2 + 0.00053 * (i + 1), 6)
        r = await c.rerun(f"lr={lr:g}")
        times.append(r.seconds)
        bad += not badge_ok(r, lr)
        size = max(size, r.n_bytes)
    await c.close()
    return [
        (f"served app{tag}: first rerun over the websocket", f"{first.seconds * 1e3:8.0f} ms"),
        (f"served app{tag}: rerun_script(?lr=new) -> script_finished", _stats(times)),
        (
            f"served app{tag}: bytes per rerun / reruns without the right badge",
            f"{size / 1000:.0f} KB / {bad}",
        ),
    ]


NO_GC = ("--runner.postScriptGC=false",)


def ws_rows() -> list[tuple[str, str]]:
    """The served app as configured, then with Streamlit's post-run ``gc.collect(2)`` switched off
    (``runner.postScriptGC``): a full collection of every object the server holds, after every rerun,
    before ``script_finished`` is sent."""
    out = []
    for flags, tag in (((), ""), (NO_GC, " (postScriptGC=false)")):
        with Server(extra=flags) as srv:
            out += asyncio.run(_ws(srv, tag))
    return out


async def _ws_window(srv: Server, out: Path, n: int) -> dict:
    c = Client(srv.ws_url)
    await c.connect()
    await c.rerun("")
    for i in range(3):
        await c.rerun(f"lr={0.4 + 0.001 * i:g}")
    await asyncio.sleep(1.5)  # the sampler writes its counts every second
    before = json.loads(out.read_text())
    for i in range(n):
        await c.rerun(f"lr={0.25 + 0.00041 * (i + 1):g}")
    await asyncio.sleep(1.5)
    after = json.loads(out.read_text())
    await c.close()
    return {k: after.get(k, 0) - before.get(k, 0) for k in after}


def ws_profile_rows(n: int = 20) -> list[tuple[str, str]]:
    """The served app under ``sampled_server``: where the server's busy time goes over ``n`` cold
    reruns, script and everything around it (serialization, the web server)."""
    out = Path(tempfile.mkdtemp(prefix="lrlab-bench-")) / "samples.json"
    launcher = str(Path(__file__).with_name("sampled_server.py"))
    with Server(launcher=launcher, env={"LRLAB_SAMPLE_OUT": str(out)}) as srv:
        deadline = time.monotonic() + 10
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        d = asyncio.run(_ws_window(srv, out, n))
    d.pop("_ticks", None)
    busy = sum(d.values()) or 1
    rows = [(f"served app, sampled ({busy} busy samples over {n} cold reruns): share of server time", "")]
    for name, c in sorted(d.items(), key=lambda kv: -kv[1]):
        if c:
            rows.append((f"  {name}", f"{c / busy:4.0%}"))
    return rows


def rows(ws: bool = True, profile: bool = True, profile_out: Path | None = None) -> list[tuple[str, str]]:
    h = Harness()
    out = apptest_rows(h) + parts_rows()
    if profile:
        out += profile_rows(h, out=profile_out)
    if ws:
        out += ws_rows()
        if profile:
            out += ws_profile_rows()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-ws", action="store_true", help="skip the served app")
    ap.add_argument("--no-profile", action="store_true", help="skip the pyinstrument profile")
    ap.add_argument(
        "--profile-out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "lrlab-bench" / "rerun_profile.txt",
        help="where to write the full pyinstrument tree",
    )
    args = ap.parse_args()
    rs = rows(ws=not args.no_ws, profile=not args.no_profile, profile_out=args.profile_out)
    width = max(len(r[0]) for r in rs)
    for name, val in rs:
        print(f"{name:<{width}}  {val}")


if __name__ == "__main__":
    main()
