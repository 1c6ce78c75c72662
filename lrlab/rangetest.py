"""The learning-rate range test (Smith 2017, "Cyclical Learning Rates"; fastai's ``lr_find``,
pytorch-lr-finder's ``range_test``).

Train ONE network while the lr grows exponentially, step ``t = 0 .. N-1``::

    lr_t = start_lr * (end_lr / start_lr) ** (t / (N - 1))

and record the training loss right after each step, i.e. at the weights that step ``t`` produced
(the loss of the next mini-batch, or the full training loss in full batch). The raw curve is noisy,
so it is smoothed by an exponential moving average with bias correction (weight ``smooth`` = 0.05 on
the newest loss, as pytorch-lr-finder's ``smooth_f``; the bias correction is fastai's)::

    avg_t = (1 - smooth) * avg_{t-1} + smooth * loss_t,   avg_{-1} = 0
    s_t = avg_t / (1 - (1 - smooth)^(t+1))

The test stops at the first step where ``s_t > diverge_factor * min(s_0 .. s_{t-1})`` (fastai's 4x;
pytorch-lr-finder uses 5x) or the loss stops being finite. :func:`suggest` then reads three
learning rates off the smoothed curve.

A suggestion is a reading of ONE short run whose lr keeps growing; it does not promise that a
constant lr trains in a given number of steps. :func:`check_trained` holds each suggestion against
the run a click on it trains (too small when that run's verdict is ``too_slow``), :func:`check_sweep`
against a sweep's bands, and each says why in one sentence of the curve's own numbers. Measured on
the two moons (full batch, SGD, 16-16 tanh, 8 seeds): the smoothed loss falls at EVERY step of the
window, by a hair while the lr is tiny, so the longest descent fastai's valley reads starts with the
window and the valley lands half way along it in log lr, at 0.004, where the test's loss has made
under 1% of its fall; 300 steps at 0.004 keep 80-86% of the loss. With mini-batches of 32 the
noisy loss breaks that flat descent: it starts near lr = 1e-3 and the valley lands at 0.046-0.064
(4 seeds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import training, verdict


def smooth_losses(losses, smooth: float = 0.05) -> np.ndarray:
    """Bias-corrected exponential moving average of ``losses`` (see the module docstring)."""
    if not 0 < smooth <= 1:
        raise ValueError(f"smooth must be in (0, 1], got {smooth!r}")
    out, avg, beta = np.empty(len(losses)), 0.0, 1.0 - smooth
    for t, v in enumerate(np.asarray(losses, dtype=np.float64)):
        avg = beta * avg + smooth * v
        out[t] = avg / (1.0 - beta ** (t + 1))
    return out


def valley_span(losses) -> tuple[int, int, int]:
    """fastai's "valley" as (start ``b``, end ``e``, suggestion index) of the longest valley.

    The longest valley is the longest strictly decreasing subsequence of the loss curve (not
    necessarily contiguous): ``lds[i] = 1 + max(lds[j] for j < i with losses[j] > losses[i])`` (1 if
    no such j); it ends at ``e``, the first index with the largest ``lds``, and starts at
    ``b = e - lds[e]``. The suggestion is index ``b + int((e - b) / 3) + int((e - b) / 6)``, about
    half way from ``b`` to ``e`` (fastai's formula, clipped to 0 when the curve has under 3 points).
    """
    loss = np.asarray(losses, dtype=np.float64)
    lds = np.ones(len(loss), dtype=int)
    for i in range(1, len(loss)):
        higher = loss[:i] > loss[i]
        if higher.any():
            lds[i] = lds[:i][higher].max() + 1
    end = int(np.argmax(lds))
    start = end - int(lds[end])
    sections = (end - start) / 3
    return start, end, max(0, start + int(sections) + int(sections / 2))


def valley_index(losses) -> int:
    """fastai's "valley": the point about halfway down the longest valley (see :func:`valley_span`)."""
    return valley_span(losses)[2]


def read_window(lrs, losses, skip_start: int = 0, skip_end: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The part of a range-test curve the suggestions read: its finite points with lr > 0, minus the
    first ``skip_start`` and the last ``skip_end`` (unless fewer than 3 points would be left)."""
    lrs, losses = np.asarray(lrs, dtype=np.float64), np.asarray(losses, dtype=np.float64)
    if lrs.shape != losses.shape or lrs.ndim != 1:
        raise ValueError(f"lrs and losses must be 1-D of the same length, got {lrs.shape} and {losses.shape}")
    keep = np.isfinite(losses) & (lrs > 0)
    lrs, losses = lrs[keep], losses[keep]
    window = slice(skip_start, len(lrs) - skip_end)
    if len(lrs[window]) >= 3:
        lrs, losses = lrs[window], losses[window]
    if len(lrs) < 3:
        raise ValueError(f"need at least 3 finite points to suggest a learning rate, got {len(lrs)}")
    return lrs, losses


def suggest(lrs, losses, skip_start: int = 0, skip_end: int = 0) -> dict[str, float]:
    """Suggested learning rates from a (smoothed) range-test curve ``losses`` over ``lrs``.

    Only ``[skip_start, len - skip_end)`` is read (fastai skips the first 10% and the last 5 points):

    * ``steepest``: the lr where the loss falls fastest, ``argmin d loss / d log(lr)`` (central
      differences, ``numpy.gradient``), pytorch-lr-finder's suggestion;
    * ``minimum_10``: the lr of the lowest loss divided by 10 (fastai's ``minimum``);
    * ``valley``: fastai's default, see :func:`valley_index`.
    """
    lrs, losses = read_window(lrs, losses, skip_start, skip_end)
    slope = np.gradient(losses, np.log(lrs))
    return {
        "steepest": float(lrs[np.argmin(slope)]),
        "minimum_10": float(lrs[np.argmin(losses)] / 10),
        "valley": float(lrs[valley_index(losses)]),
    }


@dataclass(frozen=True, eq=False)
class RangeTestResult:
    """lrs, losses (raw), smoothed (n,): up to and including the step that stopped the test.
    ``suggestions``: name -> lr (see :func:`suggest`); ``stopped_at``: that step, or None if the
    test ran all ``num_steps``; ``skip``: the (skip_start, skip_end) the suggestions were read with."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestions: dict
    stopped_at: int | None
    skip: tuple[int, int] = (0, 0)

    def marker(self, name: str) -> tuple[float, float]:
        """(lr, smoothed loss there) of a suggestion, for plotting (log-lr interpolation)."""
        lr = self.suggestions[name]
        return lr, self.marker_value(lr)

    def marker_value(self, lr: float) -> float:
        """The smoothed loss at ``lr``, interpolated in log lr (clamped to the ends of the curve)."""
        return float(np.interp(np.log(lr), np.log(self.lrs), self.smoothed))


def exponential_lrs(start_lr: float, end_lr: float, num_steps: int) -> np.ndarray:
    """``start_lr * (end_lr / start_lr) ** (t / (num_steps - 1))`` for t = 0 .. num_steps - 1."""
    if not (0 < start_lr < end_lr and np.isfinite(end_lr)):
        raise ValueError(f"need 0 < start_lr < end_lr < inf, got start_lr={start_lr!r}, end_lr={end_lr!r}")
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or not 5 <= num_steps <= 100_000:
        raise ValueError(f"num_steps must be an integer in [5, 100000], got {num_steps!r}")
    return start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))


def run(
    model,
    data,
    optimizer="sgd",
    start_lr: float = 1e-6,
    end_lr: float = 10.0,
    num_steps: int = 100,
    batch_size: int | None = None,
    seed: int = 0,
    smooth: float = 0.05,
    diverge_factor: float = 4.0,
    skip_start: int | None = None,
    skip_end: int = 5,
) -> RangeTestResult:
    """Run the range test on ``model`` (initial weights ``model.init(seed)``) over ``data``.

    ``skip_start`` defaults to ``num_steps // 10`` (fastai). The lr is a plain function of the step,
    so this is :func:`lrlab.training.train` with an exponential lr table.
    """
    lrs = exponential_lrs(start_lr, end_lr, num_steps)
    if not diverge_factor > 1:
        raise ValueError(f"diverge_factor must be > 1, got {diverge_factor!r}")
    table = np.r_[lrs, lrs[-1]]  # one more step, to read the loss after step N-1
    res = training.train(
        model, data, optimizer, lambda t: table[t], num_steps + 1, batch_size=batch_size, seed=seed
    )
    losses = res.batch_loss[1:]  # loss at the weights step t produced
    smoothed = smooth_losses(np.where(np.isfinite(losses), losses, np.inf), smooth)
    best = np.minimum.accumulate(smoothed)
    with np.errstate(invalid="ignore"):
        stop = np.flatnonzero((smoothed[1:] > diverge_factor * best[:-1]) | ~np.isfinite(smoothed[1:]))
    stopped_at = int(stop[0]) + 1 if len(stop) else None
    n = num_steps if stopped_at is None else stopped_at + 1
    lrs, losses, smoothed = lrs[:n], losses[:n], smoothed[:n]
    skip = num_steps // 10 if skip_start is None else skip_start
    suggestions = suggest(lrs, smoothed, skip, skip_end)
    return RangeTestResult(lrs, losses, smoothed, suggestions, stopped_at, (skip, skip_end))


# -- does a suggestion train? ---------------------------------------------------------------------------

# A suggestion where the test's smoothed loss had made less than a tenth of its total fall (from its
# first point to its lowest) sits on the flat start of the curve: the loss there is the starting loss
# to the eye, so no reading of the curve can tell that lr apart from a smaller one.
FLAT = 0.1


@dataclass(frozen=True)
class SuggestionCheck:
    """One suggestion held against training at it (:func:`check_trained`) or a sweep
    (:func:`check_sweep`).

    name: the suggestion (a key of ``RangeTestResult.suggestions``); lr: the lr checked (as trained,
    e.g. rounded); too_small: True if the run at it is ``too_slow`` (or the sweep calls it "too
    small"), None if a sweep did not reach it; outcome: the verdict name (:data:`lrlab.verdict.NAMES`)
    or the sweep's band; kept: final / initial training loss at that lr (NaN if it diverged or is
    unknown); fall: the fraction of the range test's total fall its smoothed loss had made by that
    lr; sentence: the one sentence the page shows, made of those numbers.
    """

    name: str
    lr: float
    too_small: bool | None
    outcome: str | None
    kept: float
    fall: float
    sentence: str


def fall_at(result: RangeTestResult, lr: float) -> float:
    """How much of its total fall the test's smoothed loss had made by ``lr``:
    ``(s_0 - s(lr)) / (s_0 - min s)``, with ``s(lr)`` interpolated in log lr (0 at the start, 1 at
    the lowest point; NaN if the curve never fell)."""
    s0, lo = float(result.smoothed[0]), float(np.min(result.smoothed))
    if not s0 > lo:
        return float("nan")
    return (s0 - result.marker_value(lr)) / (s0 - lo)


def _why(result: RangeTestResult, name: str, lr: float, steps: int) -> str:
    """The reason a suggestion ``lr`` is too small, read off the range-test curve itself."""
    fall = fall_at(result, lr)
    if not fall < FLAT:
        return (
            f"the range test shows the loss falling there ({100 * fall:.0f}% of its fall done, the lr "
            f"growing every step), not how far {steps} steps at it get"
        )
    flat = (
        f"it sits on the flat start of the range-test curve, where the loss had made only "
        f"{100 * fall:.2g}% of its fall"
    )
    if name != "valley":
        return flat
    lrs, losses = read_window(result.lrs, result.smoothed, *result.skip)
    b, e, _ = valley_span(losses)
    first = max(b, 0)
    every = e - first == int(np.sum(np.diff(losses[first : e + 1]) < 0))  # the descent is contiguous
    fell = "at every step" if every else "along its longest descent"
    hair = ", by a hair while the lr was tiny," if every else ""
    return (
        f"{flat}; the smoothed loss fell {fell} from lr = {lrs[first]:.2g} to {lrs[e]:.2g}{hair} and "
        "the valley is half way along that descent in log lr"
    )


def _check(result, name, lr, small, outcome, kept, steps, evidence) -> SuggestionCheck:
    if small:
        sentence = f"lr = {lr:.2g} is too small here ({evidence}): {_why(result, name, lr, steps)}."
    else:
        sentence = f"lr = {lr:.2g}: {evidence}."
    return SuggestionCheck(name, lr, small, outcome, kept, fall_at(result, lr), sentence)


def check_trained(result: RangeTestResult, trained, lrs=None) -> dict[str, SuggestionCheck]:
    """Each suggestion of ``result`` against a training run at it.

    ``trained``: a :class:`~lrlab.training.TrainResult` with one run per suggestion, in the order of
    ``result.suggestions`` (the runs a click on each suggestion would train: same model, data,
    optimizer, schedule and steps); ``lrs``: the lrs those runs used (default: the suggestions).
    A suggestion is too small when its run's verdict (:func:`lrlab.verdict.judge`) is ``too_slow``.
    """
    names = list(result.suggestions)
    lrs = list(result.suggestions.values()) if lrs is None else [float(v) for v in np.ravel(lrs)]
    v = verdict.judge(trained)
    if not len(v) == len(names) == len(lrs):
        raise ValueError(
            f"need one run and one lr per suggestion ({len(names)}), got {len(v)} and {len(lrs)}"
        )
    steps = int(np.shape(trained.train_loss)[-1]) - 1
    out = {}
    for k, (name, lr) in enumerate(zip(names, lrs, strict=True)):
        small, kept = v.name[k] == "too_slow", float(v.ratio[k])
        if small:
            evidence = f"{steps} steps at it keep {100 * kept:.0f}% of the loss"
        else:
            left = f", with {100 * kept:.2g}% of the loss left" if np.isfinite(kept) else ""
            evidence = f"{steps} steps at it end “{v.label[k]}”{left}"
        out[name] = _check(result, name, lr, small, v.name[k], kept, steps, evidence)
    return out


def check_sweep(result: RangeTestResult, swept) -> dict[str, SuggestionCheck]:
    """Each suggestion of ``result`` against a :class:`~lrlab.sweep.SweepResult` on the same
    model and data: its band is the band of the grid cell holding it (``swept.band_at``), and
    ``kept`` is the final / initial training loss of that cell's lr. A suggestion outside the swept
    range gets ``too_small = None``: the sweep did not try it."""
    steps = int(np.shape(swept.curves)[-1]) - 1
    out = {}
    for name, lr in result.suggestions.items():
        band = swept.band_at(lr)
        if band is None:
            out[name] = _check(result, name, lr, None, None, float("nan"), steps, "outside the swept lrs")
            continue
        i = int(np.argmin(np.abs(np.log(swept.lrs) - np.log(lr))))
        kept = float(swept.final_loss[i] / swept.initial_loss)
        evidence = (
            f"it falls in the sweep's “{band}” band, where the swept lr {swept.lrs[i]:.3g} keeps "
            f"{100 * kept:.2g}% of the loss after {steps} steps"
        )
        out[name] = _check(result, name, lr, band == "too small", band, kept, steps, evidence)
    return out
