"""A grammar-based LaTeX parser for claimed derivatives: a tokenizer and recursive descent, no eval.

It produces the same neutral tree as `gradverify.derivations.parse` (tuples, no SymPy). Covered: \\frac,
\\left( \\right), ^{} and _{}, \\sigma(x), \\tanh^2(x), \\operatorname{sech}^2 x, e^{-x}, \\exp,
\\log/\\ln, \\max(0, x), cases, \\mathbb{1}\\{i=j\\}, \\delta_{ij}, \\sum_{j=1}^{N}, \\cdot, \\times,
implicit multiplication, 1.2e-7 and 1.2 \\times 10^{-7}. Derivative operators are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gradverify.derivations.parse import MAX_DEPTH, ClaimSyntaxError, Node, _check_length, check_bounds

ALLOWED = ("allowed: numbers, letters (x, y, a, s_i, y_{i}), + - \\cdot \\times / ^{} _{}, "
           "\\frac{}{}, ( ) \\left( \\right), \\sigma \\tanh \\exp \\log \\ln \\max \\min \\sqrt, "
           "\\operatorname{sech|relu|sgn|erf}, \\begin{cases}...\\end{cases}, \\mathbb{1}\\{...\\}, "
           "\\delta_{ij}, \\sum_{j=1}^{N}")

# LaTeX command -> canonical function of parse.FUNCTIONS
FUNCS = {
    "sigma": "sigma", "tanh": "tanh", "sinh": "sinh", "cosh": "cosh", "coth": "coth", "exp": "exp",
    "log": "log", "ln": "log", "max": "Max", "min": "Min", "Phi": "Phi", "erf": "erf", "sech": "sech",
    "sgn": "sign", "sign": "sign", "relu": "relu", "ReLU": "relu", "sigmoid": "sigma", "softplus": "softplus",
    "operatorname": None, "mathrm": None, "text": None,
}
WORDS = ("sigmoid", "softplus", "tanh", "sech", "sinh", "cosh", "coth", "exp", "log", "ln", "max", "min",
         "relu", "ReLU", "sgn", "sign", "erf")
GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "lambda", "mu", "theta", "tau",
         "phi", "varphi", "eta", "omega", "rho", "xi", "zeta", "kappa", "nu", "psi", "chi", "Delta"}
REFUSED = {
    "partial": "the partial-derivative operator \\partial", "nabla": "the gradient operator \\nabla",
    "int": "an integral", "iint": "an integral", "oint": "an integral", "lim": "a limit",
    "prime": "a prime (a derivative by name)", "mathrm{d}": "a differential",
}
SPACES = {",", ";", ":", "!", "quad", "qquad", " ", "displaystyle", "limits", "big", "Big", "bigg", "Bigg",
          "bigl", "bigr", "Bigl", "Bigr"}
RELS = {"le": "<=", "leq": "<=", "leqslant": "<=", "ge": ">=", "geq": ">=", "geqslant": ">=",
        "neq": "!=", "ne": "!=", "lt": "<", "gt": ">"}


@dataclass
class Tok:
    kind: str  # num, letter, cmd, sym, word
    text: str
    pos: int


_TOKEN = re.compile(r"""
    (?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)
  | \\(?P<cmd>[A-Za-z]+|\\|[{}|,;:!\ ])
  | (?P<word>sigmoid|softplus|tanh|sech|sinh|cosh|coth|exp|log|ln|max|min|relu|ReLU|sgn|sign|erf)(?![A-Za-z])
  | (?P<letter>[A-Za-z])
  | (?P<sym>[-+*/^_{}()\[\]|&=<>,'!.])
  | (?P<space>\s+)
""", re.VERBOSE)


def tokenize(text: str) -> list[Tok]:
    """Split LaTeX into tokens; unknown characters are an error with their position."""
    out: list[Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ClaimSyntaxError(f"unexpected character {text[pos]!r}", text, pos, ALLOWED)
        kind = m.lastgroup or ""
        if kind != "space":
            value = m.group(kind)
            if kind == "cmd" and value in SPACES:
                pos = m.end()
                continue
            out.append(Tok(kind, value, pos))
        pos = m.end()
    out.append(Tok("end", "", len(text)))
    return out


def parse_latex(text: str) -> Node:
    """Parse LaTeX claim text into the neutral tree (raises ClaimSyntaxError with a caret)."""
    _check_length(text)
    p = _Parser(text, tokenize(text))
    node = p.expr()
    if p.peek().kind != "end":
        raise p.fail(f"unexpected {p.peek().text!r} after the formula")
    check_bounds(node, text)
    return node


class _Parser:
    def __init__(self, text: str, toks: list[Tok]) -> None:
        self.text, self.toks, self.i, self.depth = text, toks, 0, 0

    # -- helpers -----------------------------------------------------------------------------------
    def peek(self, k: int = 0) -> Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> Tok:
        t = self.peek()
        self.i += 1
        return t

    def fail(self, message: str, tok: Tok | None = None, hint: str = ALLOWED) -> ClaimSyntaxError:
        return ClaimSyntaxError(message, self.text, (tok or self.peek()).pos, hint)

    def is_sym(self, s: str, k: int = 0) -> bool:
        t = self.peek(k)
        return t.kind == "sym" and t.text == s

    def is_cmd(self, *names: str) -> bool:
        t = self.peek()
        return t.kind == "cmd" and t.text in names

    def expect(self, s: str) -> Tok:
        if not self.is_sym(s):
            raise self.fail(f"expected {s!r} here, found {self.peek().text or 'the end'!r}")
        return self.next()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"the formula nests deeper than {MAX_DEPTH} levels", hint="")

    # -- grammar -----------------------------------------------------------------------------------
    def expr(self) -> Node:
        self.enter()
        terms = []
        if self.is_sym("-") or self.is_sym("+"):
            neg = self.next().text == "-"
            t = self.term()
            terms.append(("neg", t) if neg else t)
        else:
            terms.append(self.term())
        while self.is_sym("+") or self.is_sym("-"):
            neg = self.next().text == "-"
            t = self.term()
            terms.append(("neg", t) if neg else t)
        self.depth -= 1
        return terms[0] if len(terms) == 1 else ("+", *terms)

    def term(self) -> Node:
        node = self.unary()
        while True:
            if self.is_sym("*") or self.is_cmd("cdot", "times", "ast"):
                self.next()
                node = ("*", node, self.unary())
            elif self.is_sym("/") or self.is_cmd("div"):
                self.next()
                node = ("/", node, self.unary())
            elif self._starts_factor():
                node = ("*", node, self.power())
            else:
                return node

    def unary(self) -> Node:
        if self.is_sym("-"):
            self.next()
            return ("neg", self.unary())
        if self.is_sym("+"):
            self.next()
            return self.unary()
        return self.power()

    def _starts_factor(self) -> bool:
        t = self.peek()
        if t.kind in ("num", "letter", "word"):
            return True
        if t.kind == "sym":
            return t.text in "({["  # '|' is ambiguous (a closing bar), so |x| needs an explicit start
        if t.kind == "cmd":
            return t.text not in ("right", "end", "\\", "cdot", "times", "div", "ast", "}", "|") and t.text not in RELS
        return False

    def power(self) -> Node:
        base = self.primary()
        while self.is_sym("^") or self.is_sym("'"):
            if self.is_sym("'"):
                raise self.fail("a prime (f'(x)) asks for a derivative by name: write the derivative out",
                                hint="e.g. write \\sigma(x)(1-\\sigma(x)) instead of \\sigma'(x)")
            self.next()
            if self._layer_label():
                raise self.fail("a superscript in parentheses such as a^{(2)} is a layer label, not a power: "
                                "leave it out of a derivative claim (write a)", hint="")
            base = ("^", base, self.script())
        return base

    def _layer_label(self) -> bool:
        """^{(2)} or ^{(l)}: the layer notation of seed 004 and Andrew Ng's notes."""
        kinds = [self.peek(k) for k in range(5)]
        return (kinds[0].text == "{" and kinds[1].text == "(" and kinds[2].kind in ("num", "letter")
                and kinds[3].text == ")" and kinds[4].text == "}")

    def script(self) -> Node:
        """The argument of ^ or _: a braced group or a single token."""
        if self.is_sym("{"):
            return self.group()
        t = self.next()
        if t.kind == "num":
            if len(t.text) > 1 and t.text[1:].isdigit():  # x^23 is x^2 times 3 in LaTeX
                rest = Tok("num", t.text[1:], t.pos + 1)
                self.i -= 1
                self.toks[self.i] = rest
                return ("num", t.text[0])
            return ("num", t.text)
        if t.kind == "letter":
            return self.letter(t)
        if t.kind == "sym" and t.text == "-":
            return ("neg", self.script())
        raise self.fail("expected an exponent such as ^2 or ^{-x}", t)

    def group(self) -> Node:
        self.expect("{")
        if self.is_sym("}"):
            raise self.fail("empty braces {}")
        node = self.expr()
        self.expect("}")
        return node

    def primary(self) -> Node:
        self.enter()
        try:
            return self._primary()
        finally:
            self.depth -= 1

    def _primary(self) -> Node:
        t = self.peek()
        if t.kind == "num":
            self.next()
            return ("num", t.text)
        if t.kind == "letter":
            self.next()
            return self.letter(t)
        if t.kind == "word":
            self.next()
            return self.function(FUNCS[t.text], t)
        if t.kind == "sym":
            if t.text in "([":
                self.next()
                inner = self.expr()
                self.expect(")" if t.text == "(" else "]")
                return inner
            if t.text == "{":
                return self.group()
            if t.text == "|":
                self.next()
                inner = self.expr()
                self.expect("|")
                return ("fn", "Abs", inner)
            raise self.fail(f"unexpected {t.text!r}")
        if t.kind == "cmd":
            return self.command()
        raise self.fail("the formula ends too early")

    def letter(self, t: Tok) -> Node:
        name = "E" if t.text == "e" else t.text
        return self.subscripted(name)

    def subscripted(self, name: str) -> Node:
        if not self.is_sym("_"):
            return ("name", name)
        self.next()
        sub = self._index_text()
        if name == "delta" and len(sub) == 2:
            return ("fn", "KroneckerDelta", ("name", sub[0]), ("name", sub[1]))
        if name == "E":
            name = "e"
        return ("name", f"{name}_{sub}")

    def _index_text(self) -> str:
        if self.is_sym("{"):
            self.next()
            parts = []
            while not self.is_sym("}"):
                t = self.next()
                if t.kind not in ("letter", "num") and not (t.kind == "sym" and t.text == ","):
                    raise self.fail("an index is letters or digits, such as _{ij} or _{2}", t)
                if t.text != ",":
                    parts.append(t.text)
            self.next()
            text = "".join(parts)
        else:
            t = self.next()
            if t.kind not in ("letter", "num"):
                raise self.fail("an index is a letter or digit, such as _i or _{ij}", t)
            text = t.text
        if not text or len(text) > 4:
            raise self.fail("an index has 1 to 4 letters or digits")
        return text

    def command(self) -> Node:
        t = self.next()
        c = t.text
        if c in REFUSED:
            raise self.fail(f"a claim may not contain {REFUSED[c]}: gradverify judges the derivative you "
                            "worked out, it does not take it for you", t, "write the result instead")
        if c in ("frac", "dfrac", "tfrac"):
            num, den = self.group(), self.group()
            if _is_differential(num) and _is_differential(den, var=True):
                raise self.fail("a claim may not contain a derivative operator such as \\frac{d}{dx}: "
                                "gradverify judges your derivative, it does not take it", t,
                                "write the result of your differentiation instead")
            return ("/", num, den)
        if c == "left":
            o = self.next()
            closing = {"(": ")", "[": "]", "|": "|", "{": "}"}
            if o.kind == "sym" and o.text in closing:
                inner = self.expr()
                if not self.is_cmd("right"):
                    raise self.fail("\\left( needs a matching \\right)")
                self.next()
                close = self.next()
                if close.text != closing[o.text]:
                    raise self.fail(f"\\left{o.text} closes with \\right{closing[o.text]}", close)
                return ("fn", "Abs", inner) if o.text == "|" else inner
            if o.kind == "cmd" and o.text in ("{", "|"):
                inner = self.expr()
                if not self.is_cmd("right"):
                    raise self.fail("\\left needs a matching \\right")
                self.next()
                self.next()
                return ("fn", "Abs", inner) if o.text == "|" else inner
            raise self.fail("\\left takes ( [ | or \\{", o)
        if c == "sqrt":
            if self.is_sym("["):
                raise self.fail("only square roots \\sqrt{...} are allowed")
            return ("fn", "sqrt", self.group())
        if c in ("operatorname", "mathrm", "text", "textrm", "rm", "mathit", "operatorname*"):
            name = self._braced_word()
            if name == "d":
                raise self.fail("a claim may not contain a differential d: write the result instead", t)
            if name in FUNCS and FUNCS[name]:
                return self.function(FUNCS[name], t)
            if name in ("e",):
                return ("name", "E")
            raise self.fail(f"unknown function {name!r}", t)
        if c == "mathbb" or c == "mathbf" or c == "mathds":
            word = self._braced_word()
            if word != "1":
                raise self.fail(f"\\{c}{{{word}}} is not allowed (only the indicator \\mathbb{{1}})", t)
            return self.indicator()
        if c == "begin":
            env = self._braced_word()
            if env != "cases":
                raise self.fail(f"only \\begin{{cases}} is allowed, not {env!r}", t)
            return self.cases()
        if c in ("sum",):
            return self.sum()
        if c == "hat":
            inner = self.group() if self.is_sym("{") else self.primary()
            if inner[0] != "name" or "_" in inner[1]:
                raise self.fail("\\hat takes a letter, as \\hat{y}", t)
            return self.subscripted(inner[1] + "hat")
        if c == "pi":
            return ("name", "pi")
        if c == "delta":
            return self.subscripted("delta")
        if c in ("sigma", "Phi", "phi", "varphi"):
            if self.is_sym("(") or self.is_cmd("left") or self.is_sym("^"):
                return self.function("phi" if c == "varphi" else c, t)
            if self.is_sym("'"):
                raise self.fail("a prime (f'(x)) asks for a derivative by name: write the derivative out",
                                hint="e.g. write \\sigma(x)(1-\\sigma(x)) instead of \\sigma'(x)")
            return self.subscripted(c)
        if c in FUNCS and FUNCS[c]:
            return self.function(FUNCS[c], t)
        if c in GREEK or c in ("sigma", "Phi"):
            return self.subscripted(c if c != "varepsilon" else "epsilon")
        if c == "{":
            inner = self.expr()
            if not self.is_cmd("}"):
                raise self.fail("\\{ needs a matching \\}")
            self.next()
            return inner
        raise self.fail(f"the command \\{c} is not allowed", t)

    def _braced_word(self) -> str:
        self.expect("{")
        parts = []
        while not self.is_sym("}"):
            t = self.next()
            if t.kind == "end":
                raise self.fail("missing }")
            parts.append(t.text)
        self.next()
        return "".join(parts).strip()

    def function(self, fname: str, t: Tok) -> Node:
        """f(x), f^2(x), f^2 x, f x; \\max(a, b) takes two arguments."""
        if self.is_sym("'"):
            raise self.fail("a prime (f'(x)) asks for a derivative by name: write the derivative out")
        power = None
        if self.is_sym("^"):
            self.next()
            power = self.script()
            if power == ("neg", ("num", "1")) or power == ("num", "-1"):
                raise self.fail(f"inverse functions ({fname}^{{-1}}) are not allowed", t)
        if self.is_sym("(") or self.is_cmd("left"):
            left_cmd = self.is_cmd("left")
            self.next()
            if left_cmd:
                o = self.next()
                if o.text not in ("(", "["):
                    raise self.fail("expected \\left(", o)
            args = [self.expr()]
            while self.is_sym(","):
                self.next()
                args.append(self.expr())
            if left_cmd:
                if not self.is_cmd("right"):
                    raise self.fail("\\left( needs a matching \\right)")
                self.next()
                self.next()
            else:
                self.expect(")")
        else:
            if self.peek().kind == "end":
                raise self.fail(f"{fname} needs an argument", t)
            args = [self.power()]
        from gradverify.derivations.parse import FUNCTIONS

        if len(args) not in FUNCTIONS[fname]:
            raise self.fail(f"{fname} takes {' or '.join(map(str, FUNCTIONS[fname]))} argument(s)", t)
        node: Node = ("fn", fname, *args)
        return ("^", node, power) if power is not None else node

    def indicator(self) -> Node:
        """\\mathbb{1}\\{cond\\}, \\mathbb{1}[cond], \\mathbb{1}_{cond}: 1 where cond holds, else 0."""
        if self.is_cmd("{"):
            self.next()
            cond = self.condition()
            if not self.is_cmd("}"):
                raise self.fail("\\mathbb{1}\\{ needs a closing \\}")
            self.next()
        elif self.is_sym("[") or self.is_sym("(") or self.is_sym("{"):
            close = {"[": "]", "(": ")", "{": "}"}[self.next().text]
            cond = self.condition()
            self.expect(close)
        elif self.is_sym("_"):
            self.next()
            self.expect("{")
            cond = self.condition()
            self.expect("}")
        else:
            raise self.fail("write the indicator as \\mathbb{1}\\{condition\\}")
        return _indicator(cond)

    def condition(self) -> Node:
        """A chain of relations (0 < x <= 1), joined by commas or \\text{and}."""
        if self.is_cmd("text", "mathrm"):
            save = self.i
            self.next()
            word = self._braced_word().strip().lower()
            if word in ("otherwise", "else", "elsewhere", "sonst", "o.w.", "if otherwise"):
                return ("true",)
            if word not in ("if", "for", "when"):
                raise self.fail(f"\\text{{{word}}} is not a condition: write x > 0 or \\text{{otherwise}}",
                                self.toks[save])
            return self.condition()
        if self.is_sym("}") or self.is_cmd("\\", "end") or self.peek().kind == "end":
            return ("true",)
        left = self.expr()
        parts = []
        while True:
            op = self._relation()
            if op is None:
                break
            right = self.expr()
            parts.append(("rel", op, left, right))
            left = right
        if not parts:
            raise self.fail("expected a condition such as x > 0, i = j or \\text{otherwise}")
        if self.is_sym(","):
            self.next()
            if not (self.is_cmd("\\", "end", "}") or self.peek().kind == "end" or self.is_sym("}")):
                more = self.condition()
                parts.append(more)
        return parts[0] if len(parts) == 1 else ("and", *parts)

    def _relation(self) -> str | None:
        t = self.peek()
        if t.kind == "sym" and t.text in "<>=":
            self.next()
            if self.is_sym("="):
                self.next()
                return {"<": "<=", ">": ">=", "=": "=="}[t.text]
            return {"<": "<", ">": ">", "=": "=="}[t.text]
        if t.kind == "cmd" and t.text in RELS:
            self.next()
            return RELS[t.text]
        return None

    def cases(self) -> Node:
        pieces = []
        while True:
            value = self.expr()
            if not self.is_sym("&"):
                raise self.fail("each line of cases is 'value & condition'")
            self.next()
            cond = self.condition()
            pieces.append((value, cond))
            if self.is_cmd("\\"):
                self.next()
                if self.is_cmd("end"):
                    break
                continue
            if self.is_cmd("end"):
                break
            raise self.fail("expected \\\\ (next case) or \\end{cases}")
        self.next()
        if self._braced_word() != "cases":
            raise self.fail("\\begin{cases} closes with \\end{cases}")
        return ("pw", *pieces)

    def sum(self) -> Node:
        """\\sum_{j=1}^{N} body, \\sum_j body (over 1..n)."""
        if not self.is_sym("_"):
            raise self.fail("write the sum with its index, as \\sum_{j=1}^{N} or \\sum_j")
        self.next()
        if self.is_sym("{"):
            self.next()
            t = self.next()
            if t.kind != "letter":
                raise self.fail("the summation index is a letter", t)
            lo: Node = ("num", "1")
            if self.is_sym("="):
                self.next()
                lo = self.expr()
            self.expect("}")
        else:
            t = self.next()
            if t.kind != "letter":
                raise self.fail("the summation index is a letter", t)
            lo = ("num", "1")
        hi: Node = ("name", "n")
        if self.is_sym("^"):
            self.next()
            hi = self.script()
            if hi in (("name", "N"), ("name", "K")):
                hi = ("name", "n")
        body = self.unary()
        while self._starts_factor() or self.is_sym("*") or self.is_cmd("cdot"):
            if not self._starts_factor():
                self.next()
            body = ("*", body, self.power())
        return ("sum", t.text, lo, hi, body)


def _indicator(cond: Node) -> Node:
    if cond[0] == "rel" and cond[1] == "==" and cond[2][0] == "name" and cond[3][0] == "name":
        return ("fn", "KroneckerDelta", cond[2], cond[3])
    return ("pw", (("num", "1"), cond), (("num", "0"), ("true",)))


def _is_differential(node: Node, var: bool = False) -> bool:
    """d, dx, d y, \\mathrm{d}: the pieces of a Leibniz derivative d/dx."""
    if node == ("name", "d"):
        return True
    if node[0] == "*" and node[1] == ("name", "d"):
        return True
    if node[0] == "name" and node[1].startswith("d") and var:
        return True
    return False
