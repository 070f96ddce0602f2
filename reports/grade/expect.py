"""Expected verdicts recorded in a worked example (`[expect]`): compare, explain, rewrite.

    [expect]
    all = "correct"              # every claim not named below
    "step1.delta3" = "wrong"     # one claim, or every element of a quantity ("step1.dW2")
    "step2.b2[1]" = "wrong"      # one element, in the file's own numbering

The most specific key wins: the claim's id, then its quantity ("step1.dW2"), then its step
("step2"), then `all`. A file without `[expect]` expects every claim correct. This is the shared
core of the pytest plugin; `rewrite` changes only the `[expect]` table's text.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from gradverify.judge.result import CIRCUIT_QUANTITIES, VERDICTS, CheckResult, ClaimVerdict


class ExpectTableError(ValueError):
    """A bad `[expect]` table; the message names file, key and line and what to write."""


def claim_id(cv: ClaimVerdict) -> str:
    """A claim's id, the same for whole-vector and per-element claims: "step1.z2[1]", "step1.loss";
    a circuit's claims by their names: "step1.q", "step1.df/dq"."""
    if cv.quantity in CIRCUIT_QUANTITIES:
        return f"step{cv.step}.{cv.name}"
    layer = "" if cv.layer is None else str(cv.layer)
    index = f"[{','.join(str(i) for i in cv.index)}]" if cv.index else ""
    return f"step{cv.step}.{cv.quantity}{layer}{index}"


def _prefixes(cid: str) -> list[str]:
    """Keys that can name claim `cid`, most specific first."""
    quantity = cid.split("[", 1)[0]
    step = cid.split(".", 1)[0]
    return [k for k in dict.fromkeys([cid, quantity, step, "all"])]


def _line_of(text: str, key: str) -> int | None:
    pat = re.compile(rf'^\s*(?:"{re.escape(key)}"|\'{re.escape(key)}\'|{re.escape(key)})\s*=')
    inside = False
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if s.startswith("["):
            inside = s.split("#", 1)[0].strip() == "[expect]"
        elif inside and pat.match(line):
            return n
    return None


def parse_expect(table: Any, file: str, text: str, claim_ids: Iterable[str]) -> dict[str, str]:
    """Validate `[expect]` against the file's claims; None (no table) means all correct."""
    if table is None:
        return {"all": "correct"}
    if not isinstance(table, dict):
        raise ExpectTableError(f"{file}: expect must be a table: write [expect] then lines like all = \"correct\"")
    ids = list(claim_ids)
    names = set(ids) | {p for i in ids for p in _prefixes(i)}
    for key, verdict in table.items():
        where = f"{file}, line {_line_of(text, key)}" if _line_of(text, key) else file
        if verdict not in VERDICTS:
            raise ExpectTableError(
                f"{where}: [expect] {key} = {verdict!r}: write one of \"correct\", \"follows\", \"wrong\"")
        if key not in names:
            from difflib import get_close_matches

            near = get_close_matches(key, sorted(names), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            example = repr(ids[0]) if ids else '"step1.loss"'
            raise ExpectTableError(
                f"{where}: [expect] {key}: the file makes no such claim{hint} "
                f"(keys are claim ids like {example}, a quantity, a step, or all)")
    return dict(table)


def expected_verdict(expect: Mapping[str, str], cid: str) -> str:
    """The verdict `expect` states for claim `cid` (its most specific key; correct by default)."""
    for k in _prefixes(cid):
        if k in expect:
            return expect[k]
    return "correct"


@dataclass(frozen=True)
class Mismatch:
    """One claim whose verdict differs from its expectation."""

    cid: str
    expected: str
    claim: ClaimVerdict

    @property
    def became_wrong(self) -> bool:
        """The claim is judged wrong now and was not expected to be."""
        return self.claim.verdict == "wrong"

    def change(self) -> str:
        """One line for --gradverify-update: "step1.z2[2] (line 4): correct -> wrong"."""
        where = f" (line {self.claim.line})" if self.claim.line else ""
        return f"{self.cid}{where}: {self.expected} -> {self.claim.verdict}"

    def explain(self) -> str:
        c = self.claim
        where = f" (line {c.line})" if c.line else ""
        lines = [f"{self.cid}{where}: expected {self.expected}, got {c.verdict}",
                 f"    claimed {c.claimed}   exact {_num(c.exact)}   from your values {_num(c.from_claims)}"]
        if c.diagnosis:
            lines.append(f"    diagnosis ({c.kind}): {c.diagnosis}" if c.kind else f"    diagnosis: {c.diagnosis}")
        if c.note:
            lines.append(f"    note: {c.note}")
        return "\n".join(lines)


def _num(x: float | None) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    return "-" if x is None else str(x)


def compare(expect: Mapping[str, str], claims: Iterable[ClaimVerdict]) -> list[Mismatch]:
    """Claims whose verdict is not the expected one, in file order."""
    out = []
    for c in claims:
        cid = claim_id(c)
        want = expected_verdict(expect, cid)
        if c.verdict != want:
            out.append(Mismatch(cid, want, c))
    return out


def table_mismatches(result: CheckResult) -> list[str]:
    """[[derivative]]/[[formula]] tables whose verdict is not the one they expect: their own
    `expect = ...`, or, without one, equivalent (possibly on a domain), as `check` exits 0 for.

    Those expectations are the author's statement of mathematical truth, kept in each table;
    --gradverify-update never rewrites them. Each is shown with why and the judge's diagnoses.
    """
    out = []
    for t in result.derivatives:
        if (t.as_expected if t.expect else t.accepted):
            continue
        where = f" (line {t.line})" if t.line else ""
        label = f" {t.label!r}" if t.label else ""
        wanted = t.expect or "equivalent (no expect given)"
        lines = [f"[[{t.kind}]] {t.number}{label}{where}: expected {wanted}, got {t.verdict}",
                 f"    claimed {t.claimed}"]
        if t.explanation:
            lines.append(f"    why: {t.explanation}")
        lines += [f"    diagnosis: {d}" for d in t.diagnoses]
        out.append("\n".join(lines))
    return out


def expect_table(claims: Iterable[ClaimVerdict]) -> str:
    """The `[expect]` text recording these verdicts compactly: `all` = the commonest verdict,
    then each quantity (or element) that differs from it."""
    verdicts = {claim_id(c): c.verdict for c in claims}
    if not verdicts:
        return '[expect]\nall = "correct"\n'
    common = Counter(verdicts.values()).most_common(1)[0][0]
    groups: dict[str, dict[str, str]] = {}
    for cid, v in verdicts.items():
        groups.setdefault(cid.split("[", 1)[0], {})[cid] = v
    lines = ["[expect]", f'all = "{common}"']
    for quantity, members in groups.items():
        kinds = set(members.values())
        if kinds == {common}:
            continue
        if len(kinds) == 1:
            lines.append(f'"{quantity}" = "{kinds.pop()}"')
            continue
        lines += [f'"{cid}" = "{v}"' for cid, v in members.items() if v != common]
    return "\n".join(lines) + "\n"


_HEADER = re.compile(r"^\s*\[")
_EXPECT = re.compile(r"^\s*\[\s*expect\s*\]\s*(#.*)?$")


def rewrite(text: str, table: str) -> str:
    """`text` with its `[expect]` table replaced by `table` (appended when absent).

    Only that table's lines change; the result is checked to parse to the same document apart
    from `expect`, so a file this cannot edit safely is left alone (ValueError).
    """
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if _EXPECT.match(ln)), None)
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        new = text + sep + ("\n" if text.strip() else "") + table
    else:
        end = next((j for j in range(start + 1, len(lines)) if _HEADER.match(lines[j])), len(lines))
        while end > start + 1 and not lines[end - 1].strip():  # keep blank lines before next table
            end -= 1
        new = "".join(lines[:start]) + table + "".join(lines[end:])
    refuse = ValueError("cannot rewrite [expect] without touching the rest of the file; edit it by hand")
    before = tomllib.loads(text)
    try:
        after = tomllib.loads(new)
    except tomllib.TOMLDecodeError:
        raise refuse from None
    before.pop("expect", None)
    got = after.pop("expect", None)
    if before != after or got != tomllib.loads(table)["expect"]:
        raise refuse
    return new
