"""pytest plugin: worked-example files are regression tests of their own verdicts.

Files whose name matches the ini option `gradverify_files` (default `*.worked.toml`) are collected
as one test each. A file passes when the judge's verdicts equal those recorded in its `[expect]`
table (no table: every claim correct); `--gradverify-update` records the current verdicts instead.
The comparison and rewrite live in `gradverify.grade.expect`; this module is only pytest's glue.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path
from typing import Any

import pytest

DEFAULT_PATTERNS = ["*.worked.toml"]
_UPDATED = pytest.StashKey[list]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("gradverify_files", type="args", default=DEFAULT_PATTERNS,
                  help="glob patterns of worked-example files collected as tests "
                       "(default: *.worked.toml)")
    group = parser.getgroup("gradverify")
    group.addoption("--gradverify-update", action="store_true", default=False,
                    help="record each worked example's current verdicts in its [expect] table")


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
    """The judge disagrees with the file's [expect] table; the message lists each claim."""


class UnusableExample(Exception):
    """The file does not load; the message is the validator's (file, key, line, what to write)."""


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
            try:
                new = expect.rewrite(text, expect.expect_table(result.claims))
            except ValueError as exc:
                raise UnusableExample(f"{self.path}: {exc}") from None
            if new != text:
                self.path.write_text(new, encoding="utf-8")
                self.config.stash[_UPDATED].append(str(self.path))
            if tables:
                raise VerdictsDiffer("\n".join([
                    f"{self.path.name}: [expect] updated, but these tables state their own expected "
                    f"verdict, which --gradverify-update does not change: fix the claim or its expect",
                    *tables]))
            return
        try:
            wanted = expect.parse_expect(table, str(self.path), text, ids)
        except expect.ExpectTableError as exc:
            raise UnusableExample(str(exc)) from None
        mismatches = expect.compare(wanted, result.claims)
        if mismatches or tables:
            parts = []
            if mismatches:
                n = len(mismatches)
                verb = "differs" if n == 1 else "differ"
                parts.append(f"{self.path.name}: {n} claim{'s' * (n != 1)} of {len(ids)} {verb} from "
                             f"[expect] (run pytest --gradverify-update to record the current verdicts)")
                parts += [m.explain() for m in mismatches]
            if tables:
                n = len(tables)
                parts.append(f"{self.path.name}: {n} derivative/formula table{'s' * (n != 1)} "
                             f"contradict{'s' * (n == 1)} {'its' if n == 1 else 'their'} own expect")
                parts += tables
            raise VerdictsDiffer("\n".join(parts))

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
        for path in updated:
            terminalreporter.write_line(f"updated [expect] in {path}")
