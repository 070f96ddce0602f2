"""Region-by-region handling of piecewise functions (Piecewise, Max, Min, Abs, sign, Heaviside).

The real line of the split variable is cut at every kink (zeros of Abs/sign/Heaviside arguments,
Max/Min switch points, Piecewise condition boundaries). On each open region every piecewise atom
takes one branch, so the two sides become smooth expressions compared symbolically there; the
kinks themselves are compared separately against the stated convention.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

KINKY = (sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside)


def is_piecewise(expr: sp.Basic) -> bool:
    """True when expr holds any function with a kink or a branch."""
    return any(expr.has(k) for k in KINKY)


@lru_cache(maxsize=4096)
def to_piecewise(expr: sp.Expr) -> sp.Expr:
    """Rewrite Max/Min/Abs/sign/Heaviside as Piecewise so one resolver handles all of them."""
    out = expr
    for kind in (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside):
        if out.has(kind):
            out = out.replace(lambda e, k=kind: isinstance(e, k), lambda e: e.rewrite(sp.Piecewise))
    return out


def boundary_functions(expr: sp.Basic) -> list[sp.Expr]:
    """Expressions g whose zeros are candidate kinks of expr."""
    return list(_boundaries(expr))


@lru_cache(maxsize=4096)
def _boundaries(expr: sp.Basic) -> tuple[sp.Expr, ...]:
    out: list[sp.Expr] = []
    for atom in expr.atoms(sp.Abs, sp.sign, sp.Heaviside):
        out.append(atom.args[0])
    for atom in expr.atoms(sp.Max, sp.Min):
        for p, q in itertools.combinations(atom.args, 2):
            out.append(p - q)
    for pw in expr.atoms(sp.Piecewise):
        for _e, cond in pw.args:
            if isinstance(cond, sp.logic.boolalg.BooleanAtom):
                continue
            for rel in cond.atoms(sp.core.relational.Relational):
                out.append(rel.lhs - rel.rhs)
                out.extend(boundary_functions(rel.lhs - rel.rhs))
    return tuple(out)


@lru_cache(maxsize=4096)
def roots_in(g: sp.Expr, var: sp.Symbol) -> tuple[sp.Expr, ...]:
    """Real zeros of g in var, trying each sign of the Abs atoms in g (g is piecewise linear)."""
    abss = sorted(g.atoms(sp.Abs), key=sp.default_sort_key)
    found: list[sp.Expr] = []
    for signs in itertools.product((1, -1), repeat=len(abss)):
        h = g.xreplace({ab: s * ab.args[0] for ab, s in zip(abss, signs)})
        if var not in h.free_symbols or is_piecewise(h):
            continue
        try:
            poly = sp.Poly(h, var)
        except sp.PolynomialError:
            poly = None
        if poly is not None and poly.degree() == 1:
            c1, c0 = poly.all_coeffs()
            found.append(sp.cancel(-c0 / c1))
        else:
            found.extend(r for r in sp.solve(h, var) if r.is_real is not False)
    return tuple(found)


def sign_symbols(exprs: list[sp.Expr], var: sp.Symbol) -> set[sp.Symbol]:
    """Symbols whose sign decides on which side of a kink a condition holds (the slope of a
    boundary in var, e.g. y in y a >= 1), when the assumptions do not fix that sign."""
    out: set[sp.Symbol] = set()
    for e in exprs:
        for g in boundary_functions(e):
            abss = sorted(g.atoms(sp.Abs), key=sp.default_sort_key)
            for signs in itertools.product((1, -1), repeat=len(abss)):
                h = g.xreplace({ab: s * ab.args[0] for ab, s in zip(abss, signs)})
                if var not in h.free_symbols or is_piecewise(h):
                    continue
                slope = sp.diff(h, var)
                if not (slope.is_positive or slope.is_negative):
                    out |= slope.free_symbols - {var}
    return out


@dataclass(frozen=True)
class Cut:
    """The kinks of the split variable, in order at the sample parameters."""

    var: sp.Symbol
    points: tuple[sp.Expr, ...]  # symbolic kink locations, increasing at the sample
    numeric: tuple[float, ...]
    order_proved: bool

    def regions(self) -> list[tuple[float | None, float | None]]:
        """Open intervals between consecutive kinks (None = unbounded)."""
        edges: list[float | None] = [None, *self.numeric, None]
        return list(zip(edges[:-1], edges[1:]))

    def describe(self, k: int) -> str:
        """Region k as text, e.g. 'y - delta < a < y + delta'."""
        lo = self.points[k - 1] if k > 0 else None
        hi = self.points[k] if k < len(self.points) else None
        v = self.var.name
        if lo is None and hi is None:
            return f"every {v}"
        if lo is None:
            return f"{v} < {hi}"
        if hi is None:
            return f"{v} > {lo}"
        return f"{lo} < {v} < {hi}"

    def inside(self, k: int, u: float) -> float:
        """A point of region k, u in (0, 1) giving where inside."""
        lo, hi = self.regions()[k]
        if lo is None and hi is None:
            return -3 + 6 * u
        if lo is None:
            return hi - 0.05 - 3 * u
        if hi is None:
            return lo + 0.05 + 3 * u
        return lo + (hi - lo) * (0.1 + 0.8 * u)


def cut(exprs: list[sp.Expr], var: sp.Symbol, params: dict[sp.Symbol, sp.Expr]) -> Cut:
    """Collect and order the kinks of exprs in var, at the sample parameter values `params`."""
    cands: list[sp.Expr] = []
    for e in exprs:
        for g in boundary_functions(e):
            cands.extend(roots_in(g, var))
    seen: list[tuple[float, sp.Expr]] = []
    for r in cands:
        v = r.subs(params)
        if not v.is_real:
            continue
        fv = float(v)
        if all(abs(fv - s) > 1e-9 * (1 + abs(s)) for s, _ in seen):
            seen.append((fv, r))
    seen.sort(key=lambda p: p[0])
    proved = all(_positive(b[1] - a[1]) for a, b in zip(seen, seen[1:]))
    return Cut(var, tuple(r for _, r in seen), tuple(v for v, _ in seen), proved)


def _positive(d: sp.Expr) -> bool:
    """Whether d > 0 follows from the symbols' assumptions (cheap forms first)."""
    for form in (d, sp.expand(d), sp.factor(d)):
        if form.is_positive:
            return True
    return False


def resolve(expr: sp.Basic, point: dict[sp.Symbol, sp.Expr]) -> sp.Basic:
    """Replace each Piecewise by the branch whose condition holds at `point` (recursively)."""
    if isinstance(expr, sp.Piecewise):
        for branch, cond in expr.args:
            c = cond if isinstance(cond, sp.logic.boolalg.BooleanAtom) else cond.subs(point)
            if c is sp.true or c is True:
                return resolve(branch, point)
            if c is sp.false or c is False:
                continue
            raise ValueError(f"cannot decide {cond} at {point}")
        return sp.nan
    if not expr.args or not expr.has(sp.Piecewise):
        return expr
    new = [resolve(arg, point) for arg in expr.args]
    return expr.func(*new) if any(n is not o for n, o in zip(new, expr.args)) else expr


def resolve_at(expr: sp.Basic, point: dict[sp.Symbol, sp.Expr]) -> sp.Basic:
    """Each kink atom replaced by the piece it takes at `point`, deciding by 35-digit mpmath values
    (the point is inside an open region, well away from every kink): Abs(u) -> +-u, sign -> +-1,
    Heaviside -> 0/1, Max/Min -> the larger/smaller argument, Piecewise -> its branch."""
    from gradverify.derivations import witness

    env = {s: witness._mp(sp.sympify(v)) for s, v in point.items()}
    memo: dict = {}

    def num(e: sp.Basic) -> object:
        return witness._walk(e, env, memo)

    def go(e: sp.Basic) -> sp.Basic:
        if not e.args or not e.has(*KINKY):
            return e
        if isinstance(e, sp.Piecewise):
            for branch, cond in e.args:
                if witness._truth(cond, env, memo):
                    return go(branch)
            return sp.nan
        if isinstance(e, sp.Abs):
            u = e.args[0]
            return go(u) if num(u) >= 0 else -go(u)
        if isinstance(e, sp.sign):
            v = num(e.args[0])
            return sp.Integer((v > 0) - (v < 0))
        if isinstance(e, sp.Heaviside):
            v = num(e.args[0])
            if v != 0:
                return sp.Integer(1 if v > 0 else 0)
            return e.args[1] if len(e.args) > 1 else sp.Rational(1, 2)
        if isinstance(e, (sp.Max, sp.Min)):
            vals = [(num(a), a) for a in e.args]
            pick = max(vals, key=lambda p: p[0]) if isinstance(e, sp.Max) else min(vals, key=lambda p: p[0])
            return go(pick[1])
        return e.func(*[go(a) for a in e.args])

    try:
        return go(expr)
    except Exception:  # anything the walker cannot evaluate: the exact resolver decides
        return resolve(to_piecewise(expr), point)


def choose_var(exprs: list[sp.Expr], preferred: sp.Symbol | None) -> sp.Symbol | None:
    """The variable to split on: the preferred one if kinks move with it, else the first that does."""
    syms: set[sp.Symbol] = set()
    for e in exprs:
        for g in boundary_functions(e):
            syms |= g.free_symbols
    if preferred is not None and preferred in syms:
        return preferred
    ordered = sorted(syms, key=lambda s: (s.is_positive is True, s.is_integer is True, s.name))
    return ordered[0] if ordered else preferred
