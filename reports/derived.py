"""One catalog entry derived: definition, derivative, kink values and every textbook form proved or
refuted. The result of `gradverify derive NAME` and of `gradverify.derive(name)`.

SymPy is imported by `derive` (and by what it calls), never when this module is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    import sympy as sp

    from gradverify.derivations.catalog import Entry
    from gradverify.derivations.checks import Checked

MAX_N = 32  # softmax --n 32 takes under a second; --n 100, 7 s; --n 200, over a minute


class DeriveError(ValueError):
    """A name, variable, size or parameter the catalog does not have; the message says what to write."""


@dataclass
class Derivation:
    """A catalog entry's derivative and its textbook forms, each with the verdict of its proof."""

    entry: Entry
    wrt: str
    parameters: dict[str, str]
    definition: sp.Basic
    derivative: sp.Basic
    forms: list[Checked]
    kinks: list[dict[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def summary(self) -> str:
        return self.entry.summary

    @property
    def as_expected(self) -> bool:
        """Every form got its expected verdict (correct forms proved, the seeds' mistakes refuted)."""
        return all(c.as_expected for c in self.forms)

    def to_json(self) -> dict[str, Any]:
        """The document `gradverify derive NAME --json` prints."""
        import sympy as sp

        e = self.entry
        return {"name": e.name, "kind": e.kind, "summary": e.summary, "wrt": self.wrt,
                "parameters": {p.name: str(p.default) for p in e.params} | self.parameters,
                "definition": str(self.definition), "derivative": str(self.derivative),
                "latex": {"definition": sp.latex(self.definition), "derivative": sp.latex(self.derivative)},
                "assumptions": list(e.assumptions), "kinks": self.kinks,
                "forms": [form_json(c) for c in self.forms]}

    def _repr_html_(self) -> str:
        from gradverify.render.notebook import derivation_html

        return derivation_html(self)


def form_json(c: Checked) -> dict[str, Any]:
    """One checked form: the form, its expected and actual verdict, and the proof's evidence."""
    f, p = c.form, c.proof
    out = {"label": f.label, "expr": str(f.expr), "seed": f.seed, "wrt": f.wrt or c.entry.variables[0],
           "n": f.n, "reduction": f.reduction, "expected": f.expected, "verdict": p.verdict,
           "as_expected": c.as_expected, "note": f.note}
    if f.definition is not None:
        out["differentiated"] = str(f.definition)
    out.update({k: v for k, v in p.to_json().items() if k != "verdict"})
    return out


def derive(name: str, *, wrt: str | None = None, params: Mapping[str, str] | None = None, n: int | None = None,
           reduction: str | None = None, batch: str = "sum") -> Derivation:
    """Derive catalog entry `name` (an alias such as "logistic" works) and check its forms.

    `params` substitutes parameter values ({"alpha": "0.1"}); `n` is the vector size of softmax-like
    entries (2 to 32); `reduction` ("sum"/"mean") is over a loss's outputs, `batch` over examples.
    Raises DeriveError saying what to write for anything the entry does not have."""
    from gradverify.derivations import catalog, checks

    try:
        entry = catalog.get(name)
    except KeyError as exc:
        raise DeriveError(f"{exc.args[0]} (list them all with: gradverify catalog)") from None
    params = dict(params or {})
    if wrt is not None and wrt not in entry.variables:
        first = entry.variables[0]
        raise DeriveError(f"{entry.name} is differentiated with respect to {' or '.join(entry.variables)}, "
                          f"not {wrt!r}; write --wrt {first} (wrt=\"{first}\" in Python)")
    if n is not None and not entry.is_vector:
        raise DeriveError(f"a vector size (--n) applies to vector entries (softmax, softmax_cross_entropy, "
                          f"cosine_similarity_general), not {entry.name}")
    if n is not None and not 2 <= n <= MAX_N:
        raise DeriveError(f"vector size {n}: write one from 2 to {MAX_N} (the {MAX_N}x{MAX_N} Jacobian has "
                          "already more entries than anyone checks by hand, and SymPy's time grows fast: "
                          "size 100 takes 7 s)")
    if reduction is not None and entry.kind != "loss":
        raise DeriveError(f"a reduction (--reduction) applies to losses; {entry.name} is an activation")
    var = wrt or entry.variables[0]
    try:
        if entry.is_vector:
            definition = entry.value(params, n=n)
        else:
            definition = entry.substitute(entry.definition * entry.scale(reduction), params)
        derivative = entry.derivative(var, n=n, reduction=reduction, batch=batch, params=params)
    except (KeyError, ValueError, TypeError) as exc:
        raise DeriveError(str(exc.args[0] if exc.args else exc)) from None
    forms = entry.forms_for(var, reduction, batch if batch != "sum" or reduction else None)
    if entry.is_vector:
        size = n if n in entry.sizes else entry.sizes[0]
        forms = tuple(f for f in forms if f.n == size)
    kinks = [{"where": k.where, "value": str(k.values[var]), "reason": str(k.reason)} for k in entry.kinks if var in k.values]
    return Derivation(entry, var, params, definition, derivative, [checks.check(entry, f) for f in forms], kinks)
