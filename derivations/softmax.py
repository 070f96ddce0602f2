"""Vector entries: softmax (Jacobian and VJP, seed 002), fused softmax + CE, general cosine loss, and the
multiclass SVM (Weston-Watkins) loss.

They are built at a concrete size N (3 and 10 in the catalog). The normalizer sum_k e^{x_k} (and
the norms |a|, |y|) are kept as abbreviation symbols with their chain rule, so the N x N Jacobian
is N^2 small rational identities instead of one huge expression; `prove` substitutes the full
sums back for its numeric witness.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping

import sympy as sp

from gradverify.derivations.catalog import Entry, Form, Param, Sized, register

SIZES = (3, 10)
S = sp.Symbol("S", positive=True)  # sum_k e^{x_k}
NA = sp.Symbol("|a|", positive=True)
NY = sp.Symbol("|y|", positive=True)


def vec(name: str, n: int, **assumptions: bool) -> tuple[sp.Symbol, ...]:
    """Symbols name1..nameN."""
    return tuple(sp.Symbol(f"{name}{i}", **assumptions) for i in range(1, n + 1))


def total_diff(expr: sp.Expr, var: sp.Symbol, abbreviations: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """d expr / d var where abbreviation symbols depend on var through their full expressions."""
    out = sp.diff(expr, var)
    for short, full in abbreviations.items():
        inner = _inner(short, full, var)
        if inner != 0:
            out += sp.diff(expr, short) * inner
    return out


@lru_cache(maxsize=None)
def _inner(short: sp.Symbol, full: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """d full / d var, written with the abbreviation where the full expression reappears."""
    return sp.diff(full, var).subs(full, short)


def _softmax_parts(n: int) -> tuple[tuple[sp.Symbol, ...], list[sp.Expr], dict]:
    x = vec("x", n, real=True)
    abbr = {S: sp.Add(*[sp.exp(xi) for xi in x])}
    s = [sp.exp(xi) / S for xi in x]
    return x, s, abbr


@lru_cache(maxsize=None)
def softmax_at(n: int) -> Sized:
    """Softmax on N logits: definition, Jacobian ds_i/dx_j, and VJP (v^T J)_i."""
    x, s, abbr = _softmax_parts(n)
    v = vec("v", n, real=True)
    jac = sp.Matrix(n, n, lambda i, j: total_diff(s[i], x[j], abbr))
    vjp = sp.Matrix([sum(v[j] * jac[j, i] for j in range(n)) for i in range(n)])
    full = sp.Matrix([sp.exp(xi) / abbr[S] for xi in x])
    return Sized(n, {"x": x, "v": v, "S": S}, full, {"x": jac, "vjp": vjp}, abbr)


@lru_cache(maxsize=None)
def softmax_ce_at(n: int) -> Sized:
    """L = -sum_k y_k log softmax(x)_k on logits; the gradient dL/dx_i; needs sum y = 1 for y_hat - y."""
    x, s, abbr = _softmax_parts(n)
    y = vec("y", n, real=True)
    loss = -sum(yk * sp.log(sk) for yk, sk in zip(y, s))
    grad = sp.Matrix([total_diff(loss, xi, abbr) for xi in x])
    full = -sum(yk * sp.log(sp.exp(xk) / abbr[S]) for yk, xk in zip(y, x))
    one_hot_sum = {y[-1]: 1 - sum(y[:-1])}
    return Sized(n, {"x": x, "y": y, "S": S}, full, {"x": grad}, abbr, cases=(one_hot_sum,))


@lru_cache(maxsize=None)
def cosine_at(n: int) -> Sized:
    """L = -(y . a)/(|y||a|) and dL/da_i, with |a|, |y| as abbreviations."""
    a = vec("a", n, real=True)
    y = vec("y", n, real=True)
    abbr = {NA: sp.sqrt(sum(ai**2 for ai in a)), NY: sp.sqrt(sum(yi**2 for yi in y))}
    dot = sum(ai * yi for ai, yi in zip(a, y))
    loss = -dot / (NY * NA)
    grad = sp.Matrix([total_diff(loss, ai, abbr) for ai in a])
    full = -dot / (abbr[NY] * abbr[NA])
    return Sized(n, {"a": a, "y": y, "|a|": NA, "|y|": NY}, full, {"a": grad}, abbr)


DELTA = sp.Symbol("Delta", positive=True)


def _hinge(u: sp.Expr) -> sp.Expr:
    """max(0, u) with the kink convention of the hinge: its derivative is 0 at u = 0."""
    return sp.Piecewise((u, u > 0), (0, True))


@lru_cache(maxsize=None)
def svm_at(n: int) -> Sized:
    """Weston-Watkins L = sum_{j != c} max(0, s_j - s_c + Delta) for the label c = 1 (any label is a
    renumbering of the classes), and dL/ds_i; a margin of exactly 0 contributes 0 to the gradient."""
    s = vec("s", n, real=True)
    loss = sum(_hinge(s[j] - s[0] + DELTA) for j in range(1, n))
    grad = sp.Matrix([sp.diff(loss, si) for si in s])
    return Sized(n, {"s": s, "Delta": DELTA}, loss, {"s": grad})


def _svm_forms() -> tuple[Form, ...]:
    forms: list[Form] = []
    for n in SIZES:
        s = vec("s", n, real=True)
        on = [sp.Piecewise((1, s[j] - s[0] + DELTA > 0), (0, True)) for j in range(n)]
        off = [sp.Piecewise((-1, s[j] - s[0] + DELTA > 0), (0, True)) for j in range(n)]
        forms += [
            Form(f"1[margin_j > 0] for j != c, minus their count at the label c (N={n})",
                 sp.Matrix([sum(off[1:])] + on[1:]), None, "proved", n=n),
            Form(f"1[margin_j > 0] for every j (the label's own term missing) (N={n})",
                 sp.Matrix([0] + on[1:]), None, "refuted", n=n),
        ]
    return tuple(forms)


def _sm_forms() -> tuple[Form, ...]:
    forms: list[Form] = []
    for n in SIZES:
        _, s, _ = _softmax_parts(n)
        v = vec("v", n, real=True)
        vs = sum(vj * sj for vj, sj in zip(v, s))
        d = sp.KroneckerDelta
        forms += [
            Form(f"s_i(delta_ij - s_j) (N={n})", sp.Matrix(n, n, lambda i, j: s[i] * (d(i, j) - s[j])),
                 "002", "proved", n=n),
            Form(f"s_i(1 - s_j) if i = j, -s_i s_j otherwise (N={n})",
                 sp.Matrix(n, n, lambda i, j: s[i] * (1 - s[j]) if i == j else -s[i] * s[j]),
                 "001", "proved", n=n),
            Form(f"s_i(1 - s_j) for every i, j (off-diagonal case missed) (N={n})",
                 sp.Matrix(n, n, lambda i, j: s[i] * (1 - s[j])), None, "refuted", n=n),
            Form(f"VJP z_i = s_i(v_i - v.s) (N={n})", sp.Matrix([s[i] * (v[i] - vs) for i in range(n)]),
                 "002", "proved", wrt="vjp", n=n),
            Form(f"VJP z_i = v_i s_i(1 - s_i) (diagonal only) (N={n})",
                 sp.Matrix([v[i] * s[i] * (1 - s[i]) for i in range(n)]), None, "refuted", wrt="vjp", n=n),
        ]
    return tuple(forms)


def _sce_forms() -> tuple[Form, ...]:
    forms: list[Form] = []
    for n in SIZES:
        _, s, _ = _softmax_parts(n)
        y = vec("y", n, real=True)
        forms += [
            Form(f"y_hat - y (N={n})", sp.Matrix([s[i] - y[i] for i in range(n)]), "003", "proved", n=n,
                 note="holds because sum_i y_i = 1 (one-hot or a probability vector)"),
            Form(f"y - y_hat (sign slip) (N={n})", sp.Matrix([y[i] - s[i] for i in range(n)]), None,
                 "refuted", n=n),
        ]
    return tuple(forms)


def _cos_forms() -> tuple[Form, ...]:
    forms: list[Form] = []
    for n in SIZES:
        a = vec("a", n, real=True)
        y = vec("y", n, real=True)
        cos = sum(ai * yi for ai, yi in zip(a, y)) / (NY * NA)
        forms += [
            Form(f"-(1/|a|)(y_i/|y| - cos a_i/|a|) (N={n})",
                 sp.Matrix([-(y[i] / NY - cos * a[i] / NA) / NA for i in range(n)]), None, "proved", n=n),
            Form(f"-y_i/(|y||a|) (norm of a taken as constant) (N={n})",
                 sp.Matrix([-y[i] / (NY * NA) for i in range(n)]), None, "refuted", n=n),
        ]
    return tuple(forms)


_sm3 = softmax_at(3)
register(Entry(
    name="softmax", kind="activation", summary="s_i = e^{x_i} / sum_k e^{x_k} (vector-valued)",
    symbols={f"x{i + 1}": xi for i, xi in enumerate(_sm3.symbols["x"])}, definition=_sm3.definition,
    variables=("x", "vjp"), sized=softmax_at, sizes=SIZES, forms=_sm_forms(),
    assumptions=("derivative 'x' is the Jacobian J[i, j] = ds_i/dx_j",
                 "derivative 'vjp' is z = v^T J (seed 002 (b))"),
))

_ce3 = softmax_ce_at(3)
register(Entry(
    name="softmax_cross_entropy", kind="loss",
    summary="L = -sum_i y_i log softmax(x)_i on logits x (fused; gradient with respect to x)",
    symbols={**{f"x{i + 1}": v for i, v in enumerate(_ce3.symbols["x"])},
             **{f"y{i + 1}": v for i, v in enumerate(_ce3.symbols["y"])}},
    definition=_ce3.definition, variables=("x",), sized=softmax_ce_at, sizes=SIZES, forms=_sce_forms(),
    assumptions=("sum_i y_i = 1 (one-hot or a probability vector): y_hat - y needs it",),
    aliases=("softmax_ce", "softmax_crossentropy"),
))

_co3 = cosine_at(3)
register(Entry(
    name="cosine_similarity_general", kind="loss", summary="L = -(y . a)/(|y| |a|)",
    symbols={**{f"a{i + 1}": v for i, v in enumerate(_co3.symbols["a"])},
             **{f"y{i + 1}": v for i, v in enumerate(_co3.symbols["y"])}},
    definition=_co3.definition, variables=("a",), sized=cosine_at, sizes=SIZES, forms=_cos_forms(),
    assumptions=("a != 0 and y != 0",),
))

_svm3 = svm_at(3)
register(Entry(
    name="multiclass_svm", kind="loss",
    summary="L = sum_{j != c} max(0, s_j - s_c + Delta) (Weston-Watkins; c the label)",
    symbols={**{f"s{i + 1}": v for i, v in enumerate(_svm3.symbols["s"])}, "Delta": DELTA},
    definition=_svm3.definition, variables=("s",), sized=svm_at, sizes=SIZES, forms=_svm_forms(),
    params=(Param("delta", DELTA, sp.Integer(1), "the margin Delta"),),
    assumptions=("the label c is class 1 (any label is a renumbering)",
                 "at a margin of exactly 0 the subgradient 0 is used, as for the hinge"),
))
