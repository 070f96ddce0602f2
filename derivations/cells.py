"""A vector or matrix written entry by entry, as a hand writes it: the grid, its dots, its labels.

A claimed Jacobian is a list of rows of quoted entries; a claimed gradient a list of entries.
Dots (`\\cdots`, `\\vdots`, `\\ddots`, `...`, `…`) leave an entry unwritten; a row (or column)
of dots only stands for the rows between the first ones (1, 2, ...) and the last ones (..., N).
So seed 002's table

    sigma_1(1 - sigma_1)   ...  sigma_N sigma_1
    -sigma_1 sigma_2       ...  -sigma_N sigma_2
    vdots                 ddots vdots
    -sigma_1 sigma_N       ...  sigma_N(1 - sigma_N)

has rows 1, 2, N and columns 1, N, and is judged at a size N with the gap not empty. Import-light
(no SymPy): the entries are parsed here into neutral trees and judged in the sandbox's worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradverify.derivations.parse import ClaimSyntaxError, Node, parse

OUTPUT_NAMES = ("s", "sigma", "yhat", "p")  # an indexed output of a vector function: sigma_1(x)
INPUTS = frozenset({"x", "z", "a"})  # the names a hand gives the vector argument
DOTS = {"\\cdots", "\\vdots", "\\ddots", "\\dots", "\\ldots", "...", "…", "⋯", "⋮", "⋱", ""}
MAX_SIZE = 12  # a Jacobian written by hand; each entry is one proof


class GridError(ValueError):
    """A grid that cannot be read (ragged rows, two gaps, an entry that does not parse)."""


@dataclass(frozen=True)
class Grid:
    """The written entries with the index each row and column stands for (1-based, N = `n`)."""

    n: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]  # () for a vector
    cells: tuple[tuple[Node | None, ...], ...]  # None where dots stand
    texts: tuple[tuple[str, ...], ...]
    labels: tuple[tuple[str, ...], tuple[str, ...]]  # how each row / column is named: "1", "2", "N"

    @property
    def is_vector(self) -> bool:
        return not self.cols


def is_grid(claimed: Any) -> bool:
    """True when a claim is written entry by entry (a list) rather than as one formula."""
    return isinstance(claimed, list)


def _is_dots(text: str) -> bool:
    return text.strip() in DOTS


def _axis(flags: list[bool], n: int | None, what: str) -> tuple[list[int], list[str], int]:
    """Indices of the written positions along one axis, given which positions are a gap of dots."""
    gaps = [k for k, gap in enumerate(flags) if gap]
    if len(gaps) > 1:
        raise GridError(f"at most one {what} of dots (the rows between 1, 2, ... and ..., N)")
    written = len(flags) - len(gaps)
    size = n if n is not None else written + len(gaps)
    if size < written + len(gaps):
        raise GridError(f"n = {size} is smaller than the {written} {what}s written" + (" and the gap" if gaps else ""))
    if not gaps:
        if size != written:
            raise GridError(f"{written} {what}s are written but n = {size}: write a {what} of dots for the rest")
        return list(range(1, written + 1)), [str(k) for k in range(1, written + 1)], size
    head, tail = gaps[0], written - gaps[0]
    index = list(range(1, head + 1)) + list(range(size - tail + 1, size + 1))
    labels = [str(k) for k in range(1, head + 1)] + [
        "N" if k == size else f"N-{size - k}" for k in range(size - tail + 1, size + 1)]
    return index, labels, size


def read(claimed: list, n: int | None = None, syntax: str = "auto") -> Grid:
    """The grid of a claimed vector (list of entries) or matrix (list of rows); GridError says
    which entry is unusable and why."""
    if not claimed:
        raise GridError("the claim is an empty list: write its entries, e.g. ['s_1 - y_1', 's_2 - y_2']")
    matrix = all(isinstance(r, list) for r in claimed)
    if not matrix and not all(isinstance(r, str) for r in claimed):
        raise GridError("write a vector as a list of quoted entries, or a matrix as a list of rows of them")
    rows = [list(r) for r in claimed] if matrix else [[r] for r in claimed]
    width = len(rows[0])
    if any(len(r) != width for r in rows) or width == 0:
        raise GridError(f"rows of different lengths {[len(r) for r in rows]}: every row has one entry per column "
                        "(write \\cdots where the hand wrote dots)")
    if any(not isinstance(c, str) for r in rows for c in r):
        raise GridError("every entry is quoted text, e.g. '-\\sigma_1(x)\\sigma_2(x)'")
    if len(rows) > MAX_SIZE + 1 or width > MAX_SIZE + 1:
        raise GridError(f"at most {MAX_SIZE} rows and columns are written out; use dots for the rest")
    row_gap = [all(_is_dots(c) for c in r) for r in rows]
    col_gap = [all(_is_dots(r[k]) for r in rows) for k in range(width)] if matrix else [False]
    ri, rl, size = _axis(row_gap, n, "row")
    if matrix:
        ci, cl, size_c = _axis(col_gap, size, "column")
        if size_c != size:
            raise GridError(f"a Jacobian is square: {size} rows but {size_c} columns")
    else:
        ci, cl = [], []
    if size > MAX_SIZE:
        raise GridError(f"n = {size}: at most {MAX_SIZE}")
    cells: list[tuple[Node | None, ...]] = []
    texts: list[tuple[str, ...]] = []
    data_rows = [r for r, gap in zip(rows, row_gap) if not gap]
    for r_no, r in enumerate(data_rows):
        data = [c for c, gap in zip(r, col_gap) if not gap] if matrix else r
        parsed: list[Node | None] = []
        for c_no, text in enumerate(data):
            if _is_dots(text):
                parsed.append(None)
                continue
            try:
                parsed.append(parse(text, syntax))
            except ClaimSyntaxError as exc:
                where = f"entry ({rl[r_no]}, {cl[c_no]})" if matrix else f"entry {rl[r_no]}"
                raise GridError(f"{where}: {exc.render()}") from None
        cells.append(tuple(parsed))
        texts.append(tuple(data))
    return Grid(size, tuple(ri), tuple(ci), tuple(cells), tuple(texts), (tuple(rl), tuple(cl)))


def request(grid: Grid) -> dict[str, Any]:
    """The JSON-ready part of a worker request that carries the grid."""
    return {"n": grid.n, "rows": list(grid.rows), "cols": list(grid.cols), "cells": [list(r) for r in grid.cells],
            "labels": [list(grid.labels[0]), list(grid.labels[1])], "texts": [list(t) for t in grid.texts]}


def shown(claimed: list) -> str:
    """A grid as one line of text: rows separated by ';', entries by ','."""
    if all(isinstance(r, list) for r in claimed):
        return "[" + "; ".join(", ".join(str(c) for c in r) for r in claimed) + "]"
    return "[" + ", ".join(str(c) for c in claimed) + "]"


def applied(tree: Node, inputs: frozenset[str] = INPUTS, call: bool = False) -> Node:
    """`sigma_1(x)` as the hand writes softmax's output 1: the vector's own name after an indexed
    output is its argument, not a factor (the parser reads sigma_1 * x). The argument is dropped
    (the output is what the claim means), or with `call` kept as a call for showing it."""
    if not isinstance(tree, tuple) or not tree or tree[0] in ("name", "num"):
        return tree
    if tree[0] == "*":
        kids: list[Node] = []
        for c in tree[1:]:
            if c[0] == "name" and c[1] in inputs and kids and _ends_in_output(kids[-1]):
                if call:
                    kids[-1] = _call(kids[-1], c)
                continue
            kids.append(applied(c, inputs, call))
        return kids[0] if len(kids) == 1 else ("*", *kids)
    if tree[0] == "pw":
        return ("pw", *[(applied(v, inputs, call), c) for v, c in tree[1:]])
    if tree[0] == "sum":
        return (*tree[:4], applied(tree[4], inputs, call))
    if tree[0] == "fn":
        return (tree[0], tree[1], *[applied(c, inputs, call) for c in tree[2:]])
    return (tree[0], *[applied(c, inputs, call) if isinstance(c, tuple) else c for c in tree[1:]])


def _call(node: Node, arg: Node) -> Node:
    """The last factor of `node` (an indexed output) applied to `arg`."""
    if node[0] == "name":
        return ("fn", node[1], arg)
    return (*node[:-1], _call(node[-1], arg))


def _ends_in_output(node: Node) -> bool:
    if node[0] == "name":
        stem, _, idx = node[1].partition("_")
        return bool(idx) and stem in OUTPUT_NAMES
    return node[0] == "*" and _ends_in_output(node[-1])
