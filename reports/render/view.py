"""One view builder for both formats: pre-renders every formula and number of a `ReportModel`.

Templates receive only words (escaped by the template engine) and finished markup for one
target (MathML or LaTeX), so the HTML and LaTeX reports show the same content.
"""

from __future__ import annotations

import math
from typing import Any

from gradverify.render import formula, quantities, words
from gradverify.render.model import TRUTH_COLUMNS, VERDICT_SYMBOL, ClaimRow, ReportModel, TableClaimRow
from gradverify.render.notation import Notation


def agreement_text(disagreement: float | None) -> str:
    """Words for the largest relative disagreement between the truth columns (its power of ten
    written as the judge writes powers, typeset by `words.sentence`)."""
    if disagreement is None:
        return "\u2014"
    if disagreement == 0:
        return "identical"
    exp = math.floor(math.log10(disagreement))
    return f"\u2264 10^{exp + 1}" if exp < -3 else f"{disagreement:.2g} (!)"


def _scientific(value: float) -> str:
    """A positive number in words, two digits: "0.25", or below 0.01 "5.6 × 10^-16" (its power typeset)."""
    if value >= 0.01:
        return f"{value:.2g}"
    mantissa, exp = f"{value:.1e}".split("e")
    return f"{mantissa} \u00d7 10^{int(exp)}"


def _num(n: Notation, value: Any) -> str:
    if value is None:
        return n.safe("") if n.name == "latex" else n.safe('<span class="na">\u2014</span>')
    return n.safe(n.math(n.number(value)))


def _row_view(n: Notation, row: ClaimRow, model: ReportModel) -> dict[str, Any]:
    negated = model.error_sign == "negative"
    if row.circuit is not None:
        symbol, rule = row.circuit.symbol(n), row.circuit.formula(n)
    else:
        symbol = quantities.symbol(n, row.quantity, row.layer, row.index, negated=negated)
        rule = formula.show(n, row.formula, negated=negated) if row.formula else None
    return {
        "symbol_ml": n.safe(n.math(symbol)),
        "claimed_ml": _num(n, row.claimed_number if row.claimed_number is not None else row.claimed),
        "symbolic_ml": _num(n, row.symbolic),
        "analytic_ml": _num(n, row.analytic),
        "formula_ml": n.safe(n.math(rule)) if rule else None,
        "numeric_ml": _num(n, row.numeric),
        "witness_ml": _num(n, row.witness),
        "from_claims_ml": _num(n, row.from_claims),
        "agree": n.safe(words.sentence(n, agreement_text(row.disagreement))),
        "verdict": row.verdict,
        "symbol": VERDICT_SYMBOL.get(row.verdict, "?"),
        "diagnosis": n.safe(words.sentence(n, row.diagnosis)) if row.diagnosis else "",
        "note": n.safe(words.sentence(n, row.note)) if row.note else "",
        "key": row.key,
        "line": row.line,
    }


TABLE_SYMBOL = {"equivalent": "\u2713", "equivalent on a domain": "\u2713", "not equivalent": "\u2717",
                "undecided": "?", "unusable": "\u2717"}
TABLE_CLASS = {"equivalent": "correct", "equivalent on a domain": "correct", "not equivalent": "wrong",
               "undecided": "undecided", "unusable": "wrong"}


def _table_claim_view(n: Notation, row: TableClaimRow) -> dict[str, Any]:
    """A derivative/formula claim: the maths (when the claim parsed) and the words, unescaped
    only where it is the printer's own markup."""
    return {
        "kind": row.kind, "what": row.what, "claimed": row.claimed,
        "claimed_ml": n.safe(row.maths.markup(n)) if row.maths is not None else None,
        "verdict": row.verdict, "symbol": TABLE_SYMBOL.get(row.verdict, "?"),
        "css": TABLE_CLASS.get(row.verdict, "undecided"), "explanation": n.safe(words.sentence(n, row.explanation)),
        "diagnoses": [n.safe(words.sentence(n, g)) for g in row.diagnoses], "label": row.label,
        "note": n.safe(words.sentence(n, row.note)) if row.note else "", "line": row.line,
    }


def build_view(model: ReportModel, n: Notation, *, pictures: Any, generator: str) -> dict[str, Any]:
    """The template context for one target; `pictures` draws networks and plots in its format."""
    counts = [{"symbol": VERDICT_SYMBOL[w], "word": w, "count": model.counts.get(w, 0)}
              for w in ("correct", "follows", "wrong")] if model.counts else []
    worst = model.truth_agreement
    agreement = ""
    if worst is not None:
        columns = "The three truth columns (" + ", ".join(TRUTH_COLUMNS) + ")"
        agreement = n.safe(words.sentence(n, (
            f"{columns} agree exactly on every claim." if worst == 0 else
            f"{columns} agree on every claim: largest relative disagreement {_scientific(worst)}." if worst < 1e-6 else
            f"Warning: the truth columns disagree by up to {_scientific(worst)} (relative); treat the verdicts "
            "with care.")))
    steps = []
    for s in model.steps:
        steps.append({
            "number": s.number,
            "picture": n.safe(pictures.network(s.picture)) if s.picture else None,
            "circuit": n.safe(pictures.circuit(s.circuit)) if s.circuit else None,
            "statements": [n.safe(n.math(st.formula(n))) for st in s.statements],
            "picture_caption": "the exact pre-activations z and activations a (under the stated conventions)",
            "rows": [_row_view(n, r, model) for r in s.rows],
        })
    derivations = []
    for d in model.derivations:
        derivations.append({
            "name": d.name,
            "kind": d.kind,
            "definition_ml": n.safe(d.definition.markup(n)) if d.definition is not None else None,
            "derivative_ml": n.safe(d.derivative.markup(n)) if d.derivative is not None else None,
            "steps": [{"depth": ln.depth, "rule": n.safe(ln.rule.markup(n)), "math": n.safe(ln.math.markup(n))}
                      for ln in d.steps],
            "forms": [{"label": f.name, "math": n.safe(f.maths.markup(n)), "status": f.status} for f in d.forms],
            "kinks": [n.safe(k.markup(n)) for k in d.kinks],
            "plot": n.safe(pictures.plot(d.plot)) if d.plot is not None else None,
        })
    return {
        "generator": generator,
        "r": {
            "title": model.title,
            "source": model.source,
            "summary_text": n.safe(words.sentence(n, model.summary_text)),
            "counts": counts,
            "agreement_text": agreement,
            "notes": [n.safe(words.sentence(n, note)) for note in model.notes],
            "conventions": model.conventions,
            "steps": steps,
            "derivations": derivations,
            "table_claims": [_table_claim_view(n, t) for t in model.table_claims],
            "catalog": model.kind == "catalog",
        },
    }
