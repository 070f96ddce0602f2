"""Numeric witnesses: random points of a domain and 30-digit evaluation (mpmath through evalf).

A witness never proves anything alone; it backs a symbolic proof and finds counterexamples fast.
Points are short exact rationals, so a counterexample can be printed and replayed exactly.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

import mpmath
import sympy as sp

DIGITS = 30
TOLERANCE = sp.Float("1e-20", DIGITS)


@dataclass(frozen=True)
class Domain:
    """Where to draw points: ranges by symbol name (or by name without its index digits)."""

    ranges: Mapping[str, tuple[float, float]]
    abbreviations: Mapping[sp.Symbol, sp.Expr]

    def range_for(self, sym: sp.Symbol) -> tuple[float, float]:
        if sym.name in self.ranges:
            return self.ranges[sym.name]
        base = re.sub(r"\d+$", "", sym.name)
        if base in self.ranges:
            return self.ranges[base]
        if sym.is_positive:
            return (0.25, 3.0)
        return (-3.0, 3.0)


def _rational(u: float) -> sp.Rational:
    return sp.Rational(round(u * 10**4), 10**4)


def draw(symbols: Iterable[sp.Symbol], domain: Domain, rng: random.Random,
         fixed: Mapping[sp.Symbol, sp.Expr] | None = None) -> dict[sp.Symbol, sp.Expr]:
    """One random point for `symbols` (integers drawn from 2..6), then the abbreviations' values."""
    point: dict[sp.Symbol, sp.Expr] = dict(fixed or {})
    abbrs = set(domain.abbreviations)
    for sym in sorted(symbols, key=lambda s: s.name):
        if sym in point or sym in abbrs:
            continue
        if sym.is_integer:
            point[sym] = sp.Integer(rng.randint(2, 6))
            continue
        lo, hi = domain.range_for(sym)
        val = _rational(rng.uniform(lo, hi))
        if sym.is_positive and val <= 0:
            val = sp.Rational(1, 10**4)
        point[sym] = val
    for short, full in domain.abbreviations.items():
        needed = full.free_symbols - set(point)
        for sym in needed:
            point.update(draw([sym], Domain(domain.ranges, {}), rng))
        point[short] = full.evalf(DIGITS, subs=point)
    return point


def value(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """expr at point, to 30 digits, computed by mpmath directly on the expression tree (no SymPy
    objects are built on the way, which makes witnesses cheap); SymPy's evalf is the fallback for
    any function the walker does not know."""
    expr = sp.sympify(expr)
    with mpmath.workdps(DIGITS + 5):
        try:
            env = {s: _mp(sp.sympify(v)) for s, v in point.items()}
            out = _walk(expr, env, {})
        except (_Unknown, TypeError, ValueError, ZeroDivisionError, OverflowError):
            return expr.evalf(DIGITS, subs=dict(point))
    if isinstance(out, mpmath.mpc):
        return expr.evalf(DIGITS, subs=dict(point))
    return sp.Float(out, DIGITS)


def _mp(v: sp.Expr) -> mpmath.mpf:
    if v.is_Rational:
        return mpmath.mpf(int(v.p)) / int(v.q)
    if v.is_Float:
        return mpmath.mpf(v._mpf_)
    return mpmath.mpf(str(sp.Float(v, DIGITS)))


class _Unknown(Exception):
    """A node the mpmath walker does not evaluate."""


_FUNCS = {
    sp.exp: mpmath.exp, sp.log: mpmath.log, sp.tanh: mpmath.tanh, sp.sech: mpmath.sech,
    sp.cosh: mpmath.cosh, sp.sinh: mpmath.sinh, sp.erf: mpmath.erf, sp.Abs: abs,
    sp.sign: lambda u: mpmath.mpf((u > 0) - (u < 0)),
}


def _walk(e: sp.Basic, env: dict, memo: dict) -> mpmath.mpf:
    if e in memo:
        return memo[e]
    if e.is_Symbol:
        if e not in env:
            raise _Unknown(e)
        out = env[e]
    elif e.is_Integer:
        out = mpmath.mpf(int(e))
    elif e.is_Rational:
        out = mpmath.mpf(int(e.p)) / int(e.q)
    elif e.is_Float:
        out = mpmath.mpf(e._mpf_) if hasattr(e, "_mpf_") else mpmath.mpf(str(e))
    elif e is sp.pi:
        out = +mpmath.pi
    elif e is sp.E:
        out = +mpmath.e
    elif e.is_Add:
        out = mpmath.fsum(_walk(a, env, memo) for a in e.args)
    elif e.is_Mul:
        out = mpmath.fprod(_walk(a, env, memo) for a in e.args)
    elif e.is_Pow:
        base, ex = e.args
        b = _walk(base, env, memo)
        if ex.is_Integer:
            out = b ** int(ex)
        else:
            if b < 0:
                raise _Unknown(e)
            out = b ** _walk(ex, env, memo)
    elif isinstance(e, sp.Heaviside):
        u = _walk(e.args[0], env, memo)
        h0 = _walk(e.args[1], env, memo) if len(e.args) > 1 else mpmath.mpf(1) / 2
        out = mpmath.mpf(1) if u > 0 else (mpmath.mpf(0) if u < 0 else h0)
    elif isinstance(e, (sp.Max, sp.Min)):
        vals = [_walk(a, env, memo) for a in e.args]
        out = max(vals) if isinstance(e, sp.Max) else min(vals)
    elif isinstance(e, sp.Piecewise):
        out = None
        for branch, cond in e.args:
            if _truth(cond, env, memo):
                out = _walk(branch, env, memo)
                break
        if out is None:
            raise _Unknown(e)
    elif e.func in _FUNCS and len(e.args) == 1:
        out = _FUNCS[e.func](_walk(e.args[0], env, memo))
    else:
        raise _Unknown(e)
    memo[e] = out
    return out


def _truth(cond: sp.Basic, env: dict, memo: dict) -> bool:
    if cond is sp.true or cond is True:
        return True
    if cond is sp.false or cond is False:
        return False
    if isinstance(cond, sp.And):
        return all(_truth(c, env, memo) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(_truth(c, env, memo) for c in cond.args)
    if isinstance(cond, sp.Not):
        return not _truth(cond.args[0], env, memo)
    ops = {sp.StrictGreaterThan: lambda l, r: l > r, sp.GreaterThan: lambda l, r: l >= r,
           sp.StrictLessThan: lambda l, r: l < r, sp.LessThan: lambda l, r: l <= r,
           sp.Equality: lambda l, r: l == r, sp.Unequality: lambda l, r: l != r}
    for kind, op in ops.items():
        if isinstance(cond, kind):
            return bool(op(_walk(cond.lhs, env, memo), _walk(cond.rhs, env, memo)))
    raise _Unknown(cond)


def differ(f: sp.Expr, t: sp.Expr) -> bool:
    """True when two 30-digit values differ beyond rounding (relative to their size)."""
    if f.has(sp.nan, sp.zoo) or t.has(sp.nan, sp.zoo):
        return f != t
    if not (f.is_number and t.is_number):
        return True
    scale = max(sp.Integer(1), abs(t), abs(f))
    return bool(abs(f - t) > TOLERANCE * scale)


def show(v: sp.Expr, digits: int = 15) -> str:
    """A value printed for people: exact when short, else 15 significant digits."""
    v = sp.sympify(v)
    if v in (sp.zoo, sp.nan):  # 1/0, log(0)+log(0)...: SymPy's words for "no value"
        return "no value (division by zero)" if v is sp.zoo else "no value (undefined)"
    if v.is_Rational and 10**6 % v.q == 0:
        return str(sp.Float(v, 15)).rstrip("0").rstrip(".") if v.q != 1 else str(v)
    if v.is_Rational and len(str(v)) <= 24:
        return str(v)
    try:
        return str(sp.Float(v, digits))
    except (TypeError, ValueError):
        return str(v)


def point_text(point: Mapping[sp.Symbol, sp.Expr], hide: Iterable[sp.Symbol] = ()) -> dict[str, str]:
    """A point as {name: value} strings, without abbreviation symbols."""
    hidden = set(hide)
    def natural(sym: sp.Symbol) -> tuple:
        m = re.fullmatch(r"(.*?)(\d+)", sym.name)
        return (m.group(1), int(m.group(2))) if m else (sym.name, -1)

    return {s.name: show(v) for s, v in sorted(point.items(), key=lambda kv: natural(kv[0])) if s not in hidden}
