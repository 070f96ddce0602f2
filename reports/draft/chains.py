"""A row of mathematics as equation chains: `a = b = c` with its members read as trees.

A row may hold several equations side by side (`w = 0.19 \\quad b = -0.2`, `u = -x, v = e^u`,
`... ; j = 1, 2`); they are separated at \\quad, semicolons, implication arrows, words in \\text{}
after a complete equation, and commas followed by another equation.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradverify.draft import grammar, nodes
from gradverify.draft.source import Row
from gradverify.draft.tokens import Tok, detokenize, group_end, tokenize

EQUALS = {"approx", "simeq", "triangleq", "coloneqq", "doteq"}
SEPARATORS = {"quad", "qquad", "Rightarrow", "Leftarrow", "therefore", "because", "iff", "rightarrow",
              "leftarrow", "xrightarrow", "xleftarrow", "mapsto", "hence", "implies"}


@dataclass(frozen=True)
class Equation:
    """`members[0] = members[1] = ...`, read from write-up line `line`; `text` as written."""

    members: tuple[nodes.Node, ...]
    line: int
    text: str


def equations(row: Row, previous: Equation | None = None, names: frozenset[str] = frozenset()) -> list[Equation]:
    """The equations of one row; an aligned `&= ...` row continues `previous`."""
    pieces = _pieces(tokenize(row.text))
    out: list[Equation] = []
    for piece in pieces:
        members = _members(piece)
        if len(members) < 2:
            continue
        nodes = tuple(grammar.parse_tokens(m, names) for m in members)
        if not members[0] and previous is not None and not out:
            nodes = (previous.members[0],) + nodes[1:]
        elif not members[0]:
            continue
        line = row.line + row.text.count("\n", 0, piece[0].pos)
        out.append(Equation(nodes, line, row.text.strip() if len(pieces) == 1 else detokenize(piece)))
    return out


def _pieces(toks: list[Tok]) -> list[list[Tok]]:
    """Split at separators that stand outside any group or bracket."""
    pieces: list[list[Tok]] = [[]]
    depth = 0
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.is_("sym", "{", "(", "[") or t.is_("cmd", "begin"):
            depth += 1
        elif t.is_("sym", "}", ")", "]") or t.is_("cmd", "end"):
            depth = max(0, depth - 1)
        cur = pieces[-1]
        if depth == 0 and t.is_("sym", "&"):
            i += 1
            continue
        if depth == 0 and (t.is_("cmd", *SEPARATORS) or t.is_("sym", ";")):
            pieces.append([])
            i += 1
            if t.text in ("xrightarrow", "xleftarrow") and i < len(toks) and toks[i].is_("sym", "{"):
                i = group_end(toks, i)
            continue
        if depth == 0 and t.kind == "text" and _has_equals(cur):
            pieces.append([])
            i += 1
            continue
        if depth == 0 and t.is_("sym", ",") and _has_equals(cur) and _has_equals(_until_comma(toks, i + 1)):
            pieces.append([])
            i += 1
            continue
        cur.append(t)
        i += 1
    return [p for p in pieces if p]


def _until_comma(toks: list[Tok], start: int) -> list[Tok]:
    """The tokens after a comma up to the next comma or separator at the same depth."""
    depth = 0
    out = []
    for t in toks[start:]:
        if t.is_("sym", "{", "(", "[") or t.is_("cmd", "begin"):
            depth += 1
        elif t.is_("sym", "}", ")", "]") or t.is_("cmd", "end"):
            depth -= 1
        if depth < 0 or depth == 0 and (t.is_("sym", ",", ";") or t.is_("cmd", *SEPARATORS)):
            break
        out.append(t)
    return out


def _is_equals(t: Tok) -> bool:
    return t.is_("sym", "=") or t.is_("cmd", *EQUALS)


def _has_equals(toks: list[Tok]) -> bool:
    depth = 0
    for t in toks:
        if t.is_("sym", "{", "(", "[") or t.is_("cmd", "begin"):
            depth += 1
        elif t.is_("sym", "}", ")", "]") or t.is_("cmd", "end"):
            depth -= 1
        elif depth == 0 and _is_equals(t):
            return True
    return False


def _members(toks: list[Tok]) -> list[list[Tok]]:
    """Split one equation at its top-level equals signs (`:=` and \\approx count as equals)."""
    members: list[list[Tok]] = [[]]
    depth = 0
    for t in toks:
        if t.is_("sym", "{", "(", "[") or t.is_("cmd", "begin"):
            depth += 1
        elif t.is_("sym", "}", ")", "]") or t.is_("cmd", "end"):
            depth = max(0, depth - 1)
        if depth == 0 and _is_equals(t):
            if members[-1] and members[-1][-1].is_("sym", ":"):
                members[-1].pop()
            members.append([])
        else:
            members[-1].append(t)
    return members
