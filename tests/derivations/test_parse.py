"""The SymPy-syntax parser: what it reads (checked against SymPy built by hand) and what it refuses.

Hostile input (code execution attempts, runaway constants, deep nesting) must be rejected with a
message and a position, and nothing may be executed: a sentinel builtin records any call.
"""

from __future__ import annotations

import builtins

import pytest
import sympy as sp

from gradverify.derivations.equivalence import Builder
from gradverify.derivations.parse import ClaimSyntaxError, detect, names_in, parse, parse_number, parse_sympy

x, y, a, n = sp.symbols("x y a n", real=True)
SYMS = {"x": x, "y": y, "a": a, "n": n, "alpha": sp.Symbol("alpha"), "lambda": sp.Symbol("lambda"),
        "W": sp.Symbol("W")}


def build(text: str, syntax: str = "sympy") -> sp.Expr:
    return Builder(lambda name, idx: SYMS[name.split("_")[0]]).build(parse(text, syntax))


def sig(u):
    return 1 / (1 + sp.exp(-u))


@pytest.mark.parametrize("text, expected", [
    ("s*(1-s)".replace("s", "sigma(x)"), sig(x) * (1 - sig(x))),
    ("1 - tanh(x)**2", 1 - sp.tanh(x) ** 2),
    ("1 - tanh(x)^2", 1 - sp.tanh(x) ** 2),
    ("sech(x)**2", sp.sech(x) ** 2),
    ("exp(-x)/(1+exp(-x))**2", sp.exp(-x) / (1 + sp.exp(-x)) ** 2),
    ("e**(-x)", sp.exp(-x)),
    ("Max(0, x)", sp.Max(0, x)),
    ("relu(x)", sp.Max(0, x)),
    ("Heaviside(x, 0)", sp.Heaviside(x, 0)),
    ("sgn(y - a)/n", sp.sign(y - a) / n),
    ("Abs(x)", sp.Abs(x)),
    ("Piecewise((1, x > 0), (0, True))", sp.Piecewise((1, x > 0), (0, True))),
    ("1.5*x", sp.Rational(3, 2) * x),
    ("1.2e-7", sp.Rational(12, 10**8)),
    ("lambda*W", sp.Symbol("lambda") * sp.Symbol("W")),
    ("Phi(x)", (1 + sp.erf(x / sp.sqrt(2))) / 2),
    ("factorial(5)*x", 120 * x),
    ("2**(1/2)", sp.sqrt(2)),
])
def test_reads_formulas(text, expected):
    assert sp.simplify(build(text) - expected) == 0


def test_indexed_names_and_kronecker():
    tree = parse_sympy("s_i*(KroneckerDelta(i, j) - s[j])")
    assert names_in(tree) == {"s_i", "s_j", "i", "j", "KroneckerDelta()"}


def test_numbers_are_exact():
    assert parse_number("0.1") * 10 == 1
    assert parse_number("1.2e-7") == parse_number("12") / 10**8


@pytest.mark.parametrize("text, fragment", [
    ("__import__('os').system('echo hacked')", "not allowed"),
    ("().__class__.__bases__[0]", "attribute"),
    ("x.__class__", "attribute"),
    ("lambda: 1", "lambda"),
    ("(lambda x: x)(1)", "lambda"),
    ("eval('1+1')", "not allowed"),
    ("exec('import os')", "not allowed"),
    ("open('/etc/passwd')", "not allowed"),
    ("getattr(x, 'y')", "not allowed"),
    ("'abc'", "only numbers"),
    ("x if x else 1", "not allowed"),
    ("[x for x in range(10)]", "not allowed"),
    ("9**9**9", "exponents may be at most"),
    ("2**10000", "exponents may be at most"),
    ("10**(10**10)", "exponents may be at most"),
    ("factorial(100000)", "factorial is allowed only"),
    ("factorial(x)", "factorial is allowed only"),
    ("1" * 40, "digits"),
    ("diff(tanh(x), x)", "derivative operator"),
    ("Derivative(x**2, x)", "derivative operator"),
    ("integrate(x, x)", "derivative operator"),
    ("sympify('x')", "not allowed"),
    ("tanh(x, y)", "argument"),
    ("tanh(x=1)", "keyword"),
    ("sin(x)", "unknown function"),
    ("+".join(["x"] * 1000), "parts"),
    ("x" * 3000, "characters long"),
    ("", "empty"),
    ("x @ y", "not allowed"),
    ("x < 1", "comparison"),
])
def test_refuses_hostile_or_unsupported(text, fragment, monkeypatch):
    called = []
    for name in ("eval", "exec", "__import__", "open", "compile"):
        real = getattr(builtins, name)
        monkeypatch.setattr(builtins, name, lambda *args, _r=real, _n=name, **kw: (called.append(_n), _r(*args, **kw))[1])
    with pytest.raises(ClaimSyntaxError) as err:
        parse_sympy(text)
    monkeypatch.undo()
    assert fragment in str(err.value)
    assert "eval" not in called and "exec" not in called and "open" not in called


def test_deep_nesting_is_refused():
    with pytest.raises(ClaimSyntaxError, match="nest"):
        parse_sympy("tanh(" * 80 + "x" + ")" * 80)
    with pytest.raises(ClaimSyntaxError):
        parse_sympy("(" * 5000 + "x" + ")" * 5000)


def test_error_shows_a_caret_under_the_position():
    with pytest.raises(ClaimSyntaxError) as err:
        parse_sympy("1 + x.real")
    lines = str(err.value).splitlines()
    assert lines[1] == "  1 + x.real"
    assert lines[2].index("^") == 2 + 4  # under the x whose attribute is taken


def test_detect_and_fallback_to_latex_for_implicit_products():
    assert detect("1 - tanh(x)**2") == "sympy"
    assert detect(r"1-\tanh^2(x)") == "latex"
    assert sp.expand(build("-2(y - a)", "auto") - (-2 * (y - a))) == 0
    with pytest.raises(ClaimSyntaxError, match="not allowed"):
        parse("__import__('os')", "auto")


def test_nested_constant_powers_are_refused():
    with pytest.raises(ClaimSyntaxError, match="too large"):
        parse_sympy("((10**1000)**1000)**1000")
