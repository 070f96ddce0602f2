"""A derivative claim states how the loss reduces over its n outputs and over a batch of m: seed
001's Huber result dC/da_i = (1/n) dl/da_i for C = (1/n) sum_i l_i is equivalent (it was a false
alarm), and the factor slips the seed makes around it are named (n where 1/n belongs, the 1/n of a
mean against a loss stated as a sum). `derive --reduction` shows only the forms of that reduction,
with --steps too."""

from __future__ import annotations

import sympy as sp

from gradverify.cli import main
from gradverify.derivations import steps
from gradverify.derivations.equivalence import judge
from gradverify.derivations.latex import parse_latex

# seed 001, Huber: the pieces of dl/da_i as the hand wrote them (delta, a - y, -delta by region)
PIECES = r"\begin{cases} \delta & y - a < -\delta \\ a - y & |y - a| \le \delta \\ -\delta & y - a > \delta \end{cases}"


def verdict(text: str, of: str, **kw) -> dict:
    return judge(parse_latex(text), of, **kw)


def test_the_huber_mean_result_is_equivalent_when_the_claim_says_the_loss_is_a_mean():
    r = verdict(r"\frac{1}{n}" + PIECES, "huber", reduction="mean")
    assert r["verdict"] == "equivalent", r
    assert r["reduction"] == "mean"


def test_without_the_reduction_the_same_claim_is_named_as_the_mean_of_a_sum():
    r = verdict(r"\frac{1}{n}" + PIECES, "huber")
    assert r["verdict"] == "not equivalent"
    assert any("derivative of the mean (1/n) sum" in d and "stated as a sum" in d for d in r["diagnoses"])


def test_seed_001_dC_da_equals_n_dl_da_is_named():
    r = verdict("n" + PIECES, "huber", reduction="mean")
    assert r["verdict"] == "not equivalent"
    assert any("n^2 times" in d and "n where the mean's 1/n belongs" in d for d in r["diagnoses"])


def test_the_mean_without_its_1_over_n_is_named():
    r = verdict(PIECES, "huber", reduction="mean")
    assert any("1/n of the mean over the outputs is missing" in d for d in r["diagnoses"])


def test_batch_mean_divides_by_m_and_its_slip_is_named():
    assert verdict(r"\frac{2}{n m}(a - y)", "mean_squared_error", batch="mean")["verdict"] == "equivalent"
    r = verdict(r"\frac{2}{n}(a - y)", "mean_squared_error", batch="mean")
    assert r["verdict"] == "not equivalent"
    assert any("1/m of the mean over the batch is missing" in d for d in r["diagnoses"])


def test_the_truth_under_a_mean_is_sympys_derivative_of_the_mean():
    a, y, n = sp.symbols("a y n")
    mean_loss = (y - a) ** 2 / n
    r = verdict(r"-\frac{2}{n}(y - a)", "squared_error", reduction="mean")
    assert r["verdict"] == "equivalent"
    assert sp.simplify(sp.diff(mean_loss, a) - (-2 * (y - a) / n)) == 0


def test_a_reduction_on_an_activation_is_refused_with_what_to_write():
    from gradverify.derivations.equivalence import ClaimError

    try:
        verdict("1", "relu", reduction="mean")
    except ClaimError as exc:
        assert "stated" in str(exc)
    else:
        raise AssertionError("a reduction on relu was accepted")


def test_derive_with_reduction_mean_lists_only_forms_of_the_mean(capsys):
    code = main(["derive", "huber", "--reduction", "mean"])
    out = capsys.readouterr().out
    assert code == 0
    forms = out.split("textbook forms:")[1]
    assert "1/n times the pieces" in forms
    assert "-clip(y - a, -delta, delta)" not in forms  # a form of the sum: it says nothing about 1/n


def test_derive_steps_follows_the_reduction():
    tree = steps.derivation("mean_squared_error", reduction="sum")
    a, y = sp.symbols("a y", real=True)
    assert sp.simplify(tree.after - 2 * (a - y)) == 0
    tree = steps.derivation("huber", reduction="mean")
    n = sp.Symbol("n", positive=True, integer=True)
    assert tree.after.has(n) and n in tree.before.free_symbols
    labels = [s.note for s, _d in tree.walk() if s.kind == "form"]
    assert labels and all("mean" in lab for lab in labels)
