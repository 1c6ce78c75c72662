"""Engine speed against what a user would otherwise write: a torch.optim loop (float64, same math).

Run: ``python benchmarks/bench_engine.py`` (needs the ``parity`` extra for the torch side).
Every ratio is measured side by side in this one run; each figure is the median of several repeats.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import lrlab
from lrlab import optimizers, surfaces


def median_time(fn, repeats: int = 5) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rosenbrock_adam(k: int = 20, steps: int = 500) -> list[tuple[str, str]]:
    surf = surfaces.make("rosenbrock")
    lrs = np.geomspace(1e-3, 1.0, k)
    start = (-1.5, 2.0)
    opt = optimizers.make("adam")
    rows = []
    t_full = median_time(lambda: lrlab.descend(surf, opt, lrs, start=start, steps=steps))
    t_lean = median_time(lambda: lrlab.descend(surf, opt, lrs, start=start, steps=steps, internals=False))
    try:
        import torch
    except ImportError:
        rows.append(("torch.optim loop", "skipped: torch not installed (pip install -e '.[parity]')"))
        t_torch = None
    else:
        torch.set_num_threads(1)

        def torch_runs():
            for lr in lrs:
                p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
                topt = torch.optim.Adam([p], lr=float(lr))
                for _ in range(steps):
                    topt.zero_grad()
                    x, y = p[0], p[1]
                    loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
                    loss.backward()
                    topt.step()

        t_torch = median_time(torch_runs, repeats=3)
    rows.append((f"lrlab.descend, {k} lrs x {steps} Adam steps, Rosenbrock", f"{t_full * 1e3:8.2f} ms"))
    rows.append(("  same, internals=False (no velocity/effective-lr record)", f"{t_lean * 1e3:8.2f} ms"))
    if t_torch is not None:
        rows.append((f"torch.optim.Adam loop, one per lr ({k} loops)", f"{t_torch * 1e3:8.2f} ms"))
        ratios = f"{t_torch / t_full:6.0f}x / {t_torch / t_lean:6.0f}x"
        rows.append(("  speed-up (default call / lean call)", ratios))
    return rows


def numpy_floor(steps: int = 200) -> list[tuple[str, str]]:
    surf = surfaces.make("rosenbrock")
    opt = optimizers.make("adam")
    rows = []
    for k in (1, 10, 100, 1000):
        lrs = np.geomspace(1e-4, 1e-1, k)
        t = median_time(
            lambda lrs=lrs: lrlab.descend(surf, opt, lrs, start=(-1.5, 2.0), steps=steps, internals=False),
            repeats=3,
        )
        rows.append((f"time per step, batch of {k:4d} runs", f"{t / steps * 1e6:8.1f} µs"))
    return rows


def main() -> None:
    rows = rosenbrock_adam() + numpy_floor()
    width = max(len(r[0]) for r in rows)
    for name, val in rows:
        print(f"{name:<{width}}  {val}")


if __name__ == "__main__":
    main()
