"""Stable float activations and their derivatives, in one registry under the shared vocabulary's names.

Every activation has the same signature: ``f(z, **params)``, ``df(z, **params)``; dtype follows the
input (float32 stays float32). Kinks take the "x <= 0" side as PyTorch does: relu'(0) = 0,
leaky_relu'(0) = alpha, prelu'(0) = a, elu'(0) = alpha.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from gradverify.numeric.registry import as_float, lookup, merged

Fn = Callable[..., np.ndarray]

_erf_obj = np.frompyfunc(math.erf, 1, 1)
_erfc_obj = np.frompyfunc(math.erfc, 1, 1)
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _erfc(x: np.ndarray) -> np.ndarray:
    """Complementary error function elementwise at double precision (math.erfc; numpy has none)."""
    return np.asarray(_erfc_obj(x.astype(np.float64)), dtype=np.float64).astype(x.dtype, copy=False)


def erf(x: np.ndarray) -> np.ndarray:
    """Error function elementwise at double precision (math.erf; numpy has none)."""
    x = as_float(x)
    return np.asarray(_erf_obj(x.astype(np.float64)), dtype=np.float64).astype(x.dtype, copy=False)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1/(1+e^-z) without overflow: e^-|z| never exceeds 1, so both branches are finite for any z."""
    z = as_float(z)
    e = np.exp(-np.abs(z))
    d = 1.0 + e
    return np.where(z >= 0, 1.0 / d, e / d)


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax along the last axis; the max is subtracted first so logits of +-1e4 stay finite (seed 003)."""
    z = as_float(z)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax by log-sum-exp: finite wherever the logits are, even where the probability underflows."""
    z = as_float(z)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


@dataclass(frozen=True)
class Activation:
    """One activation: value, derivative, textbook derivative from the output, and default parameters.

    ``df_from_output`` is None when no form in the output alone exists (gelu, silu). For elementwise
    activations ``jacobian`` is diagonal and ``vjp(z, v) = v * df(z)``; softmax has a full Jacobian,
    and its ``df`` and ``df_from_output`` return that Jacobian (the textbook s_i(delta_ij - s_j)).
    ``dparams`` maps a parameter name to the derivative w.r.t. that parameter (prelu's ``a``).
    """

    name: str
    elementwise: bool
    _f: Fn
    _df: Fn
    _df_out: Fn | None = None
    params: Mapping[str, float] = field(default_factory=dict)
    _dparams: Mapping[str, Fn] = field(default_factory=dict)

    def _p(self, given: Mapping[str, float]) -> dict[str, float]:
        return merged(self.params, given, f"activation {self.name!r}")

    def f(self, z: np.ndarray, **params: float) -> np.ndarray:
        """The activation's value."""
        return self._f(as_float(z), **self._p(params))

    def df(self, z: np.ndarray, **params: float) -> np.ndarray:
        """Derivative at z (elementwise; softmax: the Jacobian (..., N, N))."""
        return self._df(as_float(z), **self._p(params))

    @property
    def df_from_output(self) -> Callable[..., np.ndarray] | None:
        """The textbook derivative written in the output a (e.g. a(1-a)); None if there is none."""
        if self._df_out is None:
            return None
        fn = self._df_out

        def from_output(out: np.ndarray, /, **params: float) -> np.ndarray:  # prelu's parameter is named a
            return fn(as_float(out), **self._p(params))

        return from_output

    def jacobian(self, z: np.ndarray, **params: float) -> np.ndarray:
        """Jacobian da/dz with shape (..., N, N); diagonal for elementwise activations."""
        z = as_float(z)
        if not self.elementwise:
            return self._df(z, **self._p(params))
        d = self._df(z, **self._p(params))
        return d[..., :, None] * np.eye(z.shape[-1], dtype=z.dtype)

    def vjp(self, z: np.ndarray, v: np.ndarray, **params: float) -> np.ndarray:
        """v^T (da/dz): the gradient reaching z when v = dL/da; never builds a Jacobian."""
        z = as_float(z)
        v = np.asarray(v, dtype=z.dtype)
        if self.elementwise:
            return v * self._df(z, **self._p(params))
        return _softmax_vjp(z, v)

    def dparam(self, pname: str, z: np.ndarray, **params: float) -> np.ndarray:
        """Elementwise derivative of the output w.r.t. parameter ``pname`` (prelu: w.r.t. a)."""
        if pname not in self._dparams:
            raise KeyError(f"activation {self.name!r} has no derivative w.r.t. {pname!r}; it has: {sorted(self._dparams) or 'none'}")
        return self._dparams[pname](as_float(z), **self._p(params))


def _softmax_jacobian(z: np.ndarray) -> np.ndarray:
    s = softmax(z)
    return _softmax_jacobian_from_output(s)


def _softmax_jacobian_from_output(s: np.ndarray) -> np.ndarray:
    eye = np.eye(s.shape[-1], dtype=s.dtype)
    return s[..., :, None] * (eye - s[..., None, :])


def _softmax_vjp(z: np.ndarray, v: np.ndarray) -> np.ndarray:
    s = softmax(z)
    return s * (v - np.sum(v * s, axis=-1, keepdims=True))


def _elu(z: np.ndarray, alpha: float) -> np.ndarray:
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def _gelu(z: np.ndarray) -> np.ndarray:
    # z * Phi(z) with Phi via erfc: no cancellation of 1 + erf for very negative z.
    return z * (0.5 * _erfc(-z * _SQRT_HALF))


def _gelu_df(z: np.ndarray) -> np.ndarray:
    return 0.5 * _erfc(-z * _SQRT_HALF) + z * _INV_SQRT_2PI * np.exp(-0.5 * z * z)


def _silu_df(z: np.ndarray) -> np.ndarray:
    s = sigmoid(z)
    return s * (1.0 + z * sigmoid(-z))  # 1 - s(z) written as s(-z): no cancellation for large z


def _sigmoid_df(z: np.ndarray) -> np.ndarray:
    """s(z) s(-z): the same as s(1 - s) but exact where s rounds to 1 (sigmoid'(40) = 4.2e-18, not 0)."""
    return sigmoid(z) * sigmoid(-z)


def _tanh_df(z: np.ndarray) -> np.ndarray:
    """sech^2 z = 4 e^{-2|z|} / (1 + e^{-2|z|})^2: exact where tanh rounds to +-1 (1 - tanh^2 gives 0)."""
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(np.zeros((), dtype=z.dtype), z)


def _one(z: np.ndarray, **_: float) -> np.ndarray:
    return np.ones_like(z)


_ENTRIES = [
    Activation("identity", True, lambda z: z.copy(), _one, _one),
    Activation("sigmoid", True, sigmoid, _sigmoid_df, lambda a: a * (1.0 - a)),
    Activation("tanh", True, np.tanh, _tanh_df, lambda a: 1.0 - a * a),
    Activation("relu", True, lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(z.dtype), lambda a: (a > 0).astype(a.dtype)),
    Activation(
        "leaky_relu", True,
        lambda z, alpha: np.where(z > 0, z, alpha * z),
        lambda z, alpha: np.where(z > 0, 1.0, alpha).astype(z.dtype),
        lambda a, alpha: np.where(a > 0, 1.0, alpha).astype(a.dtype),
        {"alpha": 0.01},
    ),
    Activation(
        "prelu", True,
        lambda z, a: np.where(z > 0, z, a * z),
        lambda z, a: np.where(z > 0, 1.0, a).astype(z.dtype),
        lambda out, a: np.where(out > 0, 1.0, a).astype(out.dtype),
        {"a": 0.25},
        {"a": lambda z, a: np.where(z > 0, 0.0, z).astype(z.dtype)},
    ),
    Activation(
        "elu", True,
        _elu,
        lambda z, alpha: np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0))).astype(z.dtype),
        lambda a, alpha: np.where(a > 0, 1.0, a + alpha).astype(a.dtype),
        {"alpha": 1.0},
    ),
    Activation("softplus", True, _softplus, sigmoid, lambda a: -np.expm1(-a)),
    Activation("gelu", True, _gelu, _gelu_df, None),
    Activation("silu", True, lambda z: z * sigmoid(z), _silu_df, None),
    Activation("softmax", False, softmax, _softmax_jacobian, _softmax_jacobian_from_output),
]

ACTIVATIONS: Mapping[str, Activation] = MappingProxyType({a.name: a for a in _ENTRIES})
# Other names the catalog (gradverify.derivations.catalog) accepts for the same functions.
ALIASES: Mapping[str, str] = MappingProxyType({"logistic": "sigmoid", "sigma": "sigmoid", "swish": "silu"})


def get_activation(name: str) -> Activation:
    """The activation called ``name``; KeyError naming the closest names when unknown."""
    return lookup(ACTIVATIONS, name, "activation", ALIASES)
