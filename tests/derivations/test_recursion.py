"""Seed 000's backpropagation recursion at any depth (`derive backprop`): proved exactly for the
regression and softmax heads, batch sum and mean, any activation; a recursion with the weights
transposed (the to_from habit in a from_to layout) is refuted; the command states and proves it."""

from __future__ import annotations

import pytest
import sympy as sp

from gradverify.cli import main
from gradverify.derivations import recursion


@pytest.mark.parametrize("depth, head, batch, samples", [
    (1, "regression", "sum", 1), (3, "regression", "sum", 1), (3, "regression", "mean", 2),
    (2, "classification", "sum", 1), (4, "classification", "mean", 2), (5, "regression", "sum", 1),
])
def test_the_recursion_is_proved(depth, head, batch, samples):
    p = recursion.prove(depth, head, batch, samples)
    assert p.proved, p.failed
    assert p.checked == 2 + depth * (2 + 4)  # the output errors, then per layer 2 biases and 4 weights


def test_a_transposed_recursion_is_refuted(monkeypatch):
    def transposed(W, S, previous, L, k):
        n = len(previous)
        return [recursion.sigma_prime(S[L - k][i]) * sum(W[L - k + 1][j][i] * previous[j] for j in range(n))
                for i in range(n)]

    monkeypatch.setattr(recursion, "step", transposed)
    p = recursion.prove(3, "regression")
    assert not p.proved and p.failed and all(f.startswith("dE/d") for f in p.failed)


def test_the_output_error_of_a_softmax_head_is_the_seeds_general_form():
    # by hand at N = 2: dE/du_0 for E = -l_0 log s_0 - l_1 log s_1 is -l_0 + s_0 (l_0 + l_1)
    u0, u1, l0, l1 = sp.symbols("u0 u1 l0 l1", real=True)
    s0 = sp.exp(u0) / (sp.exp(u0) + sp.exp(u1))
    E = -l0 * sp.log(s0) - l1 * sp.log(1 - s0)
    assert sp.simplify(sp.diff(E, u0) - (-l0 + s0 * (l0 + l1))) == 0
    assert recursion._head("classification", 2) == []


def test_limits_are_refused():
    with pytest.raises(ValueError):
        recursion.prove(7)


def test_derive_backprop_states_and_proves_it(capsys):
    assert main(["derive", "backprop", "--depth", "2", "--head", "classification", "--batch", "mean"]) == 0
    out = capsys.readouterr().out
    assert "recursion: Delta[l, i] = sigma_prime(s[L - l, i])" in out
    assert "proved:" in out and "2 samples, mean" in out
    assert main(["derive", "backprop", "--depth", "9"]) == 2
    assert "depth 1..6" in capsys.readouterr().err


def test_derive_backprop_steps_and_json(capsys):
    assert main(["derive", "backprop", "--steps"]) == 0
    assert "[recursion]" in capsys.readouterr().out
    import json

    assert main(["derive", "backprop", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["rule"] for c in doc["children"]][-1] == "proof"
