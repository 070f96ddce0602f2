"""What judging a worked example depends on besides its claims, computed once per problem.

A problem is the network, data, starting parameters, conventions and the steps printed. Its graph,
exact chain, quantity shapes, the convention variants worth trying and the memory of its recipes'
results are the same for every set of claims about it, so a grader judging a class against one key
keeps them in a `ProblemCache` and shares them between submissions.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from fractions import Fraction
from typing import Any, Collection

import numpy as np

from gradverify.judge import diagnose as dg
from gradverify.judge.claimkeys import BIAS_LIKE, WEIGHT_LIKE, ClaimSpec
from gradverify.judge.graph import Claims, Evaluation, Graph, Key, Memo, evaluate
from gradverify.judge.judgeable import JudgedExample, JudgedProblem
from gradverify.judge.mlp import EXACT, NetworkGraph, Variant
from gradverify.judge.worked import WorkedExample
from gradverify.numeric.losses import LossDomainWarning

MAX_MEMO = 50_000  # remembered recipe results of one problem; all are forgotten beyond
# The order a person computes a network's quantities in: forward, loss, backward (layers down), dx
ORDER = {"W": 0, "b": 0, "x": 0, "z": 1, "exp_z": 1, "sum_exp_z": 1, "a": 1, "act_prime": 1, "loss_term": 2,
         "loss": 2, "dL_da_part": 3, "dL_da": 3, "delta": 3, "dW": 3, "db": 3, "lr_dW": 3, "lr_db": 3, "dx": 4}
WITHIN = {"z": 0, "exp_z": 1, "sum_exp_z": 2, "a": 3, "act_prime": 4, "loss_term": 0, "loss": 1, "dL_da_part": 0,
          "dL_da": 1, "delta": 2, "dW": 3, "db": 4, "lr_dW": 5, "lr_db": 6, "W": 0, "b": 1}


def computation_order(claims: list[ClaimSpec], n_layers: int) -> list[int]:
    """Claim positions sorted in the order a person computes them (forward up, backward down)."""
    def rank(i: int) -> tuple:
        c = claims[i]
        k = -1 if c.core_layer is None else c.core_layer
        layer = n_layers - k if ORDER[c.quantity] == 3 else k
        return (c.step, ORDER[c.quantity], layer, WITHIN.get(c.quantity, 0), c.core_index)
    return sorted(range(len(claims)), key=rank)


class Problem:
    """One network problem, ready to judge claims about: its graphs, exact chain, quantity shapes,
    candidate convention variants, and (when `remember`) the memory of its recipes' results."""

    stated_words = "the stated conventions"

    def __init__(self, ex: WorkedExample, remember: bool = True):
        self.network = NetworkGraph.of(ex)
        self.net = self.network.net
        self.stated: Graph = self.network.stated
        self.batch, self.n_out = ex.batch_size, ex.sizes[-1]
        self.conventions, self.learning_rate, self.layout = ex.conventions, ex.learning_rate, ex.layout
        self.memo: Memo | None = {} if remember else None
        self._evaluations = 0
        self._reach: dict[Variant, frozenset[Key]] = {}
        with warnings.catch_warnings():  # a log of 0 or -y/a at 0 is the judge's to handle, not the user's to read
            warnings.simplefilter("ignore", LossDomainWarning)
            self.exact = evaluate(self.network.stated, {}, alternatives=False, memo=self.memo)
        self.shapes = {k: np.shape(v[0].array) for k, v in self.exact.computed.items()}
        net = self.net
        self.facts = dg.NetFacts(
            loss=net.loss_name, lr=net.lr, batch=net.B, n_out=net.sizes[-1],
            square=tuple(k for k in range(net.L - 1) if np.shape(net.W[k + 1])[0] == np.shape(net.W[k + 1])[1]),
            acts=tuple(a.name for a, _ in net.acts), biased=tuple(k for k in range(net.L) if net.b[k] is not None),
            l2=float(net.conv["l2"]), steps=len(self.network.steps))
        self.candidates = dg.variants(self.facts)

    def reach(self, variant: Variant) -> frozenset[Key]:
        """The nodes a variant can change: those it may rebuild and everything computed from them
        (known without building its graph, so a variant that cannot reach a claim is never built)."""
        found = self._reach.get(variant)
        if found is None:
            found = self._reach[variant] = self.stated.downstream(self.network.touched(variant))
        return found

    def evaluate(self, claims: Claims, variant: Variant | None = None, base: Evaluation | None = None,
                 reclaimed: Collection[Key] | None = None) -> Evaluation:
        """The graph under `variant` over `claims`; with a `base` evaluation of the same claims or of
        nearly the same, only what differs from it is computed, and only when it is read."""
        self._evaluations += 1
        if self.memo is not None and self._evaluations % 64 == 0 and sum(len(t) for t in self.memo.values()) > MAX_MEMO:
            self.memo.clear()  # looked at now and then: counting costs as much as a small evaluation
        graph, changed = self.network.graph(variant or EXACT)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LossDomainWarning)
            return evaluate(graph, claims, base=base, changed=changed, memo=self.memo, lazy=base is not None,
                            reclaimed=reclaimed)

    def candidates_for(self, claim: ClaimSpec) -> list[dg.Candidate]:
        return [c for c in self.candidates if c.quantities is None or claim.quantity in c.quantities]

    def order(self, claims: list[ClaimSpec]) -> list[int]:
        return computation_order(claims, self.net.L)

    def swapped(self, claim: ClaimSpec, ev: Evaluation) -> float | None:
        """For an off-diagonal W or dW element: the value at the transposed position, else None."""
        if claim.quantity not in ("W", "dW") or len(claim.core_index) != 2:
            return None
        arr = ev.value(claim.node)
        j, k = claim.core_index
        if j == k or k >= arr.shape[0] or j >= arr.shape[1]:
            return None
        return float(arr[k, j])

    def stated_numbers(self) -> set[Fraction]:
        """The numbers the file states (data, parameters, learning rate, lambda), exactly."""
        net = self.net
        out = {Fraction(repr(float(v))) for a in (net.x, net.y, *net.W, *(b for b in net.b if b is not None))
               for v in np.ravel(a)}
        return out | {Fraction(str(q)) for q in (self.learning_rate, self.conventions["l2"]) if q}

    def feeds_forward(self, claim: ClaimSpec) -> bool:
        return claim.quantity in ("z", "a", "loss")

    def node_name(self, key: Key) -> str:
        """A node's name in the file's numbering: "act_prime2", "dL_da3", "loss"."""
        _step, q, k = key
        if k is None:
            return q
        named_by_param = q in WEIGHT_LIKE + BIAS_LIKE
        return f"{q}{self.layout.param_number(q, k) if named_by_param else self.layout.layer_number(k)}"


def fingerprint(ex: WorkedExample) -> tuple:
    """Everything about a worked example that its graph depends on, as a hashable value."""
    def arr(a: Any) -> Any:
        return None if a is None else (np.shape(a), np.asarray(a, dtype=float).tobytes())

    optional = tuple(sorted({repr(c.node) for c in ex.claims if c.quantity in ("exp_z", "sum_exp_z", "loss_term",
                                                                               "dL_da_part")}))
    steps = tuple(sorted({c.step for c in ex.claims}))
    return (steps, ex.n_steps, optional, tuple(ex.sizes), repr(ex.activations), repr(ex.loss), ex.learning_rate,
            repr(sorted(ex.conventions.items())), arr(ex.x), arr(ex.y), tuple(arr(w) for w in ex.weights),
            tuple(arr(b) for b in ex.biases))


class ProblemCache:
    """The problems met so far (at most `size`, least recently used forgotten first), of any kind.

    Owned by one judging process that sees the same problem many times (a grading worker);
    `remember=False` gives problems without a memory of results (every recipe computed afresh).
    """

    def __init__(self, size: int = 8, remember: bool = True):
        self.size, self.remember = size, remember
        self._problems: OrderedDict[tuple, JudgedProblem] = OrderedDict()

    def problem(self, ex: JudgedExample) -> JudgedProblem:
        """The example's problem, from the cache or prepared now."""
        key = ex.problem_key()
        found = self._problems.get(key)
        if found is not None:
            self._problems.move_to_end(key)
            return found
        found = self._problems[key] = ex.problem(self.remember)
        if len(self._problems) > self.size:
            self._problems.popitem(last=False)
        return found
