"""A circuit compiled into the judge's graph of named quantities, and the mistakes made of it.

Per step, a node for every value, for the local gradient on every edge and for the gradient of the
output with respect to every node: a value from its parents' values, a local gradient from the
gate's inputs (or, for e^u, sigmoid, tanh, sqrt and 1/w, from the gate's own written output), a
gradient as the sum over the node's readers of local gradient times the reader's gradient. A
`CircuitVariant` is a mistaken way of computing (a path left out of that sum, a slip in a gate's
local gradient): the same graph with the nodes it touches rebuilt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from gradverify.judge.circuit import Circuit, Gate, Key, grad_key, local_key, value_key
from gradverify.judge.circuitexpr import Path
from gradverify.judge.circuitmath import FLOAT, evaluate, has_output_form, partial
from gradverify.judge.graph import Graph, Node, Recipe


@dataclass(frozen=True)
class CircuitVariant:
    """A mistaken way of computing a circuit's gradients.

    kind: "forgot_path" (`node`'s gradient without the path through `other`), "paths_multiplied"
    (its paths' gradients multiplied, not added), "chain_added" (local and upstream gradients added,
    not multiplied), "local_dropped" (the gradient arriving from `other` passed on without the local
    gradient d other / d node) or "slip" (the local gradient of `node` with respect to `other` with
    `slip` at `path` of its expression)."""

    kind: str
    node: str = ""
    other: str = ""
    path: Path = ()
    slip: str = ""


def constant(v: Fraction | float) -> Recipe:
    """A node's one recipe when it is a given number (an input, the seed, an exact value)."""
    arr = np.array(float(v))
    arr.flags.writeable = False
    return Recipe((), lambda: arr)


def _value(gate: Gate) -> Callable[..., np.ndarray]:
    names = gate.parents
    return lambda *vals: evaluate(gate.expr, dict(zip(names, vals)), FLOAT)


def _local(gate: Gate, parent: str, slips: dict[Path, str]) -> Callable[..., np.ndarray]:
    names = gate.parents
    return lambda *vals: partial(gate.expr, parent, dict(zip(names, vals)), FLOAT, slips)


def _local_from_output(gate: Gate, parent: str) -> Callable[..., np.ndarray]:
    names = gate.parents
    return lambda out, *vals: partial(gate.expr, parent, dict(zip(names, vals)), FLOAT, out=out)


def _sum_of_products(*pairs: np.ndarray) -> np.ndarray:
    return sum((pairs[i] * pairs[i + 1] for i in range(0, len(pairs), 2)), np.array(0.0))


def _product_of_products(*pairs: np.ndarray) -> np.ndarray:
    return math.prod((pairs[i] * pairs[i + 1] for i in range(0, len(pairs), 2)), start=np.array(1.0))


def _sum_of_sums(*pairs: np.ndarray) -> np.ndarray:
    return sum((pairs[i] + pairs[i + 1] for i in range(0, len(pairs), 2)), np.array(0.0))


def _sum_without_local(skip: int) -> Callable[..., np.ndarray]:
    """The sum over paths with the `skip`-th reader's local gradient taken as 1."""
    def fn(*pairs: np.ndarray) -> np.ndarray:
        return sum((pairs[i + 1] if i == 2 * skip else pairs[i] * pairs[i + 1] for i in range(0, len(pairs), 2)),
                   np.array(0.0))
    return fn


class CircuitGraph:
    """A circuit's graph over `n_steps` steps, as stated and under each variant tried (cached)."""

    def __init__(self, circuit: Circuit, n_steps: int):
        self.circuit, self.n_steps = circuit, n_steps
        self.children = circuit.children
        self.stated = Graph(self._all())
        self._graphs: dict[CircuitVariant, tuple[Graph, frozenset[Key]]] = {}

    def _all(self) -> list[Node]:
        c = self.circuit
        out: list[Node] = []
        for s in range(1, self.n_steps + 1):
            for name, v in c.inputs:
                if s > 1 and name in c.update:
                    lr = float(c.learning_rate or 0)
                    recipe = Recipe((value_key(s - 1, name), grad_key(s - 1, name)), lambda x, g: x - lr * g)
                else:
                    recipe = constant(v)
                out.append(Node(value_key(s, name), (recipe,)))
            for g in c.gates:
                out.append(Node(value_key(s, g.node), (Recipe(tuple(value_key(s, p) for p in g.parents), _value(g)),)))
            out += [self.local(s, g, p) for g in c.gates for p in g.parents]
            out += [self.grad(s, n) for n in c.backward]
        return out

    def local(self, s: int, g: Gate, parent: str, slips: dict[Path, str] | None = None) -> Node:
        """The local gradient d g / d parent: from the gate's inputs, or from its written output."""
        ins = tuple(value_key(s, p) for p in g.parents)
        recipes = [Recipe(ins, _local(g, parent, slips or {}))]
        if not slips and has_output_form(g.expr):
            out = value_key(s, g.node)
            recipes.append(Recipe((out, *ins), _local_from_output(g, parent), f"from your {g.node}", (out,)))
        return Node(local_key(s, g.node, parent), tuple(recipes))

    def grad(self, s: int, n: str, v: CircuitVariant | None = None) -> Node:
        """d output / d n: the seed for the output, else the sum over n's readers (as `v` has it)."""
        if n == self.circuit.output:
            return Node(grad_key(s, n), (constant(self.circuit.seed),))
        readers = [c for c in self.children[n] if not (v and v.kind == "forgot_path" and c == v.other)]
        parents = tuple(k for c in readers for k in (local_key(s, c, n), grad_key(s, c)))
        fn = {"paths_multiplied": _product_of_products, "chain_added": _sum_of_sums}.get(v.kind if v else "",
                                                                                       _sum_of_products)
        if v and v.kind == "local_dropped":
            fn = _sum_without_local(readers.index(v.other))
        return Node(grad_key(s, n), (Recipe(parents, fn),))

    def graph(self, v: CircuitVariant | None = None) -> tuple[Graph, frozenset[Key]]:
        """The graph under `v` and the keys of the nodes that differ from the stated graph's."""
        if v is None:
            return self.stated, frozenset()
        found = self._graphs.get(v)
        if found is None:
            steps = range(1, self.n_steps + 1)
            if v.kind == "slip":
                g = self.circuit.gate[v.node]
                changed = [self.local(s, g, v.other, {v.path: v.slip}) for s in steps]
            else:
                changed = [self.grad(s, v.node, v) for s in steps]
            found = self._graphs[v] = (self.stated.with_nodes(changed), frozenset(n.key for n in changed))
        return found
