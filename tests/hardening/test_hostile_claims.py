"""Hostile claim texts through `gradverify claim` (Python API and command line, SymPy syntax and
LaTeX): nothing is executed (a canary file and a builtins flag prove it), each text is refused with
a message that says what is wrong, or judged, or stopped at the claim's deadline (no test here
times anything: a busy machine must not fail a correct change; the worker's deadline is its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from hostile_cases import cases, untouched  # noqa: E402

from gradverify.derivations.parse import ClaimSyntaxError, parse  # noqa: E402
from gradverify.derivations import sandbox  # noqa: E402
from gradverify.derivations.sandbox import DiskCache, Sandbox, judge_claim  # noqa: E402
from gradverify.cli import main  # noqa: E402

LIMIT = 2.0  # the claim deadline given to the sandbox (its own kill timer, not a timed assertion)
CANARY = Path(os.environ.get("TMPDIR", "/tmp")) / f"gv-hardening-canary-{os.getpid()}"
CASES = cases(str(CANARY))
IDS = [c[0] for c in CASES]


def _refused(text: str, syntax: str) -> bool:
    try:
        parse(text, syntax)
    except ClaimSyntaxError:
        return True
    return False


REFUSED = [c for c in CASES if _refused(c[2], c[1])]
PARSED = [c for c in CASES if not _refused(c[2], c[1])]


@pytest.fixture(autouse=True)
def nothing_executed():
    """Before and after every case: no canary file, no GV_PWNED flag."""
    yield from untouched(CANARY)


@pytest.fixture(scope="module")
def box():
    """One sandbox worker for the module, warmed before any case is timed."""
    b = Sandbox(timeout=LIMIT, disk=DiskCache("off"))
    _warm(b)
    yield b
    b.stop()


def _warm(b: Sandbox) -> None:
    """Start the worker and wait until it has answered once (SymPy imported), untimed."""
    judge_claim("1 - tanh(x)**2", "tanh", None, {}, "sympy", 120, b)
    b.cache.clear()


def test_at_least_200_hostile_cases():
    assert len(CASES) >= 200
    assert len(set(IDS)) == len(IDS)
    assert len(REFUSED) >= 250  # most are refused by the parser before any process sees them


@pytest.mark.parametrize("cid,syntax,text", REFUSED, ids=[c[0] for c in REFUSED])
def test_api_refuses_with_a_message(cid, syntax, text):
    b = Sandbox(timeout=LIMIT, disk=DiskCache("off"))
    res = judge_claim(text, "tanh", None, {}, syntax, LIMIT, b)
    assert b.proc is None, "a refused claim must not reach the worker process"
    assert res["verdict"] == "unusable"
    assert res["error"].strip() and "Traceback" not in res["error"]


@pytest.mark.parametrize("cid,syntax,text", REFUSED, ids=[c[0] for c in REFUSED])
def test_cli_refuses_with_exit_2(cid, syntax, text, capsys):
    flag = ["--syntax", syntax]
    code = main(["claim", "--of", "tanh", *flag, "--", text])
    out = capsys.readouterr()
    assert code == 2
    assert out.out == ""
    assert out.err.startswith("gradverify claim: ") and len(out.err) > 25
    assert "Traceback" not in out.err


@pytest.mark.parametrize("cid,syntax,text", PARSED, ids=[c[0] for c in PARSED])
def test_api_judges_or_times_out_within_limit(cid, syntax, text, box):
    """Texts the parser lets through (odd Unicode letters, 1/0, exp(10**10), towers of exp) are
    judged by the worker or stopped at the deadline; never executed."""
    box.cache.clear()
    res = judge_claim(text, "tanh", None, {}, syntax, LIMIT, box)
    if res.get("timed_out"):
        assert box.proc is None, "a claim stopped at its deadline must have its worker killed"
    assert res["verdict"] in ("equivalent", "equivalent on a domain", "not equivalent", "undecided", "unusable")
    said = res.get("error") or res.get("explanation") or ""
    assert said.strip() and "Traceback" not in said
    if res.get("timed_out"):
        assert "no verdict within" in res["explanation"]
    if box.proc is None or box.proc.poll() is not None:
        _warm(box)  # a killed worker restarts outside the timed region


def test_cli_file_of_parsed_hostile_claims(tmp_path, capsys, monkeypatch):
    """The same texts through the command line in one --file run: a JSON verdict for each, no
    traceback, a runaway one stopped at --timeout while the others still get verdicts."""
    lines = []
    for cid, syntax, text in PARSED:
        lines += ["[[derivative]]", 'of = "tanh"', f"claimed = {json.dumps(text, ensure_ascii=False)}",
                  f'syntax = "{syntax}"', f'label = "{cid}"', ""]
    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", "off")  # judged by the worker, not remembered
    monkeypatch.setattr(sandbox, "_SHARED", None)
    path = tmp_path / "hostile.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    code = main(["claim", "--file", str(path), "--timeout", "8", "--json"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    if code == 2:  # a worker-side refusal stops the file with a message naming it
        assert str(path) in out.err and "[[derivative]] number" in out.err
        return
    assert code in (0, 1)
    got = json.loads(out.out)["derivative"]
    assert [r["label"] for r in got] == [c[0] for c in PARSED]


SUBPROCESS_SAMPLE = ["py-exec-000", "py-exec-036", "py-exec-056", "py-bomb-000", "py-bomb-023",
                     "latex-000", "latex-006", "latex-019", "latex-021", "latex-071", "latex-079"]


@pytest.mark.parametrize("cid", SUBPROCESS_SAMPLE)
def test_console_script_refuses(cid):
    """The real `gradverify` process: exit 2, a one-message stderr, no traceback (30 s: a hang guard)."""
    syntax, text = next((s, t) for c, s, t in CASES if c == cid)
    proc = subprocess.run([sys.executable, "-m", "gradverify.cli", "claim", "--of", "tanh", "--syntax", syntax, "--", text],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("gradverify claim: ") and "Traceback" not in proc.stderr


def test_parser_refusals_name_the_problem():
    """Spot checks that the message says what is wrong, not only that something is."""
    expect = {
        "py-exec-000": "attribute access", "py-exec-011": "lambda", "py-exec-044": "not allowed",
        "py-exec-057": "JoinedStr", "py-exec-125": "derivative operator", "py-bomb-000": "exponent",
        "py-bomb-010": "factorial", "py-bomb-017": "digits", "py-bomb-023": "2000",
        "py-bomb-026": "nest",
        "latex-000": "input", "latex-019": "catcode", "latex-071": "derivative", "latex-068": "gradient operator",
    }
    for cid, fragment in expect.items():
        syntax, text = next((s, t) for c, s, t in CASES if c == cid)
        with pytest.raises(ClaimSyntaxError) as info:
            parse(text, syntax)
        assert fragment.lower() in str(info.value).lower(), (cid, str(info.value))


def test_short_timeout_is_for_judging_not_for_starting_sympy():
    """The deadline counts the judging only, not the worker's SymPy import (0.7-3 s under load):
    a claim that takes milliseconds is judged with --timeout 0.3 on a cold worker, and again right
    after a runaway claim was killed (the sandbox restarts its worker)."""
    with Sandbox(timeout=0.3, disk=DiskCache("off")) as b:
        assert judge_claim("1 - tanh(x)**2", "tanh", None, {}, "sympy", 0.3, b)["verdict"] == "equivalent"
        runaway = judge_claim("e^{e^{e^{e^{e^{e^{e^{x}}}}}}}", "tanh", None, {}, "latex", 0.3, b)
        assert runaway.get("timed_out") and b.proc is None
        assert judge_claim("sigma(x)*(1 - sigma(x))", "sigmoid", None, {}, "sympy", 0.3, b)["verdict"] == "equivalent"


OPTION_CASES = [
    ("param-value-exec", ["x", "--of", "leaky_relu", "--param", "alpha=__import__('os').system('touch {c}')"]),
    ("param-name-exec", ["x", "--of", "leaky_relu", "--param", "__import__('os').system('touch {c}')=1"]),
    ("param-value-bomb", ["x", "--of", "leaky_relu", "--param", "alpha=9**9**9"]),
    ("param-value-lambda", ["x", "--of", "leaky_relu", "--param", "alpha=lambda: open('{c}','w')"]),
    ("param-value-dunder", ["x", "--of", "elu", "--param", "alpha=().__class__.__bases__[0]"]),
    ("param-value-latex", ["x", "--of", "elu", "--param", "alpha=\\input{{/etc/passwd}}"]),
    ("wrt-exec", ["x", "--of", "tanh", "--wrt", "__import__('os').system('touch {c}')"]),
    ("wrt-attribute", ["x", "--of", "prelu", "--wrt", "a.func"]),
    ("of-exec", ["x", "--of", "__import__('os').system('touch {c}')"]),
    ("of-path", ["x", "--of", "../../etc/passwd"]),
    ("seed-path", ["--seed", "../../../../etc/passwd"]),
    ("file-missing", ["--file", "{c}.toml"]),
]


@pytest.mark.parametrize("cid,argv", OPTION_CASES, ids=[c[0] for c in OPTION_CASES])
def test_cli_hostile_options_are_refused(cid, argv, capsys):
    """The options are user text too: --param values and names, --wrt, --of, --seed, --file."""
    argv = [a.format(c=CANARY) for a in argv]
    code = main(["claim", *argv])
    out = capsys.readouterr()
    assert code == 2, (out.out, out.err)
    assert out.err.startswith("gradverify claim: ") and "Traceback" not in out.err


def test_claim_file_with_hostile_tables(tmp_path, capsys, monkeypatch):
    """[[derivative]] tables whose params, wrt and stated function carry payloads: exit 2 naming the
    file and the table, nothing run."""
    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", "off")
    monkeypatch.setattr(sandbox, "_SHARED", None)
    tables = [
        f'of = "leaky_relu"\nclaimed = "x"\nparams = {{ alpha = "__import__(\'os\').system(\'touch {CANARY}\')" }}',
        f'of = "tanh"\nclaimed = "1 - tanh(x)^2"\nwrt = "__import__(\'os\').system(\'touch {CANARY}\')"',
        f'of = "tanh"\nclaimed = "1 - tanh(x)^2"\nstated = "open(\'{CANARY}\', \'w\')"',
        'of = "tanh"\nclaimed = "\\\\input{/etc/passwd}"',
    ]
    for k, body in enumerate(tables):
        path = tmp_path / f"hostile-{k}.toml"
        path.write_text("[[derivative]]\n" + body + "\n", encoding="utf-8")
        code = main(["claim", "--file", str(path), "--timeout", "10"])
        out = capsys.readouterr()
        assert code == 2, (k, out.out, out.err)
        assert str(path) in out.err and "[[derivative]] number 1" in out.err and "Traceback" not in out.err


def test_claim_file_nested_too_deeply_is_refused(tmp_path, capsys):
    path = tmp_path / "deep.toml"
    path.write_text('[[derivative]]\nof = "tanh"\nclaimed = ' + "[" * 5000 + '"x"' + "]" * 5000 + "\n", encoding="utf-8")
    code = main(["claim", "--file", str(path)])
    out = capsys.readouterr()
    assert code == 2 and str(path) in out.err


def test_derive_with_an_enormous_vector_size_is_bounded():
    try:
        proc = subprocess.run([sys.executable, "-m", "gradverify.cli", "derive", "softmax", "--n", "100000"],
                              capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("derive softmax --n 100000: no answer within 10 s")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_hostile_derivative_tables_in_a_worked_example(tmp_path, monkeypatch):
    """The refused texts a UTF-8 file can hold (not the undecodable bytes) as [[derivative]] tables
    of `gradverify check` files (60 per file, the limit is 64): each judged 'unusable' with its
    message, the numbers still judged, nothing run."""
    import contextlib
    import io

    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", "off")
    monkeypatch.setattr(sandbox, "_SHARED", None)
    base = (Path(__file__).resolve().parents[2] / "reports" / "examples" / "cs7015-q3.toml").read_text(encoding="utf-8")
    seen = 0
    refused = [c for c in REFUSED if not any("\ud800" <= ch <= "\udfff" for ch in c[2])]
    for start in range(0, len(refused), 60):
        lines = [base]
        for cid, syntax, text in refused[start:start + 60]:
            lines += ["[[derivative]]", 'of = "tanh"', f"claimed = {json.dumps(text, ensure_ascii=False)}",
                      f'syntax = "{syntax}"', ""]
        path = tmp_path / f"hostile-derivatives-{start}.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", str(path), "--json"])
        assert code == 1 and "Traceback" not in err.getvalue(), err.getvalue()[-300:]
        data = json.loads(out.getvalue())
        got = [d for d in data["derivatives"] if d.get("of") == "tanh"]
        assert len(got) == len(refused[start:start + 60])
        assert all(d["verdict"] == "unusable" and (d.get("error") or d.get("explanation")) for d in got)
        assert data["summary"]["wrong"] == 2  # the example's own two planted mistakes, still found
        seen += len(got)
    assert seen == len(refused) >= len(REFUSED) - 2
