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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import training


def smooth_losses(losses, smooth: float = 0.05) -> np.ndarray:
    """Bias-corrected exponential moving average of ``losses`` (see the module docstring)."""
    if not 0 < smooth <= 1:
        raise ValueError(f"smooth must be in (0, 1], got {smooth!r}")
    out, avg, beta = np.empty(len(losses)), 0.0, 1.0 - smooth
    for t, v in enumerate(np.asarray(losses, dtype=np.float64)):
        avg = beta * avg + smooth * v
        out[t] = avg / (1.0 - beta ** (t + 1))
    return out


def valley_index(losses) -> int:
    """fastai's "valley": the point about halfway down the longest valley.

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
    return max(0, start + int(sections) + int(sections / 2))


def suggest(lrs, losses, skip_start: int = 0, skip_end: int = 0) -> dict[str, float]:
    """Suggested learning rates from a (smoothed) range-test curve ``losses`` over ``lrs``.

    Only ``[skip_start, len - skip_end)`` is read (fastai skips the first 10% and the last 5 points):

    * ``steepest``: the lr where the loss falls fastest, ``argmin d loss / d log(lr)`` (central
      differences, ``numpy.gradient``), pytorch-lr-finder's suggestion;
    * ``minimum_10``: the lr of the lowest loss divided by 10 (fastai's ``minimum``);
    * ``valley``: fastai's default, see :func:`valley_index`.
    """
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
    test ran all ``num_steps``."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestions: dict
    stopped_at: int | None

    def marker(self, name: str) -> tuple[float, float]:
        """(lr, smoothed loss there) of a suggestion, for plotting (log-lr interpolation)."""
        lr = self.suggestions[name]
        return lr, float(np.interp(np.log(lr), np.log(self.lrs), self.smoothed))


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
    return RangeTestResult(lrs, losses, smoothed, suggest(lrs, smoothed, skip, skip_end), stopped_at)
