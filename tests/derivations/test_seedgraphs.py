"""Every function seed 001 differentiates has its computation graph in `derive --steps`: the
seed's own nodes, and the sum over paths equals the catalog's derivative (checked at random
points away from the kinks)."""

from __future__ import annotations

import random

import pytest
import sympy as sp

from gradverify.derivations import catalog, steps
from gradverify.derivations.seedgraphs import GRAPHS

SEED_001 = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "softmax", "cross_entropy", "hinge", "l1", "huber",
            "mean_squared_error", "cosine_similarity"]


def graphs_of(tree):
    return [s for s, _d in tree.walk() if s.kind == "graph"]


def test_every_seed_001_function_has_its_graph():
    assert set(SEED_001) <= set(GRAPHS)


@pytest.mark.parametrize("name", [n for n in SEED_001 if n != "softmax"])
def test_the_sum_over_paths_is_the_derivative(name):
    entry = catalog.get(name)
    (g,) = graphs_of(steps.derivation(name, forms=False))
    paths = [c for c in g.children if c.kind == "paths"][0]
    total = paths.after  # nodes replaced by their expressions
    truth = entry.derivative()
    rng = random.Random(3)
    R = sp.Symbol("R", real=True)
    for _ in range(5):
        point = {s: sp.Rational(rng.choice([-1, 1]) * rng.randint(3, 29), 10) for s in truth.free_symbols | total.free_symbols}
        for s in list(point):
            if s.name in ("n",):
                point[s] = 4
            if s.name in ("delta", "alpha"):
                point[s] = sp.Rational(7, 10)
            if s.name == "y" and name == "hinge":
                point[s] = rng.choice([-1, 1])
            if s.name == "a" and name == "cross_entropy":
                point[s] = abs(point[s])
        point.pop(R, None)
        assert abs(sp.N(total.subs(point)) - sp.N(truth.subs(point))) < 1e-12, (name, point)


def test_softmax_graphs_give_the_jacobian_entries():
    tree = steps.derivation("softmax", forms=False)
    first, second = graphs_of(tree)
    a1, a2, a3 = sp.symbols("a1:4", real=True)
    s = [sp.exp(v) / (sp.exp(a1) + sp.exp(a2) + sp.exp(a3)) for v in (a1, a2, a3)]
    assert sp.simplify(first.after - s[0] * (1 - s[0])) == 0
    assert sp.simplify(second.after + s[2] * s[1]) == 0
    assert len([c for c in first.children if c.kind == "paths"][0].children) == 2  # the seed's two paths


def test_prelu_graph_is_made_from_x_and_names_the_seeds_decomposition():
    (g,) = graphs_of(steps.derivation("prelu", forms=False))
    assert "y(z(x), c(z(x), a))" in str(g.note) and "z(a)" in str(g.note)
