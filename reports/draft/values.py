"""Numbers in a chain member: a written value (a number, or a vector or matrix of numbers) and the
arithmetic of a weighted sum (`0.2 \\times 0.8 + 0.3 \\times 0.7 - 0.2`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from gradverify.draft import nodes
from gradverify.judge import numbers

Value = Union[str, list[list[str]]]  # "0.210", or rows of numbers (a column vector is n rows of one)


def value_of(node: nodes.Node) -> Value | None:
    """The printed value of a member that is only a number or a matrix of numbers, else None."""
    if isinstance(node, nodes.Group):
        return value_of(node.body)
    if isinstance(node, nodes.Num):
        return node.text if numbers.is_number_text(node.text) else None
    if isinstance(node, nodes.Op) and node.op == "neg" and isinstance(node.args[0], nodes.Num):
        return signed("-", node.args[0].text)
    if isinstance(node, nodes.Matrix):
        rows: list[list[str]] = []
        for row in node.rows:
            cells = [value_of(c) for c in row]
            if not all(isinstance(c, str) for c in cells):
                return None
            rows.append([c for c in cells if isinstance(c, str)])
        return rows if rows and len({len(r) for r in rows}) == 1 else None
    return None


def signed(sign: str, text: str) -> str:
    """A number's text with a sign in front (a double minus cancels)."""
    if sign != "-":
        return text
    return text[1:].lstrip() if text.startswith("-") else "-" + text


def value(text: str) -> float:
    """The value of a printed number."""
    return numbers.parse(text).value


@dataclass(frozen=True)
class Product:
    """One term w x a of a weighted sum: its sign and its two factors as written (each maybe signed)."""

    sign: str
    factors: tuple[str, str]


@dataclass(frozen=True)
class WeightedSum:
    """`sum of products + constant` as written: the products in order and the lone numbers."""

    products: tuple[Product, ...]
    constants: tuple[str, ...]


def weighted_sum(node: nodes.Node) -> WeightedSum | None:
    """Read `0.2 \\times 0.8 + 0.3 \\times 0.7 - 0.2` (each product of two numbers), else None."""
    terms = node.args if isinstance(node, nodes.Op) and node.op == "+" else (node,)
    products: list[Product] = []
    constants: list[str] = []
    for term in terms:
        sign = ""
        if isinstance(term, nodes.Op) and term.op == "neg":
            sign, term = "-", term.args[0]
        if isinstance(term, nodes.Num):
            constants.append(signed(sign, term.text))
            continue
        if not (isinstance(term, nodes.Op) and term.op == "*" and len(term.args) == 2):
            return None
        factors = [value_of(f) for f in term.args]
        if any(f is None or isinstance(f, list) for f in factors):
            return None
        products.append(Product(sign, (str(factors[0]), str(factors[1]))))
    if not products:
        return None
    return WeightedSum(tuple(products), tuple(constants))


def working_of(node: nodes.Node) -> str | None:
    """The arithmetic of a member made only of numbers, + - x / powers and parentheses, in the plain
    form the worked-example format reads ("0.2 - 1 x 7.2 x 10^{-3}"); None for anything else or for
    a lone number."""
    if isinstance(node, nodes.Num) or (isinstance(node, nodes.Op) and node.op == "neg"
                                       and isinstance(node.args[0], nodes.Num)):
        return None
    return _arithmetic(node)


def _arithmetic(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Num):
        return node.text.replace("\\times", "x").replace("\\cdot", "x")
    if isinstance(node, nodes.Group):
        inner = _arithmetic(node.body)
        return None if inner is None else f"({inner})"
    if isinstance(node, nodes.Frac):
        num, den = _arithmetic(node.num), _arithmetic(node.den)
        return None if num is None or den is None else f"({num}) / ({den})"
    if not isinstance(node, nodes.Op) or node.op not in ("+", "neg", "*", "/", "^"):
        return None
    parts = [_arithmetic(a) for a in node.args]
    if any(p is None for p in parts):
        return None
    texts = [p for p in parts if p is not None]
    if node.op == "neg":
        return "-" + texts[0]
    if node.op == "+":
        return texts[0] + "".join(f" - {t[1:]}" if t.startswith("-") else f" + {t}" for t in texts[1:])
    return {"*": " x ", "/": " / ", "^": "^"}[node.op].join(texts)
