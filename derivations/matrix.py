"""A small safe language for vectorized backprop formulas, and their symbolic proof at small sizes.

`grad_W2 = delta3 a2^T`, `delta2 = tanh'(z2) o (W2^T delta3)`, `grad_x = W1^T delta2`,
`grad_W2 = delta3 a2^T + lambda W2`: names, numbers, ^T, juxtaposition or * or @ (matrix
product; a scalar scales), o / .* / \\odot (elementwise product), + -, f(...) and f'(...) for
elementwise activations. A tokenizer and recursive descent; nothing is evaluated from text.
`Layout` says what each name means in a seed's own notation (seed 004's W2/delta3, seed 000's
from_to w1/Delta1, seed 003's dA2 = y - yhat). `Evaluator` runs a tree on any backend (NumPy in
`gradverify.judge.formulas`, SymPy here); `prove` checks a formula symbolically on a 2-layer network whose
output error delta is a vector of free symbols g (so it holds for every loss).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import sympy as sp

from gradverify.derivations.parse import ClaimSyntaxError

ACT_FUNCS = ("sigma", "sigmoid", "tanh", "relu", "identity", "softplus", "tau", "f", "g")
HADAMARD = {"o", "⊙", "∘", ".*", "\\odot", "\\circ"}
MAX_FORMULA = 400


@dataclass(frozen=True)
class Layout:
    """A 2-layer network in one seed's notation: names -> (kind, core layer), activations, loss."""

    name: str
    weights: str  # "to_from" | "from_to"
    activations: tuple[str, str]
    loss: str
    names: Mapping[str, tuple[str, int]]
    functions: Mapping[str, str] = field(default_factory=dict)  # tau -> tanh
    note: str = ""


LAYOUTS: dict[str, Layout] = {
    "004": Layout("004", "to_from", ("tanh", "softmax"), "cross_entropy", {
        "x": ("x", 0), "a1": ("x", 0), "W1": ("W", 0), "W2": ("W", 1), "b2": ("b", 0), "b3": ("b", 1),
        "z2": ("z", 0), "a2": ("a", 0), "z3": ("z", 1), "a3": ("a", 1), "yhat": ("a", 1), "y": ("y", 0),
        "delta2": ("delta", 0), "delta3": ("delta", 1), "grad_W1": ("dW", 0), "grad_W2": ("dW", 1),
        "grad_b2": ("db", 0), "grad_b3": ("db", 1), "grad_x": ("dx", 0)},
        {"tau": "tanh"}, "seed 004: layers 1 (input), 2 (tanh), 3 (softmax + cross-entropy); W1 maps 1 -> 2"),
    "000": Layout("000", "from_to", ("sigmoid", "identity"), "squared_error", {
        "O0": ("x", 0), "x": ("x", 0), "w0": ("W", 0), "w1": ("W", 1), "s0": ("z", 0), "O1": ("a", 0),
        "s1": ("z", 1), "O2": ("a", 1), "y": ("y", 0), "Delta2": ("delta", 0), "Delta1": ("delta", 1),
        "grad_w0": ("dW", 0), "grad_w1": ("dW", 1), "grad_b0": ("db", 0), "grad_b1": ("db", 1)},
        {}, "seed 000 (regression): w^l from_to (w[i][j] from i to j), Delta^1 at the output, Delta^2 below"),
    "001": Layout("001", "to_from", ("sigmoid", "sigmoid"), "squared_error", {
        "x": ("x", 0), "a1": ("x", 0), "w2": ("W", 0), "b2": ("b", 0), "z2": ("z", 0), "a2": ("a", 0),
        "w3": ("W", 1), "b3": ("b", 1), "z3": ("z", 1), "a3": ("a", 1), "y": ("y", 0),
        "delta2": ("delta", 0), "delta3": ("delta", 1), "grad_w2": ("dW", 0), "grad_w3": ("dW", 1),
        "grad_b2": ("db", 0), "grad_b3": ("db", 1)},
        {}, "seed 001 (Nielsen): layers 1 (input), 2, 3, w^l_jk into neuron j of layer l from k; "
        "C = (y - a)^2 as the hand states it"),
    "003": Layout("003", "from_to", ("relu", "softmax"), "cross_entropy", {
        "x0": ("x", 0), "w1": ("W", 0), "w2": ("W", 1), "a1": ("z", 0), "x1": ("a", 0), "a2": ("z", 1),
        "y": ("a", 1), "yhat": ("y", 0), "dA1": ("delta", 0), "dA2": ("delta", 1),
        "grad_w1": ("dW", 0), "grad_w2": ("dW", 1), "grad_b1": ("db", 0), "grad_b2": ("db", 1)},
        {}, "seed 003: a = aggregation (pre-activation), x = node value, y = softmax output, yhat = label"),
}


def layout(name: str) -> Layout:
    """The layout called `name` (000, 001, 003, 004); KeyError lists them."""
    key = str(name).zfill(3)
    if key not in LAYOUTS:
        raise KeyError(f"no formula layout {name!r}; known: {', '.join(sorted(LAYOUTS))}")
    return LAYOUTS[key]


# -- parsing ---------------------------------------------------------------------------------------
_TOK = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z][A-Za-z0-9_]*)|(?P<op>\^T|\\odot|\\circ|\.\*|[-+*@=()'⊙∘]))")


def parse_formula(text: str) -> tuple[str, tuple]:
    """`NAME = expression` -> (NAME, tree); ClaimSyntaxError with a caret on anything else."""
    if not text.strip():
        raise ClaimSyntaxError("the formula is empty", hint="write e.g. grad_W2 = delta3 a2^T")
    if len(text) > MAX_FORMULA:
        raise ClaimSyntaxError(f"formulas are at most {MAX_FORMULA} characters", text, MAX_FORMULA)
    toks: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOK.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise ClaimSyntaxError(f"unexpected {text[pos]!r}", text, pos,
                                   "allowed: names, numbers, ^T, juxtaposition/*/@, o (elementwise), + -, f'(...)")
        kind = m.lastgroup or ""
        toks.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    toks.append(("end", "", len(text)))
    p = _P(text, toks)
    if not (toks[0][0] == "name" and toks[1][1] == "="):
        raise ClaimSyntaxError("a formula is NAME = expression, e.g. grad_W2 = delta3 a2^T", text, 0)
    p.i = 2
    tree = p.expr(0)
    if p.peek()[0] != "end":
        raise p.fail(f"unexpected {p.peek()[1]!r}")
    return toks[0][1], tree


class _P:
    def __init__(self, text: str, toks: list) -> None:
        self.text, self.toks, self.i = text, toks, 0

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def fail(self, msg: str) -> ClaimSyntaxError:
        return ClaimSyntaxError(msg, self.text, self.peek()[2])

    def expr(self, depth: int) -> tuple:
        if depth > 40:
            raise self.fail("the formula nests too deeply")
        items = [self.term(depth)]
        while self.peek()[1] in ("+", "-"):
            neg = self.toks[self.i][1] == "-"
            self.i += 1
            t = self.term(depth)
            items.append(("neg", t) if neg else t)
        return items[0] if len(items) == 1 else ("+", *items)

    def term(self, depth: int) -> tuple:
        node = self.unary(depth)
        while True:
            kind, val, _ = self.peek()
            if val in HADAMARD or (kind == "name" and val == "o"):
                self.i += 1
                node = ("had", node, self.unary(depth))
            elif val in ("*", "@"):
                self.i += 1
                node = ("mm", node, self.unary(depth))
            elif kind in ("name", "num") or val == "(":
                node = ("mm", node, self.unary(depth))
            else:
                return node

    def unary(self, depth: int) -> tuple:
        if self.peek()[1] == "-":
            self.i += 1
            return ("neg", self.unary(depth))
        node = self.primary(depth)
        while self.peek()[1] == "^T":
            self.i += 1
            node = ("T", node)
        return node

    def primary(self, depth: int) -> tuple:
        kind, val, _ = self.peek()
        if kind == "num":
            self.i += 1
            return ("num", val)
        if val == "(":
            self.i += 1
            inner = self.expr(depth + 1)
            if self.peek()[1] != ")":
                raise self.fail("missing )")
            self.i += 1
            return inner
        if kind == "name":
            self.i += 1
            deriv = False
            if self.peek()[1] == "'":
                deriv = True
                self.i += 1
            if self.peek()[1] == "(" and val in ACT_FUNCS:
                self.i += 1
                arg = self.expr(depth + 1)
                if self.peek()[1] != ")":
                    raise self.fail("missing )")
                self.i += 1
                return ("fn", val, deriv, arg)
            if deriv:
                raise self.fail(f"{val}' needs an argument: write {val}'(z2)")
            return ("name", val)
        raise self.fail("expected a name, a number or (")


# -- evaluation on a backend -----------------------------------------------------------------------
class FormulaShapeError(ValueError):
    """Operands whose shapes do not fit (the message names both shapes)."""


@dataclass
class Backend:
    """How to compute: matmul, elementwise product, transpose, shape, elementwise f and f'."""

    matmul: Callable[[Any, Any], Any]
    hadamard: Callable[[Any, Any], Any]
    transpose: Callable[[Any], Any]
    shape: Callable[[Any], tuple[int, ...]]
    apply: Callable[[str, bool, Any], Any]
    number: Callable[[str], Any]


class Evaluator:
    """Runs a formula tree with values bound to names (matrices, column vectors, scalars)."""

    def __init__(self, backend: Backend, values: Mapping[str, Any], functions: Mapping[str, str]) -> None:
        self.b, self.values, self.functions = backend, values, functions

    def run(self, n: tuple) -> Any:
        tag = n[0]
        if tag == "num":
            return self.b.number(n[1])
        if tag == "name":
            if n[1] not in self.values:
                raise KeyError(n[1])
            return self.values[n[1]]
        if tag == "T":
            return self.b.transpose(self.run(n[1]))
        if tag == "neg":
            return -1 * self.run(n[1])
        if tag == "+":
            parts = [self.run(c) for c in n[1:]]
            out = parts[0]
            for p in parts[1:]:
                if self.b.shape(out) != self.b.shape(p):
                    raise FormulaShapeError(f"cannot add shapes {self.b.shape(out)} and {self.b.shape(p)}")
                out = out + p
            return out
        if tag in ("mm", "had"):
            a, c = self.run(n[1]), self.run(n[2])
            sa, sc = self.b.shape(a), self.b.shape(c)
            if not sa or not sc:
                return a * c
            if tag == "mm":
                if sa[1] != sc[0]:
                    raise FormulaShapeError(f"cannot multiply {sa[0]}x{sa[1]} by {sc[0]}x{sc[1]}")
                return self.b.matmul(a, c)
            if sa != sc:
                raise FormulaShapeError(f"elementwise product of {sa[0]}x{sa[1]} and {sc[0]}x{sc[1]}")
            return self.b.hadamard(a, c)
        if tag == "fn":
            name = self.functions.get(n[1], n[1])
            return self.b.apply(name, n[2], self.run(n[3]))
        raise ValueError(tag)


def names_of(tree: tuple) -> set[str]:
    """Names a formula tree uses (functions excluded)."""
    if tree[0] == "name":
        return {tree[1]}
    if tree[0] == "fn":
        return names_of(tree[3])
    out: set[str] = set()
    for c in tree[1:]:
        if isinstance(c, tuple):
            out |= names_of(c)
    return out


# -- symbolic proof at small sizes -----------------------------------------------------------------
_SYM_ACT = {
    "tanh": (sp.tanh, lambda u: 1 - sp.tanh(u) ** 2),
    "sigmoid": (lambda u: 1 / (1 + sp.exp(-u)), lambda u: sp.exp(-u) / (1 + sp.exp(-u)) ** 2),
    "sigma": (lambda u: 1 / (1 + sp.exp(-u)), lambda u: sp.exp(-u) / (1 + sp.exp(-u)) ** 2),
    "identity": (lambda u: u, lambda u: sp.Integer(1)),
    "softplus": (lambda u: sp.log(1 + sp.exp(u)), lambda u: 1 / (1 + sp.exp(-u))),
}


def sympy_backend() -> Backend:
    def apply(name: str, deriv: bool, m: sp.Matrix) -> sp.Matrix:
        if name not in _SYM_ACT:
            raise NotImplementedError(name)
        f = _SYM_ACT[name][1 if deriv else 0]
        return m.applyfunc(f) if isinstance(m, sp.MatrixBase) else f(m)

    def transpose(a: Any) -> Any:  # a scalar (lambda, 0.5) is its own transpose
        return a.T if isinstance(a, sp.MatrixBase) else a

    return Backend(lambda a, b: a * b, lambda a, b: a.multiply_elementwise(b), transpose,
                   lambda a: a.shape if isinstance(a, sp.MatrixBase) else (),
                   apply, lambda s: sp.Rational(s))


def prove(lhs: str, tree: tuple, lay: Layout, sizes: tuple[int, int, int] = (2, 3, 2)) -> dict[str, Any]:
    """Symbolic check on a network of `sizes`: x, W, b symbolic, the output error a vector of free
    symbols g (dL/dz at the output, any loss), hidden activation concrete. Returns {verdict,
    method, sizes} with verdict "proved" | "refuted" | "not symbolic" (names that need the loss)."""
    used = [lay.names[n] for n in names_of(tree) | {lhs} if n in lay.names]
    if any(kind == "y" or (kind == "a" and k == 1) for kind, k in used) or lay.activations[0] not in _SYM_ACT:
        return {"verdict": "not symbolic", "method": "the formula involves the loss itself (y, outputs) or a "
                "kinked activation; checked numerically only"}
    n0, n1, n2 = sizes
    x = sp.Matrix(sp.symbols(f"x1:{n0 + 1}", real=True))
    W = [sp.Matrix(n1, n0, lambda i, j: sp.Symbol(f"W0_{i}{j}", real=True)),
         sp.Matrix(n2, n1, lambda i, j: sp.Symbol(f"W1_{i}{j}", real=True))]
    b = [sp.Matrix(sp.symbols(f"b0_1:{n1 + 1}", real=True)), sp.Matrix(sp.symbols(f"b1_1:{n2 + 1}", real=True))]
    g = sp.Matrix(sp.symbols(f"g1:{n2 + 1}", real=True))  # dL/dz at the output
    lam = sp.Symbol("lambda", positive=True)
    f, _fp = _SYM_ACT[lay.activations[0]]
    z = [W[0] * x + b[0]]
    a = [z[0].applyfunc(f)]
    z.append(W[1] * a[0] + b[1])
    # L = G(z_out) + lambda/2 sum W^2: first-order change of L is g . dz_out
    def grad(param: sp.Symbol) -> sp.Expr:
        return sum(g[k] * sp.diff(z[1][k], param) for k in range(n2))
    def hidden_error() -> sp.Matrix:
        """dL/dz of the hidden layer: z_out written in free hidden pre-activations u, differentiated."""
        u = sp.symbols(f"u1:{n1 + 1}", real=True)
        z_out = W[1] * sp.Matrix([f(ui) for ui in u]) + b[1]
        back = dict(zip(u, z[0]))
        return sp.Matrix([sum(g[m] * sp.diff(z_out[m], u[i]) for m in range(n2)).subs(back) for i in range(n1)])

    truth_of = {
        "dW": lambda k: sp.Matrix(W[k].rows, W[k].cols, lambda i, j: grad(W[k][i, j]) + lam * W[k][i, j]),
        "db": lambda k: sp.Matrix([grad(s) for s in b[k]]),
        "dx": lambda k: sp.Matrix([grad(s) for s in x]),
        "delta": lambda k: g if k == 1 else hidden_error(),
    }
    from_to = lay.weights == "from_to"
    values: dict[str, Any] = {"lambda": lam}
    for name, (kind, k) in lay.names.items():
        if kind == "x":
            values[name] = x
        elif kind == "W":
            values[name] = W[k].T if from_to else W[k]
        elif kind == "b":
            values[name] = b[k]
        elif kind == "z":
            values[name] = z[k]
        elif kind == "a" and k == 0:
            values[name] = a[0]
        elif kind == "delta" and name != lhs:
            values[name] = g if k == 1 else hidden_error()
    kind, k = lay.names[lhs]
    if kind not in truth_of:
        return {"verdict": "not symbolic", "method": f"{lhs} is not a gradient or error"}
    truth = truth_of[kind](k)
    if kind == "dW" and "lambda" not in names_of(tree):
        truth = truth.subs(lam, 0)
    if kind == "dW" and from_to:
        truth = truth.T
    try:
        got = Evaluator(sympy_backend(), values, lay.functions).run(tree)
    except FormulaShapeError as exc:
        return {"verdict": "refuted", "method": f"shapes: {exc}", "sizes": sizes}
    except KeyError as exc:
        return {"verdict": "not symbolic", "method": f"{exc.args[0]} has no symbolic value here"}
    if not isinstance(got, sp.MatrixBase) or got.shape != truth.shape:
        return {"verdict": "refuted", "method": f"shape {getattr(got, 'shape', ())} instead of {truth.shape}",
                "sizes": sizes}
    diff = (got - truth).applyfunc(lambda e: sp.expand(e))
    if all(e == 0 for e in diff):
        return {"verdict": "proved", "method": "entries expand to the chain rule's, for any loss (output error g)",
                "sizes": sizes}
    return {"verdict": "refuted", "method": "an entry differs symbolically", "sizes": sizes,
            "entry": str(next(e for e in diff if e != 0))[:200]}
