"""Fuzzed `claim --file` tables and fuzzed command lines (claim, check, derive, catalog): hypothesis
cases, the same every CI run (a few hundred here; bench/fuzz_claims.py runs thousands), each
asserting no traceback, an exit status of 0/1/2 with a message, no control character reaching the
terminal, and no proof worker left running."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, os.path.dirname(__file__))
from claim_fuzz import claim_file, command_line, run_claim_file, run_command  # noqa: E402

CI_FILES = 150
CI_COMMANDS = 200
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]


@pytest.fixture(autouse=True)
def remembered_verdicts(tmp_path_factory, monkeypatch):
    """Verdicts kept on disk for the whole fuzz: a claim repeated across cases is judged once."""
    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "claim-fuzz-cache"))


@settings(max_examples=CI_FILES, deadline=None, database=None, suppress_health_check=SLOW)
@given(case=claim_file())
def test_fuzzed_claim_files_never_crash(case, tmp_path):
    data, what = case
    path = tmp_path / "claims.toml"
    path.write_bytes(data)
    run = run_claim_file(path, as_json=len(data) % 2 == 0)
    assert run.kind in ("judged", "refused"), (what, run.traceback or run.problems)


@settings(max_examples=CI_COMMANDS, deadline=None, database=None, suppress_health_check=SLOW)
@given(argv=command_line())
def test_fuzzed_command_lines_never_crash(argv):
    run = run_command(argv)
    assert run.kind in ("judged", "refused"), (argv, run.traceback or run.problems)
