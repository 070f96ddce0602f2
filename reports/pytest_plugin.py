"""pytest plugin: worked-example files are regression tests of their own verdicts.

Files whose name matches the ini option `gradverify_files` (default `*.worked.toml`) are collected
as one test each. A file passes when the judge's verdicts equal those recorded in its `[expect]`
table (no table: every claim correct) and each [[derivative]]/[[formula]] table gets the verdict it
expects. `--gradverify-update` records the current verdicts and lists every expectation it changes
(old -> new); it refuses to record a claim that became wrong unless `--gradverify-accept-wrong` is
given too. The comparison and rewrite live in `gradverify.grade.expect`; this module is pytest's glue.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gradverify.grade.expect import ExpectTableError, Mismatch
from gradverify.judge.result import ClaimVerdict

DEFAULT_PATTERNS = ["*.worked.toml"]


@dataclass(frozen=True)
class Update:
    """A file whose [expect] table --gradverify-update rewrote, and each expectation it changed."""

    path: str
    changes: list[Mismatch]


_UPDATED = pytest.StashKey[list[Update]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("gradverify_files", type="args", default=DEFAULT_PATTERNS,
                  help="glob patterns of worked-example files collected as tests "
                       "(default: *.worked.toml)")
    group = parser.getgroup("gradverify")
    group.addoption("--gradverify-update", action="store_true", default=False,
                    help="record each worked example's current verdicts in its [expect] table, listing "
                         "every expectation changed; a claim that became wrong is refused unless "
                         "--gradverify-accept-wrong is given too")
    group.addoption("--gradverify-accept-wrong", action="store_true", default=False,
                    help="with --gradverify-update: also record claims that are now judged wrong")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_UPDATED] = []


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    patterns = parent.config.getini("gradverify_files") or DEFAULT_PATTERNS
    rel = file_path.relative_to(parent.config.rootpath).as_posix() \
        if file_path.is_relative_to(parent.config.rootpath) else file_path.name
    if any(fnmatch.fnmatch(file_path.name, p) or fnmatch.fnmatch(rel, p) for p in patterns):
        return WorkedFile.from_parent(parent, path=file_path)
    return None


class WorkedFile(pytest.File):
    """A worked-example file: one test item judging all its claims."""

    def collect(self):
        yield WorkedItem.from_parent(self, name=self.path.name)


class VerdictsDiffer(Exception):
    """The judge disagrees with the file's expectations; the message lists each claim."""


class UnusableExample(Exception):
    """The file does not load; the message is the validator's (file, key, line, what to write)."""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


class WorkedItem(pytest.Item):
    def runtest(self) -> None:
        from gradverify.grade import expect
        from gradverify.grade import judging

        text = self.path.read_text(encoding="utf-8")
        try:
            result = judging.judge_file(self.path)
        except judging.WorkedExampleError as exc:
            raise UnusableExample(str(exc)) from None
        ids = [expect.claim_id(c) for c in result.claims]
        table = tomllib.loads(text).get("expect")
        tables = expect.table_mismatches(result)
        if self.config.getoption("gradverify_update"):
            self._update(text, table, ids, result.claims)
            if tables:
                raise VerdictsDiffer("\n".join([
                    f"{self.path.name}: these tables state their own expected verdict, which "
                    f"--gradverify-update does not change: fix the claim or its expect", *tables]))
            return
        try:
            wanted = expect.parse_expect(table, str(self.path), text, ids)
        except ExpectTableError as exc:
            raise UnusableExample(str(exc)) from None
        mismatches = expect.compare(wanted, result.claims)
        if mismatches or tables:
            parts = []
            if mismatches:
                verb = "differs" if len(mismatches) == 1 else "differ"
                parts.append(f"{self.path.name}: {_plural(len(mismatches), 'claim')} of {len(ids)} {verb} from "
                             f"[expect] (run pytest --gradverify-update to record the current verdicts)")
                parts += [m.explain() for m in mismatches]
            if tables:
                n = len(tables)
                parts.append(f"{self.path.name}: {_plural(n, 'derivative/formula table')} "
                             f"{'does' if n == 1 else 'do'} not get the verdict expected")
                parts += tables
            raise VerdictsDiffer("\n".join(parts))

    def _update(self, text: str, table: Any, ids: list[str], claims: list[ClaimVerdict]) -> None:
        """Rewrite [expect] to the current verdicts, unless that would record a claim that became
        wrong without --gradverify-accept-wrong; every change is kept for the summary."""
        from gradverify.grade import expect

        try:
            before = expect.parse_expect(table, str(self.path), text, ids)
        except ExpectTableError:
            before = expect.parse_expect(None, str(self.path), text, ids)  # an unreadable table is replaced whole
        changes = expect.compare(before, claims)
        wrong = [m for m in changes if m.became_wrong]
        if wrong and not self.config.getoption("gradverify_accept_wrong"):
            raise VerdictsDiffer("\n".join([
                f"{self.path.name}: [expect] not updated: {_plural(len(wrong), 'claim')} would be recorded as "
                f"wrong (pass --gradverify-accept-wrong as well to record {'it' if len(wrong) == 1 else 'them'})",
                *[m.explain() for m in wrong],
                *(["other changes:"] if len(changes) > len(wrong) else []),
                *[f"  {m.change()}" for m in changes if not m.became_wrong]]))
        try:
            new = expect.rewrite(text, expect.expect_table(claims))
        except ValueError as exc:
            raise UnusableExample(f"{self.path}: {exc}") from None
        if new != text:
            self.path.write_text(new, encoding="utf-8")
            self.config.stash[_UPDATED].append(Update(str(self.path), changes))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, (VerdictsDiffer, UnusableExample)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"worked example {self.path.name}"


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    updated = config.stash.get(_UPDATED, [])
    if updated:
        terminalreporter.section("gradverify")
        for update in updated:
            n = len(update.changes)
            terminalreporter.write_line(f"updated [expect] in {update.path}: "
                                        f"{_plural(n, 'expectation') + ' changed' if n else 'rewritten, no verdict changed'}")
            for m in update.changes:
                terminalreporter.write_line(f"  {m.change()}")
