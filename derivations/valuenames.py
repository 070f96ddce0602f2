"""The usual names of a scalar activation's value, read in a claim as the function at x.

Hand derivations write sigmoid's derivative as s(1-s) or a(1-a) and tanh's as 1-t^2: the letter
stands for the function's value, not for its input. A claim `--of sigmoid` that uses one of these
names (and not as the argument of a function: sigma(a) is the derivative at a) reads it as
sigmoid(x), and the verdict says so. A name that is a variable or parameter of the function (the
slope a of prelu) keeps that meaning: it is never listed here, and a test holds the table to that.
"""

from __future__ import annotations

from typing import Any, Iterable

# catalog name -> names that stand for its value f(x)
VALUE_NAMES: dict[str, tuple[str, ...]] = {
    "identity": ("a", "f"),
    "sigmoid": ("s", "sigma", "a", "f"),
    "tanh": ("t", "tanh", "a", "f"),
    "relu": ("a", "f"),
    "leaky_relu": ("a", "f"),
    "prelu": ("f",),  # a is its learned slope
    "elu": ("a", "f"),
    "softplus": ("a", "f"),
    "gelu": ("a", "f"),
    "silu": ("a", "f"),
}


def value_names(entry_name: str, symbols: Iterable[str]) -> tuple[str, ...]:
    """The names read as `entry_name`'s value, less any that are its own symbols."""
    own = set(symbols)
    return tuple(n for n in VALUE_NAMES.get(entry_name, ()) if n not in own)


def names_in_arguments(tree: Any) -> set[str]:
    """Names written inside a function's argument (`a` in sigma(a)): those keep their letter's
    meaning as a point, never the function's value."""
    out: set[str] = set()

    def walk(node: Any, inside: bool) -> None:
        if not isinstance(node, tuple) or not node:
            return
        if node[0] == "name":
            if inside:
                out.add(node[1])
            return
        tagged = isinstance(node[0], str)  # ("tag", ...) or a Piecewise (value, condition) pair
        for child in node[1:] if tagged else node:
            walk(child, inside or node[0] == "fn")

    walk(tree, False)
    return out
