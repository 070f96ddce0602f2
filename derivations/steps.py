"""Step-by-step derivations as trees of named steps, for every catalog entry.

A `Step` holds a kind, the rule's name, the expression before and after, children and a note.
`derivation(name)` gives, for one entry: the rule-by-rule differentiation (quotient, product,
chain, power, exp/log, tanh, erf, Max and piecewise rules), the computation graph of intermediate
nodes u, v, w ... with the sum over paths (seed 001's own graph where it draws one: `seedgraphs`),
the simplification, and every
textbook form with its proof verdict. The report layer prints the same tree to LaTeX and MathML
with one `Visitor`; `to_text` is the plain printer of `gradverify derive NAME --steps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any, Iterator

import sympy as sp

from gradverify.derivations import catalog
from gradverify.derivations import readable
from gradverify.derivations.catalog import Entry
from gradverify.derivations.prose import Prose, joined, plain, prose

MAX_PATHS = 64


@dataclass
class Step:
    """One node of a derivation: `kind` is derivation | rule | graph | node | paths | path |
    simplify | form; `rule` names the rule; `before`/`after` are SymPy expressions."""

    kind: str
    rule: str
    before: Any = None
    after: Any = None
    children: list["Step"] = field(default_factory=list)
    note: str | Prose = ""
    wrt: Any = None  # the variable a derivation or graph differentiates by, when its `before` does not say

    def walk(self, depth: int = 0) -> Iterator[tuple["Step", int]]:
        """Every step with its depth, parents first."""
        yield self, depth
        for c in self.children:
            yield from c.walk(depth + 1)

    def accept(self, visitor: "Visitor", depth: int = 0) -> Any:
        return visitor.visit(self, depth)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "rule": self.rule, "before": _s(self.before), "after": _s(self.after),
                "note": str(self.note), "children": [c.to_json() for c in self.children]}


class Visitor:
    """Override `enter`/`leave` to print a tree in any notation; `visit` walks the children."""

    def visit(self, step: Step, depth: int) -> Any:
        self.enter(step, depth)
        for c in step.children:
            c.accept(self, depth + 1)
        self.leave(step, depth)

    def enter(self, step: Step, depth: int) -> None:  # pragma: no cover - interface
        pass

    def leave(self, step: Step, depth: int) -> None:
        pass


def _s(e: Any) -> str | None:
    return None if e is None else str(e)


# -- rule by rule ------------------------------------------------------------------------------------
def differentiate(expr: sp.Expr, var: sp.Symbol) -> Step:
    """d expr / d var as a tree of named rules (the result of each node is its `after`)."""
    e = sp.sympify(expr)
    d = sp.Derivative(e, var)
    if not e.has(var):
        return Step("rule", "constant", d, sp.Integer(0))
    if e == var:
        return Step("rule", "variable", d, sp.Integer(1))
    if isinstance(e, sp.Add):
        kids = [differentiate(t, var) for t in e.args]
        return Step("rule", "sum rule", d, sp.Add(*[k.after for k in kids]), kids)
    if isinstance(e, sp.Mul):
        return _mul(e, var, d)
    if isinstance(e, sp.Pow):
        base, ex = e.args
        if ex == -1:  # 1/g by the quotient rule, as hand derivations of the sigmoid do
            dn, dd = differentiate(sp.Integer(1), var), differentiate(base, var)
            after = (dn.after * base - dd.after) / base**2
            return Step("rule", "quotient rule", d, after, [dn, dd], prose("with f = ", 1, ", g = ", base))
        if not ex.has(var):
            inner = differentiate(base, var)
            outer = ex * base ** (ex - 1)
            rule = "power rule" if ex.is_positive or not ex.is_number else "power rule (negative exponent)"
            u = sp.Symbol("u")
            return _chain(rule, d, outer, base, var, inner,
                          prose(_eq(sp.Derivative(u ** ex, u), ex * u ** (ex - 1)), " at u = ", base))
        return _function(sp.exp(ex * sp.log(base)), var, d,
                         note=prose(_eq(e, sp.exp(sp.Mul(ex, sp.log(base), evaluate=False), evaluate=False))))
    if isinstance(e, sp.Piecewise):
        kids = [differentiate(v, var) for v, _c in e.args]
        after = sp.Piecewise(*[(k.after, c) for k, (_v, c) in zip(kids, e.args)])
        return Step("rule", "piecewise rule", d, after, kids,
                    "each branch is differentiated on its open region; the kink takes the catalog's convention")
    return _function(e, var, d)


def _mul(e: sp.Mul, var: sp.Symbol, d: sp.Expr) -> Step:
    const = [f for f in e.args if not f.has(var)]
    rest = [f for f in e.args if f.has(var)]
    if const:
        c = sp.Mul(*const)
        inner = differentiate(sp.Mul(*rest), var)
        return Step("rule", "constant factor", d, c * inner.after, [inner], prose("the factor ", c, " is carried"))
    num = sp.Mul(*[f for f in rest if not (isinstance(f, sp.Pow) and f.exp.is_negative)])
    den = sp.Mul(*[1 / f for f in rest if isinstance(f, sp.Pow) and f.exp.is_negative])
    if den != 1:
        dn, dd = differentiate(num, var), differentiate(den, var)
        after = (dn.after * den - num * dd.after) / den**2
        return Step("rule", "quotient rule", d, after, [dn, dd], prose("with f = ", num, ", g = ", den))
    first, second = rest[0], sp.Mul(*rest[1:])
    d1, d2 = differentiate(first, var), differentiate(second, var)
    return Step("rule", "product rule", d, d1.after * second + first * d2.after, [d1, d2],
                prose("with f = ", first, ", g = ", second))


_OUTER = {
    sp.exp: ("exponential rule", lambda u: sp.exp(u)),
    sp.log: ("logarithm rule", lambda u: 1 / u),
    sp.tanh: ("tanh rule", lambda u: 1 - sp.tanh(u) ** 2),
    sp.sinh: ("sinh rule", lambda u: sp.cosh(u)),
    sp.cosh: ("cosh rule", lambda u: sp.sinh(u)),
    sp.sech: ("sech rule", lambda u: -sp.sech(u) * sp.tanh(u)),
    sp.erf: ("erf rule", lambda u: 2 / sp.sqrt(sp.pi) * sp.exp(-u**2)),
    sp.Abs: ("absolute value rule", lambda u: sp.sign(u)),
    sp.sign: ("sign rule", lambda u: sp.Integer(0)),
}


def _function(e: sp.Expr, var: sp.Symbol, d: sp.Expr, note: str | Prose = "") -> Step:
    if isinstance(e, (sp.Max, sp.Min)):
        args = e.args
        kids = [differentiate(a, var) for a in args]
        if len(args) == 2:
            a0, a1 = args
            pick = (a1 > a0) if isinstance(e, sp.Max) else (a1 < a0)
            after = sp.Piecewise((kids[1].after, pick), (kids[0].after, True))
            return Step("rule", "Max rule" if isinstance(e, sp.Max) else "Min rule", d, after, kids,
                        prose("the derivative of the active argument; at ", _eq(a0, a1),
                              " the catalog's kink convention applies"))
        raise ValueError("Max/Min of more than two arguments")
    for fn, (rule, outer) in _OUTER.items():
        if isinstance(e, fn):
            u = e.args[0]
            o = outer(u)
            if u == var:
                return Step("rule", rule, d, o, [], note)
            return _chain(rule, d, o, u, var, differentiate(u, var), note)
    raise ValueError(f"no differentiation rule for {type(e).__name__}")


def _chain(rule: str, d: sp.Expr, outer: sp.Expr, inner_expr: sp.Expr, var: sp.Symbol, inner: Step,
           note: str | Prose = "") -> Step:
    if inner_expr == var:
        return Step("rule", rule, d, outer, [inner], note)
    u = sp.Symbol("u")
    head = Step("rule", rule, sp.Symbol("outer"), outer, [], note or prose("outer derivative at ", _eq(u, inner_expr)))
    return Step("rule", "chain rule", d, outer * inner.after, [head, inner], prose("with ", _eq(u, inner_expr)))


def _eq(lhs: Any, rhs: Any) -> sp.Basic:
    """lhs = rhs as written, never evaluated to True or False."""
    return sp.Eq(lhs, rhs, evaluate=False)


# -- computation graph -----------------------------------------------------------------------------
def graph(expr: sp.Expr, var: sp.Symbol) -> Step:
    """Intermediate nodes u, v, w ... for every compound subexpression, the local derivative on each
    edge, and d out/d var as the sum over all paths of the products of local derivatives."""
    names = _names()
    node_of: dict[sp.Expr, sp.Symbol] = {}
    order: list[tuple[sp.Symbol, sp.Expr]] = []

    def visit(e: sp.Expr) -> sp.Basic:
        if e == var or not e.has(var):
            return e
        if e in node_of:
            return node_of[e]
        kids = [visit(a) for a in e.args]
        sym = next(names)
        node_of[e] = sym
        order.append((sym, e.func(*kids) if kids else e))
        return sym

    visit(sp.sympify(expr))
    if not order:
        raise ValueError("no intermediate nodes: the function is its variable")
    return graph_of(order, var, expr)


def graph_of(nodes: list[tuple[sp.Symbol, sp.Expr]], var: sp.Symbol, expr: sp.Expr | None = None,
             note: str = "") -> Step:
    """The computation graph of named nodes (each written in earlier nodes and var; the last is the
    output): local partial derivatives on the edges and the sum over all paths to var."""
    defined = {sym for sym, _e in nodes}
    edges: dict[sp.Symbol, list[tuple[sp.Basic, sp.Expr]]] = {}
    steps: list[Step] = []
    for sym, local in nodes:
        deps = sorted((local.free_symbols & (defined | {var})) - {sym}, key=sp.default_sort_key)
        edges[sym] = [(d, sp.diff(local, d)) for d in deps]
        steps.append(Step("node", "intermediate node", sym, local))
    top = nodes[-1][0]
    paths: list[Step] = []

    def walk(at: sp.Basic, trail: list[tuple[sp.Basic, sp.Basic, sp.Expr]]) -> None:
        if len(paths) > MAX_PATHS:
            raise ValueError("too many paths")
        if at == var:
            prod = sp.Mul(*[p for _a, _b, p in trail])
            text = " -> ".join([str(top)] + [str(b) for _a, b, _p in trail])
            paths.append(Step("path", "path", sp.Symbol(text), prod, [],
                              prose(*joined([_eq(sp.Derivative(a, b), p) for a, b, p in trail], "; "))))
            return
        for child, local in edges.get(at, []):
            walk(child, trail + [(at, child, local)])

    walk(top, [])
    substituted = sp.Add(*[p.after for p in paths])
    values = dict(nodes)
    for _ in range(len(values) + 1):
        substituted = substituted.xreplace(values)
    total = Step("paths", "sum over paths", sp.Add(*[p.after for p in paths]), substituted, paths,
                 prose(f"{len(paths)} path(s) from ", top, " to ", var, "; nodes replaced by their expressions"),
                 wrt=var)
    simple = sp.factor(sp.simplify(substituted))
    done = Step("simplify", "simplify", substituted, simple, [], "")
    out = expr
    if out is None:
        out = nodes[-1][1]
        for _ in range(len(values) + 1):
            out = out.xreplace(values)
    return Step("graph", "computation graph", out, simple, steps + [total, done],
                note or "each node is one operation; edges carry local partial derivatives", wrt=var)


def _names() -> Iterator[sp.Symbol]:
    for ch in "uvwpqrtghk":
        yield sp.Symbol(ch)
    for i in count(1):
        yield sp.Symbol(f"n{i}")


# -- a whole entry -----------------------------------------------------------------------------------
def derivation(name: str, wrt: str | None = None, *, forms: bool = True, reduction: str | None = None,
               batch: str = "sum") -> Step:
    """The derivation tree of one catalog entry (rule by rule, graph, simplification, forms).
    `reduction` ("sum"/"mean" over the n outputs) overrides a loss's own; `batch="mean"` divides
    by the batch size m; the forms listed are those that assume the same."""
    entry = catalog.get(name)
    var = entry._wrt(wrt)
    if entry.name == "softmax":
        root = _softmax(entry)
    elif entry.name == "softmax_cross_entropy":
        root = _softmax_ce(entry)
    else:
        root = _scalar(entry, var, reduction, batch)
    if forms:
        chosen = entry.forms_for(var, reduction, batch if batch != "sum" or reduction else None)
        root.children += _forms(entry, chosen, root.after)
    return root


def _scalar(entry: Entry, var: str, reduction: str | None = None, batch: str = "sum") -> Step:
    if entry.sized is not None:
        built = entry.sized(2)
        v = built.symbols[var][0]
        f = built.definition.xreplace(dict(built.abbreviations))
        truth = sp.diff(f, v)
    else:
        v = entry.sym(var)
        f = entry.definition * entry.scale(reduction)
        truth = entry.derivative(var, reduction=reduction)
    if batch == "mean":
        f, truth = f / catalog.N_BATCH, truth / catalog.N_BATCH
    kids: list[Step] = []
    if entry.name == "tanh":
        rewritten = (sp.exp(v) - sp.exp(-v)) / (sp.exp(v) + sp.exp(-v))
        kids.append(Step("rule", "rewrite", f, rewritten, [], prose(_eq(sp.tanh(v), rewritten))))
        f = rewritten
    rules = differentiate(f, v)
    kids.append(rules)
    smooth = not f.has(sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside)
    from gradverify.derivations.seedgraphs import seed_graphs  # they are built with graph_of, below

    drawn = seed_graphs(entry, var) if batch == "sum" and (reduction is None or reduction == entry.reduction) else None
    if drawn:
        kids += drawn
    elif smooth:
        try:
            kids.append(graph(f, v))
        except ValueError:
            pass
    result = rules.after
    simple = sp.simplify(result) if smooth else sp.piecewise_fold(result)
    same = sp.simplify((result - truth).rewrite(sp.exp)) == 0 if smooth else True
    kids.append(Step("simplify", "simplify", result, simple, [],
                     "equals SymPy's derivative of the definition" if same else
                     "differs from the catalog's derivative only at a kink (its convention decides there)"))
    return Step("derivation", f"d {entry.name}/d{var}", f, truth, kids, _defined(entry, v, f), wrt=v)


def _defined(entry: Entry, v: sp.Symbol, f: sp.Expr) -> Prose:
    """What is differentiated: f(x) = ... for an activation, one output's term of a loss."""
    if entry.kind == "activation":
        return prose(_eq(sp.Function("f")(v), f))
    return prose("one output's term of the loss: ", f)


def _softmax(entry: Entry) -> Step:
    xi, xj, R = sp.symbols("x_i x_j R", real=True)
    S = sp.exp(xi) + sp.exp(xj) + R  # R: the exponentials of the other logits (constant here)
    s_i, s_j, S_ = sp.symbols("s_i s_j S")
    i, j = sp.symbols("i j")
    k, n = sp.symbols("k n", integer=True)
    x_k, v_i, v_j = sp.symbols("x_k v_i v_j")
    total = _eq(S_, sp.Sum(sp.exp(x_k), (k, 1, n)))
    same = Step("rule", "quotient rule, case i = j", sp.Derivative(sp.exp(xi) / S, xi),
                (sp.exp(xi) * S - sp.exp(xi) * sp.exp(xi)) / S**2, [],
                prose("with ", total, " and ", _eq(sp.Derivative(S_, xi), sp.exp(xi)), "; this is ",
                      _eq(s_i - s_i**2, s_i * (1 - s_i))))
    other = Step("rule", "quotient rule, case i \u2260 j", sp.Derivative(sp.exp(xi) / S, xj),
                 (0 * S - sp.exp(xi) * sp.exp(xj)) / S**2, [],
                 prose("with ", _eq(sp.Derivative(sp.exp(xi), xj), 0), " and ", _eq(sp.Derivative(S_, xj), sp.exp(xj)),
                       "; this is ", -s_i * s_j))
    combine = Step("simplify", "combine the cases with the Kronecker delta",
                   sp.Piecewise((s_i * (1 - s_i), sp.Eq(i, j)), (-s_i * s_j, True)),
                   s_i * (sp.KroneckerDelta(i, j) - s_j), [], prose("with ", _eq(s_i, sp.exp(xi) / S_)))
    vjp = Step("rule", "vector-Jacobian product", sp.Symbol("z_i"),
               s_i * (v_i - sp.Sum(v_j * sp.Symbol("s_j"), (j, 1, n))), [],
               prose("of a vector v: ", _eq(sp.Symbol("z_i"), sp.Sum(v_j * s_j * (sp.KroneckerDelta(j, i) - s_i), (j, 1, n)))))
    from gradverify.derivations.seedgraphs import seed_graphs  # they are built with graph_of, above

    return Step("derivation", "the softmax Jacobian", sp.exp(xi) / S_, combine.after,
                [same, other, combine, vjp, *(seed_graphs(entry, "x") or [])],
                prose(_eq(s_i, sp.exp(xi) / sp.Sum(sp.exp(x_k), (k, 1, n)))), wrt=xj)


def _softmax_ce(entry: Entry) -> Step:
    s_i, y_i, L, x_i = sp.symbols("s_i y_i L x_i")
    k, n = sp.symbols("k n", integer=True)
    y_k, s_k = sp.symbols("y_k s_k")
    i = sp.Symbol("i", integer=True)
    through = sp.Sum(sp.Mul(-y_k / s_k, s_k, sp.KroneckerDelta(k, i) - s_i, evaluate=False), (k, 1, n))
    chain = Step("rule", "chain rule through softmax", sp.UnevaluatedExpr(sp.Derivative(L, x_i)), through, [],
                 prose("with ", _eq(sp.Derivative(L, s_k), -y_k / s_k), " and ",
                       _eq(sp.Derivative(s_k, x_i), s_k * (sp.KroneckerDelta(k, i) - s_i))))
    expand = Step("simplify", "cancel, then sum the Kronecker delta", chain.after,
                  -y_i + s_i * sp.Sum(y_k, (k, 1, n)), [], "")
    use = Step("simplify", "the targets sum to 1 (one-hot or a probability vector)", expand.after, s_i - y_i, [],
               prose("the one assumption this form needs: equivalent on the domain ", _eq(sp.Sum(y_k, (k, 1, n)), 1)))
    return Step("derivation", "the gradient of the fused loss", -sp.Sum(y_k * sp.log(s_k), (k, 1, n)), s_i - y_i,
                [chain, expand, use], prose("the loss of the logits x through softmax: ",
                                            _eq(L, -sp.Sum(y_k * sp.log(s_k), (k, 1, n)))), wrt=x_i)


def _forms(entry: Entry, forms: tuple[catalog.Form, ...], result: sp.Basic) -> list[Step]:
    """Each textbook form as a step from the derived result, with the proof that connects them
    (the rewrite that brings the difference to 0) or the counterexample that separates them."""
    from gradverify.derivations import checks

    out = []
    for form in forms:
        if form.n not in (None, entry.sizes[0] if entry.sizes else None):
            continue
        proof = checks.check(entry, form).proof
        ce = proof.counterexample or {}
        how = proof.method if proof.verdict != "refuted" else (
            f"counterexample at {readable.point(ce.get('point'))}: form {readable.number(ce.get('form'))}, "
            f"derivative {readable.number(ce.get('truth'))}")
        out.append(Step("form", "textbook form", result, form.expr, [],
                        f"{form.label}: {proof.verdict} by {how}" + (f" (seed {form.seed})" if form.seed else "")
                        + (f"; {form.note}" if form.note else "")))
    return out


# -- plain text ------------------------------------------------------------------------------------
class TextPrinter(Visitor):
    """Indented plain text: one line per step, the rule and before -> after, formulas as `plain` prints them."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def enter(self, step: Step, depth: int) -> None:
        pad = "  " * depth
        if step.kind == "form":
            self.lines.append(f"{pad}form: {_plain(step.after)}   [{step.note}]")
            return
        if step.kind == "node":
            self.lines.append(f"{pad}{_plain(step.before)} = {_plain(step.after)}")
            return
        if step.kind == "path":
            self.lines.append(f"{pad}path {_plain(step.before)}: {step.note} -> {_plain(step.after)}")
            return
        before = "" if step.before is None else _plain(step.before)
        arrow = f" = {_plain(step.after)}" if step.after is not None else ""
        self.lines.append(f"{pad}[{step.rule}] {before}{arrow}")
        if step.note and step.kind in ("derivation", "rule", "graph", "paths", "simplify"):
            self.lines.append(f"{pad}    ({step.note})")


def _plain(e: Any) -> str:
    return e.name if isinstance(e, sp.Symbol) else plain(e) if isinstance(e, (sp.Basic, sp.MatrixBase)) else str(e)


def to_text(step: Step) -> str:
    """The plain-text printing of a derivation tree."""
    p = TextPrinter()
    step.accept(p)
    return "\n".join(p.lines)
