r"""Optimizers as pure functions over arrays, with PyTorch's update rules, defaults and names.

    opt = optimizers.make("adam", betas=(0.9, 0.999))
    state = opt.init(params)                          # params: any shape (..., D)
    params, state = opt.step(params, grads, state, lr)

Each rule follows the single-tensor ("for-loop") path of ``torch.optim`` 2.13 in float64; the tests
check them against it step by step. ``step`` never mutates its inputs.

``lr`` is a float or an array over the LEADING axes of ``params``: with params (K, D) [or (K, N, D)]
and lr (K,), run k uses lr[k]. So K learning rates run in one call, with no loop over runs.

``state`` is a dict of arrays shaped like ``params`` plus ``"t"``, the number of steps done:

    momentum_buffer   SGD momentum / Nesterov buffer b; RMSprop's buffer when momentum > 0
    sum               Adagrad's running sum of squared gradients
    square_avg        RMSprop's moving average of squared gradients
    grad_avg          RMSprop's moving average of gradients (centered=True only)
    exp_avg           Adam's first moment m (moving average of gradients)
    exp_avg_sq        Adam's second moment v (moving average of squared gradients)
    max_exp_avg_sq    AMSGrad's running maximum of v (amsgrad=True only)

Notation in the rules below: θ parameters, g gradient, η lr, λ weight_decay, t the step (from 1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from lrlab.params import Param, check_all, flag, real, reals

_QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore"}  # a diverging run just yields inf/NaN


# ---------------------------------------------------------------- update rules (pure, vectorized)


def sgd(p, g, s, lr, *, weight_decay):
    r"""SGD (``torch.optim.SGD`` with momentum=0).

    g ← g + λθ
    θ ← θ − η g
    """
    if weight_decay != 0:
        g = g + weight_decay * p
    return p - lr * g, {}


def _heavy_ball(p, g, s, lr, *, momentum, dampening, weight_decay, nesterov):
    if weight_decay != 0:
        g = g + weight_decay * p
    if s["t"] == 0 or momentum == 0:  # torch: the first buffer is the gradient itself, undampened
        b = g.copy()
    else:
        b = momentum * s["momentum_buffer"] + (1 - dampening) * g
    d = g + momentum * b if nesterov else b
    return p - lr * d, {"momentum_buffer": b}


def momentum(p, g, s, lr, *, momentum, dampening, weight_decay):
    r"""SGD with heavy-ball momentum (``torch.optim.SGD(momentum=μ, dampening=τ)``).

    g ← g + λθ
    b ← g                      at t = 1
    b ← μ b + (1 − τ) g        at t > 1
    θ ← θ − η b
    """
    return _heavy_ball(
        p, g, s, lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=False
    )


def nesterov(p, g, s, lr, *, momentum, weight_decay):
    r"""SGD with Nesterov momentum (``torch.optim.SGD(momentum=μ, nesterov=True)``, dampening 0).

    g ← g + λθ
    b ← g              at t = 1
    b ← μ b + g        at t > 1
    θ ← θ − η (g + μ b)
    """
    return _heavy_ball(
        p, g, s, lr, momentum=momentum, dampening=0.0, weight_decay=weight_decay, nesterov=True
    )


def _adagrad_lr(t, lr, lr_decay):
    return lr / (1 + (t - 1) * lr_decay)


def adagrad(p, g, s, lr, *, lr_decay, weight_decay, initial_accumulator_value, eps):
    r"""Adagrad (``torch.optim.Adagrad``); the sum starts at initial_accumulator_value.

    g ← g + λθ
    η̃ ← η / (1 + (t − 1) lr_decay)
    sum ← sum + g²
    θ ← θ − η̃ g / (√sum + ε)
    """
    if weight_decay != 0:
        g = g + weight_decay * p
    total = s["sum"] + g * g
    return p - _adagrad_lr(s["t"] + 1, lr, lr_decay) * g / (np.sqrt(total) + eps), {"sum": total}


def _rms_denominator(s, eps, centered):
    v = s["square_avg"] - s["grad_avg"] ** 2 if centered else s["square_avg"]
    return np.sqrt(v) + eps


def rmsprop(p, g, s, lr, *, alpha, eps, weight_decay, momentum, centered):
    r"""RMSprop (``torch.optim.RMSprop``), all buffers starting at 0.

    g ← g + λθ
    v ← α v + (1 − α) g²                       (square_avg)
    ḡ ← α ḡ + (1 − α) g;  ṽ ← v − ḡ²           if centered (grad_avg), else ṽ ← v
    b ← μ b + g / (√ṽ + ε);  θ ← θ − η b       if momentum μ > 0
    θ ← θ − η g / (√ṽ + ε)                     otherwise
    """
    if weight_decay != 0:
        g = g + weight_decay * p
    new = {"square_avg": alpha * s["square_avg"] + (1 - alpha) * g * g}
    if centered:
        new["grad_avg"] = alpha * s["grad_avg"] + (1 - alpha) * g
    avg = _rms_denominator(new, eps, centered)
    if momentum > 0:
        new["momentum_buffer"] = momentum * s["momentum_buffer"] + g / avg
        return p - lr * new["momentum_buffer"], new
    return p - lr * g / avg, new


def _adam_scale(t, lr, v, betas, eps):
    """The multiplier on m in Adam's update: (η / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε)."""
    beta1, beta2 = betas
    return (lr / (1 - beta1**t)) / (np.sqrt(v) / (1 - beta2**t) ** 0.5 + eps)


def _adam(p, g, s, lr, *, betas, eps, weight_decay, amsgrad, decoupled):
    beta1, beta2 = betas
    if weight_decay != 0:
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    new = {
        "exp_avg": beta1 * s["exp_avg"] + (1 - beta1) * g,
        "exp_avg_sq": beta2 * s["exp_avg_sq"] + (1 - beta2) * g * g,
    }
    v = new["exp_avg_sq"]
    if amsgrad:
        v = new["max_exp_avg_sq"] = np.maximum(s["max_exp_avg_sq"], v)
    return p - _adam_scale(s["t"] + 1, lr, v, betas, eps) * new["exp_avg"], new


def adam(p, g, s, lr, *, betas, eps, weight_decay, amsgrad):
    r"""Adam (``torch.optim.Adam``), moments starting at 0; betas = (β₁, β₂).

    g ← g + λθ
    m ← β₁ m + (1 − β₁) g                      (exp_avg)
    v ← β₂ v + (1 − β₂) g²                     (exp_avg_sq)
    v ← max(v_max, v)                          if amsgrad (max_exp_avg_sq)
    θ ← θ − η m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
    """
    return _adam(
        p, g, s, lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, decoupled=False
    )


def adamw(p, g, s, lr, *, betas, eps, weight_decay, amsgrad):
    r"""AdamW (``torch.optim.AdamW``): Adam with decoupled weight decay (default λ = 0.01).

    θ ← θ (1 − ηλ)
    then Adam's update with the raw gradient g (no λθ added to it).
    """
    return _adam(
        p, g, s, lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, decoupled=True
    )


# ---------------------------------------------------------------- per-axis effective step
# The multiplier c applied, in the latest step t, to the direction the method normalises:
# Adagrad and RMSprop  θ ← θ − c·g (RMSprop with momentum: b ← μb + (c/η)·g);  Adam(W)  θ ← θ − c·m.


def _adagrad_eff(s, lr, *, lr_decay, eps, **_):
    return _adagrad_lr(s["t"], lr, lr_decay) / (np.sqrt(s["sum"]) + eps)


def _rmsprop_eff(s, lr, *, eps, centered, **_):
    return lr / _rms_denominator(s, eps, centered)


def _adam_eff(s, lr, *, betas, eps, amsgrad, **_):
    return _adam_scale(s["t"], lr, s["max_exp_avg_sq" if amsgrad else "exp_avg_sq"], betas, eps)


# ---------------------------------------------------------------- registry


def _zeros(*keys):
    return lambda p, **_: {k: np.zeros_like(p) for k in keys}


def _rmsprop_init(p, *, momentum, centered, **_):
    keys = ["square_avg"] + ["momentum_buffer"] * (momentum > 0) + ["grad_avg"] * centered
    return _zeros(*keys)(p)


def _adam_init(p, *, amsgrad, **_):
    return _zeros("exp_avg", "exp_avg_sq", *["max_exp_avg_sq"] * amsgrad)(p)


class _Rule(NamedTuple):
    update: Callable
    params: tuple[Param, ...]  # the hyperparameters, with PyTorch's defaults and accepted ranges
    init: Callable
    effective: Callable | None = None


def _nonneg(name, default):
    return real(name, default, 0.0)


def _unit(name, default):
    return real(name, default, 0.0, 1.0, hi_open=True)


def _adam_hyper(weight_decay):
    return (
        reals("betas", (0.9, 0.999), 0.0, 1.0, hi_open=True, count=(2, 2), note="a pair (beta1, beta2)"),
        _nonneg("eps", 1e-8),
        _nonneg("weight_decay", weight_decay),
        flag("amsgrad", False),
    )


_RULES: dict[str, _Rule] = {
    "sgd": _Rule(sgd, (_nonneg("weight_decay", 0.0),), _zeros()),
    "momentum": _Rule(
        momentum,
        (_unit("momentum", 0.9), _unit("dampening", 0.0), _nonneg("weight_decay", 0.0)),
        _zeros("momentum_buffer"),
    ),
    "nesterov": _Rule(
        nesterov,
        (
            real("momentum", 0.9, 0.0, 1.0, lo_open=True, hi_open=True, note="Nesterov needs momentum > 0"),
            _nonneg("weight_decay", 0.0),
        ),
        _zeros("momentum_buffer"),
    ),
    "adagrad": _Rule(
        adagrad,
        (
            _nonneg("lr_decay", 0.0),
            _nonneg("weight_decay", 0.0),
            _nonneg("initial_accumulator_value", 0.0),
            _nonneg("eps", 1e-10),
        ),
        lambda p, initial_accumulator_value, **_: {"sum": np.full_like(p, initial_accumulator_value)},
        _adagrad_eff,
    ),
    "rmsprop": _Rule(
        rmsprop,
        (
            _unit("alpha", 0.99),
            _nonneg("eps", 1e-8),
            _nonneg("weight_decay", 0.0),
            _unit("momentum", 0.0),
            flag("centered", False),
        ),
        _rmsprop_init,
        _rmsprop_eff,
    ),
    "adam": _Rule(adam, _adam_hyper(0.0), _adam_init, _adam_eff),
    "adamw": _Rule(adamw, _adam_hyper(1e-2), _adam_init, _adam_eff),
}


def names() -> list[str]:
    """The optimizer names ``make`` accepts."""
    return list(_RULES)


def _rule(name) -> _Rule:
    if not isinstance(name, str) or name not in _RULES:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {names()}")
    return _RULES[name]


def params(name: str) -> tuple[Param, ...]:
    """The hyperparameters of optimizer ``name``: PyTorch's defaults, kinds and accepted ranges
    (``lr`` is not among them: it is given to ``step``)."""
    return _rule(name).params


def defaults(name: str) -> dict:
    """PyTorch's default hyperparameters of optimizer ``name`` (``lr`` is given to ``step``)."""
    return {p.name: p.default for p in params(name)}


def velocity(state: Mapping) -> np.ndarray | None:
    """The momentum-like buffer of ``state`` (momentum_buffer or Adam's exp_avg), or None if it has none."""
    for key in ("momentum_buffer", "exp_avg"):
        if key in state:
            return state[key]
    return None


def _lr(lr, shape) -> np.ndarray:
    """``lr`` as an array that broadcasts over the leading axes of an array of ``shape``."""
    a = np.asarray(lr, dtype=float)
    if not (a >= 0).all():
        raise ValueError(f"lr must be >= 0 (a float or an array of them), got {lr!r}")
    if a.ndim > len(shape) or any(n not in (1, m) for n, m in zip(a.shape, shape, strict=False)):
        raise ValueError(f"lr of shape {a.shape} does not match the leading axes of params of shape {shape}")
    return a.reshape(a.shape + (1,) * (len(shape) - a.ndim))


@dataclass(frozen=True, eq=False)
class Optimizer:
    """An update rule with its hyperparameters fixed. Build with ``make``."""

    name: str
    hyper: Mapping  # every hyperparameter, defaults included (read-only)

    @property
    def rule(self) -> str:
        """The update rule, written out in math."""
        return _rule(self.name).update.__doc__

    def init(self, params) -> dict:
        """The state before the first step: buffers of zeros shaped like ``params`` (Adagrad's sum
        starts at initial_accumulator_value) and ``"t": 0``."""
        p = np.asarray(params, dtype=float)
        return {**_rule(self.name).init(p, **self.hyper), "t": 0}

    def step(self, params, grads, state: Mapping, lr) -> tuple[np.ndarray, dict]:
        """One update: ``(new_params, new_state)``. Inputs are left untouched."""
        p, g = np.asarray(params, dtype=float), np.asarray(grads, dtype=float)
        if p.shape != g.shape:
            raise ValueError(f"grads of shape {g.shape} do not match params of shape {p.shape}")
        return self.update(p, g, state, _lr(lr, p.shape))

    def update(self, params: np.ndarray, grads: np.ndarray, state: Mapping, lr: np.ndarray):
        """``step`` without its argument checks, for a runner that has checked them once: float
        arrays of one shape, and ``lr`` already shaped to broadcast (see ``step``)."""
        with np.errstate(**_QUIET):
            return self.updater()(params, grads, state, lr)

    def updater(self) -> Callable:
        """``update`` as one function with the rule and its hyperparameters bound once, for a
        runner's loop that silences floating-point warnings itself (inside ``np.errstate``)."""
        rule = partial(_rule(self.name).update, **self.hyper)

        def update(params, grads, state, lr):
            p, new = rule(params, grads, state, lr)
            new["t"] = state["t"] + 1
            return p, new

        return update

    def effective_lr(self, state: Mapping, lr) -> np.ndarray | None:
        """Per-coordinate effective step size of an adaptive method after the latest step, else None.

        It is the multiplier c that step ``t = state["t"]`` applied to the direction the method
        normalises (lr is the one used in that step):
            adagrad   c = η / (1 + (t−1) lr_decay) / (√sum + ε)           θ ← θ − c·g
            rmsprop   c = η / (√ṽ + ε)                                     θ ← θ − c·g
                      (with momentum, c/η·g feeds the buffer: b ← μb + (c/η)·g, θ ← θ − ηb)
            adam(w)   c = η / (1 − β₁ᵗ) / (√v / √(1 − β₂ᵗ) + ε)            θ ← θ − c·m
        (v is max_exp_avg_sq under amsgrad.) NaN before the first step; None for sgd, momentum and
        nesterov, whose step is plain η. ``state`` may also be states stacked along a leading step
        axis (each buffer (T, ...), ``t`` an int array broadcasting against them, ``lr`` (T, ...)):
        then it gives all T steps' values in one call.
        """
        effective = _rule(self.name).effective
        if effective is None:
            return None
        ref = state[next(k for k in state if k != "t")]
        lr = _lr(lr, np.shape(ref))
        if np.ndim(state["t"]) == 0 and state["t"] == 0:  # t may also be an array (stacked states)
            return np.full(np.broadcast_shapes(lr.shape, np.shape(ref)), np.nan)
        with np.errstate(**_QUIET):
            return effective(state, lr, **self.hyper)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"optimizers.make({self.name!r}, {args})"


def make(name: str, **hyper) -> Optimizer:
    """Optimizer ``name`` (one of ``names()``) with PyTorch's defaults, overridden by ``hyper``.

    An unknown name, an unknown hyperparameter or a value outside its range raises ValueError.
    """
    return Optimizer(name, MappingProxyType(check_all(name, _rule(name).params, hyper)))
