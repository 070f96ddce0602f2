"""Verdicts on a claimed derivative: the parsed claim against the catalog's derivative, with a diagnosis.

Runs inside the sandbox process (`gradverify.derivations.sandbox`): the claim tree (from `parse`/`latex`) is
built into SymPy here with the entry's own symbols, then `proofs.prove` decides it. Verdicts:
"equivalent" (proved + witness), "not equivalent" (counterexample, both values, diagnoses),
"equivalent on a domain" (needs sum y = 1, or differs only at a kink: which), "undecided".
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

import sympy as sp

from gradverify.derivations import catalog
from gradverify.derivations import readable
from gradverify.derivations import slips
from gradverify.derivations import witness
from gradverify.derivations.catalog import Entry
from gradverify.derivations.parse import FUNCTIONS, MAX_SUM_TERMS, Node, names_in, parse_number
from gradverify.derivations.proofs import KINK, PROVED, REFUTED, Assumptions, prove
from gradverify.derivations.valuenames import VALUE_NAMES, names_in_arguments, value_names

EQUIVALENT, NOT_EQUIVALENT, DOMAIN, UNDECIDED = (
    "equivalent", "not equivalent", "equivalent on a domain", "undecided")
TARGETS = {"d": "y", "t": "y"}
OUTPUTS = {"z": "a", "o": "a", "yhat": "a", "p": "a", "ahat": "a"}
VECTOR_SIZE = 3


class ClaimError(ValueError):
    """A claim that parses but cannot be read against this entry (unknown name, wrong index)."""


# -- tree -> SymPy ----------------------------------------------------------------------------------
class Builder:
    """Turns a neutral tree into SymPy with a name resolver; index names take concrete values."""

    def __init__(self, resolve: Callable[[str, Mapping[str, int]], sp.Expr], index: Mapping[str, int] | None = None,
                 size: int | None = None) -> None:
        self.resolve, self.index, self.size = resolve, dict(index or {}), size

    def build(self, n: Node) -> sp.Expr:
        tag = n[0]
        if tag == "num":
            f = parse_number(n[1])
            return sp.Rational(f.numerator, f.denominator)
        if tag == "name":
            if n[1] == "E":
                return sp.E
            if n[1] == "pi":
                return sp.pi
            if n[1] in self.index:
                return sp.Integer(self.index[n[1]])
            return self.resolve(n[1], self.index)
        if tag == "+":
            return sp.Add(*[self.build(c) for c in n[1:]])
        if tag == "*":
            return sp.Mul(*[self.build(c) for c in n[1:]])
        if tag == "neg":
            return -self.build(n[1])
        if tag == "/":
            return self.build(n[1]) / self.build(n[2])
        if tag == "^":
            base, exp = self.build(n[1]), self.build(n[2])
            return sp.exp(exp) if base == sp.E else sp.Pow(base, exp)
        if tag == "fn":
            return self.function(n[1], [self.build(c) for c in n[2:]])
        if tag == "pw":
            pieces = [(self.build(v), self.condition(c)) for v, c in n[1:]]
            if pieces[-1][1] is not sp.true:
                pieces.append((sp.nan, sp.true))
            return sp.Piecewise(*pieces)
        if tag == "sum":
            return self.summation(n)
        raise ClaimError(f"cannot read the part {tag!r} of the formula")

    def condition(self, c: Node) -> sp.Basic:
        if c[0] == "true":
            return sp.true
        if c[0] == "and":
            return sp.And(*[self.condition(p) for p in c[1:]])
        op, left, right = c[1], self.build(c[2]), self.build(c[3])
        rel = {">": sp.Gt, ">=": sp.Ge, "<": sp.Lt, "<=": sp.Le, "==": sp.Eq, "!=": sp.Ne}[op]
        return rel(left, right)

    def summation(self, n: Node) -> sp.Expr:
        _, var, lo, hi = n[:4]
        lo_v, hi_v = self.build(lo), self.build(hi)
        if not (lo_v.is_Integer and hi_v.is_Integer):
            raise ClaimError("a sum needs numeric bounds here: write it for the vector size, or use a "
                             "vector entry such as softmax (its n is the vector size)")
        if int(hi_v) - int(lo_v) + 1 > MAX_SUM_TERMS:
            raise ClaimError(f"a sum may have at most {MAX_SUM_TERMS} terms")
        terms = []
        for k in range(int(lo_v), int(hi_v) + 1):
            inner = Builder(self.resolve, {**self.index, var: k}, self.size)
            terms.append(inner.build(n[4]))
        return sp.Add(*terms)

    def function(self, name: str, args: list[sp.Expr]) -> sp.Expr:
        u = args[0]
        simple = {"tanh": sp.tanh, "sech": sp.sech, "cosh": sp.cosh, "sinh": sp.sinh, "exp": sp.exp,
                  "log": sp.log, "sqrt": sp.sqrt, "erf": sp.erf, "Abs": sp.Abs, "sign": sp.sign,
                  "coth": sp.coth}
        if name in simple:
            return simple[name](u)
        if name == "sigma":
            return 1 / (1 + sp.exp(-u))
        if name == "relu":
            return sp.Max(0, u)
        if name == "softplus":
            return sp.log(1 + sp.exp(u))
        if name == "Phi":
            return (1 + sp.erf(u / sp.sqrt(2))) / 2
        if name == "phi":
            return sp.exp(-u**2 / 2) / sp.sqrt(2 * sp.pi)
        if name == "Max":
            return sp.Max(*args)
        if name == "Min":
            return sp.Min(*args)
        if name == "Heaviside":
            return sp.Heaviside(*args)
        if name == "KroneckerDelta":
            return sp.KroneckerDelta(*args)
        if name == "factorial":
            return sp.factorial(u)
        raise ClaimError(f"unknown function {name}")


# -- reading a claim against an entry --------------------------------------------------------------
RENAMED: dict[str, str] = {}  # names of the last claim read as the entry's (d -> y, z -> a, s -> sigmoid(x))


def _scalar_resolver(entry: Entry, params: Mapping[str, sp.Expr], names: set[str], batch: str = "sum",
                     free: frozenset[str] = frozenset(), points: set[str] = frozenset()) -> Callable:
    """Names -> the entry's symbols (d, t read as y; z, p as a; an activation's value names such as
    s for sigmoid(x), except in `points`, the names written as a function's argument). Names whose
    stem is in `free` (a stated function's own variables) may stay free symbols; they get a reading last."""
    syms = dict(entry.symbols)
    if batch == "mean":
        syms["m"] = catalog.N_BATCH
    var = entry.variables[0]
    plain = {n.split("_")[0] for n in names}
    known = set(syms) | {"E", "pi"}
    rename: dict[str, str] = {}
    values = {n: f"{entry.name}({var})" for n in value_names(entry.name, syms) if n in plain and n not in points}
    value = entry.substitute(entry.definition, dict(params)) if values else None
    unknown = sorted((n for n in plain if n not in known and n not in values and n not in ("i", "j", "k")),
                     key=lambda n: (n in free, n))
    if entry.kind == "loss":
        for n in unknown:
            if n in TARGETS and TARGETS[n] not in plain and TARGETS[n] not in rename.values():
                rename[n] = TARGETS[n]
            elif n in OUTPUTS and OUTPUTS[n] not in plain and OUTPUTS[n] not in rename.values():
                rename[n] = OUTPUTS[n]
    elif len(unknown) == 1 and var not in plain and len(entry.variables) == 1 and re.fullmatch(r"[a-z]", unknown[0]):
        rename[unknown[0]] = var  # sigma(z)(1 - sigma(z)) claims the derivative at z
    for n in unknown:
        if n in FUNCTIONS and n not in rename and n not in free:
            raise ClaimError(_bare_function(n, entry))
        if n not in rename and n not in free:
            raise ClaimError(f"unknown name {n!r}: {entry.name} has the symbols "
                             f"{', '.join(sorted(syms))}; names such as sigma, tanh, s_i are functions")

    def resolve(name: str, index: Mapping[str, int]) -> sp.Expr:
        stem = name.split("_")[0]
        if stem in values and stem == name:
            RENAMED[stem] = values[stem]
            return value
        if stem in rename:
            RENAMED[stem] = rename[stem]
        stem = rename.get(stem, stem)
        if stem in params:
            return params[stem]
        if stem in syms:
            return syms[stem]
        if stem in free:
            return sp.Symbol(name, real=True)
        raise ClaimError(f"unknown name {name!r}")

    return resolve


def _bare_function(name: str, entry: Entry) -> str:
    """Why a function name written without its argument cannot be read here, and what to write."""
    owner = next((e for e, names in VALUE_NAMES.items() if name in names), None)
    if owner == entry.name:  # sigma(1 - sigma): inside an argument the letter is a point, not the value
        return (f"a bare {name} inside a function's argument is ambiguous: write {name}(x) for the value "
                f"there, e.g. {name}(x)*(1 - {name}(x)), or use {', '.join(VALUE_NAMES[owner])} outside "
                "any function's argument")
    hint = f" (a bare {name} stands for {owner}(x) only in a claim --of {owner})" if owner else ""
    return f"{name} is a function: write {name}(x){hint}"


def vector_resolver(entry: Entry, built: catalog.Sized, params: Mapping[str, sp.Expr], batch: str = "sum") -> Callable:
    syms = built.symbols
    n = built.n
    xs = syms.get("x")
    soft = [sp.exp(xi) / syms["S"] for xi in xs] if xs is not None and "S" in syms else None
    named = {p.name: p.symbol for p in entry.params} | {str(p.symbol): p.symbol for p in entry.params}

    def resolve(name: str, index: Mapping[str, int]) -> sp.Expr:
        if name in ("n", "N", "K"):
            return sp.Integer(n)
        if name in named:  # a parameter (the SVM's margin Delta): its given value, or its symbol
            p = next(q for q in entry.params if q.symbol == named[name])
            return params.get(p.name, p.symbol)
        if name == "m" and batch == "mean":
            return catalog.N_BATCH
        m = re.fullmatch(r"([A-Za-z]+)_([A-Za-z0-9]+)", name)
        if not m:
            raise ClaimError(f"unknown name {name!r}: write indexed names such as s_i, x_j, y_i, v_j")
        stem, idx = m.group(1), m.group(2)
        k = int(idx) if idx.isdigit() else index.get(idx)
        if k is None:
            raise ClaimError(f"the index {idx!r} of {name} is neither i, j nor a summation index")
        if not 1 <= k <= n:
            raise ClaimError(f"the index of {name} must be 1..{n}")
        if stem in ("s", "yhat", "p", "sigma") and soft is not None:
            return soft[k - 1]
        key = {"z": "x", "t": "y"}.get(stem, stem)
        if key in syms and isinstance(syms[key], tuple):
            return syms[key][k - 1]
        raise ClaimError(f"unknown name {name!r} for {entry.name}: it has "
                         f"{', '.join(s + '_i' for s, v in syms.items() if isinstance(v, tuple))}"
                         + (", s_i (the softmax output)" if soft is not None else ""))

    return resolve


def free_indices(tree: Node, bound: frozenset = frozenset()) -> set[str]:
    out: set[str] = set()
    if not isinstance(tree, tuple) or not tree:
        return out
    if tree[0] == "name":
        m = re.fullmatch(r"[A-Za-z]+_([a-z]+)", tree[1])
        if m:
            out |= {ch for ch in m.group(1) if ch not in bound} if len(m.group(1)) <= 2 else set()
        elif tree[1] in ("i", "j", "k") and tree[1] not in bound:
            out.add(tree[1])
        return out
    if tree[0] == "sum":
        out |= free_indices(tree[2], bound) | free_indices(tree[3], bound)
        return out | free_indices(tree[4], bound | {tree[1]})
    if tree[0] == "pw":
        for v, c in tree[1:]:
            out |= free_indices(v, bound) | free_indices(c, bound)
        return out
    for c in tree[1:]:
        if isinstance(c, tuple):
            out |= free_indices(c, bound)
    return out


def read_claim(tree: Node, entry: Entry, wrt: str, params: Mapping[str, sp.Expr], names: set[str],
               reduction: str | None = None, batch: str = "sum") -> tuple[sp.Basic, sp.Basic, Assumptions]:
    """(claim, truth, assumptions) in the entry's symbols. `reduction` ("sum"/"mean" over the n
    outputs) overrides a separable loss's own; `batch="mean"` divides by the batch size m."""
    if reduction is not None and (entry.kind != "loss" or entry.sized is not None):
        raise ClaimError(f"reduction applies to losses written per output; {entry.name} is not one "
                         "(write the whole function as stated = '...' instead)")
    if entry.sized is None:
        resolve = _scalar_resolver(entry, params, names, batch, points=names_in_arguments(tree))
        claim = Builder(resolve).build(tree)
        truth = entry.derivative(wrt, reduction=reduction, batch=batch)
        if params:
            truth = truth.subs({entry.sym(k): v for k, v in params.items()})
        split = entry.sym(entry.split) if entry.split else None
        A = Assumptions(text=entry.assumptions, cases=entry.cases, ranges=dict(entry.ranges), split=split)
        return claim, truth, A
    built = entry.sized(VECTOR_SIZE)
    resolve = vector_resolver(entry, built, params, batch)
    truth = built.derivatives[wrt] / (catalog.N_BATCH if batch == "mean" else 1)
    free = sorted(free_indices(tree))
    if truth.cols > 1:
        extra = [f for f in free if f not in ("i", "j")]
        if extra:
            raise ClaimError(f"the Jacobian's entries are indexed by i (output) and j (input), not {extra}")
        claim = sp.Matrix(truth.rows, truth.cols,
                          lambda i, j: Builder(resolve, {"i": i + 1, "j": j + 1}, built.n).build(tree))
    else:
        extra = [f for f in free if f != "i"]
        if extra:
            raise ClaimError(f"the gradient's entries are indexed by i, not {extra}")
        claim = sp.Matrix([Builder(resolve, {"i": i + 1}, built.n).build(tree) for i in range(truth.rows)])
    A = Assumptions(text=entry.assumptions, cases=built.cases, ranges=dict(entry.ranges),
                    abbreviations=dict(built.abbreviations))
    return claim, truth, A


# -- the verdict -----------------------------------------------------------------------------------
def judge(tree: Node, of: str, wrt: str | None = None, params: Mapping[str, str] | None = None,
          stated: Node | None = None, reduction: str | None = None, batch: str | None = None) -> dict[str, Any]:
    """The verdict on one claimed derivative as a JSON-ready dict (see module docstring).

    `stated` is the function as the person wrote it (seed 004's J_reg = lambda/2 sum W): the
    claim is then also judged against the derivative of that function ("stated" in the result).
    `reduction` is the loss's reduction over its n outputs as the person states it (seed 001's
    Huber C = 1/n sum l); `batch` "mean" divides by the batch size m as well."""
    RENAMED.clear()
    out = _judge(tree, of, wrt, params, reduction, batch or "sum")
    if RENAMED:
        out["renamed"] = dict(RENAMED)
        out["explanation"] = ("reading " + ", ".join(f"{k} as {v}" for k, v in RENAMED.items()) + "; "
                              + out.get("explanation", ""))
    if stated is not None:
        out["stated"] = _against_stated(tree, stated, of, wrt, params, batch or "sum")
        if out["stated"]["verdict"] == NOT_EQUIVALENT and out["verdict"] == EQUIVALENT:
            out["explanation"] += (f"; but it is inconsistent with the function as stated "
                                   f"({out['stated']['function']}): consistent with {catalog.get(of).summary}")
    return out


def _against_stated(tree: Node, stated: Node, of: str, wrt: str | None, params: Mapping[str, str] | None,
                    batch: str) -> dict[str, Any]:
    """The claim against SymPy's derivative of the function as the person stated it. For a vector
    entry the stated function is written in its indexed names (-sum_k y_k log s_k, or s_i for a
    vector function) and the claim is compared entry by entry, with the entry's own domain."""
    entry = catalog.get(of)
    var = entry._wrt(wrt)
    pvals = {k: param_value(entry, k, v) for k, v in (params or {}).items()}
    if entry.sized is None:
        claimed = {n for n in names_in(tree) if not n.endswith(")")}
        names = claimed | {n for n in names_in(stated) if not n.endswith(")")}
        own = frozenset({n.split("_")[0] for n in names} - {n.split("_")[0] for n in claimed})
        resolve = _scalar_resolver(entry, pvals, names, batch, free=own,
                                   points=names_in_arguments(tree) | names_in_arguments(stated))
        f = Builder(resolve).build(stated)
        claim = Builder(resolve).build(tree)
        v = entry.sym(var)
        truth = sp.diff(f, v)
        A = Assumptions(text=entry.assumptions, ranges=dict(entry.ranges))
        depends = f.has(v)
    else:
        from gradverify.derivations.softmax import total_diff  # after the catalog has loaded (registration order)

        if var not in entry.sized(VECTOR_SIZE).symbols:
            raise ClaimError(f"stated applies to a derivative with respect to a variable; {var!r} is not one")
        claim, _truth, A = read_claim(tree, entry, var, pvals, set(), None, batch)
        built = entry.sized(VECTOR_SIZE)
        resolve = vector_resolver(entry, built, pvals, batch)
        xs = built.symbols[var]
        free = free_indices(stated)
        if free - {"i"}:
            raise ClaimError(f"the stated function may use the index i (a vector function s_i), not "
                             f"{', '.join(sorted(free - {'i'}))}")
        if "i" in free:
            fs = [Builder(resolve, {"i": k + 1}, built.n).build(stated) for k in range(built.n)]
            truth = sp.Matrix(built.n, built.n, lambda r, c: total_diff(fs[r], xs[c], built.abbreviations))
            f = sp.Matrix(fs)
        else:
            f = Builder(resolve, {}, built.n).build(stated)
            truth = sp.Matrix([total_diff(f, x, built.abbreviations) for x in xs])
        if truth.shape != claim.shape:
            raise ClaimError(f"the stated function gives a {truth.rows}x{truth.cols} derivative, the claim "
                             f"{claim.rows}x{claim.cols}: state a scalar loss or a vector function s_i")
        depends = any(f.has(x) for x in xs) or f.has(*built.abbreviations)
        v = var
    found = decide(claim, truth, A, needs_sum=entry.sized is not None and any(c for c in A.cases))
    verdict = found["verdict"]
    ce = found.get("counterexample") or {}
    text = f"the stated function does not depend on {v}: its derivative is 0; " if not depends else ""
    explanation = (text + f"d/d{v} of the stated function is {_show(truth)}; at {readable.point(ce.get('point'))}: "
                   f"claim {readable.number(ce.get('form'))}, stated derivative {readable.number(ce.get('truth'))}"
                   if verdict == NOT_EQUIVALENT else found["explanation"])
    out = {"function": _show(f), "derivative": _show(truth), "verdict": verdict, "explanation": explanation}
    if verdict == NOT_EQUIVALENT and depends:
        out["diagnoses"] = slips.diagnose(claim, truth, entry, var, pvals, A, None, batch)
    return out


def decide(claim: sp.Basic, truth: sp.Basic, A: Assumptions, needs_sum: bool) -> dict[str, Any]:
    """Verdict, proof and explanation of claim == truth; with `needs_sum`, a claim that holds only
    under the entry's case substitutions (sum y = 1) is equivalent on that domain."""
    if needs_sum:
        plain = Assumptions(text=A.text, ranges=A.ranges, abbreviations=A.abbreviations)
        proof = prove(claim, truth, assumptions=plain)
        if proof.verdict == REFUTED:
            with_sum = prove(claim, truth, assumptions=A)
            if with_sum.verdict == PROVED:
                return {"verdict": DOMAIN, "proof": with_sum.to_json(),
                        "domain": [f"needs {t}" for t in A.text] or ["needs sum_i y_i = 1"],
                        "counterexample_without": proof.counterexample,
                        "explanation": ("equal where " + "; ".join(A.text) + ", not in general: "
                                        f"without it they differ at {readable.point((proof.counterexample or {}).get('point'))}")}
    else:
        proof = prove(claim, truth, assumptions=A)
    out: dict[str, Any] = {"proof": proof.to_json()}
    if proof.verdict == PROVED:
        out.update(verdict=EQUIVALENT, witness=_witness(claim, truth, A),
                   explanation=f"proved ({proof.method}); numeric witness agrees")
    elif proof.verdict == KINK:
        kinks = [k for k in proof.kinks if not k["agree"]]
        out.update(verdict=DOMAIN, domain=[f"differs only at {k['where']}" for k in kinks], kinks=kinks,
                   explanation="; ".join(
                       f"equal everywhere except at {k['where']}: the claim gives {k['form']} "
                       f"({k.get('form_convention', '?')}), gradverify's convention gives {k['truth']} "
                       f"({k.get('truth_convention', '?')})" for k in kinks))
    elif proof.verdict == REFUTED and _recheck(claim, truth, proof.counterexample):
        out.update(verdict=UNDECIDED, explanation=(
            "the 30-digit witness differed, but at 80 digits the values agree at that point: "
            "the difference was rounding (catastrophic cancellation), not a counterexample"))
    elif proof.verdict == REFUTED:
        ce = proof.counterexample or {}
        explanation = (f"differs at {readable.point(ce['point'])}: claim {readable.number(ce.get('form'))}, "
                       f"derivative {readable.number(ce.get('truth'))}" if "point" in ce else "; ".join(proof.steps))
        if ce.get("region"):
            agreed = [r.split(":")[0] for r in proof.regions if ": proved" in r]
            explanation += f" (on the region {ce['region']}" + (f"; it agrees on {', '.join(agreed)})" if agreed else ")")
        out.update(verdict=NOT_EQUIVALENT, counterexample=proof.counterexample, explanation=explanation)
    else:
        out.update(verdict=UNDECIDED, explanation="; ".join(proof.steps) or "no proof found")
    return out


def _judge(tree: Node, of: str, wrt: str | None, params: Mapping[str, str] | None, reduction: str | None,
           batch: str) -> dict[str, Any]:
    entry = catalog.get(of)
    var = entry._wrt(wrt)
    pvals = {k: param_value(entry, k, v) for k, v in (params or {}).items()}
    claim, truth, A = read_claim(tree, entry, var, pvals, {n for n in names_in(tree) if not n.endswith(')')},
                                 reduction, batch)
    key = (entry.name, var, tuple(sorted((params or {}).items())), reduction, batch)
    out: dict[str, Any] = {"of": entry.name, "wrt": var, "claim_sympy": _show(claim),
                           "truth": _truth_text(key, truth), "diagnoses": []}
    if reduction is not None:
        out["reduction"] = reduction
    if batch == "mean":
        out["batch"] = batch
    found = decide(claim, truth, A, needs_sum=entry.sized is not None and any(c for c in A.cases))
    kinks = found.pop("kinks", None)
    out.update(found)
    if kinks is not None:
        reasons = [kk.reason for kk in entry.kinks]
        if reasons:
            out["explanation"] += "; convention: " + "; ".join(map(str, reasons))
    if out["verdict"] == NOT_EQUIVALENT:
        out["diagnoses"] = slips.diagnose(claim, truth, entry, var, pvals, A, reduction or entry.reduction, batch)
    return out


def _recheck(claim: sp.Basic, truth: sp.Basic, ce: dict | None) -> bool:
    """True when the counterexample does not survive evaluation at 80 digits (huge terms that
    cancel can fool a 30-digit witness); when it does survive, its values are replaced by the
    80-digit ones."""
    if not ce or "point" not in ce or isinstance(claim, sp.MatrixBase) or claim.has(sp.Piecewise):
        return False
    try:
        big = max(abs(float(ce["form"])), abs(float(ce["truth"])))
    except (TypeError, ValueError):
        return False
    if big < 1e12:
        return False
    syms = {s.name: s for s in claim.free_symbols | truth.free_symbols}
    point = {}
    for name, text in ce["point"].items():
        if name not in syms:
            return False
        f = parse_number(text.lstrip("-"))
        point[syms[name]] = sp.Rational(f.numerator, f.denominator) * (-1 if text.startswith("-") else 1)
    c, t = claim.xreplace(point), truth.xreplace(point)
    cv, tv = sp.N(c, 80, maxn=400), sp.N(t, 80, maxn=400)
    if abs(cv - tv) <= sp.Float("1e-60", 80) * max(1, abs(tv)):
        return True
    ce["form"], ce["truth"] = witness.show(cv), witness.show(tv)
    return False


def param_value(entry: Entry, key: str, value: str) -> sp.Expr:
    known = {p.name for p in entry.params}
    if key not in known:
        raise ClaimError(f"{entry.name} has no parameter {key!r}; parameters: {', '.join(sorted(known)) or 'none'}")
    f = parse_number(str(value).strip().lstrip("+")) * (-1 if str(value).strip().startswith("-") else 1)
    return sp.Rational(f.numerator, f.denominator)


_TRUTH_TEXT: dict[tuple, str] = {}


def _truth_text(key: tuple, truth: sp.Basic) -> str:
    """The derivative as text (printing is a tenth of a claim's time, so it is kept per entry,
    variable, parameters, reduction and batch)."""
    if key not in _TRUTH_TEXT:
        _TRUTH_TEXT[key] = _show(truth)
    return _TRUTH_TEXT[key]


def _show(e: sp.Basic) -> str:
    if isinstance(e, sp.MatrixBase):
        return f"{e.rows}x{e.cols} matrix, entry (1, 1) = {_show(e[0, 0])}"
    text = str(e)
    return text if len(text) <= 400 else text[:397] + "..."


def _witness(claim: sp.Basic, truth: sp.Basic, A: Assumptions) -> dict[str, Any]:
    p = slips.points([claim, truth], A, 1)[0]
    c, t = claim, truth
    if isinstance(claim, sp.MatrixBase):
        c, t = claim[0], truth[0]
    return {"point": witness.point_text(p, set(A.abbreviations)), "claim": witness.show(witness.value(c, p)),
            "truth": witness.show(witness.value(t, p))}
