"""`gradverify draft` and `gradverify check WRITEUP`: the files they write, what they say on stderr,
and their exit status (0 drafted / nothing wrong, 1 a claim wrong, 2 unusable input)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from gradverify.cli import main
from gradverify.judge import worked

# A write-up in Nielsen's notation, worked by hand: 1 input, 1 sigmoid output, squared error.
# z = 0.5 x 2 + 0 = 1; a = sigma(1) = 0.731 (0.7311); L = (1 - 0.731)^2 = 0.0724 (0.07237);
# dL/da = 2(a - y) = -0.538; sigma'(z) = a(1 - a) = 0.197 (0.1966); delta = -0.538 x 0.197 = -0.106;
# dL/dw = delta x = -0.212; w after the update with eta = 0.1: 0.5 + 0.0212 = 0.5212.
WRITEUP = r"""# One neuron by hand

Inputs: $x_1 = 2$, target $y_1 = 1$, learning rate $\eta = 0.1$, loss $L = (y - a^2)^2$.

$$z_1^2 = 0.5 \times 2 + 0 = 1.000$$
$$a_1^2 = \sigma(z_1^2) = \underline{0.731}$$
$$L = (1 - 0.731)^2 = 0.0724$$
$$\frac{\partial L}{\partial a_1^2} = -0.538$$
$$\sigma'(z_1^2) = 0.197$$
$$\delta_1^2 = -0.538 \times 0.197 = -0.106$$
$$\frac{\partial L}{\partial w_{11}^2} = \delta_1^2 x_1 = -0.212$$
$$\frac{\partial L}{\partial b_1^2} = -0.106$$
$$w_{11}^2 = 0.5 - 0.1 \times (-0.212) = 0.5212$$
$$u = 3$$
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _write(tmp_path: Path, text: str, name: str = "hw.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_draft_prints_a_worked_example_and_lists_what_it_could_not_read(capsys, tmp_path) -> None:
    status, out, err = run(capsys, "draft", str(_write(tmp_path, WRITEUP)))
    assert status == 0
    doc = tomllib.loads(out)
    assert doc["network"]["sizes"] == [1, 1] and doc["network"]["loss"] == "squared_error"
    assert doc["data"] == {"x": [2], "y": [1]} and doc["parameters"] == {"W2": [[0.5]], "b2": [0]}
    step1, step2 = doc["step"]
    assert step1["z2[1]"] == "1.000" and step1["a2[1]"] == "0.731" and step1["loss"] == "0.0724"
    assert step1["dL_da2[1]"] == "-0.538" and step1["delta2[1]"] == "-0.106" and step1["dW2[1,1]"] == "-0.212"
    assert step2 == {"W2[1,1]": "0.5212"}
    assert '"z2[1]" = "1.000"' in out and "# line 5" in out
    assert "1 claims" not in err and "9 claims in 2 steps" in err
    assert "line 14: u = 3" in err and "u is not a symbol of the nielsen notation" in err
    assert "#   line 14: u = 3" in out


def test_draft_to_a_file_then_check_it(capsys, tmp_path) -> None:
    out_file = tmp_path / "hw.toml"
    status, out, err = run(capsys, "draft", str(_write(tmp_path, WRITEUP)), "-o", str(out_file))
    assert status == 0 and out == "" and f"wrote {out_file}" in err
    assert len(worked.load(out_file).claims) == 9
    status, out, _ = run(capsys, "check", str(out_file))
    assert status == 0 and "9 claims" in out
    finished = out_file.read_text(encoding="utf-8") + "# my own note\n"
    out_file.write_text(finished, encoding="utf-8")
    status, _, err = run(capsys, "draft", str(tmp_path / "hw.md"), "-o", str(out_file))
    assert status == 2 and "--force" in err and out_file.read_text(encoding="utf-8") == finished
    status, _, _ = run(capsys, "draft", str(tmp_path / "hw.md"), "-o", str(out_file), "--force")
    assert status == 0 and "# my own note" not in out_file.read_text(encoding="utf-8")


def test_check_a_complete_write_up_shows_its_lines(capsys, tmp_path) -> None:
    path = _write(tmp_path, WRITEUP)
    status, out, _ = run(capsys, "check", str(path))
    assert status == 0
    head = next(line for line in out.splitlines() if line.startswith("step"))
    assert head.split()[:3] == ["step", "line", "claim"]
    row = next(line for line in out.splitlines() if "dW2[1,1]" in line)
    assert row.split()[:3] == ["1", "11", "dW2[1,1]"]
    status, out, _ = run(capsys, "check", str(path), "--json")
    assert status == 0 and len(json.loads(out)["claims"]) == 9


def test_check_a_write_up_with_a_wrong_number_exits_1(capsys, tmp_path) -> None:
    path = _write(tmp_path, WRITEUP.replace("= -0.106$$\n$$\\frac", "= -0.160$$\n$$\\frac"))
    status, out, _ = run(capsys, "check", str(path))
    assert status == 1
    row = next(line for line in out.splitlines() if "delta2[1]" in line)
    assert row.split()[:4] == ["1", "10", "delta2[1]", "-0.160"] and "WRONG" in row


def test_check_an_incomplete_write_up_says_what_is_missing(capsys, tmp_path) -> None:
    path = _write(tmp_path, WRITEUP.replace("loss $L = (y - a^2)^2$", "and the usual loss"))
    status, out, err = run(capsys, "check", str(path))
    assert status == 2 and out == ""
    assert str(path) in err and "the loss" in err and f"gradverify draft {path} -o hw.toml" in err
    status, out, err = run(capsys, "draft", str(path))
    assert status == 0 and "# TODO loss = ?" in out and "TODO in the draft: the loss" in err


def test_unusable_input_exits_2_without_a_traceback(capsys, tmp_path) -> None:
    missing = tmp_path / "nope.md"
    for argv, words in (
        (["draft", str(missing)], "no such file"),
        (["draft", str(tmp_path)], "is a directory"),
        (["draft", str(_write(tmp_path, "Only words here.", "words.md"))], "no claim found"),
        (["draft", str(_write(tmp_path, WRITEUP)), "--notation", "klingon"], "no such notation"),
        (["draft", str(_write(tmp_path, WRITEUP)), "-o", str(tmp_path / "no" / "x.toml")], "does not exist"),
        (["draft", str(_write(tmp_path, WRITEUP)), "-o", str(tmp_path / "hw.md")], "the write-up itself"),
        (["check", str(missing)], "no such file"),
        (["check", str(_write(tmp_path, WRITEUP)), "--notation", "klingon"], "no such notation"),
    ):
        status, out, err = run(capsys, *argv)
        assert status == 2, argv
        assert words in err and "Traceback" not in err, (argv, err)


def test_a_notation_file_with_a_mistake_names_the_file_and_key(capsys, tmp_path) -> None:
    spec = _write(tmp_path, '[symbols]\no = "activation"\n', "mine.toml")
    status, _, err = run(capsys, "draft", str(_write(tmp_path, WRITEUP)), "--notation", str(spec))
    assert status == 2 and f"{spec}: symbols.o = 'activation'" in err and "a role is one of" in err
    spec.write_text('name = "x"\nweights = "sideways"\n', encoding="utf-8")
    status, _, err = run(capsys, "draft", str(_write(tmp_path, WRITEUP)), "--notation", str(spec))
    assert status == 2 and "weights = 'sideways'" in err


def test_control_characters_of_a_write_up_never_reach_the_terminal(capsys, tmp_path) -> None:
    path = _write(tmp_path, WRITEUP.replace("$$u = 3$$", "$$u\x1b = 3\x07$$"))
    status, out, err = run(capsys, "draft", str(path))
    assert status == 0 and "\x1b" not in err and "\x1b" not in out and "\x07" not in err + out
    assert "line 14: u\\x1b = 3\\x07" in err
    tomllib.loads(out)


def test_checking_a_worked_example_file_never_loads_the_drafter() -> None:
    code = ("import sys, io, contextlib; from gradverify.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['check', '--example', 'cs7015-q3'])\n"
            "print(sorted(m for m in sys.modules if m.startswith('gradverify.draft')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "['gradverify.draft']", out.stderr


def test_the_public_names_load_on_first_use() -> None:
    import gradverify.draft as package

    assert sorted(package.__all__[2:]) == sorted(package._PUBLIC)
    for name in package._PUBLIC:
        assert getattr(package, name) is not None
