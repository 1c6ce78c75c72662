"""LR sweeps: the U curve and the divergence edge at the theory's threshold; band labels."""

import numpy as np
import pytest

from lrlab import datasets, optimizers, surfaces, sweep, training
from lrlab.mlp import MLP

QUAD = surfaces.make("quadratic", a=4.0, b=1.0)


@pytest.mark.parametrize(
    ("name", "hyper", "edge"),
    [
        ("sgd", {}, 2 / 4.0),
        ("momentum", {"momentum": 0.5}, 2 * 1.5 / 4.0),
        ("nesterov", {"momentum": 0.9}, 3.8 / 11.2),
    ],
)
def test_quadratic_sweep_is_a_u_with_its_right_wall_at_the_theory_edge(name, hyper, edge):
    opt = optimizers.make(name, **hyper)
    near = edge * np.array([0.9, 0.98, 1.02, 1.1])
    lrs = np.sort(np.r_[np.geomspace(1e-3, 0.8 * edge, 10), near, 2 * edge])
    res = sweep.sweep_surface(QUAD, opt, lrs, start=(1.5, 1.5), steps=400)
    assert res.critical.lam == pytest.approx(4.0)
    assert res.critical.diverge == pytest.approx(edge)
    # just below the edge: no divergence; just above: divergence
    np.testing.assert_array_equal(res.diverged, lrs > edge)
    assert np.all(np.isnan(res.final_loss[lrs > edge]))
    # the left arm of the U: more lr, lower loss, until the bottom
    left = res.final_loss[:3]
    assert np.all(np.diff(left) < 0)
    best = int(np.nanargmin(res.final_loss))
    assert res.final_loss[best] < 1e-6 * res.final_loss[0]
    assert 0 < best and lrs[best] < edge and res.best_lr == lrs[best]
    assert res.bands[0] == "too small" and res.bands[best] == "good" and res.bands[-1] == "too large"
    assert all(b == "too large" for b, lr in zip(res.bands, lrs, strict=True) if lr > edge)
    assert res.curves.shape == (len(lrs), 401) and res.initial_loss == pytest.approx(0.5 * (4 + 1) * 2.25)


def test_adaptive_optimizer_has_no_threshold():
    res = sweep.sweep_surface(QUAD, "adam", [0.01, 0.1], start=(1.0, 1.0), steps=50)
    assert res.critical.diverge is None


def test_label_bands_rule():
    lrs = np.array([1e-3, 1e-2, 1e-1, 1.0, 10.0])
    # initial 1.0 with floor 0: progress ln(1/L) = 0.69, 4.6, 9.2, 6.9, diverged
    final = np.array([0.5, 1e-2, 1e-4, 1e-3, np.nan])
    bands = sweep.label_bands(lrs, final, 1.0, [False, False, False, False, True], floor=0.0, tol=0.5)
    assert bands == ("too small", "good", "good", "good", "too large")
    tight = sweep.label_bands(lrs, final, 1.0, [False] * 4 + [True], floor=0.0, tol=0.2)
    assert tight == ("too small", "too small", "good", "too large", "too large")
    assert sweep.label_bands(lrs[:2], [np.nan, np.inf], 1.0, [True, False]) == ("too large", "too large")
    with pytest.raises(ValueError, match="tol"):
        sweep.label_bands(lrs, final, 1.0, [False] * 5, tol=1.0)


def test_mlp_sweep_is_one_training_pass():
    data = datasets.make("sin", n=64, noise=0.1, seed=0)
    model = MLP((1, 16, 1), "relu", "mse")
    lrs = sweep.log_grid(1e-3, 30.0, 6)
    res = sweep.sweep_mlp(model, data, "sgd", lrs, steps=60, seed=1)
    ref = training.train(model, data, "sgd", lrs, 60, seed=1)
    np.testing.assert_allclose(res.final_loss, ref.train_loss[:, -1], rtol=1e-12)
    np.testing.assert_allclose(res.val_loss, ref.val_loss[:, -1], rtol=1e-12)
    assert res.final_val_loss is res.val_loss  # the old name still works
    assert res.diverged[-1] and not res.diverged[0] and np.isnan(res.val_loss[-1])
    assert res.bands[0] == "too small" and res.bands[-1] == "too large" and "good" in res.bands
    assert res.scored_by == "validation" and res.initial_val_loss == pytest.approx(ref.val_loss[0, 0])
    assert res.best_lr == lrs[np.nanargmin(res.val_loss)]


def test_log_grid():
    np.testing.assert_allclose(sweep.log_grid(1e-4, 1.0, 5), [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    with pytest.raises(ValueError, match="lr_min"):
        sweep.log_grid(1.0, 1e-4)
    with pytest.raises(ValueError, match="num"):
        sweep.log_grid(1e-4, 1.0, 1)


def test_an_mlp_sweep_is_scored_by_the_validation_loss():
    """48 noisy points, Adam, 400 steps: the larger lrs memorise the training set (lowest training
    loss at lr = 0.03) while the validation loss is lowest at lr = 0.002, 3x below lr = 0.03's; the
    same from starts perturbed by 1e-9 (the runs are not chaotic)."""
    data = datasets.make("moons", n=64, noise=0.3, seed=0)
    model = MLP((2, 32, 32, 1))
    lrs = np.array([0.0005, 0.002, 0.01, 0.03])
    p0 = model.init(0)
    for j in range(3):
        init = p0 * (1 + (1e-9 if j else 0.0) * np.random.default_rng(j).standard_normal(p0.size))
        res = sweep.sweep_mlp(model, data, "adam", lrs, steps=400, init=init)
        assert lrs[np.argmin(res.final_loss)] == 0.03 and res.best_lr == 0.002
        assert res.val_loss[-1] > 3 * res.val_loss[1]
        assert res.bands == label_from(res) and res.band_at(res.best_lr) == "good"
        assert res.bands[-1] == "too large"  # the lowest training loss, but too large by validation


def label_from(res):
    """The bands recomputed from the validation losses (the rule of :func:`sweep.label_bands`)."""
    return sweep.label_bands(res.lrs, res.val_loss, res.initial_val_loss, res.diverged, 0.0)


def test_band_at_reads_the_grid_cell_and_nothing_outside():
    res = sweep.sweep_surface(QUAD, "sgd", sweep.log_grid(1e-3, 1.0, 4), start=(1.0, 1.0), steps=50)
    edges = sweep.band_edges(res.lrs)
    for i, lr in enumerate(res.lrs):
        assert res.band_at(lr) == res.bands[i]
        assert res.band_at(edges[i] * 1.0001) == res.bands[i]  # just inside the cell's left edge
    assert res.band_at(edges[0] / 1.01) is None and res.band_at(edges[-1] * 1.01) is None
    assert res.band_at(float("nan")) is None
    assert res.val_loss is None and res.scored_by == "training" and res.initial_val_loss is None
