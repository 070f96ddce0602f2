"""`gradverify derive NAME`: definition, derivative, kink convention and proved forms of one entry.

sympy and the catalog are imported inside `run`, so `gradverify --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys

from gradverify.commands.options import add_param_option, fail, parse_params

EPILOG = """\
examples:
  gradverify derive sigmoid                  s(1-s) and e^-x/(1+e^-x)^2 both proved
  gradverify derive tanh                     seed 001's 1/(e^-x+e^x)^2 refuted, with a counterexample
  gradverify derive prelu --wrt a            the derivative with respect to the learned slope a
  gradverify derive leaky_relu --param alpha=0.1
  gradverify derive huber --param delta=2 --reduction mean
  gradverify derive softmax --n 10           the 10x10 Jacobian; --wrt vjp for v^T J
  gradverify derive mean_squared_error --batch mean   divided by the batch size m as well
  gradverify derive relu --json
  gradverify derive tanh --steps             quotient rule and the computation graph, step by step

Parameters given with --param are substituted in the definition and the derivative; the proofs
hold for every value of the parameters (they are proved symbolically).

exit status: 0 shown and every form got its expected verdict, 1 some form did not,
             2 unknown name, variable or parameter (the closest names are suggested).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "derive",
        help="one activation or loss: definition, derivative, kink convention, textbook forms",
        description="Show one catalog entry: its SymPy definition, the derivative SymPy takes of it "
        "(with gradverify's value at each kink and why), and every textbook form with its proof "
        "status.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", help="an activation or loss, e.g. sigmoid, relu, huber, softmax_cross_entropy")
    p.add_argument("--wrt", metavar="VAR", help="differentiate with respect to VAR (default: the first variable)")
    add_param_option(p, "parameter value, e.g. alpha=0.1 (repeatable)")
    p.add_argument("--n", type=int, metavar="N", help="vector size for softmax and other vector entries (2 to 32)")
    p.add_argument("--reduction", choices=("sum", "mean"), help="sum or mean over the n outputs of a loss")
    p.add_argument("--batch", choices=("sum", "mean"), default="sum", help="sum or mean over a batch of m")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--steps", action="store_true",
                   help="the derivation step by step: rules, computation graph (u, v, w ...), sum over paths")
    p.set_defaults(run=run)


def _fail(message: str) -> int:
    return fail("derive", message)


def run(args: argparse.Namespace) -> int:
    from gradverify.derivations import readable
    from gradverify.derived import DeriveError, derive

    try:
        params = parse_params(args.param)
        d = derive(args.name, wrt=args.wrt, params=params, n=args.n, reduction=args.reduction, batch=args.batch)
    except (DeriveError, ValueError) as exc:
        return _fail(str(exc))
    entry, var = d.entry, d.wrt
    if args.steps:
        from gradverify.derivations import steps

        tree = steps.derivation(entry.name, var, reduction=args.reduction, batch=args.batch)
        if args.json:
            json.dump(tree.to_json(), sys.stdout, indent=1)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(steps.to_text(tree) + "\n")
        return 0
    status = 0 if d.as_expected else 1
    if args.json:
        json.dump(d.to_json(), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return status
    w = sys.stdout.write
    w(f"{entry.name} ({entry.kind}): {entry.summary}\n")
    if args.reduction or args.batch != "sum":
        w(f"reduction: {args.reduction or entry.reduction or 'sum'} over the n outputs, {args.batch} over a batch of m\n")
    if entry.params:
        w("parameters: " + ", ".join(f"{p.name} = {params.get(p.name, p.default)}" for p in entry.params) + "\n")
    if entry.kind == "loss" and not entry.is_vector:
        w(f"definition: L = sum over outputs i of  {d.definition}   (written for one output: y = y_i, a = a_i)\n")
    else:
        w(f"definition: {d.definition}\n")
    w(f"d/d{var}:     {d.derivative}\n")
    if entry.is_vector:
        built = entry.sized(args.n or entry.sizes[0])
        for short, full in built.abbreviations.items():
            w(f"  where {short} = {full}\n")
    for k in d.kinks:
        w(f"kink {k['where']}: value {k['value']} ({k['reason']})\n")
    for a in entry.assumptions:
        w(f"assumes {a}\n")
    if entry.is_vector and args.n is not None and args.n not in entry.sizes:
        w(f"(the catalog proves the forms at N = {' and '.join(map(str, entry.sizes))}; shown at N = {entry.sizes[0]})\n")
    if d.forms:
        w("textbook forms:\n")
    elif args.reduction or args.batch != "sum":
        w(f"(no textbook form is listed for this reduction: {args.reduction or entry.reduction or 'sum'} over the "
          f"outputs, {args.batch} over the batch)\n")
    for c in d.forms:
        seed = f" [seed {c.form.seed}]" if c.form.seed else ""
        w(f"  {c.proof.verdict:<21} {c.form.label}{seed}\n")
        w(f"  {'':<21} = {c.form.expr}\n" if not entry.is_vector else "")
        if c.proof.verdict == "proved":
            w(f"  {'':<21} by {c.proof.method}\n")
        ce = c.proof.counterexample
        if c.proof.verdict == "refuted" and ce:
            w(f"  {'':<21} at {readable.point(ce.get('point'))}: form {readable.number(ce.get('form'))}, "
              f"derivative {readable.number(ce.get('truth'))}\n")
        for k in c.proof.kinks:
            if not k["agree"]:
                w(f"  {'':<21} at {k['where']}: form {k['form']} ({k.get('form_convention', 'another value')}), "
                  f"gradverify {k['truth']} ({k.get('truth_convention', 'its convention')})\n")
        if c.form.note:
            w(f"  {'':<21} note: {c.form.note}\n")
    return status
