"""The symbolic column of a circuit's report: SymPy rebuilds the circuit from exact inputs.

A node's value is its expression of exact rationals; the gradient of the output with respect to a
node is the derivative of the output rebuilt with that node as a variable (so every path through it
is differentiated, none summed by hand); a local gradient is the derivative of the gate's own
expression. Later steps start from the inputs updated exactly.
"""

from __future__ import annotations

from typing import Any

from gradverify.judge.circuit import Circuit, Key, grad_key, local_key, value_key
from gradverify.judge.circuitexpr import Const, Expr, Named, Ref

DIGITS = 30


def _sympy(e: Expr, env: dict[str, Any]) -> Any:
    import sympy as sp

    if isinstance(e, Const):
        return sp.Rational(e.value.numerator, e.value.denominator)
    if isinstance(e, Named):
        return sp.E if e.name == "e" else sp.pi
    if isinstance(e, Ref):
        return env[e.name]
    a = [_sympy(x, env) for x in e.args]
    op = e.op
    if op == "add":
        return sp.Add(*a)
    if op == "mul":
        return sp.Mul(*a)
    if op == "neg":
        return -a[0]
    if op == "div":
        return a[0] / a[1]
    if op == "pow":
        return a[0] ** a[1]
    if op in ("max", "min"):
        return (sp.Max if op == "max" else sp.Min)(*a)
    u = a[0]
    sig = 1 / (1 + sp.exp(-u))
    forms = {
        "exp": lambda: sp.exp(u), "log": lambda: sp.log(u), "sqrt": lambda: sp.sqrt(u), "abs": lambda: sp.Abs(u),
        "sigmoid": lambda: sig, "tanh": lambda: sp.tanh(u), "relu": lambda: sp.Max(0, u),
        "leaky_relu": lambda: sp.Piecewise((u, u > 0), (a[1] * u, True)),
        "prelu": lambda: sp.Piecewise((u, u > 0), (a[1] * u, True)),
        "elu": lambda: sp.Piecewise((u, u > 0), (a[1] * (sp.exp(u) - 1), True)),
        "softplus": lambda: sp.log(1 + sp.exp(u)), "gelu": lambda: u * (1 + sp.erf(u / sp.sqrt(2))) / 2,
        "silu": lambda: u * sig, "identity": lambda: u,
    }
    return forms[op]()


def exact_values(c: Circuit, n_steps: int) -> dict[Key, float]:
    """Every value, gradient and local gradient of every step, by SymPy (to 30 digits, as floats)."""
    import sympy as sp

    out: dict[Key, float] = {}
    inputs = {n: sp.Rational(v.numerator, v.denominator) for n, v in c.inputs}
    for s in range(1, n_steps + 1):
        values = dict(inputs)
        for g in c.gates:
            values[g.node] = _sympy(g.expr, values)
        for n, v in values.items():
            out[value_key(s, n)] = float(sp.N(v, DIGITS))
        for g in c.gates:
            for p in g.parents:
                t = sp.Symbol("t")
                local = sp.diff(_sympy(g.expr, {**values, p: t}), t).subs(t, values[p])
                out[local_key(s, g.node, p)] = float(sp.N(local, DIGITS))
        grads = {}
        for n in c.nodes:
            t = sp.Symbol("t")
            moved = {**values, n: t}
            after = n not in c.gate
            for g in c.gates:
                if g.node == n:
                    after = True
                elif after:
                    moved[g.node] = _sympy(g.expr, moved)
            grads[n] = sp.diff(moved[c.output], t).subs(t, values[n]) * sp.Rational(c.seed.numerator, c.seed.denominator)
            out[grad_key(s, n)] = float(sp.N(grads[n], DIGITS))
        lr = sp.Rational(c.learning_rate.numerator, c.learning_rate.denominator) if c.learning_rate else 0
        inputs = {n: (v - lr * grads[n] if n in c.update else v) for n, v in inputs.items()}
    return out
