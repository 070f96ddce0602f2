"""The computation graphs seed 001 draws, one for each function it differentiates.

Each is the seed's own decomposition into intermediate nodes (u = -x, v = e^u, w = 1 + v, f = 1/w
for the sigmoid; a max gate for ReLU; c = alpha x for leaky ReLU; z = x, c = a z for PReLU; u_i =
e^{a_i}, t = sum u_i, s_i = u_i / t for softmax; one output's share of each loss), built into a
`Step` by `steps.graph_of`: local partial derivatives on the edges, the sum over all paths. A max
gate or a select is a Piecewise whose derivative takes the catalog's kink convention (relu'(0) =
0, the hinge's 0 at the margin). For a loss, S sums one output's term with R, the terms of the
other outputs (which do not depend on this output's a).
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from gradverify.derivations.catalog import Entry
from gradverify.derivations.prose import Prose, prose
from gradverify.derivations.steps import Step, graph_of

R = sp.Symbol("R", real=True)  # the other outputs' terms of a summed loss
F = sp.Function


def eq(lhs: sp.Basic, rhs: sp.Basic) -> sp.Basic:
    """lhs = rhs as written."""
    return sp.Eq(lhs, rhs, evaluate=False)


def total(term: sp.Basic, mean: bool = False, sign: int = 1) -> tuple:
    """How the seed's last node S gathers one term per output: words and the term."""
    how = "the mean" if mean else "the sum"
    return (f"S {'minus ' if sign < 0 else ''}{how} of ", term, " over the outputs")


def _sigmoid(e: Entry, var: str) -> list[Step]:
    x = e.sym("x")
    u, v, w, f = sp.symbols("u v w f")
    return [graph_of([(u, -x), (v, sp.exp(u)), (w, 1 + v), (f, 1 / w)], x,
                     note=prose("seed 001's graph, ", eq(F("g")(x), F("f")(F("w")(F("v")(F("u")(x))))),
                                ": one path"))]


def _tanh(e: Entry, var: str) -> list[Step]:
    x = e.sym("x")
    u, v, z, w, y = sp.symbols("u v z w y")
    return [graph_of([(u, sp.exp(x)), (v, sp.exp(-x)), (z, u - v), (w, u + v), (y, z / w)], x,
                     note=prose("seed 001's graph, ", eq(sp.tanh(x), F("y")(F("z")(u, v), F("w")(u, v))),
                                ": the sum over the 4 paths simplifies to ", 4 / (sp.exp(x) + sp.exp(-x)) ** 2,
                                " (the seed's last step lost the 4)"))]


def _relu(e: Entry, var: str) -> list[Step]:
    x = e.sym("x")
    y = sp.Symbol("y")
    return [graph_of([(y, sp.Piecewise((x, x > 0), (0, True)))], x,
                     note=prose("seed 001's max gate ", eq(y, sp.Max(0, x)), ": the gradient flows back only where ",
                                x > 0, " (0 at ", eq(x, 0), ", the catalog's convention)"))]


def _leaky_relu(e: Entry, var: str) -> list[Step]:
    x, alpha = e.sym("x"), e.sym("alpha")
    c, y = sp.symbols("c y")
    return [graph_of([(c, alpha * x), (y, sp.Piecewise((x, x > 0), (c, True)))], x,
                     note=prose("seed 001's graph, ", eq(c, alpha * x), ": y is x where ", x > 0,
                                " and c elsewhere; two paths, 1 and ", alpha))]


def _prelu(e: Entry, var: str) -> list[Step]:
    x, a = e.sym("x"), e.sym("a")
    z, c, y = sp.symbols("z c y")
    return [graph_of([(z, x), (c, a * z), (y, sp.Piecewise((z, z > 0), (c, True)))], e.sym(var),
                     note=prose("seed 001's graph, ", eq(z, x), ", ", eq(c, a * z), ": the decomposition is ",
                                F("y")(F("z")(x), F("c")(F("z")(x), a)), " (the seed writes ", F("z")(a),
                                ", but z is made from x)"))]


def _softmax(e: Entry, var: str) -> list[Step]:
    a = sp.symbols("a1:4", real=True)
    u = sp.symbols("u1:4")
    t = sp.Symbol("t")
    nodes = [(u[k], sp.exp(a[k])) for k in range(3)] + [(t, sp.Add(*u))]
    s1, s2, s3 = sp.symbols("s1 s2 s3")
    ui, ai, si = sp.symbols("u_i a_i s_i")
    return [graph_of(nodes + [(s1, u[0] / t)], a[0],
                     note=prose("seed 001's graph at N = 3, ", eq(ui, sp.exp(ai)), ", ", eq(t, sp.Add(*u)),
                                ", ", eq(si, ui / t), ": two paths from ", a[0], " to ", s1, " give ", s1 * (1 - s1),
                                " (the seed first writes ", eq(t, sp.Add(*a)), " and ", -ai / t**2, ", where ", ui,
                                " is meant)")),
            graph_of(nodes + [(s3, u[2] / t)], a[1],
                     note=prose("one path from ", a[1], " to ", s3, ", through t: ", -s3 * s2))]


def _loss(build: Callable[[sp.Symbol, sp.Symbol, Entry], list[tuple[sp.Symbol, sp.Expr]]],
          note: Callable[[], Prose]) -> Callable[[Entry, str], list[Step]]:
    """A per-output loss graph: nodes for one output's term, then S = (term + R) (over n for a mean)."""
    def make(e: Entry, var: str) -> list[Step]:
        a, y = e.sym("a"), e.sym("y")
        nodes = build(a, y, e)
        top = nodes[-1][0]
        S = sp.Symbol("S")
        return [graph_of(nodes + [(S, (top + R) * e.scale())], a, note=note())]
    return make


def _cross_entropy(a: sp.Symbol, y: sp.Symbol, e: Entry) -> list:
    u, v = sp.symbols("u v")
    return [(u, sp.log(a)), (v, -y * u)]


def _hinge(a: sp.Symbol, y: sp.Symbol, e: Entry) -> list:
    u, v, h = sp.symbols("u v h")
    return [(u, -y * a), (v, 1 + u), (h, sp.Piecewise((v, v > 0), (0, True)))]


def _l1(a: sp.Symbol, y: sp.Symbol, e: Entry) -> list:
    u, w = sp.symbols("u w", real=True)  # real: d|u|/du = sgn(u)
    return [(u, y - a), (w, sp.Abs(u))]


def _huber(a: sp.Symbol, y: sp.Symbol, e: Entry) -> list:
    d = e.sym("delta")
    t, u, v, w, p, q, z = sp.symbols("t u v w p q z", real=True)
    return [(t, y - a), (u, t**2 / 2), (v, d * sp.Abs(t)), (w, v - d**2 / 2),
            (p, sp.Piecewise((u, sp.Abs(t) <= d), (0, True))), (q, sp.Piecewise((w, sp.Abs(t) > d), (0, True))),
            (z, p + q)]


def _mse(a: sp.Symbol, y: sp.Symbol, e: Entry) -> list:
    u, v = sp.symbols("u v")
    return [(u, y - a), (v, u**2)]


def _cosine(a: sp.Symbol, y: sp.Symbol, e: Entry) -> list:
    u, v = sp.symbols("u v")
    return [(u, y * a), (v, -u)]


def _sym(name: str) -> sp.Symbol:
    return sp.Symbol(name)


GRAPHS: dict[str, Callable[[Entry, str], list[Step]]] = {
    "sigmoid": _sigmoid, "tanh": _tanh, "relu": _relu, "leaky_relu": _leaky_relu, "prelu": _prelu,
    "softmax": _softmax,
    "cross_entropy": _loss(_cross_entropy, lambda: prose(
        "seed 001's graph, ", eq(_sym("u_i"), sp.log(_sym("a_i"))), ", ", eq(_sym("v_i"), -_sym("y_i") * _sym("u_i")),
        ", ", *total(_sym("v_i")))),
    "hinge": _loss(_hinge, lambda: prose(
        "seed 001's graph, ", eq(_sym("u_i"), -_sym("y_i") * _sym("a_i")), ", ", eq(_sym("v_i"), 1 + _sym("u_i")), ", ",
        eq(_sym("h_i"), sp.Max(0, _sym("v_i"))), " (a max gate: 0 at the margin), ", *total(_sym("h_i")))),
    "l1": _loss(_l1, lambda: prose(
        "seed 001's graph, ", eq(_sym("u_i"), _sym("y_i") - _sym("a_i")), ", ", *total(sp.Abs(_sym("u_i")), mean=True))),
    "huber": _loss(_huber, lambda: prose(
        "seed 001's graph, ", eq(_sym("t"), _sym("y") - _sym("a")), ", ", eq(_sym("u"), _sym("t") ** 2 / 2), ", ",
        eq(_sym("v"), _sym("delta") * sp.Abs(_sym("t"))), ", ", eq(_sym("w"), _sym("v") - _sym("delta") ** 2 / 2),
        "; p is u where ", sp.Abs(_sym("t")) <= _sym("delta"), ", q is w where ", sp.Abs(_sym("t")) > _sym("delta"),
        ", ", eq(_sym("z"), _sym("p") + _sym("q")))),
    "mean_squared_error": _loss(_mse, lambda: prose(
        "seed 001's graph, ", eq(_sym("u_i"), _sym("y_i") - _sym("a_i")), ", ", eq(_sym("v_i"), _sym("u_i") ** 2), ", ",
        *total(_sym("v_i"), mean=True))),
    "cosine_similarity": _loss(_cosine, lambda: prose(
        "seed 001's graph, ", eq(_sym("u_i"), _sym("y_i") * _sym("a_i")), ", ", *total(_sym("u_i"), mean=True, sign=-1))),
}


def seed_graphs(entry: Entry, var: str) -> list[Step] | None:
    """Seed 001's graphs of `entry` with respect to `var`, or None when the seed draws none."""
    make = GRAPHS.get(entry.name)
    return make(entry, var) if make is not None else None

