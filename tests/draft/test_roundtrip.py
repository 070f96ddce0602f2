"""Round trips, one per notation: a write-up generated from a known worked example in that notation
(Markdown or LaTeX, clean or with OCR-like noise) is drafted back into the same claims, data,
parameters and network, and the notation is recognised from its symbols alone."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from gradverify.draft import draft_text, named, to_toml
from gradverify.judge import numbers, worked

sys.path.insert(0, str(Path(__file__).parent))  # the write-up generator beside these tests
sys.path.insert(0, str(Path(__file__).parents[1] / "reports"))  # the planted-example generator
import planted  # noqa: E402
from writeups import generate  # noqa: E402

FIELDS = ("sizes", "activations", "loss", "learning_rate", "conventions", "x", "y", "weights", "biases")


def _examples(notation: str) -> list[worked.WorkedExample]:
    """Known worked examples written in each notation's conventions."""
    if notation == "nielsen":  # to_from, layers from 1: seed 001's
        return [worked.load_example("cs7015-q3"), planted.plant(2, None, "seed001", digits=3).example]
    if notation == "from_to":  # w_ij from i to j: seed 003's
        return [worked.load_example("seed003-relu-softmax"), planted.plant(3, None, "seed003", digits=4).example]
    return [planted.plant(1, None, "seed004", digits=4).example, planted.plant(5, None, "seed004", digits=3).example]


def _claims(ex: worked.WorkedExample) -> dict[tuple[int, str], str]:
    """The example's claims; step 1's parameters are the starting parameters of a write-up."""
    return {(c.step, c.name): c.text for c in ex.claims if not (c.step == 1 and c.quantity in ("W", "b"))}


@pytest.mark.parametrize("noise", [False, True], ids=["clean", "ocr-noise"])
@pytest.mark.parametrize("latex", [False, True], ids=["markdown", "latex"])
@pytest.mark.parametrize("notation", ["nielsen", "from_to", "seed004"])
def test_a_generated_write_up_drafts_back_to_the_same_example(notation: str, latex: bool, noise: bool) -> None:
    for n, ex in enumerate(_examples(notation)):
        writeup = generate(ex, notation, latex, seed=n + 7 * noise, noise=noise)
        draft = draft_text(writeup.text, latex=latex)
        assert draft.notation.name == notation, draft.notation_why
        got = {(c.step, c.name): c.text for c in draft.claims}
        want = _claims(ex)
        assert got.keys() == want.keys()
        for key, text in want.items():
            if noise:  # noise may respell a number (a unicode minus), never change what it says
                a, b = numbers.parse(got[key]), numbers.parse(text)
                assert (a.value, a.last_place) == (b.value, b.last_place), key
            else:
                assert got[key] == text, key
        assert draft.todo() == [] and draft.unmapped == []
        again = worked.loads(to_toml(draft), "drafted")
        for field in FIELDS:
            assert getattr(again, field) == getattr(ex, field), field


def test_the_notation_can_be_chosen_when_the_symbols_do_not_tell() -> None:
    ex = worked.load_example("seed003-relu-softmax")
    text = generate(ex, "from_to", latex=False).text
    generic = [line for line in text.splitlines() if "^l" in line]
    assert generic
    for line in generic:  # without its generic formulas the write-up no longer shows w_ij next to a_i
        text = text.replace(line, "")
    assert draft_text(text).notation.name == "nielsen"  # the default
    chosen = draft_text(text, notation=named("from_to"))
    assert chosen.notation_why == "chosen with --notation"
    assert {(c.step, c.name): c.text for c in chosen.claims} == _claims(ex)
    again = worked.loads(to_toml(chosen), "drafted")
    assert again.weights == ex.weights and again.conventions == ex.conventions


def test_a_users_own_notation_file(tmp_path: Path) -> None:
    """Seed 003's letters: a for the weighted sum, x for the activation, dA for dL/da (and delta)."""
    spec = tmp_path / "seed003-letters.toml"
    spec.write_text('name = "seed003-letters"\nextends = "from_to"\n'
                    '[symbols]\na = "z"\nx = "a"\ndA = "delta"\n', encoding="utf-8")
    ex = worked.load_example("seed003-relu-softmax")
    text = generate(ex, "from_to", latex=False).text
    text = re.sub(r"(?<![A-Za-z\\])a(?=[_^])", "x", text)  # activations a -> x first,
    text = re.sub(r"(?<![A-Za-z\\])z(?=[_^])", "a", text)  # then weighted sums z -> a
    text = text.replace("\\delta", "dA")
    draft = draft_text(text, notation=named(str(spec)))
    assert draft.notation.name == "seed003-letters"
    assert {(c.step, c.name): c.text for c in draft.claims} == _claims(ex)
    again = worked.loads(to_toml(draft), "drafted")
    assert again.weights == ex.weights and again.x == ex.x and again.activations == ex.activations
