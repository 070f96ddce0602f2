"""`gradverify claim`: judge a claimed derivative (SymPy syntax or LaTeX) or a file of claims.

Parsing happens here (no SymPy); proofs run in the sandbox worker with a time limit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gradverify.commands.options import add_param_option, fail, parse_params

EPILOG = r"""examples:
  gradverify claim '1 - tanh(x)^2' --of tanh                  equivalent (proved + witness)
  gradverify claim '\frac{1}{(e^{-x}+e^{x})^2}' --of tanh     not equivalent: the 4 is missing
  gradverify claim 'sigma(x)*(1 - sigma(x))' --of sigmoid --json
  gradverify claim '\begin{cases} 1 & x \ge 0 \\ 0 & \text{otherwise} \end{cases}' --of relu
                                                              equivalent on a domain: differs at x = 0
  gradverify claim 'x' --of prelu --wrt a                     df/da, with a counterexample
  gradverify claim 'Piecewise((1, x > 0), (alpha, True))' --of leaky_relu --param alpha=0.1
  gradverify claim 's_i*(KroneckerDelta(i, j) - s_j)' --of softmax     the Jacobian entry ds_i/dx_j
  gradverify claim '\frac{2}{n}(a - y)' --of squared_error --reduction mean
                                                              C = 1/n sum_i l_i: each dC/da_i carries 1/n
  gradverify claim --seed 001                                 the bundled claims of seed 001
  gradverify claim --file my-claims.toml                      [[derivative]] tables: of, wrt, claimed

Names: sigma/tanh/sech/exp/log/relu/max/Heaviside/sign/KroneckerDelta mean the catalog's functions;
s_i is softmax output i; y_i, a_i are one output of a loss. A claim may not contain a derivative
operator (diff, \frac{d}{dx}, \partial): write the result of your own differentiation.

exit status: 0 every claim equivalent (possibly on a domain), 1 some claim not equivalent or
undecided, 2 unusable input (the message shows where and what is allowed).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "claim", help="judge a claimed derivative (SymPy syntax or LaTeX) against the catalog",
        description="Judge a derivative you worked out by hand: equivalent (proved, with a numeric "
        "witness), not equivalent (a counterexample and a diagnosis such as a lost constant factor "
        "or sign), or equivalent on a domain (needs sum y = 1, or differs only at a kink).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("expr", nargs="?", help="the claimed derivative, e.g. 's*(1-s)' or '1-\\tanh^2(x)'")
    p.add_argument("--of", metavar="NAME", help="the catalog entry it is the derivative of (tanh, relu, ...)")
    p.add_argument("--wrt", metavar="VAR", help="the variable (default: the entry's first; prelu: x or a)")
    add_param_option(p, "e.g. alpha=0.1")
    syntax = p.add_mutually_exclusive_group()
    syntax.add_argument("--latex", action="store_const", const="latex", dest="syntax", help="read EXPR as LaTeX")
    syntax.add_argument("--sympy", action="store_const", const="sympy", dest="syntax",
                        help="read EXPR as SymPy syntax (default: detected)")
    p.add_argument("--reduction", choices=("sum", "mean"),
                   help="the loss sums or averages (1/n) over its n outputs (default: the catalog's)")
    p.add_argument("--batch", choices=("sum", "mean"), help="the loss sums or averages (1/m) over a batch of m")
    p.add_argument("--file", metavar="TOML", help="a file of [[derivative]] (and [[formula]]) tables")
    p.add_argument("--seed", metavar="NNN", help="the bundled claim file of seed NNN (000-004)")
    p.add_argument("--timeout", type=float, default=20.0, metavar="S", help="seconds per claim (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run, syntax="auto")


def _fail(message: str) -> int:
    return fail("claim", message)


def claims_dir() -> Path:
    """Where the bundled seed claim files live."""
    return Path(__file__).resolve().parent.parent / "claims"


def run(args: argparse.Namespace) -> int:
    if args.seed or args.file:
        if args.expr:
            return _fail("give either a claim EXPR with --of, or --file/--seed, not both")
        path = Path(args.file) if args.file else claims_dir() / f"seed-{str(args.seed).zfill(3)}.toml"
        if not path.exists():
            known = sorted(p.stem for p in claims_dir().glob("seed-*.toml"))
            return _fail(f"{path}: no such file" + (f" (bundled: {', '.join(known)})" if args.seed else ""))
        return _run_file(path, args)
    if not args.expr:
        return _fail("give a claim, e.g. gradverify claim '1 - tanh(x)^2' --of tanh (or --seed 001)")
    if not args.of:
        return _fail("say which function it is the derivative of: --of NAME (see gradverify catalog)")
    try:
        params = parse_params(args.param)
    except ValueError as exc:
        return _fail(str(exc))
    from gradverify.derivations import sandbox

    try:  # the worker checks the name too: the parent never imports SymPy
        res = sandbox.judge_claim(args.expr, args.of, args.wrt, params, args.syntax, args.timeout,
                                  reduction=args.reduction, batch=args.batch)
    finally:
        sandbox.shared().stop()
    if res["verdict"] == "unusable":
        print(f"gradverify claim: {res['error']}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(res, indent=2, default=str))
    else:
        print(format_result(res))
    return 0 if res["verdict"] in ("equivalent", "equivalent on a domain") else 1


def _run_file(path: Path, args: argparse.Namespace) -> int:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"{path}: cannot read: {exc}")
    except tomllib.TOMLDecodeError as exc:
        return _fail(f"{path}: not valid TOML: {exc}")
    except RecursionError:  # tomllib recurses once per nested [ or {
        return _fail(f"{path}: arrays or tables nest too deeply; write one [[derivative]] table per claim")
    tables = data.get("derivative", [])
    formulas = data.get("formula", [])
    from gradverify.judge import kindtables

    if not isinstance(tables, list) or not isinstance(formulas, list) or not (
            tables or formulas or any(data.get(k) for k in kindtables.MORE)):
        return _fail(f"{path}: expected [[derivative]] tables (of, claimed, optional wrt), [[formula]] tables "
                     "or " + ", ".join(f"[[{k}]]" for k in kindtables.MORE) + " tables")
    from gradverify.derivations import sandbox
    from gradverify.judge.worked import WorkedExampleError

    fresults: list[dict[str, Any]] = []
    more: dict[str, list[dict[str, Any]]] = {}
    try:  # one worker for every kind: formulas are proved in it too
        results = sandbox.judge_derivative_claims(tables, args.timeout)
        bad = [r for r in results if r["verdict"] == "unusable"]
        if bad:
            r = bad[0]
            return _fail(f"{path}: [[derivative]] number {r['index'] + 1} (claimed = {r.get('claimed')!r}): {r['error']}")
        if formulas:
            from gradverify.judge import formulas as fm

            try:
                fresults = fm.judge_formula_tables(formulas, args.timeout)
            except fm.FormulaError as exc:
                return _fail(f"{path}: {exc}")
        try:
            more = kindtables.judge_more(data, str(path), path.read_text(encoding="utf-8"), args.timeout)
        except WorkedExampleError as exc:
            return _fail(str(exc))
    finally:
        sandbox.shared().stop()
    extra = [r for kind in more for r in more[kind]]
    if args.json:
        print(json.dumps({"file": str(path), "derivative": results, "formula": fresults, **more}, indent=2,
                         default=str))
    else:
        for r in results:
            print(format_result(r))
            print()
        for r in fresults:
            print(fm.format_formula(r))
            print()
        for kind in more:
            for r in more[kind]:
                print(format_table(kind, r))
                print()
    wrong = [r for r in results + extra if r["verdict"] not in ("equivalent", "equivalent on a domain")]
    wrong += [r for r in fresults if r["verdict"] != "equivalent"]
    unexpected = [r for r in results + fresults + extra if r.get("as_expected") is False]
    if unexpected and not args.json:
        print(f"{len(unexpected)} claim(s) did not get the verdict the file expects", file=sys.stderr)
    return 1 if wrong else 0


def format_table(kind: str, r: dict[str, Any]) -> str:
    """A judged [[identity]], [[graph]] or [[indexed]] table as a few lines of text."""
    lines = ([r["label"]] if r.get("label") else []) + [f"  {kind}: {r.get('claimed', '')}",
                                                        f"  verdict: {r['verdict'].upper()}"]
    if r.get("expect"):
        lines[-1] += "  (as the file expects)" if r.get("as_expected") else f"  (the file expects {r['expect']})"
    if r.get("explanation") or r.get("error"):
        lines.append(f"  {r.get('explanation') or r.get('error')}")
    lines += [f"  diagnosis: {d}" for d in r.get("diagnoses") or []]
    if r.get("note"):
        lines.append(f"  note: {r['note']}")
    return "\n".join(lines)


def format_result(r: dict[str, Any]) -> str:
    """A judged claim as a few lines of text."""
    head = (f"{r.get('of')} VJP (v^T J)_i: {r.get('claimed')}" if r.get("wrt") == "vjp"
            else f"d {r.get('of')}/d{r.get('wrt') or ''}: {r.get('claimed')}")
    counts = [f"{r[k]} over the {w}" for k, w in (("reduction", "outputs"), ("batch", "batch")) if r.get(k)]
    if counts:
        head += f"   ({', '.join(counts)})"
    if r.get("label"):
        head = f"{r['label']}\n  {head}"
    lines = [head, f"  verdict: {r['verdict'].upper()}"]
    if r.get("expect"):
        lines[-1] += "  (as the file expects)" if r.get("as_expected") else f"  (the file expects {r['expect']})"
    if r.get("explanation"):
        lines.append(f"  {r['explanation']}")
    for d in r.get("diagnoses") or []:
        lines.append(f"  diagnosis: {d}")
    if r.get("witness"):
        w = r["witness"]
        lines.append(f"  witness at {w['point']}: claim {w['claim']}, derivative {w['truth']}")
    if r.get("stated"):
        s = r["stated"]
        lines.append(f"  against the stated function {s['function']}: {s['verdict']} ({s['explanation']})")
        lines += [f"  diagnosis (stated): {d}" for d in s.get("diagnoses") or []]
    if r.get("note"):
        lines.append(f"  note: {r['note']}")
    return "\n".join(lines)
