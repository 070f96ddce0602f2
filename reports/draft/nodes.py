"""The tree of one member of an equation chain: numbers keep their printed text, symbols keep their
sub- and superscripts as written (the notation decides what they mean). Nothing is evaluated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Union

@dataclass(frozen=True)
class Num:
    """A printed number, its text exactly as written ("0.210", "7.2 \\times 10^{-3}")."""

    text: str


@dataclass(frozen=True)
class Sym:
    """A symbol with its scripts as written: z_1^2 is Sym("z", "1", "2"); \\sigma' has primes = 1."""

    name: str
    sub: str = ""
    sup: str = ""
    primes: int = 0
    accent: str = ""


@dataclass(frozen=True)
class Text:
    """Words in \\text{...}."""

    words: str


@dataclass(frozen=True)
class Op:
    """An operation: "+" (terms), "*" and "odot" (factors), "/", "neg", "^" (base, exponent), "T"."""

    op: str
    args: tuple["Node", ...]


@dataclass(frozen=True)
class Call:
    """A function applied: \\sigma(z_1^2), f'(x), L(a^L)."""

    fn: Sym
    args: tuple["Node", ...]


@dataclass(frozen=True)
class Deriv:
    """\\frac{\\partial L}{\\partial w_{11}^3} (or d, or seed 000's \\delta), or \\nabla_{W} J."""

    of: "Node | None"
    wrt: "Node"


@dataclass(frozen=True)
class Frac:
    """Any other fraction."""

    num: "Node"
    den: "Node"


@dataclass(frozen=True)
class Matrix:
    """A bmatrix/pmatrix/array of cells, row by row."""

    rows: tuple[tuple["Node", ...], ...]


@dataclass(frozen=True)
class Sum:
    """\\sum_{index} body."""

    index: str
    body: "Node"


@dataclass(frozen=True)
class Group:
    """Parentheses or brackets around an expression."""

    body: "Node"


@dataclass(frozen=True)
class Raw:
    """Something the reader does not understand, kept as its tokens' text."""

    text: str


Node = Union[Num, Sym, Text, Op, Call, Deriv, Frac, Matrix, Sum, Group, Raw]


def walk(node: Node) -> Iterator[Node]:
    """The node and every node inside it, depth first."""
    yield node
    if isinstance(node, Op):
        children: tuple[Node | None, ...] = node.args
    elif isinstance(node, Call):
        children = (node.fn, *node.args)
    elif isinstance(node, Deriv):
        children = (node.of, node.wrt)
    elif isinstance(node, Frac):
        children = (node.num, node.den)
    elif isinstance(node, Matrix):
        children = tuple(c for row in node.rows for c in row)
    elif isinstance(node, (Sum, Group)):
        children = (node.body,)
    else:
        children = ()
    for child in children:
        if child is not None:
            yield from walk(child)
