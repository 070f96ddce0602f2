"""docs/seeds.md from what gradverify says about the seeds: every table of the bundled claim files
(reports/claims/seed-00N.toml) with its verdict and diagnosis, the numbers of seed 001's worked
example, and the items checked by `derive`. Run `python tests/reports/seeds_doc.py > docs/seeds.md`
after changing a claim file; tests/reports/test_seeds_doc.py keeps the page and the files in step.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "reports" / "claims"
KINDS = ("derivative", "identity", "graph", "indexed", "formula")
ITEM = re.compile(r"^(\d{3})-(\w+?)(?:[a-z])?: (.*)$")
SEEDS = {
    "000": "499-hw1: the Delta recursion of an L-layer network (layers 0..L, indices from 0)",
    "001": "CS 7015: activations and losses with their computation graphs; Q3, one SGD step of a 3-2-1 network",
    "002": "a two-weight chain, the softmax Jacobian, its VJP, cross entropy",
    "003": "softmax + cross-entropy over a ReLU network (layers 1..N)",
    "004": "a 150-100-5 tanh network: gradients for W, b and x, L2 regularization",
}

# Stated functions the seed departs from on purpose (seed 003 drops the loss's constants, saying so)
ON_PURPOSE = {"003-01"}

# Items checked by a command rather than a claim table: (seed, item, what, where, the commands run,
# what each must print to count as checked, the verdict then shown)
GRAPHED = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "softmax", "cross_entropy", "hinge", "l1", "huber",
           "mean_squared_error", "cosine_similarity")
COMMANDS = [
    ("000", "000-D1", "the chain rule over all paths and its rearrangement into nested sums, at any depth",
     "`gradverify derive backprop --depth 4`", [["derive", "backprop", "--depth", "4"]], ["proved: "], "proved"),
    ("000", "000-D2", "the recursion with the softmax (classification) head",
     "`gradverify derive backprop --head classification`", [["derive", "backprop", "--head", "classification"]],
     ["proved: "], "proved"),
    ("000", "000-D3", "batches: dE/dO^L divided by the batch size for a mean, summed otherwise",
     "`gradverify derive backprop --batch mean --samples 2`",
     [["derive", "backprop", "--batch", "mean", "--samples", "2"], ["derive", "backprop", "--batch", "sum"]],
     ["proved: "], "proved"),
    ("001", "001-D1", "a computation graph for every function the seed differentiates (sigmoid, tanh, ReLU, "
     "leaky ReLU, PReLU, softmax, cross entropy, hinge, L1, Huber, L2, cosine), sum over paths",
     "`gradverify derive NAME --steps`", [["derive", name, "--steps"] for name in GRAPHED],
     ["[computation graph]", "[sum over paths]"], "proved"),
    ("002", "002-D1", "(d) division by zero when a class gets probability 0: log(0) and -t/z undefined",
     "`gradverify derive cross_entropy` (its assumption a_i > 0)", [["derive", "cross_entropy"]],
     ["assumes a_i > 0 (log(0) is undefined"], "stated"),
]

# Numbers of the seeds in worked examples: (seed, item, what, example, [(step, quantity[, index])], the
# seed's mistake among them as (diagnosis kind, words the diagnosis must hold), or None when the seed's
# numbers there are right (every claim correct or following from the hand's own earlier numbers)
HALF = ("half_convention", "the gradient of 1/2 (y-a)^2")
TYPO = ("typo_dropped_digit", "-0.29 looks like -0.209")
EXAMPLE = [
    ("001", "001-Q01", "feedforward: z^2 = (0.210, -0.240), a^2 = (0.552, 0.440)", "cs7015-q3", [(1, "z2"), (1, "a2")],
     None),
    ("001", "001-Q02", "z^3 = -0.322, a^3 = 0.420", "cs7015-q3", [(1, "z3"), (1, "a3")], None),
    ("001", "001-Q03", "L = (y - a)^2 = 0.2304", "cs7015-q3", [(1, "loss")], None),
    ("001", "001-Q04", "delta^3 = -0.117 (the gradient of 1/2 (y - a)^2)", "cs7015-q3", [(1, "delta3")], HALF),
    ("001", "001-Q05", "dL/db^3 = -0.117, dL/dw^3 = (-0.065, -0.051)", "cs7015-q3", [(1, "db3"), (1, "dW3")], None),
    ("001", "001-Q06", "(w^3)^T delta^3 = (0.035, -0.012), sigma'(z^2) = (0.247, 0.246)", "cs7015-q3",
     [(1, "dL_da2"), (1, "act_prime2")], None),
    ("001", "001-Q07", "delta^2 = (0.009, -0.003) = dL/db^2", "cs7015-q3", [(1, "delta2"), (1, "db2")], None),
    ("001", "001-Q08", "dL/dw^2, six numbers from 7.2 x 10^-3 to -3 x 10^-4", "cs7015-q3", [(1, "dW2")], None),
    ("001", "001-Q09", "the updated w^2 (eta = 1)", "cs7015-q3", [(2, "W2")], None),
    ("001", "001-Q10", "b^2_1 = -0.29 (-0.209 is used next)", "cs7015-q3", [(2, "b2")], TYPO),
    ("001", "001-Q11", "the updated w^3 and b^3", "cs7015-q3", [(2, "W3"), (2, "b3")], None),
    ("001", "001-Q12", "the forward pass with the updated parameters and L = 0.1903", "cs7015-q3",
     [(2, "z2"), (2, "a2"), (2, "z3"), (2, "a3"), (2, "loss")], None),
    ("001", "001-Q13", "the update line b^2_1 = -0.2 + 0.009 = -0.29 (the update's sign, then the typo)",
     "cs7015-q3-working", [(2, "b2", [1])], (TYPO[0], "-0.2 + 0.009 has a sign turned round")),
    ("001", "001-Q14", "w^2_21 = -0.2 + 1 x 2.4 x 10^-2 = -0.1976 where 10^-3 is meant", "cs7015-q3-working",
     [(2, "W2", [2, 1])], ("working_power_of_ten", "writes 10^-2 where 10^-3 is meant")),
    ("000", "000-Q01", "a batch of 2 with dE/dO^L divided by B: every Delta carries 1/B, dE/domega sums",
     "seed000-batch-mean", [(1, "delta2"), (1, "delta1"), (1, "dW1"), (1, "dW0")], None),
]
PENDING: list[tuple[str, str, str, str]] = []  # (seed, item, what, why): items no command checks yet


def _names(claim: dict, key: tuple) -> bool:
    """Whether an example's claim is the (step, quantity[, index]) of a row."""
    layer = claim.get("layer")
    quantity = claim["quantity"] + ("" if layer is None else str(layer))
    return (claim["step"], quantity) == key[:2] and (len(key) < 3 or claim["index"] == key[2])


def run(*argv: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "gradverify", *argv], capture_output=True, text=True, cwd=ROOT,
                         timeout=1800)
    return json.loads(out.stdout)


def tables(seed: str) -> list[dict]:
    """The claim file's tables with the verdicts gradverify gives, in file order."""
    doc = tomllib.loads((CLAIMS / f"seed-{seed}.toml").read_text(encoding="utf-8"))
    judged = run("claim", "--seed", seed, "--json")
    out = []
    for kind in KINDS:
        for table, result in zip(doc.get(kind, []), judged.get(kind, [])):
            out.append({"kind": kind, **table, "verdict": result["verdict"],
                        "diagnoses": result.get("diagnoses") or [], "explanation": result.get("explanation", ""),
                        "stated_explanation": (result.get("stated") or {}).get("explanation", ""),
                        "stated_verdict": (result.get("stated") or {}).get("verdict")})
    return sorted(out, key=lambda t: _order(t["label"]))


def _order(label: str) -> tuple:
    """Seed, then numbered items, then the command and example items (Q, D, P), then extras (x)."""
    m = ITEM.match(label)
    seed, number = (m.group(1), m.group(2)) if m else ("", "zz")
    rank = 0 if number.isdigit() else 2 if number.startswith("x") else 1
    return (seed, rank, int(number) if number.isdigit() else 0, number, label)


def _where(t: dict) -> str:
    kind = t["kind"]
    if kind == "derivative":
        extra = ", written entry by entry" if isinstance(t["claimed"], list) else ""
        return f"`[[derivative]]` of {t['of']}{extra}" + (" (stated)" if "stated" in t else "")
    if kind == "formula":
        return f"`[[formula]]` layout {t.get('layout', '004')}"
    if kind == "indexed":
        return f"`[[indexed]]` notation {t['notation']}"
    return f"`[[{kind}]]`" + (f" of {t['of']}" if t.get("of") else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def page() -> str:
    lines = ["# The seeds, item by item", "",
             "Every derivation in the five seed documents, where gradverify checks it, the verdict it gives, "
             "and for each mistake the diagnosis it names. Generated by `python tests/reports/seeds_doc.py`; "
             "`tests/reports/test_seeds_doc.py` keeps it in step with the claim files.", "",
             "Run them yourself: `gradverify claim --seed 000` (to `004`) judges a seed's claim file "
             "(`reports/claims/seed-00N.toml`); `gradverify check --example cs7015-q3` the numbers of seed 001's "
             "Q3 (`cs7015-q3-working` its update lines with their workings, `seed000-batch-mean` seed 000's batch "
             "convention); `gradverify derive backprop` seed 000's recursion at any depth; `gradverify derive NAME --steps` "
             "seed 001's computation graphs. A verdict that is not what the file expects says so; a "
             "mistake of the seed is a claim whose expected verdict is `not equivalent` (or `wrong`). "
             "`claim --seed` exits 0 when every verdict is the one its file expects, and so does `check --example` "
             "of a seed example, whose `[expect]` table records the seed's own slips (`cs7015-q3` keeps none, "
             "and exits 1 for its two wrong numbers).", ""]
    body: list[str] = []
    items: set[str] = set()
    failed: set[str] = set()  # items with a row whose verdict is not the one the seed's truth gives
    mistakes: dict[str, tuple[str, list[str]]] = {}
    examples = {name: run("check", "--example", name, "--json") for name in {e[3] for e in EXAMPLE}}
    for seed, title in SEEDS.items():
        body += [f"## Seed {seed}: {title}", "", "| item | claim | where it is checked | verdict | diagnosis |",
                 "| --- | --- | --- | --- | --- |"]
        for t in tables(seed):
            m = ITEM.match(t["label"])
            item = f"{m.group(1)}-{m.group(2)}" if m else t["label"]
            text = m.group(3) if m else t["label"]
            counted = m is not None and not m.group(2).startswith("x")
            as_expected = t["verdict"] == t.get("expect") and t.get("stated_verdict") == t.get("expect_stated")
            if counted:
                items.add(item)
                if not as_expected:
                    failed.add(item)
            wrong = t.get("expect") == "not equivalent" or t.get("expect_stated") == "not equivalent"
            why = "; ".join(t["diagnoses"]) or (t["explanation"] if wrong else "")
            if t.get("expect_stated") == "not equivalent":
                why = "against the stated function: " + t["stated_explanation"]
                wrong = item not in ON_PURPOSE
            if wrong and counted:
                mistakes.setdefault(item, (text, []))[1].append(why)
            mark = t["verdict"] + ("" if t["verdict"] == t.get("expect") else f" (expected {t.get('expect')})")
            if t.get("expect_stated"):
                mark += f"; against the stated function: {t.get('stated_verdict')}"
            body.append(f"| {item} | {_cell(text)} | {_where(t)} | {mark} | {_cell(why) if wrong else ''} |")
        for s, item, text, name, keys, mistake in EXAMPLE:
            if s != seed:
                continue
            claims = [c for c in examples[name]["claims"] if any(_names(c, key) for key in keys)]
            verdicts = sorted({c["verdict"] for c in claims})
            wrong = [c for c in claims if c["verdict"] == "wrong"]
            why = "; ".join(dict.fromkeys(c["diagnosis"] for c in wrong))
            items.add(item)
            if not claims or not _as_the_seed_is(wrong, mistake):
                failed.add(item)
            if why:
                mistakes[item] = (text, [why])
            body.append(f"| {item} | {_cell(text)} | `check --example {name}` | {', '.join(verdicts)} | {_cell(why)} |")
        for s, item, text, where, argvs, printed, verdict in COMMANDS:
            if s != seed:
                continue
            items.add(item)
            if not all(_prints(argv, printed) for argv in argvs):
                failed.add(item)
                verdict = "not shown"
            body.append(f"| {item} | {_cell(text)} | {where} | {verdict} | |")
        for s, item, text, why in PENDING:
            if s == seed:
                items.add(item)
                failed.add(item)
                body.append(f"| {item} | {_cell(text)} | {why} | | |")
        body.append("")
    checked = items - failed
    named = [item for item, (_text, whys) in mistakes.items() if item not in failed and all(whys)]
    lines += [f"**{len(checked)} of {len(items)} items checked** ({len(items) - len(checked)} pending): "
              + ", ".join(f"{n} {what}" for n, what in _sources(items)) + "; "
              f"**{len(named)} of the seeds' {len(mistakes)} mistakes named**, each with the diagnosis below.", "",
              "## The seeds' mistakes and what gradverify says", "",
              "| item | mistake | diagnosis |", "| --- | --- | --- |"]
    lines += [f"| {item} | {_cell(text)} | {_cell('; '.join(dict.fromkeys(whys)))} |"
              for item, (text, whys) in sorted(mistakes.items(), key=lambda kv: _order(kv[0] + ": "))]
    return "\n".join(lines + [""] + body)


def _as_the_seed_is(wrong: list[dict], mistake: tuple[str, str] | None) -> bool:
    """No claim wrong where the seed's numbers are right; where the seed slips, a wrong claim named
    with the slip's kind and words."""
    if mistake is None:
        return not wrong
    kind, words = mistake
    return any(c["kind"] == kind and words in c["diagnosis"] for c in wrong)


def _prints(argv: list[str], printed: list[str]) -> bool:
    """The command exits 0 and prints each of the words (a proof's line, a graph's steps, an assumption)."""
    out = subprocess.run([sys.executable, "-m", "gradverify", *argv], capture_output=True, text=True, cwd=ROOT,
                         timeout=600)
    return out.returncode == 0 and all(words in out.stdout for words in printed)


def _sources(items: set[str]) -> list[tuple[int, str]]:
    """How the items divide: derivation steps of the claim files, numbers of worked examples, `derive`."""
    by = {"Q": "numbers of worked examples", "D": "results shown by `gradverify derive`"}
    whats = [by.get(item.split("-")[1][0], "derivation steps in the claim files") for item in items]
    return [(whats.count(w), w) for w in ("derivation steps in the claim files", *by.values()) if w in whats]


if __name__ == "__main__":
    sys.stdout.write(page())
