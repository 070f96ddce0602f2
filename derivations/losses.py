"""Separable losses of the catalog, written per output i (one summand y_i, a_i) with a reduction.

`reduction="sum"` means L = sum_i term; `"mean"` means L = 1/n sum_i term, so dL/da_i carries
1/n. Batch means divide by m on top (`Entry.derivative(batch="mean")`). Vector losses that do not
separate (fused softmax + CE, general cosine) live in `softmax.py`.
"""

from __future__ import annotations

import sympy as sp

from gradverify.derivations.catalog import N_BATCH as m
from gradverify.derivations.catalog import N_OUTPUTS as n
from gradverify.derivations.catalog import Entry, Form, Kink, Param, register
from gradverify.derivations.prose import prose

y = sp.Symbol("y", real=True)
a = sp.Symbol("a", real=True)
a_pos = sp.Symbol("a", positive=True)
delta = sp.Symbol("delta", positive=True)
lam = sp.Symbol("lambda", positive=True)
W = sp.Symbol("W", real=True)

register(Entry(
    name="squared_error", kind="loss", summary="L = sum_i (y_i - a_i)^2",
    symbols={"y": y, "a": a, "n": n}, definition=(y - a) ** 2, variables=("a",), reduction="sum",
    forms=(
        Form("2(a - y)", 2 * (a - y), None, "proved"),
        Form("-2(y - a)", -2 * (y - a), None, "proved"),
        Form("(a - y) (seed 001 Q3: the 2 dropped)", a - y, "001", "refuted",
             note="seed 001 states L = (y - a)^2 but uses dL/da = a - y, the gradient of 1/2 (y - a)^2"),
    ),
))

register(Entry(
    name="half_squared_error", kind="loss", summary="L = 1/2 sum_i (y_i - a_i)^2",
    symbols={"y": y, "a": a, "n": n}, definition=(y - a) ** 2 / 2, variables=("a",), reduction="sum",
    forms=(
        Form("a - y", a - y, None, "proved"),
        Form("-(y - a)", -(y - a), "002", "proved"),
        Form("(d - z) (seed 002: the sign lost)", y - a, "002", "refuted",
             note="seed 002 writes dE/dz = -1/2 * 1 * (d - z) = (d - z) for E = 1/2 (d - z)^2: "
                  "the power rule gives 2 * 1/2, and the inner derivative is -1, so dE/dz = z - d"),
    ),
))

register(Entry(
    name="mean_squared_error", kind="loss", summary="L = 1/n sum_i (y_i - a_i)^2 (seed 001: \"L2 loss\")",
    symbols={"y": y, "a": a, "n": n}, definition=(y - a) ** 2, variables=("a",), reduction="mean",
    aliases=("mse", "l2_loss", "l2"),
    forms=(
        Form("2/n (a - y)", 2 * (a - y) / n, "001", "proved"),
        Form("-2u/n with u = y - a", -2 * (y - a) / n, "001", "proved"),
        Form("2(a - y) for the sum over outputs", 2 * (a - y), None, "proved", reduction="sum"),
        Form("2(a - y) (the 1/n of the mean dropped)", 2 * (a - y), None, "refuted"),
        Form("2/(n m) (a - y) for the mean over a batch of m", 2 * (a - y) / (n * m), None, "proved",
             batch="mean"),
        Form("2/n (a - y) for a batch mean (the 1/m dropped)", 2 * (a - y) / n, None, "refuted", batch="mean"),
    ),
))

register(Entry(
    name="binary_cross_entropy", kind="loss", summary="L = -sum_i [y_i log a_i + (1 - y_i) log(1 - a_i)]",
    symbols={"y": y, "a": a_pos, "n": n}, variables=("a",), reduction="sum", aliases=("bce",),
    definition=-(y * sp.log(a_pos) + (1 - y) * sp.log(1 - a_pos)),
    assumptions=("0 < a_i < 1 (a probability)", "0 <= y_i <= 1"),
    ranges={"a": (0.05, 0.95), "y": (0.0, 1.0)},
    forms=(
        Form("-y/a + (1 - y)/(1 - a)", -y / a_pos + (1 - y) / (1 - a_pos), None, "proved"),
        Form("(a - y)/(a(1 - a))", (a_pos - y) / (a_pos * (1 - a_pos)), None, "proved"),
        Form("a - y (that is dL/dz through a sigmoid, not dL/da)", a_pos - y, None, "refuted"),
    ),
))

register(Entry(
    name="cross_entropy", kind="loss", summary="L = -sum_i y_i log a_i (on probabilities)",
    symbols={"y": y, "a": a_pos, "n": n}, definition=-y * sp.log(a_pos), variables=("a",), reduction="sum",
    aliases=("categorical_cross_entropy", "ce"),
    assumptions=("a_i > 0 (log(0) is undefined: seed 002 (d))", "y_i >= 0"),
    ranges={"a": (0.05, 1.0), "y": (0.0, 1.0)},
    forms=(
        Form("-y/a", -y / a_pos, "001", "proved"),
        Form("-t_i / z_i (seed 002 (c))", -y / a_pos, "002", "proved"),
        Form("-y log a (not differentiated)", -y * sp.log(a_pos), None, "refuted"),
    ),
))

_hinge_kink = Kink("y a = 1 (the margin)", sp.Eq(y * a, 1), {"a": sp.Integer(0)},
                   prose("seed 001 defines it so: the side ", sp.Ge(y * a, 1)))
register(Entry(
    name="hinge", kind="loss", summary="L = sum_i max(0, 1 - y_i a_i), y_i in {-1, +1}",
    symbols={"y": y, "a": a, "n": n}, definition=sp.Max(0, 1 - y * a), variables=("a",), reduction="sum",
    assumptions=("y_i in {-1, +1}",), cases=({y: 1}, {y: -1}), split="a", kinks=(_hinge_kink,),
    forms=(
        Form("0 if y a >= 1, -y otherwise", sp.Piecewise((0, y * a >= 1), (-y, True)), "001", "proved"),
        Form("-y H(1 - y a) with H(0) = 0", -y * sp.Heaviside(1 - y * a, 0), None, "proved"),
        Form("0 if y a > 1, -y otherwise", sp.Piecewise((0, y * a > 1), (-y, True)), None,
             "equal except at kink", note="uses -y at the margin"),
        Form("-y everywhere", -y, None, "refuted"),
    ),
))

register(Entry(
    name="l1", kind="loss", summary="L = 1/n sum_i |y_i - a_i|",
    symbols={"y": y, "a": a, "n": n}, definition=sp.Abs(y - a), variables=("a",), reduction="mean",
    aliases=("l1_loss", "mean_absolute_error", "mae"), split="a",
    kinks=(Kink("a = y", sp.Eq(a, y), {"a": sp.Integer(0)}, prose("as seed 001 defines sgn at 0")),),
    forms=(
        Form("-sgn(y - a)/n", -sp.sign(y - a) / n, "001", "proved"),
        Form("-1/n if y - a > 0, 1/n if y - a < 0, 0 at y = a",
             sp.Piecewise((-1 / n, y - a > 0), (1 / n, y - a < 0), (0, True)), "001", "proved"),
        Form("-1/n if y > a, 1/n otherwise", sp.Piecewise((-1 / n, y > a), (1 / n, True)), None,
             "equal except at kink", note="uses +1/n at a = y"),
        Form("sgn(y - a)/n (sign slip)", sp.sign(y - a) / n, None, "refuted"),
    ),
))

_R = y - a
_huber_piece = sp.Piecewise((delta, _R < -delta), (a - y, sp.Abs(_R) <= delta), (-delta, True))
register(Entry(
    name="huber", kind="loss",
    summary="L = sum_i l(y_i - a_i), l(R) = R^2/2 for |R| <= delta, delta |R| - delta^2/2 otherwise",
    symbols={"y": y, "a": a, "n": n, "delta": delta}, variables=("a",), reduction="sum", split="a",
    params=(Param("delta", delta, sp.Integer(1), "where the quadratic turns linear"),),
    definition=sp.Piecewise((_R**2 / 2, sp.Abs(_R) <= delta), (delta * sp.Abs(_R) - delta**2 / 2, True)),
    assumptions=("delta > 0",),
    forms=(
        Form("delta / a - y / -delta by region (seed 001)", _huber_piece, "001", "proved"),
        Form("-clip(y - a, -delta, delta)", -sp.Max(-delta, sp.Min(delta, _R)), None, "proved"),
        Form("a - y if |y - a| <= delta, -delta sgn(y - a) otherwise",
             sp.Piecewise((a - y, sp.Abs(_R) <= delta), (-delta * sp.sign(_R), True)), "001", "proved"),
        Form("1/n times the pieces (mean form, seed 001)", _huber_piece / n, "001", "proved", reduction="mean"),
        Form("a - y everywhere (quadratic branch only)", a - y, None, "refuted"),
    ),
))

register(Entry(
    name="cosine_similarity", kind="loss",
    summary="L = -1/n sum_i y_i a_i (seed 001's form: y and a already normalized)",
    symbols={"y": y, "a": a, "n": n}, definition=-y * a, variables=("a",), reduction="mean",
    assumptions=("y and a are unit vectors (seed 001 normalizes both first)",),
    forms=(
        Form("-y/n", -y / n, "001", "proved"),
        Form("-y (the 1/n dropped)", -y, None, "refuted"),
    ),
))

register(Entry(
    name="l2_regularization", kind="loss", summary="R = lambda/2 sum W^2 over the weights (not the biases)",
    symbols={"W": W, "lambda": lam}, definition=lam / 2 * W**2, variables=("W",), reduction="sum",
    params=(Param("lambda", lam, sp.Rational(1, 100), "regularization strength"),),
    aliases=("weight_decay", "l2_reg"),
    forms=(
        Form("lambda W", lam * W, "004", "proved"),
        Form("lambda W against J_reg = lambda/2 sum W (seed 004: the square missing)", lam * W, "004",
             "refuted", definition=lam / 2 * W,
             note="seed 004 writes J_reg = lambda/2 [sum W_ij + sum W_kl] without the squares yet "
                  "reports lambda W; from the function as written the gradient is lambda/2"),
        Form("lambda/2 W (the exponent 2 not brought down)", lam * W / 2, None, "refuted"),
    ),
))
