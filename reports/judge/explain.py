"""Why a claim is wrong: explanations tried likeliest first, each recomputed from the person's own numbers.

A convention mistake (a `Variant` of the graph) must reproduce the claim and contradict no other number
of its step; a learning rate is solved from the claim itself; a local slip (a weight read with its
indices swapped, an unwritten number rounded too early) recomputes only the claim's node. Only when
no recomputation explains the number is it called a typo, and only when its digits fit one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gradverify.judge import diagnose as dg
from gradverify.judge.claimkeys import ClaimSpec
from gradverify.judge.graph import round_sig
from gradverify.judge.mlp import Variant
from gradverify.judge.numbers import format_like, round_sig as round_number, shown
from gradverify.judge.problems import Problem

if TYPE_CHECKING:
    from gradverify.judge.verdicts import Judging


def near(value: float | None, c: ClaimSpec) -> str:
    """A value for a message: at the claim's own precision plus two digits, unless that precision
    would print it as 0 or with more than 12 digits (5 significant digits then)."""
    if value is None:
        return "-"
    n = format_like(value, c.printed, 2)
    if value != 0 and (sum(ch.isdigit() for ch in n.mantissa) > 12 or not any(ch in "123456789" for ch in n.mantissa)):
        return shown(value)
    return n.plain()


def diagnose(j: Judging, i: int, r: float) -> dg.Diagnosis:
    """The likeliest explanation of wrong claim i (`r`: its value from the person's own numbers)."""
    c = j.claims[i]
    e = j.exact_value(c)
    stated = f"{j.problem.stated_words} give {near(r, c)} from your values (exact {near(e, c)})"
    candidates = j.problem.candidates_for(c)
    strong = [x for x in candidates if x.kind not in dg.WEAK] + solved_rates(j, i)
    weak_variants = [x for x in candidates if x.kind in dg.WEAK]
    found = _variant(j, i, strong, stated) or indices_swapped(j, c) or rounded_early(j, c, (2,)) or \
        _variant(j, i, weak_variants, stated)
    if found is not None:
        return found
    swapped = j.swapped_value(c)
    if swapped is not None:
        name = f"{c.quantity}{c.layer}[{c.index[1]},{c.index[0]}]"
        s = dg.transposed(c.printed, swapped, name)
        if s:
            return dg.Diagnosis(s, "transposed")
    weak = None  # one digit changed: weaker evidence than a recomputation that explains every digit
    for base in (r, e):
        s, meant, kind = dg.typo_kind(c.printed, base, j.length(c))
        if s and kind in ("typo_wrong_digit", "last_digit"):
            weak = weak or dg.Diagnosis(f"typo: {s}" if kind != "last_digit" else f"the last digit is one off: {s}",
                                        kind, intended=float(meant))
        elif s:
            return dg.Diagnosis(f"typo: {s}", kind, intended=float(meant))
    s = dg.factors(c.printed, r, j.problem.batch, j.problem.n_out)
    if s:
        return dg.Diagnosis(s, "factor")
    coarse = rounded_early(j, c, (1,))  # rounding to one digit explains many numbers: after the typos
    if weak is not None or coarse is not None:
        return coarse or weak
    return dg.Diagnosis(f"expected {near(r, c)} from your values (exact {near(e, c)})", "unknown")


def _variant(j: Judging, i: int, candidates: list[dg.Candidate], stated: str) -> dg.Diagnosis | None:
    """The first convention variant that reproduces claim i and contradicts no earlier number."""
    c = j.claims[i]
    fits: dict[str, tuple[float, dg.Candidate, float]] = {}  # per kind, the first (simplest) that fits
    for cand in candidates:
        if cand.kind in fits or (cand.quantities is not None and c.quantity not in cand.quantities):
            continue
        if c.node not in j.problem.reach(cand.variant):  # the variant cannot change this number
            continue
        rep = j.variant_replay(cand.variant)
        v = j.match(rep, c)
        if v is not None and not j.contradicted(i, cand, rep):
            fits[cand.kind] = (abs(v - c.printed.value), cand, v)
    if not fits:
        return None
    _, cand, v = min(fits.values(), key=lambda f: f[0])  # of two kinds that both fit, the closer one
    return dg.Diagnosis(f"{cand.sentence}: {c.text} matches {near(v, c)}; {stated}", cand.kind, cand.variant,
                        cand.label)


def solved_rates(j: Judging, i: int) -> list[dg.Candidate]:
    """For an updated parameter or an update term: the learning rates that the claim itself gives,
    rounded to one and two significant digits, as variants to test on every number."""
    c = j.claims[i]
    if c.quantity not in ("W", "b", "lr_dW", "lr_db") or not isinstance(j.problem, Problem):
        return []
    lr = j.problem.facts.lr
    if lr is None:
        return []
    node = j.graph[c.node]
    grads = [p for p in node.parents if p[1] in ("dW", "db", "lr_dW", "lr_db")]
    if c.quantity in ("W", "b"):
        old = next((p for p in node.parents if p[1] == c.quantity), None)
        grad = next((p for p in grads if p[1] in ("dW", "db")), None)
        if old is None or grad is None:
            return []
        step = j.taken(old)[c.core_index] - c.printed.value
    else:
        grad = (c.step, c.quantity[3:], c.core_layer)  # lr_dW -> dW
        step = c.printed.value * j.graph[c.node].sign
    g = j.taken(grad)[c.core_index] if grad in j.graph else 0.0
    if not g or not np.isfinite(step / g):
        return []
    solved = step / g
    out = []
    for digits in (1, 2):
        rate = round_number(abs(solved), digits)
        if rate > 0 and rate != lr and all(rate != x.variant.lr for x in out):
            out.append(dg.Candidate(Variant(lr=rate), "learning_rate", f"learning rate {rate:g}",
                                    f"an update with learning rate {rate:g} instead of the stated {lr:g}",
                                    dg.AFTER_UPDATE + ("lr_dW", "lr_db")))
    return out


def indices_swapped(j: Judging, c: ClaimSpec) -> dg.Diagnosis | None:
    """z_j computed with one weight read the other way round: w_ij where w_ji belongs (seen at z, or
    at a when z was not written)."""
    z_key = (c.step, "z", c.core_layer)
    if c.quantity not in ("z", "a") or (c.quantity == "a" and z_key in j.ov) or z_key not in j.graph:
        return None
    after = (lambda zz: zz) if c.quantity == "z" else j.graph[c.node].recipes[0].fn
    node = j.graph[z_key]
    parents = node.recipes[0].parents
    if len(parents) < 2 or parents[1][1] != "W":
        return None
    a_in, W = j.taken(parents[0]), j.taken(parents[1])
    n, row = c.core_index
    z = j.fc.value(z_key)
    r = float(j.fc.value(c.node)[c.core_index])
    layout = j.ex.layout
    fi = layout.fi
    for col in range(W.shape[1]):
        if col == row or col >= W.shape[0] or row >= W.shape[1]:
            continue
        trial = np.array(z, dtype=float)
        trial[n, row] += (W[col, row] - W[row, col]) * a_in[n, col]
        with np.errstate(all="ignore"):
            v = float(np.asarray(after(trial), dtype=float)[c.core_index])
        if c.printed.matches(v):
            num = layout.param_number("W", parents[1][2])
            held = None if z_key in j.ov else (z_key, trial)
            meant, read = (row, col), (col, row)
            if layout.conv["weights"] == "from_to":
                meant, read = meant[::-1], read[::-1]
            return dg.Diagnosis(
                f"W{num}[{read[0] + fi},{read[1] + fi}] = {W[col, row]:g} used where W{num}[{meant[0] + fi},"
                f"{meant[1] + fi}] = {W[row, col]:g} belongs (the indices swapped): {c.text} matches {near(v, c)}; "
                f"the stated conventions give {near(r, c)} from your values", "indices_swapped",
                label="a weight's indices swapped", held=held)
    return None


def rounded_early(j: Judging, c: ClaimSpec, digits_tried: tuple[int, ...] = (1, 2)) -> dg.Diagnosis | None:
    """The claim recomputed with one number the person did not write (the claim's input, or that
    input's input) rounded to 1 or 2 significant digits before it was used."""
    r = float(j.fc.value(c.node)[c.core_index])
    seen, frontier = set(), [c.node]
    for _depth in range(3):
        unwritten = []
        for key in frontier:
            for p in j.graph[key].parents:
                if p not in seen and p not in j.ov and p[0] == c.step and j.graph[p].recipes[0].parents:
                    seen.add(p)
                    unwritten.append(p)
        for p in unwritten:
            held = j.taken(p)
            for digits in digits_tried:
                rounded = round_sig(held, digits)
                if np.array_equal(rounded, held):
                    continue
                v = j.match(j.with_claim(p, j.graph[p].sign * rounded), c)
                if v is not None:
                    return dg.Diagnosis(f"{j.node_name(p)}, which you did not write, rounded to {digits} significant "
                                        f"digit{'s' if digits > 1 else ''} before use gives {near(v, c)} (rounded too "
                                        f"early); unrounded it gives {near(r, c)}", "rounded_early",
                                        label=f"{j.node_name(p)} rounded early",
                                        held=(p, j.graph[p].sign * rounded))
        frontier = unwritten
    return None
