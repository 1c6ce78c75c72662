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


def min_time(fn, repeats: int = 5) -> float:
    """The fastest of ``repeats`` calls after a warm-up: for the per-step floors, where the question is
    what a step costs, not what load from other processes adds to it."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def torch_adam_step_us(steps: int = 500) -> float | None:
    """torch.optim.Adam on Rosenbrock, one run: time per step (zero_grad, loss, backward, step)."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def loop():
        p = torch.tensor((-1.5, 2.0), dtype=torch.float64, requires_grad=True)
        topt = torch.optim.Adam([p], lr=0.01)
        for _ in range(steps):
            topt.zero_grad()
            x, y = p[0], p[1]
            loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
            loss.backward()
            topt.step()

    return min_time(loop, repeats=3) / steps * 1e6


def adam_floor(k: int = 20, n: int = 2000) -> list[tuple[str, str]]:
    """The NumPy per-call floor: what one step of a batch of ``k`` costs, part by part, against torch's
    time for one step of one run. lrlab's best possible speed-up is k x torch step / lrlab step."""
    surf = surfaces.make("rosenbrock")
    opt = optimizers.make("adam")
    p = np.tile([-1.5, 2.0], (k, 1))
    g = surf.grad(p)
    state = opt.init(p)
    lr = np.geomspace(1e-3, 1.0, k)[:, None]

    def per_call(fn) -> float:
        return min_time(lambda: [fn() for _ in range(n)]) / n * 1e6

    t_update = per_call(lambda: opt.update(p, g, state, lr))
    t_grad = per_call(lambda: surf.grad(p))
    # the marginal cost of one more step inside descend (no per-call and per-run costs)
    lrs = lr[:, 0]
    t_long = min_time(lambda: lrlab.descend(surf, opt, lrs, start=(-1.5, 2.0), steps=1000, internals=False))
    t_short = min_time(lambda: lrlab.descend(surf, opt, lrs, start=(-1.5, 2.0), steps=100, internals=False))
    t_step = (t_long - t_short) / 900 * 1e6
    t_fixed = (t_short * 1e6 - 100 * t_step) / 1e3
    rows = [
        (f"floor: Adam update alone, batch of {k} (one step)", f"{t_update:8.1f} µs"),
        (f"floor: Rosenbrock gradient alone, batch of {k}", f"{t_grad:8.1f} µs"),
        (f"floor: one descend step, batch of {k} (marginal, internals=False)", f"{t_step:8.1f} µs"),
        ("floor: descend's fixed cost per call (checks, classify, explain)", f"{t_fixed:8.2f} ms"),
    ]
    t_torch = torch_adam_step_us()
    if t_torch is not None:
        rows += [
            ("torch.optim.Adam: one step of one run", f"{t_torch:8.1f} µs"),
            (
                f"  ceiling if a step were the Adam update alone: {k} x torch / update",
                f"{k * t_torch / t_update:6.0f}x",
            ),
            (f"  ceiling at descend's marginal step: {k} x torch / step", f"{k * t_torch / t_step:6.0f}x"),
        ]
    return rows


def batch_scaling(ks=(1, 10, 100, 1000)) -> list[tuple[str, str]]:
    """Per-step cost as the batch grows, split into the marginal cost of a step (difference of a
    1000-step and a 100-step call) and the per-run fixed cost (classification and explanation)."""
    surf = surfaces.make("rosenbrock")
    opt = optimizers.make("adam")
    rows = []
    for k in ks:
        lrs = np.geomspace(1e-4, 1e-1, k)

        def run(steps, lrs=lrs):
            return lrlab.descend(surf, opt, lrs, start=(-1.5, 2.0), steps=steps, internals=False)

        t_long = min_time(lambda run=run: run(1000), repeats=3)
        t_short = min_time(lambda run=run: run(100), repeats=3)
        step = (t_long - t_short) / 900
        fixed = t_short - 100 * step
        rows.append(
            (
                f"batch of {k:4d} runs: marginal step / fixed cost per run",
                f"{step * 1e6:8.1f} µs / {fixed / k * 1e3:6.2f} ms",
            )
        )
    return rows


def noise_cost(k: int = 20, steps: int = 500) -> list[tuple[str, str]]:
    """What gradient noise adds to a call: the draws and the noise-ball theory of each run (SGD on
    the bowl, where every run has a ball), side by side with the same call without noise."""
    surf = surfaces.make("quadratic")
    lrs = np.geomspace(1e-3, 0.4, k)
    quiet = median_time(lambda: lrlab.descend(surf, "sgd", lrs, steps=steps))
    noisy = median_time(lambda: lrlab.descend(surf, "sgd", lrs, steps=steps, noise=0.5, seed=1))
    return [
        (
            f"descend, {k} lrs x {steps} SGD steps, bowl: noise=0 / noise=0.5",
            f"{quiet * 1e3:6.2f} / {noisy * 1e3:6.2f} ms",
        ),
        ("  noise overhead", f"{noisy / quiet:6.2f}x"),
    ]


def main() -> None:
    rows = rosenbrock_adam() + numpy_floor() + adam_floor() + batch_scaling() + noise_cost()
    width = max(len(r[0]) for r in rows)
    for name, val in rows:
        print(f"{name:<{width}}  {val}")


if __name__ == "__main__":
    main()
