"""Honest hand work is never `wrong`: 320 files generated the way a careful person computes (each
number from their own written, rounded numbers with the textbook recipes, in 50-digit arithmetic;
tests/reports/handwork.py, independent of the engine), over every convention, activation and loss
the format offers. `python bench/bench_honest.py 3000` runs ten times as many."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import handwork  # noqa: E402

from gradverify.judge.verdicts import check_text  # noqa: E402

SEEDS = range(320)
CHUNKS = [SEEDS[i:i + 40] for i in range(0, len(SEEDS), 40)]


@pytest.mark.parametrize("seeds", CHUNKS, ids=[f"{c[0]}-{c[-1]}" for c in CHUNKS])
def test_honest_hand_work_has_nothing_wrong(seeds):
    found = []
    for seed in seeds:
        result = check_text(handwork.honest(seed), f"honest:{seed}")
        found += [(seed, c.step, c.name, c.claimed, c.diagnosis) for c in result.wrong()]
    assert not found, found[:5]


def test_the_generated_files_cover_every_convention_activation_and_loss():
    seen: dict[str, set] = {}
    for seed in SEEDS:
        cfg = handwork.config(random.Random(seed))
        for key, value in cfg.conv.items():
            seen.setdefault(key, set()).add(value)
        seen.setdefault("activation", set()).update(cfg.acts)
        seen.setdefault("loss", set()).add(cfg.loss)
        seen.setdefault("batch size", set()).add(cfg.B)
        seen.setdefault("labels", set()).add(cfg.labels)
        seen.setdefault("l2", set()).add(cfg.l2 > 0)
        seen.setdefault("steps", set()).add(cfg.n_steps)
        seen.setdefault("learning rate", set()).add(cfg.lr is None)
    assert seen["weights"] == {"to_from", "from_to"} and seen["first_layer"] == seen["first_index"] == {0, 1}
    assert seen["bias"] == {"per_neuron", "shared", "frozen", "shared_frozen", "none"}
    assert seen["error_sign"] == {"gradient", "negative"} and seen["batch"] == {"mean", "sum"}
    assert seen["batch_mean_at"] == {"parameter_gradient", "output_gradient"}
    assert seen["weights_named_by"] == seen["biases_named_by"] == {"to", "from"}
    assert set(handwork.HIDDEN) | {"softmax"} <= seen["activation"]
    assert {loss for _, loss in handwork.OUTPUTS} == seen["loss"]
    assert seen["batch size"] == {1, 2, 3} and seen["labels"] == {"values", "index"}
    assert seen["l2"] == seen["learning rate"] == {True, False} and seen["steps"] == {1, 2}
