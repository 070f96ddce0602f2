"""Each row's analytic formula is the right one for its layer and conventions: evaluated on the
row's own numbers (the exact values of the elements it names, in the same step, or the previous
step's for an update), it gives the row's exact value.

Examples come from the bundled files and from engine-written files in every convention: weights
to_from / from_to and named by the layer they enter or leave, numbering from 0 or 1, negative
gradients, shared / frozen / no biases, batches (mean and sum), L2, fused softmax + cross-entropy.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from worked_conventions import worked_file  # noqa: E402

from gradverify.judge import verdicts, worked  # noqa: E402
from gradverify.render import adapters, build, formula, truth  # noqa: E402
from gradverify.render.gallery import bundled_examples  # noqa: E402

BASE = {"weights": "to_from", "bias": "per_neuron", "error_sign": "gradient", "first_layer": 1, "first_index": 1}
CONVENTIONS = [
    {}, {"weights": "from_to"}, {"error_sign": "negative"}, {"first_layer": 0, "first_index": 0},
    {"bias": "shared"}, {"bias": "none"}, {"bias": "frozen"}, {"weights_named_by": "from", "biases_named_by": "from"},
    {"l2": 0.01}, {"reduction": "sum"},
    {"weights": "from_to", "error_sign": "negative", "bias": "shared", "first_layer": 0, "l2": 0.01},
]
NETWORKS = [
    ([3, 2, 2], ["sigmoid", "tanh"], "squared_error"),
    ([2, 3, 3], ["relu", "softmax"], "softmax_cross_entropy"),
    ([2, 2, 1], ["tanh", "sigmoid"], "binary_cross_entropy"),
    ([2, 3, 2], ["leaky_relu", "identity"], "half_squared_error"),
    ([2, 2, 3], ["sigmoid", "sigmoid"], "mean_squared_error"),
]


def _lookup(result: Any, info: Any, step: int):
    """The value of an element named in a formula: a claim's exact value in that step (or the
    previous one), else the file's data, else the value the report shows elsewhere (the network
    picture's z and a, the stated parameters: the engine's numbers)."""
    claims = {(c.step, c.quantity, c.layer, tuple(c.index)): c.exact for c in result.claims}
    engine = [named for _net, named in truth.engine_steps(info)]

    def value(e: formula.Elem) -> float:
        s = step + e.step
        key = (s, e.quantity, e.layer, tuple(e.index))
        if claims.get(key) is not None:
            return float(claims[key])
        pos = tuple(i - info.first_index for i in e.index)
        if e.quantity in ("x", "y"):
            return float(np.asarray(info.x if e.quantity == "x" else info.y, dtype=float)[pos])
        arr = np.asarray(engine[s - 1][f"{e.quantity}{e.layer}"], dtype=float)
        return float(arr.reshape(-1)[0] if not pos else arr[pos])

    return value


def _env(result: Any, info: Any, step: int) -> dict[str, float]:
    x = np.asarray(info.x, dtype=float)
    env = {"eta": float(info.learning_rate), "lambda": float(info.conventions.get("l2", 0.0) or 0.0),
           "B": float(x.shape[0]) if x.ndim == 2 else 1.0}
    weights = [float(c.exact) for c in result.claims if c.step == step and c.quantity == "W"]
    if step == 1:
        weights = [float(v) for w in info.weights for v in np.asarray(w, dtype=float).reshape(-1)]
    env["\u2016W\u2016\u00b2"] = sum(v * v for v in weights)
    return env


def _check(result: Any, where: str) -> int:
    info = adapters.example_info(result)
    rows = build.rows_from_claims(result.claims)
    build.add_formulas(rows, info)
    checked = 0
    for row, claim in zip(rows, result.claims):
        if claim.exact is None:
            continue
        if row.formula is None:
            assert (row.quantity in ("W", "b") and row.step == 1), f"{where}: no formula for {claim.name}"
            continue
        shown = formula.evaluate(row.formula, _lookup(result, info, row.step), _env(result, info, row.step))
        assert shown == pytest.approx(float(claim.exact), rel=1e-9, abs=1e-12), \
            f"{where}, step {row.step}: {formula.text(row.formula)} gives {shown}, the row is {claim.exact}"
        checked += 1
    return checked


NETWORK_EXAMPLES = [n for n in bundled_examples() if isinstance(worked.load_example(n), worked.WorkedExample)]


@pytest.mark.parametrize("name", NETWORK_EXAMPLES)  # a circuit's rows: tests/reports/test_circuit_report.py
def test_bundled_examples_formulas_give_their_rows(name: str) -> None:
    assert _check(verdicts.judge(worked.load_example(name)), name) >= 20


@pytest.mark.parametrize("net", NETWORKS, ids=lambda n: "-".join(n[1]) + "-" + n[2])
@pytest.mark.parametrize("batch", [1, 2])
def test_every_convention_formulas_give_their_rows(net: tuple, batch: int) -> None:
    sizes, acts, loss = net
    checked = 0
    for change in CONVENTIONS:
        conv = {**BASE, **change}
        text = worked_file(sizes, acts, loss, conv, batch=batch)
        checked += _check(verdicts.judge(worked.loads(text, "conventions")), f"{acts} {loss} {change} batch {batch}")
    assert checked > 300


def test_the_fused_output_error_is_a_minus_y_not_the_chain_through_dL_da() -> None:
    result = verdicts.judge(worked.load_example("seed003-relu-softmax"))
    rows = build.rows_from_claims(result.claims)
    build.add_formulas(rows, adapters.example_info(result))
    delta = next(r for r in rows if r.quantity == "delta" and r.layer == 3)
    assert formula.text(delta.formula) == "delta3[1] = a3[1] \u2212 y[1]"
    act = next(r for r in rows if r.quantity == "act_prime")
    assert "a2" not in formula.text(act.formula)  # relu' is written in z: 1 if z > 0
