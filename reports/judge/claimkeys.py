"""Where a claim key points in a network: its quantity, layer, element, shape and printed text.

A key is a quantity, a layer number in the file's numbering when the quantity has one, an optional
element and an optional second printing: "z2", "W2[1,1]", "loss", "lr_dW2[1,3]", "a3#2". `Layout`
converts between the file's numbering and layout and the judge's one core layout (layers from 0,
weights to_from, samples as rows).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from gradverify.judge import numbers


@dataclass(frozen=True)
class Quantity:
    """A claimable quantity: how it is numbered, whether it is per sample, and what it is."""

    numbered: str  # "layer" (z2: layer 2), "param" (W2: named by W's convention) or "" (loss, x)
    per_sample: bool
    words: str


QUANTITIES: dict[str, Quantity] = {
    "x": Quantity("", True, "the inputs"),
    "z": Quantity("layer", True, "pre-activations z = W a + b"),
    "exp_z": Quantity("layer", True, "a softmax layer's exponentials e^z"),
    "sum_exp_z": Quantity("layer", True, "a softmax layer's sum of exponentials"),
    "a": Quantity("layer", True, "activations a = f(z)"),
    "act_prime": Quantity("layer", True, "the activation's derivative f'(z)"),
    "loss_term": Quantity("", True, "each output's term of the loss"),
    "loss": Quantity("", False, "the loss"),
    "dL_da": Quantity("layer", True, "dL/da, the gradient reaching a layer's outputs"),
    "dL_da_part": Quantity("layer", True, "dL_da_part2[i,j]: the part of dL/da_i reaching layer 2 through neuron j of the next layer"),
    "delta": Quantity("layer", True, "delta = dL/dz"),
    "dW": Quantity("param", False, "dL/dW"),
    "db": Quantity("param", False, "dL/db"),
    "lr_dW": Quantity("param", False, "the update term: learning rate x dL/dW"),
    "lr_db": Quantity("param", False, "the update term: learning rate x dL/db"),
    "W": Quantity("param", False, "the weights at the start of the step"),
    "b": Quantity("param", False, "the biases at the start of the step"),
    "dx": Quantity("", True, "dL/dx, the gradient reaching the inputs"),
}
WEIGHT_LIKE = ("W", "dW", "lr_dW")
BIAS_LIKE = ("b", "db", "lr_db")
_KEY = re.compile(r"^([A-Za-z_]+?)(\d*)(?:\[\s*(\d+(?:\s*,\s*\d+)*)\s*\])?(?:\s*#\s*(\d+))?$")


@dataclass(frozen=True)
class ClaimKey:
    """A parsed claim key: quantity, layer number (file numbering), element, and which printing."""

    quantity: str
    layer: int | None
    index: tuple[int, ...] | None
    printing: int = 1


def parse_claim_key(key: str) -> ClaimKey:
    """"z2" -> z, 2; "W2[1,1]" -> W, 2, (1, 1); "loss" -> loss; "a3#2": a3 printed a second time."""
    m = _KEY.match(key.strip())
    if not m or m.group(1) not in QUANTITIES:
        from gradverify.judge.where import closest

        head = m.group(1) if m else key
        raise ValueError(f"unknown claim{closest(head, QUANTITIES)}; claims are z2, a2, loss, act_prime2, "
                         "dL_da2, delta3, dW3, db3, lr_dW3, dx, x, W2, b2, loss_term, exp_z3, sum_exp_z3, "
                         "dL_da_part2, or one element such as \"W2[1,1]\" (docs/worked-example-format.md)")
    qty, num, idx, again = m.group(1), m.group(2), m.group(3), m.group(4)
    index = tuple(int(i) for i in idx.split(",")) if idx else None
    printing = int(again) if again else 1
    if again and printing < 2:
        raise ValueError(f"#{again}: a quantity printed again is numbered #2, #3, ...")
    if not QUANTITIES[qty].numbered:
        if num:
            raise ValueError(f"{qty} has no layer number; write {qty}" + ("[...]" if index else ""))
        return ClaimKey(qty, None, index, printing)
    if not num:
        raise ValueError(f"{qty} needs a layer number in the file's numbering, e.g. {qty}2")
    return ClaimKey(qty, int(num), index, printing)


@dataclass(frozen=True)
class ClaimSpec:
    """One claimed number: where it is (file numbering and core position) and its printed text.

    `text` is the claim as written, working included ("0.2 - 1 x 7.2e-3 = 0.1928"); `printed` is its
    result; `working` the arithmetic before the result, if any; `printing` 2, 3, ... for a number
    printed again in the same step."""

    step: int
    quantity: str
    layer: int | None
    core_layer: int | None
    index: tuple[int, ...]
    core_index: tuple[int, ...]
    text: str
    printed: numbers.Printed
    key: str
    line: int | None
    working: str | None = None
    printing: int = 1

    @property
    def name(self) -> str:
        """"z2[1]", "loss", "W2[1,3]": the element in the file's numbering."""
        layer = "" if self.layer is None else str(self.layer)
        idx = f"[{','.join(map(str, self.index))}]" if self.index else ""
        again = f"#{self.printing}" if self.printing > 1 else ""
        return f"{self.quantity}{layer}{idx}{again}"

    @functools.cached_property
    def node(self) -> tuple[int, str, int | None]:
        """The graph node the claim is of: (step, quantity, core layer)."""
        return (self.step, self.quantity, self.core_layer)

    def verdict_names(self) -> dict[str, str]:
        """Names its verdict carries besides quantity, layer and index (a circuit's node names)."""
        return {}


class Layout:
    """Shapes and numbering of a network: file layer numbers <-> core layers, file <-> core indices."""

    def __init__(self, sizes: list[int], conv: dict[str, Any], batch: int, acts: list[str] | None = None):
        self.sizes, self.conv, self.B = sizes, conv, batch
        self.acts = acts or []
        self.L = len(sizes) - 1
        self.fl, self.fi = conv["first_layer"], conv["first_index"]

    def layer_number(self, k: int) -> int:
        return self.fl + k + 1

    def param_number(self, kind: str, k: int) -> int:
        named = self.conv["weights_named_by"] if kind in WEIGHT_LIKE else self.conv["biases_named_by"]
        return self.layer_number(k) - (1 if named == "from" else 0)

    def core_of(self, qty: str, number: int) -> int:
        if QUANTITIES[qty].numbered == "param":
            return number - self.param_number("W" if qty in WEIGHT_LIKE else "b", 0)
        return number - self.layer_number(0)

    def file_shape(self, kind: str, k: int) -> tuple[int, ...]:
        n_in, n_out = self.sizes[k], self.sizes[k + 1]
        if kind in WEIGHT_LIKE:
            return (n_out, n_in) if self.conv["weights"] == "to_from" else (n_in, n_out)
        if kind in BIAS_LIKE:
            return () if self.conv["bias"] in ("shared", "shared_frozen") else (n_out,)
        raise ValueError(kind)

    def why(self, kind: str, k: int) -> str:
        n_in, n_out = self.sizes[k], self.sizes[k + 1]
        if kind in WEIGHT_LIKE:
            if self.conv["weights"] == "to_from":
                return f"weights = \"to_from\": {n_out} rows for the neurons it feeds, {n_in} columns for its inputs"
            return f"weights = \"from_to\": {n_in} rows for its inputs, {n_out} columns for the neurons it feeds"
        if self.conv["bias"] in ("shared", "shared_frozen"):
            return f"bias = \"{self.conv['bias']}\": one number per layer"
        return f"one per neuron of layer {self.layer_number(k)}"

    def _samples(self, shape: tuple[int, ...], words: str) -> tuple[tuple[int, ...], str]:
        if self.B == 1:
            return shape, words
        return (self.B, *shape), words + f" for each of {self.B} samples"

    def claim_shape(self, qty: str, number: int | None) -> tuple[int | None, tuple[int, ...], str]:
        """(core layer, file shape, why) of a claim; ValueError when it does not exist in this network."""
        if qty == "loss":
            return None, (), "the loss is one number"
        if qty in ("dx", "x"):
            return (None, *self._samples((self.sizes[0],), f"{self.sizes[0]} inputs"))
        if qty == "loss_term":
            return (None, *self._samples((self.sizes[-1],), f"one term per output ({self.sizes[-1]})"))
        assert number is not None
        k = self.core_of(qty, number)
        if not 0 <= k < self.L:
            lo = number - k
            if QUANTITIES[qty].numbered == "param":
                what = "weight" if qty in WEIGHT_LIKE else "bias"
                raise ValueError(f"layer {number} is out of range: the {what} layers are numbered "
                                 f"{lo}..{lo + self.L - 1} (numbering first_layer = {self.fl})")
            hint = " (the input layer holds x: claim it as x)" if qty == "a" and k == -1 else ""
            raise ValueError(f"layer {number} is out of range: {qty} exists for layers {lo}..{lo + self.L - 1}"
                             f" (numbering first_layer = {self.fl}){hint}")
        if qty in BIAS_LIKE and self.conv["bias"] == "none":
            raise ValueError("the network has bias = \"none\"; there is no bias to claim")
        if qty in WEIGHT_LIKE or qty in BIAS_LIKE:
            return k, self.file_shape(qty, k), self.why(qty, k)
        n = self.sizes[k + 1]
        softmax = k < len(self.acts) and self.acts[k] == "softmax"
        if qty == "act_prime" and softmax:
            raise ValueError("act_prime of a softmax layer is a Jacobian; claim delta or dL_da instead")
        if qty in ("exp_z", "sum_exp_z") and not softmax:
            raise ValueError(f"{qty} exists for softmax layers only; layer {number} is "
                             f"{self.acts[k] if k < len(self.acts) else 'not softmax'}")
        if qty == "sum_exp_z":
            return (k, *self._samples((), f"one sum for layer {number}"))
        if qty == "dL_da_part":
            if k == self.L - 1:
                raise ValueError(f"dL_da_part exists for hidden layers: the output layer {number} gets dL/da "
                                 "from the loss (claim loss_term or dL_da)")
            m = self.sizes[k + 2]
            return (k, *self._samples((n, m), f"{n} neurons of layer {number} x {m} neurons of layer {number + 1}"))
        return (k, *self._samples((n,), f"{n} neurons in layer {number}"))

    def core_index(self, qty: str, fidx: tuple[int, ...]) -> tuple[int, ...]:
        """File index (file numbering) -> index into the core array."""
        idx = tuple(i - self.fi for i in fidx)
        if QUANTITIES[qty].per_sample:
            return (0,) + idx if self.B == 1 else idx
        if qty in WEIGHT_LIKE and self.conv["weights"] == "from_to":
            return idx[::-1]
        return idx
