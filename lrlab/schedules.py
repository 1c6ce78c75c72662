r"""Learning-rate schedules: pure, vectorized functions of the 0-based update index ``t``.

``make(name, base_lr, **kw)`` returns a :class:`Schedule`. ``sched(t)`` is the learning rate used by
the update with 0-based index ``t``: the value of ``optimizer.param_groups[0]["lr"]`` during the
(t+1)-th ``optimizer.step()`` when the matching ``torch.optim.lr_scheduler`` is built on an optimizer
whose lr is ``base_lr`` and stepped once after every ``optimizer.step()``. The tests check this
against PyTorch 2.13 to a relative 1e-9.

Notation: :math:`\eta_0` = ``base_lr``, :math:`\eta_t` = ``sched(t)``.

=================== =============================== ==========================================
name                PyTorch                         :math:`\eta_t` (details in each ``_name`` below)
=================== =============================== ==========================================
``constant``        (no scheduler)                  :math:`\eta_0`
``step``            ``StepLR``                      :math:`\eta_0\gamma^{\lfloor t/s\rfloor}`
``multistep``       ``MultiStepLR``                 :math:`\eta_0\gamma^{\#\{m\le t\}}`
``exponential``     ``ExponentialLR``               :math:`\eta_0\gamma^t`
``polynomial``      ``PolynomialLR``                :math:`\eta_0(1-\min(t,T)/T)^p`
``cosine``          ``CosineAnnealingLR``           :math:`\eta_m+(\eta_0-\eta_m)(1+\cos(\pi t/T))/2`
``cosine_restarts`` ``CosineAnnealingWarmRestarts`` the same within each cycle
``cyclic``          ``CyclicLR``                    triangles between ``base_lr`` and ``max_lr``
``onecycle``        ``OneCycleLR``                  up to ``max_lr``, then down to ``min_lr``
``warmup``          ``LinearLR``                    :math:`\eta_0(s+(e-s)\min(t,T)/T)`
``inverse_time``    ``LambdaLR`` (Keras' decay)     :math:`\eta_0/(1+r\,t/n)`
``plateau``         ``ReduceLROnPlateau``           depends on the loss: :class:`Plateau`
=================== =============================== ==========================================

Closed forms vs PyTorch's recursive forms. When stepped without an ``epoch`` argument, ``StepLR``,
``MultiStepLR``, ``ExponentialLR``, ``PolynomialLR``, ``CosineAnnealingLR`` and ``LinearLR`` update
the lr *recursively* (``lr ← lr · ratio``). Every one of those recursions telescopes to the closed
form used here (PyTorch's own ``_get_closed_form_lr``), so the two differ only by rounding (measured
over 5000 steps: at most 2e-14 relative, 2e-12 for a cosine with ``eta_min > 0`` through seven
periods). The one visible consequence: where the closed form is exactly ``eta_min`` (cosine's troughs
at t = T_max, 3 T_max, ...), both sides are ``eta_min`` plus rounding noise of order 1e-16 · base_lr.
``CyclicLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts`` (stepped once per step) and ``LambdaLR``
are closed forms in PyTorch too. So no schedule here loops over ``t``.

Quirks matched on purpose:

* ``cosine`` does not stop at ``t_max``: like PyTorch's it keeps following the cosine, which rises
  back to ``base_lr`` at ``2 t_max`` (period ``2 t_max``). Use ``t_max >= steps`` or
  ``cosine_restarts`` if that is not what you want.
* ``multistep`` counts a milestone listed n times n times (γ^n), and a milestone at 0 decays the
  very first lr.
* ``cyclic``: ``CyclicLR`` overwrites the optimizer's lr with its ``base_lr`` at construction, so
  ``sched(0) == base_lr``.
* ``onecycle``: the optimizer's lr plays no part in ``OneCycleLR``. Here ``max_lr`` defaults to
  ``base_lr``; if ``max_lr`` is given, ``base_lr`` is *replaced* by it (``sched.base_lr`` is always
  the peak). The first lr is ``max_lr / div_factor``, the last ``max_lr / div_factor /
  final_div_factor``. PyTorch defines the lr for ``t < total_steps`` only: its one extra value at
  ``t = total_steps`` extrapolates the last phase past its end (with ``max_lr=0.1, total_steps=10``:
  0.005 for ``cos``, and a negative -0.014 for ``linear``), and the step after that raises. From
  ``t = total_steps`` on, this schedule holds its final value instead.

Warm-up (``make(..., warmup_steps=W, warmup_start_factor=s)`` or :func:`with_warmup`) equals
``SequentialLR(opt, [LinearLR(opt, start_factor=s, total_iters=W), Inner(opt, ...)],
milestones=[W])`` stepped once per step::

    t <  W:  η_t = η_w (s + (1 − s) t / W)       (LinearLR's ramp; it never reaches η_w itself)
    t >= W:  η_t = inner(t − W)                    (the inner schedule restarted from its own t = 0)

where η_w is the optimizer's initial lr, ``base_lr``; for ``onecycle`` it is ``max_lr /
div_factor``, because ``OneCycleLR`` overwrites the optimizer's ``initial_lr`` with it. At the
milestone SequentialLR resets the inner schedule to its step 0 (by its closed form where it has one),
which is why the inner schedule starts afresh rather than where it would have been at t = W.
(For ``multistep`` with a milestone at 0 the ramp still aims at ``base_lr`` and the inner schedule
then starts at ``base_lr·γ``, exactly as in PyTorch.)

``Plateau`` (``ReduceLROnPlateau``) depends on the loss, so it is not a function of ``t``: the
descent runner steps it with the loss after each update (see :class:`Plateau`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lrlab.params import Param, check_all, choice, flag, integer, integers, real

# ---------------------------------------------------------------------------------------------
# step indices


def _steps(t) -> np.ndarray:
    """0-based step indices as an int64 array (any shape)."""
    a = np.asarray(t)
    if a.dtype.kind == "f" and np.all(np.isfinite(a)) and np.all(a == np.floor(a)):
        a = a.astype(np.int64)
    if a.dtype.kind not in "iu" or np.any(a < 0):
        raise ValueError(f"t must be an integer step index >= 0 (or an array of them), got {t!r}")
    return a.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# the schedules: lr(t) for an int64 array t, closed forms


def _constant(t, base_lr):
    r""":math:`\eta_t = \eta_0`."""
    return np.full(t.shape, base_lr)


def _step(t, base_lr, step_size, gamma):
    r"""StepLR: :math:`\eta_t = \eta_0\,\gamma^{\lfloor t / \mathrm{step\_size}\rfloor}`."""
    with np.errstate(over="ignore"):
        return base_lr * gamma ** (t // step_size)


def _multistep(t, base_lr, milestones, gamma):
    r"""MultiStepLR: :math:`\eta_t = \eta_0\,\gamma^{n(t)}`, n(t) = number of milestones m <= t
    (a milestone listed twice counts twice)."""
    n = np.searchsorted(np.asarray(milestones, dtype=np.int64), t, side="right")
    with np.errstate(over="ignore"):
        return base_lr * gamma**n


def _exponential(t, base_lr, gamma):
    r"""ExponentialLR: :math:`\eta_t = \eta_0\,\gamma^t` (overflows to inf for γ > 1 and huge t)."""
    with np.errstate(over="ignore"):
        return base_lr * gamma ** t.astype(np.float64)


def _polynomial(t, base_lr, total_iters, power):
    r"""PolynomialLR: :math:`\eta_t = \eta_0\,(1 - \min(t, T)/T)^p`, T = total_iters: 0 from t = T on."""
    return base_lr * (1.0 - np.minimum(t, total_iters) / total_iters) ** power


def _cosine(t, base_lr, t_max, eta_min):
    r"""CosineAnnealingLR:
    :math:`\eta_t = \eta_{min} + (\eta_0 - \eta_{min})\,(1 + \cos(\pi t / T_{max}))/2` for every t
    (it rises again after ``t_max``, period ``2 t_max``, as PyTorch's does)."""
    return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * t / t_max)) / 2


def _cosine_restarts(t, base_lr, t_0, t_mult, eta_min):
    r"""CosineAnnealingWarmRestarts stepped once per step. Cycle i lasts
    :math:`T_i = T_0 T_{mult}^i` steps and starts at :math:`S_i = \sum_{j<i} T_j`; within it
    :math:`T_{cur} = t - S_i` and
    :math:`\eta_t = \eta_{min} + (\eta_0 - \eta_{min})\,(1 + \cos(\pi T_{cur} / T_i))/2`
    (back to :math:`\eta_0` at each restart; :math:`\eta_{min}` itself is never used)."""
    if t_mult == 1:
        t_i = np.full(t.shape, t_0, dtype=np.int64)
        t_cur = t % t_0
    else:
        top = int(t.max(initial=0))
        starts, length = [0], t_0  # exact integer cycle starts up to the largest t asked for
        while starts[-1] <= top:
            starts.append(starts[-1] + length)
            length *= t_mult
        i = np.searchsorted(np.asarray(starts), t, side="right") - 1
        t_cur = t - np.asarray(starts)[i]
        t_i = t_0 * np.asarray([t_mult**k for k in range(len(starts))], dtype=np.int64)[i]
    return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * t_cur / t_i)) / 2


def _cyclic(t, base_lr, max_lr, step_size_up, step_size_down, mode, gamma):
    r"""CyclicLR (Smith 2017). With u = step_size_up, d = step_size_down, r = u/(u+d):

    :math:`c = \lfloor 1 + t/(u+d)\rfloor,\ x = 1 + t/(u+d) - c,\
    h = x/r` if :math:`x \le r` else :math:`(x-1)/(r-1)`;
    :math:`\eta_t = \eta_0 + (\eta_{max} - \eta_0)\,h\,\sigma`, with σ = 1 (``triangular``),
    :math:`2^{1-c}` (``triangular2``: the height halves each cycle) or :math:`\gamma^t`
    (``exp_range``)."""
    total = float(step_size_up + step_size_down)
    ratio = step_size_up / total
    cycle = np.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    h = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    if mode == "triangular":
        scale = 1.0
    elif mode == "triangular2":
        scale = 1 / (2.0 ** (cycle - 1))
    else:
        with np.errstate(over="ignore"):
            scale = gamma ** t.astype(np.float64)
    return base_lr + (max_lr - base_lr) * h * scale


def _onecycle_phases(max_lr, total_steps, pct_start, div_factor, final_div_factor, three_phase):
    """OneCycleLR's phases as (end_step, start_lr, end_lr), in PyTorch's float arithmetic."""
    initial = max_lr / div_factor
    final = initial / final_div_factor
    if three_phase:
        return [
            (float(pct_start * total_steps) - 1, initial, max_lr),
            (float(2 * pct_start * total_steps) - 2, max_lr, initial),
            (total_steps - 1, initial, final),
        ]
    return [(float(pct_start * total_steps) - 1, initial, max_lr), (total_steps - 1, max_lr, final)]


def _onecycle(
    t, base_lr, max_lr, total_steps, pct_start, anneal_strategy, div_factor, final_div_factor, three_phase
):
    r"""OneCycleLR (Smith & Topin 2017; fastai's two phases by default). With
    :math:`\eta_{init} = \eta_{max}/\mathrm{div\_factor}` and
    :math:`\eta_{end} = \eta_{init}/\mathrm{final\_div\_factor}`, the phases end at steps
    :math:`e_1 = p\,N - 1` (up from :math:`\eta_{init}` to :math:`\eta_{max}`) and :math:`N - 1` (down to
    :math:`\eta_{end}`); with ``three_phase`` at :math:`p N - 1` (up), :math:`2 p N - 2` (back down to
    :math:`\eta_{init}`) and :math:`N - 1` (down to :math:`\eta_{end}`). Step t uses the first phase
    with t <= end (else the last); with a = that phase's start lr, b = its end lr and
    :math:`\pi_t = (t - \mathrm{start})/(\mathrm{end} - \mathrm{start})`:
    ``cos``: :math:`\eta_t = b + (a - b)(1 + \cos \pi \pi_t)/2`; ``linear``: :math:`a + (b - a)\pi_t`.
    For t >= N (PyTorch extrapolates once, then raises) the last value, :math:`\eta_{end}`, is held."""
    t = np.minimum(t, total_steps - 1).astype(np.float64)
    phases = _onecycle_phases(max_lr, total_steps, pct_start, div_factor, final_div_factor, three_phase)
    out = np.full(t.shape, np.nan)
    todo = np.ones(t.shape, dtype=bool)
    start_step = 0.0
    for i, (end_step, a, b) in enumerate(phases):
        here = todo & ((t <= end_step) | (i == len(phases) - 1))
        with np.errstate(divide="ignore", invalid="ignore"):  # an unused empty phase may be 0/0
            pct = (t - start_step) / (end_step - start_step)
        if anneal_strategy == "cos":
            lr = b + (a - b) / 2.0 * (np.cos(np.pi * pct) + 1)
        else:
            lr = (b - a) * pct + a
        out = np.where(here, lr, out)
        todo &= ~here
        start_step = end_step
    return out


def _warmup(t, base_lr, start_factor, end_factor, total_iters):
    r"""LinearLR: :math:`\eta_t = \eta_0\,(s + (e - s)\min(t, T)/T)`, s = start_factor,
    e = end_factor, T = total_iters."""
    return base_lr * (start_factor + (end_factor - start_factor) * np.minimum(total_iters, t) / total_iters)


def _inverse_time(t, base_lr, decay_rate, decay_steps):
    r"""Inverse-time decay (Keras' ``InverseTimeDecay``, not staircase; in PyTorch a ``LambdaLR``):
    :math:`\eta_t = \eta_0 / (1 + r\,t/n)`, r = decay_rate, n = decay_steps."""
    return base_lr / (1 + decay_rate * t / decay_steps)


# ---------------------------------------------------------------------------------------------
# the parameters of each schedule (declared once: the checks here and the app's widgets use them)
# and the checks that relate parameters to each other: (base_lr, kw) -> (base_lr, kw)

BASE_LR = real("base_lr", None, 0.0, lr=True)
_GAMMA = real("gamma", 0.1, 0.0, lo_open=True)
_ETA_MIN = real("eta_min", 0.0, 0.0, lr=True)


def _eta_min_below_base(b, kw):
    """``eta_min`` in [0, base_lr]: the floor of a cosine must not be above its start."""
    return b, {**kw, "eta_min": replace(_ETA_MIN, hi=b).check(kw["eta_min"])}


def _cyclic_cross(b, kw):
    """``max_lr`` defaults to 4 base_lr and may not be below it; ``step_size_down`` to ``step_size_up``."""
    max_lr = 4.0 * b if kw["max_lr"] is None else replace(_CYCLIC_MAX_LR, lo=b).check(kw["max_lr"])
    down = kw["step_size_up"] if kw["step_size_down"] is None else kw["step_size_down"]
    return b, {**kw, "max_lr": max_lr, "step_size_down": down}


def _onecycle_cross(b, kw):
    """``max_lr`` (default: base_lr) is the peak and replaces base_lr; pct_start * total_steps = 1
    would make the first phase empty (PyTorch divides by zero)."""
    max_lr = b if kw["max_lr"] is None else kw["max_lr"]
    if float(kw["pct_start"] * kw["total_steps"]) == 1.0:
        raise ValueError(
            f"pct_start * total_steps must not equal 1 (its first phase would be empty and PyTorch "
            f"divides by zero), got pct_start={kw['pct_start']!r}, total_steps={kw['total_steps']!r}"
        )
    return max_lr, {**kw, "max_lr": max_lr}


_CYCLIC_MAX_LR = real("max_lr", None, 0.0, optional=True, lr=True, auto="4 × base_lr")


@dataclass(frozen=True)
class _Spec:
    fn: object
    params: tuple[Param, ...] = ()
    cross: object = None  # checks across parameters, after each one is checked on its own

    @property
    def lr_keys(self) -> tuple[str, ...]:
        """lr-valued keywords, multiplied by ``scaled``."""
        return tuple(p.name for p in self.params if p.lr)


# Keywords PyTorch requires get a demonstration value sized for a ~100-step run (see ``defaults``).
_SPECS: dict[str, _Spec] = {
    "constant": _Spec(_constant),
    "step": _Spec(_step, (integer("step_size", 30, 1), _GAMMA)),
    "multistep": _Spec(_multistep, (integers("milestones", (30, 60, 80), 0, sort=True), _GAMMA)),
    "exponential": _Spec(_exponential, (replace(_GAMMA, default=0.95),)),
    "polynomial": _Spec(_polynomial, (integer("total_iters", 5, 1), real("power", 1.0, 0.0))),
    "cosine": _Spec(_cosine, (integer("t_max", 100, 1), _ETA_MIN), _eta_min_below_base),
    "cosine_restarts": _Spec(
        _cosine_restarts,
        (integer("t_0", 25, 1), integer("t_mult", 1, 1), _ETA_MIN),
        _eta_min_below_base,
    ),
    "cyclic": _Spec(
        _cyclic,
        (  # max_lr=None: 4 * base_lr (Smith 2017: "base_lr = 1/3 or 1/4 of max_lr")
            _CYCLIC_MAX_LR,
            integer("step_size_up", 2000, 1),
            integer("step_size_down", None, 1, optional=True, auto="step_size_up"),
            choice("mode", "triangular", ("triangular", "triangular2", "exp_range")),
            replace(_GAMMA, default=1.0),
        ),
        _cyclic_cross,
    ),
    "onecycle": _Spec(
        _onecycle,
        (  # max_lr=None: base_lr
            real("max_lr", None, 0.0, optional=True, lr=True, auto="base_lr"),
            integer("total_steps", 100, 1),
            real("pct_start", 0.3, 0.0, 1.0),
            choice("anneal_strategy", "cos", ("cos", "linear")),
            real("div_factor", 25.0, 0.0, lo_open=True),
            real("final_div_factor", 1e4, 0.0, lo_open=True),
            flag("three_phase", False),
        ),
        _onecycle_cross,
    ),
    "warmup": _Spec(
        _warmup,
        (
            real("start_factor", 1.0 / 3, 0.0, 1.0, lo_open=True),
            real("end_factor", 1.0, 0.0, 1.0),
            integer("total_iters", 5, 1),
        ),
    ),
    "inverse_time": _Spec(
        _inverse_time, (real("decay_rate", 1.0, 0.0), real("decay_steps", 10.0, 0.0, lo_open=True))
    ),
}

WARMUP_START_FACTOR = 1.0 / 3  # LinearLR's default start_factor
# every schedule but plateau takes a linear warm-up in front (see with_warmup)
WARMUP_PARAMS = (
    integer("warmup_steps", 0, 0),
    real("warmup_start_factor", WARMUP_START_FACTOR, 0.0, 1.0, lo_open=True),
)
PLATEAU_PARAMS = (
    real("factor", 0.1, 0.0, 1.0, hi_open=True),
    integer("patience", 10, 0),
    real("threshold", 1e-4, 0.0, note="below 1 when threshold_mode is 'rel' and mode is 'min'"),
    choice("threshold_mode", "rel", ("rel", "abs")),
    integer("cooldown", 0, 0),
    real("min_lr", 0.0, 0.0, lr=True),
    real("eps", 1e-8, 0.0),
    choice("mode", "min", ("min", "max")),
)
PLATEAU_DEFAULTS = {p.name: p.default for p in PLATEAU_PARAMS}


def names() -> list[str]:
    """Every schedule name ``make`` accepts (``plateau`` last: it depends on the loss)."""
    return [*_SPECS, "plateau"]


def params(name: str) -> tuple[Param, ...]:
    """Every keyword ``make(name, base_lr, ...)`` accepts, with its default, kind and range: the
    schedule's own (PyTorch's names in snake_case), then the warm-up's (all but ``plateau``)."""
    if name == "plateau":
        return PLATEAU_PARAMS
    return _spec(name).params + WARMUP_PARAMS


def defaults(name: str) -> dict:
    """The keyword defaults of schedule ``name`` (PyTorch's names in snake_case).

    Keywords PyTorch requires get a demonstration value sized for a ~100-step run: ``step_size=30``,
    ``milestones=(30, 60, 80)``, exponential ``gamma=0.95``, ``t_max=100``, ``t_0=25``,
    ``total_steps=100``, ``decay_rate=1.0``, ``decay_steps=10``; ``max_lr=None`` means ``4*base_lr``
    for ``cyclic`` and ``base_lr`` for ``onecycle``. Every schedule (not ``plateau``) also takes
    ``warmup_steps=0`` and ``warmup_start_factor=1/3``, which are not listed here (see :func:`params`).
    """
    if name == "plateau":
        return dict(PLATEAU_DEFAULTS)
    return {p.name: p.default for p in _spec(name).params}


def _spec(name) -> _Spec:
    if name not in _SPECS:
        raise ValueError(f"unknown schedule {name!r}: choose one of {', '.join(names())}")
    return _SPECS[name]


# ---------------------------------------------------------------------------------------------
# the public objects


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule: ``sched(t)`` is the lr of the update with 0-based index ``t``.

    Build it with :func:`make`. Frozen and hashable (a cache key); ``params`` holds the normalized
    keywords as sorted (key, value) pairs, ``kw`` the same as a dict (plus the warm-up keywords when
    there is a warm-up), so that ``make(s.name, s.base_lr, **s.kw) == s``.
    """

    name: str
    base_lr: float
    params: tuple = ()
    warmup_steps: int = 0
    warmup_start_factor: float = WARMUP_START_FACTOR

    @property
    def kw(self) -> dict:
        out = dict(self.params)
        if self.warmup_steps:
            out.update(warmup_steps=self.warmup_steps, warmup_start_factor=self.warmup_start_factor)
        return out

    def __call__(self, t):
        """lr at step ``t``: a float for an int, an array of the same shape for an array of ints."""
        steps = _steps(t)
        if self.warmup_steps:
            w, s = self.warmup_steps, self.warmup_start_factor
            # LinearLR (PyTorch's closed form) on the first W steps, then the inner schedule from 0
            ramp = self._warmup_target() * (s + (1.0 - s) * np.minimum(steps, w) / w)
            lr = np.where(steps < w, ramp, self._inner(np.maximum(steps - w, 0)))
        else:
            lr = self._inner(steps)
        lr = np.asarray(lr, dtype=np.float64)
        return float(lr) if lr.ndim == 0 else lr

    def _inner(self, steps):
        return _SPECS[self.name].fn(steps, self.base_lr, **dict(self.params))

    def _warmup_target(self) -> float:
        """The lr SequentialLR's LinearLR ramps toward: the optimizer's ``initial_lr``."""
        if self.name == "onecycle":
            p = dict(self.params)
            return p["max_lr"] / p["div_factor"]
        return self.base_lr

    def scaled(self, f: float) -> Schedule:
        """The same schedule with every lr-valued parameter (``base_lr``, ``eta_min``, ``max_lr``)
        multiplied by ``f``; then ``scaled(f)(t) == f * self(t)`` up to rounding."""
        f = _FACTOR.check(f)
        keys = _SPECS[self.name].lr_keys
        params = tuple((k, v * f if k in keys else v) for k, v in self.params)
        return replace(self, base_lr=self.base_lr * f, params=params)

    def __repr__(self) -> str:
        kw = ", ".join(f"{k}={v!r}" for k, v in self.kw.items())
        return f"schedules.make({self.name!r}, base_lr={self.base_lr!r}{', ' if kw else ''}{kw})"


@dataclass(frozen=True)
class Plateau:
    r"""ReduceLROnPlateau: the lr drops by ``factor`` when the loss stops improving.

    Not a function of t: ``init(k)`` gives the state of K runs; after each update, with the loss
    :math:`L` at the new point, ``lr_next, state = update(state, L)``. The rules (PyTorch's, per run):

    * improvement: ``mode="min"``: :math:`L < b(1 - \theta)` (``rel``) or :math:`L < b - \theta`
      (``abs``); ``mode="max"``: :math:`L > b(1 + \theta)` or :math:`L > b + \theta`, where b is the best
      loss so far (starts at ±inf, so the first finite loss always improves) and θ = ``threshold``.
      An improvement sets b = L and the bad count to 0; anything else (including a NaN loss) adds 1.
    * in cooldown (counter > 0): the counter drops by 1 and the bad count is reset to 0.
    * if the bad count exceeds ``patience``: :math:`\eta \leftarrow \max(\eta\cdot\mathrm{factor},
      \mathrm{min\_lr})`, applied only if it lowers η by more than ``eps``; then cooldown =
      ``cooldown`` and bad count = 0 (whether or not η changed).
    """

    base_lr: float
    factor: float = 0.1
    patience: int = 10
    threshold: float = 1e-4
    threshold_mode: str = "rel"
    cooldown: int = 0
    min_lr: float = 0.0
    eps: float = 1e-8
    mode: str = "min"

    name = "plateau"

    @property
    def kw(self) -> dict:
        return {k: getattr(self, k) for k in PLATEAU_DEFAULTS}

    def __call__(self, t):
        raise TypeError(
            "a plateau schedule depends on the loss, not only on the step: pass it to lrlab.descend "
            "(the runner steps it with the loss after each update), or drive init()/update() yourself"
        )

    def init(self, k: int = 1) -> dict:
        """State of ``k`` runs: lr (k,), best (k,), num_bad_epochs (k,), cooldown_counter (k,)."""
        k = integer("k", 1, 1).check(k)
        return {
            "lr": np.full(k, self.base_lr),
            "best": np.full(k, np.inf if self.mode == "min" else -np.inf),
            "num_bad_epochs": np.zeros(k, dtype=np.int64),
            "cooldown_counter": np.zeros(k, dtype=np.int64),
        }

    def update(self, state: dict, loss) -> tuple[np.ndarray, dict]:
        """One ``scheduler.step(loss)`` for every run: returns (lr for the next update (K,), new state).

        Pure: ``state`` is not modified. NaN or inf losses count as "no improvement", silently."""
        lr, best = state["lr"], state["best"]
        loss = np.broadcast_to(np.asarray(loss, dtype=np.float64), lr.shape)
        with np.errstate(invalid="ignore", over="ignore"):
            if self.mode == "min":
                bar = best * (1.0 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold
                better = loss < bar
            else:
                bar = best * (1.0 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold
                better = loss > bar
        best = np.where(better, loss, best)
        bad = np.where(better, 0, state["num_bad_epochs"] + 1)
        cool = state["cooldown_counter"]
        in_cooldown = cool > 0
        cool = np.where(in_cooldown, cool - 1, cool)
        bad = np.where(in_cooldown, 0, bad)
        reduce = bad > self.patience
        new = np.maximum(lr * self.factor, self.min_lr)
        lr = np.where(reduce & (lr - new > self.eps), new, lr)
        cool = np.where(reduce, self.cooldown, cool)
        bad = np.where(reduce, 0, bad)
        return lr, {"lr": lr, "best": best, "num_bad_epochs": bad, "cooldown_counter": cool}

    def scaled(self, f: float) -> Plateau:
        """The same rule from ``f * base_lr`` with floor ``f * min_lr`` (``eps`` is a tolerance and
        stays: it only skips reductions smaller than itself)."""
        f = _FACTOR.check(f)
        return replace(self, base_lr=self.base_lr * f, min_lr=self.min_lr * f)


def _make_plateau(base_lr, kw) -> Plateau:
    kw = check_all("plateau", PLATEAU_PARAMS, kw)
    if kw["mode"] == "min" and kw["threshold_mode"] == "rel":  # best * (1 - threshold) must stay > 0
        kw["threshold"] = replace(PLATEAU_PARAMS[2], hi=1.0, hi_open=True).check(kw["threshold"])
    return Plateau(base_lr=BASE_LR.check(base_lr), **kw)


_FACTOR = real("f", 1.0, 0.0)  # the factor of ``scaled``


def make(name: str, base_lr: float | None = None, **kw) -> Schedule | Plateau:
    """Build schedule ``name`` (see :func:`names`) starting from ``base_lr``.

    Keywords are PyTorch's in snake_case (see :func:`defaults`); ``warmup_steps=W`` (default 0) and
    ``warmup_start_factor=s`` (default 1/3) put a linear warm-up in front (see :func:`with_warmup`).
    ``onecycle`` takes its peak from ``max_lr`` (default: ``base_lr``), which replaces ``base_lr``.
    Bad names or values raise ValueError naming them and the accepted range.
    """
    warm = {k: kw.pop(k) for k in ("warmup_steps", "warmup_start_factor") if k in kw}
    if name == "plateau":
        if warm.get("warmup_steps", 0):
            raise ValueError(
                "plateau cannot take a warm-up (PyTorch's SequentialLR refuses ReduceLROnPlateau), "
                f"got warmup_steps={warm['warmup_steps']!r}"
            )
        return _make_plateau(base_lr, kw)
    spec = _spec(name)
    kw = check_all(f"schedule {name!r}", spec.params, kw)
    if base_lr is None and not (name == "onecycle" and kw.get("max_lr") is not None):
        raise ValueError(f"schedule {name!r} needs base_lr, a finite number >= 0, got None")
    base_lr = None if base_lr is None else BASE_LR.check(base_lr)
    if spec.cross is not None:
        base_lr, kw = spec.cross(base_lr, kw)
    sched = Schedule(name, base_lr, tuple(sorted(kw.items())))
    start_factor = warm.get("warmup_start_factor", WARMUP_START_FACTOR)
    return with_warmup(sched, warm.get("warmup_steps", 0), start_factor)


def spanning(name: str, steps: int) -> dict:
    """Parameters that make schedule ``name`` span a run of ``steps`` updates, where PyTorch's own
    defaults are lengths of their own (a cosine's T_max = 100 on a 600-step run would restart the
    picture six times): cosine T_max = steps, step decay by 10× at each quarter, multistep at 1/2 and
    3/4, polynomial / one-cycle over the whole run, restarts every quarter, a cyclic half-period of
    1/8, warm-up over the first tenth, exponential and inverse-time to 1/100 of the lr at the end.
    Other parameters keep their defaults; a schedule with no length of its own gets none."""
    q = max(steps // 4, 1)
    table = {
        "step": {"step_size": q},
        "multistep": {"milestones": (max(steps // 2, 1), max(3 * steps // 4, 2))},
        "exponential": {"gamma": float(0.01 ** (1.0 / max(steps, 1)))},
        "polynomial": {"total_iters": steps},
        "cosine": {"t_max": steps},
        "cosine_restarts": {"t_0": q},
        "cyclic": {"step_size_up": max(steps // 8, 1)},
        "onecycle": {"total_steps": steps},
        "warmup": {"total_iters": max(steps // 10, 1)},
        "inverse_time": {"decay_steps": steps / 99.0},  # lr / (1 + steps/decay_steps) = lr / 100
    }
    if name not in names():
        raise ValueError(f"unknown schedule {name!r}; one of {', '.join(names())}")
    return dict(table.get(name, {}))


def for_lrs(name: str, lrs, **kw):
    """What ``lrlab.descend`` and ``training.train`` take for K runs from the base lrs ``lrs`` under
    schedule ``name`` with keywords ``kw``: the lrs as an array when the schedule is constant with no
    warm-up (one table, no schedule objects), else K schedules (``make(name, lr, **kw)`` each)."""
    if name == "constant" and not kw.get("warmup_steps"):
        make(name, 0.0, **kw)  # the keywords are still checked
        return np.asarray(lrs, dtype=np.float64)
    return [make(name, base_lr=lr, **kw) for lr in lrs]


def with_warmup(sched: Schedule, steps: int, start_factor: float = WARMUP_START_FACTOR) -> Schedule:
    """``sched`` behind a linear warm-up of ``steps`` steps from ``start_factor`` × its initial lr.

    Equals ``SequentialLR(opt, [LinearLR(opt, start_factor, total_iters=steps), <sched>],
    milestones=[steps])`` (see the module docstring for the exact values). ``steps=0``: no warm-up.
    """
    if isinstance(sched, Plateau):
        raise ValueError("plateau cannot take a warm-up (PyTorch's SequentialLR refuses ReduceLROnPlateau)")
    if not isinstance(sched, Schedule):
        raise ValueError(f"with_warmup needs a Schedule from schedules.make, got {sched!r}")
    steps = WARMUP_PARAMS[0].check(steps)
    start_factor = WARMUP_PARAMS[1].check(start_factor)
    if steps and sched.warmup_steps:
        raise ValueError(f"{sched!r} already has a warm-up of {sched.warmup_steps} steps")
    if steps == 0:
        return sched
    return replace(sched, warmup_steps=steps, warmup_start_factor=start_factor)
