"""The maths of a claim beyond one formula, as one SymPy expression for the report's printers: a
derivative written entry by entry (a matrix, dots kept), an identity lhs = rhs, a computation
graph (its nodes), a layer-indexed formula (quantities with their indices below and layer above).

Built without evaluation from the parsers' trees, like `claimed.claim_expr`, so no user text
reaches a report as markup and no formula is shown as ASCII.
"""

from __future__ import annotations

from typing import Any

from gradverify.judge.result import TableVerdict

_DOTS = {"\\cdots": ("\u22ef", r"\cdots"), "\\vdots": ("\u22ee", r"\vdots"), "\\ddots": ("\u22f1", r"\ddots"),
         "\\dots": ("\u2026", r"\dots"), "\\ldots": ("\u2026", r"\ldots"), "...": ("\u2026", r"\dots"),
         "\u2026": ("\u2026", r"\dots"), "\u22ef": ("\u22ef", r"\cdots"), "\u22ee": ("\u22ee", r"\vdots"),
         "\u22f1": ("\u22f1", r"\ddots"), "": ("", r"{}")}
_CLASSES: dict[str, Any] = {}


def maths(t: TableVerdict) -> Any:
    """The claim of a table as an unevaluated SymPy expression, or None (then shown as text)."""
    try:
        if t.grid is not None:
            return _grid(t.grid, t.syntax)
        if t.kind == "identity" and t.sides is not None:
            return _relation(*t.sides, syntax=t.syntax)
        if t.kind == "graph" and t.nodes:
            return _nodes(t.nodes, t.syntax)
        if t.kind == "indexed":
            return _indexed(t.claimed, t.layout or "000")
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None
    return None


def _leaf(text: str, syntax: str | None) -> Any:
    from gradverify.render.claimed import claim_expr

    e = claim_expr(text, syntax)
    if e is None:
        raise ValueError(f"cannot show {text!r}")
    return e


def _dots(text: str) -> Any:
    shown, tex = _DOTS[text.strip()]
    if shown not in _CLASSES:
        import sympy as sp

        _CLASSES[shown] = type("Dots", (sp.Symbol,), {"_latex": lambda self, printer, tex=tex: tex})
    return _CLASSES[shown](shown)


def _grid(rows: list, syntax: str | None) -> Any:
    """The matrix (or column) as written, each entry's sigma_1(x) shown as a call."""
    import sympy as sp

    from gradverify.derivations.cells import applied
    from gradverify.derivations.parse import parse
    from gradverify.render.claimed import tree_expr

    from sympy.core.function import AppliedUndef

    def entry(text: str) -> Any:
        if text.strip() in _DOTS:
            return _dots(text)
        e = tree_expr(applied(parse(text, syntax or "auto"), call=True))
        if e is None:
            raise ValueError(f"cannot show {text!r}")
        return e.replace(lambda f: isinstance(f, AppliedUndef) and "_" in f.func.__name__,
                         lambda f: _output(*f.func.__name__.split("_", 1))(*f.args))

    cells = [r if isinstance(r, list) else [r] for r in rows]
    return sp.Matrix([[entry(c) for c in r] for r in cells])


def _relation(lhs: str, rhs: str, syntax: str | None) -> Any:
    import sympy as sp

    return sp.Eq(_leaf(lhs, syntax), _leaf(rhs, syntax), evaluate=False)


def _nodes(nodes: list[str], syntax: str | None) -> Any:
    import sympy as sp

    from gradverify.derivations.kinds import split_relation

    out = []
    for text in nodes:
        name, _rel, body = split_relation(text)
        out.append(sp.Eq(sp.Symbol(name), _leaf(body, syntax), evaluate=False))
    return sp.Tuple(*out)


def _indexed(text: str, notation: str) -> Any:
    import sympy as sp

    from gradverify.derivations.indexparse import LAYERED, parse_claim

    left, right = parse_claim(text, set(LAYERED[notation]))
    return sp.Eq(_index_expr(left), _index_expr(right), evaluate=False)


def _named(key: str, shown: str, tex: str) -> Any:
    """A function printed as `shown` in MathML and `tex` in LaTeX (sigma', the indicator 1{...})."""
    if key not in _CLASSES:
        import sympy as sp

        def _latex(self: Any, printer: Any) -> str:
            inner = ", ".join(printer._print(a) for a in self.args)
            return tex + (r"\left\{" + inner + r"\right\}" if key == "indicator" else r"\left(" + inner + r"\right)")

        _CLASSES[key] = type(shown, (sp.Function,), {"_latex": _latex})
    return _CLASSES[key]


def _output(base: str, index: str) -> Any:
    """An indexed output applied to the vector, sigma_1(x): the letter with its index below."""
    key = f"output {base}_{index}"
    if key not in _CLASSES:
        import sympy as sp

        from gradverify.render.mathml import greek

        def _latex(self: Any, printer: Any) -> str:
            args = ", ".join(printer._print(a) for a in self.args)
            return rf"{printer._print(sp.Symbol(base))}_{{{index}}}\left({args}\right)"

        def _mathml_presentation(self: Any, printer: Any) -> Any:
            row = printer.dom.createElement("mrow")
            sub = printer.dom.createElement("msub")
            for text in (greek(base), index):
                mi = printer.dom.createElement("mi")
                mi.appendChild(printer.dom.createTextNode(text))
                sub.appendChild(mi)
            row.appendChild(sub)
            for part in ("(", *self.args, ")"):
                if isinstance(part, str):
                    mo = printer.dom.createElement("mo")
                    mo.appendChild(printer.dom.createTextNode(part))
                    row.appendChild(mo)
                else:
                    row.appendChild(printer._print(part))
            return row

        _CLASSES[key] = type(f"{base}{index}", (sp.Function,),
                             {"_latex": _latex, "_mathml_presentation": _mathml_presentation})
    return _CLASSES[key]


def _partial() -> Any:
    """dA/dB written with the partial sign, as the seeds write a gradient (not evaluated)."""
    if "partial" not in _CLASSES:
        import sympy as sp

        class Partial(sp.Function):
            def _latex(self, printer: Any) -> str:
                top, bottom = (printer._print(a) for a in self.args)
                return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"

            def _mathml_presentation(self, printer: Any) -> Any:
                frac = printer.dom.createElement("mfrac")
                for a in self.args:
                    row = printer.dom.createElement("mrow")
                    d = printer.dom.createElement("mo")
                    d.appendChild(printer.dom.createTextNode("\u2202"))
                    row.appendChild(d)
                    row.appendChild(printer._print(a))
                    frac.appendChild(row)
                return frac

        _CLASSES["partial"] = Partial
    return _CLASSES["partial"]


def _ell() -> Any:
    """The layer variable the seeds write as a script l."""
    if "ell" not in _CLASSES:
        import sympy as sp

        _CLASSES["ell"] = type("Ell", (sp.Symbol,), {"_latex": lambda self, printer: r"\ell"})
    return _CLASSES["ell"]("\u2113")


def _quantity_class() -> Any:
    if "quantity" not in _CLASSES:
        import sympy as sp

        class Quantity(sp.Symbol):
            """A name with its indices below and its layer above, each an expression."""

            def _latex(self, printer: Any) -> str:
                base = printer._print(sp.Symbol(self._base))
                sub = ",".join(_in_order(i, printer, latex=True) for i in self._index)
                out = base + (f"_{{{sub}}}" if sub else "")
                return out + (f"^{{{_in_order(self._layer, printer, latex=True)}}}" if self._layer is not None else "")

            def _mathml_presentation(self, printer: Any) -> Any:
                parts = [printer._print(sp.Symbol(self._base))]
                if self._index:
                    row = printer.dom.createElement("mrow")
                    for k, i in enumerate(self._index):
                        if k:
                            comma = printer.dom.createElement("mo")
                            comma.appendChild(printer.dom.createTextNode(","))
                            row.appendChild(comma)
                        row.appendChild(_in_order(i, printer))
                    parts.append(row)
                if self._layer is not None:
                    parts.append(_in_order(self._layer, printer))
                tag = {1: "mrow", 2: "msub" if self._index else "msup", 3: "msubsup"}[len(parts)]
                out = printer.dom.createElement(tag)
                for p in parts:
                    out.appendChild(p)
                return out

        _CLASSES["quantity"] = Quantity
    return _CLASSES["quantity"]


def _in_order(t: tuple, printer: Any, latex: bool = False) -> Any:
    """An index or layer expression (the parser's tree) printed term by term as written: L - l + 1,
    not SymPy's sorted -l + L + 1."""
    from gradverify.derivations.indexparse import terms

    parts = terms(t, 1)
    if latex:
        out = ""
        for k, (sign, part) in enumerate(parts):
            out += ("-" if sign < 0 else "+" if k else "") + printer._print(_index_expr(part))
        return out
    row = printer.dom.createElement("mrow")
    for k, (sign, part) in enumerate(parts):
        if sign < 0 or k:
            mo = printer.dom.createElement("mo")
            mo.appendChild(printer.dom.createTextNode("\u2212" if sign < 0 else "+"))
            row.appendChild(mo)
        row.appendChild(printer._print(_index_expr(part)))
    return row


def _quantity(base: str, index: list, layer: Any) -> Any:
    import sympy as sp

    if base == "\u2113":
        return _ell()
    q = _quantity_class()(f"{base}[{','.join(map(str, index))}]^{layer}")
    q._base, q._index, q._layer = base, index, layer
    return q if (index or layer is not None) else sp.Symbol(base)


def _index_expr(t: tuple) -> Any:
    import sympy as sp

    tag = t[0]
    if tag == "num":
        return sp.Integer(int(t[1])) if t[1].isdigit() else sp.Float(t[1])
    if tag == "q":
        return _quantity(t[1], list(t[2]), t[3])
    if tag == "+":
        return sp.Add(*[_index_expr(c) for c in t[1:]], evaluate=False)
    if tag == "*":
        return sp.Mul(*[_index_expr(c) for c in t[1:]], evaluate=False)
    if tag == "neg":
        return sp.Mul(sp.S.NegativeOne, _index_expr(t[1]), evaluate=False)
    if tag == "/":
        return sp.Mul(_index_expr(t[1]), sp.Pow(_index_expr(t[2]), -1, evaluate=False), evaluate=False)
    if tag == "pow":
        return sp.Pow(_index_expr(t[1]), _index_expr(t[2]), evaluate=False)
    if tag == "sum":
        return sp.Sum(_index_expr(t[4]), (sp.Symbol(t[1]), _index_expr(t[2]), _index_expr(t[3])))
    if tag == "ind":
        op, a, b = t[1]
        rel = {"==": sp.Equality, "!=": sp.Unequality, "<": sp.StrictLessThan, ">": sp.StrictGreaterThan,
               "<=": sp.LessThan, ">=": sp.GreaterThan}[op]
        return _named("indicator", "\U0001d7d9", r"\mathbb{1}")(rel(_index_expr(a), _index_expr(b), evaluate=False))
    if tag == "fn":
        tex = {"sigma": r"\sigma", "relu": r"\operatorname{relu}", "tanh": r"\tanh"}.get(t[1], t[1])
        letter = {"sigma": "\u03c3"}.get(t[1], t[1])
        prime = "'" if t[2] else ""
        return _named(t[1] + prime, letter + prime, tex + prime)(_index_expr(t[3]))
    if tag == "grad":
        return _partial()(sp.Symbol(t[2]), _index_expr(t[1]))
    if tag == "partial":
        return _partial()(_index_expr(t[1]), _index_expr(t[2]))
    raise ValueError(tag)
