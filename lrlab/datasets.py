"""Toy datasets generated from a seed: five 2-D binary classification sets and a 1-D regression.

Every generator draws the clean points, adds Gaussian noise of standard deviation ``noise`` to the
inputs (to the targets for the regression), shuffles, and splits off ``round(val_fraction * n)``
validation samples. Labels are 0.0 / 1.0 floats; inputs are roughly centred in [-2, 2]^2.

* ``moons``: two interleaved half circles (scikit-learn's ``make_moons``, centred).
* ``circles``: a circle of radius 0.5 inside one of radius 1 (``make_circles``, factor 0.5).
* ``spirals``: two interleaved arms r = t, angle = t (+ pi for class 1), t in [0.25, 1] * 3 pi / 2.
* ``xor``: uniform on [-1, 1]^2, class 1 where x * y > 0.
* ``blobs``: two Gaussian blobs of unit spread, centred at (-1, -1) and (1, 1) (scaled by 0.5).
* ``sin``: regression, x ~ U(-pi, pi), y = sin(x) + noise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and validation splits: X (N, d) float64, y (N,) float64 (0/1 for classification)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    task: str  # "classification" | "regression"
    name: str

    @property
    def dim(self) -> int:
        return self.X_train.shape[1]


def _two_classes(n):
    """Class labels: n // 2 zeros then the rest ones."""
    return np.repeat([0.0, 1.0], [n // 2, n - n // 2])


def _moons(n, rng):
    y = _two_classes(n)
    t = rng.uniform(0.0, np.pi, n)
    outer = np.stack([np.cos(t), np.sin(t)], 1)
    inner = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], 1)
    return np.where(y[:, None] == 0, outer, inner) - [0.5, 0.25], y


def _circles(n, rng):
    y = _two_classes(n)
    t = rng.uniform(0.0, 2 * np.pi, n)
    r = np.where(y == 0, 1.0, 0.5)
    return r[:, None] * np.stack([np.cos(t), np.sin(t)], 1), y


def _spirals(n, rng):
    y = _two_classes(n)
    t = rng.uniform(0.25, 1.0, n) * 1.5 * np.pi
    angle = t + np.pi * y
    return (t / np.pi)[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1), y


def _xor(n, rng):
    X = rng.uniform(-1.0, 1.0, (n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.float64)


def _blobs(n, rng):
    y = _two_classes(n)
    centre = np.where(y[:, None] == 0, -1.0, 1.0)
    return centre + 0.5 * rng.normal(size=(n, 2)), y


def _sin(n, rng):
    x = rng.uniform(-np.pi, np.pi, (n, 1))
    return x, np.sin(x[:, 0])


_GENERATORS = {
    "moons": _moons,
    "circles": _circles,
    "spirals": _spirals,
    "xor": _xor,
    "blobs": _blobs,
    "sin": _sin,
}
REGRESSION = ("sin",)


def _is_real(v) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def names() -> list[str]:
    """The dataset names ``make`` accepts."""
    return list(_GENERATORS)


def make(name: str, n: int = 256, noise: float = 0.1, seed: int = 0, val_fraction: float = 0.25) -> Dataset:
    """``n`` samples of dataset ``name`` with input (or, for regression, target) noise ``noise``."""
    if name not in _GENERATORS:
        raise ValueError(f"unknown dataset {name!r}; accepted: {', '.join(names())}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 4 <= n <= 1_000_000:
        raise ValueError(f"n must be an integer in [4, 1000000], got {n!r}")
    if not _is_real(noise) or not 0 <= noise <= 10:
        raise ValueError(f"noise must be a number in [0, 10], got {noise!r}")
    if not _is_real(val_fraction) or not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be a number in [0, 1), got {val_fraction!r}")
    rng = np.random.default_rng(seed)
    X, y = _GENERATORS[name](int(n), rng)
    task = "regression" if name in REGRESSION else "classification"
    if task == "regression":
        y = y + noise * rng.normal(size=y.shape)
    else:
        X = X + noise * rng.normal(size=X.shape)
    order = rng.permutation(n)
    X, y = X[order], y[order]
    n_val = int(round(val_fraction * n))
    cut = n - n_val
    return Dataset(X[:cut], y[:cut], X[cut:], y[cut:], task, name)


def shifted(data: Dataset, rotate: float = 0.0, translate=(0.0, 0.0), flip_labels: bool = False) -> Dataset:
    """``data`` with 2-D inputs rotated by ``rotate`` degrees about the origin, then translated, and
    (optionally) labels swapped 0 <-> 1: a shifted task for fine-tuning (:mod:`lrlab.finetune`)."""
    if data.dim != 2:
        raise ValueError(f"shifted needs 2-D inputs, got dimension {data.dim}")
    th = np.deg2rad(float(rotate))
    rot = np.array([[np.cos(th), np.sin(th)], [-np.sin(th), np.cos(th)]])  # x -> x @ rot = R x
    shift = np.asarray(translate, dtype=np.float64)
    if shift.shape != (2,) or not np.all(np.isfinite(shift)):
        raise ValueError(f"translate must be two finite numbers, got {translate!r}")

    def move(X, y):
        return X @ rot + shift, (1.0 - y if flip_labels else y)

    (Xt, yt), (Xv, yv) = move(data.X_train, data.y_train), move(data.X_val, data.y_val)
    flip = ", flipped" if flip_labels else ""
    tag = f"{data.name} (rotated {rotate:g}°, shifted {tuple(shift.tolist())}{flip})"
    return replace(data, X_train=Xt, y_train=yt, X_val=Xv, y_val=yv, name=tag)


def grid(
    data: Dataset, resolution: int = 100, pad: float = 0.5, *, square: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs (R,), ys (R,), points (R*R, 2)) covering the data plus ``pad``: for decision boundaries,
    ``model.predict(params, points).reshape(..., R, R)`` is a contour over (xs, ys). ``square``: both
    axes span the same length (the shorter one widened about its centre), so a picture of it with x
    and y at the same scale is square."""
    if data.dim != 2:
        raise ValueError(f"grid needs 2-D inputs, got dimension {data.dim}")
    X = np.concatenate([data.X_train, data.X_val])
    lo, hi = X.min(0) - pad, X.max(0) + pad
    if square:
        half = (hi - lo).max() / 2
        lo, hi = (lo + hi) / 2 - half, (lo + hi) / 2 + half
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    return xs, ys, np.stack([xx.ravel(), yy.ravel()], 1)
