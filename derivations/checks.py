"""Run the proofs of the catalog: every textbook form of every entry against SymPy's derivative.

`check(entry, form)` builds the truth (the entry's derivative, or the derivative of the function
the hand wrote when the form names one) and the assumptions (cases, ranges, abbreviations, kink
variable) from the entry, then calls `proofs.prove`. Results are cached per (entry, form).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import sympy as sp

from gradverify.derivations import catalog
from gradverify.derivations.catalog import Entry, Form, _with_kinks
from gradverify.derivations.proofs import Assumptions, Proof, prove


@dataclass(frozen=True)
class Checked:
    """One form of one entry with its proof and whether the verdict is the expected one."""

    entry: Entry
    form: Form
    truth: sp.Basic
    proof: Proof

    @property
    def as_expected(self) -> bool:
        return self.proof.verdict == self.form.expected


def truth_for(entry: Entry, form: Form) -> sp.Basic:
    """The derivative the form should equal."""
    var = form.wrt or entry.variables[0]
    if form.definition is not None:
        raw = sp.diff(form.definition, entry.sym(var))
        batch = 1 / catalog.N_BATCH if form.batch == "mean" else 1
        return _with_kinks(raw, entry.kinks, var) * entry.scale(form.reduction) * batch
    return entry.derivative(var, n=form.n, reduction=form.reduction, batch=form.batch)


def assumptions_for(entry: Entry, form: Form | None = None, *, n: int | None = None) -> Assumptions:
    """The entry's domain, cases and kink variable as proof assumptions (at size n for vectors)."""
    abbreviations: dict = {}
    cases = entry.cases
    if entry.sized is not None:
        built = entry.sized((form.n if form is not None else None) or n or entry.sizes[0])
        abbreviations = dict(built.abbreviations)
        cases = built.cases
    split = entry.sym(entry.split) if entry.split else None
    return Assumptions(text=entry.assumptions, cases=cases, ranges=dict(entry.ranges),
                       abbreviations=abbreviations, split=split)


def prove_claim(entry: Entry, expr: sp.Basic, *, wrt: str | None = None, n: int | None = None,
                reduction: str | None = None, batch: str = "sum",
                params: dict[str, object] | None = None) -> Proof:
    """Is `expr` (a person's formula, e.g. parsed from a claim) the derivative of `entry`?

    Symbols are matched by name, so a parser's plain `x` meets the catalog's real `x`.
    """
    truth = entry.derivative(wrt, n=n, reduction=reduction, batch=batch, params=params)
    if params:
        expr = entry.substitute(expr, params)
    return prove(expr, truth, assumptions=assumptions_for(entry, n=n))


def check(entry: Entry, form: Form) -> Checked:
    """Prove or refute one form (cached)."""
    return _check_cached(entry.name, entry.forms.index(form))


@lru_cache(maxsize=None)
def _check_cached(name: str, index: int) -> Checked:
    entry = catalog.get(name)
    form = entry.forms[index]
    truth = truth_for(entry, form)
    return Checked(entry, form, truth, prove(form.expr, truth, assumptions=assumptions_for(entry, form)))


def check_entry(entry: Entry) -> list[Checked]:
    """Every form of one entry."""
    return [check(entry, f) for f in entry.forms]


def check_catalog() -> Iterator[Checked]:
    """Every form of every entry, in catalog order."""
    for entry in catalog.entries():
        yield from check_entry(entry)


def clear_cache(sympy_too: bool = False) -> None:
    """Forget cached proofs and region data (the benchmark measures cold runs); optionally
    SymPy's own expression cache as well."""
    from gradverify.derivations import regions

    _check_cached.cache_clear()
    for fn in (regions.to_piecewise, regions._boundaries, regions.roots_in):
        fn.cache_clear()
    if sympy_too:
        from sympy.core.cache import clear_cache as sympy_clear

        sympy_clear()
