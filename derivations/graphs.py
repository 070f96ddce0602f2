"""A computation graph as a hand draws it, judged: its nodes, the function it computes, the local
partial derivative written on each edge, the total derivatives it reaches, and its decomposition.

Seed 001 draws one for every function (u = -x, v = e^u, w = 1 + v, f = 1/w for the sigmoid; a max
gate for ReLU; u_i = e^{a_i}, t = sum u_i, s_i = u_i / t for softmax) and seed 002 chains one
through a small network. The slips they make are graph slips: an edge labelled with a node it
does not join (E written on p2, differentiated through z), an input written where the node made
from it is meant (t = sum a_i, -a_i/t^2 where u_i = e^{a_i} is meant), a decomposition naming the
wrong parent (PReLU's z(a) for z = x). Nodes may carry a free index i (u_i = e^{a_i}), expanded
for i = 1..n. Runs in the sandbox's worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import sympy as sp

from gradverify.derivations import catalog
from gradverify.derivations.equivalence import (
    EQUIVALENT, NOT_EQUIVALENT, UNDECIDED, Builder, ClaimError)
from gradverify.derivations.parse import Node
from gradverify.derivations.proofs import PROVED, REFUTED, Assumptions, prove

EDGE = re.compile(r"^\s*(?:d|\\partial\s*)\s*([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?)\s*/\s*(?:d|\\partial\s*)\s*"
                  r"([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?)\s*$")
LETTERS = ("i", "j")


def key(name: str, index: Mapping[str, int]) -> str:
    """u_i at i = 2 -> "u2"; p_2 -> "p2"; t -> "t"."""
    stem, _, idx = name.partition("_")
    if not idx:
        return stem
    return stem + str(index[idx]) if idx in index else stem + idx


def shown(k: str) -> str:
    """"u2" -> "u_2" (how a hand writes the node)."""
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", k)
    return f"{m.group(1)}_{m.group(2)}" if m else k


@dataclass
class Graph:
    """Nodes in order, each defined on its parents; every other name is an input."""

    n: int
    order: list[str] = field(default_factory=list)
    local: dict[str, sp.Expr] = field(default_factory=dict)  # node -> definition on its parents' symbols
    symbols: dict[str, sp.Symbol] = field(default_factory=dict)
    known: dict[str, sp.Symbol] = field(default_factory=dict)  # the catalog entry's own (delta > 0)

    def symbol(self, k: str) -> sp.Symbol:
        if k not in self.symbols:
            self.symbols[k] = self.known.get(k) or sp.Symbol(k, real=True)
        return self.symbols[k]

    def resolve(self, name: str, index: Mapping[str, int]) -> sp.Expr:
        if name in ("N", "n"):
            return sp.Integer(self.n)
        stem, _, idx = name.partition("_")
        if idx and not idx.isdigit() and idx not in index and idx not in ("N", "n"):
            raise ClaimError(f"the index {idx!r} of {name} is not bound: use a sum, a node's own index, or a number")
        return self.symbol(key(name, {**index, "N": self.n, "n": self.n}))

    def parents(self, k: str) -> set[str]:
        return {s.name for s in self.local[k].free_symbols}

    def full(self, expr: sp.Expr) -> sp.Expr:
        """The expression with every node replaced by its definition, down to the inputs."""
        for _ in range(len(self.order) + 1):
            nodes = {self.symbols[k]: self.local[k] for k in self.order if self.symbols[k] in expr.free_symbols}
            if not nodes:
                return expr
            expr = expr.xreplace(nodes)
        return expr

    @property
    def inputs(self) -> list[str]:
        used = set().union(*(self.parents(k) for k in self.order)) if self.order else set()
        return sorted(used - set(self.order))

    @property
    def output(self) -> list[str]:
        """The last node defined (all its indices)."""
        last = re.sub(r"\d+$", "", self.order[-1])
        return [k for k in self.order if re.sub(r"\d+$", "", k) == last]


def build(nodes: tuple[tuple[Node, Node, str], ...], n: int, of: str | None = None) -> Graph:
    """The graph of `nodes` ((name tree, definition tree, text) in order) at vector size n; with
    `of`, inputs named like the catalog entry's symbols are those symbols (delta > 0, a > 0 ...)."""
    known = {name: s for name, s in catalog.get(of).symbols.items() if isinstance(s, sp.Symbol)} if of else {}
    g = Graph(n, known=known)
    for name, body, text in nodes:
        if name[0] != "name":
            raise ClaimError(f"{text!r}: a node is NAME = expression (u = -x, u_i = e^{{a_i}})")
        stem, _, idx = name[1].partition("_")
        values = range(1, n + 1) if idx in LETTERS else [None]
        for v in values:
            index = {idx: v} if v is not None else {}
            k = key(name[1], index)
            if k in g.local:
                raise ClaimError(f"{text!r}: the node {shown(k)} is defined twice")
            g.local[k] = Builder(g.resolve, index, n).build(body)
            g.order.append(k)
            g.symbol(k)
    return g


def _prove(a: sp.Expr, b: sp.Expr, g: Graph) -> Any:
    ranges = {s.name: (0.05, 2.0) for s in (a.free_symbols | b.free_symbols) if _under_log(s, a, b)}
    return prove(a, b, assumptions=Assumptions(ranges=ranges))


def _under_log(s: sp.Symbol, *exprs: sp.Expr) -> bool:
    return any(s in f.args[0].free_symbols for e in exprs for f in e.atoms(sp.log))


def _meant(claim: sp.Expr, truth: sp.Expr, g: Graph) -> list[str]:
    """Inputs written where the node made from them alone is meant (a_i for u_i = e^{a_i})."""
    found = []
    for k in g.order:
        ins = g.parents(k)
        if len(ins) != 1 or next(iter(ins)) in g.local:
            continue
        q = g.symbols[next(iter(ins))]
        if q not in claim.free_symbols:
            continue
        fixed = g.full(claim.xreplace({q: g.symbols[k]}))
        if _prove(fixed, g.full(truth), g).verdict == PROVED:
            found.append(f"{generic(q.name)} where the node {generic(k)} (made from {generic(q.name)}) is meant")
    return found


def generic(k: str) -> str:
    """"a2" -> "a_i": a node or input of an indexed family, named by its family."""
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", k)
    return f"{m.group(1)}_i" if m else k


def _ends(g: Graph, text_key: str, index: Mapping[str, int], what: str) -> tuple[str, str, str]:
    """(node, the other end, "dnode/dother") of a key such as "ds_i/dt" at these index values."""
    m = EDGE.match(text_key)
    if not m:
        raise ClaimError(f"{text_key!r}: name {what} d<node>/d<name>, e.g. \"dv/du\" or \"ds_i/dt\"")
    node, other = key(m.group(1), index), key(m.group(2), index)
    return node, other, f"d{shown(node)}/d{shown(other)}"


def _edge(g: Graph, text_key: str, claimed: Node, index: Mapping[str, int]) -> dict[str, Any]:
    node, parent, where = _ends(g, text_key, index, "an edge")
    if node not in g.local:
        return {"edge": where, "verdict": NOT_EQUIVALENT, "explanation": f"{shown(node)} is not a node of the graph"}
    if parent not in g.parents(node):
        ps = " and ".join(shown(p) for p in sorted(g.parents(node)))
        return {"edge": where, "verdict": NOT_EQUIVALENT,
                "explanation": f"no edge joins {shown(parent)} to {shown(node)}: {shown(node)} is made from {ps}"}
    truth = sp.diff(g.local[node], g.symbols[parent])
    return _compare(where, Builder(g.resolve, index, g.n).build(claimed), truth, g)


def _total(g: Graph, text_key: str, claimed: Node, index: Mapping[str, int]) -> dict[str, Any]:
    node, var, where = _ends(g, text_key, index, "a total derivative")
    if node not in g.local:
        return {"total": where, "verdict": NOT_EQUIVALENT, "explanation": f"{shown(node)} is not a node of the graph"}
    truth = sp.diff(g.full(g.symbols[node]), g.symbol(var))
    result = _compare(where, Builder(g.resolve, index, g.n).build(claimed), truth, g)
    return {"total": where, **{k: v for k, v in result.items() if k != "edge"}}


def _compare(where: str, claim: sp.Expr, truth: sp.Expr, g: Graph) -> dict[str, Any]:
    proof = _prove(g.full(claim), g.full(truth), g)
    out: dict[str, Any] = {"edge": where, "truth": str(truth), "truth_latex": sp.latex(truth)}
    if proof.verdict == PROVED:
        return {**out, "verdict": EQUIVALENT, "explanation": f"{where} is right"}
    if proof.verdict != REFUTED:
        return {**out, "verdict": UNDECIDED, "explanation": f"{where}: no proof found"}
    ce = proof.counterexample or {}
    out.update(verdict=NOT_EQUIVALENT, counterexample=ce, diagnoses=_meant(claim, truth, g),
               explanation=f"{where} is wrong: at {_point(ce)} the claim is {ce.get('form')}, "
                           f"the derivative {ce.get('truth')}")
    ratio = sp.simplify(g.full(claim) / g.full(truth)) if g.full(truth) != 0 else None
    if ratio is not None and ratio.is_number and ratio != 1:
        out["diagnoses"].append("the sign is flipped" if ratio == -1 else f"the claim is {ratio} times the derivative")
    return out


def _point(ce: Mapping[str, Any]) -> str:
    return ", ".join(f"{shown(k)} = {v}" for k, v in (ce.get("point") or {}).items()) or "a random point"


def _function(g: Graph, of: str) -> dict[str, Any]:
    """Does the graph compute the catalog's function? With a diagnosis when an input in one node
    stands where the node made from it belongs."""
    entry = catalog.get(of)
    outputs = [sp.piecewise_fold(g.full(g.symbols[k])) for k in g.output]  # selects added: one Piecewise
    want = _expected(entry, g, len(outputs))
    proof = _prove(sp.Matrix(outputs), sp.Matrix(want), g)
    if proof.verdict == PROVED:
        return {"check": "function", "verdict": EQUIVALENT, "explanation": f"the graph computes {entry.name}"}
    ce = proof.counterexample or {}
    out = {"check": "function", "verdict": NOT_EQUIVALENT if proof.verdict == REFUTED else UNDECIDED,
           "counterexample": ce, "diagnoses": [],
           "explanation": f"the graph does not compute {entry.name}: at {_point(ce)} it gives {ce.get('form')}, "
                          f"{entry.name} {ce.get('truth')}"}
    for k in g.order:  # an input inside one node where the node made from it is meant
        for other in g.order:
            ins = g.parents(other)
            if other == k or len(ins) != 1 or next(iter(ins)) in g.local:
                continue
            q = next(iter(ins))
            stem_q, stem_o = re.sub(r"\d+$", "", q), re.sub(r"\d+$", "", other)
            swap = {g.symbols[s]: g.symbols[stem_o + s[len(stem_q):]] for s in g.parents(k)
                    if re.sub(r"\d+$", "", s) == stem_q and stem_o + s[len(stem_q):] in g.local}
            if not swap:
                continue
            trial = Graph(g.n, list(g.order), {**g.local, k: g.local[k].xreplace(swap)}, dict(g.symbols), g.known)
            if _prove(sp.Matrix([trial.full(trial.symbols[o]) for o in g.output]), sp.Matrix(want), g).verdict == PROVED:
                out["diagnoses"].append(f"node {generic(k)} uses {stem_q}_k where the node {stem_o}_k "
                                        f"(made from {stem_q}_k) is meant")
                break
    return out


def _expected(entry: catalog.Entry, g: Graph, count: int) -> list[sp.Expr]:
    """The catalog function in the graph's input symbols: a scalar entry on inputs named like its
    variables; a vector entry (softmax) on the graph's indexed input; a per-output loss summed
    over the indexed inputs a_i, y_i."""
    ins = g.inputs
    if entry.name == "softmax":
        stems = {re.sub(r"\d+$", "", k) for k in ins if re.search(r"\d$", k)}
        if len(stems) != 1:
            raise ClaimError("a softmax graph has one indexed input (a_1 ... a_N)")
        stem = stems.pop()
        xs = [g.symbol(f"{stem}{k}") for k in range(1, g.n + 1)]
        e = [sp.exp(x) for x in xs]
        return [v / sp.Add(*e) for v in e][:count] if count == g.n else [v / sp.Add(*e) for v in e]
    if entry.sized is not None:
        raise ClaimError(f"a graph of {entry.name} cannot be compared with the catalog; leave out of")
    subs = {entry.symbols[name]: g.symbol(name) for name in entry.symbols if name in ins}
    params = entry.defaults()
    if subs or entry.kind == "activation":
        return [(entry.definition * entry.scale()).xreplace(subs).xreplace(
            {p: g.symbol(p.name) for p in params if p.name in ins})]
    # a per-output loss summed over indexed inputs
    total = sp.Integer(0)
    for i in range(1, g.n + 1):
        sub = {entry.symbols[name]: g.symbol(f"{name}{i}") for name in entry.symbols if f"{name}{i}" in ins}
        total += entry.definition.xreplace(sub)
    return [total * entry.scale().xreplace({catalog.N_OUTPUTS: g.n})]


def decomposition(text: str) -> tuple[str, list]:
    """"y(z(a), c(z(a), a))" -> ("y", [("z", [("a", [])]), ...]): who the hand says each node is made from."""
    tokens = re.findall(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?|[(),]|\S", text)
    pos = 0

    def one() -> tuple[str, list]:
        nonlocal pos
        if pos >= len(tokens) or not re.match(r"[A-Za-z]", tokens[pos]):
            raise ClaimError(f"decomposition {text!r}: expected a name at part {pos + 1}")
        name, args = tokens[pos], []
        pos += 1
        if pos < len(tokens) and tokens[pos] == "(":
            pos += 1
            args.append(one())
            while pos < len(tokens) and tokens[pos] == ",":
                pos += 1
                args.append(one())
            if pos >= len(tokens) or tokens[pos] != ")":
                raise ClaimError(f"decomposition {text!r}: a ')' is missing")
            pos += 1
        return name, args

    tree = one()
    if pos != len(tokens):
        raise ClaimError(f"decomposition {text!r}: unexpected {tokens[pos]!r}")
    return tree


def _decomposition(g: Graph, text: str) -> dict[str, Any]:
    wrong: list[str] = []

    def walk(node: tuple[str, list]) -> None:
        name, args = node
        k = key(name, {})
        if not args:
            return
        if k not in g.local:
            wrong.append(f"{name} is written with arguments but is not a node")
            return
        said = {key(a[0], {}) for a in args}
        true = g.parents(k)
        # a node its definition only selects on (p = u if |t| <= delta) or an input held constant
        # (delta, y) may go unnamed; a parent that is not one may not be named
        needed = {p for p in true if p in g.local and sp.diff(g.local[k], g.symbols[p]) != 0}
        if not needed <= said <= true:
            extra = " and ".join(shown(p) for p in sorted(said - true))
            made = " and ".join(shown(p) for p in sorted(true if said - true else needed))
            wrong.append(f"{name}({', '.join(a[0] for a in args)}): {name} is made from {made}"
                         + (f", not {extra}" if extra else ""))
        for a in args:
            walk(a)

    walk(decomposition(text))
    if wrong:
        return {"check": "decomposition", "verdict": NOT_EQUIVALENT, "explanation": "; ".join(dict.fromkeys(wrong))}
    return {"check": "decomposition", "verdict": EQUIVALENT, "explanation": f"{text} names every node's parents"}


def judge(nodes: tuple, n: int = 3, of: str | None = None, edges: tuple = (), totals: tuple = (),
          decomposition_text: str | None = None) -> dict[str, Any]:
    """Every check of one graph and the verdict on the whole (JSON-ready). `edges` and `totals`
    are ((key text, claimed tree), ...)."""
    g = build(nodes, n, of)
    checks: list[dict[str, Any]] = []
    if of:
        checks.append(_function(g, of))
    for kind, items in (("edge", edges), ("total", totals)):
        for text_key, claimed in items:
            letters = sorted(set(re.findall(r"_([ij])\b", text_key)))
            values = [{}] if not letters else [dict(zip(letters, v)) for v in _product(len(letters), n)]
            found = [(_edge if kind == "edge" else _total)(g, text_key, claimed, index) for index in values]
            checks.append({"check": kind, **_together(text_key, found, letters)})
    if decomposition_text:
        checks.append(_decomposition(g, decomposition_text))
    wrong = [c for c in checks if c["verdict"] == NOT_EQUIVALENT]
    open_ = [c for c in checks if c["verdict"] == UNDECIDED]
    verdict = NOT_EQUIVALENT if wrong else UNDECIDED if open_ else EQUIVALENT
    shown_checks = wrong or open_
    explanation = "; ".join(c["explanation"] + (f" ({'; '.join(c['diagnoses'])})" if c.get("diagnoses") else "")
                            for c in shown_checks) if shown_checks else _all_hold(checks)
    return {"verdict": verdict, "explanation": explanation, "checks": checks, "n": n,
            "nodes": [shown(k) for k in g.order], "diagnoses": [d for c in wrong for d in c.get("diagnoses", [])]}


def _together(text_key: str, found: list[dict[str, Any]], letters: list[str]) -> dict[str, Any]:
    """One check for a key with free indices (ds_i/dt for every i): the first wrong instance
    speaks for all, with how many instances are wrong."""
    bad = [f for f in found if f["verdict"] != EQUIVALENT]
    if not letters:
        return found[0]
    field_name = "edge" if "edge" in found[0] else "total"
    if not bad:
        return {**found[0], field_name: text_key.strip(), "explanation": f"{text_key.strip()} is right"}
    first = bad[0]
    count = f"{len(bad)} of {len(found)}" if len(bad) < len(found) else f"all {len(found)}"
    where = first[field_name]
    text = first["explanation"].replace(where, text_key.strip(), 1) if where.startswith("d") else first["explanation"]
    return {**first, field_name: text_key.strip(), "explanation": f"{text} ({count} values of {', '.join(letters)})",
            "diagnoses": list(dict.fromkeys(d for f in bad for d in f.get("diagnoses", [])))}


def _all_hold(checks: list[dict[str, Any]]) -> str:
    parts = []
    for kind, word in (("function", None), ("edge", "edge"), ("total", "total derivative")):
        items = [c for c in checks if c["check"] == kind]
        if kind == "function" and items:
            parts.append(items[0]["explanation"])
        elif items:
            parts.append(f"{len(items)} {word}{'s' if len(items) > 1 else ''} right")
    parts += [c["explanation"] for c in checks if c["check"] == "decomposition"]
    return "; ".join(parts)


def _product(count: int, n: int) -> list[tuple[int, ...]]:
    if count == 1:
        return [(i,) for i in range(1, n + 1)]
    return [(i, j) for i in range(1, n + 1) for j in range(1, n + 1)]

