"""The network's settings as a write-up states them: the activation in `a = \\sigma(z)`, the loss in
`L = (y - a)^2`, the learning rate in `\\eta = 1` or in words ("a learning rate of 0.5")."""

from __future__ import annotations

import re

from gradverify.draft import nodes
from gradverify.draft.notation import Notation
from gradverify.draft.refs import symbol_name

_HALF = ("1/2", "0.5", "(1/2)")
_MEAN = ("1/n", "1/N", "1/m", "1/M", "(1/n)", "(1/N)")
_LEARNING_RATE = re.compile(r"(?i)(?:learning[ -]rate|step[ -]size)[^0-9\n]{0,25}?(\d+(?:\.\d+)?(?:[eE]-?\d+)?)")


def activation(node: nodes.Node, notation: Notation) -> str | None:
    """The activation a member applies: \\sigma(z) -> sigmoid, \\max(0, z) -> relu, e^z / sum e^z -> softmax."""
    if isinstance(node, nodes.Call) and not node.fn.primes:
        fn = notation.function(node.fn.name)
        if fn and len(node.args) == 1:
            return fn
        if node.fn.name == "max" and len(node.args) == 2 and nodes.Num("0") in node.args:
            return "relu"
    if isinstance(node, nodes.Frac) and isinstance(node.den, nodes.Sum) and _is_exp(node.num):
        return "softmax"
    return None


def _is_exp(node: nodes.Node) -> bool:
    return (isinstance(node, nodes.Sym) and node.name == "e" and bool(node.sup)) or (
        isinstance(node, nodes.Call) and node.fn.name == "exp")


def loss(node: nodes.Node, notation: Notation) -> str | None:
    """The loss a member states, read from its shape: (y - a)^2, 1/2 (y - a)^2, -sum y log a, ..."""
    form = _canonical(node, notation).replace("(a-y)", "(y-a)").replace("*", "")
    for sq in ("(y-a)^2", "sum(y-a)^2"):
        if form == sq:
            return "squared_error"
        if any(form == f"{h}{sq}" for h in _HALF) or form == f"{sq}/2" or form == f"({sq})/2":
            return "half_squared_error"
        if any(form == f"{m}{sq}" for m in _MEAN):
            return "mean_squared_error"
    if form in ("-sumylog(a)", "-ylog(a)", "sum-ylog(a)", "-sumyloga", "-yloga"):
        return "cross_entropy"
    if form in ("-(ylog(a)+(1-y)log(1-a))", "-ylog(a)-(1-y)log(1-a)"):
        return "binary_cross_entropy"
    return None


def _canonical(node: nodes.Node, notation: Notation) -> str:
    """A member as compact text with the target written y and the output written a."""

    def c(n: nodes.Node) -> str:
        return _canonical(n, notation)

    if isinstance(node, nodes.Sym):
        role = notation.role(symbol_name(node))
        return {"y": "y", "a": "a", "output": "a"}.get(role or "", node.name)
    if isinstance(node, nodes.Num):
        return node.text
    if isinstance(node, nodes.Group):
        return f"({c(node.body)})"
    if isinstance(node, nodes.Frac):
        return f"{c(node.num)}/{c(node.den)}"
    if isinstance(node, nodes.Sum):
        return "sum" + c(node.body)
    if isinstance(node, nodes.Call):
        name = "log" if node.fn.name in ("log", "ln") else node.fn.name
        return f"{name}({','.join(c(a) for a in node.args)})"
    if isinstance(node, nodes.Op):
        if node.op == "+":
            return "".join(c(a) if i == 0 or c(a).startswith("-") else "+" + c(a) for i, a in enumerate(node.args))
        if node.op == "neg":
            return "-" + c(node.args[0])
        if node.op == "^":
            return f"{c(node.args[0])}^{c(node.args[1])}"
        if node.op == "/":
            return f"{c(node.args[0])}/{c(node.args[1])}"
        return "".join(c(a) for a in node.args)
    return "?"


def learning_rate_in_words(line: str) -> str | None:
    """"with a learning rate of 0.5" -> "0.5"."""
    m = _LEARNING_RATE.search(line)
    return m.group(1) if m else None
