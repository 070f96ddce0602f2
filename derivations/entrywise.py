"""A Jacobian or gradient claimed entry by entry: a verdict for every written entry, and a message
that names exactly the wrong ones (seed 002's table writes sigma_N sigma_1 without its minus).

Runs in the sandbox's worker on a grid read by `gradverify.derivations.cells`. Each entry is
built with the vector entry's own symbols at the grid's size N and proved against the matching
entry of SymPy's derivative; `layout` says which index is the row: "numerator" (row = output,
J[i, j] = ds_i/dx_j) or "denominator" (row = input: entry (j, i) = ds_i/dx_j, as seed 002 writes).
"""

from __future__ import annotations

from typing import Any, Mapping

import sympy as sp

from gradverify.derivations import catalog
from gradverify.derivations.cells import applied
from gradverify.derivations import slips
from gradverify.derivations import witness
from gradverify.derivations.equivalence import (
    DOMAIN, EQUIVALENT, NOT_EQUIVALENT, UNDECIDED, Builder, ClaimError, decide, param_value, vector_resolver)
from gradverify.derivations.proofs import Assumptions

LAYOUTS = ("numerator", "denominator")


def judge(grid: Mapping[str, Any], of: str, wrt: str | None = None, params: Mapping[str, str] | None = None,
          layout: str = "numerator", batch: str = "sum") -> dict[str, Any]:
    """The verdict on every written entry and on the whole (JSON-ready)."""
    entry = catalog.get(of)
    var = entry._wrt(wrt)
    if entry.sized is None:
        raise ClaimError(f"{entry.name} is a scalar function: write its derivative as one formula, not a list")
    if layout not in LAYOUTS:
        raise ClaimError(f"layout {layout!r}: write \"numerator\" (row = output) or \"denominator\" (row = input)")
    n = int(grid["n"])
    built = entry.sized(n)
    truth = built.derivatives[var] / (catalog.N_BATCH if batch == "mean" else 1)
    matrix = bool(grid["cols"])
    if matrix != (truth.cols > 1):
        want = "a matrix (a list of rows)" if truth.cols > 1 else "a vector (a list of entries)"
        raise ClaimError(f"the derivative of {entry.name} with respect to {var} is {want}")
    pvals = {k: param_value(entry, k, v) for k, v in (params or {}).items()}
    resolve = vector_resolver(entry, built, pvals, batch)
    A = Assumptions(text=entry.assumptions, cases=built.cases, ranges=dict(entry.ranges),
                    abbreviations=dict(built.abbreviations))
    needs_sum = any(c for c in built.cases)
    row_labels, col_labels = grid["labels"]
    entries: list[dict[str, Any]] = []
    for r_no, row in enumerate(grid["cells"]):
        for c_no, tree in enumerate(row):
            if tree is None:
                continue
            r = grid["rows"][r_no]
            c = grid["cols"][c_no] if matrix else 1
            out_i, in_j = (c, r) if layout == "denominator" and matrix else (r, c)
            t = truth[out_i - 1, in_j - 1]
            claim = Builder(resolve, {"N": n, "n": n}, n).build(applied(tree))
            found = decide(claim, t, A, needs_sum)
            where = f"({row_labels[r_no]}, {col_labels[c_no]})" if matrix else row_labels[r_no]
            item = {"entry": where, "claimed": grid["texts"][r_no][c_no], "verdict": found["verdict"],
                    "meaning": _meaning(entry.name, var, out_i, in_j, n, matrix), "truth": str(t)}
            if found["verdict"] == NOT_EQUIVALENT:
                item["counterexample"] = found.get("counterexample")
                item["diagnoses"] = _slips(claim, t, A)
            entries.append(item)
    return {"of": entry.name, "wrt": var, **_summary(entries, n, layout if matrix else "vector")}


def _meaning(name: str, var: str, i: int, j: int, n: int, matrix: bool) -> str:
    k = lambda v: "N" if v == n else str(v)  # noqa: E731
    if var == "vjp":
        return f"(v^T J)_{k(i)}"
    if matrix:
        return f"d s_{k(i)}/d x_{k(j)}"
    return f"dL/d{var}_{k(i)}"


def _slips(claim: sp.Expr, truth: sp.Expr, A: Assumptions) -> list[str]:
    pts = slips.points([claim, truth], A, 4)
    cv, tv = slips.values(claim, pts), slips.values(truth, pts)
    ratios = [c / t for c, t in zip(cv, tv) if abs(t) > 1e-12]
    if len(ratios) >= 2 and all(not witness.differ(q, ratios[0]) for q in ratios):
        k = sp.nsimplify(sp.Float(ratios[0], 15), rational=True, tolerance=1e-12)
        if k == -1:
            return ["the sign is flipped: a minus sign is missing (or extra)"]
        if len(str(k)) <= 12:
            return [f"the claim is {k} times the entry"]
    return []


def _summary(entries: list[dict[str, Any]], n: int, layout: str) -> dict[str, Any]:
    wrong = [e for e in entries if e["verdict"] == NOT_EQUIVALENT]
    open_ = [e for e in entries if e["verdict"] == UNDECIDED]
    domain = [e for e in entries if e["verdict"] == DOMAIN]
    right = len(entries) - len(wrong) - len(open_) - len(domain)
    verdict = NOT_EQUIVALENT if wrong else UNDECIDED if open_ else DOMAIN if domain else EQUIVALENT
    if wrong:
        parts = [f"entry {e['entry']} ({e['meaning']}) is wrong"
                 + (f": {e['diagnoses'][0]}" if e.get("diagnoses") else "") for e in wrong]
        rest = len(entries) - len(wrong)
        explanation = "; ".join(parts) + (f"; the other {rest} written entries are right" if rest else "")
    elif open_:
        explanation = "no proof for entries " + ", ".join(e["entry"] for e in open_)
    else:
        explanation = f"all {len(entries)} written entries proved at N = {n}" + (
            f" ({len(domain)} on a domain)" if domain else "")
    diagnoses = [f"entry {e['entry']}: {d}" for e in wrong for d in e.get("diagnoses", [])]
    return {"verdict": verdict, "explanation": explanation, "entries": entries, "n": n, "layout": layout,
            "diagnoses": diagnoses, "counterexample": wrong[0].get("counterexample") if wrong else None,
            "right": right}
