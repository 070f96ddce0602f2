"""`gradverify catalog`: every activation and loss, its derivative, and each textbook form proved.

sympy and the catalog are imported inside `run`, so `gradverify --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gradverify.derivations.catalog import Entry
    from gradverify.derivations.checks import Checked

EPILOG = """\
examples:
  gradverify catalog                       every entry: derivative, each hand form and its verdict
  gradverify catalog --kind loss           only the losses
  gradverify catalog --json > cat.json     the same as JSON (counterexamples and kink values included)
  gradverify catalog --json | jq '.entries[] | select(.name=="tanh") | .forms[].verdict'

verdicts of a hand form:
  proved                 equal to SymPy's derivative (symbolic argument + 30-digit witness points)
  refuted                differs; the counterexample point and both values are printed
  equal except at kink   equal on every open region, but uses another value at a kink
                         (e.g. relu'(0) = 1 or SymPy's Heaviside(0) = 1/2; gradverify uses PyTorch's)
  unproved               agrees at the witness points but no symbolic argument reached 0
                         (never counted as proved; none in the shipped catalog)

exit status: 0 every form got its expected verdict (seed mistakes refuted, correct forms proved),
             1 some form did not.
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "catalog",
        help="list every activation and loss with its derivative and proved textbook forms",
        description="List the catalog: each activation and loss with its SymPy definition, its "
        "derivative (kink convention included), and every textbook hand form from the seeds with "
        "its proof status: proved, refuted (with a counterexample) or equal except at a kink.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--kind", choices=("activation", "loss"), help="only activations or only losses")
    p.set_defaults(run=run)


def entry_json(entry: Entry, checked: list[Checked]) -> dict[str, Any]:
    """One entry and its checked forms as plain JSON data."""
    import sympy as sp

    from gradverify.derived import form_json

    derivs = {}
    for var in entry.variables:
        d = entry.derivative(var)
        derivs[var] = str(d)
    return {
        "name": entry.name,
        "kind": entry.kind,
        "summary": entry.summary,
        "aliases": list(entry.aliases),
        "parameters": [{"name": p.name, "default": str(p.default), "doc": p.doc} for p in entry.params],
        "variables": list(entry.variables),
        "sizes": list(entry.sizes),
        "reduction": entry.reduction,
        "definition": str(entry.definition),
        "latex": sp.latex(entry.definition),
        "assumptions": list(entry.assumptions),
        "kinks": [{"where": k.where, "values": {v: str(x) for v, x in k.values.items()}, "reason": str(k.reason)}
                  for k in entry.kinks],
        "derivatives": derivs,
        "abbreviations": ({str(k): str(v) for k, v in entry.sized(entry.sizes[0]).abbreviations.items()}
                          if entry.is_vector else {}),
        "forms": [form_json(c) for c in checked],
    }


def _index(index: Any) -> str:
    """A matrix entry's position as (i, j), not a Python list."""
    return f"({', '.join(map(str, index))})" if isinstance(index, (list, tuple)) else str(index)


def _text(entry: Entry, checked: list[Checked], out: Any) -> None:
    from gradverify.derivations import readable
    from gradverify.derivations.prose import plain

    params = ", ".join(f"{p.name} = {p.default}" for p in entry.params)
    out.write(f"{entry.name} ({entry.kind}){' [' + params + ']' if params else ''}: {entry.summary}\n")
    for var in entry.variables:
        d = entry.derivative(var)
        shown = plain(d) if len(str(d)) <= 160 else f"{d.shape[0]}x{d.shape[1]} matrix (N = {entry.sizes[0]})"
        out.write(f"  d/d{var} = {shown}\n")
    for k in entry.kinks:
        values = ", ".join(f"d/d{v} = {plain(x)}" for v, x in k.values.items())
        out.write(f"  kink {k.where}: {values} ({k.reason})\n")
    for a in entry.assumptions:
        out.write(f"  assumes {a}\n")
    for c in checked:
        mark = "ok " if c.as_expected else "!! "
        seed = f" [seed {c.form.seed}]" if c.form.seed else ""
        out.write(f"  {mark}{c.proof.verdict:<21} {c.form.label}{seed}\n")
        ce = c.proof.counterexample
        if c.proof.verdict == "refuted" and ce:
            idx = f" entry {_index(ce['index'])}" if "index" in ce else ""
            out.write(f"       at {readable.point(ce.get('point'))}{idx}: form {readable.number(ce.get('form'))}, "
                      f"derivative {readable.number(ce.get('truth'))}\n")
        if c.proof.verdict == "equal except at kink":
            for k in c.proof.kinks:
                if not k["agree"]:
                    out.write(f"       at {k['where']}: form gives {k['form']} ({k.get('form_convention', 'another value')}), "
                              f"gradverify {k['truth']} ({k.get('truth_convention', 'its convention')})\n")
        if not c.as_expected:
            out.write(f"       expected {c.form.expected}\n")


def run(args: argparse.Namespace) -> int:
    from gradverify.derivations import catalog
    from gradverify.derivations import checks

    start = time.perf_counter()
    data, failures = [], 0
    counts: dict[str, int] = {}
    for entry in catalog.entries(args.kind):
        checked = checks.check_entry(entry)
        failures += sum(not c.as_expected for c in checked)
        for c in checked:
            counts[c.proof.verdict] = counts.get(c.proof.verdict, 0) + 1
        data.append((entry, checked))
    seconds = time.perf_counter() - start
    if args.json:
        doc = {"entries": [entry_json(e, cs) for e, cs in data],
               "summary": {**counts, "unexpected": failures, "forms": sum(counts.values())},
               "seconds": round(seconds, 3)}
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        for e, cs in data:
            _text(e, cs, sys.stdout)
            sys.stdout.write("\n")
        summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        sys.stdout.write(f"{len(data)} entries, {sum(counts.values())} forms: {summary}; "
                         f"{failures} not as expected ({seconds:.2f} s)\n")
    return 1 if failures else 0
