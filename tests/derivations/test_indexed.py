"""Layer-indexed formulas in the seeds' own notations (`[[indexed]]`): seed 000's recursion and
gradients hold at every layer and index, its summary's upper index n_L - l + 2 - 1 and its layer
range 0..L are named; seed 003's (22), (23), (24) layer slips are named with the layer that
belongs, and its (19), (25) bias index slip with the index. The network's derivatives (forward
mode) are first checked against central differences."""

from __future__ import annotations

import mpmath
import pytest

from gradverify.derivations import indexcheck, indexed, layernet
from gradverify.derivations.indexparse import LAYERED, parse_claim

RECURSION = r"\Delta_i^{\ell} = \sigma_i^{L-\ell} \sum_{j=0}^{n_{L-\ell+2}-1} \omega_{ij}^{L-\ell+1} \Delta_j^{\ell-1}"


def judge(text, notation="000", head=None, ranges=None):
    left, right = parse_claim(text, set(LAYERED[notation]))
    return indexcheck.judge(left, right, notation, head, ranges)


@pytest.mark.parametrize("head, activation", [("regression", "sigmoid"), ("classification", "relu")])
def test_forward_mode_derivatives_match_central_differences(head, activation):
    net = layernet.random_net((2, 3, 4, 2), activation, head, seed=5)
    with mpmath.workdps(30):
        for ref in [("W", 0, 1, 2), ("b", 1, 3), ("W", 2, 3, 1)]:
            h = mpmath.mpf("1e-12")
            table = net.W if ref[0] == "W" else net.b
            cell = table[ref[1]][ref[2]] if ref[0] == "b" else table[ref[1]][ref[2]][ref[3]]
            def loss_at(v):
                if ref[0] == "W":
                    table[ref[1]][ref[2]][ref[3]] = v
                else:
                    table[ref[1]][ref[2]] = v
                return net.forward()[("loss",)].v
            fd = (loss_at(cell + h) - loss_at(cell - h)) / (2 * h)
            loss_at(cell)
            assert abs(net.forward(ref)[("loss",)].d - fd) < mpmath.mpf("1e-15")


def test_the_notations_layered_names_are_the_parsers():
    for name, nt in indexed.NOTATIONS.items():
        assert LAYERED[name] == {k for k, f in nt.families.items() if f.kind not in ("width", "target")
                                 and f.layers[0]}


@pytest.mark.parametrize("text, head", [
    (RECURSION, None),
    (r"\frac{\delta E(x)}{\delta \omega_{ij}^{L-n}} = O_i^{L-n} \Delta_j^n", None),
    (r"\Delta_i^1 = -2(y_i - O_i^L)", None),
    (r"\Delta_i^1 = -\sum_{j=0}^{n_L-1} l_j (1\{i=j\} - O_i^L)", "classification"),
    (r"\frac{\partial E}{\partial b_j^{L-n}} = \Delta_j^n", None),
    (r"\frac{\partial O_i^\ell}{\partial \omega_{ji}^{\ell-1}} = \sigma_i^{\ell-1} O_j^{\ell-1}", None),
])
def test_seed_000s_formulas_hold_at_every_layer_and_index(text, head):
    r = judge(text, head=head)
    assert r["verdict"] == "equivalent", r["explanation"]
    assert r["checked"] >= 6


def test_seed_000s_summary_upper_index_is_named():
    r = judge(RECURSION.replace("n_{L-\\ell+2}-1", "n_L-\\ell+2-1"))
    assert r["verdict"] == "not equivalent"
    assert r["explanation"].startswith("at ℓ = 3")
    assert "the sum over j runs 0..0 but Δ_j with superscript 2 has j = 0..2" in r["diagnoses"]


def test_seed_000s_layer_range_0_to_L_includes_a_weight_layer_that_does_not_exist():
    r = judge(r"\frac{\partial E}{\partial \omega_{ij}^{\ell}} = O_i^{\ell} \Delta_j^{L-\ell}", ranges={"ell": "0..L"})
    assert r["verdict"] == "not equivalent"
    assert r["explanation"].startswith("at ℓ = 4: ω with superscript 4 does not exist")
    ok = judge(r"\frac{\partial E}{\partial \omega_{ij}^{\ell}} = O_i^{\ell} \Delta_j^{L-\ell}", ranges={"ell": "0..L-1"})
    assert ok["verdict"] == "equivalent"


SEED_003_22 = (r"\frac{\partial L}{\partial w_{1,1}^{N-1}} = (dA_1^N w_{1,1}^N + dA_2^N w_{1,2}^N) "
               r"\mathbb{1}\{a_1^{N-1} > 0\} x_1^{N-1}")


@pytest.mark.parametrize("text, slip", [
    (SEED_003_22, "x_1 with superscript N-1 where N-2 belongs"),
    (r"\frac{\partial L}{\partial b_1^N} = dA_1^{N-1}", "b_1 with superscript N where N-1 belongs"),
    (r"\frac{\partial L}{\partial w_{i,j}^{n}} = dA_j^n x_i^n", "x_i with superscript n where n-1 belongs"),
])
def test_seed_003s_layer_slips_are_named(text, slip):
    r = judge(text, "003")
    assert r["verdict"] == "not equivalent"
    assert slip in r["diagnoses"]


@pytest.mark.parametrize("text", [
    SEED_003_22.replace("x_1^{N-1}", "x_1^{N-2}"),
    r"\frac{\partial L}{\partial b_1^{N-1}} = dA_1^{N-1}",
    r"dA_j^N = y_j - \hat{y}_j",
    r"\frac{\partial a_j^n}{\partial w_{j',j}^n} = x_{j'}^{n-1}",
])
def test_seed_003s_right_formulas_hold(text):
    assert judge(text, "003")["verdict"] == "equivalent"


@pytest.mark.parametrize("text", [r"\frac{\partial L}{\partial b_i^N} = dA_j^N",  # (19) as written
                                  r"\frac{\partial L}{\partial b_i^n} = dA_j^n"])  # (25) as written
def test_seed_003s_bias_index_slip_is_named(text):
    """The bias b_i feeds a_i alone: its gradient is dA_i, and the seed's dA_j, with j free on the
    right side only, is the index slip; with i the formula holds at every layer and index."""
    r = judge(text, "003")
    assert r["verdict"] == "not equivalent"
    assert r["diagnoses"][0].startswith("dA_j where dA_i belongs (the index j is free on the right side only)")
    assert judge(text.replace("dA_j", "dA_i"), "003")["verdict"] == "equivalent"


def test_an_index_free_on_the_right_only_that_no_renaming_mends_is_refused():
    """dL/db_i^N = dA_i^N x_k^{N-1}: with k read as i it is dA_i^N x_i^{N-1}, still not the bias's
    gradient dA_i^N, so no renaming mends it and the claim is refused, saying which index is stray."""
    with pytest.raises(indexcheck.ClaimError, match="k free on the right side only"):
        judge(r"\frac{\partial L}{\partial b_i^N} = dA_i^N x_k^{N-1}", "003")


def test_seed_003s_general_recursion_with_the_width_of_layer_n_plus_1():
    text = (r"\frac{\partial L}{\partial w_{i,j}^{n}} = \left(\sum_{k=1}^{M_{n+1}} dA_k^{n+1} w_{j,k}^{n+1}\right) "
            r"\mathbb{1}\{a_j^n > 0\} x_i^{n-1}")
    assert judge(text, "003", ranges={"n": "2..N-1"})["verdict"] == "equivalent"
