"""Identities between functions, lhs = rhs: equivalent, equivalent on a domain, or not (with a
counterexample and what separates the sides).

The seeds state several: tanh(x) = 2 sigma(2x) - 1 (seed 004), J = -log y_hat_i for a one-hot y
(seed 004), softmax(x - c) = softmax(x) for any constant c, and seed 003's overflow fix, which
scales the logits although softmax survives only a shift. A side may use plain names (x, c),
indexed names (x_k, yhat_k, with sums up to N) and a free index i (or i and j): the identity is
then checked for every i at the vector size n. `where` conditions give the domain: a substitution
for a name (`y_k = \\delta_{ik}`, for every k) or a sign (`c > 0`). Runs in the sandbox's worker.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import sympy as sp

from gradverify.derivations import slips
from gradverify.derivations import witness
from gradverify.derivations.equivalence import (
    DOMAIN, EQUIVALENT, NOT_EQUIVALENT, UNDECIDED, Builder, ClaimError, free_indices)
from gradverify.derivations.parse import Node
from gradverify.derivations.proofs import PROVED, REFUTED, Assumptions, prove

INDEX_LETTERS = ("i", "j")
POSITIVE_RANGE = (0.05, 1.0)  # a name under a log is drawn here: probabilities, sums of exponentials


def _names_under_log(tree: Node, inside: bool = False) -> set[str]:
    if not isinstance(tree, tuple) or not tree:
        return set()
    if tree[0] == "name":
        return {tree[1].split("_")[0]} if inside else set()
    out: set[str] = set()
    under = inside or (tree[0] == "fn" and tree[1] in ("log", "sqrt"))
    for c in tree[1:]:
        if isinstance(c, tuple):
            out |= _names_under_log(c, under)
    return out


class Names:
    """Every name of an identity as a SymPy symbol: x_2 -> x2, yhat_k (k bound) -> yhat<k>, N -> n."""

    def __init__(self, n: int, positive: set[str], substitutions: Mapping[str, tuple[str | None, Node]]) -> None:
        self.n, self.positive, self.substitutions = n, positive, substitutions
        self.symbols: dict[str, sp.Symbol] = {}
        self.active = False  # substitutions apply (the domain) or not

    def symbol(self, name: str) -> sp.Symbol:
        if name not in self.symbols:
            stem = re.sub(r"\d+$", "", name)
            self.symbols[name] = sp.Symbol(name, positive=True) if stem in self.positive else sp.Symbol(name, real=True)
        return self.symbols[name]

    def resolve(self, name: str, index: Mapping[str, int]) -> sp.Expr:
        if name in ("N", "n"):
            return sp.Integer(self.n)
        stem, _, idx = name.partition("_")
        if idx:
            k = int(idx) if idx.isdigit() else self.n if idx in ("N", "n") else index.get(idx)
            if k is None:
                raise ClaimError(f"the index {idx!r} of {name} is neither a number, N, a summation index "
                                 f"nor the identity's free index {', '.join(INDEX_LETTERS)}")
            if not 1 <= k <= self.n:
                raise ClaimError(f"the index of {name} must be 1..{self.n} (n = {self.n})")
            key, bound = f"{stem}{k}", {**index, "_k": k}
        else:
            key, bound = stem, dict(index)
        if self.active and stem in self.substitutions:
            var, body = self.substitutions[stem]
            if var is not None:
                bound[var] = bound.pop("_k")
            return Builder(self.resolve, bound, self.n).build(body)
        return self.symbol(key)


def _build(tree: Node, names: Names, free: list[str]) -> list[sp.Expr]:
    """The side at every value of the free indices (one entry when there are none)."""
    if not free:
        return [Builder(names.resolve, {}, names.n).build(tree)]
    out = []
    for i in range(1, names.n + 1):
        if len(free) == 1:
            out.append(Builder(names.resolve, {free[0]: i}, names.n).build(tree))
        else:
            out += [Builder(names.resolve, {free[0]: i, free[1]: j}, names.n).build(tree) for j in range(1, names.n + 1)]
    return out


def judge(lhs: Node, rhs: Node, n: int = 3, where: tuple = ()) -> dict[str, Any]:
    """The verdict on lhs = rhs (JSON-ready): where each condition of `where` is ("subst", name,
    index or None, expression) or ("sign", name, ">" | ">=" | "<" | "!=")."""
    free = sorted(free_indices(lhs) | free_indices(rhs))
    if set(free) - set(INDEX_LETTERS):
        raise ClaimError(f"free indices {sorted(set(free) - set(INDEX_LETTERS))}: an identity may leave i and j free "
                         "(checked for every value 1..n); sum the others")
    substitutions = {c[1]: (c[2], c[3]) for c in where if c[0] == "subst"}
    positive = _names_under_log(lhs) | _names_under_log(rhs) | {c[1] for c in where if c[0] == "sign" and c[2] in (">", ">=")}
    names = Names(n, positive, substitutions)
    ranges = {c[1]: (-3.0, -0.25) for c in where if c[0] == "sign" and c[2] in ("<", "<=")}
    ranges.update({p: POSITIVE_RANGE for p in _names_under_log(lhs) | _names_under_log(rhs)})
    A = Assumptions(ranges=ranges)
    left, right = sp.Matrix(_build(lhs, names, free)), sp.Matrix(_build(rhs, names, free))
    proof = prove(left, right, assumptions=A)
    out: dict[str, Any] = {"n": n, "free": free, "diagnoses": []}
    if proof.verdict == PROVED:
        out.update(verdict=EQUIVALENT, explanation=f"proved ({proof.method}); numeric witness agrees"
                   + ("; it holds without the where conditions" if substitutions else ""))
        out["witness"] = _witness(left, right, A)
        return out
    if proof.verdict == REFUTED and substitutions:
        names.active = True
        on = prove(sp.Matrix(_build(lhs, names, free)), sp.Matrix(_build(rhs, names, free)), assumptions=A)
        names.active = False
        if on.verdict == PROVED:
            out.update(verdict=DOMAIN, domain=[_show_where(c) for c in where], counterexample_without=proof.counterexample,
                       explanation=(f"equal where {', '.join(_show_where(c) for c in where)}, not in general: "
                                    f"without it they differ at {_point(proof.counterexample)}"))
            return out
    if proof.verdict == REFUTED:
        ce = proof.counterexample or {}
        out.update(verdict=NOT_EQUIVALENT, counterexample=ce,
                   explanation=f"differs at {_point(ce)}{_at(ce, free, n)}: left {ce.get('form')}, "
                               f"right {ce.get('truth')}")
        out["diagnoses"] = _diagnose(left, right, lhs, rhs, names, free, A)
        return out
    out.update(verdict=UNDECIDED, explanation="; ".join(proof.steps) or "no proof found")
    return out


def _point(ce: Mapping[str, Any] | None) -> str:
    pt = (ce or {}).get("point") or {}
    return ", ".join(f"{k} = {v}" for k, v in pt.items()) or "a random point"


def _at(ce: Mapping[str, Any], free: list[str], n: int) -> str:
    """", i = 2" for the entry of a counterexample when the identity has free indices."""
    index = ce.get("index")
    if not free or not index:
        return ""
    k = int(index[0]) - 1
    values = [k + 1] if len(free) == 1 else [k // n + 1, k % n + 1]
    return ", " + ", ".join(f"{name} = {v}" for name, v in zip(free, values))


def _show_where(c: tuple) -> str:
    return c[4] if c[0] == "subst" else f"{c[1]} {c[2]} 0"


def _witness(left: sp.Matrix, right: sp.Matrix, A: Assumptions) -> dict[str, Any]:
    p = slips.points([left, right], A, 1)[0]
    return {"point": witness.point_text(p), "claim": witness.show(witness.value(left[0], p)),
            "truth": witness.show(witness.value(right[0], p))}


def _diagnose(left: sp.Matrix, right: sp.Matrix, lhs: Node, rhs: Node, names: Names, free: list[str],
              A: Assumptions) -> list[str]:
    """What separates the sides: a constant factor or offset, a scaling where a shift keeps the
    identity, or a value of one name at which it holds."""
    found = []
    pts = slips.points([left, right], A, 6)
    lv, rv = slips.values(left, pts), slips.values(right, pts)
    if any(not v.is_number for v in lv + rv):
        return found
    ratios = [a / b for a, b in zip(lv, rv) if abs(b) > 1e-12]
    if len(ratios) >= 2 and all(not witness.differ(r, ratios[0]) for r in ratios):
        k = sp.nsimplify(sp.Float(ratios[0], 15), rational=True, tolerance=1e-12)
        found.append("the sides differ in sign" if k == -1 else f"the left side is {k} times the right side")
    gaps = [a - b for a, b in zip(lv, rv)]
    if all(not witness.differ(g, gaps[0]) for g in gaps):
        found.append(f"the sides differ by the constant {witness.show(gaps[0])}")
    for name in sorted(_divisors(lhs) | _divisors(rhs)):
        shifted_l, shifted_r = _shift(lhs, name), _shift(rhs, name)
        trial = prove(sp.Matrix(_build(shifted_l, names, free)), sp.Matrix(_build(shifted_r, names, free)), assumptions=A)
        if trial.verdict == PROVED:
            found.append(f"dividing by {name} scales the arguments, and the two sides are not equal under a scaling; "
                         f"the shift (subtracting {name} in its place) keeps them equal")
    for name, sym in sorted(names.symbols.items()):
        if not re.fullmatch(r"[A-Za-z]+", name):
            continue
        for value in (0, 1):
            at = prove(left.xreplace({sym: value}), right.xreplace({sym: value}), assumptions=A)
            if at.verdict == PROVED:
                found.append(f"the sides agree only where {name} = {value}")
                break
    return found


def _divisors(tree: Node) -> set[str]:
    """Plain names the tree divides by (x / c)."""
    if not isinstance(tree, tuple) or not tree:
        return set()
    out: set[str] = set()
    if tree[0] == "/" and tree[2][0] == "name" and "_" not in tree[2][1]:
        out.add(tree[2][1])
    for c in tree[1:]:
        if isinstance(c, tuple):
            out |= _divisors(c)
    return out


def _shift(tree: Node, name: str) -> Node:
    """x / name -> x - name throughout."""
    if not isinstance(tree, tuple) or not tree or tree[0] in ("name", "num"):
        return tree
    if tree[0] == "/" and tree[2] == ("name", name):
        return ("+", _shift(tree[1], name), ("neg", ("name", name)))
    return (tree[0], *[_shift(c, name) if isinstance(c, tuple) else c for c in tree[1:]])


def conditions(where: tuple[tuple[Node, str, Node, str], ...]) -> tuple:
    """The worker's form of parsed `where` conditions (name tree, relation, expression tree, text)."""
    out = []
    for left, rel, right, text in where:
        if left[0] != "name":
            raise ClaimError(f"{text!r}: a condition names one quantity on its left (y_k = ..., c > 0)")
        stem, _, idx = left[1].partition("_")
        if rel == "=":
            out.append(("subst", stem, idx or None, right, text))
        elif right == ("num", "0") and rel in (">", ">=", "<", "<=", "!="):
            out.append(("sign", stem, rel))
        else:
            raise ClaimError(f"{text!r}: write a substitution (name = expression) or a sign (name > 0)")
    return tuple(out)

