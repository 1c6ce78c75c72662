"""Sharpness: power iteration against exact eigenvalues, and the edge of stability on a small MLP."""

import numpy as np
import pytest

from lrlab import datasets, optimizers, sharpness
from lrlab.mlp import MLP


def _sym(eigs, seed=0):
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(len(eigs), len(eigs))))
    return q @ np.diag(eigs) @ q.T


def test_quadratic_loss_sharpness_is_its_top_eigenvalue():
    # loss = w^T A w / 2 has Hessian A everywhere: H v = A v
    a = _sym([5.0, 3.0, 1.0, 0.5, -0.2, 0.1])
    lam, v = sharpness.top_eigen(lambda u: a @ u, 6, iters=500, tol=1e-14)
    assert lam == pytest.approx(5.0, rel=1e-9)
    np.testing.assert_allclose(a @ v, 5.0 * v, atol=1e-6)


def test_negative_dominant_eigenvalue_is_shifted_away():
    """|-7| is the largest magnitude, but the largest eigenvalue is 2: plain power iteration would say -7."""
    a = _sym([-7.0, 2.0, 1.0, -3.0], seed=1)
    assert sharpness.top_eigenvalue(lambda u: a @ u, 4, iters=2000) == pytest.approx(2.0, rel=1e-6)
    b = _sym([-7.0, -2.0, -1.0], seed=2)  # negative definite: the largest is -1
    assert sharpness.top_eigenvalue(lambda u: b @ u, 3, iters=2000) == pytest.approx(-1.0, rel=1e-6)


def test_batched_operators():
    mats = np.stack([_sym([4.0, 1.0, 0.0]), _sym([-5.0, 0.5, 0.2], seed=3), _sym([2.0, 1.9, -1.0])])
    lam = sharpness.top_eigenvalue(lambda v: np.einsum("kij,kj->ki", mats, v), 3, iters=3000, batch=3)
    np.testing.assert_allclose(lam, [4.0, 0.5, 2.0], rtol=1e-6)


def test_mlp_sharpness_equals_the_exact_hessians_top_eigenvalue():
    model = MLP((2, 6, 5, 1), "tanh", "mse")
    data = datasets.make("moons", n=40, seed=0)
    params = np.stack([model.init(s) for s in range(3)] + [np.full(model.n_params, np.nan)])
    got = sharpness.mlp_sharpness(model, params, data.X_train, data.y_train, iters=2000)
    for k in range(3):
        exact = np.linalg.eigvalsh(model.hessian(params[k], data.X_train, data.y_train))[-1]
        assert got[k] == pytest.approx(exact, rel=1e-6)
    assert np.isnan(got[3])


def test_edge_of_stability_formulas():
    assert sharpness.edge_of_stability("sgd", 0.2) == pytest.approx(10.0)
    assert sharpness.edge_of_stability(optimizers.make("momentum", momentum=0.9), 0.1) == pytest.approx(38.0)
    assert np.isnan(sharpness.edge_of_stability("adam", 0.1))


def test_full_batch_gd_sharpens_up_to_two_over_lr_and_hovers_there():
    """Cohen et al. 2021 on a seeded 2-16-16-1 tanh MLP with MSE loss: at lr = 0.075 the sharpness
    climbs past 2/0.3; at lr = 0.3 it rises to that edge and then stays at it instead of crossing."""
    data = datasets.make("moons", n=100, noise=0.1, seed=0)
    model = MLP((2, 16, 16, 1), "tanh", "mse")
    res = sharpness.track(model, data, "sgd", [0.075, 0.3], steps=500, every=20, iters=100)
    edge = 2 / 0.3
    np.testing.assert_allclose(res.edge, [[2 / 0.075] * 26, [edge] * 26])
    assert res.steps[-1] == 500 and res.sharpness.shape == (2, 26)
    slow, fast = res.sharpness
    assert slow[-1] > 1.2 * edge  # progressive sharpening, unchecked by a small lr
    assert slow[0] < 0.75 * edge  # ... from well below the edge
    assert fast.max() >= 0.75 * edge
    assert np.all(fast[-5:] <= 1.1 * edge)
    assert np.mean(fast[-10:]) == pytest.approx(edge, rel=0.1)
    assert (
        np.all(np.isfinite(res.train.train_loss)) and res.train.train_loss[1, -1] < res.train.train_loss[1, 0]
    )


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="dim"):
        sharpness.top_eigenvalue(lambda v: v, 0)
    with pytest.raises(ValueError, match="iters"):
        sharpness.top_eigenvalue(lambda v: v, 3, iters=0)
