"""The named slips that explain a wrong derivative claim: each is a transformed truth that the
claim matches at several random points (a lost constant factor or sign, a missing chain-rule
factor, the derivative of another variable or another catalog function, a wrong Jacobian case).
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Mapping

import sympy as sp

from gradverify.derivations import catalog
from gradverify.derivations import witness
from gradverify.derivations.catalog import Entry
from gradverify.derivations.proofs import Assumptions


def points(exprs: list[sp.Basic], A: Assumptions, count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    syms: set = set()
    for e in exprs:
        syms |= e.free_symbols
    dom = witness.Domain(A.ranges, A.abbreviations)
    pts = []
    for _ in range(count):
        p = witness.draw(syms, dom, rng)
        if A.cases and A.cases[0]:
            p = {**p, **{k: sp.sympify(v).subs(p) for k, v in A.cases[0].items()}}
            for short, full in A.abbreviations.items():
                p[short] = full.evalf(30, subs=p)
        pts.append(p)
    return pts


def values(e: sp.Basic, pts: list[dict]) -> list[sp.Expr]:
    if isinstance(e, sp.MatrixBase):
        return [witness.value(v, p) for p in pts for v in e]
    return [witness.value(e, p) for p in pts]


def same(a: list[sp.Expr], b: list[sp.Expr]) -> bool:
    return all(not witness.differ(x, y) for x, y in zip(a, b))


def diagnose(claim: sp.Basic, truth: sp.Basic, entry: Entry, var: str, params: Mapping[str, sp.Expr],
             A: Assumptions, reduction: str | None = None, batch: str = "sum") -> list[str]:
    """Names of the slips that explain the difference (numeric agreement at several points).
    `reduction` and `batch` are the loss's as stated ("sum"/"mean"): a factor of the number of
    outputs n or of the batch size m is named against them."""
    out: list[str] = []
    pts = points([claim, truth], A, 8)
    cv, tv = values(claim, pts), values(truth, pts)
    if any(v.has(sp.nan, sp.zoo) or not v.is_number for v in cv):
        return out
    if entry.sized is None:
        definition = entry.value({k: str(v) for k, v in params.items()} if params else None)
        if same(cv, values(definition, pts)):
            out.append(f"this is the function {entry.name} itself, not its derivative")
    ratios = [c / t for c, t in zip(cv, tv) if abs(t) > 1e-12]
    if len(ratios) >= 2 and all(not witness.differ(r, ratios[0]) for r in ratios):
        k = sp.nsimplify(sp.Float(ratios[0], 15), rational=True, tolerance=1e-12)
        if k == -1:
            msg = "the sign is flipped (the claim is minus the derivative)"
            inner = _inner_minus_one(entry, var) if entry.sized is None else None
            if inner is not None:
                msg += f"; the inner derivative d({inner})/d{var} = -1 was dropped"
            out.append(msg)
        elif k == 0:
            out.append("the claim is 0 everywhere, but the derivative is not")
        elif k != 1 and len(str(k)) <= 12:
            lost = 1 / k
            out.append(f"a constant factor is missing: the claim is {k} times the derivative "
                       f"(multiply it by {lost})" if abs(k) < 1 else
                       f"an extra constant factor {k}: the claim is {k} times the derivative")
    out += _counts(claim, truth, pts, cv, tv, reduction, batch)
    if isinstance(truth, sp.MatrixBase) and truth.cols > 1:
        out += _diagonal(claim, truth, pts[0])
    out += _quotient(claim, truth, entry, var, pts)
    if entry.name == "softmax" and var == "vjp":
        out += _diagonal_vjp(claim, truth, pts)
    if entry.sized is None:
        out += _chain_rule(claim, truth, entry, var, pts, cv, tv)
        out += _other_variable(entry, var, params, pts, cv)
        out += _other_function(entry, var, pts, cv)
    return out


def _counts(claim: sp.Basic, truth: sp.Basic, pts: list[dict], cv: list[sp.Expr], tv: list[sp.Expr],
            reduction: str | None, batch: str) -> list[str]:
    """A factor n (outputs) or m (batch size) too many or too few: the mean/sum slips of seed
    001's Huber (dC/da = n dl/da, C written both with and without 1/n) and of seed 000's batch."""
    found = []
    for sym, what, stated in ((catalog.N_OUTPUTS, "outputs", reduction), (catalog.N_BATCH, "batch", batch)):
        if not (claim.free_symbols | truth.free_symbols) & {sym}:
            continue
        per = len(cv) // len(pts)
        for k in (1, -1, 2, -2):
            scaled = [t * pts[i // per][sym] ** k for i, t in enumerate(tv)]
            if not same(cv, scaled):
                continue
            mean = stated == "mean"
            if k == 1:
                found.append(f"the claim is {sym} times the derivative: " + (
                    f"the 1/{sym} of the mean over the {what} is missing" if mean else
                    f"the loss is a sum over the {what}, nothing multiplies it by {sym}"))
            elif k == -1:
                found.append(f"the claim is the derivative divided by {sym}: " + (
                    f"the 1/{sym} of the mean is taken twice" if mean else
                    f"that is the derivative of the mean (1/{sym}) sum, but the loss is stated as a sum "
                    f"over the {what}"))
            elif k == 2 and mean:
                found.append(f"the claim is {sym}^2 times the derivative: {sym} where the mean's 1/{sym} belongs "
                             f"(dC/da_i = (1/{sym}) dl/da_i)")
            else:
                found.append(f"the claim is {sym}^{k} times the derivative")
            break
    return found


def _fraction_parts(entry: Entry, var: str, shape: tuple[int, int] | None) -> tuple[list, str, str] | None:
    """(f, g) of the function f/g that each entry of the derivative differentiates (the definition
    as written for a scalar entry, e^{x_i} / S for row i of softmax's Jacobian), with how to name
    f and g."""
    if entry.sized is None:
        f, g = sp.fraction(entry.definition)
        if not g.has(entry.sym(var)):
            f, g = sp.fraction(sp.together(entry.definition))
        return ([(f, g)], str(f), str(g)) if g.has(entry.sym(var)) else None
    if entry.name == "softmax" and var == "x" and shape is not None:
        built = entry.sized(shape[0])
        S = built.symbols["S"]
        return [(sp.exp(x), S) for x in built.symbols["x"]], "e^{x_i}", "sum_k e^{x_k}"
    return None


def _quotient(claim: sp.Basic, truth: sp.Basic, entry: Entry, var: str, pts: list[dict]) -> list[str]:
    """The quotient rule written with f^2 in the denominator where g^2 belongs (seed 002's
    (f'g - f g')/f^2): the claim times f^2/g^2 is the derivative."""
    matrix = isinstance(truth, sp.MatrixBase)
    found = _fraction_parts(entry, var, truth.shape if matrix else None)
    if not found:
        return []
    parts, f_text, g_text = found
    pairs = ([(claim[i, j], truth[i, j], parts[i]) for i in range(truth.rows) for j in range(truth.cols)]
             if matrix else [(claim, truth, parts[0])])
    explained = 0
    for c, t, (f, g) in pairs:
        cv, tv = values(c, pts), values(t, pts)
        if same(cv, tv):
            continue
        if not same([x * witness.value(f**2 / g**2, p) for x, p in zip(cv, pts)], tv):
            return []
        explained += 1
    if not explained:
        return []
    return [f"the quotient rule with f^2 in the denominator: (f'g - fg')/g^2 divides by the square of the "
            f"denominator g = {g_text}, not of the numerator f = {f_text}"]


def _diagonal_vjp(claim: sp.MatrixBase, truth: sp.MatrixBase, pts: list[dict]) -> list[str]:
    """(v^T J)_i taken through the diagonal of the Jacobian only (seed 004's "thus a_i": as if x_i
    moved s_i alone)."""
    built = catalog.get("softmax").sized(truth.rows)
    jac, v = built.derivatives["x"], built.symbols["v"]
    diagonal = sp.Matrix([v[i] * jac[i, i] for i in range(truth.rows)])
    if same(values(claim, pts), values(diagonal, pts)):
        return ["only the diagonal of the Jacobian: through softmax each x_i moves every output s_k, so "
                "(v^T J)_i sums v_k ds_k/dx_i over all k (the -v_k s_k s_i terms are missing)"]
    return []


def _diagonal(claim: sp.MatrixBase, truth: sp.MatrixBase, point: dict) -> list[str]:
    """Which case of a Jacobian is wrong: the i = j entries or the i != j ones."""
    diag_ok = all(not witness.differ(witness.value(claim[i, i], point), witness.value(truth[i, i], point))
                  for i in range(truth.rows))
    off_ok = all(not witness.differ(witness.value(claim[i, j], point), witness.value(truth[i, j], point))
                 for i in range(truth.rows) for j in range(truth.cols) if i != j)
    if diag_ok and not off_ok:
        return ["the i = j entries are right but the i != j entries are wrong (the off-diagonal case: "
                "ds_i/dx_j = -s_i s_j there)"]
    if off_ok and not diag_ok:
        return ["the i != j entries are right but the diagonal i = j is wrong"]
    return []


def _inner_minus_one(entry: Entry, var: str) -> str | None:
    v = entry.sym(var)
    for sub in sp.preorder_traversal(entry.definition):
        if isinstance(sub, sp.Add) and sp.diff(sub, v) == -1:
            return str(sub)
    return None


def _chain_rule(claim, truth, entry: Entry, var: str, pts, cv, tv) -> list[str]:
    v = entry.sym(var)
    inners = set()
    for sub in sp.preorder_traversal(entry.definition):
        if isinstance(sub, sp.Function) or isinstance(sub, sp.Pow):
            for arg in sub.args:
                if arg.has(v) and arg != v:
                    inners.add(arg)
    found = []
    for g in sorted(inners, key=sp.default_sort_key):
        dg = sp.diff(g, v)
        if dg.is_number:
            continue  # constant inner factors show as a constant-factor or sign diagnosis
        if same([c * witness.value(dg, p) for c, p in zip(cv, pts)], tv):
            found.append(f"a chain-rule factor is missing: the inner derivative d({g})/d{var} = {dg}")
    return found


def _other_variable(entry: Entry, var: str, params, pts, cv) -> list[str]:
    found = []
    candidates = [n for n in entry.variables if n != var]
    candidates += [n for n, s in entry.symbols.items() if n not in entry.variables and n != "n"
                   and s in entry.definition.free_symbols and n not in {p.name for p in entry.params}]
    for other in candidates:
        s = entry.sym(other)
        d = sp.diff(entry.definition, s) * entry.scale()
        d = d.subs({entry.sym(k): val for k, val in params.items()})
        try:
            if same(cv, values(d, pts)):
                found.append(f"this is the derivative with respect to {other}, not {var}")
        except (TypeError, ValueError):
            continue
    return found


@lru_cache(maxsize=None)
def _activation_derivatives() -> tuple[tuple[str, sp.Expr], ...]:
    out = []
    for e in catalog.entries("activation"):
        if e.sized is None and len(e.variables) >= 1:
            out.append((e.name, e.derivative(e.variables[0]).subs(e.defaults()), e.sym(e.variables[0])))
    return tuple(out)


def _other_function(entry: Entry, var: str, pts, cv) -> list[str]:
    if entry.kind != "activation":
        return []
    v = entry.sym(var)
    found = []
    for name, d, x in _activation_derivatives():
        if name == entry.name:
            continue
        cand = d.xreplace({x: v})
        if same(cv, values(cand, pts)):
            found.append(f"this is the derivative of {name}, not of {entry.name}")
    return found
