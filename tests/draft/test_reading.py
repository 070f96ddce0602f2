"""Reading mathematics out of a write-up: rows and their lines, numbers as printed, equation chains,
and what each written symbol names in a notation."""

from __future__ import annotations

import pytest

from gradverify.draft import chains, grammar, nodes, source
from gradverify.draft.notation import FROM_TO, NIELSEN, SEED004
from gradverify.draft.refs import Ref, Unknown, ref_of
from gradverify.draft.values import value_of, weighted_sum


def _equations(text: str, latex: bool = False) -> list[chains.Equation]:
    out: list[chains.Equation] = []
    previous = None
    for row in source.read(text, latex).rows:
        found = chains.equations(row, previous if row.continues else None)
        out += found
        previous = found[-1] if found else previous
    return out


def test_markdown_rows_keep_their_lines_and_skip_code() -> None:
    text = ("# Homework\n\nThe first neuron: $z_1^2 = 0.21$.\n\n```\nz_1^2 = 99\n```\n"
            "$$\n\\begin{aligned}\nz_2^2 &= -0.24 \\\\\na_2^2 &= 0.44\n\\end{aligned}\n$$\nIt costs \\$5.\n")
    rows = source.read(text, latex=False)
    assert [(r.text, r.line) for r in rows.rows] == [("z_1^2 = 0.21", 3), ("z_2^2 &= -0.24", 10), ("a_2^2 &= 0.44", 11)]
    assert rows.title == "Homework"


def test_latex_rows_skip_comments_and_preamble_and_continue_aligned_chains() -> None:
    text = ("\\documentclass{article}\n\\newcommand{\\z}{z}\n\\title{Step one}\n\\begin{document}\n"
            "% z_1^2 = 5 is a comment\n\\begin{align*}\nz_1^2 &= 0.2 \\times 0.8 - 0.2 \\\\\n"
            "&= -0.04\n\\end{align*}\nand \\(a_1^2 = 0.49\\).\n\\end{document}\n")
    eqs = _equations(text, latex=True)
    assert [e.line for e in eqs] == [7, 8, 10]
    assert eqs[1].members[0] == nodes.Sym("z", "1", "2") and value_of(eqs[1].members[1]) == "-0.04"
    assert source.read(text, latex=True).title == "Step one"


@pytest.mark.parametrize("written, text", [
    ("7.2 \\times 10^{-3}", "7.2 \\times 10^{-3}"), ("7.2 x 10^-3", "7.2 x 10^-3"), ("9e-4", "9e-4"),
    ("\\underline{0.552}", "0.552"), ("\\boxed{-0.065}", "-0.065"), ("\u22120.117", "-0.117"),
    ("\\underline{-0.065} //", "-0.065"), ("0.210 \\checkmark", "0.210"), ("0.4638.", "0.4638"),
])
def test_a_value_keeps_its_printed_text_through_ocr_noise(written: str, text: str) -> None:
    assert value_of(grammar.parse(written)) == text


def test_a_vector_or_matrix_of_numbers_is_a_value() -> None:
    assert value_of(grammar.parse("\\begin{bmatrix} 0.035 \\\\ -0.012 \\end{bmatrix}")) == [["0.035"], ["-0.012"]]
    assert value_of(grammar.parse("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}")) == [["1", "2"], ["3", "4"]]
    assert value_of(grammar.parse("\\begin{bmatrix} 0.2 \\times 0.8 \\end{bmatrix}")) is None  # arithmetic, not a value
    assert value_of(grammar.parse("\\sigma(0.21)")) is None


def test_the_arithmetic_of_a_weighted_sum() -> None:
    ws = weighted_sum(grammar.parse("\\cancel{0.2} - 0.2 \\times 0.8 + 0.1 x 0.7 + 0.552 \\times -0.3 - 0.2"))
    assert ws is not None
    assert [(p.sign, p.factors) for p in ws.products] == [("-", ("0.2", "0.8")), ("", ("0.1", "0.7")),
                                                          ("", ("0.552", "-0.3"))]
    assert ws.constants == ("-0.2",)
    assert weighted_sum(grammar.parse("(0.9 - 0.42)^2")) is None


def test_a_row_with_several_equations() -> None:
    eqs = _equations("$$w_{11}^2 = 0.2 - 1 \\times 7.2 \\times 10^{-3} = 0.1928 \\quad b_1^2 = -0.2 + 0.009$$\n"
                     "$$u = -x, v = e^u, w = 1+v$$\n$$\\frac{\\partial L}{\\partial w_{jk}^2} = \\delta_j^2 a_k^1 "
                     "\\quad ; \\quad j=1,2$$\n$$\\delta_1^3 = -0.117 \\quad (\\text{substitute } a_1^3 = 0.42)$$")
    firsts = [e.members[0] for e in eqs]
    assert firsts[:2] == [nodes.Sym("w", "11", "2"), nodes.Sym("b", "1", "2")]
    assert [f.name for f in firsts[2:5] if isinstance(f, nodes.Sym)] == ["u", "v", "w"]
    assert len([e for e in eqs if e.line == 4]) == 1  # the remark in parentheses is not an equation


@pytest.mark.parametrize("written, notation, ref", [
    ("z_1^2", NIELSEN, Ref("z", 2, (1,))),
    ("\\delta_1^3", NIELSEN, Ref("delta", 3, (1,))),
    ("w_{12}^3", NIELSEN, Ref("W", 3, (1, 2))),
    ("\\frac{\\partial L}{\\partial w_{11}^3}", NIELSEN, Ref("dW", 3, (1, 1))),
    ("\\frac{\\partial C}{\\partial b_j^l}", NIELSEN, Ref("db", "l", ("j",))),
    ("\\frac{dL}{da_2^3}", NIELSEN, Ref("dL_da", 3, (2,))),
    ("\\frac{\\partial a_1^3}{\\partial z_1^3}", NIELSEN, Ref("act_prime", 3, (1,))),
    ("\\sigma'(z_2^2)", NIELSEN, Ref("act_prime", 2, (2,))),
    ("\\text{Loss}", NIELSEN, Ref("loss")),
    ("\\text{Loss function: } L(a^L)", NIELSEN, Ref("loss")),
    ("\\hat{y}_2", NIELSEN, Ref("a", "L", (2,))),
    ("\\eta", NIELSEN, Ref("learning_rate")),
    ("W_{ij}^{(2)}", SEED004, Ref("W", 2, ("i", "j"))),
    ("\\nabla_{W^{(1)}} J", SEED004, Ref("dW", 1, None)),
    ("\\tau'(z_{3}^{(2)})", SEED004, Ref("act_prime", 2, (3,))),
    ("\\frac{\\delta E(x)}{\\delta \\omega_{01}^{0}}", FROM_TO, Ref("dW", 0, (0, 1))),
    ("O_2^1", FROM_TO, Ref("a", 1, (2,))),
])
def test_what_a_written_symbol_names(written: str, notation, ref: Ref) -> None:
    assert ref_of(grammar.parse(written), notation) == ref


@pytest.mark.parametrize("written, words", [
    ("\\frac{\\partial u}{\\partial x}", "u is not a symbol"), ("\\delta", "no layer number"),
    ("0.2 \\times 0.8", "a number or arithmetic"), ("\\frac{\\partial y}{\\partial x}", "other than the loss"),
])
def test_why_a_left_side_names_no_quantity(written: str, words: str) -> None:
    found = ref_of(grammar.parse(written), NIELSEN)
    assert isinstance(found, Unknown) and words in found.reason


def test_the_reader_never_raises_on_junk() -> None:
    for junk in ("\\frac{", "}{", "\\begin{bmatrix} 1 & ", "((((", "\\left. \\right|", "^_^", "\\sum", "= = =",
                 "\\nabla", "x^{", "\u0000\u001b[31m", "$$", "\\text{"):
        grammar.parse(junk)
        source.read(f"$${junk}$$ and ${junk}$", latex=False)
        _equations(f"$$a = {junk} = 0.5$$")


@pytest.mark.parametrize("hostile", [
    "$$a = " + "x^{" * 2000 + "1" + "}" * 2000 + " = 0.5$$",
    "$$a = " + "\\frac{" * 2000 + "1" + "}{2}" * 2000 + " = 0.5$$",
    "$$a = " + "\\begin{bmatrix}" * 1000 + "1" + "\\end{bmatrix}" * 1000 + "$$",
    "$$a = " + "\\sum " * 2000 + "1 = 2$$",
    "$$z_1^2 = " + "\\underline{" * 2000 + "1" + "}" * 2000 + "$$",
    "$$a" + "_{a" * 2000 + "}" * 2000 + " = 1$$",
    "$$z_1^2 = " + " + ".join(["0.1 \\times 0.2"] * 3000) + "$$",
    "$" * 5001, "$$\\text{" * 1000, "\x00\x01$$z_1^2 = \x1b0.5$$\udcff", "\\[ a\n" * 5000, "$ a " * 5000,
])
def test_hostile_write_ups_draft_without_an_error(hostile: str) -> None:
    """Deep nesting and huge equations are not hand work: they are skipped or listed, never a crash."""
    import tomllib

    from gradverify.draft import draft_text, to_toml

    tomllib.loads(to_toml(draft_text(hostile)))


@pytest.mark.parametrize("written, working", [
    ("0.2 - 1 \\times 7.2 \\times 10^{-3}", "0.2 - 1 x 7.2 x 10^{-3}"),
    ("(0.9 - 0.42)^2", "(0.9 - 0.42)^2"),
    ("\\frac{0.3}{1.5} + 0.552 \\cdot -0.3", "(0.3) / (1.5) + 0.552 x -0.3"),
    ("0.210", None), ("-0.117", None), ("\\sigma(0.21)", None), ("\\delta_1^3 a_1^2", None),
])
def test_the_working_before_a_result_in_the_formats_plain_form(written: str, working: str | None) -> None:
    from gradverify.draft.values import working_of
    from gradverify.judge import arith

    assert working_of(grammar.parse(written)) == working
    if working:
        arith.read(working)  # the worked-example format reads it
