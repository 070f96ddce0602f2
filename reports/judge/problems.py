"""What judging a worked example depends on besides its claims, computed once per problem.

A problem is the network, data, starting parameters, conventions and number of steps. Its exact
chain, the shapes of its quantities, the convention variants worth trying and the memory of its
replays (`ReplayMemo`) are the same for every set of claims about it, so a grader judging a class
against one key keeps them in a `ProblemCache` and shares them between submissions.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from gradverify.numeric.replay import EXACT, Net, Replay, Variant, replay
from gradverify.numeric.replaymemo import ReplayMemo

from gradverify.judge import diagnose as dg
from gradverify.judge.worked import WorkedExample


def build_net(ex: WorkedExample) -> Net:
    """The example's network in the replay's core layout (to_from weights, (B, n) samples)."""
    conv = ex.conventions
    W = [np.asarray(w, dtype=float) for w in ex.weights]
    if conv["weights"] == "from_to":
        W = [w.T.copy() for w in W]
    b = [None if conv["bias"] == "none" else np.asarray(v, dtype=float) for v in ex.biases]
    return Net(sizes=list(ex.sizes), activations=list(ex.activations), loss=ex.loss, lr=ex.learning_rate,
               x=np.asarray(ex.x, dtype=float), y=np.asarray(ex.y, dtype=float), W=W, b=b,
               reduction=conv["reduction"], bias=conv["bias"], error_sign=conv["error_sign"], l2=conv["l2"])


class Problem:
    """One problem, ready to judge claims about: its network, exact chain, quantity shapes,
    candidate convention variants, and (when `remember`) the memory of its replays."""

    def __init__(self, net: Net, n_steps: int, remember: bool = True):
        self.net, self.n = net, n_steps
        self.memo = ReplayMemo(net) if remember else None
        self.exact = self.replay()
        self.shapes = {k: np.shape(v) for k, v in self.exact.raw.items()}
        square = any(np.shape(w)[0] == np.shape(w)[1] for w in net.W[1:])
        self.candidates = dg.variants(net.loss[0], net.lr, net.x.shape[0], net.sizes[-1], square,
                                      [a for a, _ in net.activations])

    def replay(self, overrides: dict | None = None, variant: Variant = EXACT) -> Replay:
        """The problem replayed over `overrides` (claims) under `variant` (default: as stated)."""
        return replay(self.net, self.n, overrides, variant, self.memo)


def fingerprint(net: Net, n_steps: int) -> tuple:
    """Everything about a network and step count that a replay reads, as a hashable value."""
    def arr(a: Any) -> Any:
        return None if a is None else (np.shape(a), np.asarray(a, dtype=float).tobytes())

    return (n_steps, tuple(net.sizes), repr(net.activations), repr(net.loss), float(net.lr), net.reduction,
            net.bias, net.error_sign, float(net.l2), arr(net.x), arr(net.y), tuple(arr(w) for w in net.W),
            tuple(arr(b) for b in net.b))


class ProblemCache:
    """The problems met so far (at most `size`, least recently used forgotten first).

    Owned by one judging process that sees the same problem many times (a grading worker);
    `remember=False` gives problems without a replay memory (every formula computed afresh).
    """

    def __init__(self, size: int = 8, remember: bool = True):
        self.size, self.remember = size, remember
        self._problems: OrderedDict[tuple, Problem] = OrderedDict()

    def problem(self, ex: WorkedExample) -> Problem:
        """The example's problem, from the cache or prepared now."""
        net = build_net(ex)
        key = fingerprint(net, ex.n_steps)
        found = self._problems.get(key)
        if found is not None:
            self._problems.move_to_end(key)
            return found
        found = self._problems[key] = Problem(net, ex.n_steps, self.remember)
        if len(self._problems) > self.size:
            self._problems.popitem(last=False)
        return found
