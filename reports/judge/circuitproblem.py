"""A circuit's problem, judged by the same verdicts as a network's (it is a `JudgedProblem`).

The exact chain is the circuit computed in rationals (decimals to 60 digits where a gate is not
rational); the mistakes tried for a wrong claim are those that change a node the claim is computed
from, nearest first: a path left out of a node's sum over paths, the paths' gradients multiplied or
a local gradient added to the upstream one, a slip in a gate's local gradient (the chain factor of
an inner expression, the exponent of a power, a constant factor, the branch a max routes to). The
judge's own explanations follow (an unwritten number rounded too early, a typo, a factor).
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction
from typing import Collection

from gradverify.judge.circuit import Circuit, Key, grad_key, local_key, value_key
from gradverify.judge.circuitexpr import Apply, Const, at, text, walk
from gradverify.judge.circuitfile import CircuitExample
from gradverify.judge.circuitgraph import CircuitGraph, CircuitVariant, constant
from gradverify.judge.circuitexact import to_float
from gradverify.judge.circuitmath import slips_of
from gradverify.judge.claimkeys import ClaimSpec
from gradverify.judge.diagnose import Candidate
from gradverify.judge.graph import Claims, Evaluation, Graph, Memo, Node, evaluate
from gradverify.judge.result import circuit_name


class CircuitProblem:
    """A circuit ready to judge claims about: its graphs, exact values and candidate mistakes."""

    batch = 1
    n_out = 1
    stated_words = "the chain rule and the sum over paths"

    def __init__(self, ex: CircuitExample, remember: bool = True):
        self.circuit: Circuit = ex.circuit
        self.graphs = CircuitGraph(ex.circuit, ex.n_steps)
        self.stated: Graph = self.graphs.stated
        self.memo: Memo | None = {} if remember else None
        exact: dict[Key, float] = {}
        for s, step in enumerate(ex.exact, start=1):
            exact.update({value_key(s, n): to_float(v) for n, v in step.values.items()})
            exact.update({grad_key(s, n): to_float(v) for n, v in step.grads.items()})
            exact.update({local_key(s, c, p): to_float(v) for (c, p), v in step.locals.items()})
        self.exact = evaluate(Graph(Node(n.key, (constant(exact[n.key]),)) for n in self.stated.nodes), {},
                              alternatives=False)
        self.shapes: dict[Key, tuple[int, ...]] = {n.key: () for n in self.stated.nodes}
        self._candidates: dict[Key, list[Candidate]] = {}
        self._reach: dict[CircuitVariant, frozenset[Key]] = {}

    def evaluate(self, claims: Claims, variant: CircuitVariant | None = None, base: Evaluation | None = None,
                 reclaimed: Collection[Key] | None = None) -> Evaluation:
        graph, changed = self.graphs.graph(variant)
        return evaluate(graph, claims, base=base, changed=changed, memo=self.memo, lazy=base is not None,
                        reclaimed=reclaimed)

    def reach(self, variant: CircuitVariant) -> frozenset[Key]:
        """The nodes a variant can change: those it rebuilds and everything computed from them."""
        found = self._reach.get(variant)
        if found is None:
            graph, changed = self.graphs.graph(variant)
            found = self._reach[variant] = graph.downstream(changed)
        return found

    def order(self, claims: list[ClaimSpec]) -> list[int]:
        """Forward values in the order written, then the backward pass from the output, step by step
        (the graph's own order)."""
        return sorted(range(len(claims)), key=lambda i: self.stated.index[claims[i].node])

    def swapped(self, claim: ClaimSpec, ev: Evaluation) -> float | None:
        return None  # a circuit's nodes are scalars

    def stated_numbers(self) -> set[Fraction]:
        c = self.circuit
        consts = {sub.value for g in c.gates for _, sub in walk(g.expr) if isinstance(sub, Const)}
        return {v for _, v in c.inputs} | {c.seed} | consts | ({c.learning_rate} if c.learning_rate else set())

    def feeds_forward(self, claim: ClaimSpec) -> bool:
        return claim.quantity == "value"

    def node_name(self, key: Key) -> str:
        """"q", "df/dq" or "dq/dx", as a claim would name the node."""
        _, kind, node, parent = key
        out = self.circuit.written(self.circuit.output)
        return circuit_name(kind, node, out if kind == "grad" or node == self.circuit.output else None, parent)

    # --- the mistakes worth trying for a claim ----------------------------------------------------
    def candidates_for(self, claim: ClaimSpec) -> list[Candidate]:
        found = self._candidates.get(claim.node)
        if found is None:
            found = self._candidates[claim.node] = self._nearest(claim.node)
        return found

    def _nearest(self, key: Key) -> list[Candidate]:
        """The graph mistakes on the nodes `key` is computed from: a forgotten path, a slip in a
        local gradient, multiplied paths, added gradients; of each kind the nearest first."""
        found: list[tuple[int, int, Candidate]] = []
        distance, queue = {key: 0}, deque([key])
        while queue:
            k = queue.popleft()
            _, kind, node, parent = k
            if kind == "grad":
                found += [(rank, distance[k], cand) for rank, cand in self._at_grad(node)]
            if kind == "local":
                found += [(1, distance[k], cand) for cand in self._at_edge(node, parent)]
            for p in self.stated[k].parents:
                if p not in distance:
                    distance[p] = distance[k] + 1
                    queue.append(p)
        unique: dict[CircuitVariant, Candidate] = {}
        for _, _, cand in sorted(found, key=lambda t: t[:2]):
            unique.setdefault(cand.variant, cand)
        return list(unique.values())

    def _at_grad(self, n: str) -> list[tuple[int, Candidate]]:
        """(rank, candidate): the sum over n's readers left incomplete (0), multiplied (2), its
        products added (3) or a reader's local gradient left out of its product (4: after a slip in
        that local gradient, which explains a 0 or a 1 as readily)."""
        c = self.circuit
        readers = c.children[n]
        if n == c.output or not readers:
            return []
        out_name, listed = c.written(c.output), " and ".join(readers)
        d = f"d{out_name}/d{n}"
        found = []
        if len(readers) > 1:
            for r in readers:
                found.append((0, Candidate(CircuitVariant("forgot_path", n, r), "forgot_path",
                                           f"forgotten path through {r}",
                                           f"the path through {r} left out ({n} feeds {listed}; {d} sums over "
                                           "every path)")))
            found.append((2, Candidate(CircuitVariant("paths_multiplied", n), "paths_multiplied", "multiplied paths",
                                       f"the gradients of the paths through {listed} multiplied ({d} is their sum)")))
        found.append((3, Candidate(CircuitVariant("chain_added", n), "chain_added", "added gradients",
                                   f"the local gradient added to the gradient arriving from {listed}, where the "
                                   "chain rule multiplies them")))
        for r in readers:
            found.append((4, Candidate(CircuitVariant("local_dropped", n, r), "local_dropped",
                                       f"local gradient d{r}/d{n} left out",
                                       f"the local gradient d{r}/d{n} left out: {d} passes on d{out_name}/d{r} "
                                       f"without multiplying it by d{r}/d{n}")))
        return found

    def _at_edge(self, node: str, parent: str) -> list[Candidate]:
        """Slips in the local gradient of a gate with respect to one of its inputs."""
        gate = self.circuit.gate[node]
        found = []
        for path, slip in slips_of(gate.expr):
            sub = at(gate.expr, path)
            assert isinstance(sub, Apply)
            kind, label, words = _slip_words(slip, sub, parent)
            found.append(Candidate(CircuitVariant("slip", node, parent, path, slip), kind, label,
                                   f"{words}, in d{node}/d{parent} for {node} = {text(gate.expr)}"))
        return found


def _slip_words(slip: str, sub: Apply, parent: str) -> tuple[str, str, str]:
    """(kind, label after "your", sentence) of a slip at a subexpression."""
    if slip == "drop_chain":
        inner = text(sub.args[0])
        return ("chain_factor", f"dropped chain factor of {inner}",
                f"the chain factor of the inner {inner} left out of the derivative of {text(sub)}")
    if slip == "drop_power":
        k = text(sub.args[1])
        return ("power_factor", f"dropped exponent {k}", f"the exponent {k} of {text(sub)} left out of its derivative")
    if slip == "drop_const" and sub.op == "div":
        return ("constant_factor", f"dropped division by {text(sub.args[1])}",
                f"the division by {text(sub.args[1])} of {text(sub)} left out of its derivative")
    if slip == "drop_const":
        consts = " and ".join(text(a) for a in sub.args if isinstance(a, Const))
        return ("constant_factor", f"dropped factor {consts}",
                f"the constant factor {consts} of {text(sub)} left out of its derivative")
    if slip == "swap_factors":
        x, y = (text(a) for a in sub.args)
        x, y = (y, x) if y == parent else (x, y)
        return ("swapped_factors", "swapped product factors",
                f"the local gradients of the product {text(sub)} swapped: d({text(sub)})/d{x} is the other "
                f"factor {y}, not {x} itself")
    if sub.op in ("max", "min"):
        largest = "largest" if sub.op == "max" else "smallest"
        return ("wrong_branch", f"{sub.op} routed to the wrong input",
                f"the gradient routed to the wrong input of {text(sub)}: {sub.op} passes it only to its {largest} input")
    return ("wrong_branch", f"{sub.op} taken on the wrong side",
            f"the derivative of {text(sub)} taken on the wrong side of its kink (its input's sign)")
