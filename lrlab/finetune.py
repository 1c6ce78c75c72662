"""Fine-tuning and catastrophic forgetting: how the lr decides what a pretrained network keeps.

1. Pretrain a network on the original task (default: two moons) until it solves it.
2. Fine-tune copies of it on a shifted task (default: the same moons translated by (1, 1)) with
   K learning rates, in one batched pass from the same pretrained weights.
3. At every recorded step, score each copy on the ORIGINAL task's validation set.

Fine-tuning only ever sees the new data, so nothing holds the old decision boundary in place except
how far the weights move: ``|w_T - w_0| <= sum_t lr_t |g_t|``. A small lr adapts gently and keeps the
original task (at the price of learning the new one slowly); a large lr rewrites the boundary for the
new data and the original accuracy drops ("catastrophic forgetting", McCloskey & Cohen 1989).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab import datasets, training
from lrlab.mlp import MLP

PRESET = {
    "dataset": "moons",
    "n": 256,
    "noise": 0.1,
    "shift": {"translate": (1.0, 1.0)},
    "pretrain_optimizer": "adam",
    "pretrain_lr": 0.01,
    "pretrain_steps": 300,
    "optimizer": "sgd",
    "lrs": (0.01, 1.0),
    "steps": 100,
}


@dataclass(frozen=True, eq=False)
class FinetuneResult:
    """lrs (K,); steps (S,): the recorded fine-tuning steps; original_loss, original_acc (K, S): the
    original task's validation loss/accuracy there (acc None for regression); new_loss, new_acc
    (K, T+1): the shifted task's validation loss/accuracy at every step; pretrain, finetune: the two
    :class:`~lrlab.training.TrainResult`; original, shifted: the two datasets."""

    lrs: np.ndarray
    steps: np.ndarray
    original_loss: np.ndarray
    original_acc: np.ndarray | None
    new_loss: np.ndarray
    new_acc: np.ndarray | None
    pretrain: training.TrainResult
    finetune: training.TrainResult
    original: datasets.Dataset
    shifted: datasets.Dataset


def run(
    model: MLP | None = None,
    data: datasets.Dataset | None = None,
    shift: dict | None = None,
    lrs=PRESET["lrs"],
    steps: int = PRESET["steps"],
    optimizer=PRESET["optimizer"],
    pretrain_optimizer=PRESET["pretrain_optimizer"],
    pretrain_lr=PRESET["pretrain_lr"],
    pretrain_steps: int = PRESET["pretrain_steps"],
    batch_size: int | None = None,
    seed: int = 0,
    record_every: int = 1,
) -> FinetuneResult:
    """Pretrain ``model`` (default ``MLP()``) on ``data`` (default: the preset moons), then fine-tune
    it with each lr of ``lrs`` on ``datasets.shifted(data, **shift)`` (default shift: translate by
    (1, 1)); ``seed`` draws the initial weights and the mini-batch order of both phases."""
    model = MLP() if model is None else model
    if data is None:
        data = datasets.make(PRESET["dataset"], n=PRESET["n"], noise=PRESET["noise"], seed=seed)
    shifted = datasets.shifted(data, **(PRESET["shift"] if shift is None else shift))
    lrs = np.asarray(lrs, dtype=np.float64).reshape(-1)
    pre = training.train(
        model, data, pretrain_optimizer, pretrain_lr, pretrain_steps, batch_size=batch_size, seed=seed
    )
    if pre.diverged_at is not None:
        raise ValueError(f"pretraining diverged at step {pre.diverged_at}: lower pretrain_lr={pretrain_lr!r}")
    ft = training.train(
        model,
        shifted,
        optimizer,
        lrs,
        steps,
        batch_size=batch_size,
        seed=seed,
        record_every=record_every,
        init=pre.final_params,
    )
    k, s, p = ft.snapshots.shape
    flat = ft.snapshots.reshape(k * s, p)
    with np.errstate(all="ignore"):  # diverged runs: NaN weights give NaN scores, masked below
        loss, acc = model.evaluate(np.nan_to_num(flat), data.X_val, data.y_val)
    gone = ~np.all(np.isfinite(flat), axis=1)
    loss, acc = np.where(gone, np.nan, loss).reshape(k, s), np.where(gone, np.nan, acc).reshape(k, s)
    classify = ft.val_acc is not None
    return FinetuneResult(
        lrs=lrs,
        steps=ft.snapshot_steps,
        original_loss=loss,
        original_acc=acc if classify else None,
        new_loss=ft.val_loss,
        new_acc=ft.val_acc,
        pretrain=pre,
        finetune=ft,
        original=data,
        shifted=shifted,
    )
