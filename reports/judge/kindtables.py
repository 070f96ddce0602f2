"""`[[identity]]`, `[[graph]]` and `[[indexed]]` tables: their keys validated (import-light, no
SymPy) and the table judged in the sandbox's worker through `gradverify.derivations.kinds`.
"""

from __future__ import annotations

from typing import Any

from gradverify.judge.claimtables import (
    ALIASES, CATALOG, DERIVATIVE_VERDICTS, FORMULA_VERDICTS, MAX_GRID, SYNTAXES, TableWhere, canonical, closest_key,
    key_text, table_words)

IDENTITY_KEYS = ("lhs", "rhs", "where", "n", "syntax", "expect", "label", "note")
GRAPH_KEYS = ("nodes", "of", "n", "edges", "totals", "decomposition", "syntax", "expect", "label", "note")
INDEXED_KEYS = ("claimed", "notation", "head", "ranges", "expect", "label", "note")
INDEXED_NOTATIONS = ("000", "003")  # gradverify.derivations.indexed.NOTATIONS


def _identity(w: TableWhere, t: dict) -> dict[str, Any]:
    for k in t:
        if k not in IDENTITY_KEYS:
            raise w.err(f"unknown key{closest_key(k, IDENTITY_KEYS)}", k)
    out: dict[str, Any] = {}
    for side, example in (("lhs", "'\\tanh(x)'"), ("rhs", "'2\\sigma(2x) - 1'")):
        out[side] = key_text(w, t, side, True, example)
    if "where" in t:
        where = t["where"]
        if isinstance(where, str):
            where = [where]
        if not (isinstance(where, list) and where and all(isinstance(c, str) and c.strip() for c in where)):
            raise w.err("write the conditions as quoted text, e.g. where = ['y_k = \\delta_{ik}'] or ['c > 0']", "where")
        out["where"] = list(where)
    if "n" in t:
        v = t["n"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_GRID:
            raise w.err(f"{v!r}: n is the vector size the identity is checked at, a whole number from 1 to {MAX_GRID}", "n")
        out["n"] = v
    syntax = key_text(w, t, "syntax", example='"latex"')
    if syntax is not None:
        if syntax not in SYNTAXES:
            raise w.err(f"{syntax!r} is not a syntax{closest_key(syntax, SYNTAXES)}", "syntax")
        out["syntax"] = syntax
    return {**out, **table_words(w, t, DERIVATIVE_VERDICTS)}


def _graph(w: TableWhere, t: dict) -> dict[str, Any]:
    for k in t:
        if k not in GRAPH_KEYS:
            raise w.err(f"unknown key{closest_key(k, GRAPH_KEYS)}", k)
    nodes = t.get("nodes")
    if not (isinstance(nodes, list) and nodes and all(isinstance(v, str) and "=" in v for v in nodes)):
        raise w.err("write the nodes in order as quoted text, e.g. nodes = ['u = -x', 'v = e^{u}', 'w = 1 + v', "
                    "'f = 1/w']", "nodes" if "nodes" in t else None)
    out: dict[str, Any] = {"nodes": list(nodes)}
    if "of" in t:
        of = key_text(w, t, "of", example='"sigmoid"')
        name = canonical(of or "")
        if name is None:
            raise w.err(f"{of!r} is not in the catalog{closest_key(str(of).strip().lower(), list(CATALOG) + list(ALIASES))}", "of")
        out["of"] = name
    for key in ("edges", "totals"):
        if key in t:
            v = t[key]
            if not (isinstance(v, dict) and all(isinstance(x, str) for x in v.values())):
                raise w.err(f"write [{'graph.' + key}] with lines such as \"dv/du\" = 'e^{{u}}'", key)
            out[key] = dict(v)
    for key in ("decomposition", "syntax"):
        v = key_text(w, t, key, example='"f(w(v(u(x))))"' if key == "decomposition" else '"latex"')
        if v is not None:
            if key == "syntax" and v not in SYNTAXES:
                raise w.err(f"{v!r} is not a syntax{closest_key(v, SYNTAXES)}", "syntax")
            out[key] = v
    if "n" in t:
        v = t["n"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_GRID:
            raise w.err(f"{v!r}: n is the size of the graph's indexed nodes (u_i for i = 1..n), 1 to {MAX_GRID}", "n")
        out["n"] = v
    return {**out, **table_words(w, t, FORMULA_VERDICTS)}


def _indexed(w: TableWhere, t: dict) -> dict[str, Any]:
    for k in t:
        if k not in INDEXED_KEYS:
            raise w.err(f"unknown key{closest_key(k, INDEXED_KEYS)}", k)
    out: dict[str, Any] = {"claimed": key_text(w, t, "claimed", True, "'\\Delta_i^1 = -2(y_i - O_i^L)'")}
    notation = t.get("notation")
    if notation not in INDEXED_NOTATIONS:
        raise w.err(f"{notation!r}: write notation = \"000\" (layers 0..L, indices from 0) or \"003\" "
                    "(layers 1..N, indices from 1)", "notation" if "notation" in t else None)
    out["notation"] = notation
    if "head" in t:
        if t["head"] not in ("regression", "classification"):
            raise w.err(f"{t['head']!r}: write head = \"regression\" or \"classification\"", "head")
        out["head"] = t["head"]
    if "ranges" in t:
        r = t["ranges"]
        if not (isinstance(r, dict) and all(isinstance(v, str) and ".." in v for v in r.values())):
            raise w.err("write ranges = { ell = \"0..L\" }: a variable and its first..last value", "ranges")
        out["ranges"] = dict(r)
    return {**out, **table_words(w, t, FORMULA_VERDICTS)}


CHECKS = {"identity": _identity, "graph": _graph, "indexed": _indexed}


def judge_table(kind: str, table: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
    """The worker's verdict on one validated table of a kind beyond `[[derivative]]` and
    `[[formula]]`, with `as_expected` when the table expects a verdict."""
    from gradverify.derivations import kinds

    if kind == "identity":
        r = kinds.judge_identity(table["lhs"], table["rhs"], table.get("n"), table.get("where"),
                                 table.get("syntax", "auto"), timeout)
    elif kind == "graph":
        r = kinds.judge_graph(table["nodes"], table.get("n"), table.get("of"), table.get("edges"), table.get("totals"),
                              table.get("decomposition"), table.get("syntax", "auto"), timeout)
    elif kind == "indexed":
        r = kinds.judge_indexed(table["claimed"], table["notation"], table.get("head"), table.get("ranges"), timeout)
    else:
        raise ValueError(f"no claim kind {kind!r}")
    r = {**{k: v for k, v in table.items() if k not in r}, **r}
    if "expect" in table:
        r["as_expected"] = r["verdict"] == table["expect"]
    return r
