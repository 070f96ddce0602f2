"""A parser for layer-indexed formulas as the seeds write them, LaTeX-like and never evaluated:
`\\Delta_i^{\\ell} = \\sigma_i^{L-\\ell} \\sum_{j=0}^{n_{L-\\ell+2}-1} \\omega_{ij}^{L-\\ell+1} \\Delta_j^{\\ell-1}`
or `\\frac{\\partial L}{\\partial w_{i,j}^{n}} = dA_j^n x_i^{n-1}`.

A quantity is a name with indices below and its layer above (either order); `_{ij}` is two
indices, `_{i,j}` too, `_{L-\\ell+2}` one index that is an expression. A superscript on a name that
has layers is its layer; on anything else it is a power. The left side may be a gradient of the
loss `\\frac{\\partial E}{\\partial X}` (or with \\delta) or a partial `\\frac{\\partial Q}{\\partial X}`.
Tree nodes: ("num", text), ("q", name, (index, ...), layer or None), ("+", ...), ("*", ...),
("neg", t), ("/", a, b), ("pow", a, b), ("sum", var, lo, hi, body), ("ind", (op, a, b)),
("fn", name, derivative?, arg), ("grad", q, loss name), ("partial", q, q).
"""

from __future__ import annotations

import re

from gradverify.derivations.parse import ClaimSyntaxError

MAX_LENGTH = 600
# the names whose superscript is a layer, by notation (gradverify.derivations.indexed.NOTATIONS)
LAYERED = {"000": frozenset({"O", "s", "omega", "w", "b", "sigma", "Delta"}),
           "003": frozenset({"x", "a", "w", "b", "dA"})}
MAX_DEPTH = 30
NAMES = {"Delta": "Delta", "omega": "omega", "sigma": "sigma", "ell": "ℓ", "alpha": "alpha", "eta": "eta",
         "delta": "delta", "tau": "tau"}
FUNCTIONS = ("sigma", "relu", "tanh", "exp", "log")
RELS = {"=": "==", "<": "<", ">": ">", "le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "neq": "!=", "ne": "!="}
IGNORED = {"left", "right", "quad", ",", ";", "!", " ", "displaystyle", "mathrm", "text", "operatorname",
           "big", "Big", "bigl", "bigr"}
HELP = ("allowed: quantities such as O_i^{L-n}, \\omega_{ij}^{\\ell}, dA_j^n, n_{L-\\ell+2}; numbers; + - "
        "\\cdot; \\frac{}{}; \\sum_{j=0}^{...}; \\mathbb{1}\\{i=j\\}; \\sigma'(...), relu'(...); on the left "
        "\\frac{\\partial E}{\\partial X}")
_TOK = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|\\(?P<cmd>[A-Za-z]+|[{},;! ])|(?P<word>dA|relu|exp|log)(?![a-z])"
                  r"|(?P<letter>[A-Za-z])|(?P<sym>[-+*/^_{}()=<>,'\[\]|]))")


def tokenize(text: str) -> list[tuple[str, str, int]]:
    if len(text) > MAX_LENGTH:
        raise ClaimSyntaxError(f"an indexed formula is at most {MAX_LENGTH} characters", text, MAX_LENGTH)
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOK.match(text, pos)
        if not m or m.end() == pos:
            raise ClaimSyntaxError(f"unexpected {text[pos]!r}", text, pos, HELP)
        kind = m.lastgroup or ""
        value = m.group(kind)
        if not (kind == "cmd" and value in IGNORED):
            out.append((kind, value, m.start(kind)))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


class Parser:
    """Recursive descent over the tokens; `layered` are the names whose superscript is a layer."""

    def __init__(self, text: str, layered: set[str]) -> None:
        self.text, self.toks, self.i, self.layered, self.depth = text, tokenize(text), 0, layered, 0

    def peek(self, k: int = 0) -> tuple[str, str, int]:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def fail(self, msg: str) -> ClaimSyntaxError:
        return ClaimSyntaxError(msg, self.text, self.peek()[2], HELP)

    def is_(self, value: str, kind: str | None = None, k: int = 0) -> bool:
        t = self.peek(k)
        return t[1] == value and (kind is None or t[0] == kind)

    def take(self, value: str) -> None:
        if not self.is_(value):
            raise self.fail(f"expected {value!r} here")
        self.i += 1

    # -- grammar -------------------------------------------------------------------------------
    def claim(self) -> tuple[tuple, tuple]:
        left = self.expr()
        self.take("=")
        right = self.expr()
        if self.peek()[0] != "end":
            raise self.fail(f"unexpected {self.peek()[1]!r} after the formula")
        return left, right

    def expr(self) -> tuple:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("the formula nests too deeply")
        terms = []
        sign = False
        if self.is_("-") or self.is_("+"):
            sign = self.peek()[1] == "-"
            self.i += 1
        terms.append(("neg", self.term()) if sign else self.term())
        while self.is_("+") or self.is_("-"):
            neg = self.peek()[1] == "-"
            self.i += 1
            t = self.term()
            terms.append(("neg", t) if neg else t)
        self.depth -= 1
        return terms[0] if len(terms) == 1 else ("+", *terms)

    def term(self) -> tuple:
        factors = [self.factor()]
        while True:
            kind, value, _ = self.peek()
            if value in ("cdot", "times") and kind == "cmd" or (kind == "sym" and value == "*"):
                self.i += 1
                factors.append(self.factor())
            elif kind == "sym" and value == "/":
                self.i += 1
                factors = [("/", factors[0] if len(factors) == 1 else ("*", *factors), self.factor())]
            elif kind in ("num", "letter", "word") or value == "(" or (
                    kind == "cmd" and value not in ("{", "}") and value not in RELS):
                factors.append(self.factor())
            else:
                break
        return factors[0] if len(factors) == 1 else ("*", *factors)

    def factor(self) -> tuple:
        if self.is_("-"):
            self.i += 1
            return ("neg", self.factor())
        node = self.atom()
        while self.is_("^"):
            self.i += 1
            node = ("pow", node, self.group())
        return node

    def group(self) -> tuple:
        """{expr} or one token (a digit, a letter, a command such as \\ell)."""
        if self.is_("{"):
            self.i += 1
            inner = self.expr()
            self.take("}")
            return inner
        kind, value, _ = self.peek()
        if kind == "num":
            self.i += 1
            return ("num", value)
        if kind in ("letter", "cmd") and (kind == "letter" or value in NAMES):
            self.i += 1
            return ("q", NAMES.get(value, value), (), None)
        raise self.fail("expected {...}, a digit or a letter")

    def atom(self) -> tuple:
        kind, value, _ = self.peek()
        if kind == "num":
            self.i += 1
            if self.is_("{", "cmd"):
                return self.indicator()
            return ("num", value)
        if value == "(":
            self.i += 1
            inner = self.expr()
            self.take(")")
            return inner
        if kind == "cmd" and value == "frac":
            return self.fraction()
        if kind == "cmd" and value == "sum":
            return self.summation()
        if kind == "cmd" and value == "mathbb":
            self.i += 1
            self.take("{")
            if not self.is_("1"):
                raise self.fail("write \\mathbb{1}\\{...\\} for an indicator")
            self.i += 1
            self.take("}")
            return self.indicator()
        if kind == "cmd" and value == "hat":
            self.i += 1
            self.take("{")
            base = self.peek()[1]
            self.i += 1
            self.take("}")
            return self.quantity(base + "hat")
        if kind in ("letter", "word") or (kind == "cmd" and (value in NAMES or value in FUNCTIONS)):
            self.i += 1
            return self.quantity(NAMES.get(value, value))
        raise self.fail(f"unexpected {value or 'end'!r}")

    def indicator(self) -> tuple:
        self.take("{")  # the escaped brace \{
        left = self.expr()
        kind, value, _ = self.peek()
        op = RELS.get(value)
        if op is None:
            raise self.fail("an indicator holds a comparison, e.g. \\mathbb{1}\\{i=j\\}")
        self.i += 1
        right = self.expr()
        if not self.is_("}", "cmd"):
            raise self.fail("expected \\} to close the indicator")
        self.i += 1
        return ("ind", (op, left, right))

    def quantity(self, name: str) -> tuple:
        index: tuple = ()
        layer = None
        deriv = False
        for _ in range(2):
            if self.is_("_"):
                self.i += 1
                index = self.indices()
            elif self.is_("^") and name in self.layered and layer is None:
                self.i += 1
                layer = self.group()
        if self.is_("'"):
            self.i += 1
            deriv = True
        if name in FUNCTIONS and self.is_("(") and not index and layer is None:
            self.i += 1
            arg = self.expr()
            self.take(")")
            return ("fn", name, deriv, arg)
        if deriv:
            raise self.fail(f"{name}' needs an argument: write {name}'(...)")
        return ("q", name, index, layer)

    def indices(self) -> tuple:
        if not self.is_("{"):
            kind, value, _ = self.peek()
            self.i += 1
            return (("num", value) if kind == "num" else ("q", NAMES.get(value, value), (), None),)
        start = self.i + 1
        depth, k = 0, start
        letters_only = True
        while True:  # a group of single letters (with primes) is that many indices: _{ij}, _{j'j}
            kind, value, _ = self.toks[k]
            if kind == "end":
                raise self.fail("a '}' is missing")
            if value == "{":
                depth += 1
            if value == "}" and kind == "sym":
                if depth == 0:
                    break
                depth -= 1
            if not (kind == "letter" or value in ("'", ",")):
                letters_only = False
            k += 1
        self.i += 1
        if letters_only:
            out = []
            while not self.is_("}"):
                if self.is_(","):
                    self.i += 1
                    continue
                name = self.peek()[1]
                self.i += 1
                if self.is_("'"):
                    self.i += 1
                    name += "'"
                out.append(("q", name, (), None))
            self.take("}")
            return tuple(out)
        parts = [self.expr()]
        while self.is_(","):
            self.i += 1
            parts.append(self.expr())
        self.take("}")
        return tuple(parts)

    def fraction(self) -> tuple:
        self.i += 1
        self.take("{")
        if self.is_("partial", "cmd") or self.is_("delta", "cmd"):
            self.i += 1
            top = self.atom()
            if self.is_("("):  # E(x)
                self.i += 1
                self.expr()
                self.take(")")
            self.take("}")
            self.take("{")
            if not (self.is_("partial", "cmd") or self.is_("delta", "cmd")):
                raise self.fail("a derivative is \\frac{\\partial A}{\\partial B}")
            self.i += 1
            bottom = self.atom()
            self.take("}")
            if top[0] == "q" and top[1] in ("E", "L", "C", "J") and not top[2] and top[3] is None:
                return ("grad", bottom, top[1])
            return ("partial", top, bottom)
        num = self.expr()
        self.take("}")
        self.take("{")
        den = self.expr()
        self.take("}")
        return ("/", num, den)

    def summation(self) -> tuple:
        self.i += 1
        self.take("_")
        self.take("{")
        var = self.peek()[1]
        self.i += 1
        if self.is_("'"):
            self.i += 1
            var += "'"
        self.take("=")
        lo = self.expr()
        self.take("}")
        self.take("^")
        hi = self.group()
        body = self.term()
        return ("sum", NAMES.get(var, var), lo, hi, body)


def parse_claim(text: str, layered: set[str]) -> tuple[tuple, tuple]:
    """(left, right) trees of "left = right"; ClaimSyntaxError with a caret otherwise."""
    return Parser(text, layered).claim()


def terms(t: tuple, sign: int = 1) -> list[tuple[int, tuple]]:
    """A sum's terms in the order written, each with its sign: L - l + 1 -> (1, L), (-1, l), (1, 1)."""
    if t[0] == "+":
        return [x for c in t[1:] for x in terms(c, sign)]
    if t[0] == "neg":
        return terms(t[1], -sign)
    return [(sign, t)]
