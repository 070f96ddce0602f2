"""The ONE visitor that prints a derivation-step tree, to MathML and to LaTeX alike.

A step tree (from `derivations.steps`) has nodes with a type, a rule name, an expression
before and after, and children. `StepVisitor` turns it into printable lines for any
`Notation`; each node type has one method, so both formats always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .notation import LATEX, MATHML, Notation


@dataclass(frozen=True)
class StepLine:
    """One printed line: nesting depth, the rule in words, and the mathematics (target markup)."""

    depth: int
    rule: str
    math: str
    kind: str


@dataclass
class Step:
    """A derivation step in the shape the visitor reads (an adapter target for other trees)."""

    kind: str
    rule: str = ""
    before: Any = None
    after: Any = None
    children: list["Step"] = field(default_factory=list)
    note: str = ""


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
    """Visits a step tree and prints each node for one notation target."""

    # node type -> relation placed between `before` and `after`
    RELATIONS: dict[str, str] = {
        "definition": "=",
        "derivative": "=",
        "rule": "=",
        "chain": "=",
        "substitution": "=",
        "simplification": "=",
        "sum_of_paths": "=",
        "intermediate": "=",
        "local_derivative": "=",
        "form": "=",
        "equivalence": "\u2261",
        "kink": "=",
        "result": "=",
    }

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

    def _relation(self, node: Any, rel: str) -> str:
        before = _get(node, "before", "lhs", "expr_before")
        after = _get(node, "after", "rhs", "expr_after")
        parts = []
        if before is not None:
            parts.append(self._math(before))
        if after is not None:
            if parts:
                parts.append(self.n.mo(rel))
            parts.append(self._math(after))
        return self.n.row(*parts) if parts else self.n.text(str(_get(node, "note", default="")))

    def _line(self, node: Any, depth: int, rel: str, rule: str | None = None) -> StepLine:
        rule_text = rule if rule is not None else str(_get(node, "rule", "name", default="") or "")
        note = str(_get(node, "note", default="") or "")
        if note and note not in rule_text:
            rule_text = f"{rule_text}: {note}" if rule_text else note
        return StepLine(depth, rule_text, self.n.math(self._relation(node, rel)), node_kind(node))

    def visit_generic(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, self.RELATIONS.get(node_kind(node), "="))

    def visit_definition(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "definition")

    def visit_derivative(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "derivative")

    def visit_rule(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=")

    def visit_chain(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "chain rule")

    def visit_substitution(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "substitute back")

    def visit_simplification(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "simplify")

    def visit_sum_of_paths(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "sum over paths")

    def visit_intermediate(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "intermediate variable")

    def visit_local_derivative(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "local derivative")

    def visit_form(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "textbook form")

    def visit_equivalence(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "\u2261", _get(node, "rule", default="") or "proved equal")

    def visit_kink(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "value at the kink")

    def visit_result(self, node: Any, depth: int) -> StepLine:
        return self._line(node, depth, "=", _get(node, "rule", default="") or "result")

    # --- leaves ---------------------------------------------------------------------------

    def _math(self, value: Any) -> str:
        """A node's expression: SymPy objects through the printers, text as words."""
        if isinstance(value, str):
            return self.n.text(value)
        if isinstance(value, (list, tuple)):
            return self.n.row(*(self._math(v) for v in value))
        return self.n.expr(value)


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
