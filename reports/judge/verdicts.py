"""The judge: every claimed number against the exact chain and against the person's own numbers.

Verdicts (DESIGN.md): `correct` matches the exact value at the claim's printed precision; `follows`
matches a value recomputed from the person's earlier claims (or from the corrected value of a wrong
one, or under a convention mistake already named); `wrong` is neither, with a diagnosis.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from typing import Any

import numpy as np

from gradverify.judge import arith
from gradverify.judge import diagnose as dg
from gradverify.judge import explain
from gradverify.judge.claimkeys import ClaimSpec
from gradverify.judge.graph import Evaluation, Graph, Key
from gradverify.judge.judgeable import JudgedExample, JudgedProblem
from gradverify.judge.numbers import shown
from gradverify.judge.problems import ProblemCache
from gradverify.judge.result import CheckResult, ClaimVerdict
from gradverify.judge.worked import WorkedExampleError


def _key(c: ClaimSpec) -> Key:
    return c.node


def overrides_of(claims: list[ClaimSpec], shapes: dict[Any, tuple[int, ...]], skip: Any = frozenset(),
                 replace: dict[int, float] | None = None, base: dict | None = None,
                 by_key: dict[Any, list[int]] | None = None) -> dict:
    """The claims as element-wise overrides {key: (values, mask)}: claims in `skip` left out, those in
    `replace` taken at the given value instead of the printed one. `base`, the overrides of all the
    claims, is reused for every key that no claim in `skip` or `replace` belongs to (`by_key`: the
    claims of each key, so only those keys are rebuilt)."""
    replace = replace or {}
    if base is None or by_key is None:
        keys = list(dict.fromkeys(_key(c) for c in claims))
        by_key = {k: [] for k in keys}
        for i, c in enumerate(claims):
            by_key[_key(c)].append(i)
        out: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
    else:
        keys = list(dict.fromkeys(_key(claims[i]) for i in (*skip, *replace)))
        out = {k: v for k, v in base.items() if k not in keys}
    for key in keys:
        mine = [i for i in by_key[key] if i not in skip and claims[i].printing == 1]  # a second printing
        if not mine:  # is judged, not read by what follows
            continue
        vals, mask = np.zeros(shapes[key]), np.zeros(shapes[key], dtype=bool)
        for i in mine:
            vals[claims[i].core_index] = replace.get(i, claims[i].printed.value)
            mask[claims[i].core_index] = True
        out[key] = (vals, mask)
    return out


def _at(ev: Evaluation, c: ClaimSpec) -> float:
    return float(ev.value(_key(c))[c.core_index])


def _match(ev: Evaluation, c: ClaimSpec) -> float | None:
    """The first of the node's values (stated recipe first) that the claim rounds from (or rounds
    from twice, through an intermediate one digit longer), or None."""
    values = [_at(ev, c), *(v for _, v in _alts(ev, c))]
    found = next((v for v in values if c.printed.matches(v)), None)
    return found if found is not None else next((v for v in values if c.printed.matches_rounded_twice(v)), None)


def _alts(ev: Evaluation, c: ClaimSpec) -> list[tuple[str, float]]:
    """The other values of the claim's node from your numbers, each with how it was computed."""
    return [(", ".join(v.how), float(v.array[c.core_index])) for v in ev.values(_key(c))[1:]]


MAX_TRIALS = 64  # wrong claims corrected one at a time; the rest only together


class Judging:
    """One example being judged: the replays, the verdicts so far and the active convention variants."""

    def __init__(self, ex: JudgedExample, problem: JudgedProblem):
        self.ex, self.claims, self.problem = ex, ex.claims, problem
        self.n = len(ex.step_numbers)
        self.exact, self.shapes = problem.exact, problem.shapes
        self.by_key: dict[Any, list[int]] = {}
        for i, c in enumerate(self.claims):
            self.by_key.setdefault(_key(c), []).append(i)
        self.ov = overrides_of(self.claims, self.shapes)
        self.fc = problem.evaluate(self.ov)
        self.cache: dict[Any, Evaluation] = {}
        self.active: list[tuple[str, str, Evaluation]] = []
        self.verdicts: list[ClaimVerdict | None] = [None] * len(self.claims)
        self.diag: dict[int, dg.Diagnosis] = {}
        self.wrong_so_far: list[int] = []  # diagnosed wrong, in computation order
        self.pending: list[int] = []  # wrong unless a corrected earlier claim explains them
        self.transposed_keys: dict[Any, str] = {}  # W/dW written in the other layout: where it was named
        self.order = problem.order(self.claims)
        self.rank = {i: r for r, i in enumerate(self.order)}
        self._usual: tuple[str, int] | None = None

    def swapped_value(self, c: ClaimSpec) -> float | None:
        """For a matrix element: the value at the transposed position from your values, else None."""
        return self.problem.swapped(c, self.fc)

    @property
    def graph(self) -> Graph:
        return self.problem.stated

    def exact_value(self, c: ClaimSpec) -> float:
        return _at(self.exact, c)

    def match(self, ev: Evaluation, c: ClaimSpec) -> float | None:
        return _match(ev, c)

    def taken(self, key: Any) -> np.ndarray:
        """What the quantities after `key` read of it from your values (the gradient sign)."""
        return self.fc.taken_of(key)[0].array

    def node_name(self, key: Any) -> str:
        """A node's name as the file writes it: "act_prime2", "dL_da3", "loss"; a circuit's "q", "df/dq"."""
        return self.problem.node_name(key)

    def with_claim(self, key: Any, value: np.ndarray) -> Evaluation:
        """Your values with one more number taken as written: `value` (the file's sign) at node `key`."""
        claims = dict(self.ov)
        claims[key] = (np.asarray(value, dtype=float), np.ones(np.shape(value), dtype=bool))
        return self.problem.evaluate(claims, base=self.fc, reclaimed={key})

    def length(self, c: ClaimSpec) -> int:
        """-1 when the claim prints fewer digits than the file's numbers usually do, 1 more, 0 as many."""
        if self._usual is None:  # significant digits or decimals: whichever the file keeps to more
            sig = Counter(d.printed.sig_digits for d in self.claims).most_common(1)[0]
            dec = Counter(d.printed.decimals for d in self.claims).most_common(1)[0]
            self._usual = ("sig", sig[0]) if sig[1] >= dec[1] else ("decimals", dec[0])
        measure, usual = self._usual

        def digits(d: ClaimSpec) -> int:
            return d.printed.sig_digits if measure == "sig" else d.printed.decimals

        if c.printing > 1:  # a number printed again is printed with more digits than the first time
            first = next((d for d in self.claims if d.node == c.node and d.index == c.index and d.printing == 1), None)
            usual = digits(first) + 1 if first is not None else usual
        return (digits(c) > usual) - (digits(c) < usual)

    def variant_replay(self, v: Any) -> Evaluation:
        if v not in self.cache:
            self.cache[v] = self.problem.evaluate(self.ov, v, base=self.fc, reclaimed=())
        return self.cache[v]

    def verdict(self, i: int, verdict: str, from_claims: float, diagnosis: str = "", note: str = "") -> ClaimVerdict:
        c = self.claims[i]
        cv = ClaimVerdict(step=c.step, quantity=c.quantity, layer=c.layer, index=list(c.index), claimed=c.text,
                          exact=_at(self.exact, c), from_claims=from_claims, verdict=verdict, diagnosis=diagnosis,
                          tolerance=c.printed.tolerance, key=c.key, line=c.line, note=note, printing=c.printing,
                          **c.verdict_names())
        self.verdicts[i] = cv
        return cv

    def first_pass(self) -> None:
        for i in self.order:
            c = self.claims[i]
            p = c.printed
            r = _at(self.fc, c)
            if p.matches(_at(self.exact, c)):
                self.verdict(i, "correct", r)
                continue
            if p.matches(r):
                self.verdict(i, "follows", r)
                continue
            alt = next(((lab, v) for lab, v in _alts(self.fc, c) if p.matches(v)), None)
            if alt:
                self.verdict(i, "follows", alt[1], note=f"follows from your values, {alt[0]}")
                continue
            twice = _match(self.fc, c)
            if twice is not None:  # rounded through an intermediate: a rounding, not a mistake
                self.verdict(i, "follows", twice, note="follows from your values, rounded twice")
                continue
            hit = None
            for cand, origin, rep in self.active:
                v = _match(rep, c)
                if v is not None:
                    hit = (cand, origin, v)
                    break
            if hit:
                self.verdict(i, "follows", hit[2], note=f"follows your {hit[1]} from {hit[0]}")
                continue
            origin = self.transposed_keys.get(_key(c))
            swapped = self.swapped_value(c)
            if origin and swapped is not None and p.matches(swapped):
                self.verdict(i, "follows", swapped, note=f"follows your transposed layout from {origin}")
                continue
            v = _match(self.corrected(), c) if self.wrong_so_far else None
            if v is not None and len(self.wrong_so_far) == 1:  # the one wrong claim so far explains it
                w = self.wrong_so_far[0]
                meant = self.diag[w].intended
                self.follows_corrected(i, v, self.corrected(), [w], {w: meant} if meant is not None else {})
                continue
            if v is not None:
                self.verdict(i, "wrong", r)  # it follows from corrected earlier claims: the corrected
                self.pending.append(i)  # passes say which; a diagnosis only if they do not
                continue
            self.wrong(i, r)

    def follows_corrected(self, i: int, v: float, rep: Evaluation, fixed: list[int], repl: dict[int, float]) -> None:
        """Claim i follows from the earlier wrong claims `fixed` corrected (a typo's to the number meant,
        `repl`): say so, and let a typo's diagnosis say what the later numbers use."""
        c = self.claims[i]
        used = {w: repl.get(w, _at(rep, self.claims[w])) for w in fixed}
        names = ", ".join(f"{self.claims[w].name} = {shown(used[w], 4)} (step {self.claims[w].step})" for w in fixed)
        self.verdict(i, "follows", v, note=f"follows from the corrected {names}")
        for w in fixed:
            d = self.verdicts[w]
            tail = f" (the next forward pass uses {shown(used[w], 4)})" if c.step > self.claims[w].step \
                or self.problem.feeds_forward(c) else f" (later claims use {shown(used[w], 4)})"
            if d.diagnosis.startswith("typo") and " use" not in d.diagnosis:
                d.diagnosis += tail

    def wrong(self, i: int, r: float) -> None:
        """Judge claim i wrong, with its diagnosis; a convention mistake is then tried on what follows."""
        c = self.claims[i]
        d = explain.diagnose(self, i, r)
        self.diag[i] = d
        self.wrong_so_far.append(i)
        self.verdict(i, "wrong", r, d.text).kind = d.kind
        if d.kind == "transposed" and d.variant is None:
            self.transposed_keys[_key(c)] = c.name + (f" (step {c.step})" if self.n > 1 else "")
        origin = c.name + (f" (step {c.step})" if self.n > 1 else "")
        if d.variant is not None:
            self.active.append((origin, d.label, self.variant_replay(d.variant)))
        if d.held is not None:  # what the person carried on from the unwritten number, as they held it
            self.active.append((origin, d.label, self.with_claim(*d.held)))

    def corrected(self) -> Evaluation:
        """Your values with every claim judged wrong so far corrected: a typo read as the number meant,
        any other recomputed from your values."""
        meant = {w: self.diag[w].intended for w in self.wrong_so_far if self.diag[w].intended is not None}
        skip = tuple(w for w in self.wrong_so_far if w not in meant)
        key = ("corrected", skip, tuple(sorted(meant.items())))
        if key not in self.cache:
            self.cache[key] = self.problem.evaluate(
                overrides_of(self.claims, self.shapes, set(skip), meant, self.ov, self.by_key), base=self.fc,
                reclaimed={_key(self.claims[w]) for w in self.wrong_so_far})
        return self.cache[key]

    def diagnose_pending(self) -> None:
        """Claims left wrong after the corrected passes that were set aside in the first: diagnosed now."""
        for i in self.pending:
            if self.verdicts[i].verdict == "wrong":
                self.wrong(i, self.verdicts[i].from_claims)

    def working_pass(self) -> None:
        """A claim written with its working ("0.2 - 1 x 7.2e-3 = 0.1928"): the working must give the
        result. A right result under a slipped working is still a mistake in the written work; a wrong
        result under a right working was written down wrong."""
        if all(c.working is None for c in self.claims):
            return
        stated = self.problem.stated_numbers()
        for i, c in enumerate(self.claims):
            if c.working is None:
                continue
            known = stated | self.parent_numbers(c)

            def width(text: str, value: Fraction) -> Fraction:  # a number written before is copied exactly
                return Fraction(0) if value in known or -value in known else arith.half_unit(text)

            v = self.verdicts[i]
            w = arith.read(c.working)
            value = float(w.value)
            if c.printed.matches(value) and v.verdict == "wrong":  # the arithmetic right, the number not
                flip = self.sign_turned(c, w, v) if c.quantity in ("W", "b") else None
                if flip is not None and v.kind in ("unknown", "factor", "last_digit", "typo_wrong_digit"):
                    v.kind = "update_sign"
                    v.diagnosis = (f"the working {c.working} has a sign turned round: {flip[0]} gives "
                                   f"{shown(flip[1])}")
                continue
            if c.printed.matches(value) or self.rounded_working(c, w.interval(width)):
                continue
            if v.verdict != "wrong":
                v.verdict, v.kind = "wrong", "working"
                v.diagnosis = f"the working {c.working} gives {shown(value)}, not the written {c.printed.text.strip()}"
                for k in range(w.powers_of_ten):
                    for by in (-1, 1):
                        if c.printed.matches(float(w.with_power_moved(k, by))):
                            v.kind = "working_power_of_ten"
                            v.diagnosis = (f"the working {c.working} writes {w.power_text(k)} where "
                                           f"{w.power_text(k, by)} is meant: with it the working gives the written "
                                           f"{c.printed.text.strip()}")
                continue
            if any(c.printed.tolerance and abs(value - t) <= c.printed.tolerance for t in (v.from_claims, v.exact)
                   if t is not None):
                v.diagnosis = (f"the working {c.working} gives {shown(value)}, as your values do: the result "
                               f"{c.printed.text.strip()} is written wrong ({v.diagnosis})")
            flip = self.sign_turned(c, w, v)
            if flip is not None:
                v.diagnosis += f"; the working {c.working} has a sign turned round: {flip[0]} gives {shown(flip[1])}"

    @staticmethod
    def sign_turned(c: ClaimSpec, w: arith.Working, v: ClaimVerdict) -> tuple[str, float] | None:
        """The working with one + or - turned round that gives the right number (exact, or from your
        values) where the written one is not, as (that working, its value): an update added where it
        subtracts, or the other way round."""
        for flipped, fv in w.sign_flips():
            if any(t is not None and c.printed.matches(t) is False and abs(float(fv) - t) <= c.printed.tolerance
                   for t in (v.from_claims, v.exact)):
                return flipped, float(fv)
        return None

    def parent_numbers(self, c: ClaimSpec) -> set[Fraction]:
        """The numbers claimed for the quantities the claim's node is computed from: a working copies
        them exactly, while its other numbers may be rounded displays of what was carried on."""
        out: set[Fraction] = set()
        for p in self.problem.stated[_key(c)].parents:
            if p in self.ov:
                values, mask = self.ov[p]
                out |= {Fraction(repr(float(v))) for v in np.asarray(values)[mask]}
        return out

    @staticmethod
    def rounded_working(c: ClaimSpec, span: tuple[Fraction, Fraction] | None) -> bool:
        """True when the working's rounded numbers could give the result (or cannot be bounded)."""
        if span is None:
            return True
        tol = Fraction(repr(c.printed.tolerance)) * (1 + Fraction(1, 10**9))
        target = Fraction(repr(c.printed.value))
        return span[0] <= target + tol and span[1] >= target - tol

    def contradicted(self, i: int, cand: dg.Candidate, rep: Evaluation) -> bool:
        """True when a number of the same step that fits the stated conventions does not fit `cand`:
        any written before claim i, and the other elements of its own quantity."""
        c = self.claims[i]
        group = ("W", "b") if c.quantity in ("W", "b") else (c.quantity,)
        for j, d in enumerate(self.claims):
            if j == i or d.step != c.step or d.printing > 1:
                continue
            if d.quantity not in group and self.rank[j] > self.rank[i]:
                continue
            if d.printed.matches(_at(self.fc, d)) and _match(rep, d) is None:
                return True
        return False

    def corrected_passes(self) -> None:
        """Claims still wrong may follow from the corrected value of an earlier wrong claim: its
        recomputation from your values, or for a typo the number you meant to write. Each of the
        first MAX_TRIALS wrong claims (in computation order) is corrected alone, then all at once:
        a replay each, so a file of a thousand wrong numbers is not a thousand replays."""
        rank = {i: r for r, i in enumerate(self.order)}
        for _ in range(3):
            wrong = sorted((i for i, v in enumerate(self.verdicts) if v.verdict == "wrong"), key=rank.__getitem__)
            if not wrong:
                return
            changed = False
            meant = {w: self.diag[w].intended for w in wrong if w in self.diag and self.diag[w].intended is not None}
            trials: list[tuple[tuple[int, ...], dict[int, float]]] = []
            for w in wrong[:MAX_TRIALS]:
                trials.append(((w,), {}))
                if w in meant:
                    trials.append(((), {w: meant[w]}))
            if len(wrong) > 1:
                trials.append((tuple(wrong), {}))
                if meant:
                    trials.append((tuple(w for w in wrong if w not in meant), meant))
            for skip, repl in trials:
                fixed = list(skip) + list(repl)
                reach = self.problem.stated.downstream({_key(self.claims[w]) for w in fixed})
                reached = [i for i in wrong if i not in fixed and self.verdicts[i].verdict == "wrong"
                           and _key(self.claims[i]) in reach]
                if not reached:  # the correction cannot change any number still wrong: no replay
                    continue
                tkey = (tuple(sorted(skip)), tuple(sorted(repl.items())))
                if tkey not in self.cache:
                    self.cache[tkey] = self.problem.evaluate(
                        overrides_of(self.claims, self.shapes, set(skip), repl, self.ov, self.by_key), base=self.fc,
                        reclaimed={_key(self.claims[w]) for w in (*skip, *repl)})
                rep = self.cache[tkey]
                for i in reached:
                    if self.verdicts[i].verdict != "wrong":
                        continue
                    c = self.claims[i]
                    v = _match(rep, c)
                    if v is None:
                        continue
                    self.follows_corrected(i, v, rep, fixed, repl)
                    changed = True
            if not changed:
                return


def _refuse_beyond_float64(ex: JudgedExample, j: Judging) -> None:
    """A claim whose exact value overflows float64 (or is NaN) cannot be judged: no verdict is given
    from inf or NaN, the file is refused naming the claim."""
    for c in ex.claims:
        v = _at(j.exact, c)
        if math.isfinite(v):
            continue
        big = max((abs(float(q)) for q in j.problem.stated_numbers()), default=0.0)
        where = f"{ex.source}, line {c.line}" if c.line else ex.source
        raise WorkedExampleError(
            f"{where}: step {c.step}, {c.name}: its exact value is {v} in float64, the arithmetic gradverify "
            f"judges in (an overflow, or a log or division at a probability of exactly 0 or 1). Scale the "
            f"numbers down (the largest number the file states is {big:.3g}) or leave the claim out")


def judge(ex: JudgedExample, *, timeout: float | None = None, problems: ProblemCache | None = None) -> CheckResult:
    """Judge every claim of a worked example: the numbers, then any [[derivative]]/[[formula]]
    tables (SymPy in the sandbox's worker, at most `timeout` seconds per claim). `problems`, kept
    by a caller judging many examples of one problem, spares preparing the problem each time and
    remembers its replays; one example alone is judged without that memory (cheaper once)."""
    j = Judging(ex, (problems or ProblemCache(size=1, remember=False)).problem(ex))
    _refuse_beyond_float64(ex, j)
    j.first_pass()
    j.corrected_passes()
    j.diagnose_pending()
    j.working_pass()
    conv = ex.conventions_json()
    tables = []
    if ex.derivatives or ex.formulas:
        from gradverify.judge import claimtables

        tables = claimtables.judge(ex.derivatives, ex.formulas, timeout)
    return CheckResult(source=ex.source, title=ex.title, conventions=conv, example=ex,
                       claims=[v for v in j.verdicts if v is not None], derivatives=tables)


def check_text(text: str, source: str = "<text>") -> CheckResult:
    """Load and judge worked-example TOML text."""
    from gradverify.judge.worked import loads

    return judge(loads(text, source))
