"""What judging a worked example depends on besides its claims, computed once per problem.

A problem is the network, data, starting parameters, conventions and the steps printed. Its graph,
exact chain, quantity shapes, the convention variants worth trying and the memory of its recipes'
results are the same for every set of claims about it, so a grader judging a class against one key
keeps them in a `ProblemCache` and shares them between submissions.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any, Collection

import numpy as np

from gradverify.judge import diagnose as dg
from gradverify.judge.graph import Claims, Evaluation, Key, Memo, evaluate
from gradverify.judge.mlp import EXACT, NetworkGraph, Variant
from gradverify.judge.worked import WorkedExample
from gradverify.numeric.losses import LossDomainWarning

MAX_MEMO = 50_000  # remembered recipe results of one problem; all are forgotten beyond


class Problem:
    """One problem, ready to judge claims about: its graphs, exact chain, quantity shapes, candidate
    convention variants, and (when `remember`) the memory of its recipes' results."""

    def __init__(self, ex: WorkedExample, remember: bool = True):
        self.network = NetworkGraph.of(ex)
        self.net = self.network.net
        self.memo: Memo | None = {} if remember else None
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

    def evaluate(self, claims: Claims, variant: Variant = EXACT, base: Evaluation | None = None,
                 reclaimed: Collection[Key] | None = None) -> Evaluation:
        """The graph under `variant` over `claims`; with a `base` evaluation of the same claims or of
        nearly the same, only what differs from it is computed, and only when it is read."""
        if self.memo is not None and sum(len(t) for t in self.memo.values()) > MAX_MEMO:
            self.memo.clear()
        graph, changed = self.network.graph(variant)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LossDomainWarning)
            return evaluate(graph, claims, base=base, changed=changed, memo=self.memo, lazy=base is not None,
                            reclaimed=reclaimed)


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
    """The problems met so far (at most `size`, least recently used forgotten first).

    Owned by one judging process that sees the same problem many times (a grading worker);
    `remember=False` gives problems without a memory of results (every recipe computed afresh).
    """

    def __init__(self, size: int = 8, remember: bool = True):
        self.size, self.remember = size, remember
        self._problems: OrderedDict[tuple, Problem] = OrderedDict()

    def problem(self, ex: WorkedExample) -> Problem:
        """The example's problem, from the cache or prepared now."""
        key = fingerprint(ex)
        found = self._problems.get(key)
        if found is not None:
            self._problems.move_to_end(key)
            return found
        found = self._problems[key] = Problem(ex, self.remember)
        if len(self._problems) > self.size:
            self._problems.popitem(last=False)
        return found
