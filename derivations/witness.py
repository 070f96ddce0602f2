"""Numeric witnesses: random points of a domain and 30-digit evaluation (mpmath through evalf).

A witness never proves anything alone; it backs a symbolic proof and finds counterexamples fast.
Points are short exact rationals, so a counterexample can be printed and replayed exactly.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

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
    """expr at point, to 30 digits: the point enters as 30-digit Floats, so SymPy folds the tree
    with mpmath arithmetic as it rebuilds it (several times faster than evalf(subs=...))."""
    floats = {s: (v if v.is_Integer else sp.Float(v, DIGITS)) for s, v in point.items()}
    out = sp.sympify(expr).xreplace(floats)
    return out if out.is_Float or out.is_Integer else out.evalf(DIGITS)


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
