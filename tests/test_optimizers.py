"""lrlab.optimizers: PyTorch parity, batching, purity, argument checks and a closed form."""

from __future__ import annotations

import copy
import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlab import optimizers

D = 6
CURV = np.linspace(0.5, 4.0, D)


def grad_fn(x):
    """Gradient of f(x) = Σ ½ a_i x_i² + sin(3 x_i): curved, non-convex, with sign changes."""
    return CURV * x + 3.0 * np.cos(3.0 * x)


X0 = np.random.default_rng(0).normal(size=D)

# (our name, our hyper, lr): several settings per optimizer, defaults included
CASES = [
    ("sgd", {}, 0.05),
    ("sgd", {"weight_decay": 0.3}, 0.1),
    ("momentum", {}, 0.02),
    ("momentum", {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1}, 0.05),
    ("momentum", {"momentum": 0.0, "dampening": 0.5}, 0.05),
    ("nesterov", {}, 0.02),
    ("nesterov", {"momentum": 0.7, "weight_decay": 0.2}, 0.04),
    ("adagrad", {}, 0.3),
    ("adagrad", {"lr_decay": 0.05, "initial_accumulator_value": 0.4, "weight_decay": 0.1}, 0.5),
    ("adagrad", {"eps": 1e-3}, 0.2),
    ("rmsprop", {}, 0.01),
    ("rmsprop", {"centered": True, "momentum": 0.8}, 0.005),
    ("rmsprop", {"alpha": 0.9, "eps": 1e-4, "weight_decay": 0.1, "momentum": 0.5}, 0.01),
    ("rmsprop", {"centered": True}, 0.01),
    ("adam", {}, 0.05),
    ("adam", {"amsgrad": True, "weight_decay": 0.1}, 0.05),
    ("adam", {"betas": (0.5, 0.9), "eps": 1e-3}, 0.1),
    ("adamw", {}, 0.05),
    ("adamw", {"amsgrad": True, "weight_decay": 0.3, "betas": [0.8, 0.99]}, 0.1),
]


def torch_optimizer(torch, name, hyper, param, lr):
    h = dict(hyper)
    cls = {
        "sgd": torch.optim.SGD,
        "momentum": torch.optim.SGD,
        "nesterov": torch.optim.SGD,
        "adagrad": torch.optim.Adagrad,
        "rmsprop": torch.optim.RMSprop,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
    }[name]
    if name in ("momentum", "nesterov"):
        h.setdefault("momentum", 0.9)
    if name == "nesterov":
        h["nesterov"] = True
    if "betas" in h:
        h["betas"] = tuple(h["betas"])
    return cls([param], lr=lr, foreach=False, **h)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "hyper", "lr"), CASES)
def test_matches_torch_step_by_step(name, hyper, lr):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[parity]'")
    param = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    topt = torch_optimizer(torch, name, hyper, param, lr)
    opt = optimizers.make(name, **hyper)
    p = X0.copy()
    state = opt.init(p)
    # rtol 1e-9, plus an atol 1e-12 of the quantity's peak: near a minimum the buffers are differences
    # of nearly equal numbers, whose last-bit rounding (torch's fused kernels) is not a disagreement
    peak = {"params": np.abs(X0).max()}
    for t in range(60):
        g = grad_fn(p)
        param.grad = torch.tensor(grad_fn(param.detach().numpy()), dtype=torch.float64)
        topt.step()
        p, state = opt.step(p, g, state, lr)
        tstate = {k: v.numpy() for k, v in topt.state[param].items() if k != "step" and v is not None}
        ours = set(state) - {"t"} - ({"momentum_buffer"} if hyper.get("momentum") == 0 else set())
        assert set(tstate) == ours  # torch keeps no buffer when momentum = 0; ours holds g there
        for key, want in [("params", param.detach().numpy()), *tstate.items()]:
            peak[key] = max(peak.get(key, 0.0), np.abs(want).max())
            got = p if key == "params" else state[key]
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12 * peak[key], err_msg=f"{key} at {t}")
        assert state["t"] == t + 1
    assert np.all(np.abs(p - X0) > 1e-3), "the run must actually move"


@pytest.mark.torch
@pytest.mark.parametrize("name", optimizers.names())
def test_defaults_are_torchs(name):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[parity]'")
    cls = {"sgd": "SGD", "momentum": "SGD", "nesterov": "SGD", "rmsprop": "RMSprop", "adamw": "AdamW"}
    sig = inspect.signature(getattr(torch.optim, cls.get(name, name.capitalize())))
    for key, value in optimizers.defaults(name).items():
        if name in ("momentum", "nesterov") and key == "momentum":
            assert value == 0.9  # torch's default is 0 (no momentum); ours names the method
        else:
            assert value == sig.parameters[key].default, key


@pytest.mark.torch
@pytest.mark.parametrize(
    ("name", "hyper"),
    [
        ("adagrad", {"lr_decay": 0.1, "initial_accumulator_value": 0.2}),
        ("rmsprop", {"centered": True}),
        ("rmsprop", {"momentum": 0.6}),
        ("adam", {}),
        ("adam", {"amsgrad": True}),
        ("adamw", {"weight_decay": 0.2}),
    ],
)
def test_effective_lr_is_the_multiplier_torch_applied(name, hyper):
    """Per-axis effective step c: torch's own step equals c·g (adagrad, rmsprop) or c·m (adam)."""
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[parity]'")
    lr = 0.07
    param = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    topt = torch_optimizer(torch, name, hyper, param, lr)
    opt = optimizers.make(name, **hyper)
    p, state = X0.copy(), opt.init(X0)
    assert np.all(np.isnan(opt.effective_lr(state, lr)))
    for _ in range(25):
        before = param.detach().numpy().copy()
        old_state = state
        g = grad_fn(before)
        param.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
        p, state = opt.step(p, g, state, lr)
        moved = param.detach().numpy()
        c = opt.effective_lr(state, lr)
        assert c.shape == (D,) and np.all(c > 0)
        if name == "adamw":
            np.testing.assert_allclose(before * (1 - lr * 0.2) - moved, c * state["exp_avg"], rtol=1e-9)
        elif name.startswith("adam"):
            np.testing.assert_allclose(before - moved, c * state["exp_avg"], rtol=1e-9)
        elif hyper.get("momentum", 0) > 0:
            buf = topt.state[param]["momentum_buffer"].numpy()
            np.testing.assert_allclose(buf - 0.6 * old_state["momentum_buffer"], c / lr * g, rtol=1e-9)
        else:
            np.testing.assert_allclose(before - moved, c * g, rtol=1e-9)
    # the Adam step is about lr per axis in steady state, far from the raw gradient scale
    if name == "adam":
        assert np.all(np.abs(c * state["exp_avg"]) < 3 * lr)


@pytest.mark.parametrize("name", optimizers.names())
def test_non_adaptive_have_no_effective_lr(name):
    opt = optimizers.make(name)
    state = opt.step(X0, grad_fn(X0), opt.init(X0), 0.1)[1]
    assert (opt.effective_lr(state, 0.1) is None) == (name in ("sgd", "momentum", "nesterov"))
    v = optimizers.velocity(state)
    assert (v is None) == (name in ("sgd", "adagrad", "rmsprop"))
    if v is not None:
        assert v is state["momentum_buffer" if "momentum_buffer" in state else "exp_avg"]


def run(opt, p, lr, steps, grad=grad_fn):
    state = opt.init(p)
    for _ in range(steps):
        p, state = opt.step(p, grad(p), state, lr)
    return p, state


@pytest.mark.parametrize(("name", "hyper", "_"), CASES)
def test_batched_equals_single(name, hyper, _):
    opt = optimizers.make(name, **hyper)
    lrs = np.array([1e-3, 0.01, 0.1, 0.5, 2.0])
    starts = np.stack([X0 * (1 + 0.1 * k) for k in range(len(lrs))])
    batch_p, batch_s = run(opt, starts, lrs, 30)
    for k, lr in enumerate(lrs):
        one_p, one_s = run(opt, starts[k], float(lr), 30)
        np.testing.assert_array_equal(batch_p[k], one_p)
        for key in one_s:
            np.testing.assert_array_equal(
                np.asarray(batch_s[key])[k] if key != "t" else batch_s[key], one_s[key]
            )
    # a (K, N, D) stack with lr (K,): run k, point n uses lr[k]
    cube = np.stack([starts, -starts, 0.5 * starts], axis=1)
    cube_p, _s = run(opt, cube, lrs, 30)
    for k, lr in enumerate(lrs):
        for n in range(3):
            np.testing.assert_array_equal(cube_p[k, n], run(opt, cube[k, n], float(lr), 30)[0])
    # a 0-d array lr acts like the float
    np.testing.assert_array_equal(run(opt, X0, np.array(0.1), 5)[0], run(opt, X0, 0.1, 5)[0])


@pytest.mark.parametrize(("name", "hyper", "_"), CASES)
def test_step_is_pure(name, hyper, _):
    opt = optimizers.make(name, **hyper)
    params = np.stack([X0, -X0])
    _p, state = run(opt, params, np.array([0.1, 0.2]), 3)  # a state with nonzero buffers
    grads = grad_fn(params)
    lr = np.array([0.1, 0.2])
    saved = [params.copy(), grads.copy(), copy.deepcopy(state), lr.copy()]
    new_p, new_s = opt.step(params, grads, state, lr)
    for before, now in zip(saved, [params, grads, state, lr], strict=True):
        if isinstance(before, dict):
            assert before.keys() == now.keys()
            for key in before:
                np.testing.assert_array_equal(before[key], now[key])
        else:
            np.testing.assert_array_equal(before, now)
    assert new_s is not state and new_s["t"] == state["t"] + 1
    for out in [new_p, *(v for k, v in new_s.items() if k != "t")]:
        assert not any(np.shares_memory(out, x) for x in [params, grads, lr])
        assert not any(np.shares_memory(out, v) for k, v in state.items() if k != "t")
    assert not np.array_equal(new_p, params)


@pytest.mark.parametrize(
    ("name", "hyper", "_"), CASES + [("adagrad", {"eps": 0.0}, 0), ("adam", {"eps": 0.0}, 0)]
)
def test_non_finite_inputs_do_not_raise_or_warn(name, hyper, _):
    """A diverging run produces inf and NaN; the runner handles it, so no error and no RuntimeWarning."""
    opt = optimizers.make(name, **hyper)
    p = np.array([[np.inf, -np.inf, np.nan, 1e308, 0.0], [1.0, 2.0, 0.0, -1e308, 0.0]])
    g = np.array([[np.inf, 1.0, 0.0, 1e308, 0.0], [np.nan, -np.inf, 1e308, -1e308, 0.0]])
    state = opt.init(p)
    for _step in range(3):
        p, state = opt.step(p, g, state, np.array([1.0, 1e300]))
        opt.effective_lr(state, np.array([1.0, 1e300]))
    assert p.shape == (2, 5) and not np.all(np.isfinite(p))


@pytest.mark.parametrize(
    ("name", "hyper", "fragment"),
    [
        ("adamax", {}, "'adamax'"),
        (["adam"], {}, "['adam']"),
        ("adam", {"beta1": 0.9}, "'beta1'"),
        ("sgd", {"momentum": 0.9}, "'momentum'"),
        ("nesterov", {"dampening": 0.1}, "'dampening'"),
        ("adam", {"betas": (1.0, 0.999)}, "[0, 1), got 1.0"),
        ("adamw", {"betas": (0.9, -0.1)}, "[0, 1), got -0.1"),
        ("adam", {"betas": 0.9}, "pair"),
        ("adam", {"eps": -1e-8}, "-1e-08"),
        ("adam", {"weight_decay": -0.5}, "[0, inf), got -0.5"),
        ("adam", {"amsgrad": "yes"}, "True or False, got 'yes'"),
        ("rmsprop", {"alpha": 1.5}, "[0, 1), got 1.5"),
        ("rmsprop", {"momentum": -0.2}, "[0, 1), got -0.2"),
        ("momentum", {"momentum": 1.0}, "[0, 1), got 1.0"),
        ("momentum", {"dampening": 2}, "[0, 1), got 2"),
        ("nesterov", {"momentum": 0.0}, "(0, 1)"),
        ("nesterov", {"momentum": 0}, "got 0"),
        ("adagrad", {"lr_decay": -1.0}, "[0, inf), got -1.0"),
        ("adagrad", {"initial_accumulator_value": -0.1}, "got -0.1"),
        ("sgd", {"weight_decay": float("nan")}, "got nan"),
        ("sgd", {"weight_decay": "0.1"}, "finite number in [0, inf), got '0.1'"),
    ],
)
def test_bad_hyperparameters_raise(name, hyper, fragment):
    with pytest.raises(ValueError) as err:
        optimizers.make(name, **hyper)
    assert fragment in str(err.value)
    if name == "adamax":
        with pytest.raises(ValueError, match="adamax"):
            optimizers.defaults(name)


@pytest.mark.parametrize(
    ("lr", "fragment"),
    [(-0.1, "-0.1"), (np.array([0.1, -1e-3]), "-0.001"), (float("nan"), "nan"), (np.ones(3), "(3,)")],
)
def test_bad_lr_raises(lr, fragment):
    opt = optimizers.make("adam")
    p = np.zeros((2, 2))
    with pytest.raises(ValueError) as err:
        opt.step(p, p, opt.init(p), lr)
    assert fragment in str(err.value)


def test_grads_must_match_params():
    opt = optimizers.make("sgd")
    with pytest.raises(ValueError, match=r"\(3,\)"):
        opt.step(np.zeros(2), np.zeros(3), opt.init(np.zeros(2)), 0.1)


def test_api_surface():
    assert optimizers.names() == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
    opt = optimizers.make("adam", betas=[0.8, 0.99])
    assert opt.name == "adam"
    assert dict(opt.hyper) == {"betas": (0.8, 0.99), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
    with pytest.raises(TypeError):
        opt.hyper["eps"] = 1.0
    d = optimizers.defaults("adamw")
    d["weight_decay"] = 5.0  # a copy: editing it changes nothing
    assert optimizers.defaults("adamw")["weight_decay"] == 0.01
    assert "m ← β₁ m + (1 − β₁) g" in opt.rule
    assert set(opt.init(np.zeros((4, 2)))) == {"exp_avg", "exp_avg_sq", "t"}
    assert set(optimizers.make("rmsprop", centered=True, momentum=0.1).init(np.zeros(2))) == {
        "square_avg",
        "grad_avg",
        "momentum_buffer",
        "t",
    }
    assert (
        optimizers.make("adagrad", initial_accumulator_value=0.3).init(np.zeros(2))["sum"].tolist()
        == [0.3] * 2
    )


@settings(max_examples=60, deadline=None)
@given(
    lr=st.floats(1e-4, 1.0),
    a=st.floats(0.01, 10.0),
    wd=st.sampled_from([0.0, 0.25]),
    x0=st.floats(-10.0, 10.0),
    steps=st.integers(1, 60),
)
def test_sgd_on_a_quadratic_is_the_closed_form(lr, a, wd, x0, steps):
    """f(x) = ½ a x²: x_t = (1 − η(a + λ))ᵗ x₀ for every lr and curvature (with weight decay λ)."""
    opt = optimizers.make("sgd", weight_decay=wd)
    p, state = run(opt, np.array([x0]), lr, steps, grad=lambda x: a * x)
    r = 1 - lr * (a + wd)
    tol = 1e-13 * steps * abs(x0) * max(1.0, abs(r)) ** steps + 1e-300  # subnormals round
    np.testing.assert_allclose(p, [r**steps * x0], rtol=1e-12, atol=tol)
    assert state["t"] == steps
