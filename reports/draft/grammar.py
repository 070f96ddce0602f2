"""The grammar of a chain member: LaTeX tokens -> a tree of `nodes`, by recursive descent.

The reader is lenient: what it cannot read becomes `Raw`, never an error, since a write-up is prose
with mathematics in it, not a program.
"""

from __future__ import annotations

import functools

from gradverify.draft.nodes import Call, Deriv, Frac, Group, Matrix, Node, Num, Op, Raw, Sum, Sym, Text
from gradverify.draft.tokens import Tok, group_end, tokenize

MATRICES = {"matrix", "bmatrix", "pmatrix", "vmatrix", "Bmatrix", "Vmatrix", "smallmatrix", "array"}
# Names that take an argument in parentheses: f(x) is a call, w(a + b) a product.
CALLABLE = {"sigma", "tau", "rho", "phi", "varphi", "tanh", "exp", "log", "ln", "max", "min", "f", "g", "h",
            "relu", "ReLU", "softmax", "sigmoid", "sgn", "sign", "L", "C", "E", "J", "l", "Loss", "loss"}
WORDS = ("softmax", "sigmoid", "ReLU", "relu", "tanh", "Loss", "loss", "Cost", "cost")
MUL = {"times": "*", "cdot": "*", "odot": "odot", "circ": "odot", "otimes": "odot", "div": "/"}
JUNK = {".", ",", "/", "!", "?", "'", ";", ":"}
MAX_DEPTH = 40


def parse(text: str, names: frozenset[str] = frozenset()) -> Node:
    """One member of an equation chain as a tree; `names` are multi-letter symbols of the notation."""
    return parse_tokens(tokenize(text), names)


def parse_tokens(toks: list[Tok], names: frozenset[str] = frozenset(), depth: int = 0) -> Node:
    """The tree of a member already split into tokens (trailing stray marks are ignored)."""
    while toks and toks[-1].kind == "sym" and toks[-1].text in JUNK:
        toks = toks[:-1]
    if not toks:
        return Raw("")
    p = _Parser(toks, names, depth)
    try:
        node = p.expr()
    except _Stop:
        return Raw(_text(toks))
    if p.i < len(toks):
        return Raw(_text(toks))
    return node


def _text(toks: list[Tok]) -> str:
    return " ".join(("\\" + t.text) if t.kind == "cmd" else t.text for t in toks)


class _Stop(Exception):
    """The member is not an expression this reader knows."""


class _Parser:
    def __init__(self, toks: list[Tok], names: frozenset[str], depth: int):
        self.toks, self.i, self.names, self.depth = toks, 0, names, depth

    def peek(self, k: int = 0) -> Tok:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else Tok("end", "")

    def take(self) -> Tok:
        t = self.peek()
        if t.kind == "end":
            raise _Stop
        self.i += 1
        return t

    def expect(self, sym: str) -> None:
        if not self.peek().is_("sym", sym):
            raise _Stop
        self.i += 1

    # -- grammar ---------------------------------------------------------------------------------
    def expr(self) -> Node:
        terms = [self.signed()]
        while self.peek().is_("sym", "+", "-"):
            terms.append(self.signed())
        return terms[0] if len(terms) == 1 else Op("+", tuple(terms))

    def signed(self) -> Node:
        if self.peek().is_("sym", "-"):
            self.i += 1
            return Op("neg", (self.term(),))
        if self.peek().is_("sym", "+"):
            self.i += 1
        return self.term()

    def term(self) -> Node:
        node = self.factor()
        while True:
            t = self.peek()
            if t.is_("cmd", *MUL) or t.is_("sym", "*", "/") or self._x_times():
                self.i += 1
                op = MUL.get(t.text, "/" if t.text == "/" else "*")
                right = self.signed_factor()
                node = Op("/", (node, right)) if op == "/" else _join(op, node, right)
            elif self._starts_factor():
                node = _join("*", node, self.factor())
            else:
                return node

    def _x_times(self) -> bool:
        """An OCR'd or typed 'x' between two numbers is a multiplication sign."""
        after = self.peek(2) if self.peek(1).is_("sym", "-") else self.peek(1)
        return (self.peek().is_("letter", "x") and self.i > 0 and self.toks[self.i - 1].kind == "num"
                and after.kind == "num")

    def signed_factor(self) -> Node:
        if self.peek().is_("sym", "-"):
            self.i += 1
            return Op("neg", (self.factor(),))
        return self.factor()

    def _starts_factor(self) -> bool:
        t = self.peek()
        if t.kind in ("num", "letter", "text"):
            return True
        if t.kind == "sym":
            return t.text in "([{"
        return t.kind == "cmd" and t.text not in ("\\", "quad", "qquad", "end") and t.text not in RELATIONS

    def factor(self) -> Node:
        node = self.atom()
        while True:
            t = self.peek()
            if t.is_("sym", "^"):
                self.i += 1
                exp = self.script()
                if isinstance(exp, Sym) and exp.name in ("T", "top", "intercal", "tr"):
                    node = Op("T", (node,))
                elif isinstance(node, Sym) and not node.sup:
                    node = Sym(node.name, node.sub, _script_text(exp), node.primes, node.accent)
                else:
                    node = Op("^", (node, exp))
            elif t.is_("sym", "_") and isinstance(node, Sym):
                self.i += 1
                node = Sym(node.name, _script_text(self.script()), node.sup, node.primes, node.accent)
            elif t.is_("sym", "'") and isinstance(node, Sym):
                self.i += 1
                node = Sym(node.name, node.sub, node.sup, node.primes + 1, node.accent)
            elif t.is_("sym", "(") and isinstance(node, Sym) and (node.name in CALLABLE or node.primes):
                self.i += 1
                args = [self.expr()]
                while self.peek().is_("sym", ","):
                    self.i += 1
                    args.append(self.expr())
                self.expect(")")
                node = Call(node, tuple(args))
            else:
                return node

    def script(self) -> Node:
        """The argument of ^ or _: a braced group or one token."""
        if self.peek().is_("sym", "{"):
            end = group_end(self.toks, self.i)
            inner = self.toks[self.i + 1:end - 1]
            self.i = end
            node = parse_tokens(inner, self.names, self.depth + 1) if inner else Raw("")
            return node if not isinstance(node, Raw) else Raw(_text(inner))
        t = self.take()
        if t.kind == "num":
            return Num(t.text)
        if t.kind == "cmd":
            return Sym(t.text)
        return Sym(t.text) if t.kind == "letter" else Raw(t.text)

    def atom(self) -> Node:
        """Every nested construct passes here: hand-written mathematics nests a few levels, never 40."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Stop
            return self._atom()
        finally:
            self.depth -= 1

    def _atom(self) -> Node:
        t = self.take()
        if t.kind == "num":
            return Num(t.text)
        if t.kind == "text":
            return Text(t.text)
        if t.kind == "letter":
            return Sym(self._word(t.text))
        if t.kind == "sym":
            if t.text in "([":
                body = self.expr()
                self.expect(")" if t.text == "(" else "]")
                return Group(body)
            if t.text == "{":
                body = self.expr()
                self.expect("}")
                return body
            if t.text == "|":
                body = self.expr()
                self.expect("|")
                return Call(Sym("abs"), (body,))
            raise _Stop
        return self._command(t.text)

    def _word(self, first: str) -> str:
        """Letters that spell a multi-letter name (the notation's, or softmax, ReLU, Loss) are one symbol."""
        for name in _longest_first(self.names):
            if name[0] == first and all(
                    self.peek(k).is_("letter", ch) for k, ch in enumerate(name[1:])):
                self.i += len(name) - 1
                return name
        return first

    def _command(self, name: str) -> Node:
        if name == "frac":
            num, den = self._group_tokens(), self._group_tokens()
            return _fraction(num, den, self.names, self.depth + 1)
        if name in ("hat", "tilde", "bar", "widehat"):
            inner = self.script()
            return Sym(inner.name, inner.sub, inner.sup, inner.primes, name) if isinstance(inner, Sym) else inner
        if name in ("mathrm", "mathit"):
            inner = self._group_tokens()
            return Sym("".join(t.text for t in inner)) if inner else Raw("")
        if name == "sqrt":
            return Call(Sym("sqrt"), (self.script(),))
        if name == "sum":
            index = ""
            while self.peek().is_("sym", "_", "^"):
                which = self.take().text
                script = _script_text(self.script())
                index = script if which == "_" else index
            return Sum(index, self.term())
        if name == "nabla":
            wrt: Node = Raw("")
            if self.peek().is_("sym", "_"):
                self.i += 1
                wrt = self.script()
            of = self.factor() if self._starts_factor() else None
            return Deriv(of, wrt)
        if name == "begin":
            return self._environment()
        if name in RELATIONS or name in ("\\", "quad", "qquad", "end"):
            raise _Stop
        return Sym(name)

    def _group_tokens(self) -> list[Tok]:
        if not self.peek().is_("sym", "{"):
            t = self.take()
            return [t]
        end = group_end(self.toks, self.i)
        inner = self.toks[self.i + 1:end - 1]
        self.i = end
        return inner

    def _environment(self) -> Node:
        env = "".join(t.text for t in self._group_tokens())
        start = self.i
        depth = 1
        while self.i < len(self.toks):
            t = self.toks[self.i]
            if t.is_("cmd", "begin"):
                depth += 1
            elif t.is_("cmd", "end"):
                depth -= 1
                if depth == 0:
                    break
            self.i += 1
        body = self.toks[start:self.i]
        if self.i >= len(self.toks):
            raise _Stop
        self.i += 1
        self._group_tokens()  # {bmatrix}
        if env not in MATRICES:
            return Raw(_text(body))
        if env == "array" and body and body[0].is_("sym", "{"):
            body = body[group_end(body, 0):]
        return Matrix(tuple(tuple(parse_tokens(cell, self.names, self.depth + 1) for cell in _split(row, "sym", "&"))
                            for row in _split(body, "cmd", "\\") if row))


RELATIONS = {"approx", "simeq", "equiv", "triangleq", "coloneqq", "le", "ge", "ne", "lt", "gt", "in",
             "rightarrow", "Rightarrow", "leftarrow", "Leftarrow", "therefore", "because", "mapsto",
             "xrightarrow", "sim", "propto", "leftrightarrow", "iff", "forall"}


@functools.lru_cache(maxsize=16)
def _longest_first(names: frozenset[str]) -> tuple[str, ...]:
    """The multi-letter names to try, longest first (so "softmax" wins over "soft")."""
    return tuple(sorted((n for n in names | set(WORDS) if len(n) > 1), key=len, reverse=True))


def _split(toks: list[Tok], kind: str, text: str) -> list[list[Tok]]:
    """Split tokens at a separator that is not inside a nested environment or group."""
    parts: list[list[Tok]] = [[]]
    depth = 0
    for t in toks:
        if t.is_("cmd", "begin") or t.is_("sym", "{"):
            depth += 1
        elif t.is_("cmd", "end") or t.is_("sym", "}"):
            depth -= 1
        if depth == 0 and t.is_(kind, text):
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def _join(op: str, left: Node, right: Node) -> Node:
    """Flatten chains of the same product: a x b x c is one "*" with three factors."""
    if isinstance(left, Op) and left.op == op:
        return Op(op, left.args + (right,))
    return Op(op, (left, right))


def _script_text(node: Node) -> str:
    """A sub- or superscript as compact text: "11", "(2)", "l-1", "1,1", "jk"."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Sym):
        return node.name + (f"_{node.sub}" if node.sub else "") + (f"^{node.sup}" if node.sup else "")
    if isinstance(node, Group):
        return f"({_script_text(node.body)})"
    if isinstance(node, Op) and node.op == "+":
        return "".join(("" if i == 0 or _script_text(a).startswith("-") else "+") + _script_text(a)
                       for i, a in enumerate(node.args))
    if isinstance(node, Op) and node.op == "neg":
        return "-" + _script_text(node.args[0])
    if isinstance(node, Op) and node.op == "*":
        return "".join(_script_text(a) for a in node.args)
    if isinstance(node, Raw):
        return node.text.replace(" ", "")
    return ""


_DIFFERENTIALS = (("cmd", "partial"), ("letter", "d"), ("cmd", "delta"))


def _fraction(num: list[Tok], den: list[Tok], names: frozenset[str], depth: int) -> Node:
    """\\frac{\\partial L}{\\partial w} is a derivative; any other \\frac is a fraction."""
    num, den = _upright_d(num), _upright_d(den)
    for kind, text in _DIFFERENTIALS:
        if num and den and num[0].is_(kind, text) and den[0].is_(kind, text) and len(den) > 1:
            if kind == "letter" and len(num) > 1 and not _is_d_name(num[1:]):
                continue
            of = parse_tokens(num[1:], names, depth) if len(num) > 1 else None
            return Deriv(of, parse_tokens(_strip_braces(den[1:]), names, depth))
    return Frac(parse_tokens(num, names, depth), parse_tokens(den, names, depth))


def _upright_d(toks: list[Tok]) -> list[Tok]:
    """\\mathrm{d}x reads as dx."""
    if len(toks) >= 4 and toks[0].is_("cmd", "mathrm") and toks[2].is_("letter", "d") and toks[3].is_("sym", "}"):
        return [toks[2]] + toks[4:]
    return toks


def _is_d_name(rest: list[Tok]) -> bool:
    """After a leading d, a symbol follows (dL/dw), not more of a word."""
    return rest[0].kind in ("letter", "cmd") or rest[0].is_("sym", "(")


def _strip_braces(toks: list[Tok]) -> list[Tok]:
    if toks and toks[0].is_("sym", "{") and group_end(toks, 0) == len(toks):
        return toks[1:-1]
    return toks
