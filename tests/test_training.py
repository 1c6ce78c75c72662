"""Training: K runs in one pass equal K separate runs, SGD by hand, mini-batches, divergence."""

import numpy as np
import pytest

from lrlab import datasets, optimizers, schedules, training
from lrlab.mlp import MLP

MOONS = datasets.make("moons", n=96, noise=0.15, seed=0)
SIN = datasets.make("sin", n=64, noise=0.1, seed=0)
SMALL = MLP((2, 8, 8, 1))


@pytest.mark.parametrize(
    ("optimizer", "batch_size"),
    [("sgd", None), ("adam", 16), (optimizers.make("momentum", momentum=0.9), 20)],
)
def test_k_lrs_in_one_pass_equal_k_single_runs(optimizer, batch_size):
    lrs = [0.003, 0.05, 0.4]
    both = training.train(SMALL, MOONS, optimizer, lrs, 40, batch_size=batch_size, seed=2, record_every=7)
    assert both.train_loss.shape == (3, 41) and both.snapshots.shape == (3, 7, SMALL.n_params)
    for k, lr in enumerate(lrs):
        one = training.train(SMALL, MOONS, optimizer, lr, 40, batch_size=batch_size, seed=2, record_every=7)
        assert one.train_loss.shape == (41,)
        for name in ("train_loss", "val_loss", "train_acc", "val_acc", "batch_loss", "final_params"):
            np.testing.assert_allclose(getattr(both, name)[k], getattr(one, name), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(both.snapshots[k], one.snapshots, rtol=1e-12, atol=1e-15)


def test_full_batch_sgd_is_plain_gradient_descent():
    lr, steps = 0.3, 25
    res = training.train(SMALL, MOONS, "sgd", lr, steps, seed=5, record_every=5)
    w = SMALL.init(5)
    for t in range(steps):
        loss, g = SMALL.loss_and_grad(w, MOONS.X_train, MOONS.y_train)
        assert res.train_loss[t] == pytest.approx(float(loss), rel=1e-12)
        assert res.grad_norm[t] == pytest.approx(np.linalg.norm(g), rel=1e-12)
        if t % 5 == 0:
            np.testing.assert_allclose(res.snapshots[t // 5], w, rtol=1e-13)
        w = w - lr * g
    np.testing.assert_allclose(res.final_params, w, rtol=1e-12)
    np.testing.assert_allclose(res.snapshots[-1], w, rtol=1e-12)
    assert res.val_loss[-1] == pytest.approx(float(SMALL.loss_value(w, MOONS.X_val, MOONS.y_val)), rel=1e-12)
    assert res.val_acc[-1] == pytest.approx(float(SMALL.accuracy(w, MOONS.X_val, MOONS.y_val)))
    np.testing.assert_array_equal(res.lr, np.full(steps, lr))
    assert res.diverged_at is None and list(res.snapshot_steps) == [0, 5, 10, 15, 20, 25]


def test_minibatches_are_seeded_epochs():
    idx = training.batch_indices(10, 4, 7, seed=1)
    assert [len(b) for b in idx] == [4, 4, 2, 4, 4, 2, 4]
    assert sorted(np.concatenate(idx[:3])) == list(range(10))  # one epoch sees every sample once
    assert sorted(np.concatenate(idx[3:6])) == list(range(10))
    assert all(
        np.array_equal(a, b) for a, b in zip(idx, training.batch_indices(10, 4, 7, seed=1), strict=True)
    )
    assert training.batch_indices(10, None, 7) is None and training.batch_indices(10, 10, 7) is None
    # the recorded batch loss is the loss of that batch at the weights before the step
    res = training.train(SMALL, MOONS, "sgd", 0.1, 3, batch_size=16, seed=4)
    first = training.batch_indices(len(MOONS.y_train), 16, 3, seed=4)[0]
    w0 = SMALL.init(4)
    assert res.batch_loss[0] == pytest.approx(
        float(SMALL.loss_value(w0, MOONS.X_train[first], MOONS.y_train[first]))
    )


def test_divergent_run_is_stopped_and_masked_without_warnings():
    model = MLP((1, 16, 1), "relu", "mse")
    res = training.train(model, SIN, "sgd", [0.01, 50.0], 60)
    assert res.diverged_at[0] is None and res.diverged_at[1] is not None
    t = res.diverged_at[1]
    assert np.all(np.isfinite(res.train_loss[1, :t])) and np.all(np.isnan(res.train_loss[1, t:]))
    assert np.all(np.isnan(res.final_params[1])) and np.all(np.isfinite(res.final_params[0]))
    assert res.train_acc is None and res.val_acc is None  # regression
    # the stable run is the one it would have been alone
    alone = training.train(model, SIN, "sgd", 0.01, 60)
    np.testing.assert_allclose(res.train_loss[0], alone.train_loss, rtol=1e-12)


def test_schedules_and_plateau():
    cos = schedules.make("cosine", base_lr=0.5, t_max=30)
    res = training.train(SMALL, MOONS, "sgd", [cos, cos.scaled(0.1)], 30)
    np.testing.assert_allclose(res.lr[0], cos(np.arange(30)), rtol=1e-15)
    np.testing.assert_allclose(res.lr[1], 0.1 * cos(np.arange(30)), rtol=1e-12)
    # a plateau rule whose patience runs out on a flat loss (a tiny lr never improves it) cuts the lr
    plateau = schedules.make("plateau", base_lr=1e-6, patience=2, factor=0.5)
    res = training.train(SMALL, MOONS, "sgd", plateau, 12)
    assert res.lr[0] == 1e-6 and res.lr[3] == 1e-6 and res.lr[4] == 5e-7 and res.lr[-1] < 5e-7


def test_no_validation_split_leaves_nan():
    data = datasets.make("moons", n=40, val_fraction=0.0)
    res = training.train(SMALL, data, "sgd", 0.1, 5)
    assert np.all(np.isnan(res.val_loss)) and np.all(np.isfinite(res.train_loss))


def test_training_learns_moons():
    res = training.train(MLP(), datasets.make("moons", n=200, noise=0.1), "adam", 0.02, 300)
    assert res.train_loss[-1] < 0.1 * res.train_loss[0]
    assert res.val_acc[-1] > 0.95


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"steps": 0}, "steps"),
        ({"batch_size": 0}, "batch_size"),
        ({"record_every": 0}, "record_every"),
        ({"init": np.zeros(5)}, "init"),
        ({"lr": -1.0}, "learning rates"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    args = {"steps": 5, "lr": 0.1} | kwargs
    with pytest.raises(ValueError, match=match):
        training.train(SMALL, MOONS, "sgd", **args)


def test_logistic_loss_refuses_regression_targets():
    with pytest.raises(ValueError, match="0/1 labels"):
        training.train(MLP((1, 4, 1)), SIN, "sgd", 0.1, 5)
