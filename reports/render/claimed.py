"""The file's derivative and formula claims as report rows; a claim shown as mathematics.

A claimed derivative is parsed by `gradverify.derivations.parse` (a whitelist, never eval) and rebuilt in
SymPy without evaluation, so the report prints it as the person wrote it (sigma(x)(1 - sigma(x)),
not SymPy's simplification) in MathML or LaTeX from SymPy's printers: no user text reaches the
output as markup. Text that does not parse is shown as text (escaped by the templates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gradverify.render.model import TableClaimRow
from gradverify.render.notation import Printed, printed

if TYPE_CHECKING:
    from gradverify.judge.result import CheckResult

_SHOWN = {"relu": "ReLU"}


def claim_expr(text: str, syntax: str | None = "auto") -> Any:
    """The claim as an unevaluated SymPy expression, or None when it does not parse or build."""
    from gradverify.derivations.parse import ClaimSyntaxError, parse

    try:
        tree = parse(text, syntax or "auto")
    except (ClaimSyntaxError, ValueError, RecursionError):
        return None
    try:
        return _build(tree)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None


def tree_expr(tree: tuple) -> Any:
    """A parsed claim (the neutral tree) as an unevaluated SymPy expression, or None."""
    try:
        return _build(tree)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None


def _build(n: tuple) -> Any:
    import sympy as sp

    tag = n[0]
    if tag == "num":
        text = n[1]
        return sp.Integer(int(text)) if text.isdigit() else sp.Float(text, max(15, len(text)))
    if tag == "name":
        return {"E": sp.E, "pi": sp.pi}.get(n[1]) or sp.Symbol(n[1])
    if tag == "+":  # a sum inside a sum is flattened: the MathML printer drops its parentheses
        terms = [_build(c) for c in n[1:]]
        return sp.Add(*[a for t in terms for a in (t.args if isinstance(t, sp.Add) else (t,))], evaluate=False)
    if tag == "*":
        return sp.Mul(*[_build(c) for c in n[1:]], evaluate=False)
    if tag == "neg":
        return _negate(_build(n[1]))
    if tag == "/":
        den = sp.Pow(_build(n[2]), -1, evaluate=False)
        return den if n[1] == ("num", "1") else sp.Mul(_build(n[1]), den, evaluate=False)
    if tag == "^":
        return sp.Pow(_build(n[1]), _build(n[2]), evaluate=False)
    if tag == "fn":
        return _function(n[1], [_build(c) for c in n[2:]])
    if tag == "pw":
        pieces = [(_build(v), _condition(c)) for v, c in n[1:]]
        return sp.Piecewise(*pieces, evaluate=False)
    if tag == "sum":
        _, var, lo, hi, body = n
        return sp.Sum(_build(body), (sp.Symbol(var), _build(lo), _build(hi)))
    raise ValueError(f"cannot show the part {tag!r}")


def _negate(e: Any) -> Any:
    """-e, unevaluated. A sum is negated term by term: SymPy's MathML printer drops the
    parentheses of -(a - y) and would show -a - y."""
    import sympy as sp

    if isinstance(e, sp.Add):
        return sp.Add(*[_negate(t) for t in e.args], evaluate=False)
    if isinstance(e, sp.Mul) and e.args and e.args[0] == sp.S.NegativeOne:
        rest = e.args[1:]
        return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
    parts = e.args if isinstance(e, sp.Mul) else (e,)
    return sp.Mul(sp.S.NegativeOne, *parts, evaluate=False)


def _condition(c: tuple) -> Any:
    import sympy as sp

    if c[0] == "true":
        return sp.true
    if c[0] == "and":
        return sp.And(*[_condition(p) for p in c[1:]], evaluate=False)
    rel = {">": sp.StrictGreaterThan, ">=": sp.GreaterThan, "<": sp.StrictLessThan, "<=": sp.LessThan,
           "==": sp.Equality, "!=": sp.Unequality}[c[1]]
    return rel(_build(c[2]), _build(c[3]), evaluate=False)


def _function(name: str, args: list[Any]) -> Any:
    import sympy as sp

    known = {"tanh": sp.tanh, "sech": sp.sech, "cosh": sp.cosh, "sinh": sp.sinh, "coth": sp.coth,
             "exp": sp.exp, "log": sp.log, "erf": sp.erf, "Abs": sp.Abs, "sign": sp.sign,
             "Heaviside": sp.Heaviside, "factorial": sp.factorial}
    if name in known:
        return known[name](*args, evaluate=False)
    if name == "sqrt":
        return sp.Pow(args[0], sp.Rational(1, 2), evaluate=False)
    if name in ("Max", "Min"):
        return (sp.Max if name == "Max" else sp.Min)(*args, evaluate=False)
    if name in _GREEK:
        return greek_function(name)(*args)
    return sp.Function(_SHOWN.get(name, name))(*args)


# Functions shown by a Greek letter: (the letter for MathML, LaTeX before and after the arguments)
_GREEK = {"sigma": ("\u03c3", r"\sigma\left(", r"\right)"), "KroneckerDelta": ("\u03b4", r"\delta_{", "}")}
_CLASSES: dict[str, Any] = {}


def greek_function(name: str) -> Any:
    """An undefined function named by its Greek letter (MathML), with its own LaTeX (pdflatex
    cannot print the Unicode letter): sigma(x) -> σ(x) / \\sigma(x); KroneckerDelta(i, j) -> δ_{ij}."""
    if name not in _CLASSES:
        import sympy as sp

        letter, before, after = _GREEK[name]
        sep = " " if name == "KroneckerDelta" else ", "

        def _latex(self: Any, printer: Any, exp: str | None = None) -> str:
            shown = before + sep.join(printer._print(a) for a in self.args) + after
            return f"{shown}^{{{exp}}}" if exp else shown

        _CLASSES[name] = type(letter, (sp.Function,), {"_latex": _latex})
    return _CLASSES[name]


def claim_maths(text: str, syntax: str | None = "auto") -> Printed | None:
    """The claim typeset for every format (kept between runs), or None when it does not parse or a
    printer cannot show it."""
    from gradverify.render import cache, stored

    found = cache.get("claim", f"{syntax}\0{text}")
    if found is not None:
        return stored.printed_of(found["maths"])
    maths = _printed(claim_expr(text, syntax))
    cache.put("claim", f"{syntax}\0{text}", {"maths": stored.printed_json(maths)})
    return maths


def rows(result: CheckResult) -> list[TableClaimRow]:
    """One row per [[derivative]]/[[formula]] claim of a `CheckResult` (none when it has none)."""
    out = []
    from gradverify.render.kindmaths import maths

    for t in result.derivatives:
        shown = None
        if t.verdict != "unusable":
            shown = (claim_maths(t.claimed, t.syntax) if t.kind == "derivative" and t.grid is None
                     else _printed(maths(t)))
        out.append(TableClaimRow(
            kind=t.kind, what=f"formula, layout {t.layout or '004'}" if t.kind == "formula" else t.name,
            claimed=t.claimed, maths=shown, verdict=t.verdict, explanation=_words(t.explanation),
            diagnoses=list(t.diagnoses), label=t.label or "", note=t.note or "", line=t.line,
        ))
    return out


def _printed(expr: Any) -> Printed | None:
    """An expression typeset for every format, or None when there is none or a printer cannot show it."""
    if expr is None:
        return None
    try:
        return printed(expr)
    except Exception:  # a printer that cannot show the expression: the text as written instead
        return None


def _words(explanation: str) -> str:
    """The explanation without the parser's caret drawing (the text and a ^ under it), which only
    lines up in a terminal."""
    return " ".join(line.strip() for line in explanation.splitlines() if line.strip() and not line.startswith("  "))
