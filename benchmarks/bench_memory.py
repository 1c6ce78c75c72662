"""Server memory: resident set size of ``streamlit run app.py`` with 1 and with 10 sessions.

Sessions are websocket clients speaking Streamlit's protocol (``stclient``): for the server a
session is the same whether a browser or this client holds the socket (session state, script runs,
message cache). Each session opens the default view and then changes the lr a few times.

* "same views": every session shows the same 4 configurations, so the engine/figure caches are
  shared and the growth is the cost of a session itself.
* "own views": every session shows 4 configurations of its own, so the caches fill too (they are
  bounded: ``max_entries`` on ``st.cache_data`` in ``lrlab.ui.explorer.page``).

RSS is read from psutil if installed, else ``/proc/PID/status`` (VmRSS), after a 1 s pause.

Run: ``python benchmarks/bench_memory.py``.
"""

from __future__ import annotations

import asyncio
import gc
import time

from stclient import Client, Server, badge_ok

N_SESSIONS = 10
BUDGET_ONE_MB, BUDGET_EXTRA_MB = 250, 15


def _settle_rss(srv: Server) -> float:
    gc.collect()
    time.sleep(1.0)
    return srv.rss_mb()


async def _open(srv: Server, lrs) -> tuple[Client, int]:
    c = Client(srv.ws_url)
    await c.connect()
    bad = 0
    r = await c.rerun("")
    bad += r.status != 0 or bool(r.exceptions)
    for lr in lrs:
        r = await c.rerun(f"lr={lr:g}")
        bad += not badge_ok(r, lr)
    return c, bad


async def _scenario(own_views: bool, server_flags: tuple[str, ...] = ()) -> dict:
    out = {}
    with Server(extra=server_flags) as srv:
        out["idle"] = _settle_rss(srv)
        clients, bad = [], 0
        rss = []
        for i in range(N_SESSIONS):
            lrs = [round(0.01 + 0.0131 * (4 * i + j), 6) for j in range(3)] if own_views else [0.05, 0.2, 0.3]
            c, b = await _open(srv, lrs)
            clients.append(c)
            bad += b
            rss.append(_settle_rss(srv))
        for c in clients:
            await c.close()
        out["closed"] = _settle_rss(srv)
        out["rss"] = rss
        out["bad"] = bad
    return out


def rows(server_flags: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    out = []
    for own in (False, True):
        m = asyncio.run(_scenario(own, server_flags))
        name = "own views" if own else "same views"
        one, ten = m["rss"][0], m["rss"][-1]
        extra = (ten - one) / (N_SESSIONS - 1)
        ok = one <= BUDGET_ONE_MB and extra <= BUDGET_EXTRA_MB
        out += [
            (f"memory ({name}): server idle, no session", f"{m['idle']:7.1f} MB"),
            (f"memory ({name}): 1 session", f"{one:7.1f} MB"),
            (f"memory ({name}): {N_SESSIONS} sessions", f"{ten:7.1f} MB"),
            (
                f"  per extra session ({name})",
                f"{extra:7.1f} MB  ({'within' if ok else 'OVER'} 250 MB / 15 MB)",
            ),
            (
                f"  after all {N_SESSIONS} closed ({name}) / wrong reruns",
                f"{m['closed']:7.1f} MB / {m['bad']}",
            ),
            (
                f"  RSS after each session opened ({name})",
                " ".join(f"{x:.0f}" for x in m["rss"]) + " MB",
            ),
        ]
    return out


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--server-flag",
        action="append",
        default=[],
        help="a streamlit flag, e.g. --runner.postScriptGC=false",
    )
    args = ap.parse_args()
    rs = rows(tuple(args.server_flag))
    if args.server_flag:
        rs.insert(0, ("server flags", " ".join(args.server_flag)))
    width = max(len(r[0]) for r in rs)
    for name, val in rs:
        print(f"{name:<{width}}  {val}")


if __name__ == "__main__":
    main()
