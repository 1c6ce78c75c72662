"""Run every quick benchmark and print ONE table, then the budgets of issue #5 with their status.

    python benchmarks/run_all.py                    # everything below, ~4 min on 2 cores
    python benchmarks/run_all.py --skip browser     # without Playwright/Chromium
    python benchmarks/run_all.py --only engine,mlp  # a subset

Sections: engine (``bench_engine``: Adam on Rosenbrock vs torch loops, the NumPy floor), mlp
(``bench_mlp``), payload (``bench_payload``, with ``--wire``), server (``bench_server``), browser
(``bench_browser``), pages (``bench_pages``: each page's weight above a hello-world floor, the map's
first drawing, the NN lab's redraw), memory (``bench_memory``), fan (``bench_fan``: the lr fan's engine
speed against torch loops, the rerun and payload with the fan, the in-player drag against a server
round trip), wire (``bench_wire``: the bytes a laptop receives through a counting proxy, with and
without websocket compression). The classroom load test is separate:
``python benchmarks/load_classroom.py`` (60 s + set-up).

Extras: ``test`` (Playwright) and ``parity`` (torch) are enough for every section; without
pyinstrument (the ``bench`` extra) the server section skips only its profile tree and says so.

The machine is shared: the load average is printed before and after, and every ratio is measured
side by side in one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stclient import load_average  # noqa: E402

SECTIONS = ("engine", "mlp", "payload", "server", "browser", "pages", "memory", "fan", "wire")


def section_rows(name: str) -> list[tuple[str, str]]:
    if name == "engine":
        import bench_engine as b

        return b.rosenbrock_adam() + b.numpy_floor() + b.adam_floor() + b.batch_scaling() + b.noise_cost()
    if name == "mlp":
        import bench_mlp as b

        return b.rows()
    if name == "payload":
        import bench_payload as b

        return b.rows() + b.wire_rows()
    if name == "server":
        import bench_server as b

        return b.rows(ws=True, profile=True)
    if name == "browser":
        import bench_browser as b

        return b.rows()
    if name == "pages":
        import bench_pages as b

        return b.rows()
    if name == "memory":
        import bench_memory as b

        return b.rows()
    if name == "fan":
        import bench_fan as b

        return b.rows()
    if name == "wire":
        import bench_wire as b

        return b.rows()
    raise ValueError(f"unknown section {name!r}; accepted: {', '.join(SECTIONS)}")


def versions() -> str:
    out = [f"python {platform.python_version()}"]
    for mod in ("numpy", "streamlit", "plotly", "torch"):
        try:
            out.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            out.append(f"{mod} -")
    return ", ".join(out)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _find(rows, prefix: str) -> str | None:
    return next((v for k, v in rows if k.strip().startswith(prefix)), None)


def _num(text: str | None, pattern: str) -> float | None:
    if text is None:
        return None
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def budgets(results: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str, str, str]]:
    """(budget, measured, target, status) read back from the sections' rows."""
    out = []

    def add(name, value, target, ok):
        status = "-" if ok is None else ("met" if ok else "NOT met")
        out.append((name, value if value is not None else "-", target, status))

    eng = results.get("engine", [])
    ratio = _num(_find(eng, "speed-up (default call"), r"(\d+)x")
    add(
        "engine: Adam/Rosenbrock 20 lrs x 500 vs torch loops",
        ratio and f"{ratio:.0f}x",
        ">= 300x",
        ratio and ratio >= 300,
    )
    mlp = results.get("mlp", [])
    r = _num(_find(mlp, "speed-up vs same-records"), r"([\d.]+)x")
    add(
        "engine: MLP 12 lrs x 300 (sgd) vs torch loops, same records, CPU",
        r and f"{r:.1f}x",
        ">= 8x",
        r and r >= 8,
    )
    srv = results.get("server", [])
    med = _num(_find(srv, "rerun, new lr (cache miss): script alone, wall"), r"median\s+([\d.]+)")
    add(
        "server: one rerun, new lr (script wall, AppTest)",
        med and f"{med:.0f} ms",
        "median <= 60 ms",
        med and med <= 60,
    )
    ws = _find(srv, "served app: rerun_script")
    add(
        "server: served rerun request -> script_finished",
        ws and ws.split(",")[0].strip(),
        "(for reference)",
        None,
    )
    br = _find(results.get("browser", []), "browser: lr typed, Enter -> chart repainted, all")
    bmed, bp95 = _num(br, r"median\s+([\d.]+)"), _num(br, r"p95\s+([\d.]+)")
    ok = None if bmed is None else (bmed <= 300 and bp95 <= 600)
    add(
        "browser: slider -> chart repainted",
        br and f"median {bmed:.0f} ms, p95 {bp95:.0f} ms",
        "<= 300 / 600 ms",
        ok,
    )
    pages = results.get("pages", [])
    for page in ("explorer", "explorer + schedule preview", "NN lab", "Learn"):
        mb = _num(_find(pages, f"pages: {page} above the floor"), r"^([\d.]+) MB")
        add(
            f"pages: {page}, cold, HTTP above the hello-world floor",
            mb and f"{mb:.2f} MB",
            "<= 0.8 MB",
            mb and mb <= 0.8,
        )
    t = _num(_find(pages, "pages: explorer map drawn"), r"median ([\d.]+) s")
    add("pages: explorer map drawn after navigation, cold", t and f"{t:.2f} s", "<= 2.5 s", t and t <= 2.5)
    nn = _num(_find(pages, "pages: NN lab lrs change"), r"p50 ([\d.]+) ms")
    add(
        "pages: NN lab lrs change -> loss chart repainted",
        nn and f"p50 {nn:.0f} ms",
        "<= 1 s",
        nn and nn <= 1000,
    )
    pay = results.get("payload", [])
    kb = _num(_find(pay, "payload rosenbrock, adam, lr 0.001/0.01/0.05, 1000 steps"), r"([\d.]+) KB JSON")
    add("payload: 3 runs x 1000 steps (heavy case)", kb and f"{kb:.0f} KB", "<= 600 KB", kb and kb <= 600)
    fit = _find(pay, "linear fit rosenbrock")
    res = _num(fit, r"residual ([\d.]+)%")
    add(
        "payload: linear in steps (max residual of a line)",
        fit and fit.split(";")[-1].strip(),
        "linear",
        res < 10 if res is not None else None,
    )
    mem = results.get("memory", [])
    one = _num(_find(mem, "memory (same views): 1 session"), r"([\d.]+) MB")
    add("memory: one session RSS", one and f"{one:.0f} MB", "<= 250 MB", one and one <= 250)
    ext = [_num(_find(mem, f"per extra session ({v})"), r"([\d.]+) MB") for v in ("same views", "own views")]
    ext = [e for e in ext if e is not None]
    add(
        "memory: per extra session (10 sessions)",
        "/".join(f"{e:.1f}" for e in ext) + " MB" if ext else None,
        "<= 15 MB",
        max(ext) <= 15 if ext else None,
    )
    fan = results.get("fan", [])
    r = _num(_find(fan, "fan speed-up vs torch"), r"(\d+)x")
    add("fan: 128 lrs x 300 Adam vs torch loops", r and f"{r:.0f}x", ">= 400x", r and r >= 400)
    t = _num(_find(fan, "rerun work, default view"), r"([\d.]+) ms")
    add("fan: rerun work incl. the fan, default view", t and f"{t:.0f} ms", "<= 60 ms", t and t <= 60)
    for label, cap in (("defaults", 600), ("2000 steps", 1200)):
        kb = _num(_find(fan, f"player payload, {label}"), r"([\d.]+) KB")
        add(f"fan: player payload, {label}", kb and f"{kb:.0f} KB", f"<= {cap} KB", kb and kb <= cap)
    drag = _find(fan, "in-player lr drag")
    p50, p95 = _num(drag, r"p50\s+([\d.]+)"), _num(drag, r"p95\s+([\d.]+)")
    add(
        "fan: in-player drag p50 / p95",
        p50 and f"{p50:.0f} / {p95:.0f} ms",
        "<= 16 / 33 ms",
        p50 and p50 <= 16 and p95 <= 33,
    )
    x = _num(_find(fan, "drag speed-up vs the round trip"), r"(\d+)x")
    add("fan: drag vs server round trip", x and f"{x:.0f}x", ">= 10x", x and x >= 10)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help=f"comma-separated sections of: {', '.join(SECTIONS)}")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip")
    args = ap.parse_args()
    chosen = [s.strip() for s in args.only.split(",")] if args.only else list(SECTIONS)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    chosen = [s for s in chosen if s not in skip]
    for s in chosen:
        if s not in SECTIONS:
            ap.error(f"unknown section {s!r}; accepted: {', '.join(SECTIONS)}")

    print(f"LR Lab benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, {cpu_model()}")
    print(versions())
    print(f"before: {load_average()}")
    results: dict[str, list[tuple[str, str]]] = {}
    timings = {}
    for s in chosen:
        t0 = time.perf_counter()
        try:
            results[s] = section_rows(s)
        except Exception as e:  # noqa: BLE001 - one broken section must not hide the others
            results[s] = [(f"{s}: FAILED", f"{type(e).__name__}: {e}")]
        timings[s] = time.perf_counter() - t0
        results[s].append((f"({s}: {timings[s]:.0f} s; {load_average()})", ""))
    rows = []
    for s in chosen:
        rows.append((f"== {s} ==", ""))
        rows += results[s]
    width = max(len(k) for k, _ in rows)
    print()
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print()
    b = budgets(results)
    w = [max(len(r[i]) for r in b) for i in range(3)]
    print(f"{'budget (issue #5)':<{w[0]}}  {'measured':<{w[1]}}  {'target':<{w[2]}}  status")
    for name, value, target, status in b:
        print(f"{name:<{w[0]}}  {value:<{w[1]}}  {target:<{w[2]}}  {status}")
    print(f"\nafter: {load_average()}; total {sum(timings.values()):.0f} s")


if __name__ == "__main__":
    main()
