"""Proofs that a hand form equals the true derivative: proved / refuted / equal except at kink.

`prove(form, truth, assumptions=...)` first looks for a counterexample at random 30-digit points
(cheap, and it is what a refutation shows), then gives a symbolic argument: cancel after
together, the same after rewriting to exp (tanh, sech, sigmoid), simplify as the last resort.
Piecewise functions go region by region (`regions.py`) and their kinks are compared against the
stated convention. A form whose witness agrees but resists every rewrite is `unproved`, never
`proved`.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

import sympy as sp

from gradverify.derivations import readable
from gradverify.derivations import regions
from gradverify.derivations import symmetry
from gradverify.derivations import witness
from gradverify.derivations.witness import Domain

PROVED, REFUTED, KINK, UNPROVED = "proved", "refuted", "equal except at kink", "unproved"


@dataclass(frozen=True)
class Assumptions:
    """What the proof may assume: cases (substitutions such as y = +-1 or sum y = 1), where the
    witness draws points (ranges by symbol name), abbreviation symbols with their full expressions,
    the variable to split piecewise functions on, and the text of each assumption."""

    text: tuple[str, ...] = ()
    cases: tuple[Mapping[sp.Symbol, sp.Expr], ...] = ({},)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    abbreviations: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    split: sp.Symbol | None = None
    points: int = 2
    seed: int = 2026


@dataclass
class Proof:
    """The verdict and the evidence: method, steps, witness points, counterexample, kinks."""

    verdict: str
    method: str = ""
    steps: list[str] = field(default_factory=list)
    witness: int = 0
    counterexample: dict[str, Any] | None = None
    kinks: list[dict[str, Any]] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.verdict == PROVED

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "method": self.method, "steps": self.steps,
                "witness_points": self.witness, "counterexample": self.counterexample,
                "kinks": self.kinks, "regions": self.regions, "seconds": round(self.seconds, 4)}


def prove(form: sp.Basic, truth: sp.Basic, *, assumptions: Assumptions | None = None) -> Proof:
    """Decide whether `form` equals `truth` (scalars or matrices of the same shape)."""
    start = time.perf_counter()
    A = assumptions or Assumptions()
    rng = random.Random(A.seed)
    form, truth = sp.sympify(form), sp.sympify(truth)
    form = unify_symbols(form, truth, A)
    results: list[Proof] = []
    for case in A.cases:
        label = ", ".join(f"{k} = {v}" for k, v in case.items())
        f, t = (form.subs(case), truth.subs(case)) if case else (form, truth)
        if isinstance(f, sp.MatrixBase) or isinstance(t, sp.MatrixBase):
            res = _prove_matrix(f, t, A, rng)
        else:
            res = _prove_scalar(f, t, A, rng)
        if label:
            res.steps = [f"case {label}: {s}" for s in res.steps]
            res.regions = [f"{label}: {r}" for r in res.regions]
            for k in res.kinks:
                k["where"] = f"{label}: {k['where']}"
            if res.counterexample is not None:
                res.counterexample["case"] = label
        results.append(res)
        if res.verdict == REFUTED:
            break
    out = _combine(results)
    out.seconds = time.perf_counter() - start
    return out


def unify_symbols(form: sp.Basic, truth: sp.Basic, A: Assumptions) -> sp.Basic:
    """Give the form the truth's symbols where the names agree: a parsed `x` (no assumptions) and
    the catalog's real `x` are different SymPy symbols but the same variable to a person."""
    known: dict[str, sp.Symbol] = {s.name: s for s in truth.free_symbols if isinstance(s, sp.Symbol)}
    for short, full in A.abbreviations.items():
        known.setdefault(short.name, short)
        known.update({s.name: s for s in full.free_symbols if isinstance(s, sp.Symbol)})
    for case in A.cases:
        known.update({s.name: s for s in case if isinstance(s, sp.Symbol)})
    if A.split is not None:
        known.setdefault(A.split.name, A.split)
    ren = {s: known[s.name] for s in form.free_symbols
           if isinstance(s, sp.Symbol) and s.name in known and known[s.name] != s}
    return form.xreplace(ren) if ren else form


def _combine(parts: list[Proof]) -> Proof:
    for verdict in (REFUTED, UNPROVED, KINK, PROVED):
        if any(p.verdict == verdict for p in parts):
            break
    out = Proof(verdict)
    out.method = "; ".join(dict.fromkeys(p.method for p in parts if p.method))
    for p in parts:
        out.steps += p.steps
        out.witness += p.witness
        out.kinks += p.kinks
        out.regions += p.regions
        if p.counterexample is not None and out.counterexample is None:
            out.counterexample = p.counterexample
    return out


def _prove_matrix(f: sp.Basic, t: sp.Basic, A: Assumptions, rng: random.Random) -> Proof:
    if not (isinstance(f, sp.MatrixBase) and isinstance(t, sp.MatrixBase)) or f.shape != t.shape:
        shape = lambda m: m.shape if isinstance(m, sp.MatrixBase) else "scalar"  # noqa: E731
        return Proof(REFUTED, "shape", [f"shapes differ: form {shape(f)}, truth {shape(t)}"],
                     counterexample={"reason": f"form has shape {shape(f)}, the derivative {shape(t)}"})
    # Entries that are the same identity up to renaming indices (s_1 s_2 vs s_4 s_7) are one
    # class: renaming symbols preserves identities, so each class is proved once.
    syms = set().union(*(e.free_symbols for e in (*f, *t)))
    families = symmetry.index_families(syms)
    classes: dict[tuple[sp.Basic, sp.Basic], Proof] = {}
    parts: list[Proof] = []
    for idx in range(f.rows * f.cols):
        i, j = divmod(idx, f.cols)
        index = [i + 1, j + 1] if f.cols > 1 else [i + 1]
        ren = symmetry.renaming(families, index)
        key = (f[i, j].xreplace(ren), t[i, j].xreplace(ren))
        if key not in classes:
            res = _prove_scalar(f[i, j], t[i, j], A, rng)
            if res.counterexample is not None:
                res.counterexample["index"] = index
            classes[key] = res
            parts.append(res)
            if res.verdict == REFUTED:
                break
    out = _combine(parts)
    methods = sorted({p.method for p in parts})
    out.steps = [f"{f.rows}x{f.cols} entries in {len(classes)} classes up to renaming of indices, "
                 f"each: {', '.join(methods)}"]
    return out


def _prove_scalar(f: sp.Expr, t: sp.Expr, A: Assumptions, rng: random.Random,
                  points: list[dict] | None = None) -> Proof:
    if regions.is_piecewise(f) or regions.is_piecewise(t):
        if f == t or (not (f.has(sp.Piecewise) or t.has(sp.Piecewise)) and sp.cancel(f - t) == 0):
            pts = points if points is not None else _draw_points([f, t], A, rng, A.points)
            bad = _counterexample(f, t, pts, set(A.abbreviations))
            if bad is None:
                return Proof(PROVED, "identical atoms", [
                    f"the forms agree term by term (same kink atoms); witness agrees at {len(pts)} points"], len(pts))
        return _prove_regions(f, t, A, rng)
    return _prove_smooth(f, t, A, rng, points)


def _draw_points(exprs: list[sp.Expr], A: Assumptions, rng: random.Random, count: int,
                 fixed: Mapping[sp.Symbol, sp.Expr] | None = None) -> list[dict]:
    syms = set().union(*(e.free_symbols for e in exprs))
    for full in A.abbreviations.values():
        syms |= full.free_symbols
    domain = Domain(A.ranges, A.abbreviations)
    return [witness.draw(syms, domain, rng, fixed) for _ in range(count)]


def _counterexample(f: sp.Expr, t: sp.Expr, points: list[dict], hide: set) -> dict | None:
    for p in points:
        fv, tv = witness.value(f, p), witness.value(t, p)
        if witness.differ(fv, tv):
            return {"point": witness.point_text(p, hide), "form": witness.show(fv), "truth": witness.show(tv)}
    return None


def _symbolic(d: sp.Expr, A: Assumptions) -> str | None:
    """The name of the first rewrite that brings the difference to 0, or None."""
    if d == 0:
        return "identical"
    num, _den = d.as_numer_denom()
    if sp.expand(num) == 0:
        return "common denominator, numerator expands to 0"
    if sp.cancel(d) == 0:
        return "cancel"
    if d.has(sp.tanh, sp.sech, sp.cosh, sp.sinh, sp.coth, sp.csch, sp.exp):
        e = _exp_to_powers(d.rewrite(sp.exp))
        num, _den = e.as_numer_denom()
        if sp.expand(num) == 0:
            return "rewrite to exp, e^(kx) = u^k, numerator expands to 0"
        if sp.cancel(e) == 0:
            return "rewrite to exp + cancel"
    if A.abbreviations:
        full = d.xreplace(dict(A.abbreviations))
        if sp.cancel(full) == 0:
            return "abbreviations expanded + cancel"
    if sp.simplify(d) == 0:
        return "simplify"
    if sp.simplify(d.rewrite(sp.exp)) == 0:
        return "rewrite to exp + simplify"
    return None


def _exp_to_powers(expr: sp.Expr) -> sp.Expr:
    """exp(k r) -> u_r^k for integer k (an identity), so e^x, e^-x, e^2x become one generator."""
    subs = {}
    gens: dict[sp.Expr, sp.Symbol] = {}
    for atom in expr.atoms(sp.exp):
        coeff, rest = atom.args[0].as_coeff_Mul()
        if coeff.is_Integer:
            u = gens.setdefault(rest, sp.Dummy("u", positive=True))
            subs[atom] = u ** int(coeff)
    return expr.xreplace(subs) if subs else expr


def _prove_smooth(f: sp.Expr, t: sp.Expr, A: Assumptions, rng: random.Random,
                  points: list[dict] | None = None) -> Proof:
    """One witness point first (it refutes almost every wrong form at once), then the symbolic
    argument, then the remaining witness points (more of them when no rewrite reached 0)."""
    pts = points if points is not None else _draw_points([f, t], A, rng, A.points)
    hide = set(A.abbreviations)
    bad = _counterexample(f, t, pts[:1], hide)
    if bad is None:
        method = _symbolic(f - t, A)
        rest = pts[1:] if method is not None else pts[1:] + _draw_points([f, t], A, rng, 2 * A.points)
        bad = _counterexample(f, t, rest, hide)
        used = 1 + len(rest)
    else:
        used = 1
    if bad is not None:
        return Proof(REFUTED, "counterexample", [f"differs at {readable.point(bad['point'])}"], used, bad)
    if method is None:
        return Proof(UNPROVED, "witness only",
                     [f"agrees at {used} random points (30 digits) but no rewrite reaches 0"], used)
    return Proof(PROVED, method, [f"form - truth -> 0 by {method}; witness agrees at {used} points"], used)


def _prove_regions(f: sp.Expr, t: sp.Expr, A: Assumptions, rng: random.Random) -> Proof:
    var = regions.choose_var([f, t], A.split)
    if var is None:
        return _prove_smooth(regions.to_piecewise(f), regions.to_piecewise(t), A, rng)
    params = _draw_points([f, t], A, rng, 1)[0]
    params.pop(var, None)
    # Where the side a kink's region lies on depends on the sign of a parameter (y a >= 1 with y
    # free), each sign is its own case: the regions are resolved once per sign pattern.
    flips = sorted(regions.sign_symbols([f, t], var) & set(params), key=lambda s: s.name)[:3]
    loose = sorted({s for g in regions.boundary_functions(f) + regions.boundary_functions(t)
                    if var not in g.free_symbols for s in g.free_symbols}, key=lambda s: s.name)
    if loose:  # a branch chosen by other symbols alone is only checked at the sample, not proved
        res = _regions_at(f, t, var, params, A, rng)
        if res.verdict in (PROVED, KINK):
            res.verdict = UNPROVED
            res.steps.append("branches chosen by " + ", ".join(s.name for s in loose) + " alone were taken at "
                             "the sample " + readable.point(witness.point_text(params)) + "; not proved for every value")
        return res
    if not flips:
        return _regions_at(f, t, var, params, A, rng)
    parts = []
    for signs in itertools.product((1, -1), repeat=len(flips)):
        sample = dict(params)
        for sym, sg in zip(flips, signs):
            sample[sym] = sg * (abs(sample[sym]) or sp.Rational(1, 2))
        res = _regions_at(f, t, var, sample, A, rng)
        label = ", ".join(f"{s} {'>' if sg > 0 else '<'} 0" for s, sg in zip(flips, signs))
        res.steps = [f"case {label}: {x}" for x in res.steps]
        res.regions = [f"{label}: {x}" for x in res.regions]
        parts.append(res)
        if res.verdict == REFUTED:
            break
    out = _combine(parts)
    out.method = "region by region, per sign of " + ", ".join(s.name for s in flips)
    return out


def _regions_at(f: sp.Expr, t: sp.Expr, var: sp.Symbol, params: dict, A: Assumptions,
                rng: random.Random) -> Proof:
    """The region proof with the parameters' order and signs taken from `params`."""
    cut = regions.cut([f, t], var, params)
    out = Proof(PROVED, "region by region")
    if not cut.order_proved:
        out.steps.append("order of the kinks taken at the sample parameters " + readable.point(witness.point_text(params)))
    hide = set(A.abbreviations)
    sides: list[sp.Expr] = []  # the truth's expression on each open region
    for k, _interval in enumerate(cut.regions()):
        rep = dict(params)
        rep[var] = sp.Rational(round(cut.inside(k, 0.5) * 10**4), 10**4)
        fr, tr = regions.resolve_at(f, rep), regions.resolve_at(t, rep)
        region_text = cut.describe(k)
        pts = []
        for _ in range(max(1, A.points - 1)):
            p = dict(params)
            p[var] = sp.Rational(round(cut.inside(k, rng.random()) * 10**4), 10**4)
            pts.append(p)
        pts.append(rep)
        res = _prove_smooth(fr, tr, A, rng, pts)
        out.witness += res.witness
        out.regions.append(f"{region_text}: {res.verdict} ({res.method})")
        if res.verdict == REFUTED:
            res.counterexample = dict(res.counterexample or {}, region=region_text)
            out.verdict, out.counterexample = REFUTED, res.counterexample
            out.steps.append(f"on {region_text}: form {fr} but derivative {tr}")
            return out
        if res.verdict == UNPROVED:
            out.verdict = UNPROVED
        out.steps.append(f"on {region_text}: both are {tr} ({res.method})")
        sides.append(tr)
    for i, r in enumerate(cut.points):
        entry = _kink_values(f, t, var, r, params, hide)
        _name_conventions(entry, sides[i], sides[i + 1], var, r, params)
        out.kinks.append(entry)
        if not entry["agree"] and out.verdict == PROVED:
            out.verdict = KINK
    if out.verdict == KINK:
        where = "; ".join(f"{k['where']}: form {k['form']} ({k.get('form_convention', '?')}), "
                          f"convention {k['truth']} ({k.get('truth_convention', '?')})"
                          for k in out.kinks if not k["agree"])
        out.steps.append(f"equal on every open region; at the kink they differ ({where})")
        out.counterexample = {"kink": [k for k in out.kinks if not k["agree"]]}
    if not cut.order_proved and out.verdict in (PROVED, KINK):
        out.verdict = UNPROVED  # the regions hold for parameters ordered like the sample only
    return out


def _name_conventions(entry: dict, left: sp.Expr, right: sp.Expr, var: sp.Symbol, r: sp.Expr,
                      params: dict) -> None:
    """Say which convention each side's kink value is: a one-sided limit, the midpoint, or other."""
    try:
        lo = sp.cancel(left.subs(var, r))
        hi = sp.cancel(right.subs(var, r))
        if "at" in entry:  # the kink values were taken at the sample parameters
            lo, hi = sp.cancel(lo.subs(params)), sp.cancel(hi.subs(params))
    except (TypeError, ValueError):
        return
    values = dict(zip(("form", "truth"), entry.pop("_values")))
    for side in ("form", "truth"):
        v = values[side]
        if sp.cancel(v - lo) == 0 and sp.cancel(v - hi) == 0:
            name = "continuous there"
        elif sp.cancel(v - lo) == 0:
            name = f"the value from the {var} < {r} side"
        elif sp.cancel(v - hi) == 0:
            name = f"the value from the {var} > {r} side"
        elif sp.cancel(v - (lo + hi) / 2) == 0:
            name = "the midpoint of both sides (as SymPy's Heaviside(0) = 1/2, sgn(0) = 0)"
        else:
            name = "a value of neither side"
        entry[f"{side}_convention"] = name


def _kink_values(f: sp.Expr, t: sp.Expr, var: sp.Symbol, r: sp.Expr, params: dict, hide: set) -> dict:
    """Exact values of both sides at the kink var = r (symbolic when decidable, else at the sample)."""
    where = f"{var} = {r}"
    fk, tk = f.subs(var, r), t.subs(var, r)
    exact = True
    try:
        fk, tk = regions.resolve(regions.to_piecewise(fk), {}), regions.resolve(regions.to_piecewise(tk), {})
        diff = sp.cancel(fk - tk)
        agree = diff == 0
        if not agree and not diff.free_symbols and diff.is_number:
            agree = not witness.differ(witness.value(fk, {}), witness.value(tk, {})) and sp.simplify(diff) == 0
    except (ValueError, TypeError):
        exact = False
        point = dict(params)
        point[var] = r.subs(params)
        fk = regions.resolve(regions.to_piecewise(f), point).subs(point)
        tk = regions.resolve(regions.to_piecewise(t), point).subs(point)
        agree = sp.cancel(fk - tk) == 0
    entry = {"where": where, "form": str(fk), "truth": str(tk), "agree": bool(agree), "_values": (fk, tk)}
    if not exact:
        entry["at"] = witness.point_text(params, hide)
    return entry
