"""Compact HTML for Jupyter (`_repr_html_`): a result's verdicts at a glance, in a few kilobytes.

The full report (`gradverify.render.render_html`, with plots, the network picture and every truth
column) is a document; a notebook cell wants the verdict table only, shown at once and stored
small. Quantity names, formulas and numbers are MathML printed from the same notation as the
reports; the person's claims appear as they wrote them; words are escaped.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING, Sequence

from gradverify.judge.numbers import shown
from gradverify.render import quantities
from gradverify.render.circuitmaths import claim_symbol
from gradverify.render.notation import MATHML

if TYPE_CHECKING:
    from gradverify.derived import Derivation
    from gradverify.grade.classresult import GradeRun
    from gradverify.judge.result import CheckResult, TableVerdict

STYLE = (
    "<style>.gv-nb{font:13px/1.35 system-ui,sans-serif}.gv-nb table{border-collapse:collapse;margin:.3em 0}"
    ".gv-nb td,.gv-nb th{padding:.15em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top;"
    "white-space:nowrap}.gv-nb .correct{color:#17702e}.gv-nb .follows{color:#8a5a00}"
    ".gv-nb .wrong{color:#b00020;font-weight:600}.gv-nb td.why{color:#444;white-space:normal;min-width:24em}"
    ".gv-nb td.text{white-space:normal;max-width:24em}</style>"
)
MARK = {"correct": "\u2713 correct", "follows": "\u2192 follows", "wrong": "\u2717 wrong"}
TABLE_CLASS = {"equivalent": "correct", "equivalent on a domain": "follows"}  # any other verdict: "wrong"
MAX_ROWS = 200  # a cell shows this many rows; the rest are counted

Cell = str | tuple[str, str]  # markup, or (markup, the cell's class: "why" words or a "text" formula)


def _math(markup: str) -> str:
    return MATHML.math(markup)


def _number(value: float | None) -> str:
    return "\u2014" if value is None else _math(MATHML.number(shown(value)))


def _verdict(verdict: str, cls: str) -> str:
    return f'<span class="{cls}">{escape(MARK.get(verdict, verdict))}</span>'


def _table(header: Sequence[str], rows: list[list[Cell]]) -> str:
    """A table of at most MAX_ROWS rows (the rest counted in a last row)."""
    def cell(c: Cell) -> str:
        return f'<td class="{c[1]}">{c[0]}</td>' if isinstance(c, tuple) else f"<td>{c}</td>"

    body = "".join(f"<tr>{''.join(cell(c) for c in row)}</tr>" for row in rows[:MAX_ROWS])
    if len(rows) > MAX_ROWS:
        body += f'<tr><td colspan="{len(header)}">\u2026 and {len(rows) - MAX_ROWS} more</td></tr>'
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    return f"<table><tr>{head}</tr>{body}</table>"


def _table_name(t: TableVerdict) -> str:
    """d tanh/dx as a typeset fraction; a formula by the gradient it claims."""
    if t.kind == "formula":
        return escape(t.lhs or "formula")
    if t.wrt == "vjp":
        return escape(f"{t.of} VJP")
    d = MATHML.mo("\u2202")
    return _math(MATHML.frac(MATHML.row(d, MATHML.text(t.of or "")), MATHML.row(d, MATHML.mi(t.wrt or "x"))))


def _tables(tables: Sequence[TableVerdict]) -> str:
    rows: list[list[Cell]] = []
    for t in tables:
        why = "; ".join(p for p in [t.explanation, *t.diagnoses] if p)
        if t.expect:
            why += f" (the file expects {t.expect})"
        label = f"<br><small>{escape(t.label)}</small>" if t.label else ""
        rows.append([_table_name(t) + label, (f"<code>{escape(t.claimed)}</code>", "text"),
                     _verdict(t.verdict, TABLE_CLASS.get(t.verdict, "wrong")), (escape(why), "why")])
    return _table(("claim", "claimed", "verdict", "why"), rows)


def check_html(result: CheckResult) -> str:
    """A judged worked example: title, the summary in words, one row per claim, then the tables."""
    rows: list[list[Cell]] = [
        [str(c.step), _math(claim_symbol(MATHML, c) if c.node is not None else
                            quantities.symbol(MATHML, c.quantity, c.layer, c.index)),
         f"<code>{escape(c.claimed)}</code>", _number(c.exact), _number(c.from_claims),
         _verdict(c.verdict, c.verdict), (escape(c.diagnosis or c.note), "why")]
        for c in result.claims]
    claims = _table(("step", "claim", "claimed", "exact", "from yours", "verdict", "why"), rows) if rows else ""
    tables = _tables(result.derivatives) if result.derivatives else ""
    return (f'{STYLE}<div class="gv-nb"><strong>{escape(result.title)}</strong> '
            f"<small>({escape(result.source)})</small><p>{escape(result.summary_text())}</p>{claims}{tables}</div>")


def table_html(verdict: TableVerdict) -> str:
    """One judged derivative or formula claim."""
    return f'{STYLE}<div class="gv-nb">{_tables([verdict])}</div>'


def _form_words(label: str) -> str:
    """The words of a form's catalog label ("quotient rule" of "e^-x/(1+e^-x)^2 (quotient rule)"),
    never its ASCII formula: the formula itself is typeset from its expression."""
    def words(text: str) -> bool:
        tokens = text.replace(",", " ").split()
        return len(tokens) >= 2 and all(re.fullmatch(r"[A-Za-z][A-Za-z'-]+|\d+", t) for t in tokens)

    if words(label):
        return label
    tail = re.search(r"\(([^()]*)\)\s*$", label)
    return tail.group(1) if tail and words(tail.group(1)) else ""


def derivation_html(d: Derivation) -> str:
    """A catalog entry: definition and derivative typeset from their SymPy trees, and each form."""
    head = (f"<p><strong>{escape(d.name)}</strong> ({escape(d.kind)}): {_math(MATHML.expr(d.definition))}"
            f"; derivative with respect to {escape(d.wrt)}: {_math(MATHML.expr(d.derivative))}</p>")
    kinks = "".join(f"<p>at the kink {escape(k['where'])}: {escape(k['value'])} ({escape(k['reason'])})</p>"
                    for k in d.kinks)
    rows: list[list[Cell]] = [
        [_math(MATHML.expr(c.form.expr)), escape(_form_words(c.form.label)),
         f"seed {escape(c.form.seed)}" if c.form.seed else "",
         _verdict(c.proof.verdict, "correct" if c.as_expected else "wrong"), (escape(c.form.note), "why")]
        for c in d.forms]
    forms = _table(("textbook form", "", "from", "verdict", "note"), rows) if rows else ""
    return f'{STYLE}<div class="gv-nb">{head}{kinks}{forms}</div>'


def grade_html(run: GradeRun) -> str:
    """A grading run: counts by status, then one row per submission recorded in the gradebook."""
    counts = ", ".join(f"{n} {s}" for s, n in sorted(run.summary.by_status.items())) or "nothing new"
    rows: list[list[Cell]] = [
        [escape(o.ident), _verdict(o.status, "correct" if o.status == "graded" else "wrong"),
         f"{o.score:g} / {o.max_score:g}", f"{o.correct} correct, {o.follows} follow, {o.wrong} wrong, {o.missing} missing",
         (escape(o.reason), "why")]
        for o in run.outcomes()]
    table = _table(("student", "status", "score", "claims", "reason"), rows) if rows else ""
    skipped = f"; {run.summary.skipped} already recorded" if run.summary.skipped else ""
    return (f'{STYLE}<div class="gv-nb"><p>Gradebook <code>{escape(str(run.out))}</code>: this run recorded '
            f"{escape(counts)}{skipped}.</p>{table}</div>")
