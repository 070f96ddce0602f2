"""The key's `[grading]` table: points per claim and the credit each verdict earns.

    [grading]
    points = 1                 # points of every claim not listed in [grading.claims]
    follows = 0.5              # fraction of a claim's points earned by `follows`
    convention = 0.25          # fraction earned by a `wrong` claim diagnosed as a convention slip
    convention_kinds = ["half_convention", "transposed"]   # optional: which diagnosis kinds count

    [grading.claims]           # points per claim id, or per quantity prefix ("step1.W2")
    "step1.loss" = 2

Validated like the rest of the file: an unknown key or a bad value names the file, key and line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any, Iterable, Mapping

from gradverify.judge.diagnose import KINDS

# The judge's diagnosis kinds (ClaimVerdict.kind). Convention mistakes are choices a textbook could
# have made the other way: the 1/2 of squared error, mean vs sum, the weights' layout, the error's
# or update's sign, the learning rate. The others are calculus or arithmetic slips.
CONVENTION_KINDS = (
    "half_convention", "mean_vs_sum_outputs", "mean_vs_sum_batch", "transposed", "sign",
    "update_sign", "learning_rate",
)
OTHER_KINDS = tuple(k for k in KINDS if k not in CONVENTION_KINDS)
KNOWN_KINDS = tuple(KINDS)
# Names of earlier versions, still read in [grading] tables: each stands for the kinds it became.
FORMER_KINDS = {"typo": ("typo_dropped_digit", "typo_doubled_digit", "typo_swapped_digits", "typo_wrong_digit",
                         "last_digit"), "wrong_point": ("derivative_at_z", "derivative_at_a")}

_TOP_KEYS = ("points", "follows", "convention", "convention_kinds", "claims")


class GradingTableError(ValueError):
    """A bad `[grading]` table; `key` and `line` locate it, the message says what to write."""

    def __init__(self, file: str, key: str, line: int | None, message: str) -> None:
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: [grading] {key}: {message}")
        self.file, self.key, self.line = file, key, line


@dataclass(frozen=True)
class Scheme:
    """Points and credit fractions; `points_for` maps claim ids or id prefixes to points."""

    points: float = 1.0
    follows: float = 0.5
    convention: float = 0.0
    convention_kinds: tuple[str, ...] = CONVENTION_KINDS
    points_for: Mapping[str, float] = field(default_factory=dict)

    def points_of(self, claim_id: str) -> float:
        """Points of one claim: its own override, else the longest matching prefix, else default."""
        if claim_id in self.points_for:
            return self.points_for[claim_id]
        best = None
        for prefix, pts in self.points_for.items():
            if claim_id.startswith(prefix) and claim_id[len(prefix):len(prefix) + 1] in ("[", ".", ""):
                if best is None or len(prefix) > len(best[0]):
                    best = (prefix, pts)
        return best[1] if best else self.points

    def credit(self, verdict: str, kind: str = "") -> float:
        """Fraction of a claim's points earned by this verdict (and diagnosis kind)."""
        if verdict == "correct":
            return 1.0
        if verdict == "follows":
            return self.follows
        if verdict == "wrong" and kind in self.convention_kinds:
            return self.convention
        return 0.0


@dataclass
class Score:
    """A submission's score against the key's claims."""

    score: float
    max_score: float
    correct: int
    follows: int
    wrong: int
    missing: int
    verdicts: dict[str, str]


def score(scheme: Scheme, key_claims: Iterable[str], judged: Mapping[str, tuple[str, str]]) -> Score:
    """Score `judged` ({claim id: (verdict, diagnosis kind)}) over the key's claim ids.

    A key claim the submission does not make is `missing` (no points). Claims the key does not make
    are not scored: the key decides what is asked.
    """
    total = earned = 0.0
    counts = {"correct": 0, "follows": 0, "wrong": 0, "missing": 0}
    verdicts: dict[str, str] = {}
    for cid in key_claims:
        pts = scheme.points_of(cid)
        total += pts
        verdict, kind = judged.get(cid, ("missing", ""))
        verdicts[cid] = verdict
        counts[verdict if verdict in counts else "wrong"] += 1
        earned += pts * scheme.credit(verdict, kind)
    return Score(round(earned, 9), round(total, 9), counts["correct"], counts["follows"],
                 counts["wrong"], counts["missing"], verdicts)


def _line_of(text: str, key: str, table: str) -> int | None:
    """Line (1-based) of `key` inside `[table]` of TOML `text`, or of the table header."""
    in_table = table == ""  # "" is the top level, before any table header
    header_line = None
    pattern = re.compile(rf'^\s*(?:"{re.escape(key)}"|\'{re.escape(key)}\'|{re.escape(key)})\s*=')
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.split("#")[0].strip().strip("[]").strip() == table
            if in_table and header_line is None:
                header_line = n
            continue
        if in_table and pattern.match(line):
            return n
    return header_line


def _fraction(value: Any, file: str, key: str, text: str) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not 0 <= value <= 1:
        raise GradingTableError(file, key, _line_of(text, key, "grading"),
                                f"{value!r} is not a credit fraction; write a number from 0 to 1, e.g. 0.5")
    return float(value)


def _points(value: Any, file: str, key: str, line: int | None) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0:
        raise GradingTableError(file, key, line, f"{value!r} is not a number of points; write one >= 0, e.g. 1")
    return float(value)


def parse_scheme(table: Any, file: str, text: str = "", claim_ids: Iterable[str] = ()) -> Scheme:
    """Validate a `[grading]` table (None: defaults) against the key's claim ids."""
    if table is None:
        return Scheme()
    if not isinstance(table, dict):
        raise GradingTableError(file, "grading", _line_of(text, "grading", ""),
                                "must be a table: write [grading] on its own line, then key = value lines")
    for key in table:
        if key not in _TOP_KEYS:
            near = get_close_matches(key, _TOP_KEYS, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise GradingTableError(file, key, _line_of(text, key, "grading"),
                                    f"unknown key; {hint}known keys: {', '.join(_TOP_KEYS)}")
    points = _points(table.get("points", 1.0), file, "points", _line_of(text, "points", "grading"))
    follows = _fraction(table.get("follows", 0.5), file, "follows", text)
    convention = _fraction(table.get("convention", 0.0), file, "convention", text)
    kinds = table.get("convention_kinds", list(CONVENTION_KINDS))
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise GradingTableError(file, "convention_kinds", _line_of(text, "convention_kinds", "grading"),
                                'write a list of diagnosis kinds, e.g. ["half_convention", "transposed"]')
    for k in kinds:
        if k not in KNOWN_KINDS and k not in FORMER_KINDS:
            near = get_close_matches(k, [*KNOWN_KINDS, *FORMER_KINDS], n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise GradingTableError(file, "convention_kinds", _line_of(text, "convention_kinds", "grading"),
                                    f"{k!r} is not a diagnosis kind; {hint}kinds: {', '.join(KNOWN_KINDS)}")
    kinds = [n for k in kinds for n in FORMER_KINDS.get(k, (k,))]
    overrides = table.get("claims", {})
    if not isinstance(overrides, dict):
        raise GradingTableError(file, "claims", _line_of(text, "claims", "grading"),
                                'must be a table: [grading.claims] then lines like "step1.loss" = 2')
    ids = list(claim_ids)
    points_for: dict[str, float] = {}
    for cid, pts in overrides.items():
        line = _line_of(text, cid, "grading.claims")
        if ids and not any(i == cid or (i.startswith(cid) and i[len(cid)] in "[.") for i in ids):
            near = get_close_matches(cid, ids, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise GradingTableError(file, f"claims.{cid}", line,
                                    f"the key makes no such claim; {hint}claim ids look like {ids[0]!r}")
        points_for[cid] = _points(pts, file, f"claims.{cid}", line)
    return Scheme(points, follows, convention, tuple(kinds), points_for)
