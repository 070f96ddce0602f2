"""A network's graph: its exact chain equals finite differences and exact rationals; claims replace
exactly the claimed elements; conventions (sign, batch, bias, l2) behave as stated; evaluating only
what changed gives, to the bit, what evaluating everything gives."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from gradverify.judge.graph import Evaluation, evaluate
from gradverify.judge.mlp import EXACT, Net, NetworkGraph, Variant
from gradverify.numeric.activations import get_activation
from gradverify.numeric.losses import get_loss


def replay(net: Net, n_steps: int, claims: dict | None = None, variant: Variant = EXACT) -> Evaluation:
    graph, _ = NetworkGraph(net, list(range(1, n_steps + 1))).graph(variant)
    return evaluate(graph, claims or {})


def make_net(seed: int, sizes, acts, loss, B=1, reduction="mean", l2=0.0, bias="per_neuron", error_sign="gradient",
             lr=0.3, mean_at="parameter_gradient"):
    rng = np.random.default_rng(seed)
    W = [rng.normal(0, 0.7, (sizes[k + 1], sizes[k])) for k in range(len(sizes) - 1)]
    if bias == "shared":
        b = [np.asarray(rng.normal()) for _ in W]
    elif bias == "none":
        b = [None for _ in W]
    else:
        b = [rng.normal(0, 0.3, sizes[k + 1]) for k in range(len(sizes) - 1)]
    x = rng.normal(0, 1, (B, sizes[0]))
    if loss in ("softmax_cross_entropy", "cross_entropy"):
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], B)]
    else:
        y = rng.uniform(0.1, 0.9, (B, sizes[-1]))
    conv = {"reduction": reduction, "bias": bias, "error_sign": error_sign, "l2": l2, "batch_mean_at": mean_at}
    return Net(tuple(sizes), tuple((get_activation(a), {}) for a in acts), loss, {}, lr, x, y, tuple(W), tuple(b), conv)


def plain_loss(net: Net, W, b, x) -> float:
    """An independent forward pass: the batch loss the replay should differentiate."""
    a = x
    for k, (act, p) in enumerate(net.acts):
        z = a @ W[k].T + (0 if b[k] is None else b[k])
        a = act.f(z, **p)
    fused = net.loss_name == "softmax_cross_entropy"
    per = get_loss(net.loss_name).value(z if fused else a, net.y)
    total = per.mean() if net.conv["reduction"] == "mean" else per.sum()
    return float(total + 0.5 * net.conv["l2"] * sum(np.sum(w * w) for w in W))


def fd(f, arr, h=1e-6):
    g = np.zeros(np.shape(arr))
    flat = np.asarray(arr, dtype=float)
    for idx in np.ndindex(*np.shape(arr)):
        plus, minus = flat.copy(), flat.copy()
        plus[idx] += h
        minus[idx] -= h
        g[idx] = (f(plus) - f(minus)) / (2 * h)
    return g


CASES = [
    ((3, 2, 1), ("sigmoid", "sigmoid"), "squared_error"),
    ((3, 4, 3), ("relu", "softmax"), "softmax_cross_entropy"),
    ((2, 3, 3), ("tanh", "softmax"), "cross_entropy"),
    ((3, 3, 2), ("elu", "identity"), "half_squared_error"),
    ((2, 3, 2), ("softplus", "sigmoid"), "binary_cross_entropy"),
]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(CASES), st.integers(1, 3), st.sampled_from(["mean", "sum"]),
       st.sampled_from([0.0, 0.1]), st.sampled_from(["per_neuron", "shared", "none"]))
def test_exact_gradients_equal_finite_differences(seed, case, B, reduction, l2, bias):
    sizes, acts, loss = case
    net = make_net(seed, sizes, acts, loss, B, reduction, l2, bias)
    rep = replay(net, 1)
    for k in range(len(net.W)):
        def f(w, k=k):
            W = list(net.W)
            W[k] = w
            return plain_loss(net, W, net.b, net.x)
        np.testing.assert_allclose(rep.value((1, "dW", k)), fd(f, net.W[k]), rtol=1e-5, atol=1e-7)
        if net.b[k] is not None:
            def fb(v, k=k):
                b = list(net.b)
                b[k] = v
                return plain_loss(net, net.W, b, net.x)
            np.testing.assert_allclose(rep.value((1, "db", k)), fd(fb, net.b[k]), rtol=1e-5, atol=1e-7)
    scale = B if reduction == "mean" else 1  # dx is per sample (unreduced), like delta
    np.testing.assert_allclose(rep.value((1, "dx", None)) / scale, fd(lambda x: plain_loss(net, net.W, net.b, x), net.x),
                               rtol=1e-5, atol=1e-7)
    assert rep.value((1, "loss", None)) == pytest.approx(plain_loss(net, net.W, net.b, net.x), rel=1e-12)


def test_seed001_step_in_exact_rationals_with_identity_activations():
    """With identity activations every quantity is rational: the replay agrees with Fractions."""
    F = Fraction
    W2 = [[F("0.2"), F("0.3"), F("0.4")], [F("-0.2"), F("0.1"), F("0.5")]]
    b2 = [F("-0.2"), F("-0.2")]
    W3, b3 = [[F("-0.3"), F("0.1")]], [F("-0.2")]
    x, y, lr = [F("0.8"), F("0.7"), F("0.1")], F("0.9"), F(1)
    z2 = [sum(W2[j][k] * x[k] for k in range(3)) + b2[j] for j in range(2)]
    z3 = W3[0][0] * z2[0] + W3[0][1] * z2[1] + b3[0]
    d3 = 2 * (z3 - y)
    d2 = [W3[0][j] * d3 for j in range(2)]
    W2n = [[W2[j][k] - lr * d2[j] * x[k] for k in range(3)] for j in range(2)]
    W3n = [[W3[0][j] - lr * d3 * z2[j] for j in range(2)]]
    conv = {"reduction": "mean", "bias": "per_neuron", "error_sign": "gradient", "l2": 0.0,
            "batch_mean_at": "parameter_gradient"}
    net = Net((3, 2, 1), ((get_activation("identity"), {}),) * 2, "squared_error", {}, 1.0, np.array([[0.8, 0.7, 0.1]]),
              np.array([[0.9]]), (np.array(W2, dtype=float), np.array(W3, dtype=float)),
              (np.array(b2, dtype=float), np.array(b3, dtype=float)), conv)
    rep = replay(net, 2)
    assert rep.value((1, "z", 1))[0, 0] == pytest.approx(float(z3), abs=1e-15)
    assert rep.value((1, "delta", 1))[0, 0] == pytest.approx(float(d3), abs=1e-15)
    np.testing.assert_allclose(rep.value((1, "delta", 0))[0], [float(v) for v in d2], atol=1e-15)
    np.testing.assert_allclose(rep.value((2, "W", 0)), [[float(v) for v in r] for r in W2n], atol=1e-15)
    np.testing.assert_allclose(rep.value((2, "W", 1)), [[float(v) for v in r] for r in W3n], atol=1e-15)
    assert rep.value((1, "loss", None)) == pytest.approx(float((y - z3) ** 2), abs=1e-15)


def test_overrides_replace_only_the_claimed_elements():
    net = make_net(1, (3, 2, 1), ("sigmoid", "sigmoid"), "squared_error")
    exact = replay(net, 1)
    vals, mask = np.zeros((1, 2)), np.array([[True, False]])
    vals[0, 0] = 0.5
    rep = replay(net, 1, {(1, "z", 0): (vals, mask)})
    assert rep.value((1, "z", 0)) == pytest.approx(exact.value((1, "z", 0)))  # the claim's own recomputation
    a = rep.value((1, "a", 0))[0]
    assert a[0] == pytest.approx(1 / (1 + np.exp(-0.5))) and a[1] == pytest.approx(exact.value((1, "a", 0))[0, 1])


def test_negative_error_sign_reports_negated_backward_values_and_updates_the_same():
    g = make_net(3, (3, 3, 2), ("tanh", "sigmoid"), "squared_error")
    n = make_net(3, (3, 3, 2), ("tanh", "sigmoid"), "squared_error", error_sign="negative")
    rg, rn = replay(g, 2), replay(n, 2)
    for q in ("dL_da", "delta", "dW", "db"):
        np.testing.assert_allclose(rn.value((1, q, 0)), -rg.value((1, q, 0)))
    np.testing.assert_allclose(rn.value((2, "W", 0)), rg.value((2, "W", 0)))
    # a claim written in the negative convention is read back in it
    err = rn.value((1, "delta", 1))
    rc = replay(n, 1, {(1, "delta", 1): (err, np.ones_like(err, dtype=bool))})
    np.testing.assert_allclose(rc.value((1, "dW", 1)), rn.value((1, "dW", 1)))


def test_frozen_bias_is_never_updated_and_lr_scales_the_step():
    net = make_net(4, (2, 2, 1), ("sigmoid", "sigmoid"), "squared_error", bias="frozen")
    rep = replay(net, 2)
    np.testing.assert_allclose(rep.value((2, "b", 0)), net.b[0])
    np.testing.assert_allclose(rep.value((2, "W", 0)), net.W[0] - 0.3 * rep.value((1, "dW", 0)))
    slow = replay(net, 2, variant=Variant(lr=0.03))
    np.testing.assert_allclose(slow.value((2, "W", 0)), net.W[0] - 0.03 * rep.value((1, "dW", 0)))


def test_act_prime_alternative_from_the_output_and_half_variant():
    net = make_net(5, (3, 2, 1), ("sigmoid", "sigmoid"), "squared_error")
    rep = replay(net, 1)
    a = np.round(rep.value((1, "a", 0)), 3)  # the output as a hand writes it
    mine = replay(net, 1, {(1, "a", 0): (a, np.ones_like(a, dtype=bool))})
    stated, alt = mine.values((1, "act_prime", 0))
    assert alt.how == ("from your a",)
    np.testing.assert_allclose(alt.array, a * (1 - a))
    np.testing.assert_allclose(stated.array, rep.value((1, "act_prime", 0)))
    half = replay(net, 1, variant=Variant(grad_scale=0.5))
    np.testing.assert_allclose(half.value((1, "delta", 1)), 0.5 * rep.value((1, "delta", 1)))
    assert half.value((1, "loss", None)) == rep.value((1, "loss", None))


def _same(a: Evaluation, b: Evaluation) -> bool:
    def fp(ev: Evaluation) -> dict:
        return {k: [(v.array.tobytes(), v.how) for v in vals] for k, vals in ev.computed.items()}
    return fp(a) == fp(b) and {k: [v.array.tobytes() for v in t] for k, t in a.taken.items()} == \
        {k: [v.array.tobytes() for v in t] for k, t in b.taken.items()}


VARIANTS = [Variant(grad_scale=0.5), Variant(lr=0.03), Variant(update_sign=-1.0), Variant(reduction="sum"),
            Variant(act_prime="output_at_z"), Variant(act_prime="at_a"), Variant(transpose=frozenset({0})),
            Variant(round_sig=2), Variant(sign_back=-1.0), Variant(no_bias=frozenset({1})), Variant(l2_scale=0.5),
            Variant(updated_back=True), Variant(copied=True), Variant(grad_scale=-1.0)]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(CASES), st.integers(1, 2), st.sampled_from(VARIANTS),
       st.sampled_from(["negative", "gradient"]), st.sampled_from(["parameter_gradient", "output_gradient"]))
def test_evaluating_only_what_changed_equals_evaluating_everything(seed, case, B, variant, sign, mean_at):
    """A variant's graph, or claims changed in one node, evaluated from a base evaluation give, to the
    bit, what a fresh evaluation gives: the judge may recompute only what depends on a change."""
    sizes, acts, loss = case
    net = make_net(seed, (sizes[0], 3, 3) if variant.transpose else sizes, acts, loss, B, error_sign=sign,
                   mean_at=mean_at)
    ng = NetworkGraph(net, [1, 2])
    exact = evaluate(ng.stated, {}, alternatives=False)
    rng = np.random.default_rng(seed)
    claims = {}
    for key in exact.computed:  # about half the quantities claimed, as a hand rounds them
        if key[1] not in ("run",) and rng.random() < 0.5:
            v = np.round(exact.value(key), 3)
            claims[key] = (v, rng.random(v.shape) < 0.8)
    memo: dict = {}
    base = evaluate(ng.stated, claims, memo=memo)
    graph, changed = ng.graph(variant)
    assert _same(evaluate(graph, claims, base=base, changed=changed), evaluate(graph, claims))
    assert _same(evaluate(graph, claims, memo=memo), evaluate(graph, claims))
    if claims:  # one claim taken back: only what reads it is computed again
        key = sorted(claims, key=repr)[0]
        fewer = {k: v for k, v in claims.items() if k != key}
        partial = evaluate(ng.stated, fewer, base=base)
        assert _same(partial, evaluate(ng.stated, fewer))
        assert partial.recomputed <= len(ng.stated.nodes)


def test_a_changed_claim_recomputes_nodes_up_to_the_next_claimed_ones():
    net = make_net(2, (3, 2, 1), ("sigmoid", "sigmoid"), "squared_error")
    ng = NetworkGraph(net, [1, 2])
    exact = evaluate(ng.stated, {}, alternatives=False)
    claims = {k: (np.round(exact.value(k), 3), np.ones(np.shape(exact.value(k)), dtype=bool))
              for k in exact.computed if k[1] in ("z", "a", "delta", "dW", "db", "W", "b")}
    base = evaluate(ng.stated, claims)
    typo = dict(claims)
    z = claims[(1, "z", 0)][0].copy()
    z[0, 0] += 0.1
    typo[(1, "z", 0)] = (z, claims[(1, "z", 0)][1])
    again = evaluate(ng.stated, typo, base=base)
    # the claimed z changes what a2 and act_prime2 read; a2 is claimed, so nothing past act_prime2 moves
    assert again.recomputed <= 4
    assert _same(again, evaluate(ng.stated, typo))


@pytest.mark.parametrize("case", ["seed001", "softmax"])
def test_what_a_variant_may_touch_covers_what_it_rebuilds(case):
    """A diagnosis skips a candidate whose touched nodes cannot reach a claim, without building its
    graph: every node a candidate's graph really rebuilds must be among them."""
    from gradverify.judge.problems import Problem
    from gradverify.judge.worked import load_example

    ex = load_example("cs7015-q3" if case == "seed001" else "seed003-relu-softmax")
    problem = Problem(ex)
    variants = [c.variant for c in problem.candidates if isinstance(c.variant, Variant)]
    assert len(variants) >= 8
    for v in variants + [Variant(round_sig=2), Variant(sign_back=-1.0)]:
        _graph, changed = problem.network.graph(v)
        assert changed <= problem.network.touched(v), v
        assert changed <= problem.reach(v)
