"""What the NN lab's verdicts and the range-test check cost, in the NN lab's default view.

Default config: 256 ``moons`` points (192 training, 64 validation), a 2-16-16-1 tanh MLP, logistic
loss, full-batch SGD, 300 steps, lrs 0.1, 1, 30; the range test's 100 steps from 1e-6 to 10; the
sweep's 13 lrs from 0.001 to 100. Each figure is the median of 5 calls after a warm-up (wall and
this process's CPU time, ms).

* ``verdict.judge`` on the 3 runs the page trains (the badges);
* ``rangetest.run`` (the range-test tool itself);
* ``rangetest.check_trained``: training the 3 suggestions for 300 steps in one batched call (what
  3 clicks would train), then judging them: the price of saying which suggestion is too small;
* ``sweep.sweep_mlp`` + ``rangetest.check_sweep``: the alternative, when the sweep is wanted anyway.

Run: ``python benchmarks/bench_nn_tools.py``.
"""

from __future__ import annotations

from bench_mlp import best_of  # noqa: E402  (benchmarks/ is on sys.path when run)

from lrlab import datasets, rangetest, sweep, training, verdict
from lrlab.mlp import MLP

STEPS = 300


def main() -> None:
    data = datasets.make("moons", n=256, noise=0.1, seed=0)
    model = MLP((2, 16, 16, 1), "tanh", "logistic")
    runs = training.train(model, data, "sgd", [0.1, 1.0, 30.0], STEPS, seed=0, record_every=STEPS // 20)
    rt = rangetest.run(model, data, "sgd", seed=0)
    lrs = [float(f"{v:.2g}") for v in rt.suggestions.values()]  # what a click applies

    def check_trained():
        at = training.train(model, data, "sgd", lrs, STEPS, seed=0, record_every=STEPS)
        return rangetest.check_trained(rt, at, lrs)

    def check_sweep():
        swept = sweep.sweep_mlp(model, data, "sgd", sweep.log_grid(1e-3, 100.0, 13), steps=STEPS, seed=0)
        return rangetest.check_sweep(rt, swept)

    rows = [
        (
            "the page's training, 3 lrs x 300 steps (reference)",
            lambda: training.train(model, data, "sgd", [0.1, 1.0, 30.0], STEPS, seed=0, record_every=15),
        ),
        ("verdict.judge, 3 runs", lambda: verdict.judge(runs)),
        ("rangetest.run, 100 steps", lambda: rangetest.run(model, data, "sgd", seed=0)),
        ("train 3 suggestions x 300 steps + check_trained", check_trained),
        ("sweep 13 lrs x 300 steps + check_sweep", check_sweep),
    ]
    print(f"{'what':52s} {'wall ms':>8s} {'cpu ms':>8s}")
    for name, fn in rows:
        wall, cpu = best_of(fn, 5)
        print(f"{name:52s} {1e3 * wall:8.1f} {1e3 * cpu:8.1f}")
    for name, c in check_trained().items():
        print(f"  {name}: {c.sentence}")


if __name__ == "__main__":
    main()
