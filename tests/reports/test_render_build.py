"""A judged seed-001 result becomes a full report model: three truth columns, witness, picture, plots.

The judged claims are the lead's worked outcomes for seed 001 (the hand's numbers and verdicts);
the analytic values are computed here with math.exp, independently of the code under test.
"""

from __future__ import annotations

import math
import pytest

from gradverify.judge.result import CheckResult, ClaimVerdict
from gradverify.judge.worked import load_example
from gradverify.render import build, formula, render_html


def _v(number: object) -> float:
    """The value of a displayed number (gradverify.judge.numbers.Number prints its plain text)."""
    return float(str(number))


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def seed001_result() -> CheckResult:
    y = 0.9
    z2 = [0.2 * 0.8 + 0.3 * 0.7 + 0.4 * 0.1 - 0.2, -0.2 * 0.8 + 0.1 * 0.7 + 0.5 * 0.1 - 0.2]
    a2 = [_sig(z) for z in z2]
    z3 = -0.3 * a2[0] + 0.1 * a2[1] - 0.2
    a3 = _sig(z3)
    d3 = 2 * (a3 - y) * a3 * (1 - a3)
    C = ClaimVerdict
    claims = [
        C(step=1, quantity="z", layer=2, index=[1], claimed="0.210", exact=z2[0], from_claims=z2[0], verdict="correct", diagnosis=""),
        C(step=1, quantity="z", layer=2, index=[2], claimed="-0.240", exact=z2[1], from_claims=z2[1], verdict="correct", diagnosis=""),
        C(step=1, quantity="a", layer=3, index=[1], claimed="0.420", exact=a3, from_claims=a3, verdict="correct", diagnosis=""),
        C(step=1, quantity="loss", layer=None, index=[], claimed="0.2304", exact=(y - a3) ** 2, from_claims=0.2304,
          verdict="follows", diagnosis="", note="from your rounded a3 = 0.420"),
        C(step=1, quantity="delta", layer=3, index=[1], claimed="-0.117", exact=d3, from_claims=-0.2339, verdict="wrong",
          diagnosis="the gradient of 1/2 (y - a)^2, half that of the stated loss"),
        C(step=1, quantity="dW", layer=2, index=[1, 1], claimed="7.2e-3", exact=None, from_claims=0.0072, verdict="follows", diagnosis=""),
        C(step=2, quantity="b", layer=2, index=[1], claimed="-0.29", exact=None, from_claims=-0.209, verdict="wrong",
          diagnosis="typo: -0.29 looks like -0.209 with a digit dropped"),
    ]
    return CheckResult(source="cs7015-q3.toml", title="One SGD step of a 3-2-1 sigmoid network",
                       conventions={"loss": "squared_error"}, example=load_example("cs7015-q3"), claims=claims)


@pytest.fixture(scope="module")
def model():
    return build.model_from_result(seed001_result())


def test_rows_keep_the_judges_verdicts_and_fill_three_truth_columns(model) -> None:
    assert [r.verdict for r in model.rows] == ["correct", "correct", "correct", "follows", "wrong", "follows", "wrong"]
    for r in model.rows:
        if r.analytic is not None:
            assert r.symbolic is not None and r.numeric is not None
            assert r.disagreement is not None and r.disagreement < 1e-9, (r.quantity, r.disagreement)
    assert model.truth_agreement is not None and model.truth_agreement < 1e-9


def test_witness_only_for_gradients_and_it_matches(model) -> None:
    by = {(r.step, r.quantity, r.layer, r.index): r for r in model.rows}
    delta = by[(1, "delta", 3, (1,))]
    assert delta.witness is not None and _v(delta.witness) == pytest.approx(_v(delta.analytic), rel=1e-5)
    assert by[(1, "z", 2, (1,))].witness is None and by[(1, "loss", None, ())].witness is None
    dw = by[(1, "dW", 2, (1, 1))]
    assert dw.witness is not None and dw.symbolic is not None and dw.analytic is None  # judge gave no exact
    # step 2's parameter claim is compared with the updated exact parameter b2[1] = -0.2 - delta2[1]
    b = by[(2, "b", 2, (1,))]
    assert _v(b.symbolic) == pytest.approx(-0.2173, abs=1e-4)


def test_network_pictures_mark_the_wrong_neurons(model) -> None:
    first, second = model.steps
    assert first.picture.sizes == [3, 2, 1] and second.picture is not None
    assert (2, 0) in first.picture.highlight  # delta3 wrong
    assert (1, 0) in second.picture.highlight  # b2[1] wrong
    assert first.picture.weight_text[(1, 0, 0)] == "0.2"
    assert any("0.4203" in line for line in first.picture.neuron_text[(2, 0)])  # a3 exact


def test_derivations_and_plots_of_the_functions_used(model) -> None:
    assert [d.name for d in model.derivations] == ["sigmoid", "squared_error"]
    assert len(model.plots) == 2
    sig = model.derivations[0]
    assert any(f.status.startswith("proved") for f in sig.forms)
    loss = next(r for r in model.rows if r.quantity == "loss")
    assert formula.text(loss.formula) == "loss = (y[1] \u2212 a3[1])^2"  # the stated loss, in this row's elements


def test_the_model_renders(model) -> None:
    html = render_html(model)
    assert html.count("<tr class=\"wrong\"") == 2 and html.count("<svg") == 4
    assert "<mo>\u2212</mo><mn>0.117</mn>" in html


def test_fused_softmax_cross_entropy_example_truth_columns_agree() -> None:
    """Seed 003's conventions (from_to, ReLU, softmax output with the fused CE): the engine must
    apply softmax once, so SymPy, the judge and the engine agree on every claim of both steps."""
    from gradverify.judge import verdicts as judge
    from gradverify.judge import worked

    model = build.model_from_result(judge.judge(worked.load_example("seed003-relu-softmax")))
    assert model.truth_agreement is not None and model.truth_agreement < 1e-9
    loss_rows = [r for r in model.rows if r.quantity == "loss"]
    assert loss_rows and all(r.numeric is not None and r.disagreement < 1e-9 for r in loss_rows)
    witnessed = [r for r in model.rows if r.witness is not None]
    assert witnessed and all(abs(_v(r.witness) - _v(r.numeric)) <= 1e-6 * max(1, abs(_v(r.numeric)))
                             for r in witnessed)
