"""What happened in a run: its regime, and a plain-language sentence tied to the theory.

Every regime is decided from facts that do not depend on the plot box, measured against the minimum
the run approaches (:func:`lrlab.theory.approached`, with f* its value):

* the gap to that minimum, gap_t = f(p_t) − f*, relative to the gap at the start;
* the distance to it, d_t = |p_t − m|, relative to the distance at the start;
* sign flips of the displacement p_t − m along the Hessian's eigenvectors at m (crossing the minimum
  back and forth);
* the gap's change over the second half of the run, and the distance's over its last quarters.

Checked in this order (K runs at once, one array expression per fact):

* ``diverged``: the run was stopped (it left the finite range, see :mod:`lrlab.descent`; its sentence
  says whether it flew off or stepped outside a formula's domain), or its gap grew to more than
  ``GROWTH`` times its start.
* settled at the minimum: the gap is below ``SETTLED`` of its start, or the run hovers within
  ``HOVER`` of its starting distance over its last quarter (an adaptive method's steps stay about lr
  long, so it hovers instead of landing), or, with gradient noise, its root-mean-square distance
  over the last quarter (its *spread*) is within ``NOISE_BALL`` times the theory's noise-ball radius
  (:mod:`lrlab.noise`: the spread the theory expects over that quarter, through the run's own
  lrs), or, where no closed form exists (adaptive
  methods), the spread stopped shrinking within ``SPREAD`` of the starting distance. With noise a
  crossing counts only before the run first comes within ``NOISE_BALL`` radii, and only where it
  lands beyond ``CROSS_NOISE`` of the theory's standard deviations along its axis (the noise alone
  crosses the minimum all the time).
  Then: ``local_minimum`` if that minimum is not the global one, else
  ``oscillating`` if the path crossed the minimum ``FLIPS`` times or more (it converged while
  overshooting: a crossing counts where the path lands beyond the minimum, by more than rounding
  (``VISIBLE`` of its starting distance), and no farther than the step before; the sentence says how
  large the largest crossing was), else ``converged``. So the badge changes exactly at the theory's
  line: gradient descent oscillates for any lr above 1/λ.
* still crossing the minimum in the second half (``FLIPS`` flips): ``oscillating`` if the swings
  shrink (the largest distance of the last quarter is below ``CLOSING`` of the quarter before) and the
  gap is below its start, ``unstable`` if not (e.g. lr exactly 2/λ, or a bounded chaotic bounce).
* ``stalled``: no progress: the run did not move at all (lr = 0), or its gap changed by less than
  ``MOVING`` of itself over the second half on flat ground: where the loss's own curvature scale,
  |∇f|² / (2 gap), is below ``FLAT`` of the flattest curvature at the minimum (a plateau, a saddle).
* ``too_slow``: steady progress, not there yet: the gap fell over the second half (by more than
  ``MOVING``, or by less on ground that is not flat: a tiny lr on a bowl).
* ``unstable``: bounded, but the gap did not fall (it grew, or a small bounce repeats).

For a surface that lists no minima (a typed formula) the minimum is found by Newton's method from the
run's end; where none is found below the run, the lowest loss the run recorded stands in for f*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import noise as _noise
from lrlab import theory

NAMES = ("converged", "oscillating", "diverged", "too_slow", "stalled", "local_minimum", "unstable")

SUMMARY = {
    "converged": "Converged: the run settled at the minimum.",
    "oscillating": "Oscillating: each step overshoots the minimum, but the run still closes in.",
    "diverged": "Diverged: the run blew up.",
    "too_slow": "Too slow: still improving, but not at the minimum when the steps ran out.",
    "stalled": "Stalled: the run makes no progress.",
    "local_minimum": "Stuck in a local minimum: settled in a dip that is not the lowest one.",
    "unstable": "Unstable: the run stays bounded but never settles.",
}

GROWTH = 1e6  # a gap 10^6 times its start has blown up (the loss chart's log axis shows 6 decades)
SETTLED = 1e-6  # a gap below 10^-6 of its start is at the minimum (six decades of progress)
HOVER = 1e-2  # within 1% of the starting distance, and staying there, is at the minimum
NOISE_BALL = 2.0  # with gradient noise: an RMS distance within twice the theory's ball radius is settled
CROSS_NOISE = 3.0  # with noise, a crossing lands beyond 3 of the theory's standard deviations on its axis
SPREAD = 0.1  # noise, no closed-form ball (adaptive methods): hovering within 10% of the start distance
FLIPS = 2  # crossing the minimum back and forth (twice along one direction) is an oscillation
VISIBLE = 1e-9  # crossings within 1e-9 of the starting distance are rounding, not a crossing
CLOSING = 0.9  # swings shrinking by 10% or more from one quarter of the run to the next close in
MOVING = 1e-2  # a gap that fell by more than 1% over the second half is still improving
FLAT = 1e-2  # ground whose curvature scale |g|^2/(2 gap) is 1% of the minimum's flattest is flat
BASIN = 0.25  # ... and at a quarter of it or more it curves like the minimum's bowl (its theory applies)
ROUNDING = 1e-12  # losses equal to this relative precision are equal (float rounding of f)


@dataclass(frozen=True, eq=False)
class Facts:
    """The scale-free facts of K runs (arrays (K,)), from which regimes and sentences are read."""

    n: np.ndarray  # recorded points per run
    approached: list  # theory.Approached | None per run
    f_star: np.ndarray
    gap0: np.ndarray
    gap_mid: np.ndarray
    gap_end: np.ndarray
    d0: np.ndarray
    d_end: np.ndarray
    d_last: np.ndarray  # largest distance over the last quarter
    d_prev: np.ndarray  # largest distance over the quarter before
    d_low: np.ndarray  # smallest distance over the last quarter
    flips: np.ndarray  # over the whole run
    flips_late: np.ndarray  # over its second half
    swing: np.ndarray  # the farthest a crossing landed beyond the minimum, over the starting distance
    g0: np.ndarray
    g_end: np.ndarray
    saddle_end: np.ndarray  # the Hessian at the end is indefinite
    rise: np.ndarray  # (L_end − f_low) / (L_0 − f_low), f_low the lowest loss known (run or surface)
    flat: np.ndarray  # the ground at the end is flat (see the module docstring)
    in_basin: np.ndarray  # the ground at the end curves like the minimum's bowl (not flatter)
    moved: np.ndarray  # the run moved at all
    spread: np.ndarray  # root-mean-square distance to the minimum over the last quarter
    spread_prev: np.ndarray  # ... over the quarter before
    lams: np.ndarray  # the Hessian's eigenvalues (K, 2), ascending, at each run's minimum (its end if none)
    balls: list  # with gradient noise: the theory's noise.Ball of each run (or None), else all None
    sigma: float = 0.0  # the gradient noise the runs followed

    @property
    def radius(self) -> np.ndarray:
        """The theory's noise-ball radius of each run (NaN where there is none)."""
        return np.array([b.radius if b is not None else np.nan for b in self.balls], dtype=np.float64)


def _count_flips(c: np.ndarray, floor: np.ndarray, wheres) -> tuple[list[np.ndarray], np.ndarray]:
    """Sign changes of the displacement's components ``c`` (2, K, T) along the two axes, counting only
    components above ``floor`` (broadcasting against ``c``), with NaN (unrecorded) steps left out: for
    each mask of ``wheres`` ((K, T-1) each, the steps it allows) the most changes along one axis (K,);
    and the largest |component| a change the first mask allows landed at (K,).

    A change at step t: the component is visible there and its sign is the opposite of the last
    visible sign before t (a small component in between does not hide a crossing)."""
    a = np.abs(c)
    seen = (a > floor) & (a < np.inf)
    up = c > 0
    # the last visible sign, carried forward: code 2t + 1 for a positive one at step t, 2t for a
    # negative one, below 0 before any; the running maximum over t is the code of the latest
    code = np.where(seen, 2 * np.arange(c.shape[-1], dtype=np.int32), np.int32(-2)) + up
    np.maximum.accumulate(code, axis=-1, out=code)
    prev = code[..., :-1]
    change = seen[..., 1:] & (prev >= 0) & (up[..., 1:] != (prev & 1).astype(bool))
    counted = [change & w for w in wheres]
    counts = [np.count_nonzero(m, axis=-1).max(0) for m in counted]
    landed = np.maximum.reduce(a[..., 1:], axis=-1, where=counted[0], initial=0.0).max(0)
    return counts, landed


def facts(surface, points, loss, grad_norm, noise=None) -> Facts:
    """The facts of K recorded runs: ``points`` (K, T+1, 2), ``loss`` and ``grad_norm`` (K, T+1),
    NaN after a run was stopped. ``noise``: None, or the runs' gradient noise as
    ``(sigma, optimizer name, hyper, lr table (K, T))`` (the theory's balls are read from it)."""
    k, t1 = loss.shape
    x, y = points[..., 0], points[..., 1]
    ok = np.isfinite(loss) & np.isfinite(x) & np.isfinite(y)
    n = np.where(ok.all(1), t1, np.argmin(ok, axis=1))
    n = np.maximum(n, 1)
    rows = np.arange(k)
    last = n - 1
    ends = points[rows, last]
    app = theory.approached(surface, ends)
    with np.errstate(all="ignore"):
        low = np.nanmin(np.where(ok, loss, np.nan), axis=1)
    f_star = np.array([a.value if a is not None else low[i] for i, a in enumerate(app)])
    centre = np.array([a.xy if a is not None else ends[i] for i, a in enumerate(app)], dtype=np.float64)
    with np.errstate(all="ignore"):
        # the loss above the minimum at the start, halfway and at the end of each run
        at = np.stack([np.zeros_like(last), last // 2, last])
        gap0, gap_mid, gap_end = np.where(ok[rows, at], np.maximum(loss[rows, at] - f_star, 0.0), np.nan)
        dx, dy = x - centre[:, :1], y - centre[:, 1:]  # the displacement from the minimum (K, T+1) each
        dist = np.where(ok, np.sqrt(dx * dx + dy * dy), np.nan)
        q = np.maximum(n // 4, 1)
        idx = np.arange(t1)[None, :]
        # the last quarter and the one before, where recorded (no NaN left in them)
        in_last = (idx >= (n - q)[:, None]) & (idx < n[:, None]) & ok
        in_prev = (idx >= (n - 2 * q)[:, None]) & (idx < (n - q)[:, None]) & ok
        d_last = np.max(np.where(in_last, dist, -np.inf), axis=1)
        d_prev = np.max(np.where(in_prev, dist, -np.inf), axis=1)
        d_low = np.min(np.where(in_last, dist, np.inf), axis=1)
        d2 = dist**2
        spread = np.sqrt(np.sum(np.where(in_last, d2, 0.0), axis=1) / q)
        spread_prev = np.sqrt(np.sum(np.where(in_prev, d2, 0.0), axis=1) / q)
        balls = noise_balls(surface, app, n, noise)
        h_centre = surface.hessian(centre)
        lams = np.linalg.eigvalsh(h_centre)
        _, axes = np.linalg.eigh(h_centre)
        # the displacement along the Hessian's eigenvectors at the minimum, axis first (2, K, T+1)
        proj = np.empty((2, k, t1))
        for i in (0, 1):
            np.multiply(dx, axes[:, 0, i, None], out=proj[i])
            proj[i] += dy * axes[:, 1, i, None]
        # a crossing counts where the step lands no farther from the minimum: overshooting while
        # closing in (or bouncing at a fixed distance, the edge), not the growing swings of a run
        # flying off (that is divergence)
        closer = dist[:, 1:] <= dist[:, :-1] * (1.0 + ROUNDING)
        floor = VISIBLE * np.maximum(dist[:, 0], 1e-300)[None, :, None]
        if any(b is not None and b.std_path is not None for b in balls):
            std = np.full((k, t1, 2), np.nan)  # the theory's noise std along each axis at each step
            for i, b in enumerate(balls):
                if b is not None and b.std_path is not None:
                    std[i, : b.std_path.shape[1]] = b.std_path.T
            # with noise, a crossing must land beyond the noise
            floor = np.fmax(floor, CROSS_NOISE * std.transpose(2, 0, 1))
            # ... and only the way in counts: once in the ball, crossings are the noise's
            entered = np.logical_or.accumulate(dist <= NOISE_BALL * np.sqrt((std**2).sum(-1)), axis=1)
            closer &= ~entered[:, 1:]
        late = closer & (idx[:, 1:] >= (n // 2)[:, None])
        (flips, flips_late), landed = _count_flips(proj, floor, (closer, late))
        swing = landed / np.maximum(dist[:, 0], 1e-300)
        h_end = surface.hessian(ends)
        lam_end = np.linalg.eigvalsh(np.where(np.isfinite(h_end), h_end, 0.0))
        # blow-up is measured from the lowest loss known, never from a minimum above the start
        f_low = np.fmin(np.fmin(low, f_star), min((m.value for m in surface.minima), default=np.inf))
        above0 = loss[:, 0] - f_low
        rise = (loss[rows, last] - f_low) / np.maximum(above0, ROUNDING * (1.0 + np.abs(f_low)))
        # flat ground: the loss's own curvature scale |g|^2 / (2 gap) against the minimum's flattest
        lam_min = lams[:, 0]
        g_end = grad_norm[rows, last]
        scale_end = g_end**2 / (2.0 * np.maximum(gap_end, 1e-300))
        has_min = np.array([a is not None for a in app]) & (lam_min > 0)
        g_max = np.nanmax(np.where(ok, grad_norm, np.nan), axis=1)
        flat = np.where(has_min, scale_end < FLAT * lam_min, g_end < FLAT * g_max)
        in_basin = has_min & (scale_end >= BASIN * lam_min)
        # a saddle: the surface at the end bends down along one direction about as much as the
        # minimum's bowl bends up (a plateau's tiny curvatures either way are not a saddle)
        saddle = lam_end[:, 0] < -BASIN * np.where(has_min, lam_min, np.abs(lam_end[:, 1]))
        moved = np.nanmax(dist, axis=1) > np.nanmin(dist, axis=1)
    return Facts(
        n=n,
        approached=app,
        f_star=f_star,
        gap0=gap0,
        gap_mid=gap_mid,
        gap_end=gap_end,
        d0=dist[:, 0],
        d_end=dist[rows, last],
        d_last=d_last,
        d_prev=d_prev,
        d_low=d_low,
        flips=flips,
        flips_late=flips_late,
        swing=swing,
        g0=grad_norm[:, 0],
        g_end=grad_norm[rows, last],
        saddle_end=saddle,
        rise=rise,
        flat=flat,
        in_basin=in_basin,
        moved=moved,
        spread=spread,
        spread_prev=spread_prev,
        balls=balls,
        sigma=float(noise[0]) if noise is not None else 0.0,
        lams=lams,
    )


def classify_all(surface, points, loss, grad_norm, stopped, noise=None) -> tuple[tuple[str, ...], Facts]:
    """The regimes of K runs (see the module docstring) and the facts they were read from.

    ``stopped`` (K,) bool: the run left the finite range; ``noise``: None, or the gradient noise the
    runs followed, ``(sigma, optimizer name, hyper, lr table (K, T))``: the scale of "settled" is then
    the theory's noise ball.
    """
    points, loss, grad_norm = (np.asarray(a, np.float64) for a in (points, loss, grad_norm))
    if loss.ndim == 1:
        points, loss, grad_norm = points[None], loss[None], grad_norm[None]
    fx = facts(surface, points, loss, grad_norm, noise)
    stopped = np.asarray(stopped, dtype=bool).reshape(-1)
    res = ROUNDING * (1.0 + np.abs(fx.f_star) + np.abs(loss[:, 0]))
    with np.errstate(all="ignore"):
        blew_up = fx.rise > GROWTH
        exact = fx.gap_end <= SETTLED * fx.gap0 + res
        hover = fx.d_last <= HOVER * fx.d0
        if noise is not None and noise[0] > 0:
            r = fx.radius
            in_ball = np.isfinite(r) & (fx.spread <= NOISE_BALL * r)
            steady = fx.spread >= CLOSING * fx.spread_prev  # the spread stopped shrinking
            hovering = ~np.isfinite(r) & (fx.spread <= SPREAD * fx.d0) & steady
            hover = hover | in_ball | hovering
        settled = exact | hover
        is_local = np.array([a is not None and a.is_global is False for a in fx.approached])
        # the swings shrink, and the run is nearer the minimum than where it started
        closing = (fx.d_last < CLOSING * fx.d_prev) & (fx.gap_end < fx.gap0)
        moving = fx.gap_end < (1.0 - MOVING) * fx.gap_mid - res
        still = np.abs(fx.gap_end - fx.gap_mid) <= MOVING * fx.gap_mid + res
    regime = np.select(
        [
            stopped | blew_up,
            settled & is_local,
            settled & (fx.flips >= FLIPS),
            settled,
            (fx.flips_late >= FLIPS) & closing,
            fx.flips_late >= FLIPS,
            ~fx.moved | (still & fx.flat),
            moving | (still & (fx.gap_end < fx.gap_mid - res)),
        ],
        [
            "diverged",
            "local_minimum",
            "oscillating",
            "converged",
            "oscillating",
            "unstable",
            "stalled",
            "too_slow",
        ],
        "unstable",
    )
    return tuple(str(r) for r in regime), fx


def classify(surface, points, loss, grad_norm, diverged_at) -> str:
    """The regime of one recorded run (``points`` (T+1, 2), ``loss`` and ``grad_norm`` (T+1,))."""
    return classify_all(surface, points, loss, grad_norm, [diverged_at is not None])[0][0]


# -- sentences ---------------------------------------------------------------------------------------


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _pct(f: float) -> str:
    """A factor per step as a percentage kept: 0.98 -> '98%', 0.99999 -> '99.999%'."""
    p = 100 * f
    if p >= 99.5 and p < 100:
        return f"{p:.{min(6, max(1, int(-np.log10(100 - p)) + 1))}f}%"
    return f"{p:.3g}%"


def lr_words(lrs) -> str:
    """The lrs a run used, in words: 'lr = 0.1', or 'lr = 0.6 → 0.06' for a schedule."""
    lrs = np.asarray(lrs, np.float64)
    if not len(lrs) or np.all(lrs == lrs[0]):
        return f"lr = {_fmt(float(lrs[0]) if len(lrs) else 0.0)}"
    return f"lr = {_fmt(float(lrs[0]))} → {_fmt(float(lrs[-1]))}"


@dataclass(frozen=True, eq=False)
class _Numbers:
    """Every number the sentences of K runs quote, computed as arrays (K,) before any sentence is
    written (the per-run part of :func:`explain_all` is only string formatting)."""

    lr0: np.ndarray  # the first lr
    lr_end: np.ndarray  # the lr of the last update before the last recorded point
    lr_max: np.ndarray  # the largest lr of the table
    used: list  # the lrs the run used, in words (``lr_words`` of its recorded updates)
    crit: list  # theory.Critical with a divergence line at the approached minimum, or None
    lams: np.ndarray  # the Hessian's eigenvalues (K, 2) at the approached minimum ...
    has_lams: np.ndarray  # ... where there is one and they are finite
    factor_end: np.ndarray  # contraction at lr_end along the steepest direction (crit.lam)
    factor0: np.ndarray  # ... at lr0
    slow_end: np.ndarray  # contraction at lr_end along the flattest direction (lams[:, 0])
    top_lam: np.ndarray  # a diverged run's largest top curvature along its path (NaN if not asked)
    top_t: np.ndarray  # ... and the step where it is
    top_div: np.ndarray  # ... and the divergence line there
    top_rule: str


def _numbers(regimes, fx: Facts, surface, optimizer, hyper, lr_table, stop_reason, points) -> _Numbers:
    k = len(regimes)
    rows = np.arange(k)
    table = np.asarray(lr_table, np.float64).reshape(k, -1)
    if not table.shape[1]:
        table = np.zeros((k, 1))  # no update: "lr = 0"
    steps = table.shape[1]
    n = np.asarray(fx.n, dtype=np.int64)
    lr0 = table[:, 0]
    lr_end = table[rows, np.minimum(steps - 1, np.maximum(n - 2, 0))]
    # the lrs of the recorded updates, table[:, :m]: one lr if none of them differs from the first
    m = np.minimum(np.maximum(n - 1, 1), steps)
    differs = table != table[:, :1]
    constant = np.where(differs.any(1), differs.argmax(1), steps) >= m
    last_used = table[rows, m - 1]
    used = [f"lr = {_fmt(float(lr0[i]))}" for i in range(k)]
    for i in np.flatnonzero(~constant):
        used[i] += f" → {_fmt(float(last_used[i]))}"
    crit: list = [None] * k
    have = [i for i, a in enumerate(fx.approached) if a is not None]
    if optimizer in theory.MOMENTUM_METHODS and have:
        try:
            at = [fx.approached[i].xy for i in have]
            found = theory.critical_lrs_all(surface, _Named(optimizer, hyper), at)
        except np.linalg.LinAlgError:
            found = [None] * len(have)
        for i, c in zip(have, found, strict=True):
            crit[i] = c if c is not None and c.diverge is not None else None
    lams = np.asarray(fx.lams, np.float64)
    has_lams = np.array([a is not None for a in fx.approached], dtype=bool) & np.all(np.isfinite(lams), -1)
    wd = float(hyper.get("weight_decay", 0.0))
    nan = np.full(k, np.nan)
    factor_end = factor0 = slow_end = nan
    if any(c is not None for c in crit):
        crit_lam = np.array([c.lam if c is not None else np.nan for c in crit])
        factor_end = theory.contractions(optimizer, hyper, lr_end, crit_lam - wd)
        factor0 = theory.contractions(optimizer, hyper, lr0, crit_lam - wd)
        slow_end = theory.contractions(optimizer, hyper, lr_end, lams[:, 0])
    # a run that diverged below the line at its minimum: the steepest curvature it met on its way
    top_lam, top_t, top_div, top_rule = nan, np.zeros(k, dtype=np.int64), nan, ""
    asked = [
        i
        for i in range(k)
        if regimes[i] == "diverged"
        and stop_reason[i] != "undefined"
        and optimizer in theory.MOMENTUM_METHODS
        and not (crit[i] is not None and crit[i].side(float(lr0[i])) == "diverge")
    ]
    if asked:
        top_lam, top_t = nan.copy(), top_t.copy()
        top_lam[asked], top_t[asked] = _top_curvatures_along(surface, np.asarray(points)[asked])
        _, top_div, top_rule = theory.threshold_arrays(optimizer, hyper, top_lam)
    return _Numbers(
        lr0,
        lr_end,
        table.max(1),
        used,
        crit,
        lams,
        has_lams,
        factor_end,
        factor0,
        slow_end,
        top_lam,
        top_t,
        top_div,
        top_rule,
    )


def explain_all(regimes, fx: Facts, surface, optimizer, hyper, lr_table, diverged_at, stop_reason, points):
    """One sentence per run: the regime, in the numbers the page shows, with the theory's lines at
    the approached minimum where they apply (SGD, momentum, Nesterov). Every number is computed for
    the K runs at once (:class:`_Numbers`); then each sentence is formatted."""
    with np.errstate(all="ignore"):  # a run far out may overflow a ratio: its inf is its sentence
        num = _numbers(regimes, fx, surface, optimizer, hyper, lr_table, stop_reason, points)
        lower = f"; the lowest one is at loss {_fmt(surface.global_min.value)}" if surface.global_min else ""
        return tuple(
            _sentence(regime, i, fx, num, optimizer, hyper, diverged_at[i], stop_reason[i], lower)
            + _local(regime, fx.approached[i], lower)
            for i, regime in enumerate(regimes)
        )


def _local(regime, app, lower) -> str:
    """Where a run still moving (oscillating, too slow, unstable, stalled, converged within its
    hover) approaches a minimum that is not the lowest one, its sentence says so: beside a run
    "stuck in a local minimum" in the same dip, its word alone would not."""
    if regime in ("diverged", "local_minimum") or app is None or app.is_global is not False:
        return ""
    return f" The minimum it approaches is a local one, at loss {_fmt(app.value)}{lower}."


def _sentence(regime, i, fx, num: _Numbers, optimizer, hyper, diverged_at, stop_reason, lower) -> str:
    app, crit = fx.approached[i], num.crit[i]
    lr0, lr_end = float(num.lr0[i]), float(num.lr_end[i])
    wd = float(hyper.get("weight_decay", 0.0))
    used = num.used[i]
    steps = int(fx.n[i]) - 1
    if regime == "diverged":
        return _diverged(i, fx, num, crit, lr0, wd, diverged_at, stop_reason)
    lams = num.lams[i] if num.has_lams[i] else None
    if regime == "stalled":
        return _stalled(i, fx, lr0, lr_end, used, steps)
    if regime == "local_minimum":
        return (
            f"Stuck in a local minimum: it settled in the dip at loss {_fmt(app.value)} ({used}), "
            f"which is not the lowest{lower}."
        )
    if regime == "too_slow":
        left = fx.gap_end[i] / fx.gap0[i] if fx.gap0[i] > 0 else np.nan
        base = (
            f"Too slow: still improving, but after {steps} steps ({used}) {_pct(left)} of the starting "
            "loss gap is left."
        )
        if not fx.in_basin[i]:
            step = lr_end * fx.g_end[i]
            return (
                f"{base} Out here the ground is flatter than at the minimum (|∇f| = {_fmt(fx.g_end[i])}), so "
                f"a step of lr·|∇f| = {_fmt(step)} covers {_pct(step / max(fx.d_end[i], 1e-300))} of the "
                f"{_fmt(fx.d_end[i])} still to go."
            )
        if crit is not None and lams is not None and crit.side(lr_end) == "monotone":
            slow = num.slow_end[i]
            if slow < 1:
                return (
                    f"{base} lr = {_fmt(lr_end)} is below the divergence line {crit.rule} = "
                    f"{_fmt(crit.diverge)} set by the steepest direction (curvature {_fmt(crit.lam)}), but "
                    f"along the flattest (curvature {_fmt(lams[0] + wd)}) each step keeps {_pct(slow)} of "
                    "the distance."
                )
        return base
    if regime == "unstable":
        base = (
            "Unstable: bounded, but it never settles: over the last quarter of the run its distance to "
            f"the minimum stayed between {_fmt(fx.d_low[i])} and {_fmt(fx.d_last[i])} ({used})."
        )
        if crit is not None and crit.side(lr_end) == "edge":
            return (
                f"{base} lr = {_fmt(lr_end)} is on the divergence line {crit.rule} = {_fmt(crit.diverge)}: "
                "each step flips the distance along the steepest direction and keeps all of it."
            )
        return base
    # converged or oscillating
    exact = fx.gap_end[i] <= SETTLED * fx.gap0[i] + ROUNDING * (1 + abs(fx.f_star[i]))
    hover = (
        f"it stays within {_fmt(fx.d_last[i])} of the minimum, {_pct(fx.d_last[i] / fx.d0[i])} of its "
        "starting distance"
    )
    if fx.sigma > 0 and not exact:
        hover = _in_ball(i, fx, optimizer)
    if regime == "converged":
        base = f"Converged: {'it reached the minimum' if exact else hover} ({used})."
    elif exact or fx.d_last[i] <= HOVER * fx.d0[i]:
        base = (
            f"Oscillating: it overshot the minimum back and forth ({int(fx.flips[i])} crossings, the "
            f"widest {_pct(fx.swing[i])} of its starting distance), each swing smaller, and "
            f"{'reached it' if exact else hover} ({used})."
        )
    else:
        base = (
            "Oscillating: each step overshoots the minimum, but the swings shrink: after "
            f"{steps} steps it is at distance {_fmt(fx.d_end[i])} from it, closing in ({used})."
        )
    if crit is None or lams is None or not fx.in_basin[i] and not exact:
        return base
    factor = num.factor_end[i]
    side = crit.side(lr_end)
    if regime == "oscillating" and side == "monotone":  # a schedule: it crossed while the lr was higher
        line = theory.OVERSHOOT_RULE.get(crit.rule, "of the theory")
        return (
            f"{base} The last lr, {_fmt(lr_end)}, is below the overshoot line {line} = "
            f"{_fmt(crit.overshoot)}: the final steps go straight in; the crossings came while the lr was "
            f"higher (up to {_fmt(float(num.lr_max[i]))})."
        )
    if optimizer == "sgd" and side == "overshoot":
        return (
            f"{base} 1/λ = {_fmt(crit.overshoot)} < lr = {_fmt(lr_end)} < 2/λ = {_fmt(crit.diverge)}: each "
            "step flips the sign of the distance along the steepest direction and keeps "
            f"{_pct(factor)} of it."
        )
    if optimizer == "sgd" and side == "monotone":
        return (
            f"{base} lr = {_fmt(lr_end)} ≤ 1/λ = {_fmt(crit.overshoot)}: every step moves straight toward "
            f"the minimum, keeping {_pct(factor)} of the distance along the steepest direction and "
            f"{_pct(num.slow_end[i])} along the flattest (curvature {_fmt(lams[0] + wd)})."
        )
    if side in ("monotone", "overshoot"):
        return (
            f"{base} lr = {_fmt(lr_end)} < {crit.rule} = {_fmt(crit.diverge)} (λ = {_fmt(crit.lam)}): in the "
            f"long run each step keeps {_pct(factor)} of the distance along the steepest direction."
        )
    return base


def _in_ball(i, fx, optimizer) -> str:
    """Where a noisy run settled: its measured spread beside the theory's ball radius."""
    spread, ball = _fmt(fx.spread[i]), fx.balls[i]
    if ball is not None and np.isfinite(ball.radius):
        return (
            f"it settled in a noise ball: over the last quarter its root-mean-square distance to the "
            f"minimum is {spread} (the theory's for these lrs and σ = {_fmt(fx.sigma)}: {_fmt(ball.radius)})"
        )
    return (
        f"it hovers in a noise ball: over the last quarter its root-mean-square distance to the minimum "
        f"is {spread}, {_pct(fx.spread[i] / fx.d0[i])} of its starting distance (no closed-form ball "
        f"for {optimizer})"
    )


def _stalled(i, fx, lr0, lr_end, used, steps) -> str:
    if lr0 == 0 and lr_end == 0:
        return "Stalled: lr = 0, so the run cannot move."
    if not fx.moved[i]:
        return f"Stalled: the gradient is zero where it starts, so the run cannot move ({used})."
    where = (
        "it sits near a saddle point, where the surface curves up one way and down the other"
        if fx.saddle_end[i]
        else "out here the ground is almost flat"
    )
    drift = (
        f"; it has drifted to {_fmt(fx.d_end[i] / fx.d0[i])}× its starting distance from the minimum"
        if fx.d0[i] > 0 and fx.d_end[i] > 2 * fx.d0[i]
        else ""
    )
    return (
        f"Stalled: over the second half of the {steps} steps its loss changed by less than "
        f"{100 * MOVING:g}%: {where} (|∇f| = {_fmt(fx.g_end[i])}), so steps of lr·∇f ({used}) barely "
        f"change the loss{drift}."
    )


def _top_curvatures_along(surface, points) -> tuple[np.ndarray, np.ndarray]:
    """For each run of ``points`` (K, T+1, 2): the largest top Hessian eigenvalue over its recorded
    (finite) points, and the index of that point among them; (NaN, 0) for a run with none. (K,) each."""
    fin = np.all(np.isfinite(points), -1)
    with np.errstate(all="ignore"):
        lam = np.linalg.eigvalsh(surface.hessian(np.where(fin[..., None], points, 0.0)))[..., -1]
    lam = np.where(fin & np.isfinite(lam), lam, -np.inf)
    best = np.argmax(lam, axis=1)
    rows = np.arange(len(points))
    top = np.where(fin.any(1), lam[rows, best], np.nan)
    t = np.where(fin.any(1), np.cumsum(fin, axis=1)[rows, best] - 1, 0)
    return top, t


def _diverged(i, fx, num: _Numbers, crit, lr0, wd, diverged_at, stop_reason) -> str:
    if stop_reason == "undefined":
        return (
            f"Stopped at step {diverged_at}: the run stepped where the formula has no finite value or "
            "gradient (outside its domain), so it could not go on."
        )
    where = f"Diverged at step {diverged_at}" if diverged_at is not None else "Diverged"
    how = (
        "the steps grew until the run flew off the map"
        if diverged_at is not None
        else f"the loss grew to {_fmt(fx.rise[i])}× where it started (above the lowest loss known)"
    )
    if crit is not None and crit.side(lr0) == "diverge":  # past the line, not on it
        return (
            f"{where}: lr = {_fmt(lr0)} > {crit.rule} = {_fmt(crit.diverge)} (λ = {_fmt(crit.lam)} at the "
            "minimum): each step multiplies the distance along the steepest direction by "
            f"{_fmt(num.factor0[i])} > 1, and {how}."
        )
    lam, t, div = num.top_lam[i], int(num.top_t[i]), num.top_div[i]
    if np.isfinite(lam) and lam > 0 and lr0 > div:
        here = num.top_rule.replace("λ", _fmt(lam + wd))  # the line at that curvature, not at the minimum
        return (
            f"{where}: at step {t} the top curvature of the surface is {_fmt(lam + wd)}, and there "
            f"lr = {_fmt(lr0)} > {here} = {_fmt(div)}: the steps overshot more and more, and {how}."
        )
    return f"{where}: {how} ({lr_words([lr0])})."


class _Named:
    """The (name, hyper) pair that :func:`theory.critical_lrs` accepts in place of an optimizer."""

    def __init__(self, name, hyper):
        self.name, self.hyper = name, hyper


def noise_balls(surface, approached, n, noise) -> list:
    """The theory's noise ball (``noise.Ball`` or None) of each run at its approached minimum over
    its last quarter of recorded points (``noise.run_balls``: the spread expected there through the
    run's own lrs, from none at the start); all None without noise."""
    k = len(approached)
    if noise is None or not noise[0] > 0:
        return [None] * k
    sigma, name, hyper, table = noise
    table = np.broadcast_to(np.asarray(table, np.float64), (k, np.shape(table)[-1]))
    window = [(max(int(m) // 4, 1), int(m)) for m in n]
    centres = [a.xy if a is not None else None for a in approached]
    return _noise.run_balls(surface, centres, table, float(sigma), name, hyper, window)
