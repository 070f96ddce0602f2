"""Derivation trees: every rule node's result equals SymPy's own derivative of its expression, every
entry's tree ends at the catalog's derivative, the computation graph's sum over paths gives the
same, and the printers show the named steps (quotient rule, chain rule, tanh/erf/Max rules)."""

from __future__ import annotations

import pytest
import sympy as sp

from gradverify.derivations import catalog
from gradverify.derivations import steps
from gradverify.derivations.proofs import prove
from gradverify.derivations.checks import assumptions_for

ENTRIES = [(e.name, w) for e in catalog.entries() for w in e.variables]


def _rule_nodes(tree):
    for node, _depth in tree.walk():
        if node.kind == "rule" and isinstance(node.before, sp.Derivative):
            yield node


@pytest.mark.parametrize("name, wrt", ENTRIES)
def test_every_rule_step_is_a_true_derivative(name, wrt):
    tree = steps.derivation(name, wrt, forms=False)
    for node in _rule_nodes(tree):
        expr, var = node.before.expr, node.before.variable_count[0][0]
        truth = sp.diff(expr, var)
        diff = (sp.piecewise_fold(node.after - truth)).rewrite(sp.exp)
        if diff.has(sp.Piecewise, sp.Heaviside):
            # equal away from the kink: check at points on both sides
            for v in (sp.Rational(-7, 3), sp.Rational(5, 4)):
                pt = {s: v for s in diff.free_symbols}
                assert sp.N(diff.subs(pt)) == 0 or abs(sp.N(diff.subs(pt))) < 1e-20, node.rule
        else:
            assert sp.simplify(diff) == 0, (node.rule, node.before, node.after)


@pytest.mark.parametrize("name", [e.name for e in catalog.entries() if e.sized is None])
def test_tree_ends_at_the_catalog_derivative(name):
    entry = catalog.get(name)
    tree = steps.derivation(name, forms=False)
    simplify = [c for c in tree.children if c.kind == "simplify"][-1]
    proof = prove(simplify.after, entry.derivative(), assumptions=assumptions_for(entry, entry.forms[0]))
    assert proof.verdict in ("proved", "equal except at kink"), proof.steps


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "gelu", "silu", "binary_cross_entropy"])
def test_sum_over_paths_equals_the_derivative(name):
    entry = catalog.get(name)
    tree = steps.derivation(name, forms=False)
    graph = next(c for c in tree.children if c.kind == "graph")
    paths = next(c for c in graph.children if c.kind == "paths")
    assert paths.children and all(p.kind == "path" for p in paths.children)
    d = (graph.after - entry.derivative()).rewrite(sp.exp)
    assert sp.simplify(d) == 0


def test_seed_001_shapes():
    sig = steps.to_text(steps.derivation("sigmoid", forms=False))
    assert "[quotient rule]" in sig
    tanh = steps.to_text(steps.derivation("tanh"))
    assert "[quotient rule]" in tanh and "[computation graph]" in tanh and "[sum over paths]" in tanh
    assert "u = exp(x)" in tanh
    assert "lost the 4): refuted" in tanh


def test_rules_for_tanh_erf_and_max():
    x = sp.Symbol("x", real=True)
    assert steps.differentiate(sp.tanh(2 * x), x).children[0].rule == "tanh rule"
    assert steps.differentiate(sp.erf(x), x).rule == "erf rule"
    m = steps.differentiate(sp.Max(0, x), x)
    assert m.rule == "Max rule" and m.after.subs(x, 1) == 1 and m.after.subs(x, -1) == 0


def test_softmax_tree_and_json():
    tree = steps.derivation("softmax", forms=False)
    s_i, s_j = sp.symbols("s_i s_j")
    i, j = sp.symbols("i j")
    assert tree.after == s_i * (sp.KroneckerDelta(i, j) - s_j)
    data = tree.to_json()
    assert data["kind"] == "derivation" and data["children"][0]["rule"].startswith("quotient rule")


def test_one_visitor_sees_every_step():
    class Count(steps.Visitor):
        def __init__(self):
            self.n = 0

        def enter(self, step, depth):
            self.n += 1

    tree = steps.derivation("huber", forms=False)
    c = Count()
    tree.accept(c)
    assert c.n == sum(1 for _ in tree.walk())


@pytest.mark.parametrize("name", sorted({e.name for e in catalog.entries()}))
def test_the_printed_derivation_has_no_python_syntax(name):
    """`derive NAME --steps` is read by a person: powers as superscripts, a matrix as rows, cases
    in words, never SymPy's `**`, `Matrix([...])`, `Piecewise(...)` or a Python dict. (A textbook
    form's label, in brackets, is its name as the seed writes it.)"""
    lines = steps.to_text(steps.derivation(name)).splitlines()
    text = "\n".join(line.split("   [", 1)[0] if line.lstrip().startswith("form:") else line for line in lines)
    for leak in ("**", "Matrix(", "{'", "Heaviside(", "Piecewise("):
        assert leak not in text, (name, leak, next(line for line in text.splitlines() if leak in line))
