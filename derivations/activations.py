"""Scalar activations of the catalog, each one `register` call: definition, forms, kinks.

Forms come from the seeds (001: Part B activations; 004: tanh through the sigmoid) and from the
textbook identities the issue lists; seed mistakes are kept as forms expected to be refuted.
"""

from __future__ import annotations

import sympy as sp

from gradverify.derivations.catalog import Entry, Form, Kink, Param, register
from gradverify.derivations.prose import prose

x = sp.Symbol("x", real=True)
alpha = sp.Symbol("alpha", positive=True)
a = sp.Symbol("a", real=True)
E = sp.exp


def sigma(u: sp.Expr) -> sp.Expr:
    """The logistic sigmoid 1/(1 + e^-u), as hand derivations write it."""
    return 1 / (1 + E(-u))


# The value at a ReLU-like kink: the words of its reason, with its formulas as expressions
PYTORCH = ("PyTorch's choice, the value of the side ", sp.Le(x, 0), "; SymPy's ",
           sp.Eq(sp.Function("H")(0), sp.S.Half, evaluate=False), " is not used")

register(Entry(
    name="identity", kind="activation", summary="f(x) = x (linear output layer)",
    symbols={"x": x}, definition=x, variables=("x",),
    forms=(Form("1", sp.Integer(1), None, "proved"),),
))

_s = sigma(x)
register(Entry(
    name="sigmoid", kind="activation", summary="f(x) = 1/(1 + e^-x)",
    symbols={"x": x}, definition=_s, variables=("x",), aliases=("logistic", "sigma"),
    forms=(
        Form("e^-x/(1+e^-x)^2 (quotient rule)", E(-x) / (1 + E(-x)) ** 2, "001", "proved"),
        Form("1/(1+e^-x) - 1/(1+e^-x)^2", _s - _s**2, "001", "proved"),
        Form("s(1-s)", _s * (1 - _s), "001", "proved"),
        Form("s(1+s) (sign slip)", _s * (1 + _s), None, "refuted"),
    ),
))

_t = sp.tanh(x)
register(Entry(
    name="tanh", kind="activation", summary="f(x) = (e^x - e^-x)/(e^x + e^-x)",
    symbols={"x": x}, definition=_t, variables=("x",),
    forms=(
        Form("4/(e^x+e^-x)^2 (quotient rule)", 4 / (E(x) + E(-x)) ** 2, "001", "proved"),
        Form("1 - tanh^2", 1 - _t**2, "001", "proved"),
        Form("1 - ((e^x-e^-x)/(e^x+e^-x))^2", 1 - ((E(x) - E(-x)) / (E(x) + E(-x))) ** 2, "001", "proved"),
        Form("4 sigma(2x)(1 - sigma(2x))", 4 * sigma(2 * x) * (1 - sigma(2 * x)), "004", "proved"),
        Form("sech^2", sp.sech(x) ** 2, None, "proved"),
        Form("1/(e^-x+e^x)^2 (graph result, lost the 4)", 1 / (E(-x) + E(x)) ** 2, "001", "refuted",
             note="seed 001's computational-graph result: the 4 of (a+b)^2 - (a-b)^2 = 4ab was lost"),
    ),
))

register(Entry(
    name="relu", kind="activation", summary="f(x) = max(0, x)",
    symbols={"x": x}, definition=sp.Max(0, x), variables=("x",), split="x",
    kinks=(Kink("x = 0", sp.Eq(x, 0), {"x": sp.Integer(0)},
                prose(*PYTORCH, "; the minimum-norm subgradient; seed 001 sets it to 0")),),
    forms=(
        Form("1 if x > 0, 0 if x <= 0", sp.Piecewise((1, x > 0), (0, True)), "001", "proved"),
        Form("Heaviside(x) with H(0) = 1", sp.Heaviside(x, 1), None, "equal except at kink",
             note="uses relu'(0) = 1 (the x >= 0 side)"),
        Form("Heaviside(x) (SymPy, H(0) = 1/2)", sp.Heaviside(x), None, "equal except at kink"),
        Form("sign(x)", sp.sign(x), None, "refuted"),
    ),
))

_ap = Param("alpha", alpha, sp.Rational(1, 100), "slope for x <= 0")
register(Entry(
    name="leaky_relu", kind="activation", summary="f(x) = x for x > 0, alpha x otherwise",
    symbols={"x": x, "alpha": alpha}, params=(_ap,), variables=("x",), split="x",
    definition=sp.Piecewise((x, x > 0), (alpha * x, True)),
    assumptions=("alpha > 0",),
    kinks=(Kink("x = 0", sp.Eq(x, 0), {"x": alpha}, prose(*PYTORCH)),),
    forms=(
        Form("1 if x > 0, alpha otherwise", sp.Piecewise((1, x > 0), (alpha, True)), "001", "proved"),
        Form("alpha + (1 - alpha) H(x), H(0) = 0", alpha + (1 - alpha) * sp.Heaviside(x, 0), None, "proved"),
        Form("1 if x >= 0, alpha otherwise", sp.Piecewise((1, x >= 0), (alpha, True)), None,
             "equal except at kink", note="uses 1 at x = 0"),
        Form("alpha if x > 0, 1 otherwise (branches swapped)", sp.Piecewise((alpha, x > 0), (1, True)),
             None, "refuted"),
    ),
))

_pa = Param("a", a, sp.Rational(1, 4), "learned slope for x <= 0")
register(Entry(
    name="prelu", kind="activation", summary="f(x) = x for x > 0, a x otherwise (a is learned)",
    symbols={"x": x, "a": a}, params=(_pa,), variables=("x", "a"), split="x",
    definition=sp.Piecewise((x, x > 0), (a * x, True)),
    kinks=(Kink("x = 0", sp.Eq(x, 0), {"x": a, "a": sp.Integer(0)},
                prose("the side ", sp.Le(x, 0), ", as PyTorch; the derivative in a, ", x, ", is 0 there anyway")),),
    forms=(
        Form("1 if x > 0, a otherwise", sp.Piecewise((1, x > 0), (a, True)), "001", "proved"),
        Form("df/da = 0 if x > 0, x otherwise", sp.Piecewise((0, x > 0), (x, True)), None, "proved", wrt="a"),
        Form("df/da = min(0, x)", sp.Min(0, x), None, "proved", wrt="a"),
        Form("df/da = x", x, None, "refuted", wrt="a", note="forgets that a only acts for x <= 0"),
    ),
))

_ae = Param("alpha", alpha, sp.Integer(1), "scale of the negative saturation")
register(Entry(
    name="elu", kind="activation", summary="f(x) = x for x > 0, alpha (e^x - 1) otherwise",
    symbols={"x": x, "alpha": alpha}, params=(_ae,), variables=("x",), split="x",
    definition=sp.Piecewise((x, x > 0), (alpha * (E(x) - 1), True)), assumptions=("alpha > 0",),
    kinks=(Kink("x = 0", sp.Eq(x, 0), {"x": alpha}, prose(*PYTORCH)),),
    forms=(
        Form("1 if x > 0, alpha e^x otherwise", sp.Piecewise((1, x > 0), (alpha * E(x), True)), None, "proved"),
        Form("1 if x > 0, f(x) + alpha otherwise",
             sp.Piecewise((1, x > 0), (alpha * (E(x) - 1) + alpha, True)), None, "proved"),
        Form("1 if x > 0, e^x otherwise (alpha dropped)", sp.Piecewise((1, x > 0), (E(x), True)), None, "refuted"),
    ),
))

register(Entry(
    name="softplus", kind="activation", summary="f(x) = log(1 + e^x)",
    symbols={"x": x}, definition=sp.log(1 + E(x)), variables=("x",),
    forms=(
        Form("sigma(x)", sigma(x), None, "proved"),
        Form("e^x/(1+e^x)", E(x) / (1 + E(x)), None, "proved"),
        Form("1/(1+e^x)", 1 / (1 + E(x)), None, "refuted", note="sigma(-x): the sign of the exponent slipped"),
    ),
))

_phi = E(-x**2 / 2) / sp.sqrt(2 * sp.pi)
_Phi = (1 + sp.erf(x / sp.sqrt(2))) / 2
register(Entry(
    name="gelu", kind="activation", summary="f(x) = x Phi(x) = x/2 (1 + erf(x/sqrt 2))",
    symbols={"x": x}, definition=x * _Phi, variables=("x",),
    forms=(
        Form("Phi(x) + x phi(x)", _Phi + x * _phi, None, "proved"),
        Form("Phi(x) (x phi(x) dropped)", _Phi, None, "refuted"),
    ),
))

register(Entry(
    name="silu", kind="activation", summary="f(x) = x sigma(x) (swish with beta = 1)",
    symbols={"x": x}, definition=x * sigma(x), variables=("x",), aliases=("swish",),
    forms=(
        Form("sigma(x) + x sigma(x)(1 - sigma(x))", sigma(x) + x * sigma(x) * (1 - sigma(x)), None, "proved"),
        Form("sigma(x)(1 + x(1 - sigma(x)))", sigma(x) * (1 + x * (1 - sigma(x))), None, "proved"),
        Form("f(x) + sigma(x)(1 - f(x))", x * sigma(x) + sigma(x) * (1 - x * sigma(x)), None, "proved"),
        Form("sigma(x)(1 - sigma(x)) (product rule skipped)", sigma(x) * (1 - sigma(x)), None, "refuted"),
    ),
))
