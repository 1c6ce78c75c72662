"""Training an :class:`~lrlab.mlp.MLP` with any optimizer and schedule, K learning rates at once.

K runs (K learning rates, or K schedules) start from the SAME initial weights and see the SAME
sequence of mini-batches; their parameters are one ``(K, P)`` array and every step is one batched
forward/backward pass, so ``train(..., lr=[a, b])`` equals ``train(..., lr=a)`` and ``train(..., lr=b)``
run separately.

Step ``t = 0 .. T-1`` (``T = steps``) draws batch ``B_t``, computes ``g_t = grad L_{B_t}(w_t)`` and
applies the optimizer with ``lr_t``: ``w_{t+1} = step(w_t, g_t, lr_t)``. Mini-batches: each epoch is
a fresh permutation of the training set from ``numpy.random.default_rng(seed)`` cut into consecutive
batches of ``batch_size`` (the last one may be smaller, as PyTorch's ``DataLoader``);
``batch_size=None`` is full batch. A plateau schedule is stepped with the full training loss at
``w_{t+1}`` after each update (PyTorch's ``ReduceLROnPlateau``).

Divergence: a run is stopped at the first ``t`` where its training loss at ``w_t`` or its gradient is
not finite, or the loss exceeds ``blowup`` (1e6) times its initial value; its entries from ``t`` on
are NaN and ``diverged_at`` holds ``t``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from lrlab import optimizers as _optimizers
from lrlab.descent import PlateauDriver, lr_table

MAX_STEPS = 100_000
BLOWUP = 1e6


@dataclass(frozen=True, eq=False)
class TrainResult:
    """What :func:`train` returns. Shapes for K runs; a single run (one lr) drops the K axis.

    train_loss, val_loss (K, T+1): full-set losses at w_0 .. w_T. train_acc, val_acc (K, T+1) or
    None (regression). batch_loss, grad_norm (K, T): the mini-batch loss and gradient norm that step t
    used. lr (K, T): the lr of step t. snapshots (K, S, P): weights at ``snapshot_steps`` (S,)
    (every ``record_every`` steps, plus the last). final_params (K, P). NaN after a run diverged.
    """

    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray | None
    val_acc: np.ndarray | None
    batch_loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    snapshot_steps: np.ndarray
    snapshots: np.ndarray
    final_params: np.ndarray
    diverged_at: int | None | tuple[int | None, ...]
    model: object
    optimizer: str

    @property
    def batched(self) -> bool:
        return self.train_loss.ndim == 2

    @property
    def steps(self) -> np.ndarray:
        """The step index of each loss entry: 0 .. T."""
        return np.arange(self.train_loss.shape[-1])

    def run(self, k: int) -> TrainResult:
        """Run ``k`` of a batch, as the single-run result it would have been."""
        if not self.batched:
            if k != 0:
                raise IndexError(k)
            return self
        keep = ("snapshot_steps", "model", "optimizer")
        return TrainResult(
            **{
                f.name: v if f.name in keep or v is None else v[k]
                for f in fields(self)
                for v in [getattr(self, f.name)]
            }
        )


def _check_int(name, value, lo, hi) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    return int(value)


def batch_indices(n: int, batch_size: int | None, steps: int, seed: int = 0) -> list[np.ndarray] | None:
    """The index array of each step's mini-batch (None for full batch): epochs of seeded permutations."""
    if batch_size is None or batch_size >= n:
        return None
    rng = np.random.default_rng(seed)
    out: list[np.ndarray] = []
    while len(out) < steps:
        perm = rng.permutation(n)
        out += [perm[i : i + batch_size] for i in range(0, n, batch_size)]
    return out[:steps]


def train(
    model,
    data,
    optimizer,
    lr,
    steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    record_every: int | None = None,
    init=None,
    blowup: float = BLOWUP,
) -> TrainResult:
    """Train ``model`` on ``data`` (a :class:`~lrlab.datasets.Dataset`) for ``steps`` updates.

    ``optimizer``: an ``optimizers.make(...)`` object or a name. ``lr``: a float, an array of K floats,
    a schedule, a list of K schedules, or a plateau schedule (or K of them). ``seed`` draws the initial
    weights (``model.init(seed)``) and the mini-batch order; ``init`` (P,) or (K, P) replaces the
    initial weights (fine-tuning). ``record_every``: snapshot period (default ~50 snapshots).
    """
    opt = _optimizers.make(optimizer) if isinstance(optimizer, str) else optimizer
    steps = _check_int("steps", steps, 1, MAX_STEPS)
    if model.loss == "logistic" and data.task != "classification":
        raise ValueError(f"the logistic loss needs 0/1 labels, got the {data.task} dataset {data.name!r}")
    n = len(data.y_train)
    if batch_size is not None:
        batch_size = _check_int("batch_size", batch_size, 1, n)
    every = (
        max(1, steps // 50) if record_every is None else _check_int("record_every", record_every, 1, steps)
    )
    table, plateau, batched = lr_table(lr, steps)
    p0 = model.init(seed) if init is None else np.asarray(init, dtype=np.float64)
    if p0.shape[-1:] != (model.n_params,) or p0.ndim > 2:
        raise ValueError(f"init must have shape (P,) or (K, P) with P = {model.n_params}, got {p0.shape}")
    batched = batched or p0.ndim == 2
    k = max(len(table) if table.ndim == 2 else 1, len(p0) if p0.ndim == 2 else 1)
    try:
        table = np.broadcast_to(table, (k, steps)).copy()
        p0 = np.broadcast_to(p0, (k, model.n_params)).copy()
    except ValueError:
        raise ValueError(f"{len(table)} learning rates cannot pair with {len(p0)} initial weights") from None
    driver = PlateauDriver(plateau, k) if plateau is not None else None

    batches = batch_indices(n, batch_size, steps, seed)
    classify = data.task == "classification"
    shots = np.unique(np.r_[np.arange(0, steps + 1, every), steps])
    rec = {key: np.full((k, steps + 1), np.nan) for key in ("train_loss", "val_loss", "train_acc", "val_acc")}
    batch_loss, grad_norm = np.full((k, steps), np.nan), np.full((k, steps), np.nan)
    snapshots = np.full((k, len(shots), model.n_params), np.nan)
    stopped = np.full(k, steps + 1)
    p, state = p0.copy(), opt.init(p0)
    X, y = data.X_train, data.y_train

    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            if batches is None:
                full_loss, g, acc = model.loss_and_grad(p, X, y, accuracy=True)
                loss_b = full_loss
            else:
                full_loss, acc = model.evaluate(p, X, y)
                if t < steps:
                    loss_b, g = model.loss_and_grad(p, X[batches[t]], y[batches[t]])
            rec["train_loss"][:, t], rec["train_acc"][:, t] = full_loss, acc
            if len(data.y_val):
                rec["val_loss"][:, t], rec["val_acc"][:, t] = model.evaluate(p, data.X_val, data.y_val)
            if t in shots:
                snapshots[:, np.searchsorted(shots, t)] = p
            if t > 0 and driver is not None:
                table[:, t:] = driver.update(full_loss)[:, None]
            bad = ~np.isfinite(full_loss) | (full_loss > blowup * np.maximum(rec["train_loss"][:, 0], 1e-8))
            if t < steps:
                bad |= ~np.isfinite(loss_b) | ~np.all(np.isfinite(g), axis=1)
            stopped = np.where(bad & (stopped > t), t, stopped)
            alive = stopped > t
            if t == steps or not alive.any():
                break
            batch_loss[:, t], grad_norm[:, t] = loss_b, np.linalg.norm(g, axis=1)
            p, state = opt.step(p, np.where(alive[:, None], g, 0.0), state, table[:, t])
            p = np.where(alive[:, None], p, p0)  # a stopped run idles at finite weights, masked below

    idx = np.arange(steps + 1)
    for arr in rec.values():
        arr[idx[None, :] >= stopped[:, None]] = np.nan
    batch_loss[idx[None, :-1] >= stopped[:, None]] = np.nan
    grad_norm[idx[None, :-1] >= stopped[:, None]] = np.nan
    snapshots[shots[None, :] >= stopped[:, None]] = np.nan
    final = np.where((stopped > steps)[:, None], p, np.nan)
    result = TrainResult(
        train_loss=rec["train_loss"],
        val_loss=rec["val_loss"],
        train_acc=rec["train_acc"] if classify else None,
        val_acc=rec["val_acc"] if classify else None,
        batch_loss=batch_loss,
        grad_norm=grad_norm,
        lr=table,
        snapshot_steps=shots,
        snapshots=snapshots,
        final_params=final,
        diverged_at=tuple(int(s) if s <= steps else None for s in stopped),
        model=model,
        optimizer=opt.name,
    )
    return result if batched else result.run(0)
