"""A circuit's statements ("q = x + y", "c += c + 1", "f = 1/w") read into expression trees.

Python's `ast` parses the text and a whitelist turns it into `Const`, `Ref` and `Apply` nodes; nothing
is ever evaluated as code. Numbers are kept exact ("0.1" is 1/10). Operators and functions are the
gates of a circuit: + - * / and powers, exp, log, sqrt, abs, max, min and the catalog's activations.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator, Union

MAX_LENGTH = 500  # characters in one statement
MAX_DEPTH = 40  # nesting of one expression
# function -> (arguments, default parameter): a parameter is the second argument, a number
FUNCTIONS: dict[str, tuple[tuple[int, ...], Fraction | None]] = {
    "exp": ((1,), None), "log": ((1,), None), "sqrt": ((1,), None), "abs": ((1,), None),
    "max": ((2, 3, 4), None), "min": ((2, 3, 4), None), "sigmoid": ((1,), None), "tanh": ((1,), None),
    "relu": ((1,), None), "leaky_relu": ((1, 2), Fraction(1, 100)), "prelu": ((1, 2), Fraction(1, 4)),
    "elu": ((1, 2), Fraction(1)), "softplus": ((1,), None), "gelu": ((1,), None), "silu": ((1,), None),
    "identity": ((1,), None),
}
ALIASES = {"ln": "log", "sigma": "sigmoid", "logistic": "sigmoid", "swish": "silu", "Max": "max", "Min": "min",
           "Abs": "abs", "ReLU": "relu"}
CONSTANTS = ("e", "pi")  # Euler's number and pi, unless the circuit names a node so
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")  # decimal digits only: no 0x10, 1_000 or 1j
_AUGMENTED = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
HELP = ("a statement is NAME = EXPRESSION (or NAME += ..., -=, *=, /=) with numbers, earlier names, "
        "+ - * / ** (or ^), parentheses and the functions " + ", ".join(FUNCTIONS))


class CircuitSyntaxError(ValueError):
    """A statement that cannot be read: what is wrong and at which character."""

    def __init__(self, message: str, column: int | None = None):
        self.message, self.column = message, column
        super().__init__(message)


@dataclass(frozen=True)
class Const:
    value: Fraction


@dataclass(frozen=True)
class Named:
    """Euler's number or pi: constants with no exact rational value."""

    name: str


@dataclass(frozen=True)
class Ref:
    """A node or input, by its id ("x", or "c@2" for the value after c's second assignment)."""

    name: str


@dataclass(frozen=True)
class Apply:
    """A gate: "add", "mul" (any number of arguments), "neg", "div", "pow" or a function name; an
    activation's parameter (leaky_relu's alpha) is its last argument, a `Const`."""

    op: str
    args: tuple[Expr, ...]


Expr = Union[Const, Named, Ref, Apply]
Path = tuple[int, ...]  # where a subexpression sits: the argument positions from the root


@dataclass(frozen=True)
class Statement:
    """`target op= expr` as written: op is "" for a plain assignment, else "add", "sub", ..."""

    target: str
    op: str
    expr: Expr


def parse_statement(text: str) -> Statement:
    """Read one statement; CircuitSyntaxError says what is wrong and where."""
    if len(text) > MAX_LENGTH:
        raise CircuitSyntaxError(f"the statement is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    src = text.strip().replace("^", "**").replace("\u2212", "-").replace("\u00d7", "*")
    odd = next((i for i, c in enumerate(src) if not (" " <= c <= "~" or c == "\t")), None)
    if odd is not None:  # Python would read look-alike letters as ASCII ones, and a comment may hide escapes
        raise CircuitSyntaxError(f"the character U+{ord(src[odd]):04X} is not part of a statement: write names, "
                                 f"numbers and operators in plain ASCII; {HELP}", odd)
    try:
        tree = ast.parse(src, mode="exec")
    except (RecursionError, MemoryError):
        raise CircuitSyntaxError(f"the expression nests deeper than {MAX_DEPTH} levels") from None
    except SyntaxError as exc:
        raise CircuitSyntaxError(f"not a statement: {exc.msg}; {HELP}", (exc.offset or 1) - 1) from None
    if len(tree.body) != 1:
        raise CircuitSyntaxError(f"write one statement per entry; {HELP}")
    st = tree.body[0]
    if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
        return Statement(_target(st.targets[0]), "", _Reader(src).read(st.value, 0))
    if isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Name) and type(st.op) in _AUGMENTED:
        return Statement(_target(st.target), _AUGMENTED[type(st.op)], _Reader(src).read(st.value, 0))
    raise CircuitSyntaxError(f"not an assignment; {HELP}", getattr(st, "col_offset", 0))


def _target(node: ast.Name) -> str:
    name = node.id
    if not NAME.fullmatch(name):
        raise CircuitSyntaxError(f"{name!r} cannot name a node: use a letter, then letters, digits or _",
                                 node.col_offset)
    if name in FUNCTIONS or name in ALIASES:
        raise CircuitSyntaxError(f"{name} is a function; name the node something else, e.g. {name}1",
                                 node.col_offset)
    return name


class _Reader:
    """Turns an expression's AST into a tree, allowing only the circuit's gates."""

    def __init__(self, src: str) -> None:
        self.src = src

    def read(self, node: ast.AST, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise CircuitSyntaxError(f"the expression nests deeper than {MAX_DEPTH} levels", _col(node))
        d = depth + 1
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            written = ast.get_source_segment(self.src, node) or ""
            if not NUMBER.fullmatch(written):
                raise CircuitSyntaxError(f"the number {written!r} is not written in decimal digits: write numbers "
                                         "such as 16, 0.5 or 2.5e-3", _col(node))
            try:
                return Const(exact_number(written))
            except ValueError as exc:
                raise CircuitSyntaxError(f"the number {written} {exc}: scale it", _col(node)) from None
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS or node.id in ALIASES:
                raise CircuitSyntaxError(f"{node.id} is a function: write {node.id}(...)", _col(node))
            if not NAME.fullmatch(node.id):
                raise CircuitSyntaxError(f"{node.id!r} is not a name: use a letter, then letters, digits or _",
                                         _col(node))
            return Ref(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.read(node.operand, d)
            if isinstance(node.op, ast.UAdd):
                return inner
            return Const(-inner.value) if isinstance(inner, Const) else Apply("neg", (inner,))
        if isinstance(node, ast.BinOp) and type(node.op) in _AUGMENTED:
            return combine(_AUGMENTED[type(node.op)], self.read(node.left, d), self.read(node.right, d))
        if isinstance(node, ast.Call):
            return self.call(node, d)
        what = {ast.Attribute: "attribute access (a.b)", ast.Subscript: "indexing (a[i])", ast.Compare: "a comparison",
                ast.Lambda: "lambda", ast.Constant: "this constant"}.get(type(node), type(node).__name__)
        raise CircuitSyntaxError(f"{what} is not allowed in a circuit; {HELP}", _col(node))

    def call(self, node: ast.Call, d: int) -> Expr:
        if not isinstance(node.func, ast.Name) or node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise CircuitSyntaxError(f"only named functions with plain arguments may be called, e.g. exp(u); {HELP}",
                                     _col(node))
        name = ALIASES.get(node.func.id, node.func.id)
        if name not in FUNCTIONS:
            raise CircuitSyntaxError(f"unknown function {node.func.id!r}; the functions are "
                                     f"{', '.join(FUNCTIONS)}", _col(node))
        counts, default = FUNCTIONS[name]
        if len(node.args) not in counts:
            raise CircuitSyntaxError(f"{node.func.id} takes {' or '.join(map(str, counts))} argument(s), "
                                     f"not {len(node.args)}", _col(node))
        args = [self.read(a, d) for a in node.args]
        if default is not None:
            if len(args) == 1:
                args.append(Const(default))
            elif not isinstance(args[1], Const):
                raise CircuitSyntaxError(f"{node.func.id}'s second argument is its parameter: write a number, "
                                         f"e.g. {node.func.id}(x, {default})", _col(node.args[1]))
        return Apply(name, tuple(args))


def exact_number(text: str) -> Fraction:
    """A number as written ("0.1", "-3", "2.5e-3", "1/3"), exactly. ValueError says why it is not one
    gradverify judges: not a number, or beyond float64. The float is read first, so that
    "1e999999999" is never written out as an integer."""
    try:
        near = float(Fraction(text)) if "/" in text else float(text)
    except (ValueError, ZeroDivisionError, OverflowError):
        near = math.nan
    if math.isnan(near) or not re.search(r"\d", text):
        raise ValueError("is not a number")
    if math.isinf(near) or (not near and re.search(r"[1-9]", re.split("[eE]", text)[0])):
        raise ValueError("is beyond float64 (about 1e-308 to 1.8e308), the arithmetic gradverify judges in")
    return Fraction(text) if near else Fraction(0)


def _col(node: ast.AST) -> int | None:
    return getattr(node, "col_offset", None)


def combine(op: str, left: Expr, right: Expr) -> Expr:
    """The tree of `left op right`; sums and products of sums and products stay flat."""
    if op == "sub":
        op, right = "add", (Const(-right.value) if isinstance(right, Const) else Apply("neg", (right,)))
    if op in ("add", "mul"):
        parts = [a for side in (left, right) for a in (side.args if isinstance(side, Apply) and side.op == op else (side,))]
        return Apply(op, tuple(parts))
    return Apply(op, (left, right))


def refs(e: Expr) -> list[str]:
    """The names an expression reads, in order of first appearance."""
    return list(dict.fromkeys(r.name for _, r in walk(e) if isinstance(r, Ref)))


def walk(e: Expr, path: Path = ()) -> Iterator[tuple[Path, Expr]]:
    """Every subexpression with its path, the root first."""
    yield path, e
    if isinstance(e, Apply):
        for i, a in enumerate(e.args):
            yield from walk(a, path + (i,))


def at(e: Expr, path: Path) -> Expr:
    """The subexpression at `path`."""
    for i in path:
        assert isinstance(e, Apply)
        e = e.args[i]
    return e


def renamed(e: Expr, names: dict[str, str]) -> Expr:
    """The expression with each name read through `names` (a written name -> its current node id)."""
    if isinstance(e, Ref):
        return Ref(names.get(e.name, e.name))
    if isinstance(e, Apply):
        return Apply(e.op, tuple(renamed(a, names) for a in e.args))
    return e


_SUPERSCRIPT = str.maketrans("0123456789-", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b")
_LEVEL = {"add": 1, "neg": 2, "mul": 3, "div": 3, "pow": 4}  # how tightly each operation binds


def number_text(q: Fraction) -> str:
    """A constant as written: a decimal when it has one ("0.1", "-3"), else a fraction ("1/3")."""
    d = q.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return f"{q.numerator}/{q.denominator}".replace("-", "\u2212")
    scale = 0
    while (q * 10 ** scale).denominator != 1:
        scale += 1
    digits = str(abs(q.numerator * 10 ** scale // q.denominator)).rjust(scale + 1, "0")
    body = digits if not scale else f"{digits[:-scale]}.{digits[-scale:]}"
    return ("\u2212" if q < 0 else "") + body


def text(e: Expr, outer: int = 0) -> str:
    """The expression as plain text for messages: true minus signs, superscript whole powers, a
    middle dot for products ("w0·x0 + w1·x1", "(d − z)²"); e^u, square roots and other powers as the
    judge's sentences write powers ("e^(-w*x)", "(u)^(1/2)"), which a typeset report sets as maths."""
    if isinstance(e, Const):
        s = number_text(e.value)
        return f"({s})" if outer >= 3 and (e.value < 0 or "/" in s) else s
    if isinstance(e, (Named, Ref)):
        return e.name
    level = _LEVEL.get(e.op, 5)
    if e.op == "add":
        s = text(e.args[0], 1)
        for a in e.args[1:]:
            if isinstance(a, Apply) and a.op == "neg":
                s += " \u2212 " + text(a.args[0], 2)
            elif isinstance(a, Const) and a.value < 0:
                s += " \u2212 " + number_text(-a.value)
            else:
                s += " + " + text(a, 1)
    elif e.op == "neg":
        s = "\u2212" + text(e.args[0], 2)
    elif e.op == "mul" and isinstance(e.args[0], Apply) and e.args[0].op == "neg":  # -w*x reads −w·x
        s = "\u2212" + text(Apply("mul", (e.args[0].args[0], *e.args[1:])), 2)
        level = 2
    elif e.op == "mul":
        s = "\u00b7".join(text(a, 3) for a in e.args)
    elif e.op == "div":
        s = f"{text(e.args[0], 2)}/{text(e.args[1], 3)}"
    elif e.op == "pow" and isinstance(e.args[1], Const) and e.args[1].value.denominator == 1:
        s = text(e.args[0], 5) + str(e.args[1].value.numerator).translate(_SUPERSCRIPT)
    elif e.op in ("pow", "exp", "sqrt"):
        base, power = {"pow": e.args, "exp": (Named("e"), e.args[0]),
                       "sqrt": (e.args[0], Const(Fraction(1, 2)))}[e.op]
        return f"{_ascii(base, 5)}^({_ascii(power)})"
    else:
        shown = [text(a) for a in e.args]
        return f"{e.op}({', '.join(shown)})"
    return f"({s})" if level <= outer and level < 5 else s


def _ascii(e: Expr, outer: int = 0) -> str:
    """The expression in the claim parser's syntax ("-w*x", "(d - z)"), for a power in a sentence."""
    if isinstance(e, Const):
        v = e.value
        s = str(v.numerator) if v.denominator == 1 else number_text(v).replace("\u2212", "-")
        return f"({s})" if outer and (v < 0 or "/" in s) else s
    if isinstance(e, (Named, Ref)):
        return e.name
    level = _LEVEL.get(e.op, 5)
    ops = {"add": " + ", "mul": "*", "div": "/", "pow": "^"}
    if e.op in ops:
        parts = [_ascii(a, 1 if i == 0 and e.op == "mul" else (level if e.op != "pow" else 5))
                 for i, a in enumerate(e.args)]  # a leading minus binds to the product: -w*x
        s = ops[e.op].join(parts).replace("+ -", "- ")
    elif e.op == "neg" and isinstance(e.args[0], Apply) and e.args[0].op == "add":  # -(a + b) as -a - b
        return _ascii(Apply("add", tuple(_negated(t) for t in e.args[0].args)), outer)
    elif e.op == "neg":
        s = "-" + _ascii(e.args[0], 2)
    else:
        return f"{e.op}({', '.join(_ascii(a) for a in e.args)})"
    return f"({s})" if level <= outer and level < 5 else s


def _negated(e: Expr) -> Expr:
    if isinstance(e, Const):
        return Const(-e.value)
    return e.args[0] if isinstance(e, Apply) and e.op == "neg" else Apply("neg", (e,))
