"""Seed 000 divides dE/dO^L by the batch size, so every Delta carries 1/B: stated as the network's
convention (`batch_mean_at = "output_gradient"`), hand work in that convention has nothing wrong at
B = 2 and B = 3; without it the deltas are read under the default convention and called wrong (the
false alarm the stated convention removes). The bundled example is the B = 2 file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import seed000_batch  # noqa: E402

from gradverify.judge.verdicts import check_text  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "reports" / "examples" / "seed000-batch-mean.toml"


@pytest.mark.parametrize("B", [2, 3])
def test_the_stated_convention_leaves_nothing_wrong(B):
    r = check_text(seed000_batch.worked(B))
    assert r.summary()["wrong"] == 0, [(c.name, c.diagnosis) for c in r.wrong()]
    assert r.summary()["correct"] >= 10 * B


@pytest.mark.parametrize("B", [2, 3])
def test_without_it_the_deltas_are_read_under_another_convention(B):
    r = check_text(seed000_batch.worked(B, convention=False))
    deltas = [c for c in r.wrong() if c.name.startswith("delta2")]
    assert deltas


def test_the_bundled_example_is_the_b2_file():
    assert EXAMPLE.read_text(encoding="utf-8") == seed000_batch.worked(2)
