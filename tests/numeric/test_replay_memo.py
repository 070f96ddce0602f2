"""The replay memory (gradverify.numeric.replaymemo): replays with one give, to the bit, what replays without
one give, for random networks, conventions, variants and claim overrides; what it hands out is
read-only; it refuses another network's replays and stays right when it forgets."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from gradverify.numeric.replay import Variant, replay
from gradverify.numeric.replaymemo import ReplayMemo

sys.path.insert(0, str(Path(__file__).parent))
from test_replay import CASES, make_net  # noqa: E402

VARIANTS = [Variant(), Variant(grad_scale=0.5), Variant(lr=0.1), Variant(update_sign=-1.0),
            Variant(reduction="sum"), Variant(act_prime="output_at_z"), Variant(act_prime="at_a"),
            Variant(transpose_back=True), Variant(round_sig=2), Variant(sign_back=-1.0)]


def _overrides(rng, exact, p):
    """Claims near the exact values (3 decimals), on a random part of the elements."""
    out = {}
    for k, v in exact.raw.items():
        if rng.random() < p:
            vals = np.round(np.asarray(v) * (1 + 0.01 * rng.integers(-1, 2, np.shape(v))), 3)
            out[k] = (vals, rng.random(np.shape(v)) < 0.8)
    return out


def _same(a, b):
    assert a.raw.keys() == b.raw.keys() and a.alt.keys() == b.alt.keys() and a.taken.keys() == b.taken.keys()
    for d1, d2 in ((a.raw, b.raw), (a.taken, b.taken)):
        for k in d1:
            x, y = np.asarray(d1[k]), np.asarray(d2[k])
            assert x.shape == y.shape and x.tobytes() == y.tobytes(), k
    for k in a.alt:
        assert [lab for lab, _ in a.alt[k]] == [lab for lab, _ in b.alt[k]]
        assert all(np.asarray(u).tobytes() == np.asarray(v).tobytes() for (_, u), (_, v) in zip(a.alt[k], b.alt[k]))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(CASES), st.integers(1, 2),
       st.sampled_from([("mean", 0.0, "per_neuron", "gradient"), ("sum", 0.1, "shared", "negative"),
                        ("mean", 0.0, "none", "gradient"), ("mean", 0.0, "frozen", "gradient")]))
def test_replays_with_a_memory_equal_replays_without(seed, case, B, conv):
    reduction, l2, bias, sign = conv
    net = make_net(seed, case[0], case[1], case[2], B, reduction, l2, bias, sign)
    rng = np.random.default_rng(seed)
    exact = replay(net, 2)
    claims = [None, *(_overrides(rng, exact, p) for p in (0.3, 0.9))]
    memo = ReplayMemo(net)
    with np.errstate(all="ignore"):
        for _ in range(2):  # the second round recalls every formula
            for ov in claims:
                for v in VARIANTS:
                    _same(replay(net, 2, ov, v), replay(net, 2, ov, v, memo))
    assert memo.hits > memo.misses


def test_one_changed_claim_recomputes_only_the_formulas_that_read_it():
    net = make_net(3, (3, 2, 1), ("sigmoid", "sigmoid"), "squared_error")
    memo = ReplayMemo(net)
    exact = replay(net, 1)
    claims = {k: (np.round(np.asarray(v), 3), np.ones(np.shape(v), dtype=bool)) for k, v in exact.raw.items()}
    replay(net, 1, claims, memo=memo)
    stored = memo.size
    changed = dict(claims)
    vals, mask = claims[(1, "a", 1)]
    changed[(1, "a", 1)] = (vals + 0.001, mask)
    _same(replay(net, 1, changed, memo=memo), replay(net, 1, changed))
    # a (output) is read by the loss, dL/da and the delta's alternatives: nothing before it, and
    # nothing after the claims that are taken again
    assert 0 < memo.size - stored <= 4


def test_results_handed_out_are_read_only_and_the_memo_keeps_to_its_network():
    net = make_net(4, (2, 2, 1), ("tanh", "sigmoid"), "squared_error")
    memo = ReplayMemo(net)
    rep = replay(net, 1, memo=memo)
    with pytest.raises(ValueError):
        rep.raw[(1, "z", 0)][0, 0] = 1.0
    with pytest.raises(ValueError, match="another network"):
        replay(make_net(4, (2, 2, 1), ("tanh", "sigmoid"), "squared_error"), 1, memo=memo)


def test_a_full_memo_forgets_and_still_gives_the_same_values():
    net = make_net(5, (3, 3, 2), ("relu", "softmax"), "softmax_cross_entropy")
    memo = ReplayMemo(net, max_results=10)
    rng = np.random.default_rng(0)
    exact = replay(net, 2)
    for _ in range(3):
        ov = _overrides(rng, exact, 0.5)
        _same(replay(net, 2, ov, Variant(round_sig=2), memo), replay(net, 2, ov, Variant(round_sig=2)))
    assert memo.size <= 10
