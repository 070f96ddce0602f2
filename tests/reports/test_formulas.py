"""Formula claims against the engine on random networks: right, transposed and wrong told apart, the
seeds' forms verified, and the engine's values the formulas are compared with re-derived by
central differences of the loss (independent truth)."""

from __future__ import annotations

import numpy as np
import pytest

from gradverify.derivations import matrix
from gradverify.judge import formulas


@pytest.mark.parametrize("layout, text", [
    ("004", "grad_W2 = delta3 a2^T"), ("004", "delta2 = tau'(z2) o (W2^T delta3)"),
    ("004", "grad_x = W1^T delta2"), ("004", "grad_W2 = delta3 a2^T + lambda W2"), ("004", "delta3 = yhat - y"),
    ("000", "Delta1 = -2 (y - O2)"), ("000", "Delta2 = sigma'(s0) o (w1 Delta1)"), ("000", "grad_w0 = O0 Delta2^T"),
    ("003", "dA2 = y - yhat"), ("003", "grad_w2 = x1 dA2^T"), ("003", "dA1 = relu'(a1) o (w2 dA2)"),
])
def test_correct_forms(layout, text):
    assert formulas.judge_formula(text, layout)["verdict"] == "equivalent"


def test_transposed_result_is_named():
    r = formulas.judge_formula("grad_W2 = a2 delta3^T", "004")
    assert r["verdict"] == "not equivalent" and "transposed" in r["diagnoses"][0]


def test_missing_transpose_is_named():
    r = formulas.judge_formula("delta2 = tau'(z2) o (W2 delta3)", "004")
    assert r["verdict"] == "not equivalent" and any("transpose W2" in d for d in r["diagnoses"])


def test_square_layers_still_catch_the_transpose():
    # with equal sizes the shapes fit, so only the values can tell
    r = formulas.judge_formula("delta2 = tau'(z2) o (W2 delta3)", "004", (3, 3, 3))
    assert r["verdict"] == "not equivalent" and r["counterexample"]
    assert any("transpose W2" in d for d in r["diagnoses"])


def test_sign_and_factor():
    assert "sign" in formulas.judge_formula("delta3 = y - yhat", "004")["diagnoses"][0]
    assert "factor 2" in formulas.judge_formula("grad_W2 = 2 delta3 a2^T", "004")["diagnoses"][0]


@pytest.mark.parametrize("text, fragment", [
    ("W2 = delta3 a2^T", "not a gradient"), ("grad_W2 = delta3 q^T", "unknown name"),
    ("grad_W2 = delta3 a2.T", "unexpected"),
])
def test_unusable(text, fragment):
    with pytest.raises(formulas.FormulaError, match=fragment):
        formulas.judge_formula(text, "004")


def test_engine_values_agree_with_central_differences():
    """The truth the formulas are compared with is dL/dW by finite differences of the loss."""
    lay = matrix.layout("004")
    net = formulas._network(lay, (3, 4, 2), 11, 0.0)
    from gradverify.numeric.conventions import Conventions
    from gradverify.numeric.mlp import MLP

    m = MLP.random([3, 4, 2], list(lay.activations), lay.loss, seed=11, conventions=Conventions(reduction="sum"))
    x = net["values"]["x"].reshape(1, -1)
    y = net["values"]["y"].reshape(1, -1)
    h = 1e-6
    fd = np.zeros_like(m.W[1])
    for i in range(fd.shape[0]):
        for j in range(fd.shape[1]):
            up, down = m.copy(), m.copy()
            up.W[1][i, j] += h
            down.W[1][i, j] -= h
            fd[i, j] = (up.evaluate(x, y) - down.evaluate(x, y)) / (2 * h)
    assert np.allclose(net["truths"]["grad_W2"], fd, atol=1e-8)
    formula = net["values"]["delta3"] @ net["values"]["a2"].T
    assert np.allclose(formula, fd, atol=1e-8)


def test_tables_and_expectations():
    res = formulas.judge_formula_tables([
        {"claimed": "grad_W2 = delta3 a2^T", "layout": "004", "expect": "equivalent"},
        {"claimed": "grad_w1 = Delta1 O1^T", "layout": "000", "expect": "not equivalent"},
    ])
    assert all(r["as_expected"] for r in res)
    with pytest.raises(formulas.FormulaError, match="number 1"):
        formulas.judge_formula_tables([{"claimed": "grad_W2 = delta3 a2^T", "sizes": [3, 4]}])


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=8, deadline=None)
@given(st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(2, 6)))
def test_right_and_transposed_on_any_sizes(sizes):
    """Law: on any layer sizes the textbook forms hold and the missing transpose is caught."""
    assert formulas.judge_formula("grad_W2 = delta3 a2^T", "004", sizes)["verdict"] == "equivalent"
    assert formulas.judge_formula("delta2 = tau'(z2) o (W2^T delta3)", "004", sizes)["verdict"] == "equivalent"
    assert formulas.judge_formula("grad_x = W1^T delta2", "004", sizes)["verdict"] == "equivalent"
    wrong = formulas.judge_formula("delta2 = tau'(z2) o (W2 delta3)", "004", sizes)
    if sizes[1] == sizes[2] == 1:
        assert wrong["verdict"] == "equivalent"  # a 1x1 matrix is its own transpose
    else:
        assert wrong["verdict"] == "not equivalent"


def test_a_symbolic_proof_that_runs_away_is_stopped_and_the_numeric_verdict_stands(monkeypatch):
    """Expanding a product of 16 symbolic matrices takes minutes: the proof runs in the sandbox's
    worker, is stopped at the time limit, and the claim keeps the engine's verdict (it is right)."""
    from gradverify.derivations import sandbox

    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", "off")
    monkeypatch.setattr(sandbox, "_SHARED", None)
    power = " ".join(["W2 W2^T"] * 8)
    text = f"grad_W2 = delta3 a2^T + ({power} (delta3 + delta3) - 2 {power} delta3) a2^T"
    try:
        r = formulas.judge_formula(text, "004", timeout=1.0)
    finally:
        sandbox.shared().stop()
    assert r["verdict"] == "equivalent", r
    assert r["symbolic"]["verdict"] == "undecided" and "no verdict within 1 s" in r["symbolic"]["method"], r
