"""Toy datasets: shapes, labels, seeded determinism, splits, geometry, shifts."""

import numpy as np
import pytest

from lrlab import datasets


@pytest.mark.parametrize("name", datasets.names())
def test_shapes_labels_and_split(name):
    d = datasets.make(name, n=200, noise=0.1, seed=3, val_fraction=0.25)
    dim = 1 if name == "sin" else 2
    assert d.X_train.shape == (150, dim) and d.X_val.shape == (50, dim)
    assert d.y_train.shape == (150,) and d.y_val.shape == (50,)
    assert d.name == name and d.dim == dim
    assert np.all(np.isfinite(d.X_train)) and np.all(np.isfinite(d.y_train))
    if name == "sin":
        assert d.task == "regression"
    else:
        assert d.task == "classification"
        y = np.concatenate([d.y_train, d.y_val])
        assert set(np.unique(y)) == {0.0, 1.0}
        assert 0.3 < y.mean() < 0.7


@pytest.mark.parametrize("name", datasets.names())
def test_seed_determines_the_data(name):
    a, b, c = (datasets.make(name, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.X_train, c.X_train)


def test_split_sizes_and_no_validation():
    assert len(datasets.make("moons", n=101, val_fraction=0.3).y_val) == 30
    d = datasets.make("xor", n=64, val_fraction=0.0)
    assert len(d.y_train) == 64 and len(d.y_val) == 0


def test_noise_free_geometry():
    d = datasets.make("circles", n=400, noise=0.0)
    X, y = np.concatenate([d.X_train, d.X_val]), np.concatenate([d.y_train, d.y_val])
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.where(y == 0, 1.0, 0.5), rtol=1e-12)
    m = datasets.make("moons", n=400, noise=0.0)
    X, y = np.concatenate([m.X_train, m.X_val]), np.concatenate([m.y_train, m.y_val])
    centre = np.where(y[:, None] == 0, [-0.5, -0.25], [0.5, 0.25])  # (0,0) and (1,0.5) shifted
    np.testing.assert_allclose(np.linalg.norm(X - centre, axis=1), 1.0, rtol=1e-12)
    x = datasets.make("xor", n=400, noise=0.0)
    np.testing.assert_array_equal(x.y_train, (x.X_train[:, 0] * x.X_train[:, 1] > 0).astype(float))
    s = datasets.make("sin", noise=0.0)
    np.testing.assert_allclose(s.y_train, np.sin(s.X_train[:, 0]), rtol=1e-15)


def test_noise_level_is_the_input_spread():
    clean = datasets.make("blobs", n=2000, noise=0.0, seed=0)
    noisy = datasets.make("blobs", n=2000, noise=0.3, seed=0)
    diff = noisy.X_train - clean.X_train
    assert np.std(diff) == pytest.approx(0.3, rel=0.05)


def test_shifted_rotates_translates_and_flips():
    d = datasets.make("moons", n=40, seed=0)
    s = datasets.shifted(d, rotate=90, translate=(1.0, -2.0), flip_labels=True)
    # rotation by +90 degrees: (x, y) -> (-y, x)
    expected = np.stack([-d.X_train[:, 1], d.X_train[:, 0]], 1) + [1.0, -2.0]
    np.testing.assert_allclose(s.X_train, expected, atol=1e-12)
    np.testing.assert_array_equal(s.y_val, 1 - d.y_val)


def test_grid_covers_the_data():
    d = datasets.make("spirals", n=100)
    xs, ys, pts = datasets.grid(d, resolution=30)
    assert xs.shape == ys.shape == (30,) and pts.shape == (900, 2)
    assert xs[0] < d.X_train[:, 0].min() and xs[-1] > d.X_train[:, 0].max()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "mnist"},
        {"name": "moons", "n": 2},
        {"name": "moons", "n": 10.5},
        {"name": "moons", "noise": -1},
        {"name": "moons", "val_fraction": 1.0},
    ],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        datasets.make(**kwargs)
