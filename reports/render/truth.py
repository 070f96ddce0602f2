"""The truth columns of a report, computed independently of the judge.

- numeric: the float64 engine (`gradverify.numeric.mlp`) replaying every step from the stated parameters
  (step k+1 uses the engine's own update of step k: the exact chain);
- symbolic: `gradverify.derivations.network` (exact SymPy values of the whole network), when present;
- witness: central finite differences of the loss for gradient quantities (`gradverify.numeric.gradcheck`).
The judge's `exact` value is the analytic column (textbook local formulas).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from gradverify.judge.result import CheckResult


@dataclass
class ExampleInfo:
    """What the report needs from a worked example, in the file's own numbering and layout."""

    sizes: list[int]
    activations: list[str]
    act_params: list[dict[str, float]]
    loss: str
    loss_params: dict[str, float]
    weights: list[Any]  # user layout, one matrix per weight layer
    biases: list[Any] | None
    x: Any  # (n0,) or (B, n0)
    y: Any
    learning_rate: float
    conventions: dict[str, Any]  # gradverify.numeric.conventions.Conventions fields
    steps: int = 1

    @property
    def first_layer(self) -> int:
        return int(self.conventions.get("first_layer", 1))

    @property
    def first_index(self) -> int:
        return int(self.conventions.get("first_index", 1))

    @property
    def error_sign(self) -> str:
        return str(self.conventions.get("error_sign", "gradient"))

    @property
    def inputs(self) -> list[float] | None:
        import numpy as np

        arr = np.asarray(self.x, dtype=float)
        return [float(v) for v in arr.reshape(-1)] if arr.ndim == 1 or arr.shape[0] == 1 else None

    @property
    def targets(self) -> list[float] | None:
        import numpy as np

        arr = np.asarray(self.y, dtype=float)
        return [float(v) for v in arr.reshape(-1)] if arr.ndim == 1 or arr.shape[0] == 1 else None

    @property
    def layer_activations(self) -> dict[int, str]:
        """User layer number -> activation name (layers after the input)."""
        return {self.first_layer + 1 + k: name for k, name in enumerate(self.activations)}

    @property
    def functions(self) -> list[tuple[str, str, dict[str, float]]]:
        """Each activation and the loss once: (name, kind, parameters)."""
        seen: dict[str, tuple[str, str, dict[str, float]]] = {}
        for name, params in zip(self.activations, self.act_params):
            seen.setdefault(name, (name, "activation", params))
        seen.setdefault(self.loss, (self.loss, "loss", self.loss_params))
        return list(seen.values())


@dataclass
class Columns:
    """Truth values per claim position, neuron values and weights per step, and notes."""

    values: dict[int, dict[str, float | None]] = field(default_factory=dict)
    neurons: dict[int, dict[tuple[str, int, int], float]] = field(default_factory=dict)
    weights: dict[int, dict[tuple[int, int, int], float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def engine_steps(info: ExampleInfo) -> list[tuple[Any, dict[str, Any]]]:
    """(network, named quantities) for every step of the exact chain, by the numeric engine."""
    from gradverify.numeric.conventions import Conventions
    from gradverify.numeric.mlp import MLP

    fields = set(Conventions.__dataclass_fields__)
    conv = Conventions(**{k: v for k, v in info.conventions.items() if k in fields})
    loss = info.loss
    if loss == "softmax_cross_entropy" and info.activations[-1] == "softmax":
        # the file's fused softmax + CE: softmax once, the engine's fused path (not softmax twice)
        loss = "cross_entropy"
    net = MLP.from_user(info.weights, info.biases, info.activations, loss, conv,
                        info.act_params, info.loss_params)
    out = []
    for _ in range(info.steps):
        fwd = net.forward(info.x)
        grads = net.backward(fwd, info.y)
        out.append((net, net.named(fwd, grads)))
        net = net.updated(grads, info.learning_rate)
    return out


def _element(named: dict[str, Any], quantity: str, layer: int | None, index: Sequence[int],
             first_index: int) -> float | None:
    import numpy as np

    key = quantity if quantity in ("loss", "dx") else f"{quantity}{layer}"
    if key not in named:
        return None
    arr = np.asarray(named[key], dtype=float)
    if not index:
        return float(arr.reshape(-1)[0]) if arr.size == 1 else None
    pos = tuple(int(i) - first_index for i in index)
    try:
        return float(arr[pos])
    except (IndexError, ValueError):
        return None


def columns(result: CheckResult, info: ExampleInfo | None) -> Columns:
    """Numeric, symbolic and witness values for every claim of a judged result."""
    cols = Columns()
    if info is None:
        cols.notes.append("The example's network could not be rebuilt, so only the judge's analytic "
                          "values are shown.")
        return cols
    from gradverify.render import witness

    chain = engine_steps(info)
    symbolic = _symbolic_steps(info, cols)
    claims = list(result.claims)
    fd: dict[int, float] = {}
    for step, (net, _named) in enumerate(chain, start=1):
        fd.update(witness.values(net, info, [(i, c.quantity, c.layer, tuple(c.index))
                                             for i, c in enumerate(claims) if c.step == step]))
    for i, claim in enumerate(claims):
        step = claim.step
        if not 1 <= step <= len(chain):
            continue
        idx, layer, q = tuple(claim.index), claim.layer, claim.quantity
        cols.values[i] = {
            "numeric": _element(chain[step - 1][1], q, layer, idx, info.first_index),
            "symbolic": _element(symbolic[step - 1], q, layer, idx, info.first_index) if step <= len(symbolic) else None,
            "witness": fd.get(i),
        }
    for step, (net, named) in enumerate(chain, start=1):
        neurons: dict[tuple[str, int, int], float] = {}
        for q in ("z", "a"):
            for pos in range(1, len(info.sizes)):
                key = f"{q}{info.first_layer + pos}"
                if key in named:
                    for j, v in enumerate(named[key].reshape(-1) if named[key].ndim == 1 else named[key][0]):
                        neurons[(q, pos, j)] = float(v)
        cols.neurons[step] = neurons
        weights: dict[tuple[int, int, int], float] = {}
        for k, w in enumerate(net.W):  # core layout: W[k][j][i] joins i of layer k to j of layer k+1
            for j in range(w.shape[0]):
                for i in range(w.shape[1]):
                    weights[(k + 1, j, i)] = float(w[j, i])
        cols.weights[step] = weights
    return cols


def _symbolic_steps(info: ExampleInfo, cols: Columns) -> list[dict[str, Any]]:
    """Exact values per step from `gradverify.derivations.network`, kept between runs for the same
    network, data and conventions (`cache`)."""
    import json

    import numpy as np

    from gradverify.render import cache

    def compute() -> list[dict[str, Any]]:
        from gradverify.render import symbolic

        return symbolic.steps(info)

    key = json.dumps([info.sizes, info.activations, info.act_params, info.loss, info.loss_params,
                      [np.asarray(w).tolist() for w in info.weights],
                      None if info.biases is None else [np.asarray(v).tolist() for v in info.biases],
                      np.asarray(info.x).tolist(), np.asarray(info.y).tolist(), info.learning_rate,
                      info.conventions, info.steps], sort_keys=True, default=str)
    try:
        return cache.cached("symbolic", key, compute,
                            lambda steps: [{k: np.asarray(v).tolist() for k, v in named.items()} for named in steps],
                            lambda data: [{k: np.asarray(v, dtype=float) for k, v in named.items()} for named in data])
    except Exception as exc:  # the symbolic column is a witness; its failure must not stop a report
        cols.notes.append(f"The symbolic column could not be computed: {exc}")
        return []

