"""Judging a layer-indexed formula: at every value of its free layer and index variables, on
random networks, with what the indices should have been when it fails.

The ranges come from the formula itself (the layers at which every quantity of both sides
exists; the indices of the left side's quantities) unless the claim gives them (`ranges = { ell =
"0..L" }`, which is how seed 000's l in {0..L} is checked). A failure names the first layer and
index where the sides differ, a sum whose range is not that of what it sums, a quantity at a
layer it does not have, and a layer off by one (x^{N-1} where x^{N-2} belongs).
"""

from __future__ import annotations

import itertools
from typing import Any, Mapping

import mpmath

from gradverify.derivations import layernet
from gradverify.derivations.equivalence import EQUIVALENT, NOT_EQUIVALENT, ClaimError
from gradverify.derivations.indexed import (
    GREEK, NOTATIONS, SEEDS, TOLERANCE, Evaluator, IndexSlip, Notation, children, free_names)
from gradverify.derivations.indexparse import terms


def _span(text: str, nt: Notation, ev: Evaluator, env: Mapping[str, int]) -> range:
    """"0..L" or "0..n_{l}-1" -> the integers it names."""
    from gradverify.derivations.indexparse import Parser

    lo, sep, hi = text.partition("..")
    if not sep:
        raise ClaimError(f"range {text!r}: write first..last, e.g. \"0..L\" or \"2..N\"")
    layered = {k for k, f in nt.families.items() if f.kind != "width"}
    a, b = (int(ev.value(Parser(part, layered).expr(), env)) for part in (lo, hi))
    return range(a, b + 1)


def _layer_values(var: str, sides: tuple[tuple, tuple], nt: Notation, ev: Evaluator) -> list[int]:
    """The layers at which every quantity of both sides exists: the formula's own domain (seed
    000's recursion for Delta^l holds from l = 2, where Delta^{l-1} exists)."""
    out = []
    for k in range(-1, ev.last + 2):
        try:
            for side in sides:
                _quantities_exist(side, nt, ev, {var: k})
        except IndexSlip:
            continue
        out.append(k)
    return out


def _quantities_exist(t: tuple, nt: Notation, ev: Evaluator, env: Mapping[str, int]) -> None:
    """IndexSlip when a quantity of the tree has no such layer at these variables (others unbound)."""
    if t[0] == "q" and t[1] in nt.families and t[3] is not None:
        try:
            ev.layer(t, env)
        except (KeyError, ClaimError):
            pass
        return
    if t[0] == "sum":
        return
    for c in children(t):
        _quantities_exist(c, nt, ev, env)


def _index_values(var: str, left: tuple, nt: Notation, ev: Evaluator, env: Mapping[str, int]) -> list[int]:
    """The index values of the left side's quantities indexed by var (IndexSlip when one of them
    has no such layer)."""
    _quantities_exist(left, nt, ev, env)
    spans = [range(first, last + 1) for _n, _p, first, last in ev.indexed_by(left, var, env)]
    if not spans:
        raise ClaimError(f"{var} is free but indexes nothing on the left side; give its range: ranges = {{ {var} = \"0..2\" }}")
    return [v for v in spans[0] if all(v in s for s in spans[1:])]


def judge(left: tuple, right: tuple, notation: str, head: str | None = None,
          ranges: Mapping[str, str] | None = None) -> dict[str, Any]:
    """left = right at every value of its free variables (JSON-ready verdict)."""
    nt = NOTATIONS[notation]
    head = head or nt.head
    stray = _stray_index(left, right, nt, head, ranges or {})
    if stray is not None:
        return stray
    checked, failures, names, ev = _run(left, right, nt, head, ranges or {})
    where = f"on {len(SEEDS)} random {'-'.join(map(str, nt.widths))} networks ({nt.last} = {ev.last}, {head})"
    if not failures:
        return {"verdict": EQUIVALENT, "checked": checked, "notation": nt.name,
                "explanation": f"holds at all {checked} values of {', '.join(names) or 'the formula'} "
                               f"{where}, to 30 digits"}
    at, why, notes = failures[0]
    shown = ", ".join(f"{k} = {v}" for k, v in at.items())
    slips = notes or ([why] if "does not exist" in why or "outside" in why else [])
    return {"verdict": NOT_EQUIVALENT, "checked": checked, "notation": nt.name, "failures": len(failures),
            "explanation": (f"at {shown}: " if shown else "") + f"{why} ({len(failures)} of "
                           f"{max(checked, len(failures))} values fail {where})",
            "diagnoses": slips + _layer_slips(left, right, nt, head, ranges or {})}


def _stray_index(left: tuple, right: tuple, nt: Notation, head: str, ranges: Mapping[str, str]
                 ) -> dict[str, Any] | None:
    """An index free on the right side only, where the formula holds with it renamed to one of the
    left side's free indices (seed 003's (19): dL/db_i^N = dA_j^N): not equivalent, naming it. None
    when there is no such index, or no renaming makes the formula hold (its ClaimError then stands)."""
    free_l, free_r = free_names(left, nt), free_names(right, nt)
    named = {"ℓ" if k in ("ell", "l") else k for k in ranges}
    targets = sorted(v for v, is_layer in free_l.items() if not is_layer)
    for var in sorted(set(free_r) - set(free_l) - named):
        if free_r[var]:
            continue  # a layer variable
        for target in targets:
            try:
                checked, failures, _names, _ev = _run(left, _renamed(right, var, target), nt, head, ranges)
            except (ClaimError, IndexSlip, KeyError, ValueError, ZeroDivisionError):
                continue
            if checked and not failures:
                slips = [f"{written(q)} where {written(_renamed(q, var, target))} belongs"
                         for _p, q in _layered(right) if ("q", var, (), None) in q[2]]
                return {"verdict": NOT_EQUIVALENT, "checked": checked, "notation": nt.name,
                        "explanation": f"{var} is free on the right side only: the left side is indexed by "
                                       f"{', '.join(targets)}",
                        "diagnoses": [f"{'; '.join(dict.fromkeys(slips)) or f'{var} where {target} belongs'} "
                                      f"(the index {var} is free on the right side only): with {target} the "
                                      f"formula holds at all {checked} values"]}
    return None


def _renamed(t: tuple, old: str, new: str) -> tuple:
    """The tree with the free index `old` written `new`."""
    if t == ("q", old, (), None):
        return ("q", new, (), None)
    return tuple(_renamed(c, old, new) if isinstance(c, tuple) else c for c in t)


def _run(left: tuple, right: tuple, nt: Notation, head: str, ranges: Mapping[str, str]
         ) -> tuple[int, list, list[str], Evaluator]:
    """(values checked, failures, the free variables, the evaluator) over every network."""
    ev = Evaluator(nt, layernet.random_net(nt.widths, nt.activation, head, SEEDS[0], nt.biased))
    free_l, free_r = free_names(left, nt), free_names(right, nt)
    named = {"ℓ" if k in ("ell", "l") else k for k in ranges}
    only_right = sorted(set(free_r) - set(free_l) - named)
    if only_right:
        raise ClaimError(f"{', '.join(only_right)} free on the right side only: sum it, or give its range")
    free = {**free_l, **free_r}
    layer_vars = sorted(v for v, is_layer in free.items() if is_layer)
    index_vars = sorted(v for v, is_layer in free.items() if not is_layer)
    given = {("ℓ" if k in ("ell", "l") and "ℓ" in free else k): v for k, v in ranges.items()}
    layer_spans = [list(_span(given[v], nt, ev, {})) if v in given else _layer_values(v, (left, right), nt, ev)
                   for v in layer_vars]
    if any(not span for span in layer_spans):
        return 0, [({}, "there is no layer at which every quantity of both sides exists", [])], layer_vars, ev
    checked, failures = 0, []
    with mpmath.workdps(layernet.DIGITS):
        for seed in SEEDS:  # a relu unit that is off on one network hides a wrong factor of it
            ev.net = layernet.random_net(nt.widths, nt.activation, head, seed, nt.biased)
            count, found = _check(left, right, ev, nt, given, layer_vars, index_vars, layer_spans)
            checked, failures = checked + count, failures + found
    return checked, failures, layer_vars + index_vars, ev


def _layer_slips(left: tuple, right: tuple, nt: Notation, head: str, ranges: Mapping[str, str]) -> list[str]:
    """A quantity written one layer off: with its layer moved by one, the formula holds."""
    sides = [left, right]
    for side in (0, 1):
        for path, q in _layered(sides[side]):
            for step in (-1, 1):
                moved = ("q", q[1], q[2], _shift(q[3], step))
                trial = list(sides)
                trial[side] = _replace(sides[side], path, moved)
                try:
                    checked, failures, _names, _ev = _run(trial[0], trial[1], nt, head, ranges)
                except (ClaimError, IndexSlip, KeyError, ValueError, ZeroDivisionError):
                    continue
                if checked and not failures:
                    return [f"{written(q)} with superscript {_layer_text(q[3])} where {_layer_text(moved[3])} "
                            "belongs"]
    return []


def _layered(t: tuple, path: tuple = ()) -> list[tuple[tuple, tuple]]:
    """(path, quantity) for every quantity with a layer, in reading order."""
    if t[0] == "q":
        return [(path, t)] if t[3] is not None else []
    out = []
    for k, c in enumerate(t[1:], start=1):
        if isinstance(c, tuple) and c and isinstance(c[0], str):
            out += _layered(c, path + (k,))
    return out


def _replace(t: tuple, path: tuple, new: tuple) -> tuple:
    if not path:
        return new
    k = path[0]
    return (*t[:k], _replace(t[k], path[1:], new), *t[k + 1:])


def _shift(layer: tuple, step: int) -> tuple:
    return ("+", layer, ("num", str(step))) if step > 0 else ("+", layer, ("neg", ("num", str(-step))))


def written(t: tuple) -> str:
    """A quantity without its layer, or an index expression, in plain text: x_1, w_1,1, N-2."""
    tag = t[0]
    if tag == "num":
        return t[1]
    if tag == "q":
        name = GREEK.get(t[1], t[1])
        sep = "," if any(ix[0] != "q" or len(ix[1]) > 1 for ix in t[2]) and len(t[2]) > 1 else ""
        return name + (("_" + sep.join(written(ix) for ix in t[2])) if t[2] else "")
    return _layer_text(t)


def _layer_text(t: tuple) -> str:
    """N - 1 + -1 folded to N-2: the layer expression with its numbers summed."""
    names, number = [], 0
    for sign, part in terms(t, 1):
        if part[0] == "num":
            number += sign * int(part[1])
        else:
            names.append(("-" if sign < 0 else "+") + written(part))
    text = "".join(names).lstrip("+")
    if number:
        text += f"{number:+d}" if text else str(number)
    return text or "0"


def _check(left: tuple, right: tuple, ev: Evaluator, nt: Notation, given: Mapping[str, str], layer_vars: list[str],
           index_vars: list[str], layer_spans: list[list[int]]) -> tuple[int, list]:
    """How many values were checked, and the failures (variables, why, notes on the sums)."""
    checked, failures = 0, []
    for layer_vals in itertools.product(*layer_spans):
        env = dict(zip(layer_vars, layer_vals))
        try:
            spans = [list(_span(given[v], nt, ev, env)) if v in given else _index_values(v, left, nt, ev, env)
                     for v in index_vars]
        except IndexSlip as exc:
            failures.append((env, str(exc), []))
            continue
        for index_vals in itertools.product(*spans):
            at = {**env, **dict(zip(index_vars, index_vals))}
            checked += 1
            ev.notes = []
            try:
                want = ev.value(left, at)
                got = ev.value(right, at)
            except IndexSlip as exc:
                failures.append((at, str(exc), []))
                continue
            if abs(got - want) > TOLERANCE * max(1, abs(want)):
                failures.append((at, f"the right side is {mpmath.nstr(got, 12)}, the left {mpmath.nstr(want, 12)}",
                                 list(dict.fromkeys(ev.notes))))
    return checked, failures

