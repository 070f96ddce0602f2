"""The LaTeX parser: every construct of the issue read to the SymPy a person means (built by hand),
LaTeX and SymPy syntax agreeing on random formulas, and refusals with positions."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradverify.derivations.equivalence import Builder
from gradverify.derivations.latex import parse_latex, tokenize
from gradverify.derivations.parse import ClaimSyntaxError, parse_sympy

x, y, a, n = sp.symbols("x y a n", real=True)
alpha, lam, W = sp.symbols("alpha lambda W")
SYMS = {"x": x, "y": y, "a": a, "n": n, "alpha": alpha, "lambda": lam, "W": W}


def build(tree, index=None) -> sp.Expr:
    return Builder(lambda name, idx: SYMS[name.split("_")[0]], index).build(tree)


def sig(u):
    return 1 / (1 + sp.exp(-u))


@pytest.mark.parametrize("tex, expected", [
    (r"\frac{e^{-x}}{(1+e^{-x})^2}", sp.exp(-x) / (1 + sp.exp(-x)) ** 2),
    (r"\sigma(x)(1-\sigma(x))", sig(x) * (1 - sig(x))),
    (r"1-\tanh^2(x)", 1 - sp.tanh(x) ** 2),
    (r"\operatorname{sech}^2 x", sp.sech(x) ** 2),
    (r"\mathrm{sech}^{2}(x)", sp.sech(x) ** 2),
    (r"\exp(-x)", sp.exp(-x)),
    (r"\log(1 + e^{x})", sp.log(1 + sp.exp(x))),
    (r"\ln x", sp.log(x)),
    (r"\max(0, x)", sp.Max(0, x)),
    (r"\left(1 - \sigma(x)\right) \cdot \sigma(x)", sig(x) * (1 - sig(x))),
    (r"2 \times 3x", 6 * x),
    (r"2x^23", 6 * x**2),
    (r"1.2e-7", sp.Rational(12, 10**8)),
    (r"1.2 \times 10^{-7}", sp.Rational(12, 10**8)),
    (r"\frac{4}{(e^{x}+e^{-x})^{2}}", 4 / (sp.exp(x) + sp.exp(-x)) ** 2),
    (r"|y - a|", sp.Abs(y - a)),
    (r"\left|y - a\right|", sp.Abs(y - a)),
    (r"-\frac{1}{n}\operatorname{sgn}(y - a)", -sp.sign(y - a) / n),
    (r"\frac{\lambda}{2} W", lam * W / 2),
    (r"\alpha x", alpha * x),
    (r"\sqrt{x}", sp.sqrt(x)),
    (r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}", sp.Piecewise((1, x > 0), (0, True))),
    (r"\begin{cases} 1 & \text{if } x \geq 0 \\ \alpha & x < 0 \end{cases}",
     sp.Piecewise((1, x >= 0), (alpha, x < 0), (sp.nan, True))),
    (r"\mathbb{1}\{x > 0\}", sp.Piecewise((1, x > 0), (0, True))),
    (r"\Phi(x) + x\phi(x)", (1 + sp.erf(x / sp.sqrt(2))) / 2 + x * sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)),
])
def test_reads_constructs(tex, expected):
    got = build(parse_latex(tex))
    assert got == expected or sp.simplify(got - expected) == 0


def test_kronecker_delta_forms():
    for tex in (r"\delta_{ij}", r"\mathbb{1}\{i=j\}", r"\mathbb{1}[i = j]"):
        tree = parse_latex(tex)
        assert build(tree, {"i": 2, "j": 2}) == 1
        assert build(tree, {"i": 1, "j": 2}) == 0


def test_sum_over_an_index():
    tree = parse_latex(r"\sum_{j=1}^{N} y_j x_j")
    syms = {f"{s}_{k}": sp.Symbol(f"{s}{k}") for s in "xy" for k in range(1, 4)}

    def resolve(name, idx):
        if name == "n":
            return sp.Integer(3)
        stem, i = name.split("_")
        return syms[f"{stem}_{idx.get(i, i)}"]

    got = Builder(resolve, {}).build(tree)
    assert got == sum(sp.Symbol(f"y{k}") * sp.Symbol(f"x{k}") for k in range(1, 4))


@pytest.mark.parametrize("tex, fragment", [
    (r"\frac{d}{dx} \sigma(x)", "derivative operator"),
    (r"\frac{d\sigma}{dx}", "derivative operator"),
    (r"\frac{\partial L}{\partial a}", r"\partial"),
    (r"\nabla L", r"\nabla"),
    (r"\int_0^1 x", "integral"),
    (r"\sigma'(x)", "prime"),
    (r"\input{/etc/passwd}", r"\input is not allowed"),
    (r"\def\x{1}", "not allowed"),
    (r"\tanh^{-1}(x)", "inverse"),
    (r"\frac{1}{", "ends too early"),
    (r"\left( x", "right"),
    (r"x^{" * 70 + "x" + "}" * 70, "nests deeper"),
    (r"9^{9^{9}}", "exponents may be at most"),
    (r"\begin{matrix} 1 \end{matrix}", "only \\begin{cases}"),
    ("x $ y", "unexpected character"),
    (r"\delta^{(3)} a^{(2)}", "layer label"),
])
def test_refusals(tex, fragment):
    with pytest.raises(ClaimSyntaxError) as err:
        parse_latex(tex)
    assert fragment in str(err.value)


def test_error_position_points_at_the_command():
    with pytest.raises(ClaimSyntaxError) as err:
        parse_latex(r"1 + \partial x")
    assert err.value.pos == 4
    assert str(err.value).splitlines()[2] == "  " + " " * 4 + "^"


def test_tokens_keep_positions():
    toks = tokenize(r"\frac{1}{x}")
    assert [(t.kind, t.pos) for t in toks[:3]] == [("cmd", 0), ("sym", 5), ("num", 6)]


# Random formulas written both ways must build to the same SymPy expression.
_leaf = st.sampled_from([("x", "x"), ("y", "y"), ("2", "2"), ("3", "3"), ("a", "a")])


def _combine(children):
    def node(parts):
        (sa, la), (sb, lb), op = parts
        if op == "+":
            return (f"({sa} + {sb})", f"({la} + {lb})")
        if op == "*":
            return (f"({sa})*({sb})", f"\\left({la}\\right) \\cdot \\left({lb}\\right)")
        if op == "/":
            return (f"({sa})/({sb} + 7)", f"\\frac{{{la}}}{{{lb} + 7}}")
        if op == "f":
            return (f"tanh({sa})*exp(-({sb}))", f"\\tanh({la}) e^{{-({lb})}}")
        return (f"({sa})**2 - ({sb})", f"\\left({la}\\right)^{{2}} - ({lb})")
    return st.tuples(children, children, st.sampled_from(["+", "*", "/", "f", "^"])).map(node)


@settings(max_examples=40, deadline=None)
@given(st.recursive(_leaf, _combine, max_leaves=8))
def test_latex_and_sympy_syntax_agree(pair):
    s_text, l_text = pair
    assert build(parse_sympy(s_text)) == build(parse_latex(l_text))
