"""`gradverify catalog` and `gradverify derive`: JSON contents, text, help, and exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gradverify.cli import main

VOCABULARY = {"identity", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softplus", "gelu", "silu",
              "softmax", "squared_error", "half_squared_error", "mean_squared_error", "binary_cross_entropy",
              "cross_entropy", "softmax_cross_entropy", "hinge", "l1", "huber", "cosine_similarity",
              "cosine_similarity_general", "l2_regularization", "multiclass_svm"}


@pytest.fixture(scope="module")
def catalog_json() -> dict:
    proc = subprocess.run([sys.executable, "-m", "gradverify", "catalog", "--json"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_catalog_json_lists_every_entry(catalog_json):
    names = {e["name"] for e in catalog_json["entries"]}
    assert names == VOCABULARY
    assert catalog_json["summary"]["unexpected"] == 0
    for e in catalog_json["entries"]:
        assert e["definition"] and e["derivatives"] and e["forms"]


def test_catalog_json_every_correct_form_proved_and_every_seed_mistake_refuted(catalog_json):
    forms = [(e["name"], f) for e in catalog_json["entries"] for f in e["forms"]]
    for name, f in forms:
        assert f["verdict"] == f["expected"], (name, f["label"])
        if f["expected"] == "proved":
            assert f["witness_points"] >= 2 and f["method"]
    mistakes = [(n, f) for n, f in forms if f["seed"] and f["expected"] == "refuted"]
    labels = " | ".join(f["label"] for _, f in mistakes)
    assert "lost the 4" in labels and "sign lost" in labels and "square missing" in labels
    for _name, f in mistakes:
        ce = f["counterexample"]
        assert ce["point"] and float(ce["form"]) != float(ce["truth"])


def test_catalog_json_shows_the_softmax_forms_at_3_and_10(catalog_json):
    softmax = next(e for e in catalog_json["entries"] if e["name"] == "softmax")
    sizes = {f["n"] for f in softmax["forms"] if f["verdict"] == "proved"}
    assert sizes == {3, 10}
    sce = next(e for e in catalog_json["entries"] if e["name"] == "softmax_cross_entropy")
    assert any("sum_i y_i = 1" in a for a in sce["assumptions"])


def test_catalog_json_kinks_and_conventions(catalog_json):
    relu = next(e for e in catalog_json["entries"] if e["name"] == "relu")
    assert relu["kinks"][0]["values"] == {"x": "0"} and "PyTorch" in relu["kinks"][0]["reason"]
    half = next(f for f in relu["forms"] if "1/2" in f["label"])
    assert half["verdict"] == "equal except at kink"
    assert half["kinks"][0]["form"] == "1/2" and half["kinks"][0]["truth"] == "0"


def test_catalog_text_and_kind_filter(capsys):
    assert main(["catalog", "--kind", "activation"]) == 0
    out = capsys.readouterr().out
    assert "tanh (activation)" in out and "huber" not in out
    assert "refuted" in out and "at x = " in out
    assert "11 entries" in out


def test_derive_prints_definition_derivative_forms(capsys):
    assert main(["derive", "sigmoid"]) == 0
    out = capsys.readouterr().out
    assert "definition: 1/(1 + exp(-x))" in out
    assert "d/dx:" in out and "s(1-s)" in out and "proved" in out


def test_derive_wrt_and_param(capsys):
    assert main(["derive", "prelu", "--wrt", "a"]) == 0
    out = capsys.readouterr().out
    assert "d/da:     Piecewise((0, x > 0), (x, True))" in out and "min(0, x)" in out
    assert main(["derive", "leaky_relu", "--param", "alpha=0.1"]) == 0
    out = capsys.readouterr().out
    assert "(1/10, True)" in out and "alpha = 0.1" in out


def test_derive_json_vector(capsys):
    assert main(["derive", "softmax", "--n", "10", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["wrt"] == "x" and {f["n"] for f in doc["forms"]} == {10}
    assert doc["derivative"].startswith("Matrix(")


@pytest.mark.parametrize("argv, needle", [
    (["derive", "sigmod"], "did you mean sigmoid"),
    (["derive", "hubber"], "huber"),
    (["derive", "prelu", "--wrt", "b"], "--wrt x"),
    (["derive", "leaky_relu", "--param", "alpah=0.1"], "did you mean alpha"),
    (["derive", "leaky_relu", "--param", "alpha"], "NAME=VALUE"),
    (["derive", "relu", "--n", "4"], "vector entries"),
])
def test_derive_unusable_input_exits_2_with_a_hint(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


@pytest.mark.parametrize("cmd", ["catalog", "derive"])
def test_help_teaches_by_example(cmd, capsys):
    with pytest.raises(SystemExit) as exc:
        main([cmd, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"gradverify {cmd}" in out and "exit status" in out


def test_command_modules_do_not_import_sympy_at_top():
    code = "import sys, gradverify.commands.catalog, gradverify.commands.derive; print('sympy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr
