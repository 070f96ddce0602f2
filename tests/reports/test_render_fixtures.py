"""A hand-built report model (seed 001's first numbers) shared by the render tests, and its checks.

The numbers are the seed's hand numbers and SymPy values computed in this file, not output of
the renderers; other test modules import `sample_model` from here.
"""

from __future__ import annotations

import sympy as sp

from gradverify.render.model import ClaimRow, Derivation, Form, ReportModel, StepSection
from gradverify.render.notation import printed
from gradverify.render.steps import printed_steps
from gradverify.derivations.steps import Step
from gradverify.render.netpicture import NetworkPicture
from gradverify.render.plotpicture import Plot, Series

X = sp.Symbol("x")
SIGMOID = 1 / (1 + sp.exp(-X))
HOSTILE = r"a \input{/etc/hostname} & $x_1$ # 50% ~ ^ \write18{touch pwned} \catcode`\{=12 <b>bold</b> <script>alert(1)</script>"


def _sig(v: float) -> str:
    """Six significant digits in plain text (a literal for the model; the renderer re-reads it)."""
    return f"{v:.6g}"


def sample_model(diagnosis: str = "the gradient of 1/2 (y - a)^2, half that of the stated loss") -> ReportModel:
    """Seed 001 step 1, a few claims: z2_1 correct, loss follows, delta3 wrong, dW2_11 follows."""
    R = sp.Rational
    x = [R(8, 10), R(7, 10), R(1, 10)]
    W2, b2 = [[R(2, 10), R(3, 10), R(4, 10)], [R(-2, 10), R(1, 10), R(5, 10)]], [R(-2, 10)] * 2
    z2s = [sum(w * xi for w, xi in zip(row, x)) + b for row, b in zip(W2, b2)]
    a2s = [SIGMOID.subs(X, z) for z in z2s]
    z3 = R(-3, 10) * a2s[0] + R(1, 10) * a2s[1] - R(2, 10)
    z2 = z2s[0]
    a3 = float(SIGMOID.subs(X, z3).evalf(30))
    loss = (0.9 - a3) ** 2
    delta3 = 2 * (a3 - 0.9) * a3 * (1 - a3)
    rows = [
        ClaimRow(1, "z", 2, (1,), "0.210", "correct", symbolic=_sig(float(z2)), analytic=_sig(float(z2)),
                 numeric=_sig(float(z2)), from_claims="0.21", disagreement=0.0),
        ClaimRow(1, "loss", None, (), "0.2304", "follows", symbolic=_sig(loss), analytic=_sig(loss),
                 numeric=_sig(loss), from_claims="0.2304", disagreement=1e-16),
        ClaimRow(1, "delta", 3, (1,), "-0.117", "wrong", diagnosis=diagnosis, symbolic=_sig(delta3),
                 analytic=_sig(delta3), numeric=_sig(delta3), witness=_sig(delta3),
                 from_claims="-0.2339", disagreement=2e-11),
        ClaimRow(1, "dW", 2, (1, 1), "7.2e-3", "follows", symbolic="3.6e-3", analytic="3.6e-3",
                 numeric="3.6e-3", witness="3.6e-3", from_claims="7.2e-3", disagreement=1e-12),
    ]
    picture = NetworkPicture(
        [3, 2, 1], ["layer 1", "layer 2", "layer 3"],
        {(0, 0): ["0.8"], (0, 1): ["0.7"], (0, 2): ["0.1"], (1, 0): ["z 0.21", "a 0.5523"],
         (1, 1): ["z -0.24", "a 0.4403"], (2, 0): ["z -0.3217", "a 0.4203"]},
        {(1, 0, 0): "0.2", (1, 0, 1): "0.3", (1, 0, 2): "0.4", (1, 1, 0): "-0.2", (1, 1, 1): "0.1",
         (1, 1, 2): "0.5", (2, 0, 0): "-0.3", (2, 0, 1): "0.1"},
        highlight={(2, 0)},
    )
    xs = [i / 10 for i in range(-40, 41)]
    relu = Plot("relu", [
        Series("f (SymPy)", xs, [max(0.0, v) for v in xs]),
        Series("f\u2032 (SymPy)", xs, [1.0 if v > 0 else 0.0 for v in xs], color="#c60", dashed=True),
        Series("engine", xs[::8], [max(0.0, v) for v in xs[::8]], kind="points", color="#070"),
    ], kinks=[(0.0, 0.0)])
    s = sp.Symbol("sigma")
    tree = Step("derivation", "d sigmoid/dx", SIGMOID, sp.exp(-X) / (1 + sp.exp(-X)) ** 2,
                children=[Step("rule", "quotient rule", sp.Derivative(SIGMOID, X), sp.exp(-X) / (1 + sp.exp(-X)) ** 2),
                          Step("simplify", "split the fraction", sp.exp(-X) / (1 + sp.exp(-X)) ** 2, s * (1 - s))])
    derivation = Derivation("sigmoid", "activation", printed(SIGMOID, block=True), printed(sp.diff(SIGMOID, X), block=True),
                            printed_steps(tree), [Form("\u03c3(1 \u2212 \u03c3)", printed(SIGMOID * (1 - SIGMOID)), "proved")],
                            plot=relu)
    return ReportModel(
        title="One SGD step of a 3-2-1 sigmoid network", source="cs7015-q3.toml",
        summary_text="Two claims are wrong: delta3 uses the gradient of 1/2 (y - a)^2.",
        counts={"correct": 1, "follows": 2, "wrong": 1},
        conventions=[("loss", "squared_error"), ("learning rate", "1")],
        steps=[StepSection(1, rows, picture)], derivations=[derivation],
        truth_agreement=2e-11,
    )


def test_sample_model_holds_the_seed_numbers() -> None:
    m = sample_model()
    assert [r.verdict for r in m.rows] == ["correct", "follows", "wrong", "follows"]
    # the seed's exact loss with (y - a)^2 and delta with its derivative 2(a - y) a (1 - a)
    assert round(float(m.rows[1].symbolic), 5) == 0.23014  # the lead's exact loss for seed 001
    assert round(float(m.rows[2].symbolic), 4) == -0.2338
    assert [r.symbol for r in m.rows] == ["\u2713", "\u2192", "\u2717", "\u2192"]
