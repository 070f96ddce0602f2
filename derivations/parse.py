"""Safe parsing of claimed formulas in SymPy syntax: Python's `ast` with a whitelist, never eval.

User text becomes a neutral tree of tuples (`Node`) that holds no SymPy objects, so the parent
process stays import-light; `equivalence.Builder` turns a tree into SymPy inside the sandbox.
Tree nodes: ("num", "1.5"), ("name", "x" | "s_i"), ("+", a, b, ...), ("*", a, b, ...),
("/", a, b), ("^", a, b), ("neg", a), ("fn", NAME, arg, ...), ("pw", (value, cond), ...),
("rel", OP, a, b), ("true",), ("and", c, ...), ("sum", index, lo, hi, body).
"""

from __future__ import annotations

import ast
import re
from fractions import Fraction
from typing import Any

Node = tuple

MAX_LENGTH = 2000
MAX_DEPTH = 60
MAX_NODES = 1500
MAX_INT_DIGITS = 30
MAX_EXPONENT = 1000
MAX_FACTORIAL = 20
MAX_SUM_TERMS = 64

# Canonical function names (what `build` knows) and the arity each takes.
FUNCTIONS: dict[str, tuple[int, ...]] = {
    "sigma": (1,), "tanh": (1,), "sech": (1,), "cosh": (1,), "sinh": (1,), "exp": (1,),
    "log": (1,), "sqrt": (1,), "erf": (1,), "Phi": (1,), "phi": (1,), "relu": (1,),
    "Max": (2, 3), "Min": (2, 3), "Abs": (1,), "sign": (1,), "Heaviside": (1, 2),
    "KroneckerDelta": (2,), "factorial": (1,), "softplus": (1,), "coth": (1,),
}
ALIASES = {
    "sigmoid": "sigma", "σ": "sigma", "max": "Max", "min": "Min", "abs": "Abs", "sgn": "sign",
    "H": "Heaviside", "ln": "log", "delta": "KroneckerDelta", "kronecker": "KroneckerDelta",
    "ReLU": "relu", "Relu": "relu",
}
CONSTANTS = {"e": "E", "E": "E", "pi": "pi", "π": "pi"}
# Asking the tool to do the calculus (or to run code) is refused with this explanation.
OPERATORS = {
    "diff", "Derivative", "derivative", "D", "integrate", "Integral", "integral", "limit", "Limit",
    "grad", "gradient", "jacobian", "Subs", "subs", "nabla", "partial",
}
DANGEROUS = {
    "eval", "exec", "compile", "open", "getattr", "setattr", "globals", "locals", "vars", "input",
    "lambda", "import", "breakpoint", "help", "dir", "type", "object", "sympify", "S", "parse_expr",
}
NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}(_[A-Za-z0-9]{1,4})?")

ALLOWED_HELP = (
    "allowed: numbers, names (x, y, a, alpha, s_i, y_i), + - * / ** (or ^), parentheses and the "
    "functions " + ", ".join(sorted(FUNCTIONS)) + " (also sigmoid, max, min, abs, sgn, ln, delta), "
    "Piecewise((value, condition), ...)"
)


class ClaimSyntaxError(ValueError):
    """Unusable claim text: says what is wrong, where (a caret under the text) and what is allowed."""

    def __init__(self, message: str, text: str = "", pos: int | None = None, hint: str = "") -> None:
        self.message, self.text, self.pos, self.hint = message, text, pos, hint
        super().__init__(self.render())

    def render(self) -> str:
        lines = [self.message]
        if self.text and self.pos is not None and len(self.text) <= 200 and "\n" not in self.text:
            shown = "".join(c if c.isprintable() else "?" for c in self.text)  # no control chars on a terminal
            lines += ["  " + shown, "  " + " " * max(0, min(self.pos, len(self.text))) + "^"]
        elif self.pos is not None:
            lines.append(f"  at character {self.pos + 1}")
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


def parse_sympy(text: str) -> Node:
    """Parse SymPy/Python-syntax claim text into a tree; raise ClaimSyntaxError, never evaluate."""
    _check_length(text)
    src = text.replace("^", "**").replace("\u2212", "-")
    # `lambda` (the regularization strength) is a Python keyword: read it as a name unless it
    # starts a function definition (lambda x: ...), which stays refused.
    src = re.sub(r"\blambda\b(?![\s\w,*]*:)", "lambda_", src)
    for word in OPERATORS:
        m = re.search(rf"\b{word}\s*\(", src)
        if m:
            raise ClaimSyntaxError(f"a claim may not contain the derivative operator {word!r}: gradverify "
                                   "judges the derivative you worked out, it does not take it for you",
                                   text, m.start(), "write the result of your differentiation instead")
    try:
        tree = ast.parse(src.strip(), mode="eval")
    except (RecursionError, MemoryError):
        raise ClaimSyntaxError(f"the formula nests too deeply (at most {MAX_DEPTH} levels)", text) from None
    except SyntaxError as exc:
        pos = (exc.offset or 1) - 1
        raise ClaimSyntaxError(f"not a formula in SymPy syntax: {exc.msg}", text, pos, ALLOWED_HELP) from None
    conv = _Converter(text)
    for sub in ast.walk(tree):  # refuse the dangerous shapes wherever they sit, before anything else
        if isinstance(sub, ast.Attribute):
            raise conv.fail(sub, "attribute access (a.b) is not allowed in a claim")
        if isinstance(sub, ast.Lambda):
            raise conv.fail(sub, "lambda is not allowed in a claim")
    node = conv.visit(tree.body, 0)
    check_bounds(node, text)
    return node


def _check_length(text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ClaimSyntaxError("the claim is empty", hint="write a formula such as s*(1-s) or 1 - tanh(x)**2")
    if len(text) > MAX_LENGTH:
        raise ClaimSyntaxError(f"the claim is {len(text)} characters long; at most {MAX_LENGTH} are allowed",
                               text, MAX_LENGTH)


class _Converter:
    """Walks a Python AST allowing only whitelisted node types; everything else is an error."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.count = 0

    def fail(self, node: ast.AST, message: str, hint: str = ALLOWED_HELP) -> ClaimSyntaxError:
        return ClaimSyntaxError(message, self.text, getattr(node, "col_offset", None), hint)

    def visit(self, node: ast.AST, depth: int) -> Node:
        self.count += 1
        if depth > MAX_DEPTH:
            raise self.fail(node, f"the formula nests deeper than {MAX_DEPTH} levels", "")
        if self.count > MAX_NODES:
            raise self.fail(node, f"the formula has more than {MAX_NODES} parts", "")
        d = depth + 1
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node.id, node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
            return self.chain(node, d)
        if isinstance(node, ast.BinOp):
            ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
            op = ops.get(type(node.op))
            if op is None:
                raise self.fail(node, f"the operator {type(node.op).__name__} is not allowed")
            left, right = self.visit(node.left, d), self.visit(node.right, d)
            if op == "-":
                return ("+", left, ("neg", right))
            return (op, left, right)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return ("neg", self.visit(node.operand, d))
            if isinstance(node.op, ast.UAdd):
                return self.visit(node.operand, d)
            raise self.fail(node, f"the operator {type(node.op).__name__} is not allowed")
        if isinstance(node, ast.Call):
            return self.call(node, d)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Attribute):
            raise self.fail(node, "attribute access (a.b) is not allowed in a claim")
        if isinstance(node, ast.Lambda):
            raise self.fail(node, "lambda is not allowed in a claim")
        if isinstance(node, ast.Compare):
            raise self.fail(node, "a comparison is only allowed as the condition of Piecewise((value, condition), ...)")
        raise self.fail(node, f"{type(node).__name__} is not allowed in a formula")

    def chain(self, node: ast.BinOp, d: int) -> Node:
        """a + b - c + ... (or a * b * c) flattened, so a long sum is wide, not deep."""
        additive = isinstance(node.op, (ast.Add, ast.Sub))
        kinds = (ast.Add, ast.Sub) if additive else (ast.Mult,)
        parts: list[tuple[ast.AST, bool]] = []
        cur: ast.AST = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, kinds):
            parts.append((cur.right, isinstance(cur.op, ast.Sub)))
            cur = cur.left
            self.count += 1
            if self.count > MAX_NODES:
                raise self.fail(node, f"the formula has more than {MAX_NODES} parts", "")
        parts.append((cur, False))
        items = []
        for sub, negate in reversed(parts):
            built = self.visit(sub, d)
            items.append(("neg", built) if negate else built)
        return ("+" if additive else "*", *items)

    def constant(self, node: ast.Constant) -> Node:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(node, f"only numbers are allowed as constants, not {type(v).__name__}")
        if isinstance(v, int) and len(str(abs(v))) > MAX_INT_DIGITS:
            raise self.fail(node, f"integers of more than {MAX_INT_DIGITS} digits are not allowed", "")
        if isinstance(v, float):
            seg = ast.get_source_segment(self.text.replace("^", "**"), node) or repr(v)
            return ("num", seg if _NUMBER.fullmatch(seg) else repr(v))
        return ("num", str(v))

    def name(self, ident: str, node: ast.AST) -> Node:
        if ident == "lambda_":
            return ("name", "lambda")
        if ident.startswith("_") or "__" in ident:
            raise self.fail(node, f"the name {ident!r} is not allowed (names may not start with _)")
        if ident in DANGEROUS:
            raise self.fail(node, f"{ident!r} is not allowed in a claim")
        if ident in CONSTANTS:
            return ("name", CONSTANTS[ident])
        if ident in FUNCTIONS or ident in ALIASES:
            if ALIASES.get(ident) == "KroneckerDelta" or ident == "delta":
                return ("name", ident)
            # a bare function name is its value (sigma for s): the claim's entry decides whether
            # it may stand alone (gradverify.derivations.valuenames)
            return ("name", ALIASES.get(ident, ident))
        if not NAME_RE.fullmatch(ident):
            raise self.fail(node, f"the name {ident!r} is not allowed: use letters and digits, with an "
                            "optional index such as s_i or y_2")
        return ("name", ident)

    def call(self, node: ast.Call, d: int) -> Node:
        if isinstance(node.func, ast.Attribute):
            raise self.fail(node.func, "attribute access (a.b) is not allowed in a claim")
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only named functions may be called, e.g. tanh(x)")
        if node.keywords:
            raise self.fail(node, "keyword arguments are not allowed")
        fname = node.func.id
        if fname in DANGEROUS or fname.startswith("_"):
            raise self.fail(node, f"calling {fname!r} is not allowed")
        if fname == "Piecewise":
            return self.piecewise(node, d)
        canon = ALIASES.get(fname, fname)
        if canon not in FUNCTIONS:
            raise self.fail(node, f"unknown function {fname!r}")
        if len(node.args) not in FUNCTIONS[canon]:
            raise self.fail(node, f"{fname} takes {' or '.join(map(str, FUNCTIONS[canon]))} argument(s), "
                            f"not {len(node.args)}")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(node, "*arguments are not allowed")
        args = [self.visit(a, d) for a in node.args]
        if canon == "factorial":
            n = const_value(args[0])
            if n is None or n.denominator != 1 or not 0 <= n <= MAX_FACTORIAL:
                raise self.fail(node, f"factorial is allowed only of an integer 0..{MAX_FACTORIAL}", "")
        return ("fn", canon, *args)

    def piecewise(self, node: ast.Call, d: int) -> Node:
        pieces = []
        for arg in node.args:
            if not isinstance(arg, ast.Tuple) or len(arg.elts) != 2:
                raise self.fail(arg, "Piecewise takes pairs (value, condition)")
            pieces.append((self.visit(arg.elts[0], d), self.condition(arg.elts[1], d)))
        if not pieces:
            raise self.fail(node, "Piecewise needs at least one (value, condition) pair")
        return ("pw", *pieces)

    def condition(self, node: ast.AST, d: int) -> Node:
        if isinstance(node, ast.Constant) and node.value is True:
            return ("true",)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            return ("and", *[self.condition(v, d) for v in node.values])
        if isinstance(node, ast.Compare):
            ops = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!="}
            parts, left = [], self.visit(node.left, d)
            for op, comp in zip(node.ops, node.comparators):
                if type(op) not in ops:
                    raise self.fail(node, "conditions use > >= < <= == !=")
                right = self.visit(comp, d)
                parts.append(("rel", ops[type(op)], left, right))
                left = right
            return parts[0] if len(parts) == 1 else ("and", *parts)
        raise self.fail(node, "a Piecewise condition is a comparison such as x > 0, or True")

    def subscript(self, node: ast.Subscript) -> Node:
        if not isinstance(node.value, ast.Name) or node.value.id not in INDEXED:
            raise self.fail(node, "subscripts are only allowed as s[i], x[i], y[i], a[i], v[i] "
                            "(or write s_i)")
        sl = node.slice
        if isinstance(sl, ast.Name) and len(sl.id) <= 2:
            return ("name", f"{node.value.id}_{sl.id}")
        if isinstance(sl, ast.Constant) and isinstance(sl.value, int) and 0 <= sl.value < 1000:
            return ("name", f"{node.value.id}_{sl.value}")
        raise self.fail(node, "an index is a letter such as i or a small integer")


INDEXED = {"s", "x", "y", "a", "v", "z", "yhat", "t", "d"}
_NUMBER = re.compile(r"\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?")


def const_value(node: Node) -> Fraction | None:
    """The exact value of a constant subtree (bounded), or None when it holds a name or function."""
    tag = node[0]
    if tag == "num":
        return parse_number(node[1])
    if tag == "neg":
        v = const_value(node[1])
        return None if v is None else -v
    if tag in ("+", "*"):
        vals = [const_value(c) for c in node[1:]]
        if any(v is None for v in vals):
            return None
        out = Fraction(0 if tag == "+" else 1)
        for v in vals:
            out = out + v if tag == "+" else out * v
        return out
    if tag == "/":
        a, b = const_value(node[1]), const_value(node[2])
        if a is None or b is None or b == 0:
            return None
        return a / b
    if tag == "^":
        a, b = const_value(node[1]), const_value(node[2])
        if a is None or b is None or b.denominator != 1 or abs(b) > MAX_EXPONENT:
            return None
        if a == 0 and b < 0:
            return None
        if abs(a.numerator) > 1 and abs(b) * len(str(abs(a.numerator))) > 4 * MAX_EXPONENT:
            return None
        return a ** int(b)
    return None


def parse_number(text: str) -> Fraction:
    """A decimal literal as an exact fraction (1.2e-7 is 12/10^8), with a bounded exponent."""
    m = re.fullmatch(r"(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?", text)
    if not m or not (m.group(1) or m.group(2)):
        raise ClaimSyntaxError(f"{text!r} is not a number")
    whole, frac, exp = m.group(1) or "0", m.group(2) or "", int(m.group(3) or 0)
    if abs(exp) > 300 or len(whole) + len(frac) > 40:
        raise ClaimSyntaxError(f"the number {text!r} is too large or too long")
    return Fraction(int(whole + frac), 10 ** len(frac)) * Fraction(10) ** exp


def check_bounds(node: Node, text: str) -> None:
    """Refuse runaway constants (9**9**9), too many nodes, too deep trees, over-long sums."""
    count = 0
    stack: list[tuple[Node, int]] = [(node, 0)]
    while stack:
        n, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ClaimSyntaxError(f"the formula has more than {MAX_NODES} parts", text)
        if depth > MAX_DEPTH:
            raise ClaimSyntaxError(f"the formula nests deeper than {MAX_DEPTH} levels", text)
        tag = n[0]
        if tag == "^":
            _check_power(n, text)
        if tag == "pw":
            for value, cond in n[1:]:
                stack += [(value, depth + 1), (cond, depth + 1)]
            continue
        for child in n[1:]:
            if isinstance(child, tuple):
                stack.append((child, depth + 1))


def _check_power(n: Node, text: str) -> None:
    base, exp = n[1], n[2]
    if names_in(exp):
        return  # a symbolic exponent (e^{-x}) stays symbolic: nothing is computed from it
    size = _float_value(exp)
    if size is None or abs(size) > MAX_EXPONENT:
        shown = "too large to compute" if size is None else f"about {size:.3g}"
        raise ClaimSyntaxError(f"exponents may be at most {MAX_EXPONENT} in size (this one is {shown})",
                               text, None, "write a smaller exponent")
    base_size = _float_value(base)
    if base_size is None and not names_in(base):
        raise ClaimSyntaxError("this power of a constant is too large to allow", text, None,
                               "write a smaller number")
    if base_size is not None and base_size != 0:
        import math

        if abs(size) * math.log10(abs(base_size) + 1e-300) > 4 * MAX_EXPONENT:
            raise ClaimSyntaxError("this power of a constant is too large to allow", text, None,
                                   "write a smaller number")


def _float_value(node: Node) -> float | None:
    """A constant subtree's value in floating point, None on overflow (bounded work: no bignums)."""
    tag = node[0]
    try:
        if tag == "num":
            return float(node[1])
        if tag == "neg":
            v = _float_value(node[1])
            return None if v is None else -v
        if tag in ("+", "*"):
            vals = [_float_value(c) for c in node[1:]]
            if any(v is None for v in vals):
                return None
            out = 0.0 if tag == "+" else 1.0
            for v in vals:
                out = out + v if tag == "+" else out * v
            return out
        if tag == "/":
            a, b = _float_value(node[1]), _float_value(node[2])
            return None if a is None or not b else a / b
        if tag == "^":
            a, b = _float_value(node[1]), _float_value(node[2])
            if a is None or b is None:
                return None
            v = a ** b
            return v.real if isinstance(v, complex) else v
    except (OverflowError, ZeroDivisionError, ValueError):
        return None
    return None


def names_in(node: Any) -> set[str]:
    """Every name (and function) mentioned in a tree."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if not isinstance(n, tuple) or not n:
            continue
        if n[0] == "name":
            out.add(n[1])
            continue
        if n[0] == "fn":
            out.add(n[1] + "()")
            stack.extend(n[2:])
            continue
        tagged = isinstance(n[0], str)  # a Piecewise (value, condition) pair has no tag
        stack.extend(c for c in (n[1:] if tagged else n) if isinstance(c, tuple))
    return out


def parse(text: str, syntax: str = "auto") -> Node:
    """Parse claim text in "sympy" or "latex" syntax; "auto" picks LaTeX when it sees a backslash
    command or braces."""
    if syntax == "auto":
        syntax = detect(text)
        if syntax == "sympy":
            try:
                return parse_sympy(text)
            except ClaimSyntaxError as first:
                if _refused(first):
                    raise
                from gradverify.derivations import latex

                try:  # implicit multiplication such as 2(y - a) or 2x is LaTeX-style
                    return latex.parse_latex(text)
                except ClaimSyntaxError:
                    raise first from None
    if syntax == "latex":
        from gradverify.derivations import latex

        return latex.parse_latex(text)
    if syntax == "sympy":
        return parse_sympy(text)
    raise ValueError(f"syntax must be 'sympy', 'latex' or 'auto', not {syntax!r}")


def _refused(exc: ClaimSyntaxError) -> bool:
    """Errors that refuse the text outright (code, derivative operators, bounds), not mere syntax."""
    return not exc.message.startswith(("not a formula", "only named functions", "unknown function"))


def detect(text: str) -> str:
    """"latex" when the text has backslash commands, braces or a LaTeX-only construct, else "sympy"."""
    if "\\" in text or "{" in text or "&" in text:
        return "latex"
    return "sympy"
