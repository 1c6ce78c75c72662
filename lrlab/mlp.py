"""A small multilayer perceptron in NumPy with hand-written backprop and Hessian-vector products.

All of a network's weights live in ONE flat vector, so the optimizers of :mod:`lrlab.optimizers`
apply unchanged, and K networks (say, one per learning rate) are a ``(K, P)`` array: every function
here takes ``params`` of shape ``(K, P)`` (or ``(P,)`` for one network) and works on all K at once
with batched matrix products, never a Python loop over runs.

Forward pass, for layers ``l = 1..L`` with ``h_0 = X`` (N, d)::

    a_l = h_{l-1} W_l + b_l        W_l: (n_{l-1}, n_l), b_l: (n_l,)
    h_l = act(a_l)  for l < L      act = tanh or relu
    z   = a_L                      the output (logit or prediction), n_L = 1

Losses, averaged over the N samples (as PyTorch's ``BCEWithLogitsLoss`` and ``MSELoss``)::

    logistic: l(z, y) = log(1 + e^z) - y z     (y in {0, 1}; computed as logaddexp(0, z) - y z)
    mse:      l(z, y) = (z - y)^2

Backprop with ``d_L = dl/dz / N`` (logistic: ``sigmoid(z) - y``; mse: ``2 (z - y)``)::

    dL/dW_l = h_{l-1}^T d_l,  dL/db_l = sum_n d_l,  d_{l-1} = (d_l W_l^T) * act'(a_{l-1})

Hessian-vector products are exact, by Pearlmutter's R-operator (1994): ``R{f} = d/dr f(w + r v)`` at
``r = 0`` pushed through the forward and backward passes above (see :meth:`MLP.hvp`).

Initialisation is PyTorch's default for ``nn.Linear``: every weight and bias ~ U(-1/sqrt(fan_in),
1/sqrt(fan_in)), drawn from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ACTIVATIONS = ("tanh", "relu")
LOSSES = ("logistic", "mse")


def _act(name, a):
    """act(a) for the hidden layers."""
    return np.tanh(a) if name == "tanh" else np.maximum(a, 0.0)


def _dact(name, a, h):
    """act'(a) from the pre-activation ``a`` and ``h = act(a)``: 1 - h^2 (tanh), [a > 0] (relu)."""
    return 1.0 - h * h if name == "tanh" else (a > 0).astype(a.dtype)


def _ddact(name, h, d1):
    """act''(a) from ``h = act(a)`` and ``d1 = act'(a)``: -2 h (1 - h^2) (tanh), 0 (relu)."""
    return -2.0 * h * d1 if name == "tanh" else np.zeros_like(h)


def _loss_terms(name, z, y):
    """(mean loss (K,), dL/dz (K, N), d2L/dz2 (K, N)) of outputs ``z`` (K, N) against ``y`` (N,)."""
    n = z.shape[-1]
    if name == "logistic":
        s = 0.5 * (1.0 + np.tanh(0.5 * z))  # sigmoid, without overflow
        loss = np.logaddexp(0.0, z) - y * z
        return loss.mean(-1), (s - y) / n, s * (1.0 - s) / n
    r = z - y
    return (r * r).mean(-1), 2.0 * r / n, np.full_like(z, 2.0 / n)


@dataclass(frozen=True)
class MLP:
    """A fully connected network ``sizes[0] -> ... -> sizes[-1] = 1``.

    ``activation``: ``"tanh"`` or ``"relu"`` on hidden layers. ``loss``: ``"logistic"`` (binary
    classification from logits) or ``"mse"`` (regression, or classification on 0/1 targets).
    """

    sizes: tuple[int, ...] = (2, 16, 16, 1)
    activation: str = "tanh"
    loss: str = "logistic"

    def __post_init__(self):
        try:
            sizes = tuple(self.sizes)
        except TypeError:
            raise ValueError(f"sizes must be a sequence of integers, got {self.sizes!r}") from None
        if len(sizes) < 2 or any(isinstance(n, bool) or not isinstance(n, int | np.integer) for n in sizes):
            raise ValueError(f"sizes must be at least two integers (input, ..., output), got {self.sizes!r}")
        if any(n < 1 for n in sizes) or sizes[-1] != 1:
            raise ValueError(f"sizes must be >= 1 with one output unit (last size 1), got {self.sizes!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        object.__setattr__(self, "sizes", tuple(int(n) for n in sizes))

    @property
    def task(self) -> str:
        return "classification" if self.loss == "logistic" else "regression"

    @property
    def n_params(self) -> int:
        """P = sum over layers of (fan_in + 1) * fan_out."""
        return sum((i + 1) * o for i, o in zip(self.sizes[:-1], self.sizes[1:], strict=True))

    # -- parameters ---------------------------------------------------------------------------
    def init(self, seed: int = 0) -> np.ndarray:
        """Initial weights (P,): PyTorch's ``nn.Linear`` rule, U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        rng = np.random.default_rng(seed)
        parts = []
        for i, o in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            bound = 1.0 / np.sqrt(i)
            parts += [rng.uniform(-bound, bound, i * o), rng.uniform(-bound, bound, o)]
        return np.concatenate(parts)

    def unpack(self, params) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views ``[(W_l (K, n_{l-1}, n_l), b_l (K, n_l)), ...]`` into ``params`` (K, P)."""
        out, at = [], 0
        for i, o in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            w = params[:, at : at + i * o].reshape(-1, i, o)
            at += i * o
            out.append((w, params[:, at : at + o]))
            at += o
        return out

    def _batch(self, params) -> tuple[np.ndarray, bool]:
        p = np.asarray(params, dtype=np.float64)
        if p.shape[-1:] != (self.n_params,) or p.ndim not in (1, 2):
            raise ValueError(f"params must have shape (P,) or (K, P) with P = {self.n_params}, got {p.shape}")
        return (p[None], True) if p.ndim == 1 else (p, False)

    def _xy(self, X, y=None):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (N, {self.sizes[0]}), got {X.shape}")
        if y is None:
            return X
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        return X, y

    # -- forward --------------------------------------------------------------------------------
    def _forward(self, layers, X):
        """Pre-activations ``a_l`` (K, N, n_l) and activations ``h_l`` (h_0 = X broadcast)."""
        k = layers[0][0].shape[0]
        hs, acts = [np.broadcast_to(X, (k, *X.shape))], []
        for li, (w, b) in enumerate(layers):
            a = hs[-1] @ w + b[:, None, :]
            acts.append(a)
            if li < len(layers) - 1:
                hs.append(_act(self.activation, a))
        return acts, hs

    def logits(self, params, X) -> np.ndarray:
        """The network's output z (K, N) (or (N,) for params (P,)): a logit, or the regression value."""
        p, single = self._batch(params)
        acts, _ = self._forward(self.unpack(p), self._xy(X))
        z = acts[-1][..., 0]
        return z[0] if single else z

    def predict(self, params, X) -> np.ndarray:
        """P(y = 1 | x) = sigmoid(z) for the logistic loss, the output z itself for MSE."""
        z = self.logits(params, X)
        return 0.5 * (1.0 + np.tanh(0.5 * z)) if self.loss == "logistic" else z

    def _correct(self, z, y) -> np.ndarray:
        """Fraction of samples with (z > 0) == y (for MSE on 0/1 targets: z > 0.5)."""
        return ((z > (0.0 if self.loss == "logistic" else 0.5)) == (y > 0.5)).mean(-1)

    def accuracy(self, params, X, y) -> np.ndarray:
        """Classification accuracy (K,): the fraction of samples with (z > 0) == y (z > 0.5 for MSE)."""
        X, y = self._xy(X, y)
        return self._correct(self.logits(params, X), y)

    def loss_value(self, params, X, y) -> np.ndarray:
        """Mean loss (K,) (or a 0-d array for params (P,))."""
        X, y = self._xy(X, y)
        return _loss_terms(self.loss, self.logits(params, X), y)[0]

    def evaluate(self, params, X, y) -> tuple[np.ndarray, np.ndarray]:
        """(mean loss, accuracy) from one forward pass."""
        X, y = self._xy(X, y)
        z = self.logits(params, X)
        return _loss_terms(self.loss, z, y)[0], self._correct(z, y)

    # -- derivatives ----------------------------------------------------------------------------
    def loss_and_grad(self, params, X, y, *, accuracy: bool = False):
        """(loss (K,), gradient (K, P)) by backprop; (P,) params give (0-d, (P,)).
        ``accuracy=True`` appends the accuracy (K,) from the same forward pass."""
        p, single = self._batch(params)
        X, y = self._xy(X, y)
        layers = self.unpack(p)
        acts, hs = self._forward(layers, X)
        loss, d, _ = _loss_terms(self.loss, acts[-1][..., 0], y)
        d = d[..., None]
        grads = []
        for li in range(len(layers) - 1, -1, -1):
            w = layers[li][0]
            grads += [d.sum(1), (hs[li].transpose(0, 2, 1) @ d).reshape(len(p), -1)]
            if li > 0:
                d = (d @ w.transpose(0, 2, 1)) * _dact(self.activation, acts[li - 1], hs[li])
        out = (loss, np.concatenate(grads[::-1], axis=1))
        if accuracy:
            out += (self._correct(acts[-1][..., 0], y),)
        return tuple(o[0] for o in out) if single else out

    def hvp(self, params, X, y, v) -> np.ndarray:
        """Exact Hessian-vector product H v (K, P) of the mean loss: ``hvp_operator(params, X, y)(v)``."""
        return self.hvp_operator(params, X, y)(v)

    def hvp_operator(self, params, X, y):
        """The map v -> H v at ``params``, exact, by Pearlmutter's R-operator; the forward and
        backward passes are computed once, each call only pushes ``v`` through.

        With ``V_l, c_l`` the parts of ``v`` matching ``W_l, b_l`` and ``R{h_0} = 0``::

            R{a_l} = R{h_{l-1}} W_l + h_{l-1} V_l + c_l,     R{h_l} = act'(a_l) R{a_l}
            R{d_L} = l''(z) / N * R{z}
            R{dW_l} = R{h_{l-1}}^T d_l + h_{l-1}^T R{d_l},   R{db_l} = sum_n R{d_l}
            R{d_{l-1}} = (R{d_l} W_l^T + d_l V_l^T) act'(a_{l-1}) + (d_l W_l^T) act''(a_{l-1}) R{a_{l-1}}

        ``v`` has the shape of ``params`` (or broadcasts to it). For relu, act'' = 0 (almost everywhere).
        """
        p, single = self._batch(params)
        X, y = self._xy(X, y)
        layers = self.unpack(p)
        acts, hs = self._forward(layers, X)
        d1s = [_dact(self.activation, a, h) for a, h in zip(acts[:-1], hs[1:], strict=True)]
        d2s = [_ddact(self.activation, h, d1) for h, d1 in zip(hs[1:], d1s, strict=True)]
        _, d, l2 = _loss_terms(self.loss, acts[-1][..., 0], y)
        ds, backs = [d[..., None]], []  # d_l (K, N, n_l) from the output down, and d_l W_l^T
        for li in range(len(layers) - 1, 0, -1):
            backs.insert(0, ds[0] @ layers[li][0].transpose(0, 2, 1))
            ds.insert(0, backs[0] * d1s[li - 1])
        backs.insert(0, None)

        def apply(v) -> np.ndarray:
            v = np.broadcast_to(np.asarray(v, dtype=np.float64), p.shape[1:] if single else p.shape)
            vl = self.unpack(v[None] if single else v)
            r_h, r_acts, r_hs = np.zeros_like(hs[0]), [], [np.zeros_like(hs[0])]
            for li, ((w, _), (vw, vb)) in enumerate(zip(layers, vl, strict=True)):
                r_a = r_h @ w + hs[li] @ vw + vb[:, None, :]
                r_acts.append(r_a)
                if li < len(layers) - 1:
                    r_h = d1s[li] * r_a
                    r_hs.append(r_h)
            r_d = (l2 * r_acts[-1][..., 0])[..., None]
            out = []
            for li in range(len(layers) - 1, -1, -1):
                w, vw, d = layers[li][0], vl[li][0], ds[li]
                gw = r_hs[li].transpose(0, 2, 1) @ d + hs[li].transpose(0, 2, 1) @ r_d
                out += [r_d.sum(1), gw.reshape(len(p), -1)]
                if li > 0:
                    r_back = r_d @ w.transpose(0, 2, 1) + d @ vw.transpose(0, 2, 1)
                    r_d = r_back * d1s[li - 1] + backs[li] * d2s[li - 1] * r_acts[li - 1]
            hv = np.concatenate(out[::-1], axis=1)
            return hv[0] if single else hv

        return apply

    def hessian(self, params, X, y) -> np.ndarray:
        """The full Hessian (P, P) of one network, column j = H e_j, by P batched HVPs (small nets only)."""
        p = np.asarray(params, dtype=np.float64)
        if p.shape != (self.n_params,):
            raise ValueError(
                f"hessian takes the params of one network (P,) = ({self.n_params},), got {p.shape}"
            )
        eye = np.eye(self.n_params)
        return self.hvp(np.broadcast_to(p, eye.shape), X, y, eye)
