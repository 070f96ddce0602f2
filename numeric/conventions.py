"""The boundary between a worked example's conventions and the engine's one core layout.

Core layout: weight layer k (0-based) has W of shape (n_out, n_in) "to_from" and the batch is rows,
so z = a @ W.T + b. Everything a user writes (weights from_to, layers numbered from 0 or 1, indices
from 0 or 1, the error sign) is converted here and only here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WEIGHT_LAYOUTS = ("to_from", "from_to")
REDUCTIONS = ("mean", "sum")
BIASES = ("per_neuron", "shared", "frozen", "none")
ERROR_SIGNS = ("gradient", "negative")
NAMED_BY = ("to", "from")


def _check(value: object, allowed: tuple[object, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(repr(a) for a in allowed)}, not {value!r}")


@dataclass(frozen=True)
class Conventions:
    """How a worked example writes its network.

    weights: "to_from" (W[j][k] joins k of layer l-1 to j of layer l; Nielsen) or "from_to" (W[i][j]
    from i to j). first_layer: the input layer's number. first_index: the first neuron's index.
    reduction: "mean" or "sum" over the batch. bias: "per_neuron", "shared" (one per layer), "frozen"
    (present, never updated) or "none". error_sign: "gradient" (delta = dL/dz, W -= lr*dW) or
    "negative" (every backward quantity reported as -dL/d., update W += lr*Err a^T). l2: lambda of
    lambda/2 sum W^2 over weights (not biases), added once to the batch loss. weights_named_by /
    biases_named_by: "to" (W^l enters layer l; Nielsen, seed 003) or "from" (W^l leaves layer l;
    seeds 000 and 004).
    """

    weights: str = "to_from"
    first_layer: int = 1
    first_index: int = 1
    reduction: str = "mean"
    bias: str = "per_neuron"
    error_sign: str = "gradient"
    l2: float = 0.0
    weights_named_by: str = "to"
    biases_named_by: str = "to"

    def __post_init__(self) -> None:
        _check(self.weights, WEIGHT_LAYOUTS, "weights")
        _check(self.first_layer, (0, 1), "first_layer")
        _check(self.first_index, (0, 1), "first_index")
        _check(self.reduction, REDUCTIONS, "reduction")
        _check(self.bias, BIASES, "bias")
        _check(self.error_sign, ERROR_SIGNS, "error_sign")
        _check(self.weights_named_by, NAMED_BY, "weights_named_by")
        _check(self.biases_named_by, NAMED_BY, "biases_named_by")
        if not float(self.l2) >= 0.0:
            raise ValueError(f"l2 must be a number >= 0, not {self.l2!r}")

    # --- weights and signs -------------------------------------------------------------------
    def weight_to_core(self, w: object) -> np.ndarray:
        """A user's weight matrix in the core's to_from layout (a copy, float64 unless float32 given)."""
        given = np.asarray(w)
        arr = np.array(given, dtype=np.float32 if given.dtype == np.float32 else np.float64)
        if arr.ndim != 2:
            raise ValueError(f"a weight matrix must be 2-D, got shape {arr.shape}")
        return np.ascontiguousarray(arr.T if self.weights == "from_to" else arr)

    def weight_from_core(self, w: np.ndarray) -> np.ndarray:
        """A core (to_from) matrix written in the user's layout."""
        return w.T.copy() if self.weights == "from_to" else w.copy()

    def signed(self, g: np.ndarray) -> np.ndarray:
        """A backward quantity in the user's error sign: dL/d. or its negative."""
        return -g if self.error_sign == "negative" else g

    # --- names ---------------------------------------------------------------------------------
    def layer_number(self, core_layer: int) -> int:
        """The user's number of the layer whose pre-activations core weight layer k produces."""
        return self.first_layer + core_layer + 1

    def param_number(self, kind: str, core_layer: int) -> int:
        """The user's superscript of W or b of core weight layer k (by destination or by source layer)."""
        named = self.weights_named_by if kind == "W" else self.biases_named_by
        return self.layer_number(core_layer) - (1 if named == "from" else 0)

    def core_layer(self, kind: str, number: int) -> int:
        """Inverse of param_number / layer_number: the core weight layer for the user's number."""
        if kind in ("W", "b"):
            named = self.weights_named_by if kind == "W" else self.biases_named_by
            number += 1 if named == "from" else 0
        return number - self.first_layer - 1

    def element_name(self, kind: str, core_layer: int | None, core_index: tuple[int, ...]) -> str:
        """A readable name such as W2[3,7] in the user's numbering and layout (core_layer None: x)."""
        idx = tuple(core_index)
        if kind == "W" and self.weights == "from_to":
            idx = idx[::-1]
        label = "x" if core_layer is None else (
            f"{kind}{self.param_number(kind, core_layer)}" if kind in ("W", "b") else f"{kind}{self.layer_number(core_layer)}"
        )
        if not idx:
            return label
        return f"{label}[{','.join(str(i + self.first_index) for i in idx)}]"
