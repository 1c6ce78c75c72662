"""The verdict on each training run of an MLP: what its badge says, and why, in the page's numbers.

:func:`judge` reads the K runs of a :class:`~lrlab.training.TrainResult` and gives each one verdict
from :data:`NAMES`, checked in this order (the first that applies wins)::

    diverged      the run was stopped (its loss left every bound, see lrlab.training)
    loss_rose     final training loss  L_T > L_0                       (ROSE = 1)
    too_slow      L_T > SLOW * L_0                                       (SLOW = 0.25)
    jumpy         over the last fifth of the steps the training loss climbed back up from a low
                  to JUMPY times that low or more                      (JUMPY = 3)
    overfitting   the validation loss was lowest before the last fifth of the steps and ended
                  OVERFIT times that low or more, while the training loss kept falling past
                  where it was then                                     (OVERFIT = 2)
    trained       none of the above

Every test is a ratio of two losses of the same run (scale-free: multiply the loss by any constant
and no verdict changes), never an absolute loss and never the plot's axes. The loss curves are drawn
on a log axis, where each ratio is a vertical distance the student can see.

With each verdict comes one sentence built only from numbers the page shows: the training and
validation losses (at the start, the end, or the step named), the accuracies and the step count.
The verdicts of the NN lab are their own: the surface explorer's regimes (:mod:`lrlab.regimes`)
describe a point on a 2-D map and its minima, which a network's loss does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import training

NAMES = ("trained", "too_slow", "jumpy", "overfitting", "loss_rose", "diverged")

LABELS = {  # the badge's short text
    "trained": "trained",
    "too_slow": "too slow",
    "jumpy": "jumpy",
    "overfitting": "overfitting",
    "loss_rose": "loss went up",
    "diverged": "diverged",
}

SUMMARY = {
    "trained": "Trained: most of the loss is gone and the training loss has settled.",
    "too_slow": "Too slow: after all the steps over a quarter of the starting loss is still there.",
    "jumpy": "Jumpy: the loss keeps climbing back up instead of settling.",
    "overfitting": "Overfitting: the training loss still falls, the validation loss has turned up.",
    "loss_rose": "Loss went up: the run ended with a higher loss than it started with.",
    "diverged": "Diverged: the loss grew without bound and the run was stopped.",
}

# A run that ends above its starting loss has undone whatever it learned. The start is the one
# reference every run of a comparison shares, so no tolerance is added.
ROSE = 1.0
# "Most of the loss gone" means three quarters: at a quarter of the logistic loss's start ln 2 the
# mean cross-entropy is 0.17, i.e. a geometric-mean probability of e^-0.17 = 84% on the right class.
SLOW = 0.25
# A rebound to 3x a low already reached is half a decade on the log loss axis: the run is not
# settling. Smaller wobbles are what full-batch GD does at the edge of stability while its loss
# still falls (Cohen et al. 2021), and are no failure: up to 2.5x in the divergence preset's
# lr = 0.5 runs (squared error, 8 seeds).
JUMPY = 3.0
# The fraction of the run, at its end, read for the rebound: long enough to hold more than two
# epochs of the mini-batch presets (60 of 300 steps, 24 steps an epoch), short enough that the
# early fast descent is not counted.
TAIL = 0.2
# A validation loss that doubled since its best (0.3 decade on the log axis), its best reached before
# the tail (TAIL) so the rise lasted at least a fifth of the run: a trend, not noise. The validation
# loss of a good run, on 64 points with mini-batches of 8, wanders up to 1.95x above a low touched
# in the last fifth and up to 1.5x above an earlier one (the decay-schedule presets, 8 seeds): the
# two conditions keep that out.
OVERFIT = 2.0


@dataclass(frozen=True, eq=False)
class Verdicts:
    """What :func:`judge` returns, one entry per run (K,).

    name: from :data:`NAMES`; label: the badge text (``LABELS``, with the step for ``diverged``);
    sentence: why, in the page's numbers. The numbers the rules read (NaN where they do not apply):
    ratio = L_T / L_0; rebound, rebound_from, rebound_to: the largest ``L_t / min(L_s, s <= t)`` in
    the tail and its two steps; val_best_step, val_rise = V_T / V_best.
    """

    name: tuple[str, ...]
    label: tuple[str, ...]
    sentence: tuple[str, ...]
    ratio: np.ndarray
    rebound: np.ndarray
    rebound_from: np.ndarray
    rebound_to: np.ndarray
    val_best_step: np.ndarray
    val_rise: np.ndarray

    def __len__(self) -> int:
        return len(self.name)


def _rows(a) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a[None] if a.ndim == 1 else a


def _rebound(loss: np.ndarray, first: int):
    """Largest climb ``L_t / min(L_s, first <= s <= t)`` over ``t >= first``, per row, with the step of
    that low and of that high. Rows (K, T+1), all finite."""
    tail = loss[:, first:]
    low = np.minimum.accumulate(tail, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):  # a low of exactly 0: any climb is inf
        climb = np.where(tail == low, 1.0, tail / low)
    to = np.argmax(climb, axis=1)
    rows = np.arange(len(loss))
    # the low is the last step before `to` that held the running minimum
    held = (tail == low) & (np.arange(tail.shape[1])[None, :] <= to[:, None])
    frm = tail.shape[1] - 1 - np.argmax(held[:, ::-1], axis=1)
    return climb[rows, to], first + frm, first + to


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def judge(result) -> Verdicts:
    """The verdict on each run of ``result`` (a :class:`~lrlab.training.TrainResult`, K runs or one).

    Vectorized over the K runs: every rule is one array expression over the (K, T+1) losses.
    """
    train, val = _rows(result.train_loss), _rows(result.val_loss)
    k, t1 = train.shape
    steps = t1 - 1
    div = result.diverged_at if isinstance(result.diverged_at, tuple) else (result.diverged_at,)
    stopped = np.array([d is not None for d in div])
    ok = ~stopped
    l0, end = train[:, 0], train[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(ok, end / l0, np.nan)
    rose = ok & (ratio > ROSE)
    slow = ok & ~rose & (ratio > SLOW)

    first = steps - max(2, int(round(TAIL * steps)))
    rebound = np.full(k, np.nan)
    r_from, r_to = np.full(k, -1), np.full(k, -1)
    if ok.any():
        rebound[ok], r_from[ok], r_to[ok] = _rebound(train[ok], max(first, 0))
    jumpy = ok & ~rose & ~slow & (rebound >= JUMPY)

    has_val = ok & np.all(np.isfinite(val), axis=1)
    best = np.full(k, -1)
    rise = np.full(k, np.nan)
    if has_val.any():
        best[has_val] = np.argmin(val[has_val], axis=1)
        vb = val[has_val, best[has_val]]
        with np.errstate(invalid="ignore", divide="ignore"):
            rise[has_val] = np.where(val[has_val, -1] == vb, 1.0, val[has_val, -1] / vb)
    train_at_best = np.where(best >= 0, train[np.arange(k), np.maximum(best, 0)], np.nan)
    turned = (best >= 0) & (best < first)
    over = has_val & ~rose & ~slow & ~jumpy & turned & (rise >= OVERFIT) & (end < train_at_best)

    name = np.select(
        [stopped, rose, slow, jumpy, over],
        ["diverged", "loss_rose", "too_slow", "jumpy", "overfitting"],
        "trained",
    )
    labels, sentences = [], []
    acc_tr = None if result.train_acc is None else _rows(result.train_acc)[:, -1]
    acc_va = None if result.val_acc is None else _rows(result.val_acc)[:, -1]
    for i in range(k):
        n = str(name[i])
        if n == "diverged":
            labels.append(f"diverged at step {div[i]}")
            sentences.append(
                f"stopped at step {div[i]}: the training loss blew up (past {training.BLOWUP:g}× its "
                f"start, {_fmt(l0[i])}, or beyond floating point)."
            )
            continue
        labels.append(LABELS[n])
        acc = (
            ""
            if acc_tr is None
            else f" · accuracy {100 * acc_tr[i]:.0f}% train, {100 * acc_va[i]:.0f}% validation"
        )
        shown_val = f", validation {_fmt(val[i, -1])}" if np.isfinite(val[i, -1]) else ""
        line = f"training loss {_fmt(l0[i])} → {_fmt(end[i])}{shown_val}{acc}."
        if n == "loss_rose":
            why = f"the training loss ended {_fmt(ratio[i])}× higher than it started: "
        elif n == "too_slow":
            why = f"after {steps} steps {100 * ratio[i]:.0f}% of the starting loss is still there: "
        elif n == "jumpy":
            why = (
                f"the training loss climbed back from {_fmt(train[i, r_from[i]])} at step {r_from[i]} to "
                f"{_fmt(train[i, r_to[i]])} at step {r_to[i]} ({_fmt(rebound[i])}×): "
            )
        elif n == "overfitting":
            why = (
                f"the validation loss was lowest ({_fmt(val[i, best[i]])}) at step {best[i]} and ended "
                f"{_fmt(rise[i])}× higher, while the training loss kept falling: "
            )
        else:
            why = f"the training loss fell to {100 * ratio[i]:.2g}% of its start in {steps} steps: "
        sentences.append(why + line)
    return Verdicts(
        name=tuple(str(v) for v in name),
        label=tuple(labels),
        sentence=tuple(sentences),
        ratio=ratio,
        rebound=rebound,
        rebound_from=np.where(np.isfinite(rebound), r_from, -1),
        rebound_to=np.where(np.isfinite(rebound), r_to, -1),
        val_best_step=best,
        val_rise=rise,
    )
