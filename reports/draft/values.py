"""Numbers in a chain member: a written value (a number, or a vector or matrix of numbers) and the
arithmetic of a weighted sum (`0.2 \\times 0.8 + 0.3 \\times 0.7 - 0.2`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from gradverify.draft import nodes
from gradverify.judge import numbers

Value = Union[str, list["Value"]]  # "0.210", or rows of numbers


def value_of(node: nodes.Node) -> Value | None:
    """The printed value of a member that is only a number or a matrix of numbers, else None."""
    if isinstance(node, nodes.Group):
        return value_of(node.body)
    if isinstance(node, nodes.Num):
        return node.text if numbers.is_number_text(node.text) else None
    if isinstance(node, nodes.Op) and node.op == "neg" and isinstance(node.args[0], nodes.Num):
        return signed("-", node.args[0].text)
    if isinstance(node, nodes.Matrix):
        rows = [[value_of(c) for c in row] for row in node.rows]
        if not rows or any(v is None or isinstance(v, list) for row in rows for v in row):
            return None
        if len({len(r) for r in rows}) != 1:
            return None
        return rows  # type: ignore[return-value]
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
