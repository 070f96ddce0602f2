"""The drafted file's text: valid TOML, claims as printed, TODO lines that become a checkable file
once their ? are replaced, and the lines that were not read listed as comments."""

from __future__ import annotations

import tomllib

from gradverify.draft import draft_text, to_toml
from gradverify.judge import numbers, verdicts, worked

# z = 0.5 x 2 + 0 = 1; a = sigma(1) = 0.7311; dL/da = 2 (a - y) = -0.5379 for y = 1.
NO_INPUTS = r"""
$$a_1^2 = \sigma(z_1^2) = 0.7311$$
$$L = (y - a_1^2)^2 = 0.0723$$
$$\frac{\partial L}{\partial a^2} = \begin{bmatrix} -0.5379 \end{bmatrix}$$
$$\frac{\partial L}{\partial w_{11}^2} = 7.2 \times 10^{-3} \quad \text{(a made-up number)}$$
$$0.2 \times 0.8 = 0.16$$
"""


def test_todo_lines_mark_what_the_write_up_does_not_state() -> None:
    draft = draft_text(NO_INPUTS)
    text = to_toml(draft)
    doc = tomllib.loads(text)  # TODO lines are comments: the file is valid TOML as drafted
    assert "learning_rate" not in text  # nothing is updated: the format needs no learning rate
    assert "x" not in doc["data"]
    for line in ("# TODO x = [?]", "# TODO y = [?]", "# TODO W2 = [[?]]", "# TODO b2 = [?]"):
        assert line in text
    assert set(draft.todo()) == {"the data x", "the data y", "the starting W2", "the starting b2"}
    updated = draft_text(NO_INPUTS + "$$\\eta \\frac{\\partial L}{\\partial w_{11}^2} = 7 \\times 10^{-4}$$")
    assert updated.claims[-1].name == "lr_dW2[1,1]" and "the learning rate" in updated.todo()
    assert "# TODO learning_rate = ?" in to_toml(updated)
    assert doc["step"][0]["dW2[1,1]"] == "7.2 \\times 10^{-3}"  # a TOML literal string: the LaTeX kept
    assert numbers.parse(doc["step"][0]["dW2[1,1]"]).sig_digits == 2
    assert "#   line 6: 0.2 \\times 0.8 = 0.16  -- a number or arithmetic on the left" in text


def test_a_drafted_file_with_its_todos_filled_is_checked() -> None:
    text = to_toml(draft_text(NO_INPUTS))
    for todo, value in (("x = [?]", "x = [2]"),
                        ("y = [?]", "y = [1]"), ("W2 = [[?]]", "W2 = [[0.5]]"), ("b2 = [?]", "b2 = [0]")):
        text = text.replace(f"# TODO {todo}", value)
    result = verdicts.judge(worked.loads(text, "filled"))
    found = {c.name: c.verdict for c in result.claims}
    assert found["a2[1]"] == "correct" and found["dL_da2[1]"] == "correct"
    assert found["dW2[1,1]"] == "wrong"  # the made-up number


def test_titles_and_texts_that_need_escaping() -> None:
    draft = draft_text('# The "hard" one \\ with a backslash\n\n$$z_1^2 = 0.5$$')
    doc = tomllib.loads(to_toml(draft))
    assert doc["title"] == 'The "hard" one \\ with a backslash'


def test_a_quantity_read_whole_from_one_line_is_written_whole() -> None:
    text = to_toml(draft_text("$$z_1^2 = 0.5 \\times 1 + 0$$ $$z_2^2 = 0.5 \\times 1 + 0.1$$\n"
                              "$$\\delta^2 = \\begin{bmatrix} 0.1 \\\\ -0.2 \\end{bmatrix}$$\n$$z_1^2 = 0.5$$"))
    assert 'delta2 = ["0.1", "-0.2"]' in text and '"z2[1]" = "0.5"' in text
