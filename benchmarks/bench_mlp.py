"""MLP training speed: lrlab's one batched call against one torch.optim loop per learning rate.

12 learning rates x 300 full-batch steps of a 2-16-16-1 tanh MLP (logistic loss) on 256 training
points of ``moons`` (plus 64 validation points), float64, plain gradient descent (``sgd``) and Adam.

* lrlab: ``lrlab.training.train(model, data, opt, lrs, steps)``: the 12 networks are one (12, P) array and
  every step is one batched forward/backward pass. It records, per step and run, the training loss
  and accuracy, the validation loss and accuracy, the gradient norm.
* torch, "same records": per lr, ``nn.Sequential(Linear, Tanh, Linear, Tanh, Linear)`` in float64
  with lrlab's initial weights copied in, ``BCEWithLogitsLoss``, ``torch.optim.SGD``/``Adam``; each
  step computes what lrlab records (training loss and accuracy, gradient norm, validation loss and
  accuracy under ``no_grad``).
* torch, "minimal": the loop a user writes first: forward, backward, step, ``loss.item()``.

Same math: the final training losses of both sides are printed as their largest relative difference.

Times: wall clock and this process's CPU time; the speed-ups use CPU time, which load from other
processes on a shared machine inflates much less than wall time (both sides are single-threaded).

Run: ``python benchmarks/bench_mlp.py`` (torch needed for the comparison).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from bench_engine import median_time  # noqa: E402  (benchmarks/ is on sys.path when run)

from lrlab import datasets, optimizers
from lrlab.mlp import MLP
from lrlab.training import train

K, STEPS = 12, 300
LRS = {"sgd": np.geomspace(0.01, 3.0, K), "adam": np.geomspace(1e-4, 0.1, K)}


def timed(fn):
    """(result, wall seconds, CPU seconds of this process) of one call. CPU time is what a shared
    machine inflates least: both sides run single-threaded (torch.set_num_threads(1); NumPy's BLAS
    does not split matrices this small)."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def best_of(fn, repeats: int = 3) -> tuple[float, float]:
    """(median wall, median CPU) seconds over ``repeats`` calls after a warm-up."""
    fn()
    runs = [timed(fn)[1:] for _ in range(repeats)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def problem():
    data = datasets.make("moons", n=320, noise=0.1, seed=0, val_fraction=0.2)
    assert len(data.y_train) == 256
    return MLP((2, 16, 16, 1), "tanh", "logistic"), data


def lrlab_run(model, data, opt_name, lrs):
    return train(model, data, optimizers.make(opt_name), lrs, STEPS)


def torch_runs(model, data, opt_name, lrs, *, records: bool) -> np.ndarray:
    """One torch loop per lr; returns the final training loss of each run."""
    import torch
    from torch import nn

    X = torch.from_numpy(data.X_train)
    y = torch.from_numpy(data.y_train)
    Xv, yv = torch.from_numpy(data.X_val), torch.from_numpy(data.y_val)
    p0 = model.init(0)
    finals = []
    for lr in lrs:
        net = nn.Sequential(
            nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)
        ).double()
        with torch.no_grad():
            at = 0
            for lin in (net[0], net[2], net[4]):
                w, b = lin.weight, lin.bias  # torch keeps W as (out, in); lrlab as (in, out)
                w.copy_(torch.from_numpy(p0[at : at + w.numel()].reshape(w.shape[1], w.shape[0]).T.copy()))
                at += w.numel()
                b.copy_(torch.from_numpy(p0[at : at + b.numel()]))
                at += b.numel()
        opt = (torch.optim.SGD if opt_name == "sgd" else torch.optim.Adam)(net.parameters(), lr=float(lr))
        lossf = nn.BCEWithLogitsLoss()
        hist = []
        for _ in range(STEPS):
            opt.zero_grad()
            z = net(X)[:, 0]
            loss = lossf(z, y)
            loss.backward()
            if records:
                gn = torch.sqrt(sum((q.grad**2).sum() for q in net.parameters()))
                acc = ((z > 0) == (y > 0.5)).double().mean()
                with torch.no_grad():
                    zv = net(Xv)[:, 0]
                    vl, va = lossf(zv, yv), ((zv > 0) == (yv > 0.5)).double().mean()
                hist.append((loss.item(), acc.item(), gn.item(), vl.item(), va.item()))
            else:
                hist.append(loss.item())
            opt.step()
        with torch.no_grad():
            finals.append(lossf(net(X)[:, 0], y).item())
    return np.array(finals)


def rows() -> list[tuple[str, str]]:
    model, data = problem()
    out = []
    try:
        import torch
    except ImportError:
        return [("MLP vs torch", "skipped: torch not installed (pip install -e '.[parity]')")]
    torch.set_num_threads(1)
    for opt_name, lrs in LRS.items():
        t_lab, c_lab = best_of(lambda o=opt_name, lr=lrs: lrlab_run(model, data, o, lr))
        # the torch side takes seconds: timed once each, after a short warm-up loop
        torch_runs(model, data, opt_name, lrs[:1], records=True)
        _, t_rec, c_rec = timed(lambda o=opt_name, lr=lrs: torch_runs(model, data, o, lr, records=True))
        torch_final, t_min, c_min = timed(
            lambda o=opt_name, lr=lrs: torch_runs(model, data, o, lr, records=False)
        )
        lab_final = lrlab_run(model, data, opt_name, lrs).train_loss[:, -1]
        ok = np.isfinite(lab_final) & np.isfinite(torch_final)
        rel = float(np.max(np.abs(lab_final[ok] - torch_final[ok]) / np.abs(torch_final[ok])))
        head = f"MLP 2-16-16-1 tanh, {K} lrs x {STEPS} full-batch {opt_name} steps, 256 points"
        out += [
            (f"lrlab.training.train, {head}", f"{t_lab * 1e3:8.1f} ms wall, {c_lab * 1e3:8.1f} ms CPU"),
            (
                "  torch loops, same records (train+val loss/acc, grad norm)",
                f"{t_rec * 1e3:8.1f} ms wall, {c_rec * 1e3:8.1f} ms CPU",
            ),
            (
                "  torch loops, minimal (forward, backward, step)",
                f"{t_min * 1e3:8.1f} ms wall, {c_min * 1e3:8.1f} ms CPU",
            ),
            (
                "  speed-up vs same-records / vs minimal (budget 8x), CPU",
                f"{c_rec / c_lab:5.1f}x / {c_min / c_lab:5.1f}x"
                f"  (wall {t_rec / t_lab:.1f}x / {t_min / t_lab:.1f}x)",
            ),
            ("  same math: max rel. diff of final train losses", f"{rel:.1e} ({ok.sum()}/{K} finite)"),
        ]
    # where lrlab's time goes: one step's parts
    p = np.broadcast_to(model.init(0), (K, model.n_params)).copy()
    X, y = data.X_train, data.y_train
    t_lg = (
        median_time(lambda: [model.loss_and_grad(p, X, y, accuracy=True) for _ in range(100)], repeats=3)
        / 100
    )
    t_ev = (
        median_time(lambda: [model.evaluate(p, data.X_val, data.y_val) for _ in range(100)], repeats=3) / 100
    )
    opt = optimizers.make("sgd")
    st = opt.init(p)
    g = np.ones_like(p)
    lr = np.full((K, 1), 0.1)
    t_up = median_time(lambda: [opt.update(p, g, st, lr) for _ in range(100)], repeats=3) / 100
    out += [
        (f"  per step: loss_and_grad on train ({K} nets x 256 pts)", f"{t_lg * 1e6:8.1f} µs"),
        ("  per step: evaluate on validation (64 pts)", f"{t_ev * 1e6:8.1f} µs"),
        ("  per step: sgd update", f"{t_up * 1e6:8.1f} µs"),
    ]
    return out


def main() -> None:
    rs = rows()
    width = max(len(r[0]) for r in rs)
    for name, val in rs:
        print(f"{name:<{width}}  {val}")


if __name__ == "__main__":
    main()
