"""Grading one submission against the answer key: complete it, judge it, score it.

`load_key` runs once in the coordinating process (validates the key and its `[grading]` table,
finds the claims it asks); `make_grader` runs once in each worker and returns the function that
turns one submission's bytes into an Outcome. The judging itself is the judge's, reached only
through `gradverify.grade.judging`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from gradverify.grade import judging
from gradverify.grade.expect import claim_id
from gradverify.grade.outcome import Outcome, Task, failed_outcome, identifier
from gradverify.grade.run import KeyInfo
from gradverify.grade.scheme import GradingTableError, Scheme, parse_scheme, score
from gradverify.judge import tomltext
from gradverify.judge.result import CheckResult, ClaimVerdict

# Tables a key holds for grading/testing, never passed on as part of the problem.
_KEY_ONLY = ("grading", "expect")
# What defines the problem: a full submission must state it exactly as the key does.
_PROBLEM = ("network", "data", "parameters", "graph")  # graph: a circuit's inputs and nodes
# Tables of claims: what a student writes. Everything else of a submission is the problem.
_CLAIM_TABLES = ("step", "derivative", "formula")
_CLAIMS_ONLY_KEYS = ("student", "title") + _CLAIM_TABLES
# Distinct sets of claims whose verdicts a worker remembers (oldest forgotten first).
MEMO_SIZE = 2048


class KeyError_(Exception):
    """The answer key is unusable; the message names the file, the key and line, and the fix."""


@dataclass
class Key:
    """The loaded answer key: its problem, scheme and asked claims."""

    path: str
    text: str
    doc: dict[str, Any]
    scheme: Scheme
    claim_ids: list[str]
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # "derivative1" -> its table

    @property
    def info(self) -> KeyInfo:
        sha = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        max_score = sum(self.scheme.points_of(c) for c in self.claim_ids)
        return KeyInfo(self.path, sha, list(self.claim_ids), max_score)


JudgeDoc = Callable[[dict, str, str], CheckResult]


def _parse_key(path: str, text: str, judge_doc: JudgeDoc | None = None,
               claim_ids: list[str] | None = None) -> Key:
    """The key, judged to find its claims, unless `claim_ids` (already found) are given."""
    judge_doc = judge_doc or judging.judge_doc
    try:
        doc = tomltext.loads(text, path)
    except tomltext.TomlError as exc:
        raise KeyError_(str(exc)) from None
    problem = {k: v for k, v in doc.items() if k not in _KEY_ONLY}
    claims: list[ClaimVerdict] = []
    if claim_ids is None:
        try:
            claims = judge_doc(problem, path, text).claims
        except judging.WorkedExampleError as exc:
            raise KeyError_(str(exc)) from None
    tables = key_tables(problem)
    ids = (list(claim_ids) if claim_ids is not None
           else list(dict.fromkeys(claim_id(c) for c in claims)) + list(tables))
    if not ids:
        raise KeyError_(f"{path}: the key makes no claims: add [[step]] tables with the claims to grade")
    try:
        scheme = parse_scheme(doc.get("grading"), path, text, ids)
    except GradingTableError as exc:
        raise KeyError_(str(exc)) from None
    warnings = [
        f"{path}, line {c.line}: key claim {claim_id(c)} = {c.claimed} is judged {c.verdict} "
        f"(exact {c.exact:.6g}){': ' + c.diagnosis if c.diagnosis else ''}; submissions are graded "
        f"against the exact value"
        for c in claims if c.verdict == "wrong"
    ]
    problem_only = {k: v for k, v in problem.items() if k not in _CLAIM_TABLES}
    return Key(path, text, problem_only, scheme, ids, warnings, tables)


def key_tables(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The key's [[derivative]] and [[formula]] tables by claim id ("derivative1", "formula2").

    A submission answers them in the same order: its N-th [[derivative]] is graded against the
    key's N-th, and must be of the same function (`of`) or the same layout."""
    out: dict[str, dict[str, Any]] = {}
    for kind in ("derivative", "formula"):
        tables = doc.get(kind)
        if isinstance(tables, list):
            for n, t in enumerate(tables, start=1):
                if isinstance(t, dict):
                    out[f"{kind}{n}"] = t
    return out


def _same_question(mine: Any, theirs: dict[str, Any]) -> bool:
    """Whether a submission's table answers the key's: same function and variable, or layout."""
    if not isinstance(mine, dict):
        return False
    norm = lambda v: str(v).strip().lower() if v is not None else ""  # noqa: E731
    return all(norm(mine.get(k)) == norm(theirs.get(k)) for k in ("of", "wrt", "layout"))


def table_verdicts(key: Key, sub: dict[str, Any], result: CheckResult) -> dict[str, tuple[str, str]]:
    """Gradebook verdicts of the submission's derivative/formula tables that answer the key's:
    correct when the judge accepts the claim (equivalent, possibly on a domain), else its verdict
    (`not equivalent`, `undecided`, ...; no points); `wrong` when it answers another question."""
    out: dict[str, tuple[str, str]] = {}
    for t in result.derivatives:
        tid = f"{t.kind}{t.number}"
        if tid not in key.tables:
            continue
        answered = sub.get(t.kind) or []
        mine = answered[t.number - 1] if 0 < t.number <= len(answered) else None
        accepted = t.accepted
        if not _same_question(mine, key.tables[tid]):
            out[tid] = ("wrong", "")
        else:
            out[tid] = ("correct", "") if accepted else (str(t.verdict), "")
    return out


def load_key(path: str | Path, judge_doc: JudgeDoc | None = None) -> Key:
    """Read and validate the answer key (raises KeyError_ with a message for the user)."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as exc:
        raise KeyError_(f"{path}: cannot read the key: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise KeyError_(f"{path}: not UTF-8 text (byte {exc.start}); save the key as UTF-8") from None
    return _parse_key(str(path), text, judge_doc)


def _first_difference(a: Any, b: Any, where: str) -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            d = _first_difference(a.get(k), b.get(k), f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    if a != b and not _same_number(a, b):
        return where
    return None


def _same_number(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def _line(text: str, path: str) -> int | None:
    """Line of a dotted `path` ("network.sizes[1]", "score") in TOML text: the key's own line
    inside its table when found, else the table's header line."""
    parts = path.split("[", 1)[0].split(".")
    table, key = ".".join(parts[:-1]), parts[-1]
    inside, header = table == "", None
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if s.startswith("["):
            name = s.split("#", 1)[0].strip().strip("[]").strip()
            inside = name == table
            if inside and header is None:
                header = n
            elif name == path:
                return n
        elif inside and s.split("=", 1)[0].strip().strip("\"'") == key and "=" in s:
            return n
    return header


def complete(key: Key, sub: dict[str, Any], file: str, text: str) -> dict[str, Any]:
    """The worked example to judge: the key's problem with the submission's claims.

    Raises WorkedExampleError (malformed) when a full submission states another problem, or a
    claims-only one has keys that are neither claims nor `student`.
    """
    stated = [k for k in _PROBLEM if k in sub]
    if stated:
        for k in _PROBLEM:
            diff = _first_difference(sub.get(k), key.doc.get(k), k)
            if diff:
                where = f"{file}, line {_line(text, diff)}" if _line(text, diff) else file
                raise judging.WorkedExampleError(
                    f"{where}: {diff} differs from the answer key's; submit the key's problem "
                    f"unchanged, or only your [[step]] claims (the key supplies the rest)")
    else:
        for k in sub:
            if k not in _CLAIMS_ONLY_KEYS and k not in _KEY_ONLY:
                where = f"{file}, line {_line(text, k)}" if _line(text, k) else file
                raise judging.WorkedExampleError(
                    f"{where}: {k}: a claims-only submission holds [[step]] tables of claims (and "
                    f'[[derivative]] or [[formula]] claims), optionally student = "..."; remove {k} '
                    f"or submit the full worked example")
    if not sub.get("step"):
        raise judging.WorkedExampleError(
            f"{file}: no claims: write [[step]] tables with your numbers, e.g. z2 = [\"0.210\", \"-0.240\"]")
    doc = dict(key.doc)
    if "title" in sub and "title" not in doc:
        doc["title"] = sub["title"]
    for table in _CLAIM_TABLES:  # the submission's claims only: never the key's answers
        if table in sub:
            doc[table] = sub[table]
    return doc


def _claim_ids(asked: list[str], step: int, written: str) -> list[str]:
    """The key's claim ids a submission's claim key (`z2`, `W2[1,1]`, a circuit's `df/dx`) of `step`
    stands for; none when it names no claim."""
    if f"step{step}.{written}" in asked:  # a circuit's claim, or a network's written as the key writes it
        return [f"step{step}.{written}"]
    try:
        key = judging.parse_claim_key(written)
    except ValueError:
        return []
    head = f"step{step}.{key.quantity}{'' if key.layer is None else key.layer}"
    if key.index is not None:
        return [cid for cid in asked if cid == f"{head}[{','.join(map(str, key.index))}]"]
    return [cid for cid in asked if cid == head or cid.startswith(head + "[")]


def make_grader(key_path: str, key_text: str, claim_ids: list[str] | None = None, budget: float | None = None,
                judge_doc: JudgeDoc | None = None) -> Callable[[Task], Outcome]:
    """Build (once per worker) the function grading one submission against this key.

    `claim_ids`, when the coordinator already judged the key, spare each worker judging it again;
    `budget` is the seconds a submission's derivative and formula claims get in all (then the rest
    are undecided); `judge_doc` defaults to the real judge, sharing one problem's work between
    submissions and leaving out (as `unusable`) a claim that cannot be read; tests pass a scripted one.
    """
    judge_doc = judge_doc or judging.problem_judge()
    key = _parse_key(key_path, key_text, judge_doc, claim_ids)
    max_score = key.info.max_score
    # Identical claims get identical verdicts: a class hands in many copies of the same answers,
    # and the judge's verdicts depend on the claims and the problem only (never on the file name).
    memo: dict[str, tuple] = {}

    def grade_one(task: Task) -> Outcome:
        try:
            text = task.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return failed_outcome(task, "malformed", f"{task.file}: not UTF-8 text (byte {exc.start}); "
                                  "save the file as UTF-8", max_score)
        try:
            sub = tomltext.loads(text, task.file)
        except tomltext.TomlError as exc:
            return failed_outcome(task, "malformed", str(exc), max_score)
        try:
            doc = complete(key, sub, task.file, text)
        except judging.WorkedExampleError as exc:
            return failed_outcome(task, "malformed", str(exc), max_score)
        memo_key = json.dumps(doc, sort_keys=True, default=str)
        graded = memo.get(memo_key)
        if graded is None:
            try:
                with judging.time_budget(doc, budget):
                    result = judge_doc(doc, task.file, text)
            except judging.WorkedExampleError as exc:
                return failed_outcome(task, "malformed", str(exc), max_score)
            judged = {claim_id(c): (c.verdict, c.kind) for c in result.claims}
            judged.update(table_verdicts(key, sub, result))
            unusable = judging.unusable_claims(result)
            for step, written, _why in unusable:
                judged.update(dict.fromkeys(_claim_ids(key.claim_ids, step, written), ("unusable", "")))
            graded = (score(key.scheme, key.claim_ids, judged), result.to_json(), [why for *_, why in unusable])
            if not unusable:  # the reasons name this file and its lines: never lent to another
                if len(memo) >= MEMO_SIZE:
                    memo.pop(next(iter(memo)))
                memo[memo_key] = graded
        sc, result_json, reasons = graded
        return Outcome(
            file=task.file, sha256=task.sha256, ident=identifier(task, sub), status="graded",
            reason="; ".join(reasons)[:2000], score=sc.score, max_score=sc.max_score, correct=sc.correct,
            follows=sc.follows, wrong=sc.wrong, missing=sc.missing, verdicts=dict(sc.verdicts), result=result_json,
        )

    return grade_one
