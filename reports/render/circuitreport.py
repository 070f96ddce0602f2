"""The report of a judged circuit: its rows with their truth columns, and a circuit picture per step.

The columns are computed apart from the judge's exact rationals (the analytic column):
- symbolic: SymPy, the circuit rebuilt as expressions of exact inputs; a gradient is the derivative
  of the output rebuilt from the node as a variable (every path through it), a local gradient the
  derivative of the gate's own expression;
- numeric: the circuit in float64 (the numeric engine's activations), step by step;
- witness: central finite differences in float64 of the output (a gradient) or of the gate (a
  local gradient) as the node's value moves, forward passes only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction
from typing import Callable

from gradverify.judge.circuit import Circuit, Key, grad_key, local_key, value_key
from gradverify.judge.circuitexpr import Apply, Const, Expr, number_text, walk
from gradverify.judge.circuitfile import CircuitExample
from gradverify.judge.circuitgraph import CircuitGraph
from gradverify.judge.circuitexact import to_float
from gradverify.judge.circuitmath import FLOAT, evaluate
from gradverify.judge.graph import Evaluation, evaluate as evaluate_graph
from gradverify.judge.result import CheckResult, ClaimVerdict
from gradverify.render.circuitmaths import CircuitRow, derivative
from gradverify.render.circuitpicture import CircuitPicture, PictureNode
from gradverify.render.model import ClaimRow, ReportModel, StepSection

CATALOG_GATES = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softplus", "gelu", "silu")
SYMBOLS = {"add": "+", "mul": "\u00d7", "div": "\u00f7", "neg": "\u2212", "sigmoid": "\u03c3", "abs": "|\u00b7|"}
_SUPERSCRIPT = str.maketrans("0123456789-", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b")


def symbol(e: Expr) -> str:
    """The gate drawn in a node's circle: its outermost operation ("+", "×", "x²", "exp", "σ")."""
    if not isinstance(e, Apply):
        return "="
    if e.op == "pow" and isinstance(e.args[1], Const) and e.args[1].value.denominator == 1:
        return "x" + str(e.args[1].value.numerator).translate(_SUPERSCRIPT)
    if e.op == "pow":
        return "x\u02b8"
    return SYMBOLS.get(e.op, e.op)


def _float_chain(ex: CircuitExample) -> Evaluation:
    """The circuit's stated computation in float64, every step, no claims."""
    return evaluate_graph(CircuitGraph(ex.circuit, ex.n_steps).stated, {}, alternatives=False)


def _forward(c: Circuit, values: dict[str, float], node: str, moved: float) -> float:
    """The output in float64 with `node` moved to `moved` and everything after it recomputed."""
    vals = dict(values)
    vals[node] = moved
    after = False
    for g in c.gates:
        if g.node == node:
            after = True
        elif after or node not in c.gate:
            vals[g.node] = float(evaluate(g.expr, vals, FLOAT))
    return vals[c.output]


def _central(fn: Callable[[float], float], at: float) -> float | None:
    h = 1e-6 * max(1.0, abs(at))
    hi, lo = fn(at + h), fn(at - h)
    return (hi - lo) / (2 * h) if math.isfinite(hi) and math.isfinite(lo) else None


def _witness(c: Circuit, values: dict[str, float], cv: ClaimVerdict) -> float | None:
    if cv.quantity == "grad" and cv.node is not None:
        return _central(lambda v: _forward(c, values, cv.node or "", v), values[cv.node])
    if cv.quantity == "local" and cv.node is not None and cv.wrt is not None:
        gate, wrt = c.gate[cv.node], cv.wrt
        return _central(lambda v: float(evaluate(gate.expr, {**values, wrt: v}, FLOAT)), values[wrt])
    return None


def _row(c: Circuit, cv: ClaimVerdict) -> CircuitRow:
    node = cv.node or ""
    if cv.quantity == "grad":
        return CircuitRow("grad", node, of=c.output, readers=c.children.get(node, ()))
    if cv.quantity == "local":
        return CircuitRow("local", node, of=cv.of, wrt=cv.wrt, rule=derivative(c.gate[node].expr, cv.wrt or ""))
    return CircuitRow("value", node, rule=c.gate[node].expr if node in c.gate else None)


def _picture(ex: CircuitExample, step: int, rows: list[ClaimVerdict]) -> CircuitPicture:
    c, exact = ex.circuit, ex.exact[step - 1]
    wrong = [r for r in rows if r.verdict == "wrong"]
    nodes = [PictureNode(n, "" if n not in c.gate else symbol(c.gate[n].expr),
                         c.gate[n].parents if n in c.gate else (), f"{to_float(exact.values[n]):.4g}",
                         f"{to_float(exact.grads[n]):.4g}",
                         any(r.quantity == "value" and r.node == n for r in wrong),
                         any(r.quantity == "grad" and r.node == n for r in wrong)) for n in c.nodes]
    return CircuitPicture(nodes, {(r.node or "", r.wrt or "") for r in wrong if r.quantity == "local"},
                          f"circuit of {len(c.gates)} gates, output {c.output}")


def _key(cv: ClaimVerdict) -> Key:
    if cv.quantity == "grad":
        return grad_key(cv.step, cv.node or "")
    if cv.quantity == "local":
        return local_key(cv.step, cv.node or "", cv.wrt or "")
    return value_key(cv.step, cv.node or "")


def columns(ex: CircuitExample, claims: list[ClaimVerdict]) -> tuple[dict[int, dict[str, float | None]], list[str]]:
    """The symbolic, numeric and witness value of each claim (by position), and notes."""
    notes: list[str] = []
    chain = _float_chain(ex)
    floats = [{n: float(chain.value(value_key(s, n))) for n in ex.circuit.nodes} for s in range(1, ex.n_steps + 1)]
    try:
        from gradverify.render.circuitsymbolic import exact_values

        symbolic = exact_values(ex.circuit, ex.n_steps)
    except Exception as exc:  # the symbolic column is a witness: its failure must not stop a report
        symbolic = {}
        notes.append(f"The symbolic column could not be computed: {exc}")
    return {i: {"symbolic": symbolic.get(_key(cv)), "numeric": float(chain.value(_key(cv))),
                "witness": _witness(ex.circuit, floats[cv.step - 1], cv)} for i, cv in enumerate(claims)}, notes


def model(result: CheckResult, ex: CircuitExample) -> ReportModel:
    """The whole report of a judged circuit."""
    from gradverify.render import claimed, figures
    from gradverify.render.build import rows_from_claims

    claims = list(result.claims)
    truth, notes = columns(ex, claims)
    rows: list[ClaimRow] = rows_from_claims(claims, truth)
    for row, cv in zip(rows, claims):
        row.circuit = _row(ex.circuit, cv)
    by_step: dict[int, list[int]] = defaultdict(list)
    for i, cv in enumerate(claims):
        by_step[cv.step].append(i)
    statements = [CircuitRow("value", g.node, rule=g.expr) for g in ex.circuit.gates]
    steps = [StepSection(s, [rows[i] for i in idx], circuit=_picture(ex, s, [claims[i] for i in idx]),
                         statements=statements) for s, idx in sorted(by_step.items())]
    used = sorted({sub.op for g in ex.circuit.gates for _, sub in walk(g.expr) if isinstance(sub, Apply)}
                  & set(CATALOG_GATES))
    derivations = []
    for name in used:
        d = figures.derivation(name, "activation", {})
        d.plot = figures.plot(name, "activation", {}, y=None)
        derivations.append(d)
    disagreements = [r.disagreement for r in rows if r.disagreement is not None]
    counts = result.summary()
    return ReportModel(
        title=result.title, source=result.source, summary_text=result.summary_text(),
        counts={k: counts.get(k, 0) for k in ("correct", "follows", "wrong")},
        conventions=_conventions(ex.circuit),
        steps=steps, derivations=derivations, notes=notes,
        truth_agreement=max(disagreements) if disagreements else None, table_claims=claimed.rows(result),
    )


def _conventions(c: Circuit) -> list[tuple[str, str]]:
    """The circuit's givens in words (its statements are under the picture)."""
    out = [("inputs", ", ".join(f"{n} = {number_text(v)}" for n, v in c.inputs)),
           ("output", f"{c.output}, its gradient with respect to itself {number_text(c.seed)}")]
    if c.update:
        out.append(("update", f"{', '.join(c.update)} by the learning rate {number_text(c.learning_rate or Fraction(0))} "
                              "times the gradient, between steps"))
    return out
