"""Benchmark: import time, then the time to prove every textbook form of the catalog.

Run: python bench/bench_catalog.py [--repeat 3] [--no-baseline]
Prints wall and CPU seconds (CPU is steadier on a shared machine), the count of each verdict, and
the comparison with plain `simplify(form - truth) == 0` (time, and correct forms it misses).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="cold proving runs (cache cleared each time)")
    ap.add_argument("--sympy-cold", action="store_true",
                    help="also clear SymPy's own expression cache before each run")
    ap.add_argument("--no-baseline", action="store_true", help="skip the plain simplify comparison")
    args = ap.parse_args()

    w0, c0 = _clock()
    import sympy  # noqa: F401

    w1, c1 = _clock()
    from gradverify.derivations import catalog
    from gradverify.derivations import checks

    entries = list(catalog.entries())
    w2, c2 = _clock()
    print(f"import sympy                 {w1 - w0:7.3f} s wall  {c1 - c0:7.3f} s cpu")
    print(f"import + build catalog       {w2 - w1:7.3f} s wall  {c2 - c1:7.3f} s cpu"
          f"   ({len(entries)} entries, {sum(len(e.forms) for e in entries)} forms)")

    w3, c3 = _clock()
    truths = {(e.name, i): checks.truth_for(e, f) for e in entries for i, f in enumerate(e.forms)}
    w4, c4 = _clock()
    print(f"derive every truth (SymPy)   {w4 - w3:7.3f} s wall  {c4 - c3:7.3f} s cpu   (first time; N = 10 built here)")

    walls, cpus = [], []
    results = []
    for _ in range(max(1, args.repeat)):
        checks.clear_cache(sympy_too=args.sympy_cold)
        a, b = _clock()
        results = list(checks.check_catalog())
        c, d = _clock()
        walls.append(c - a)
        cpus.append(d - b)
    print(f"prove whole catalog (cold)   {min(walls):7.3f} s wall  {min(cpus):7.3f} s cpu"
          f"   (best of {len(walls)}; first run {walls[0]:.3f} s wall {cpus[0]:.3f} s cpu; "
          f"median wall {statistics.median(walls):.3f} s)")
    print(f"first use after import: derive + prove = {w4 - w3 + walls[0]:.3f} s wall "
          f"({c4 - c3 + cpus[0]:.3f} s cpu); later runs reuse the derivatives: {min(walls):.3f} s")
    counts: dict[str, int] = {}
    for r in results:
        counts[r.proof.verdict] = counts.get(r.proof.verdict, 0) + 1
    unexpected = [r for r in results if not r.as_expected]
    expected_true = sum(1 for r in results if r.form.expected == "proved")
    false_neg = sum(1 for r in results if r.form.expected == "proved" and r.proof.verdict != "proved")
    print("verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"false negatives (correct form not proved): {false_neg} of {expected_true}; "
          f"verdicts other than expected: {len(unexpected)}")
    heavy = sorted(results, key=lambda r: -r.proof.seconds)[:5]
    print("slowest: " + "; ".join(f"{r.entry.name} '{r.form.label[:28]}' {r.proof.seconds:.3f}s" for r in heavy))
    for r in unexpected:
        print(f"  UNEXPECTED {r.entry.name}: {r.form.label}: {r.proof.verdict} (expected {r.form.expected})")

    if not args.no_baseline:
        import sympy as sp

        a, b = _clock()
        missed = []
        for r in results:
            if r.form.expected != "proved":
                continue
            f, t = r.form.expr, truths[(r.entry.name, r.entry.forms.index(r.form))]
            A = checks.assumptions_for(r.entry, r.form)  # same cases (y = +-1, sum y = 1) as ours
            ok = True
            for case in A.cases:
                fc, tc = f.subs(case), t.subs(case)
                if isinstance(fc, sp.MatrixBase):
                    ok = ok and all(sp.simplify(fe - te) == 0 for fe, te in zip(fc, tc))
                else:
                    ok = ok and sp.simplify(fc - tc) == 0
            if not ok:
                missed.append(f"{r.entry.name}: {r.form.label}")
        c, d = _clock()
        print(f"baseline simplify(a-b)==0    {c - a:7.3f} s wall  {d - b:7.3f} s cpu   "
              f"misses {len(missed)} of {expected_true} correct forms")
        for m in missed:
            print(f"  missed: {m}")
        print(f"ratio baseline/gradverify (wall): {(c - a) / min(walls):.1f}x")
    return 0 if not unexpected else 1


if __name__ == "__main__":
    raise SystemExit(main())
