"""Learning-rate schedules: PyTorch parity, vectorization, scaling, validation and properties."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlab import schedules

# (name, base_lr, keywords, number of steps compared); at least three settings for most schedules
CASES = [
    ("constant", 0.1, {}, 10),
    ("constant", 2.5, {}, 10),
    ("step", 0.1, {"step_size": 3, "gamma": 0.5}, 20),
    ("step", 0.3, {"step_size": 7}, 50),
    ("step", 0.05, {"step_size": 1, "gamma": 0.9}, 40),
    ("step", 0.01, {"step_size": 4, "gamma": 1.5}, 25),
    ("multistep", 0.1, {"milestones": [3, 7, 12], "gamma": 0.5}, 20),
    ("multistep", 0.2, {"milestones": [0, 5, 5, 9]}, 15),  # a milestone at 0, one listed twice
    ("multistep", 0.4, {"milestones": [10, 2], "gamma": 0.3}, 15),  # unsorted
    ("exponential", 0.1, {"gamma": 0.9}, 80),
    ("exponential", 1.0, {"gamma": 0.5}, 60),
    ("exponential", 0.01, {"gamma": 1.05}, 80),
    ("polynomial", 0.1, {}, 10),
    ("polynomial", 0.2, {"total_iters": 10, "power": 2.0}, 30),
    ("polynomial", 0.3, {"total_iters": 20, "power": 0.5}, 30),
    ("cosine", 0.1, {"t_max": 10}, 45),  # past t_max it rises again, troughs at 10 and 30
    ("cosine", 0.5, {"t_max": 7, "eta_min": 0.01}, 40),
    ("cosine", 0.2, {"t_max": 50, "eta_min": 0.05}, 120),
    ("cosine_restarts", 0.1, {"t_0": 5}, 40),
    ("cosine_restarts", 0.3, {"t_0": 3, "t_mult": 2, "eta_min": 0.01}, 60),
    ("cosine_restarts", 0.2, {"t_0": 4, "t_mult": 3}, 60),
    ("cyclic", 0.01, {"max_lr": 0.1, "step_size_up": 4}, 40),
    ("cyclic", 0.02, {"max_lr": 0.3, "step_size_up": 3, "step_size_down": 5, "mode": "triangular2"}, 50),
    ("cyclic", 0.05, {"step_size_up": 4, "step_size_down": 2, "mode": "exp_range", "gamma": 0.97}, 50),
    ("onecycle", 0.1, {"total_steps": 40}, 40),
    ("onecycle", 0.5, {"total_steps": 37, "pct_start": 0.25, "anneal_strategy": "linear"}, 37),
    ("onecycle", 0.2, {"total_steps": 50, "three_phase": True, "div_factor": 10.0}, 50),
    ("onecycle", None, {"max_lr": 0.3, "total_steps": 20, "pct_start": 0.0, "final_div_factor": 100.0}, 20),
    ("warmup", 0.1, {}, 10),
    ("warmup", 0.2, {"start_factor": 0.1, "total_iters": 10}, 20),
    ("warmup", 0.3, {"start_factor": 0.5, "end_factor": 0.2, "total_iters": 7}, 12),
    ("warmup", 0.4, {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 6}, 10),
    ("inverse_time", 0.1, {}, 30),
    ("inverse_time", 0.2, {"decay_rate": 0.5, "decay_steps": 3}, 30),
    ("inverse_time", 0.3, {"decay_rate": 2.0, "decay_steps": 1}, 30),
]
CASE_IDS = [f"{n}-{i}" for i, (n, *_) in enumerate(CASES)]

# one schedule of each kind behind a warm-up: (name, base_lr, keywords, warm-up steps, start factor)
WARM_CASES = [
    ("constant", 0.1, {}, 4, 0.1),
    ("step", 0.2, {"step_size": 3, "gamma": 0.5}, 5, 1 / 3),
    ("multistep", 0.2, {"milestones": [0, 4, 8], "gamma": 0.5}, 3, 0.25),
    ("exponential", 0.1, {"gamma": 0.9}, 6, 0.5),
    ("polynomial", 0.1, {"total_iters": 8, "power": 2.0}, 4, 0.2),
    ("cosine", 0.1, {"t_max": 12, "eta_min": 0.01}, 5, 0.1),
    ("cosine", 0.3, {"t_max": 6}, 1, 0.5),
    ("cosine_restarts", 0.1, {"t_0": 4, "t_mult": 2}, 3, 0.1),
    ("cyclic", 0.01, {"max_lr": 0.1, "step_size_up": 3, "mode": "triangular2"}, 4, 0.5),
    ("onecycle", 0.2, {"total_steps": 30}, 5, 0.1),
    ("warmup", 0.1, {"start_factor": 0.2, "total_iters": 4}, 3, 0.5),
    ("inverse_time", 0.1, {"decay_rate": 0.5, "decay_steps": 2}, 4, 0.3),
]


def torch_scheduler(torch, opt, sched: schedules.Schedule):
    """The PyTorch scheduler that ``sched`` claims to equal (built on ``opt``)."""
    lrs = torch.optim.lr_scheduler
    kw = dict(sched.params)
    if sched.name == "constant":
        return lrs.LambdaLR(opt, lambda t: 1.0)
    if sched.name == "step":
        return lrs.StepLR(opt, step_size=kw["step_size"], gamma=kw["gamma"])
    if sched.name == "multistep":
        return lrs.MultiStepLR(opt, milestones=list(kw["milestones"]), gamma=kw["gamma"])
    if sched.name == "exponential":
        return lrs.ExponentialLR(opt, gamma=kw["gamma"])
    if sched.name == "polynomial":
        return lrs.PolynomialLR(opt, total_iters=kw["total_iters"], power=kw["power"])
    if sched.name == "cosine":
        return lrs.CosineAnnealingLR(opt, T_max=kw["t_max"], eta_min=kw["eta_min"])
    if sched.name == "cosine_restarts":
        return lrs.CosineAnnealingWarmRestarts(opt, T_0=kw["t_0"], T_mult=kw["t_mult"], eta_min=kw["eta_min"])
    if sched.name == "cyclic":
        return lrs.CyclicLR(opt, base_lr=sched.base_lr, cycle_momentum=False, **kw)
    if sched.name == "onecycle":
        return lrs.OneCycleLR(opt, cycle_momentum=False, **kw)
    if sched.name == "warmup":
        return lrs.LinearLR(opt, **kw)
    if sched.name == "inverse_time":
        r, n = kw["decay_rate"], kw["decay_steps"]
        return lrs.LambdaLR(opt, lambda t: 1 / (1 + r * t / n))
    raise AssertionError(sched.name)


def torch_lrs(torch, build, lr: float, n: int) -> np.ndarray:
    """param_groups[0]["lr"] seen by each of n optimizer.step() calls, scheduler stepped after each."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's UserWarnings about call order are not ours
        sched = build(opt)
        for _ in range(n):
            out.append(float(opt.param_groups[0]["lr"]))
            p.grad = torch.ones_like(p)
            opt.step()
            sched.step()
    return np.array(out)


def assert_same_lrs(ours, theirs):
    # relative 1e-9; values that are 0 in exact arithmetic (cosine troughs) are rounding noise
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15 * np.max(np.abs(theirs)))


@pytest.mark.torch
@pytest.mark.parametrize(("name", "base_lr", "kw", "n"), CASES, ids=CASE_IDS)
def test_matches_pytorch(name, base_lr, kw, n):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[parity]'")
    sched = schedules.make(name, base_lr, **kw)
    want = torch_lrs(torch, lambda opt: torch_scheduler(torch, opt, sched), sched.base_lr, n)
    assert_same_lrs(sched(np.arange(n)), want)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "base_lr", "kw", "w", "s"), WARM_CASES, ids=[c[0] for c in WARM_CASES])
def test_warmup_matches_sequential_lr(name, base_lr, kw, w, s):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[parity]'")
    sched = schedules.make(name, base_lr, warmup_steps=w, warmup_start_factor=s, **kw)
    inner = schedules.make(name, base_lr, **kw)
    assert sched == schedules.with_warmup(inner, w, s)

    def build(opt):
        lin = torch.optim.lr_scheduler.LinearLR(opt, start_factor=s, total_iters=w)
        return torch.optim.lr_scheduler.SequentialLR(opt, [lin, torch_scheduler(torch, opt, inner)], [w])

    n = w + (30 if name == "onecycle" else 40)  # OneCycleLR refuses to step past its total_steps
    want = torch_lrs(torch, build, inner.base_lr, n)
    got = sched(np.arange(len(want)))
    assert_same_lrs(got, want)
    # the ramp, then the inner schedule from its own step 0
    np.testing.assert_allclose(got[w:], inner(np.arange(len(want) - w)), rtol=1e-12)
    assert got[0] == pytest.approx(s * inner._warmup_target(), rel=1e-12)


def scripted_losses() -> np.ndarray:
    """K = 5 loss sequences (T, K) with improvements, flat stretches, tiny gains, rises, NaN and inf."""
    rng = np.random.default_rng(7)
    a = np.r_[
        np.linspace(10, 5, 6), [5.0] * 5, [4.9999] * 4, np.linspace(4.9, 3, 4), [3.5] * 8, [1.0], [2.0] * 8
    ]
    b = np.r_[[1.0] * 3, [np.nan] * 4, [0.5] * 6, [np.inf] * 3, [0.4] * 6, [0.2], [0.3] * 13]
    c = np.round(np.cumsum(rng.normal(-0.05, 0.3, a.size)), 1) + 20  # random walk with plateaus
    d = np.r_[[-1.0] * 4, np.linspace(-1, -3, 6), [-3.0] * 26]  # negative losses (rel threshold)
    e = np.abs(np.round(rng.normal(0, 2, a.size), 0))
    return np.stack([a, b, c, d, e], axis=1)


PLATEAU_CASES = [
    {},
    {"patience": 2, "factor": 0.5},
    {"patience": 0, "cooldown": 2, "threshold_mode": "abs", "threshold": 0.05, "factor": 0.3},
    {"mode": "max", "patience": 1, "factor": 0.5, "threshold": 0.01},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.5, "patience": 3, "cooldown": 1},
    {"patience": 1, "factor": 0.5, "min_lr": 0.02},  # floors at min_lr
    {"patience": 1, "factor": 0.5, "eps": 0.03},  # eps blocks reductions below 0.05 -> 0.025
]


@pytest.mark.torch
@pytest.mark.parametrize("kw", PLATEAU_CASES, ids=[str(k) for k in PLATEAU_CASES])
def test_plateau_matches_pytorch(kw):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[parity]'")
    losses = scripted_losses()
    plateau = schedules.make("plateau", 0.1, **kw)
    state = plateau.init(losses.shape[1])
    ours = [state["lr"]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NaN and inf losses must be silent
        for row in losses:
            lr, state = plateau.update(state, row)
            ours.append(lr)
    ours = np.array(ours)
    for k in range(losses.shape[1]):
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        want = [opt.param_groups[0]["lr"]]
        for loss in losses[:, k]:
            sched.step(loss)
            want.append(opt.param_groups[0]["lr"])
        np.testing.assert_allclose(ours[:, k], want, rtol=1e-12)
    assert np.any(ours[-1] < 0.1)  # the script does trigger reductions


def test_plateau_is_pure_and_scales():
    plateau = schedules.make("plateau", 0.2, patience=1, factor=0.5, min_lr=0.01)
    losses = scripted_losses()
    state, scaled_state = plateau.init(5), plateau.scaled(4.0).init(5)
    before = {k: v.copy() for k, v in state.items()}
    lr, new = plateau.update(state, losses[0])
    for k in state:
        np.testing.assert_array_equal(state[k], before[k])
    assert new is not state
    state = plateau.init(5)
    for row in losses:
        lr, state = plateau.update(state, row)
        lr4, scaled_state = plateau.scaled(4.0).update(scaled_state, row)
        np.testing.assert_allclose(lr4, 4.0 * lr, rtol=1e-12)
    assert plateau.scaled(4.0).base_lr == 0.8 and plateau.scaled(4.0).min_lr == 0.04
    assert np.any(lr == 0.01)  # reached the floor
    # a scalar loss broadcasts over the runs
    lr, _ = plateau.update(plateau.init(3), 1.0)
    assert lr.shape == (3,)


def test_plateau_is_not_a_function_of_t():
    plateau = schedules.make("plateau", 0.1)
    with pytest.raises(TypeError, match="loss"):
        plateau(3)
    assert plateau.name == "plateau" and plateau.base_lr == 0.1
    assert plateau.kw == schedules.defaults("plateau")
    assert hash(plateau) == hash(schedules.make("plateau", 0.1))


def test_matches_pytorch_past_the_end_of_onecycle():
    sched = schedules.make("onecycle", 0.4, total_steps=20)
    tail = sched(np.arange(19, 40))
    assert np.all(tail == 0.4 / 25 / 1e4)
    # and cosine does not stop at t_max: it climbs back, as PyTorch's does
    cos = schedules.make("cosine", 0.1, t_max=10)
    assert cos(10) == 0.0 and cos(20) == pytest.approx(0.1, rel=1e-15) and cos(15) == pytest.approx(0.05)


ALL = [schedules.make(n, b, **kw) for n, b, kw, _ in CASES] + [
    schedules.make(n, b, warmup_steps=w, warmup_start_factor=s, **kw) for n, b, kw, w, s in WARM_CASES
]


@pytest.mark.parametrize("sched", ALL, ids=[repr(s)[16:60] for s in ALL])
def test_vectorized_equals_scalar_calls(sched):
    t = np.arange(60)
    vec = sched(t)
    assert vec.shape == (60,) and vec.dtype == np.float64
    one = [sched(int(i)) for i in t]
    assert all(type(x) is float for x in one)
    np.testing.assert_allclose(vec, one, rtol=1e-14, atol=0)
    np.testing.assert_array_equal(sched(t.reshape(6, 10)), vec.reshape(6, 10))
    assert sched(np.int64(5)) == sched(5) == sched(5.0)


@pytest.mark.parametrize("sched", ALL, ids=[repr(s)[16:60] for s in ALL])
@pytest.mark.parametrize("f", [0.5, 2.0, 4.0])
def test_scaled_multiplies_every_lr(sched, f):
    t = np.arange(80)
    np.testing.assert_allclose(sched.scaled(f)(t), f * sched(t), rtol=1e-12, atol=0)
    assert sched.scaled(f).base_lr == f * sched.base_lr
    assert sched.scaled(f).name == sched.name and sched.scaled(f).warmup_steps == sched.warmup_steps


def test_scaled_touches_exactly_the_lr_valued_keywords():
    cyc = schedules.make("cyclic", 0.01, max_lr=0.1, step_size_up=4, gamma=0.9)
    assert cyc.scaled(2.0).kw == {**cyc.kw, "max_lr": 0.2}
    cos = schedules.make("cosine", 0.1, t_max=10, eta_min=0.01)
    assert cos.scaled(0.5).kw == {**cos.kw, "eta_min": 0.005}
    one = schedules.make("onecycle", 0.1, total_steps=10)
    assert one.scaled(4.0).kw["max_lr"] == 0.4 and one.scaled(4.0).kw["div_factor"] == 25.0


def test_schedule_is_a_hashable_round_trippable_value():
    sched = schedules.make("multistep", 0.1, milestones=[8, 3], gamma=0.5, warmup_steps=2)
    assert sched == schedules.make("multistep", 0.1, milestones=(3, 8), gamma=0.5, warmup_steps=2)
    assert {sched: 1}[schedules.make("multistep", 0.1, milestones=[3, 8], gamma=0.5, warmup_steps=2)] == 1
    assert schedules.make(sched.name, sched.base_lr, **sched.kw) == sched
    assert sched.kw["milestones"] == (3, 8) and sched.kw["warmup_steps"] == 2
    with pytest.raises(AttributeError):
        sched.base_lr = 1.0
    assert schedules.with_warmup(sched.scaled(1.0), 0) == sched


def test_names_and_defaults():
    assert set(schedules.names()) == {
        "constant",
        "step",
        "multistep",
        "exponential",
        "polynomial",
        "cosine",
        "cosine_restarts",
        "cyclic",
        "onecycle",
        "warmup",
        "inverse_time",
        "plateau",
    }
    for name in schedules.names():
        d = schedules.defaults(name)
        assert schedules.make(name, 0.1, **d) == schedules.make(name, 0.1)
    assert schedules.defaults("step")["gamma"] == 0.1
    assert schedules.defaults("warmup") == {"start_factor": 1 / 3, "end_factor": 1.0, "total_iters": 5}
    assert schedules.defaults("onecycle")["final_div_factor"] == 1e4
    d = schedules.defaults("cosine")
    d["t_max"] = 3  # a copy: the registry is untouched
    assert schedules.defaults("cosine")["t_max"] == 100


def test_onecycle_convention_and_cyclic_default_peak():
    one = schedules.make("onecycle", 0.1, total_steps=100)
    assert one.kw["max_lr"] == one.base_lr == 0.1 and one(0) == pytest.approx(0.1 / 25)
    assert max(one(np.arange(100))) == pytest.approx(0.1)
    two = schedules.make("onecycle", 5.0, max_lr=0.3, total_steps=100)  # base_lr replaced by max_lr
    assert two.base_lr == 0.3 and two == schedules.make("onecycle", max_lr=0.3, total_steps=100)
    cyc = schedules.make("cyclic", 0.1, step_size_up=5)
    assert cyc.kw["max_lr"] == pytest.approx(0.4) and cyc(5) == pytest.approx(0.4) and cyc(0) == 0.1


BAD = [
    ("nope", {}, "'nope'"),
    ("constant", {"base_lr": -0.1}, "-0.1"),
    ("constant", {"base_lr": float("nan")}, "nan"),
    ("constant", {"base_lr": None}, "None"),
    ("constant", {"base_lr": "0.1"}, "'0.1'"),
    ("step", {"gamma": 0.0}, "gamma must be a finite number in (0, inf), got 0.0"),
    ("step", {"step_size": 0}, "step_size must be an integer >= 1, got 0"),
    ("step", {"step_size": 2.5}, "2.5"),
    ("step", {"step_size": True}, "True"),
    ("exponential", {"gamma": -1}, "-1"),
    ("multistep", {"milestones": [3, -1]}, "-1"),
    ("multistep", {"milestones": 5}, "milestones"),
    ("polynomial", {"total_iters": 0}, "total_iters"),
    ("polynomial", {"power": -1.0}, "power"),
    ("cosine", {"t_max": 0}, "t_max must be an integer >= 1, got 0"),
    ("cosine", {"eta_min": 0.5}, "eta_min must be a finite number in [0, 0.1], got 0.5"),
    ("cosine", {"tmax": 10}, "'tmax'"),
    ("cosine_restarts", {"t_0": -3}, "-3"),
    ("cosine_restarts", {"t_mult": 0}, "t_mult"),
    ("cyclic", {"max_lr": 0.05}, "max_lr must be a finite number in [0.1, inf), got 0.05"),
    ("cyclic", {"mode": "tri"}, "'tri'"),
    ("cyclic", {"step_size_down": 0}, "step_size_down"),
    ("onecycle", {"pct_start": 1.5}, "1.5"),
    ("onecycle", {"anneal_strategy": "cosine"}, "'cosine'"),
    ("onecycle", {"total_steps": 10, "pct_start": 0.1}, "pct_start"),
    ("onecycle", {"div_factor": 0.0}, "div_factor"),
    ("onecycle", {"three_phase": "yes"}, "'yes'"),
    ("warmup", {"start_factor": 0.0}, "start_factor must be a finite number in (0, 1], got 0.0"),
    ("warmup", {"end_factor": 1.5}, "1.5"),
    ("inverse_time", {"decay_steps": 0}, "decay_steps"),
    ("inverse_time", {"decay_rate": -1.0}, "-1.0"),
    ("constant", {"warmup_steps": -1}, "warmup_steps must be an integer >= 0, got -1"),
    ("constant", {"warmup_steps": 3, "warmup_start_factor": 0.0}, "warmup_start_factor"),
    ("plateau", {"factor": 1.0}, "factor must be a finite number in [0, 1), got 1.0"),
    ("plateau", {"mode": "avg"}, "'avg'"),
    ("plateau", {"threshold_mode": "x"}, "'x'"),
    ("plateau", {"patience": -1}, "-1"),
    ("plateau", {"threshold": 1.0}, "threshold"),
    ("plateau", {"min_lr": -0.1}, "-0.1"),
    ("plateau", {"warmup_steps": 5}, "warm"),
    ("plateau", {"patiense": 5}, "'patiense'"),
]


@pytest.mark.parametrize(("name", "kw", "needle"), BAD, ids=[f"{n}-{k}" for n, k, _ in BAD])
def test_bad_arguments_raise_value_error_naming_the_value(name, kw, needle):
    kw = {"base_lr": 0.1, **kw}
    with pytest.raises(ValueError) as err:
        schedules.make(name, **kw)
    assert needle in str(err.value)


def test_bad_calls_raise_value_error():
    sched = schedules.make("cosine", 0.1, t_max=10)
    for t, needle in [(-1, "-1"), (1.5, "1.5"), ([0, -2], "-2"), ("3", "'3'")]:
        with pytest.raises(ValueError, match="t must be an integer step index >= 0") as err:
            sched(t)
        assert needle in str(err.value)
    with pytest.raises(ValueError, match="-2"):
        sched.scaled(-2.0)
    with pytest.raises(ValueError, match="already has a warm-up"):
        schedules.with_warmup(schedules.with_warmup(sched, 3), 2)
    with pytest.raises(ValueError, match="plateau"):
        schedules.with_warmup(schedules.make("plateau", 0.1), 3)


@settings(max_examples=200, deadline=None)
@given(
    base_lr=st.floats(1e-6, 10.0),
    frac=st.floats(0.0, 1.0),
    t_max=st.integers(1, 500),
    t_0=st.integers(1, 50),
    t_mult=st.integers(1, 3),
)
def test_cosine_stays_between_eta_min_and_base_lr(base_lr, frac, t_max, t_0, t_mult):
    eta_min = frac * base_lr
    t = np.arange(0, 4 * t_max + 3)
    for lr in (
        schedules.make("cosine", base_lr, t_max=t_max, eta_min=eta_min)(t),
        schedules.make("cosine_restarts", base_lr, t_0=t_0, t_mult=t_mult, eta_min=eta_min)(t),
    ):
        assert np.all(lr >= eta_min * (1 - 1e-15)) and np.all(lr <= base_lr * (1 + 1e-15))
        assert lr[0] == pytest.approx(base_lr, rel=1e-15)


@settings(max_examples=200, deadline=None)
@given(
    base_lr=st.floats(1e-6, 10.0),
    gamma=st.floats(1e-3, 1.0, exclude_max=True),
    step_size=st.integers(1, 40),
)
def test_step_schedule_is_non_increasing_and_changes_on_time(base_lr, gamma, step_size):
    lr = schedules.make("step", base_lr, step_size=step_size, gamma=gamma)(np.arange(300))
    assert np.all(np.diff(lr) <= 0)
    t = np.arange(300)
    np.testing.assert_array_equal(lr, lr[t - t % step_size])  # changes only at multiples of step_size
    assert math.isclose(lr[0], base_lr, rel_tol=1e-15)
