"""The NN runs' verdicts: each one reached by a real training run, every rule at its boundary, and the
sentence built from the numbers the page shows."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lrlab import datasets, training, verdict
from lrlab.mlp import MLP

MOONS = datasets.make("moons", n=256, noise=0.1, seed=0)  # the NN lab's default data


def synthetic(train, val=None, diverged=None, acc=None) -> training.TrainResult:
    """A TrainResult holding given loss curves (K, T+1), for the rules' boundaries."""
    train = np.atleast_2d(np.asarray(train, float))
    val = train.copy() if val is None else np.atleast_2d(np.asarray(val, float))
    k, t1 = train.shape
    nan = np.full((k, t1 - 1), np.nan)
    return training.TrainResult(
        train_loss=train,
        val_loss=val,
        train_acc=None if acc is None else np.full((k, t1), acc),
        val_acc=None if acc is None else np.full((k, t1), acc),
        batch_loss=nan,
        grad_norm=nan,
        lr=nan,
        snapshot_steps=np.array([0]),
        snapshots=np.zeros((k, 1, 1)),
        final_params=np.zeros((k, 1)),
        diverged_at=(None,) * k if diverged is None else tuple(diverged),
        model=None,
        optimizer="sgd",
    )


def numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


def shows(text: str, value: float) -> bool:
    """``value`` appears in ``text`` as the page prints it (3 significant digits)."""
    return float(f"{value:.3g}") in numbers(text)


# -- each verdict, from a real run ----------------------------------------------------------------


def test_too_slow_trained_and_loss_rose_on_the_default_view():
    res = training.train(MLP((2, 16, 16, 1)), MOONS, "sgd", [0.1, 1.0, 30.0], 300)
    v = verdict.judge(res)
    assert v.name == ("too_slow", "trained", "loss_rose")
    assert v.label == ("too slow", "trained", "loss went up")
    l0, end = res.train_loss[:, 0], res.train_loss[:, -1]
    np.testing.assert_allclose(v.ratio, end / l0, rtol=1e-12)
    assert v.ratio[0] > verdict.SLOW and v.ratio[1] < verdict.SLOW and v.ratio[2] > verdict.ROSE
    assert f"{100 * v.ratio[0]:.0f}% of the starting loss" in v.sentence[0]
    assert f"fell to {100 * v.ratio[1]:.2g}% of its start" in v.sentence[1]
    assert f"ended {v.ratio[2]:.3g}× higher" in v.sentence[2]
    for k in range(3):  # the line every badge ends with: the page's losses and accuracies
        s = v.sentence[k]
        assert shows(s, l0[k]) and shows(s, end[k]) and shows(s, res.val_loss[k, -1])
        assert f"{100 * res.train_acc[k, -1]:.0f}% train, {100 * res.val_acc[k, -1]:.0f}% validation" in s


def test_diverged():
    res = training.train(MLP((2, 16, 16, 1), loss="mse"), MOONS, "sgd", [0.1, 1.0], 300)
    v = verdict.judge(res)
    assert res.diverged_at == (None, 6)
    assert v.name == ("trained", "diverged") and v.label[1] == "diverged at step 6"
    assert "step 6" in v.sentence[1] and shows(v.sentence[1], res.train_loss[1, 0])
    assert np.isnan(v.ratio[1]) and np.isnan(v.rebound[1]) and v.val_best_step[1] == -1


def test_jumpy_on_mini_batches():
    res = training.train(MLP((2, 16, 16, 1)), MOONS, "sgd", [0.1, 1.0], 300, batch_size=8)
    v = verdict.judge(res)
    assert v.name == ("too_slow", "jumpy")
    a, b = int(v.rebound_from[1]), int(v.rebound_to[1])
    assert 240 <= a < b <= 300  # inside the last fifth
    loss = res.train_loss[1]
    assert v.rebound[1] == pytest.approx(loss[b] / loss[a], rel=1e-12) and v.rebound[1] >= verdict.JUMPY
    assert loss[a] == loss[a : b + 1].min()  # climbing back from a low
    s = v.sentence[1]
    assert f"step {a}" in s and f"step {b}" in s and shows(s, loss[a]) and shows(s, loss[b])


def test_overfitting():
    data = datasets.make("moons", n=64, noise=0.3, seed=0)
    res = training.train(MLP((2, 32, 32, 1)), data, "adam", [0.01, 0.0005], 600)
    v = verdict.judge(res)
    assert v.name == ("overfitting", "too_slow")
    best = int(v.val_best_step[0])
    val, tr = res.val_loss[0], res.train_loss[0]
    assert best == int(np.argmin(val)) and best < 600 - 120  # turned before the last fifth
    assert v.val_rise[0] == pytest.approx(val[-1] / val[best], rel=1e-12) and v.val_rise[0] >= verdict.OVERFIT
    assert tr[-1] < tr[best]
    assert f"step {best}" in v.sentence[0] and shows(v.sentence[0], val[best])
    assert f"{v.val_rise[0]:.3g}× higher" in v.sentence[0]


def test_one_run_and_k_runs_agree():
    res = training.train(MLP((2, 8, 1)), MOONS, "sgd", [0.05, 0.5, 50.0], 60)
    both = verdict.judge(res)
    for k in range(3):
        one = verdict.judge(res.run(k))
        assert one.name == (both.name[k],) and one.sentence == (both.sentence[k],)
    single = training.train(MLP((2, 8, 1)), MOONS, "sgd", 0.5, 60)
    assert verdict.judge(single).name == (both.name[1],)


# -- the rules at their boundaries -----------------------------------------------------------------


def test_loss_rose_and_too_slow_boundaries():
    flat = np.linspace(1.0, 0.5, 101)
    assert verdict.judge(synthetic(np.r_[flat, 1.0])).name == ("too_slow",)  # back at the start: not up
    assert verdict.judge(synthetic(np.r_[flat, 1.0 + 1e-9])).name == ("loss_rose",)
    down = np.geomspace(1.0, 0.25, 101)
    down[-1] = 0.25  # exactly a quarter left: not too slow
    assert verdict.judge(synthetic(down)).name == ("trained",)
    down[-1] = 0.25 * (1 + 1e-9)
    assert verdict.judge(synthetic(down)).name == ("too_slow",)


def test_jumpy_boundary_and_only_the_tail_counts():
    base = np.geomspace(1.0, 0.01, 101)
    for climb, name in [(verdict.JUMPY, "jumpy"), (verdict.JUMPY * (1 - 1e-9), "trained")]:
        loss = base.copy()
        loss[91:95] = loss[90] * 1.5
        loss[95] = loss[90] * climb  # from the low at step 90 to step 95
        loss[96:] = loss[90] * 0.9
        v = verdict.judge(synthetic(loss))
        assert v.name == (name,) and (v.rebound_from[0], v.rebound_to[0]) == (90, 95)
    early = base.copy()
    early[40:45] *= 10  # a big jump, but before the last fifth (step 80 on)
    assert verdict.judge(synthetic(early)).name == ("trained",)


def test_overfitting_boundaries():
    train = np.geomspace(1.0, 0.001, 101)

    def val(rise, best):
        v = np.r_[np.geomspace(1.0, 0.1, best + 1), np.geomspace(0.1, 0.1 * rise, 101 - best)[1:]]
        return v

    assert verdict.judge(synthetic(train, val(2.0, 50))).name == ("overfitting",)
    assert verdict.judge(synthetic(train, val(2.0 * (1 - 1e-9), 50))).name == ("trained",)
    assert verdict.judge(synthetic(train, val(3.0, 85))).name == ("trained",)  # turned in the tail only
    flat_train = np.r_[np.geomspace(1.0, 0.1, 51), np.full(50, 0.1)]  # training loss stopped falling
    assert verdict.judge(synthetic(flat_train, val(3.0, 50))).name == ("trained",)
    no_val = synthetic(train, np.full((1, 101), np.nan))  # no validation split: never overfitting
    assert verdict.judge(no_val).name == ("trained",)


def test_verdicts_are_scale_free():
    rng = np.random.default_rng(0)
    curves = [
        np.geomspace(1.0, 0.01, 101) * np.exp(0.8 * rng.standard_normal(101) * (np.arange(101) > 80)),
        np.linspace(1.0, 0.6, 101),
        np.r_[np.geomspace(1.0, 0.1, 101)[:-1], 1.5],
        np.geomspace(1.0, 0.001, 101),
    ]
    val = np.r_[[c for c in curves[:3]], [np.r_[np.geomspace(1.0, 0.1, 51), np.geomspace(0.1, 0.5, 51)[1:]]]]
    ref = verdict.judge(synthetic(np.array(curves), val)).name
    assert set(ref) == {"jumpy", "too_slow", "loss_rose", "overfitting"}
    for scale in (1e-6, 3.7, 1e6):
        assert verdict.judge(synthetic(scale * np.array(curves), scale * val)).name == ref


def test_a_loss_of_exactly_zero_raises_no_warning():
    loss = np.r_[np.geomspace(1.0, 1e-3, 90), np.zeros(5), np.full(6, 1e-3)]
    v = verdict.judge(synthetic(loss))  # RuntimeWarnings are errors in this suite
    assert v.name == ("jumpy",) and np.isinf(v.rebound[0])


def test_every_name_has_a_label_and_a_summary():
    assert set(verdict.NAMES) == set(verdict.LABELS) == set(verdict.SUMMARY)


def test_without_a_validation_split_the_sentence_names_no_validation_loss():
    data = datasets.make("sin", n=64, noise=0.1, seed=0, val_fraction=0.0)
    v = verdict.judge(training.train(MLP((1, 8, 1), loss="mse"), data, "sgd", [0.1], 20))
    assert v.name == ("trained",) and "validation" not in v.sentence[0] and "nan" not in v.sentence[0]
