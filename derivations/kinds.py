"""The claims beyond one derivative formula, as the parent reads them and the worker judges them:
a derivative written entry by entry (`entrywise`), an identity lhs = rhs (`identities`), a
computation graph (`graphs`), a layer-indexed formula (`indexcheck`).

The parent side (the `judge_*` functions) parses text into neutral trees without SymPy and sends one
request to the sandbox's worker; `serve` is the worker side, which imports the SymPy modules.
"""

from __future__ import annotations

import re
from typing import Any

from gradverify.derivations.parse import ClaimSyntaxError, Node, parse
from gradverify.derivations.sandbox import Sandbox, shared

NODE = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)?")
IDENTITY_SIZE = 3  # the vector size n an identity with indices is checked at, unless the file says
RELATION = re.compile(r"(\\neq|\\ne|\\geq|\\ge|\\leq|\\le)(?![A-Za-z])|(!=|>=|<=|=|>|<)")
_RELS = {"\\neq": "!=", "\\ne": "!=", "\\geq": ">=", "\\ge": ">=", "\\leq": "<=", "\\le": "<="}


def judge_grid(claimed: list, of: str, wrt: str | None = None, params: dict[str, str] | None = None,
               syntax: str = "auto", timeout: float | None = None, box: Sandbox | None = None,
               layout: str = "numerator", n: int | None = None, batch: str | None = None) -> dict[str, Any]:
    """Judge a derivative written entry by entry (a vector, or a matrix with `layout` "numerator"
    or "denominator"); every written entry gets its verdict (`entries`) and the message names the
    wrong ones. An unreadable grid gives verdict "unusable" with the entry and the reason."""
    from gradverify.derivations import cells

    base = {"claimed": cells.shown(claimed), "of": of, "wrt": wrt, "syntax": syntax}
    try:
        grid = cells.read(claimed, n, syntax)
    except cells.GridError as exc:
        return {**base, "verdict": "unusable", "error": str(exc)}
    request = {"kind": "entries", "grid": cells.request(grid), "of": of, "wrt": wrt, "params": params or {},
               "layout": layout, "batch": batch or "sum"}
    return {**base, **(box or shared()).ask(request, timeout)}


def split_relation(text: str) -> tuple[str, str, str]:
    """"y_k = \\delta_{ik}" -> ("y_k", "=", "\\delta_{ik}"): the first relation outside braces."""
    depth = 0
    for k, ch in enumerate(text):
        depth += ch in "{(["
        depth -= ch in "})]"
        m = RELATION.match(text, k) if depth == 0 else None
        if m:
            rel = m.group(1) or m.group(2)
            return text[:k].strip(), _RELS.get(rel, rel), text[m.end():].strip()
    raise ClaimSyntaxError("a condition is NAME = expression or NAME > 0", text, 0,
                           "e.g. where = ['y_k = \\delta_{ik}'] (y one-hot at i) or ['c > 0']")


def judge_identity(lhs: str, rhs: str, n: int | None = None, where: list[str] | None = None,
                   syntax: str = "auto", timeout: float | None = None, box: Sandbox | None = None) -> dict[str, Any]:
    """Judge lhs = rhs: equivalent, equivalent on the domain the `where` conditions give, or not
    equivalent (a counterexample and what separates the sides). Text that does not parse gives
    verdict "unusable" with the parser's message."""
    base = {"lhs": lhs, "rhs": rhs, "claimed": f"{lhs} = {rhs}", "syntax": syntax}
    try:
        left, right = parse(lhs, syntax), parse(rhs, syntax)
        conditions = []
        for text in where or []:
            name, rel, value = split_relation(text)
            conditions.append((parse(name, syntax), rel, parse(value, syntax), text))
    except ClaimSyntaxError as exc:
        return {**base, "verdict": "unusable", "error": exc.render()}
    request = {"kind": "identity", "lhs": left, "rhs": right, "n": n or IDENTITY_SIZE, "where": conditions}
    return {**base, **(box or shared()).ask(request, timeout)}


def judge_graph(nodes: list[str], n: int | None = None, of: str | None = None, edges: dict[str, str] | None = None,
                totals: dict[str, str] | None = None, decomposition: str | None = None, syntax: str = "auto",
                timeout: float | None = None, box: Sandbox | None = None) -> dict[str, Any]:
    """Judge a computation graph: `nodes` are "name = expression" in order; `edges` map
    "dv/du" to the local partial derivative claimed on that edge, `totals` "dy/dx" to a total
    derivative; `of` names the catalog function the graph should compute; `decomposition` is the
    hand's nesting "y(z(x), c(z(x), a))"."""
    base = {"claimed": "; ".join(nodes), "of": of, "syntax": syntax}
    try:
        parsed = []
        for text in nodes:
            name, rel, body = split_relation(text)
            if rel != "=":
                raise ClaimSyntaxError("a node is NAME = expression", text, 0, "e.g. nodes = ['u = -x', 'v = e^{u}']")
            if not NODE.fullmatch(name):
                raise ClaimSyntaxError("a node's name is a letter or word, with an index if it has one "
                                       "(u, p_2, u_i)", text, 0)
            parsed.append((("name", name), parse(body, syntax), text))
        claims = {kind: [(k, parse(v, syntax)) for k, v in (items or {}).items()]
                  for kind, items in (("edges", edges), ("totals", totals))}
    except ClaimSyntaxError as exc:
        return {**base, "verdict": "unusable", "error": exc.render()}
    request = {"kind": "graph", "nodes": parsed, "n": n or IDENTITY_SIZE, "of": of, **claims,
               "decomposition": decomposition}
    return {**base, **(box or shared()).ask(request, timeout)}


def judge_indexed(claimed: str, notation: str, head: str | None = None, ranges: dict[str, str] | None = None,
                  timeout: float | None = None, box: Sandbox | None = None) -> dict[str, Any]:
    """Judge a layer-indexed formula in seed 000's or 003's notation at every layer and index."""
    from gradverify.derivations.indexparse import LAYERED, parse_claim

    base = {"claimed": claimed, "notation": notation}
    try:
        left, right = parse_claim(claimed, set(LAYERED[notation]))
    except ClaimSyntaxError as exc:
        return {**base, "verdict": "unusable", "error": exc.render()}
    request = {"kind": "indexed", "left": left, "right": right, "notation": notation, "head": head,
               "ranges": dict(ranges or {})}
    return {**base, **(box or shared()).ask(request, timeout)}


def serve(req: dict[str, Any]) -> dict[str, Any]:
    """The worker side: judge one request of a kind above (SymPy is imported here)."""
    kind = req["kind"]
    if kind == "entries":
        from gradverify.derivations import entrywise

        return entrywise.judge(req["grid"], req["of"], req.get("wrt"), req.get("params"), req["layout"], req["batch"])
    if kind == "identity":
        from gradverify.derivations import identities

        where: tuple[tuple[Node, str, Node, str], ...] = tuple(req.get("where") or ())
        return identities.judge(req["lhs"], req["rhs"], int(req["n"]), identities.conditions(where))
    if kind == "graph":
        from gradverify.derivations import graphs

        return graphs.judge(tuple(req["nodes"]), int(req["n"]), req.get("of"), tuple(req.get("edges") or ()),
                            tuple(req.get("totals") or ()), req.get("decomposition"))
    if kind == "indexed":
        from gradverify.derivations import indexcheck

        return indexcheck.judge(req["left"], req["right"], req["notation"], req.get("head"), req.get("ranges"))
    raise ValueError(f"no claim kind {kind!r}")
