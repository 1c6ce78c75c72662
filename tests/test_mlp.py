"""The NumPy MLP: backprop and Hessian-vector products against finite differences and PyTorch."""

import itertools
import warnings

import numpy as np
import pytest

from lrlab.mlp import MLP

CASES = list(itertools.product(("tanh", "relu"), ("logistic", "mse")))


def _problem(loss, seed=0, n=9, sizes=(2, 5, 4, 1)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    y = (rng.random(n) > 0.5).astype(float) if loss == "logistic" else rng.normal(size=n)
    return X, y


@pytest.mark.parametrize(("act", "loss"), CASES)
def test_gradient_matches_central_differences(act, loss):
    model = MLP((2, 5, 4, 1), act, loss)
    X, y = _problem(loss)
    params = np.stack([model.init(1), model.init(2)])
    value, grad = model.loss_and_grad(params, X, y)
    eps = 1e-6
    fd = np.empty_like(params)
    for j in range(model.n_params):
        e = np.zeros(model.n_params)
        e[j] = eps
        fd[:, j] = (model.loss_value(params + e, X, y) - model.loss_value(params - e, X, y)) / (2 * eps)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(value, model.loss_value(params, X, y), rtol=1e-15)


@pytest.mark.parametrize(("act", "loss"), CASES)
def test_hvp_matches_finite_difference_hessian(act, loss):
    """Exact R-operator HVPs (assembled into the full Hessian) vs central differences of the gradient."""
    model = MLP((2, 4, 3, 1), act, loss)
    X, y = _problem(loss, seed=3)
    p = model.init(4)
    eps = 1e-5
    fd = np.empty((model.n_params, model.n_params))
    for j in range(model.n_params):
        e = np.zeros(model.n_params)
        e[j] = eps
        fd[:, j] = (model.loss_and_grad(p + e, X, y)[1] - model.loss_and_grad(p - e, X, y)[1]) / (2 * eps)
    hess = model.hessian(p, X, y)
    np.testing.assert_allclose(hess, fd, rtol=1e-6, atol=1e-8 * np.abs(hess).max())
    np.testing.assert_allclose(hess, hess.T, atol=1e-14)
    v = np.random.default_rng(0).normal(size=model.n_params)
    np.testing.assert_allclose(model.hvp(p, X, y, v), hess @ v, rtol=1e-10, atol=1e-13)


def test_runs_are_independent_and_vectorized():
    model = MLP((2, 8, 8, 1))
    X, y = _problem("logistic", n=20)
    params = np.stack([model.init(s) for s in range(3)])
    loss, grad = model.loss_and_grad(params, X, y)
    for k in range(3):
        lk, gk = model.loss_and_grad(params[k], X, y)
        assert loss[k] == pytest.approx(float(lk), rel=1e-14)
        np.testing.assert_allclose(grad[k], gk, rtol=1e-13, atol=1e-16)
    assert model.logits(params, X).shape == (3, 20)
    assert model.logits(params[0], X).shape == (20,)


def test_logistic_loss_is_stable_at_huge_logits():
    model = MLP((1, 1))  # z = w x + b
    X = np.array([[1.0], [-1.0]])
    y = np.array([0.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = model.loss_and_grad(np.array([1000.0, 0.0]), X, y)
    # sample 1: z = 1000, y = 0 -> loss 1000, dL/dz = 1; sample 2: z = -1000 -> loss 0, dL/dz = 0
    assert float(loss) == pytest.approx(500.0, rel=1e-15)
    np.testing.assert_allclose(grad, [0.5, 0.5], rtol=1e-15)


def test_init_is_pytorch_linear_rule_and_seeded():
    model = MLP((2, 16, 16, 1))
    assert model.n_params == 3 * 16 + 17 * 16 + 17
    p = model.init(0)
    np.testing.assert_array_equal(p, model.init(0))
    assert not np.array_equal(p, model.init(1))
    (w1, b1), (w2, _), (w3, _) = model.unpack(p[None])
    assert np.abs(w1).max() <= 1 / np.sqrt(2) and np.abs(b1).max() <= 1 / np.sqrt(2)
    assert np.abs(w2).max() <= 0.25 and np.abs(w3).max() <= 0.25
    assert np.abs(w2).max() > 0.2  # spread over the whole interval, not a narrower rule


def test_predict_and_accuracy():
    model = MLP((1, 1))
    X = np.array([[-2.0], [1.0], [3.0]])
    p = np.array([1.0, -0.5])  # z = x - 0.5
    np.testing.assert_allclose(model.predict(p, X), 1 / (1 + np.exp(-(X[:, 0] - 0.5))), rtol=1e-14)
    assert float(model.accuracy(p, X, [0, 1, 0])) == pytest.approx(2 / 3)
    reg = MLP((1, 1), loss="mse")
    np.testing.assert_allclose(reg.predict(p, X), X[:, 0] - 0.5)
    assert float(reg.loss_value(p, X, [0, 0, 0])) == pytest.approx(np.mean((X[:, 0] - 0.5) ** 2))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sizes": (2, 16, 2)},
        {"sizes": (2,)},
        {"sizes": 5},
        {"sizes": (2, 0, 1)},
        {"activation": "sigmoid"},
        {"loss": "hinge"},
    ],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError, match="must"):
        MLP(**kwargs)


def test_bad_shapes_raise():
    model = MLP()
    with pytest.raises(ValueError, match="params must have shape"):
        model.logits(np.zeros(5), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="X must have shape"):
        model.logits(model.init(0), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="y must have shape"):
        model.loss_and_grad(model.init(0), np.zeros((3, 2)), np.zeros(4))


@pytest.mark.torch
@pytest.mark.parametrize(("act", "loss"), CASES)
def test_parity_with_pytorch_autograd(act, loss):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[parity]'")
    model = MLP((2, 6, 5, 1), act, loss)
    X, y = _problem(loss, seed=7, n=15)
    p = model.init(11)
    v = np.random.default_rng(5).normal(size=model.n_params)
    tp = torch.tensor(p, dtype=torch.float64, requires_grad=True)
    tX, ty = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)

    def f(flat):
        h, at = tX, 0
        for li, (i, o) in enumerate(zip(model.sizes[:-1], model.sizes[1:], strict=True)):
            w = flat[at : at + i * o].reshape(i, o)
            at += i * o
            b = flat[at : at + o]
            at += o
            h = h @ w + b
            if li < len(model.sizes) - 2:
                h = torch.tanh(h) if act == "tanh" else torch.relu(h)
        z = h[:, 0]
        if loss == "logistic":
            return torch.nn.functional.binary_cross_entropy_with_logits(z, ty)
        return torch.nn.functional.mse_loss(z, ty)

    value = f(tp)
    (grad,) = torch.autograd.grad(value, tp, create_graph=True)
    (hv,) = torch.autograd.grad(grad @ torch.tensor(v, dtype=torch.float64), tp)
    ours_loss, ours_grad = model.loss_and_grad(p, X, y)
    assert float(ours_loss) == pytest.approx(value.item(), rel=1e-9)
    np.testing.assert_allclose(ours_grad, grad.detach().numpy(), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(model.hvp(p, X, y, v), hv.numpy(), rtol=1e-9, atol=1e-14)
