"""The matrix-formula language: parsing (precedence, transposes, f'), refusals, and the symbolic
proof at small sizes against SymPy's own chain rule (correct forms proved, slips refuted)."""

from __future__ import annotations

import pytest

from gradverify.derivations import matrix
from gradverify.derivations.parse import ClaimSyntaxError


def test_parse_precedence_and_postfix():
    lhs, tree = matrix.parse_formula("delta2 = tanh'(z2) o (W2^T delta3)")
    assert lhs == "delta2"
    assert tree == ("had", ("fn", "tanh", True, ("name", "z2")), ("mm", ("T", ("name", "W2")), ("name", "delta3")))
    _, tree = matrix.parse_formula("grad_W2 = delta3 a2^T + lambda W2")
    assert tree == ("+", ("mm", ("name", "delta3"), ("T", ("name", "a2"))), ("mm", ("name", "lambda"), ("name", "W2")))
    _, tree = matrix.parse_formula("Delta1 = -2 (y - O2)")
    assert tree == ("mm", ("neg", ("num", "2")), ("+", ("name", "y"), ("neg", ("name", "O2"))))


@pytest.mark.parametrize("text, fragment", [
    ("delta3 a2^T", "NAME = expression"),
    ("g = __import__('os')", "unexpected"),
    ("g = a2.T", "unexpected"),
    ("g = tanh'", "needs an argument"),
    ("g = (a2", "missing )"),
    ("g = " + "(" * 60 + "a" + ")" * 60, "nests"),
    ("g = a" * 200, "at most"),
])
def test_refusals(text, fragment):
    with pytest.raises(ClaimSyntaxError) as err:
        matrix.parse_formula(text)
    assert fragment in str(err.value)


@pytest.mark.parametrize("layout, text, verdict", [
    ("004", "grad_W2 = delta3 a2^T", "proved"),
    ("004", "grad_W2 = delta3 a2^T + lambda W2", "proved"),
    ("004", "delta2 = tanh'(z2) o (W2^T delta3)", "proved"),
    ("004", "grad_W1 = delta2 x^T", "proved"),
    ("004", "grad_x = W1^T delta2", "proved"),
    ("004", "grad_x = W1^T (tanh'(z2) o (W2^T delta3))", "proved"),
    ("004", "grad_b3 = delta3", "proved"),
    ("004", "grad_W2 = 2 delta3 a2^T", "refuted"),
    ("004", "delta2 = tanh(z2) o (W2^T delta3)", "refuted"),
    ("004", "grad_W2 = a2 delta3^T", "refuted"),
    ("000", "Delta2 = sigma'(s0) o (w1 Delta1)", "proved"),
    ("000", "grad_w1 = O1 Delta1^T", "proved"),
    ("000", "grad_w1 = Delta1 O1^T", "refuted"),
    ("004", "delta3 = yhat - y", "not symbolic"),
])
def test_symbolic_proof_at_small_sizes(layout, text, verdict):
    lhs, tree = matrix.parse_formula(text)
    assert matrix.prove(lhs, tree, matrix.layout(layout))["verdict"] == verdict
