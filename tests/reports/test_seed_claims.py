"""The bundled claim files give the verdicts they expect, table by table and kind by kind
(`[[derivative]]`, written entry by entry or not, `[[identity]]`, `[[graph]]`, `[[indexed]]`,
`[[formula]]`), none unusable or undecided, and each seed mistake's claim gets its diagnosis, in words
that name the slip itself."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

KINDS = ("derivative", "identity", "graph", "indexed", "formula")


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """Each seed's `claim --seed --json`, once per module (the proof cache shared with test_claim)."""
    cache = tmp_path_factory.getbasetemp() / "gv-cache"
    out = {}
    for seed in ("000", "001", "002", "003", "004"):
        run = subprocess.run([sys.executable, "-m", "gradverify", "claim", "--seed", seed, "--json"],
                             capture_output=True, text=True, timeout=1200,
                             env={**__import__("os").environ, "GRADVERIFY_CACHE_DIR": str(cache)})
        out[seed] = json.loads(run.stdout)
    return out


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_every_table_gets_its_expected_verdict(judged, seed):
    data = judged[seed]
    rows = [(kind, r) for kind in KINDS for r in data.get(kind, [])]
    assert rows
    for kind, r in rows:
        assert r["verdict"] not in ("unusable", "undecided"), (kind, r.get("label"), r.get("explanation"))
        assert r["verdict"] == r["expect"], (kind, r.get("label"), r.get("explanation"))
        if r.get("expect_stated"):
            assert r["stated"]["verdict"] == r["expect_stated"], r.get("label")


def test_the_new_kinds_are_all_used(judged):
    used = {kind for data in judged.values() for kind in KINDS if data.get(kind)}
    assert used == set(KINDS)
    grids = [r for data in judged.values() for r in data["derivative"] if r.get("entries")]
    assert grids, "no claim written entry by entry"


@pytest.mark.parametrize("seed, label, fragment", [
    ("000", "000-25", "the sum over j runs 0..0"),
    ("000", "000-01", "does not exist"),
    ("001", "001-19", "z(a): z is made from x, not a"),
    ("001", "001-24", "u_k (made from a_k) is meant"),
    ("001", "001-40", "n where the mean's 1/n belongs"),
    ("002", "002-06", "quotient rule with f^2"),
    ("002", "002-11", "entry (1, N)"),
    ("003", "003-15", "N-1 where N-2 belongs"),
    ("003", "003-21", "the shift"),
    ("004", "004-09", "only the diagonal of the Jacobian"),
    ("001", "001-12", "multiply it by 4"),
    ("001", "001-31", "the claim is 1/2 times the derivative (multiply it by 2)"),
    ("001", "001-31b", "half that of the layout's loss (y - a)^2"),
    ("001", "001-32", "z2 where sigmoid'(z2) belongs"),
    ("001", "001-25", "a_i where the node u_i (made from a_i) is meant"),
    ("001", "001-43", "but the loss is stated as a sum over the outputs"),
    ("002", "002-01", "no edge joins z to E: E is made from d and p_2"),
    ("002", "002-02", "multiply it by 2"),
    ("002", "002-03", "the inner derivative d(-a + y)/da = -1 was dropped"),
    ("003", "003-16", "b_1 with superscript N where N-1 belongs"),
    ("003", "003-17", "x_i with superscript n where n-1 belongs"),
    ("003", "003-12b", "dA_j where dA_i belongs"),
    ("003", "003-19b", "dA_j where dA_i belongs"),
    ("004", "004-15", "consistent with R = lambda/2 sum W^2"),
])
def test_each_mistake_is_named(judged, seed, label, fragment):
    rows = [r for kind in KINDS for r in judged[seed].get(kind, []) if r["label"].startswith(label + ":")]
    assert rows, label
    words = " ".join(d for r in rows for d in (r.get("diagnoses") or [])) + " ".join(r["explanation"] for r in rows)
    assert fragment in words, (label, words)
