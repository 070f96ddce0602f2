"""`gradverify claim`: judge a claimed derivative (SymPy syntax or LaTeX) or a file of claims.

Parsing happens here (no SymPy); proofs run in the sandbox worker with a time limit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gradverify.commands.options import add_param_option, add_renamed_option, fail, parse_params

if TYPE_CHECKING:
    from gradverify.judge.result import TableVerdict

EPILOG = r"""examples:
  gradverify claim '1 - tanh(x)^2' --of tanh                  equivalent (proved + witness)
  gradverify claim '\frac{1}{(e^{-x}+e^{x})^2}' --of tanh     not equivalent: the 4 is missing
  gradverify claim 's*(1 - s)' --of sigmoid                   equivalent, reading s as sigmoid(x)
  gradverify claim '-y/a' --of cross_entropy                  dL/da_i; a leading minus is fine
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

A claim that starts with a minus sign is taken as the claim: gradverify claim '-y/a' --of cross_entropy.
For an activation, its value's usual names read as the function at x: s, sigma, a, f for sigmoid
(s*(1-s) is sigmoid(x)(1 - sigmoid(x))), t, tanh, a, f for tanh, a, f for the others (f only for
prelu, whose a is its slope); the verdict says "reading s as sigmoid(x)". Inside a function's
argument the letter is a point: sigma(a)*(1-sigma(a)) is the derivative at a.

exit status: 0 every claim equivalent (possibly on a domain), or with --file/--seed every claim
got the verdict its table expects (expect = "not equivalent" for a recorded mistake); 1 otherwise;
2 unusable input (the message shows where and what is allowed).
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
    p.add_argument("--syntax", choices=("auto", "latex", "sympy"), default="auto",
                   help="how to read EXPR: auto (default: LaTeX when it has a backslash), latex, sympy")
    add_renamed_option(p, "--latex", "--syntax latex", "in check and report, --latex OUT.tex writes a LaTeX report")
    add_renamed_option(p, "--sympy", "--syntax sympy")
    p.add_argument("--reduction", choices=("sum", "mean"),
                   help="the loss sums or averages (1/n) over its n outputs (default: the catalog's)")
    p.add_argument("--batch", choices=("sum", "mean"), help="the loss sums or averages (1/m) over a batch of m")
    p.add_argument("--file", metavar="TOML", help="a file of [[derivative]] (and [[formula]]) tables")
    p.add_argument("--seed", metavar="NNN", help="the bundled claim file of seed NNN (000-004)")
    p.add_argument("--timeout", type=float, default=20.0, metavar="S", help="seconds per claim (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run)


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
    from gradverify.api import InputError, claim
    from gradverify.derivations import sandbox

    try:
        verdict = claim(args.expr, args.of, wrt=args.wrt, params=parse_params(args.param), syntax=args.syntax,
                        reduction=args.reduction, batch=args.batch, timeout=args.timeout)
    except (InputError, ValueError) as exc:
        key, sep, rest = str(exc).partition(": ")  # "wrt: prelu is ..." names the option --wrt
        option = {"of": "--of", "wrt": "--wrt", "params": "--param", "syntax": "--syntax", "reduction": "--reduction",
                  "batch": "--batch"}.get(key)
        return _fail(f"{option}: {rest}" if sep and option else str(exc))
    finally:
        sandbox.shared().stop()
    print(json.dumps(verdict.to_json(), indent=2) if args.json else format_verdict(verdict))
    return 0 if verdict.accepted else 1


def _run_file(path: Path, args: argparse.Namespace) -> int:
    import tomllib

    from gradverify.derivations import sandbox
    from gradverify.judge import claimtables
    from gradverify.judge.worked import WorkedExampleError

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"{path}: cannot read: {exc}")
    except tomllib.TOMLDecodeError as exc:
        return _fail(f"{path}: not valid TOML: {exc}")
    except RecursionError:  # tomllib recurses once per nested [ or {
        return _fail(f"{path}: arrays or tables nest too deeply; write one [[derivative]] table per claim")
    if not (data.get("derivative") or data.get("formula")):
        return _fail(f"{path}: expected [[derivative]] tables (of, claimed, optional wrt) or [[formula]] tables")
    try:
        derivatives, formulas = claimtables.validate(data, str(path), text)
        verdicts = claimtables.judge(derivatives, formulas, args.timeout)
    except WorkedExampleError as exc:
        return _fail(str(exc))
    finally:
        sandbox.shared().stop()
    bad = [t for t in verdicts if t.verdict == "unusable"]
    if bad:
        t = bad[0]
        where = f"{path}, line {t.line}" if t.line else str(path)
        return _fail(f"{where}: [[{t.kind}]] number {t.number} (claimed = {t.claimed!r}): {t.explanation}")
    if args.json:
        print(json.dumps({"file": str(path), **{kind: [t.to_json() for t in verdicts if t.kind == kind]
                                                for kind in ("derivative", "formula")}}, indent=2))
    else:
        for t in verdicts:
            print(format_verdict(t))
            print()
    unexpected = [t for t in verdicts if not (t.as_expected if t.expect or t.expect_stated else t.accepted)]
    if not args.json:
        print(_file_summary(len(verdicts), len(unexpected)), file=sys.stderr)
    return 1 if unexpected else 0


def _file_summary(total: int, unexpected: int) -> str:
    claims = f"{total} claim{'s' * (total != 1)}"
    if not unexpected:
        return f"{claims}: every verdict is the one the file expects"
    return f"{claims}: {unexpected} did not get the verdict the file expects (equivalent, when it states none)"


def format_verdict(t: TableVerdict) -> str:
    """A judged claim as a few lines of text; the file's own text is shown with control characters
    as \\xNN, so it cannot rewrite the reader's terminal."""
    from gradverify.derivations import readable
    from gradverify.render.terminal import visible

    head = (f"{visible(t.claimed)}   (layout {t.layout})" if t.kind == "formula"
            else f"{t.name}: {visible(t.claimed)}")
    counts = [f"{v} over the {what}" for v, what in ((t.reduction, "outputs"), (t.batch, "batch")) if v]
    if counts:
        head += f"   ({', '.join(counts)})"
    lines = ([visible(t.label)] if t.label else []) + [f"  {head}" if t.label else head,
                                                       f"  verdict: {t.verdict.upper()}"]
    if t.expect:
        lines[-1] += "  (as the file expects)" if t.as_expected else f"  (the file expects {t.expect})"
    if t.explanation:
        lines.append(f"  {t.explanation}")
    lines += [f"  diagnosis: {d}" for d in t.diagnoses]
    if t.witness:
        w = t.witness
        lines.append(f"  witness at {readable.point(w['point'])}: claim {readable.number(w['claim'])}, "
                     f"derivative {readable.number(w['truth'])}")
    if t.stated:
        s = t.stated
        lines.append(f"  against the stated function {s['function']}: {s['verdict']} ({s['explanation']})")
        lines += [f"  diagnosis (stated): {d}" for d in s.get("diagnoses") or []]
    if t.note:
        lines.append(f"  note: {visible(t.note)}")
    return "\n".join(lines)
