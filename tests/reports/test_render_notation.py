"""Numbers and formulas print the same mathematics to MathML and LaTeX, with a true minus sign."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradverify.render import mathml
from gradverify.render.notation import LATEX, MATHML

MML = "{http://www.w3.org/1998/Math/MathML}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(MATHML.math(markup))


def _mathml_value(markup: str) -> Decimal:
    """Read a rendered number back from its MathML tokens (an independent reading)."""
    tokens = [(el.tag.replace(MML, ""), el.text or "") for el in _parse(markup).iter() if el.text]
    text = "".join(t for _, t in tokens).replace("\u2212", "-")
    mant, _, exp = text.partition("\u00d710")
    return Decimal(mant) * (Decimal(10) ** int(exp or "0"))


def _latex_value(tex: str) -> Decimal:
    text = re.sub(r"[{}\s]", "", tex).replace("\\times", "x")
    mant, _, exp = text.partition("x10^")
    return Decimal(mant) * (Decimal(10) ** int(exp or "0"))


decimals = st.builds(
    lambda sign, intpart, frac, exp: f"{sign}{intpart}.{frac}" + (f"e{exp}" if exp is not None else ""),
    st.sampled_from(["", "-"]), st.integers(0, 999), st.from_regex(r"[0-9]{1,6}", fullmatch=True),
    st.one_of(st.none(), st.integers(-12, 12)),
)


@settings(max_examples=150, deadline=None)
@given(decimals)
def test_a_number_reads_back_the_same_in_both_formats(text: str) -> None:
    expected = Decimal(text)
    assert _mathml_value(MATHML.number(text)) == expected
    assert _latex_value(LATEX.number(text)) == expected


@settings(max_examples=60, deadline=None)
@given(decimals)
def test_printed_digits_are_kept_exactly(text: str) -> None:
    """Trailing zeros are precision: 0.210 stays 0.210, never 0.21."""
    mantissa = text.lstrip("-").split("e")[0]
    assert f"<mn>{mantissa}</mn>" in MATHML.number(text)


def test_negative_exponent_uses_true_minus_and_times() -> None:
    ml = MATHML.number("-7.2e-3")
    assert "-" not in ml.replace("<mrow>", "")  # no hyphen anywhere
    assert ml.count("\u2212") == 2 and "\u00d7" in ml
    assert "<msup><mn>10</mn>" in ml
    assert LATEX.number("-7.2e-3").replace(" ", "") == r"{-7.2\times{10}^{{-3}}}"


def _has_hyphen_minus(markup: str) -> bool:
    return bool(re.search(r"<m[on]>-", markup))


def test_sympy_mathml_has_no_hyphen_minus_nor_double_struck_entities() -> None:
    x = sp.Symbol("x")
    for e in [sp.diff(1 / (1 + sp.exp(-x)), x), -x / 2, sp.Derivative(sp.tanh(x), x), sp.Float(-0.5) * x,
              sp.exp(-x) - 1, sp.log(1 + sp.exp(x))]:
        markup = mathml.expr(e)
        assert not _has_hyphen_minus(markup), markup
        assert "ExponentialE" not in markup and "&dd;" not in markup
        assert re.search(r"&[A-Za-z]+;", markup.replace("&lt;", "").replace("&gt;", "").replace("&amp;", "")) is None
        _parse(markup)  # well-formed XML


def test_e_prints_as_an_italic_e_and_piecewise_as_cases() -> None:
    x = sp.Symbol("x")
    root = _parse(mathml.expr(sp.exp(x)))
    assert [el.text for el in root.iter(MML + "mi")][0] == "e"
    pw = mathml.expr(sp.Piecewise((1, x > 0), (0, True)))
    root = _parse(pw)
    assert len(list(root.iter(MML + "mtr"))) == 2
    assert "otherwise" in pw and "piecewise" not in pw
    assert "{" in [el.text for el in root.iter(MML + "mo")]


def test_math_is_a_block_when_asked() -> None:
    root = ET.fromstring(MATHML.math(MATHML.mi("x"), block=True))
    assert root.tag == MML + "math" and root.get("display") == "block"
    assert LATEX.math("x", block=True) == r"\[x\]"


def test_mathml_keeps_exp_minus_x_on_top_like_latex() -> None:
    """Both formats print sigmoid' as e^{-x} / (1 + e^{-x})^2, not as 1 / ((1 + e^{-x})^2 e^x)."""
    x = sp.Symbol("x")
    d = sp.diff(1 / (1 + sp.exp(-x)), x)
    root = _parse(mathml.expr(d))
    frac = next(root.iter(MML + "mfrac"))
    numerator = frac[0]
    assert numerator.tag == MML + "msup" and [el.text for el in numerator.iter() if el.text] == ["e", "\u2212", "x"]
    assert sp.latex(d).startswith(r"\frac{e^{- x}}")


def test_fences_stretch_only_around_tall_content() -> None:
    """Chromium pads stretchy fences; flat content gets text-like parentheses, fractions keep stretching."""
    x, y = sp.symbols("x y")
    flat = mathml.expr(sp.sign(x - y))
    assert flat.count('<mo stretchy="false">') == 2 and "<mo>(</mo>" not in flat
    tall = mathml.expr(sp.log(1 / (1 + x)))
    assert "<mo>(</mo>" in tall and "<mo>)</mo>" in tall
    built = MATHML.math(MATHML.paren(MATHML.mi("z")))
    assert built.count('stretchy="false"') == 2


def test_relations_are_escaped_in_mathml() -> None:
    x = sp.Symbol("x")
    markup = mathml.expr(sp.Piecewise((1, x < 0), (2, x > 1), (0, True)))
    assert "<mo>&lt;</mo>" in markup and "<mo>&gt;</mo>" in markup
    _parse(markup)


def test_derivative_of_a_sum_is_parenthesized_like_latex() -> None:
    x = sp.Symbol("x")
    for e in (sp.Derivative(1 + sp.exp(-x), x), sp.Derivative(-x, x)):
        markup = mathml.expr(e)
        assert re.search(r"</mfrac>\s*<mrow><mo[^>]*>\(</mo>", markup), markup
        assert r"\left(" in sp.latex(e)
    assert "<mo" not in mathml.expr(sp.Derivative(sp.exp(x), x)).split("</mfrac>")[1][:12]


def _read_back(el: ET.Element) -> str:
    """A MathML tree of +, -, *, /, ^ read back as a Python expression, the way a reader sees it."""
    tag = el.tag.replace(MML, "")
    kids = list(el)
    if tag in ("mi", "mn"):
        return el.text.strip()
    if tag == "mo":
        return {"\u2212": "-", "\u2062": "*", "+": "+", "\u22c5": "*", "(": "(", ")": ")"}[el.text.strip()]
    if tag == "mfrac":
        return f"(({_read_back(kids[0])})/({_read_back(kids[1])}))"
    if tag == "msup":
        return f"(({_read_back(kids[0])})**({_read_back(kids[1])}))"
    out, operand_before = "", False
    for k in kids:  # juxtaposed operands, like (2a)(2a), multiply
        text = _read_back(k)
        opens = k.tag != MML + "mo" or text == "("
        out += ("*" if operand_before and opens else "") + text
        operand_before = k.tag != MML + "mo" or text == ")"
    return out  # an mrow groups nothing a reader can see: only parentheses, bars and superscripts do


_SYMS = sp.symbols("a y x")


def _unevaluated(draw, depth: int) -> sp.Expr:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from([*_SYMS, sp.Integer(2), sp.Integer(3)]))
    left, right = _unevaluated(draw, depth - 1), _unevaluated(draw, depth - 1)
    op = draw(st.sampled_from(["add", "sub", "mul", "neg", "div", "pow"]))
    return {"add": lambda: sp.Add(left, right, evaluate=False),
            "sub": lambda: sp.Add(left, sp.Mul(-1, right, evaluate=False), evaluate=False),
            "mul": lambda: sp.Mul(left, right, evaluate=False),
            "neg": lambda: sp.Mul(-1, left, evaluate=False),
            "div": lambda: sp.Mul(left, sp.Pow(right, -1, evaluate=False), evaluate=False),
            "pow": lambda: sp.Pow(left, 2, evaluate=False)}[op]()


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mathml_reads_back_to_the_same_value(data) -> None:
    """Whatever SymPy holds, the MathML a reader sees has the same value: -(a - y) held unevaluated
    once printed as "-a - y" (a parenthesis dropped)."""
    e = _unevaluated(data.draw, 3)
    values = {"a": 0.7, "y": -1.3, "x": 2.9}
    text = _read_back(_parse(mathml.expr(e)))
    try:
        got = eval(text, {}, dict(values))  # noqa: S307 (our own MathML, read back in a test)
    except ZeroDivisionError:  # a subexpression such as 2 - 2 below a bar
        return
    want = complex(sp.simplify(e.subs({s: values[s.name] for s in _SYMS})))
    assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (e, text)


def test_minus_a_sum_keeps_its_parentheses() -> None:
    a, y = sp.symbols("a y")
    assert eval(_read_back(_parse(mathml.expr(sp.Mul(-1, a - y, evaluate=False)))), {}, {"a": 1.0, "y": 3.0}) == 2.0


def test_a_named_function_keeps_its_name_and_a_greek_one_its_letter() -> None:
    """SymPy's presentation printer lowercases an undefined function's name (G(x) as g(x), E(p) as
    e(p)); the report's printer writes it as named, a Greek name as its letter, as LaTeX does."""
    x = sp.Symbol("x")
    for name, shown in (("G", "G"), ("E", "E"), ("H", "H"), ("sigma", "\u03c3"), ("Delta", "\u0394"), ("f", "f")):
        tree = ET.fromstring(f"<math>{mathml.expr(sp.Function(name)(x))}</math>")
        assert [el.text for el in tree.iter("mi")] == [shown, "x"], name
        assert ("\\" + name if len(name) > 1 else name) in LATEX.expr(sp.Function(name)(x))
