"""`[[formula]]` claims in seed 001's notation (Nielsen's four equations) and at seed 004's own
size: the right forms are equivalent (numerically on random networks and symbolically), seed 001's
z^2 written where sigma'(z^2) belongs is named, and a 150-100-5 network is accepted."""

from __future__ import annotations

import pytest

from gradverify.judge import claimtables
from gradverify.judge.formulas import judge_formula


@pytest.mark.parametrize("text", [
    "delta3 = 2 (a3 - y) o sigma'(z3)",            # (i) dC/da o sigma'(z), C = (y - a)^2
    "delta2 = (w3^T delta3) o sigma'(z2)",         # (ii)
    "grad_b2 = delta2",                            # (iii)
    "grad_w2 = delta2 x^T",                        # (iv) dC/dw_jk = delta_j a_k^(l-1)
    "grad_w3 = delta3 a2^T",
])
def test_nielsens_equations_are_equivalent_in_layout_001(text):
    assert judge_formula(text, "001")["verdict"] == "equivalent"


def test_seed_001_writes_z2_where_sigma_prime_of_z2_belongs():
    r = judge_formula("delta2 = (w3^T delta3) o z2", "001")
    assert r["verdict"] == "not equivalent"
    assert any(d.startswith("z2 where sigmoid'(z2) belongs") for d in r["diagnoses"])


def test_seed_001s_output_error_is_half_that_of_the_stated_loss():
    r = judge_formula("delta3 = (a3 - y) o sigma'(z3)", "001")
    assert r["verdict"] == "not equivalent"
    assert any("1/2 (y - a)^2" in d for d in r["diagnoses"])


def test_seed_004s_own_network_150_100_5():
    r = judge_formula("grad_W1 = delta2 x^T", "004", (150, 100, 5))
    assert r["verdict"] == "equivalent"
    assert "150-100-5" in r["explanation"]
    wrong = judge_formula("delta2 = tau'(z2) o (W2 delta3)", "004", (150, 100, 5))
    assert wrong["verdict"] == "not equivalent"


def test_sizes_up_to_200_validate_and_beyond_is_refused():
    doc = {"formula": [{"claimed": "grad_W1 = delta2 x^T", "sizes": [200, 150, 5]}]}
    _d, f = claimtables.validate(doc, "f.toml", "")
    assert f[0].table["sizes"] == [200, 150, 5]
    with pytest.raises(Exception) as exc:
        claimtables.validate({"formula": [{"claimed": "grad_W1 = delta2 x^T", "sizes": [201, 3, 2]}]}, "f.toml", "")
    assert "1 to 200" in str(exc.value)

