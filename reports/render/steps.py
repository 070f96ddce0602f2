"""The ONE visitor that prints a derivation-step tree, to MathML and to LaTeX alike.

A step tree (from `gradverify.derivations.steps`) has nodes with a type, a rule name, an expression
before and after, and children. `StepVisitor` turns it into printable lines for any
`Notation`; each node type has one method, so both formats always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from gradverify.derivations.prose import Prose
from gradverify.render import model
from gradverify.render.notation import LATEX, MATHML, Notation, Printed


@dataclass(frozen=True)
class StepLine:
    """One printed line: nesting depth, the rule and its note (words escaped, formulas typeset:
    target markup), and the mathematics (target markup)."""

    depth: int
    rule: str
    math: str
    kind: str


def _get(node: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if hasattr(node, name):
            return getattr(node, name)
        if isinstance(node, dict) and name in node:
            return node[name]
    return default


def node_kind(node: Any) -> str:
    """The node type's name, read from `kind`/`type`/`node_type` (an enum's value or name)."""
    kind = _get(node, "kind", "node_type", "type", default=None)
    if kind is None:
        kind = type(node).__name__
    kind = getattr(kind, "value", kind)
    return str(kind).lower()


class StepVisitor:
    """Visits a step tree and prints each node for one notation target.

    One method per node type of `gradverify.derivations.steps` (derivation, rule, graph, node, paths,
    path, simplify, form); an unknown type falls back to `before = after`.
    """

    def __init__(self, notation: Notation) -> None:
        self.n = notation

    def visit(self, node: Any, depth: int = 0) -> list[StepLine]:
        """All lines of the subtree at `node`, depth first, parent before children."""
        kind = node_kind(node)
        method: Callable[[Any, int], StepLine] = getattr(self, f"visit_{kind}", self.visit_generic)
        lines = [method(node, depth)]
        for child in _get(node, "children", "steps", default=()) or ():
            lines.extend(self.visit(child, depth + 1))
        return lines

    # --- one method per node type -------------------------------------------------------

    def visit_derivation(self, node: Any, depth: int) -> StepLine:
        """d f / d x = result (the whole derivation; the rule names the variable)."""
        return self._line(node, depth, self._derivative(node), self._math(_after(node)))

    def visit_rule(self, node: Any, depth: int) -> StepLine:
        """One rule applied: before = after."""
        return self._line(node, depth, self._math(_before(node)), self._math(_after(node)))

    def visit_graph(self, node: Any, depth: int) -> StepLine:
        """The computation graph of f gives d f / d x = result."""
        return self._line(node, depth, self._derivative(node), self._math(_after(node)))

    def visit_node(self, node: Any, depth: int) -> StepLine:
        """An intermediate node of the graph: u = its one operation."""
        return self._line(node, depth, self._math(_before(node)), self._math(_after(node)))

    def visit_paths(self, node: Any, depth: int) -> StepLine:
        """The sum over paths, then the nodes replaced by their expressions."""
        return self._line(node, depth, self._math(_before(node)), self._math(_after(node)))

    def visit_path(self, node: Any, depth: int) -> StepLine:
        """One path p -> w -> ... -> x and the product of its local derivatives."""
        return self._line(node, depth, self._math(_before(node)), self._math(_after(node)), rel="\u21d2")

    def visit_simplify(self, node: Any, depth: int) -> StepLine:
        """A simplification: before = after."""
        return self._line(node, depth, self._math(_before(node)), self._math(_after(node)))

    def visit_form(self, node: Any, depth: int) -> StepLine:
        """A textbook form of the derivative (its label and proof verdict are in the note)."""
        return self._line(node, depth, None, self._math(_after(node)))

    def visit_generic(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, self._math(_before(node)), self._math(_after(node)))

    # --- shared -----------------------------------------------------------------------------

    def _line(self, node: Any, depth: int, left: str | None, right: str | None, rel: str = "=") -> StepLine:
        parts = [p for p in (left, right) if p]
        if left and right:
            parts = [left, self.n.mo(rel), right]
        body = self.n.row(*parts) if parts else self.n.text("")
        rule = str(_get(node, "rule", "name", default="") or "")
        note = _get(node, "note", default="") or ""
        words = self.n.words(rule)
        if note:
            words += (self.n.words(": ") if rule else "") + prose_markup(self.n, note)
        return StepLine(depth, words, self.n.math(body), node_kind(node))

    def _derivative(self, node: Any) -> str | None:
        """d/dx of the node's `before`, the variable read from the rule ("d sigmoid/dx")."""
        import sympy as sp

        before = _before(node)
        if before is None:
            return None
        wrt = _get(node, "wrt", default=None)
        if isinstance(before, sp.Basic) and wrt is not None:
            return self.n.expr(sp.Derivative(before, wrt))
        if isinstance(before, sp.Basic) and not _is_words(before):
            name = _variable_name(node)
            free = sorted(before.free_symbols, key=lambda s: s.name)
            var = next((s for s in free if s.name == name), None) or (free[0] if len(free) == 1 else None)
            if var is None and name:
                var = sp.Symbol(name)  # d/dx_j of an expression in x_i: the other case of a rule
            if var is not None:
                return self.n.expr(sp.Derivative(before, var))
        return self._math(before)

    def _math(self, value: Any) -> str | None:
        """A node's expression: SymPy objects through the printers, words as text."""
        if value is None:
            return None
        if isinstance(value, str):
            return self.n.text(value.replace("->", "\u2192"))
        if _is_words(value):
            return self.n.text(value.name.replace("->", "\u2192"))
        if isinstance(value, (list, tuple)):
            return self.n.row(*(self._math(v) or "" for v in value))
        return self.n.expr(value)


def _variable_name(node: Any) -> str | None:
    """The variable a derivation or graph differentiates by: from the rule ("d sigmoid/dx") or
    from the sum over paths below a graph ("1 path(s) from p to x")."""
    m = re.search(r"/d\s*([A-Za-z]\w*)\s*$", str(_get(node, "rule", default="") or ""))
    if m:
        return m.group(1)
    for child in _get(node, "children", default=()) or ():
        m = re.search(r"from \S+ to ([A-Za-z]\w*)", str(_get(child, "note", default="") or ""))
        if m:
            return m.group(1)
    return None


def _before(node: Any) -> Any:
    return _get(node, "before", "lhs", "expr_before")


def _after(node: Any) -> Any:
    return _get(node, "after", "rhs", "expr_after")


def _is_words(value: Any) -> bool:
    """A Symbol standing for words or a formula in text ("dL/dx_i", "p -> w -> x")."""
    name = getattr(value, "name", None)
    if not isinstance(name, str) or type(value).__name__ not in ("Symbol", "Dummy"):
        return False
    if re.search(r"[ /()+*,]|->|\.", name):
        return True
    return name.isalpha() and len(name) > 2 and name not in _GREEK_NAMES  # "outer", "inner"


_GREEK_NAMES = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "sigma", "tau", "phi"}


def prose_markup(n: Notation, note: Prose | str) -> str:
    """A note in the target's markup: its words escaped, its formulas typeset inline."""
    parts = note.parts if isinstance(note, Prose) else (str(note),)
    return "".join(n.words(p) if isinstance(p, str) else n.math(n.expr(p)) for p in parts)


def node_types() -> list[str]:
    """Every node type the visitor prints with a dedicated method."""
    return sorted(name[len("visit_"):] for name in dir(StepVisitor)
                  if name.startswith("visit_") and name != "visit_generic")


def print_steps(tree: Any, notation: Notation) -> list[StepLine]:
    """The printed lines of a step tree for one target."""
    return StepVisitor(notation).visit(tree)


def both(tree: Any) -> tuple[list[StepLine], list[StepLine]]:
    """(MathML lines, LaTeX lines) of the same tree, printed by the same visitor."""
    return print_steps(tree, MATHML), print_steps(tree, LATEX)


def printed_steps(tree: Any) -> list[model.DerivationLine]:
    """The lines of a step tree printed for every format, as a report keeps them."""
    return [model.DerivationLine(m.depth, m.kind, Printed(m.rule, t.rule), Printed(m.math, t.math))
            for m, t in zip(*both(tree))]


def printed_prose(note: Prose | str) -> Printed:
    """A note (words and formulas) printed for every format."""
    return Printed(prose_markup(MATHML, note), prose_markup(LATEX, note), str(note))
