"""A report made again comes from what the first one kept: the same bytes, without SymPy; kept
entries from other code are not used, a damaged one is recomputed, and GRADVERIFY_CACHE_DIR=off
keeps nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradverify.render import build, cache, render_html, render_latex


def _report(name: str = "cs7015-q3") -> tuple[str, str]:
    model = build.model_from_result(build.check(None, name))
    return render_html(model), render_latex(model)


def test_a_kept_report_is_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", "off")
    fresh = _report()
    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", str(tmp_path))
    first = _report()
    kinds = sorted({p.name.split("-")[0] for p in (tmp_path / "reports").iterdir()})
    assert kinds == ["claim", "forms", "section", "symbolic"]
    assert _report() == first == fresh


def test_a_kept_report_needs_no_sympy(tmp_path: Path) -> None:
    env = {**os.environ, "GRADVERIFY_CACHE_DIR": str(tmp_path)}
    code = ("import sys; from gradverify.render import build, render_html; "
            "render_html(build.model_from_result(build.check(None, 'cs7015-q3'))); print('sympy' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
            for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["True", "False"], [r.stderr[-500:] for r in runs]


def test_entries_of_other_code_or_damaged_are_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", str(tmp_path))
    calls = []

    def compute() -> list[int]:
        calls.append(1)
        return [1, 2]

    assert cache.cached("test", "k", compute, list, list) == [1, 2]
    assert cache.cached("test", "k", compute, list, list) == [1, 2] and len(calls) == 1
    (path,) = (tmp_path / "reports").glob("test-*.json")
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "stamp": "another version"}))
    assert cache.cached("test", "k", compute, list, list) == [1, 2] and len(calls) == 2
    path.write_text("{not json")
    assert cache.cached("test", "k", compute, list, list) == [1, 2] and len(calls) == 3
    assert cache.cached("test", "k", compute, list, lambda data: data["no such key"]) == [1, 2] and len(calls) == 4


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.folder() is None
    cache.put("test", "k", [1])
    assert cache.get("test", "k") is None and not any(tmp_path.iterdir())
