"""`[[derivative]]` and `[[formula]]` tables inside a worked-example file: validated, then judged.

The tables have the keys of a claim file (`gradverify claim --file`, reports/claims/*.toml).
Validation here is import-light (no SymPy): the catalog's names, variables and parameters are
listed below and kept equal to `gradverify.derivations.catalog` by a test. Judging goes through
`gradverify.derivations.sandbox` (SymPy runs only in its worker, under a time limit) and, for formulas,
`gradverify.judge.formulas` (the engine on random networks, then a symbolic proof at small sizes).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

# name -> (variables it may be differentiated by, the first being the default; parameters)
CATALOG: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "identity": (("x",), ()), "sigmoid": (("x",), ()), "tanh": (("x",), ()), "relu": (("x",), ()),
    "leaky_relu": (("x",), ("alpha",)), "prelu": (("x", "a"), ("a",)), "elu": (("x",), ("alpha",)),
    "softplus": (("x",), ()), "gelu": (("x",), ()), "silu": (("x",), ()),
    "squared_error": (("a",), ()), "half_squared_error": (("a",), ()), "mean_squared_error": (("a",), ()),
    "binary_cross_entropy": (("a",), ()), "cross_entropy": (("a",), ()), "hinge": (("a",), ()),
    "l1": (("a",), ()), "huber": (("a",), ("delta",)), "cosine_similarity": (("a",), ()),
    "l2_regularization": (("W",), ("lambda",)), "softmax": (("x", "vjp"), ()),
    "softmax_cross_entropy": (("x",), ()), "cosine_similarity_general": (("a",), ()),
    "multiclass_svm": (("s",), ("delta",)),
}
ALIASES = {
    "logistic": "sigmoid", "sigma": "sigmoid", "swish": "silu", "mse": "mean_squared_error",
    "l2_loss": "mean_squared_error", "l2": "mean_squared_error", "bce": "binary_cross_entropy",
    "categorical_cross_entropy": "cross_entropy", "ce": "cross_entropy", "l1_loss": "l1",
    "mean_absolute_error": "l1", "mae": "l1", "weight_decay": "l2_regularization",
    "l2_reg": "l2_regularization", "softmax_ce": "softmax_cross_entropy",
    "softmax_crossentropy": "softmax_cross_entropy",
}
DERIVATIVE_KEYS = ("of", "claimed", "wrt", "params", "syntax", "stated", "reduction", "batch", "layout", "n",
                   "expect", "expect_stated", "label", "note")
GRID_LAYOUTS = ("numerator", "denominator")  # gradverify.derivations.entrywise.LAYOUTS
MAX_GRID = 12  # gradverify.derivations.cells.MAX_SIZE
# losses written per output (one summand), whose reduction over the n outputs a claim may state
SEPARABLE = ("squared_error", "half_squared_error", "mean_squared_error", "binary_cross_entropy", "cross_entropy",
             "hinge", "l1", "huber", "cosine_similarity", "l2_regularization")
REDUCTIONS = ("sum", "mean")
FORMULA_KEYS = ("claimed", "layout", "sizes", "expect", "label", "note")
FORMULA_LAYOUTS = ("000", "001", "003", "004")  # gradverify.derivations.matrix.LAYOUTS
MAX_LAYER = 200  # a [[formula]] runs at the seeds' own sizes (seed 004: 150-100-5)
SYNTAXES = ("auto", "latex", "sympy")
DERIVATIVE_VERDICTS = ("equivalent", "equivalent on a domain", "not equivalent", "undecided")
FORMULA_VERDICTS = ("equivalent", "not equivalent", "undecided")
ACCEPTED = ("equivalent", "equivalent on a domain")  # verdicts that do not make `check` exit 1
MAX_TABLES = 64  # per kind and file: each claim may take a worker up to its time limit
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class TableClaim:
    """One validated table: its kind, its number among the tables of that kind, its keys, its line."""

    kind: str  # "derivative" | "formula"
    number: int  # 1-based
    table: dict[str, Any]
    line: int | None
    lines: dict[str, int]  # key -> line


def verdict_name(text: Any) -> Any:
    """A verdict in its one spelling: "not_equivalent" (as older gradebooks wrote it) reads as
    "not equivalent"; anything else is returned as it is, for validation to judge."""
    if isinstance(text, str) and text.replace("_", " ") in DERIVATIVE_VERDICTS:
        return text.replace("_", " ")
    return text


def canonical(name: str) -> str | None:
    """The catalog name of `name` (an alias such as "sigma" gives "sigmoid"), or None."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key, key)
    return key if key in CATALOG else None


def table_lines(text: str, kind: str) -> list[tuple[int, dict[str, int]]]:
    """(header line, {key: line}) of each `[[kind]]` table, in order; `[kind.params]` sub-tables
    count as part of the table before them."""
    out: list[tuple[int, dict[str, int]]] = []
    inside = False
    assign = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_\-]+))\s*=""")
    for n, raw in enumerate(text.splitlines(), start=1):
        s = raw.split("#", 1)[0].strip()
        if s.startswith("["):
            name = s.strip("[] ")
            if s.startswith("[[") and name == kind:
                out.append((n, {}))
                inside = True
            else:
                inside = bool(out) and name.startswith(kind + ".")
            continue
        m = assign.match(raw)
        if m and inside:
            out[-1][1].setdefault(m.group(1) or m.group(2) or m.group(3), n)
    return out


class _Where:
    """Builds the error of one table: file, line, table number, key."""

    def __init__(self, source: str, kind: str, number: int, header: int | None, lines: dict[str, int]):
        self.source, self.kind, self.number, self.header, self.lines = source, kind, number, header, lines

    def err(self, msg: str, key: str | None = None) -> Exception:
        from gradverify.judge.worked import WorkedExampleError

        line = self.lines.get(key, self.header) if key else self.header
        where = f"{self.source}, line {line}" if line else self.source
        shown = key if key is None or key.isprintable() else repr(key)
        what = f"[[{self.kind}]] number {self.number}" + (f", {shown}" if key else "")
        return WorkedExampleError(f"{where}: {what}: {msg}")


def _closest(word: str, options: Any) -> str:
    from gradverify.judge.where import closest

    return closest(word, options)


def _text(w: _Where, t: dict, key: str, required: bool = False, example: str = "") -> str | None:
    v = t.get(key)
    if v is None:
        if required:
            raise w.err(f"missing: write {key} = {example}", None)
        return None
    if not isinstance(v, str):
        raise w.err(f"{v!r} is not text: write it in quotes, e.g. {key} = {example}", key)
    if required and not v.strip():
        raise w.err(f"is empty: write {key} = {example}", key)
    return v


def _grid(w: _Where, rows: list) -> list:
    """A claim written entry by entry: a list of quoted entries (a vector) or of rows (a matrix)."""
    flat = [c for r in rows for c in (r if isinstance(r, list) else [r])]
    nested = all(isinstance(r, list) for r in rows)
    if not rows or not flat or not (nested or not any(isinstance(r, list) for r in rows)) or not all(
            isinstance(c, str) for c in flat):
        raise w.err("write a vector as a list of quoted entries ['s_1 - y_1', 's_2 - y_2'], or a matrix as a "
                    "list of rows of them (\\cdots where the hand wrote dots)", "claimed")
    if nested and len({len(r) for r in rows}) > 1:
        raise w.err(f"rows of different lengths {[len(r) for r in rows]}: write one entry per column "
                    "(\\cdots where the hand wrote dots)", "claimed")
    if len(rows) > MAX_GRID + 1 or (nested and len(rows[0]) > MAX_GRID + 1):
        raise w.err(f"at most {MAX_GRID} rows and columns are written out; use dots for the rest", "claimed")
    return rows


def _derivative(w: _Where, t: dict) -> dict[str, Any]:
    for k in t:
        if k not in DERIVATIVE_KEYS:
            raise w.err(f"unknown key{_closest(k, DERIVATIVE_KEYS)}", k)
    of = _text(w, t, "of", True, '"tanh" (a catalog name: gradverify catalog)')
    name = canonical(of)
    if name is None:
        raise w.err(f"{of!r} is not in the catalog{_closest(of.strip().lower(), list(CATALOG) + list(ALIASES))}", "of")
    claimed: str | list | None
    if isinstance(t.get("claimed"), list):
        claimed = _grid(w, t["claimed"])
    else:
        claimed = _text(w, t, "claimed", True, "'1 - \\tanh^2(x)' (LaTeX) or \"1 - tanh(x)^2\" (SymPy syntax)")
    out: dict[str, Any] = {"of": name, "claimed": claimed}
    variables, params = CATALOG[name]
    wrt = _text(w, t, "wrt", example='"x"')
    if wrt is not None:
        if wrt not in variables:
            raise w.err(f"{name} is differentiated with respect to {' or '.join(variables)}, not {wrt!r}", "wrt")
        out["wrt"] = wrt
    if "params" in t:
        p = t["params"]
        if not isinstance(p, dict):
            raise w.err("write a table of numbers, e.g. params = { alpha = 0.1 }", "params")
        for pk, pv in p.items():
            if pk not in params:
                hint = f"it takes {', '.join(params)}" if params else "it takes no parameters"
                raise w.err(f"{name} has no parameter {pk!r}; {hint}", "params")
            if isinstance(pv, bool) or not (isinstance(pv, (int, float)) and math.isfinite(pv)
                                            or isinstance(pv, str) and _NUMBER.match(pv.strip())):
                raise w.err(f"{pk} = {pv!r} is not a finite number; write e.g. {pk} = 0.1", "params")
        out["params"] = {pk: str(pv).strip() for pk, pv in p.items()}
    syntax = _text(w, t, "syntax", example='"latex"')
    if syntax is not None:
        if syntax not in SYNTAXES:
            raise w.err(f"{syntax!r} is not a syntax{_closest(syntax, SYNTAXES)}", "syntax")
        out["syntax"] = syntax
    if "layout" in t:
        v = _text(w, t, "layout", example='"denominator"')
        if v not in GRID_LAYOUTS or not isinstance(claimed, list):
            raise w.err(f"{v!r}: layout says how a claimed matrix is laid out; write \"numerator\" (row = output) "
                        "or \"denominator\" (row = input), with claimed = a list of rows", "layout")
        out["layout"] = v
    if "n" in t:
        v = t["n"]
        if not (isinstance(v, int) and not isinstance(v, bool) and 2 <= v <= MAX_GRID) or not isinstance(claimed, list):
            raise w.err(f"{v!r}: n is the size N at which a claim written entry by entry (with dots) is judged, "
                        f"a whole number from 2 to {MAX_GRID}", "n")
        out["n"] = v
    for key in ("reduction", "batch"):
        v = _text(w, t, key, example='"mean"')
        if v is not None:
            if v not in REDUCTIONS:
                raise w.err(f"{v!r}: write \"sum\" or \"mean\" (over the {'outputs' if key == 'reduction' else 'batch'})", key)
            if key == "reduction" and name not in SEPARABLE:
                raise w.err(f"{name} is not a loss written per output; reduction applies to {', '.join(SEPARABLE)} "
                            "(for another function write it whole as stated = '...')", key)
            out[key] = v
    for key in ("stated", "label", "note"):
        v = _text(w, t, key, example='"..."')
        if v is not None:
            out[key] = v
    for key in ("expect", "expect_stated"):
        v = verdict_name(_text(w, t, key, example='"equivalent"'))
        if v is not None:
            if v not in DERIVATIVE_VERDICTS:
                raise w.err(f"{v!r} is not a verdict; write one of {', '.join(DERIVATIVE_VERDICTS)}", key)
            out[key] = v
    if "expect_stated" in out and "stated" not in out:
        raise w.err("expect_stated needs stated = \"...\" (the function as the author wrote it)", "expect_stated")
    return out


def _formula(w: _Where, t: dict) -> dict[str, Any]:
    for k in t:
        if k not in FORMULA_KEYS:
            raise w.err(f"unknown key{_closest(k, FORMULA_KEYS)}", k)
    claimed = _text(w, t, "claimed", True, '"grad_W2 = delta3 a2^T"')
    out: dict[str, Any] = {"claimed": claimed}
    if "layout" in t:
        lay = t["layout"]
        key = str(lay).strip().zfill(3) if isinstance(lay, (str, int)) and not isinstance(lay, bool) else None
        if key not in FORMULA_LAYOUTS:
            raise w.err(f"{lay!r} is not a layout; write one of {', '.join(repr(x) for x in FORMULA_LAYOUTS)} "
                        "(the seeds' notations)", "layout")
        out["layout"] = key
    if "sizes" in t:
        s = t["sizes"]
        if not (isinstance(s, list) and len(s) == 3 and all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_LAYER for v in s)):
            raise w.err(f"{s!r}: write three layer sizes from 1 to {MAX_LAYER}, e.g. sizes = [3, 4, 2]", "sizes")
        out["sizes"] = list(s)
    for key in ("label", "note"):
        v = _text(w, t, key, example='"..."')
        if v is not None:
            out[key] = v
    v = verdict_name(_text(w, t, "expect", example='"equivalent"'))
    if v is not None:
        if v not in FORMULA_VERDICTS:
            raise w.err(f"{v!r} is not a verdict; write one of {', '.join(FORMULA_VERDICTS)}", "expect")
        out["expect"] = v
    return out


def validate(doc: dict[str, Any], source: str, text: str) -> tuple[list[TableClaim], list[TableClaim]]:
    """The file's `[[derivative]]` and `[[formula]]` tables, validated (WorkedExampleError otherwise)."""
    out: dict[str, list[TableClaim]] = {"derivative": [], "formula": []}
    for kind, check in (("derivative", _derivative), ("formula", _formula)):
        tables = doc.get(kind)
        if tables is None:
            continue
        lines = table_lines(text, kind) if text else []
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            single = re.compile(rf"^\s*\[\s*{kind}\s*\]")
            at = next((n for n, raw in enumerate(text.splitlines(), start=1) if single.match(raw)), None)
            head = _Where(source, kind, 1, lines[0][0] if lines else at, {})
            raise head.err(f"write each claim as a [[{kind}]] table (double brackets), one per claim")
        if len(tables) > MAX_TABLES:
            raise _Where(source, kind, MAX_TABLES + 1, lines[MAX_TABLES][0] if len(lines) > MAX_TABLES else None,
                         {}).err(f"at most {MAX_TABLES} [[{kind}]] tables per file; split the file")
        for k, t in enumerate(tables):
            header, keys = lines[k] if k < len(lines) else (None, {})
            w = _Where(source, kind, k + 1, header, keys)
            out[kind].append(TableClaim(kind, k + 1, check(w, t), header, dict(keys)))
    return out["derivative"], out["formula"]


# --- judging -------------------------------------------------------------------------------------
def judge(derivatives: list[TableClaim], formulas: list[TableClaim], timeout: float | None = None) -> list[Any]:
    """One `TableVerdict` per table, derivatives first (the sandbox), then formulas (the engine)."""
    from gradverify.judge.result import TableVerdict

    out: list[TableVerdict] = []
    if derivatives:
        from gradverify.derivations import sandbox

        results = sandbox.judge_derivative_claims([dict(c.table) for c in derivatives], timeout)
        for c, r in zip(derivatives, results):
            out.append(_verdict(c, r))
    if formulas:
        from gradverify.judge import formulas as fm

        for c in formulas:
            t = dict(c.table)
            try:
                r = fm.judge_formula_tables([t], timeout)[0]
            except fm.FormulaError as exc:
                prefix = f"[[formula]] number 1 ({t['claimed']!r}): "
                msg = str(exc)[len(prefix):] if str(exc).startswith(prefix) else str(exc)
                r = {**t, "verdict": "unusable", "error": msg}
            out.append(_verdict(c, r))
    return out


def _verdict(c: TableClaim, r: dict[str, Any]) -> Any:
    from gradverify.judge.result import TableVerdict

    verdict = str(r.get("verdict", "undecided"))
    explanation = str(r.get("explanation") or "")
    if verdict == "unusable":
        explanation = str(r.get("error") or explanation or "the claim cannot be read")
    elif r.get("error") and not explanation:
        explanation = str(r["error"])
    stated = r.get("stated") if isinstance(r.get("stated"), dict) else None
    expect, expect_stated = c.table.get("expect"), c.table.get("expect_stated")
    as_expected = None if expect is None else verdict == expect
    if expect_stated is not None:
        as_expected = (as_expected is not False) and (stated or {}).get("verdict") == expect_stated
    claimed = c.table["claimed"]
    return TableVerdict(
        kind=c.kind, number=c.number, claimed=str(r.get("claimed") if isinstance(claimed, list) else claimed),
        verdict=verdict, grid=claimed if isinstance(claimed, list) else None, entries=list(r.get("entries") or []),
        explanation=explanation, diagnoses=[str(d) for d in r.get("diagnoses") or []],
        counterexample=r.get("counterexample"), of=c.table.get("of"),
        wrt=(r.get("wrt") or c.table.get("wrt") or CATALOG[c.table["of"]][0][0]) if c.kind == "derivative" else None,
        layout=r.get("layout") or c.table.get("layout") if c.kind == "formula" else None,
        lhs=r.get("lhs"), syntax=r.get("syntax") or c.table.get("syntax"),
        label=c.table.get("label"), note=c.table.get("note"), line=c.line,
        domain=list(r.get("domain") or []), witness=r.get("witness"), stated=stated,
        expect=expect, as_expected=as_expected, expect_stated=expect_stated,
        reduction=c.table.get("reduction"), batch=c.table.get("batch"),
    )
