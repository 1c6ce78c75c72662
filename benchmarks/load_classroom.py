"""A classroom at once: 30 concurrent sessions changing settings for 60 s against a local server.

Each session is a websocket client speaking Streamlit's protocol (``stclient``), which costs the
server what a browser tab costs it, without 30 Chromiums on a 2-core machine. Every app setting lives
in the URL (``lrlab.ui.explorer.config``) and the explorer re-seeds its widgets when the query string
changes, so each update sends ``rerun_script`` with a new query string: mostly a new lr (a slider
move), sometimes another surface, optimizer or number of steps, as a student would. Between updates a
session "thinks" 0.5 to 2 s (seeded random; ``--think``), so 30 students ask for up to ~24 updates a
second in all: more than a real class, on purpose.

Checked per update: the rerun finishes (``script_finished`` = success within 30 s), no exception
element, and the badge block names the requested lr (proof that the server really reran with the new
settings). Anything else counts as an error, as does a failed connection.

Reported: updates, errors (goal 0), update latency p50/p95/max (from sending the request to
``script_finished``), the server's CPU time per update (``/proc/PID/stat``: what bounds its
throughput, as reruns share one interpreter), and the server's RSS sampled every 2 s.

Bounded: at most 60 sessions and 300 s (defaults 30 and 60 s), 127.0.0.1 only; the server is started
here and killed at the end.

Run: ``python benchmarks/load_classroom.py [--sessions 30] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

from stclient import Client, Server, badge_ok, load_average, percentile

MAX_SESSIONS, MAX_SECONDS = 60, 300
LRS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
VIEWS = (
    "surface=quadratic&opt=sgd",
    "surface=ravine&opt=momentum",
    "surface=rosenbrock&opt=adam",
    "surface=himmelblau&opt=sgd",
    "surface=quadratic&opt=nesterov",
)
STEPS = (100, 100, 100, 200, 300)


class Stats:
    def __init__(self):
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.rss: list[tuple[float, float]] = []
        self.loads: list[float] = []
        self.cpu = 0.0


async def student(i: int, srv: Server, stats: Stats, stop_at: float, think: tuple[float, float]) -> None:
    rng = random.Random(i)
    c = Client(srv.ws_url, timeout=30.0)
    try:
        await c.connect()
        first = await c.rerun("")
        if first.status != 0 or first.exceptions:
            stats.errors.append(f"session {i}: first run failed {first.exceptions}")
        else:
            stats.loads.append(first.seconds)
        view, steps = VIEWS[i % len(VIEWS)], 100
        while time.monotonic() < stop_at:
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= stop_at:
                break
            roll = rng.random()
            if roll < 0.1:
                view = rng.choice(VIEWS)
            elif roll < 0.15:
                steps = rng.choice(STEPS)
            lr = rng.choice(LRS) * rng.choice((1.0, 1.5))  # also values the caches have not seen
            lr = float(f"{lr:.4g}")
            try:
                r = await c.rerun(f"{view}&lr={lr:g}&steps={steps}")
            except (TimeoutError, OSError) as e:
                stats.errors.append(f"session {i}: {type(e).__name__}: {e}")
                continue
            if badge_ok(r, lr):
                stats.latencies.append(r.seconds)
            else:
                why = r.exceptions or f"status {r.status}, badge without lr = {lr:.4g}"
                stats.errors.append(f"session {i}: {why}")
    except Exception as e:  # noqa: BLE001 - a failed session is an error to report, not a crash
        stats.errors.append(f"session {i}: {type(e).__name__}: {e}")
    finally:
        await c.close()


async def sample_rss(srv: Server, stats: Stats, t0: float, stop_at: float) -> None:
    while time.monotonic() < stop_at + 5:
        stats.rss.append((time.monotonic() - t0, srv.rss_mb()))
        await asyncio.sleep(2.0)


async def classroom(
    sessions: int, seconds: float, think: tuple[float, float], server_flags: tuple[str, ...] = ()
) -> tuple[Stats, float, float]:
    stats = Stats()
    with Server(extra=server_flags) as srv:
        idle = srv.rss_mb()
        warm = Client(srv.ws_url)  # the first run of a fresh server imports everything: not a student's
        await warm.connect()
        await warm.rerun("")
        await warm.close()
        cpu0 = srv.cpu_seconds()
        t0 = time.monotonic()
        stop_at = t0 + seconds
        sampler = asyncio.create_task(sample_rss(srv, stats, t0, stop_at))
        tasks = [asyncio.create_task(student(i, srv, stats, stop_at, think)) for i in range(sessions)]
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 60)
        except TimeoutError:
            stats.errors.append("the classroom did not finish within its time limit")
            for t in tasks:
                t.cancel()
        elapsed = time.monotonic() - t0
        stats.cpu = srv.cpu_seconds() - cpu0
        sampler.cancel()
    return stats, idle, elapsed


def rows(
    sessions: int = 30,
    seconds: float = 60.0,
    think: tuple[float, float] = (0.5, 2.0),
    server_flags: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    sessions = max(1, min(int(sessions), MAX_SESSIONS))
    seconds = max(5.0, min(float(seconds), MAX_SECONDS))
    think = (max(0.1, think[0]), max(think[0], think[1], 0.1))
    before = load_average()
    stats, idle, elapsed = asyncio.run(classroom(sessions, seconds, think, server_flags))
    lat = [x * 1e3 for x in stats.latencies]
    rss = [m for _, m in stats.rss]
    timeline = " ".join(f"{t:.0f}s:{m:.0f}" for t, m in stats.rss[::5])
    out = [
        ("classroom: machine before the run", before),
        ("classroom: server flags", " ".join(server_flags) or "(none)"),
        (
            f"classroom: {sessions} sessions for {seconds:.0f} s, think {think[0]:g}-{think[1]:g} s",
            f"{len(lat)} updates in {elapsed:.0f} s ({len(lat) / elapsed:.1f}/s)",
        ),
        (
            "classroom: server CPU per update (all threads)",
            f"{stats.cpu / max(len(lat) + len(stats.loads), 1) * 1e3:.0f} ms "
            f"({stats.cpu / elapsed:.0%} of one core; page loads counted as updates)",
        ),
        ("classroom: errors (goal 0)", f"{len(stats.errors)}"),
    ]
    if stats.loads:
        loads = [x * 1e3 for x in stats.loads]
        out.append(
            ("classroom: page load (first run of a session)", f"p50 {statistics.median(loads):6.0f} ms")
        )
    if lat:
        out.append(
            (
                "classroom: update latency",
                f"p50 {statistics.median(lat):6.0f} ms, p95 {percentile(lat, 95):6.0f} ms, "
                f"max {max(lat):6.0f} ms",
            )
        )
    if rss:
        out += [
            ("classroom: server RSS idle / peak / last", f"{idle:.0f} / {max(rss):.0f} / {rss[-1]:.0f} MB"),
            ("classroom: RSS over time (s:MB, every 10 s)", timeline),
        ]
    out.append(("classroom: machine after the run", load_average()))
    for e in stats.errors[:5]:
        out.append(("  error", e[:150]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=30, help=f"concurrent sessions (at most {MAX_SESSIONS})")
    ap.add_argument("--seconds", type=float, default=60.0, help=f"duration (at most {MAX_SECONDS})")
    ap.add_argument("--think", type=float, nargs=2, default=(0.5, 2.0), help="pause between updates, s")
    ap.add_argument(
        "--server-flag",
        action="append",
        default=[],
        help="a streamlit flag, e.g. --runner.postScriptGC=false",
    )
    args = ap.parse_args()
    rs = rows(args.sessions, args.seconds, tuple(args.think), tuple(args.server_flag))
    width = max(len(r[0]) for r in rs)
    for name, val in rs:
        print(f"{name:<{width}}  {val}")


if __name__ == "__main__":
    main()
