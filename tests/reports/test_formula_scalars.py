"""Scalar factors in [[formula]] claims: numbers and lambda, anywhere a layout allows them, judged
without a traceback, and equivalent exactly when the factors are the chain rule's (1 on the data
term, 1 on lambda W: the L2 term lambda/2 sum W^2 differentiates to lambda W)."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from gradverify.judge import formulas
from gradverify.judge import worked as worked_example

# Each layout's weight gradients as the seeds write them: (gradient, data term, weight name).
DATA_TERMS = [
    ("004", "grad_W2", "delta3 a2^T", "W2"), ("004", "grad_W1", "delta2 x^T", "W1"),
    ("000", "grad_w1", "O1 Delta1^T", "w1"), ("000", "grad_w0", "O0 Delta2^T", "w0"),
    ("003", "grad_w2", "x1 dA2^T", "w2"), ("003", "grad_w1", "x0 dA1^T", "w1"),
]
# How a person may write c times the data term (c = 1, 2, 0.5, -1).
DATA_FACTORS = [(1, "{t}"), (2, "2 {t}"), (0.5, "0.5 * ({t})"), (-1, "-{t}"), (1, "1 {t}")]
# How a person may write d times lambda W (d = None: no L2 term).
L2_TERMS = [(None, ""), (1, " + lambda {w}"), (1, " + {w} lambda"), (1, " + lambda^T {w}"),
            (1, " + (lambda {w})"), (0.5, " + 0.5 lambda {w}"), (0.5, " + lambda 0.5 {w}"),
            (2, " + 2 * lambda * {w}"), (-1, " - lambda {w}")]


def _cases():
    for (layout, lhs, term, w), (c, data), (d, l2) in itertools.product(DATA_TERMS, DATA_FACTORS, L2_TERMS):
        text = f"{lhs} = {data.format(t=term)}{l2.format(w=w)}"
        yield pytest.param(layout, text, c == 1 and d in (None, 1), id=f"{layout}:{text}")


@pytest.mark.parametrize("layout, text, right", list(_cases()))
def test_scalar_factors_are_judged_and_only_the_chain_rules_are_equivalent(layout, text, right):
    r = formulas.judge_formula(text, layout, timeout=5)
    assert r["verdict"] == ("equivalent" if right else "not equivalent"), r


def test_seed_004_regularization_without_the_square_is_not_equivalent_in_claim_file_and_check(tmp_path):
    """Seed 004 writes J_reg = lambda/2 sum W^2; dropping the square's 2 gives 0.5 lambda W1."""
    claim_file = tmp_path / "reg.toml"
    claim_file.write_text('[[formula]]\nclaimed = "grad_W1 = delta2 x^T + 0.5 lambda W1"\nlayout = "004"\n',
                          encoding="utf-8")
    worked = tmp_path / "q3.toml"
    worked.write_text(worked_example.example_text("cs7015-q3") + "\n" + claim_file.read_text(), encoding="utf-8")
    for args in (["claim", "--file", str(claim_file)], ["check", str(worked)]):
        run = subprocess.run([sys.executable, "-m", "gradverify", *args], capture_output=True, text=True, timeout=120)
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr and "NOT EQUIVALENT" in run.stdout
