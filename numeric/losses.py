"""Float losses and their gradients, one signature for all: ``value(a, y, **params)`` and ``grad(a, y, **params)``.

For a, y of shape (B, n): ``value`` is the per-sample loss, shape (B,); ``grad`` is the per-sample
dL/da, shape (B, n). Reducing over the batch (mean or sum) is the caller's. A single sample of
shape (n,) gives a scalar and an (n,) gradient. ``softmax_cross_entropy`` takes logits and its grad
is with respect to the logits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from gradverify.numeric.activations import log_softmax, softmax
from gradverify.numeric.registry import as_float, lookup, merged, warn_at_caller

Fn = Callable[..., np.ndarray]


class LossDomainWarning(RuntimeWarning):
    """A loss was evaluated where it is infinite (a log of 0, a norm of 0)."""


@dataclass(frozen=True)
class Loss:
    """One loss: per-sample value and gradient, with default parameters.

    ``on_logits`` is True when the input is logits rather than activations (softmax_cross_entropy).
    ``terms`` splits the per-sample loss into one term per output (what a hand writes as each output's
    share: value = the sum of the terms); None when the loss does not split (the general cosine).
    """

    name: str
    _value: Fn
    _grad: Fn
    params: Mapping[str, float] = field(default_factory=dict)
    on_logits: bool = False
    _terms: Fn | None = None

    def _args(self, a: object, y: object, params: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
        a = as_float(a)
        y = np.zeros_like(a) if y is None else np.asarray(y, dtype=a.dtype)
        if y.shape != a.shape:
            y = np.broadcast_to(y, a.shape)
        return a, y, merged(self.params, params, f"loss {self.name!r}")

    def value(self, a: np.ndarray, y: np.ndarray, **params: float) -> np.ndarray:
        """Per-sample loss: shape (B,) for (B, n) inputs."""
        a, y, p = self._args(a, y, params)
        return self._value(a, y, **p)

    def grad(self, a: np.ndarray, y: np.ndarray, **params: float) -> np.ndarray:
        """Per-sample dL/da (dL/dlogits for softmax_cross_entropy): same shape as a."""
        a, y, p = self._args(a, y, params)
        return self._grad(a, y, **p)

    @property
    def splits(self) -> bool:
        """True when the loss is a sum of one term per output (`terms`)."""
        return self._terms is not None

    def terms(self, a: np.ndarray, y: np.ndarray, **params: float) -> np.ndarray:
        """Each output's term of the per-sample loss, shape of a; their sum over the last axis is `value`."""
        if self._terms is None:
            raise ValueError(f"the loss {self.name!r} is not a sum of one term per output")
        a, y, p = self._args(a, y, params)
        return self._terms(a, y, **p)


def _by_terms(name: str, terms: Fn, grad: Fn, params: Mapping[str, float] | None = None,
              on_logits: bool = False) -> Loss:
    """A loss that is the sum over the outputs of `terms`."""
    def value(a: np.ndarray, y: np.ndarray, **p: float) -> np.ndarray:
        return np.sum(terms(a, y, **p), axis=-1)

    return Loss(name, value, grad, dict(params or {}), on_logits, terms)


def _n(a: np.ndarray) -> int:
    return a.shape[-1]


def _warn(message: str) -> None:
    warn_at_caller(message, LossDomainWarning)


def _y_log_a(y: np.ndarray, a: np.ndarray, what: str) -> np.ndarray:
    """y*log(a) with 0*log(0) = 0 (its limit); a positive y on a = 0 gives -inf with a clear warning."""
    bad = (a <= 0) & (y != 0)
    if np.any(bad):
        _warn(f"{what}: a target with y > 0 has probability exactly 0 (log 0): the loss is +inf. "
              "Compute it from logits (softmax_cross_entropy) to keep it finite.")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = y * np.log(a)
    return np.where(y == 0, 0.0, np.where(bad, -np.inf, out)).astype(a.dtype, copy=False)


def _y_over_a(y: np.ndarray, a: np.ndarray, what: str) -> np.ndarray:
    """y/a with 0/a = 0 for every a; y > 0 on a = 0 gives inf with a clear warning."""
    bad = (a == 0) & (y != 0)
    if np.any(bad):
        _warn(f"{what}: gradient -y/a at a probability of exactly 0 is infinite.")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = y / a
    return np.where(y == 0, 0.0, out).astype(a.dtype, copy=False)


def _ce_grad(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -_y_over_a(y, a, "cross_entropy")


def _bce_grad(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -_y_over_a(y, a, "binary_cross_entropy") + _y_over_a(1.0 - y, 1.0 - a, "binary_cross_entropy")


def _sce_value(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    # log_softmax is finite for finite logits, so an underflowed probability costs nothing here.
    return np.sum(_sce_terms(z, y), axis=-1)


def _sce_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Exact gradient of -sum y log softmax(z): softmax * sum(y) - y, which is y_hat - y when sum y = 1.
    return softmax(z) * np.sum(y, axis=-1, keepdims=True) - y


def bce_from_logits(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-sample binary cross-entropy of sigmoid(z): sum of softplus(z) - y z, finite for any finite z."""
    return np.sum(np.logaddexp(np.zeros((), z.dtype), z) - y * z, axis=-1)


def _ce_delta(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return a * np.sum(y, axis=-1, keepdims=True) - y  # a - y when sum y = 1


def output_forms(activation: str, loss: str) -> tuple[Fn, Fn] | None:
    """(per-sample loss from the logits z, dL/dz from the output a) for the output/loss pairs whose
    probabilities can saturate to exactly 0 or 1 in float, where log a and dL/da are infinite and the
    chain through a gives inf or NaN: softmax with cross-entropy, sigmoid with binary cross-entropy.
    Both forms stay finite there. None for every other pair."""
    loss = get_loss(loss).name
    if loss == "softmax_cross_entropy" or (activation == "softmax" and loss == "cross_entropy"):
        return _sce_value, _ce_delta
    if activation == "sigmoid" and loss == "binary_cross_entropy":
        return bce_from_logits, lambda a, y: a - y
    return None


def _ce_terms(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -_y_log_a(y, a, "cross_entropy")


def _bce_terms(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -(_y_log_a(y, a, "binary_cross_entropy") + _y_log_a(1.0 - y, 1.0 - a, "binary_cross_entropy"))


def _sce_terms(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -np.where(y == 0, 0.0, y * log_softmax(z)).astype(z.dtype, copy=False)


def _svm_margins(a: np.ndarray, y: np.ndarray, delta: float) -> np.ndarray:
    """Weston-Watkins margins s_j - s_label + Delta for every class j, 0 at the label (y one-hot)."""
    label_score = np.sum(a * y, axis=-1, keepdims=True)
    return np.where(y == 1, 0.0, a - label_score + delta)


def _svm_terms(a: np.ndarray, y: np.ndarray, delta: float) -> np.ndarray:
    return np.maximum(0.0, _svm_margins(a, y, delta))


def _svm_grad(a: np.ndarray, y: np.ndarray, delta: float) -> np.ndarray:
    """Subgradient with the hinge's convention: a margin of exactly 0 contributes 0 (the x <= 0 side)."""
    active = ((y != 1) & (_svm_margins(a, y, delta) > 0)).astype(a.dtype)
    return active - y * np.sum(active, axis=-1, keepdims=True)


def _huber_pieces(a: np.ndarray, y: np.ndarray, delta: float) -> np.ndarray:
    r = np.abs(y - a)
    return np.where(r <= delta, 0.5 * r * r, delta * r - 0.5 * delta * delta)


def _huber_grad(a: np.ndarray, y: np.ndarray, delta: float) -> np.ndarray:
    d = a - y
    return np.where(np.abs(d) <= delta, d, delta * np.sign(d)).astype(a.dtype, copy=False)


def _cos_general_value(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    na, ny = np.linalg.norm(a, axis=-1), np.linalg.norm(y, axis=-1)
    if np.any(na * ny == 0):
        _warn("cosine_similarity_general: a zero vector has no direction; the loss is NaN there.")
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(y * a, axis=-1) / (na * ny)


def _cos_general_grad(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    na = np.linalg.norm(a, axis=-1, keepdims=True)
    ny = np.linalg.norm(y, axis=-1, keepdims=True)
    if np.any(na * ny == 0):
        _warn("cosine_similarity_general: a zero vector has no direction; the gradient is NaN there.")
    dot = np.sum(y * a, axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(y / (na * ny) - dot * a / (ny * na**3))


_ENTRIES = [
    _by_terms("squared_error", lambda a, y: (y - a) ** 2, lambda a, y: 2.0 * (a - y)),
    _by_terms("half_squared_error", lambda a, y: 0.5 * (y - a) ** 2, lambda a, y: a - y),
    _by_terms("mean_squared_error", lambda a, y: (y - a) ** 2 / _n(a), lambda a, y: (2.0 / _n(a)) * (a - y)),
    _by_terms("binary_cross_entropy", _bce_terms, _bce_grad),
    _by_terms("cross_entropy", _ce_terms, _ce_grad),
    _by_terms("softmax_cross_entropy", _sce_terms, _sce_grad, on_logits=True),
    _by_terms("hinge", lambda a, y: np.maximum(0.0, 1.0 - y * a),
              lambda a, y: np.where(y * a < 1.0, -y, 0.0).astype(a.dtype, copy=False)),
    _by_terms("l1", lambda a, y: np.abs(y - a) / _n(a), lambda a, y: np.sign(a - y) / _n(a)),
    _by_terms("huber", _huber_pieces, _huber_grad, {"delta": 1.0}),
    _by_terms("huber_mean", lambda a, y, delta: _huber_pieces(a, y, delta) / _n(a),
              lambda a, y, delta: _huber_grad(a, y, delta) / _n(a), {"delta": 1.0}),
    _by_terms("cosine_similarity", lambda a, y: -y * a / _n(a), lambda a, y: -y / _n(a)),
    Loss("cosine_similarity_general", _cos_general_value, _cos_general_grad),
    _by_terms("l2_regularization", lambda a, y, **p: 0.5 * p["lambda"] * a * a,
              lambda a, y, **p: p["lambda"] * a, {"lambda": 0.01}),
    _by_terms("multiclass_svm", _svm_terms, _svm_grad, {"delta": 1.0}),
    _by_terms("none", lambda a, y: a, lambda a, y: np.ones_like(a)),
]

LOSSES: Mapping[str, Loss] = MappingProxyType({loss.name: loss for loss in _ENTRIES})
# Other names the catalog (gradverify.derivations.catalog) accepts for the same losses.
ALIASES: Mapping[str, str] = MappingProxyType({
    "mse": "mean_squared_error", "l2_loss": "mean_squared_error", "l2": "mean_squared_error",
    "bce": "binary_cross_entropy", "categorical_cross_entropy": "cross_entropy", "ce": "cross_entropy",
    "l1_loss": "l1", "mean_absolute_error": "l1", "mae": "l1",
    "weight_decay": "l2_regularization", "l2_reg": "l2_regularization",
    "softmax_ce": "softmax_cross_entropy", "softmax_crossentropy": "softmax_cross_entropy",
})


def get_loss(name: str) -> Loss:
    """The loss called ``name``; KeyError naming the closest names when unknown."""
    return lookup(LOSSES, name, "loss", ALIASES)
