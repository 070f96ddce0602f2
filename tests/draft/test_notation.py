"""Notations: the built-in tables, a user's own table, and detection from the symbols a write-up uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradverify.draft import draft_text
from gradverify.draft.notation import BUILT_IN, NotationError, from_table, named


def test_the_built_in_notations_and_their_conventions() -> None:
    assert set(BUILT_IN) == {"nielsen", "from_to", "seed004"}
    nielsen, from_to, seed004 = BUILT_IN["nielsen"], BUILT_IN["from_to"], BUILT_IN["seed004"]
    assert (nielsen.weights, nielsen.weights_named_by, nielsen.first_layer) == ("to_from", "to", 1)
    assert (from_to.weights, from_to.first_layer, from_to.first_index) == ("from_to", None, None)
    assert (seed004.weights, seed004.weights_named_by, seed004.biases_named_by) == ("to_from", "from", "to")
    assert seed004.function("tau") == "tanh" and seed004.function("rho") == "softmax"
    assert named("seed003") is from_to and named("Nielsen") is nielsen


def test_a_user_table_extends_a_built_in_one() -> None:
    mine = from_table({"name": "course", "extends": "seed004", "symbols": {"o": "a", "w": ""},
                       "functions": {"g": "relu"}, "first_index": 0}, "course.toml")
    assert mine.role("o") == "a" and mine.role("w") is None and mine.role("W") == "W"
    assert mine.function("g") == "relu" and mine.first_index == 0 and mine.weights_named_by == "from"


@pytest.mark.parametrize("table, words", [
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"extends": "einstein"}, "extends = 'einstein'"),
    ({"symbols": {"o": "output layer"}}, "symbols.o = 'output layer'"),
    ({"functions": {"g": "swish2"}}, "functions.g = 'swish2'"),
    ({"first_layer": 2}, "first_layer = 2"),
    ({"delta_factors": ["dL_da"]}, "delta_factors"),
    ({"symbols": ["o"]}, "write [symbols]"),
])
def test_a_wrong_notation_table_names_the_file_and_key(table: dict, words: str) -> None:
    with pytest.raises(NotationError) as err:
        from_table(table, "mine.toml")
    assert str(err.value).startswith("mine.toml: ") and words in str(err.value)


def test_a_notation_file_that_is_not_toml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("symbols = [", encoding="utf-8")
    with pytest.raises(NotationError, match="not valid TOML"):
        named(str(bad))


@pytest.mark.parametrize("text, expected", [
    ("$$z^{(2)} = W^{(1)} a^{(1)} + b^{(2)}$$ $$z_1^{(2)} = 0.5$$", "seed004"),
    ("$$z_j^l = \\sum_i w_{ij}^l a_i^{l-1} + b_j^l$$ $$z_1^2 = 0.5$$", "from_to"),
    ("$$z_j^l = \\sum_k w_{jk}^l a_k^{l-1} + b_j^l$$ $$z_1^2 = 0.5$$", "nielsen"),
    ("$$O_1^0 = 0.5$$ $$O_1^1 = \\sigma(s_1^0) = 0.6$$", "from_to"),
    ("Notation (From Nielsen's book). $$z_1^2 = 0.5$$", "nielsen"),
    ("$$z_1^2 = 0.5$$", "nielsen"),
])
def test_the_notation_is_detected_from_the_symbols(text: str, expected: str) -> None:
    assert draft_text(text).notation.name == expected


def test_layers_and_neurons_numbered_from_zero_in_the_from_to_notation() -> None:
    draft = draft_text("$$z_j^l = \\sum_i w_{ij}^l a_i^{l-1}$$\n$$z_0^1 = 0.3 \\times 1.0 + 0.1$$\n"
                       "$$z_0^1 = 0.4$$\n$$a_0^1 = \\sigma(z_0^1) = 0.599$$\n$$L = (y - a^1)^2$$\n$$y_0 = 1$$\n"
                       "$$\\eta = 0.5$$\n$$L = 0.161$$")
    assert (draft.numbering.first_layer, draft.numbering.first_index) == (0, 0)
    assert [c.name for c in draft.claims] == ["z1[0]", "a1[0]", "loss"]
    assert draft.parameters == {"W1": [["0.3"]], "b1": ["0.1"]} and draft.x == ["1.0"] and draft.todo() == []
