"""The `gradverify` command: a thin dispatcher over the modules in `gradverify.commands`.

Each subcommand lives in its own module with `add_parser(subparsers)` and `run(args) -> int`.
Command modules import sympy or numpy only inside `run`, so `gradverify check` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

# Order is the order shown by --help.
COMMANDS: tuple[str, ...] = ("check", "draft", "claim", "derive", "catalog", "report", "grade")

EPILOG = """\
examples:
  gradverify check --example cs7015-q3          judge the bundled seed-001 step claim by claim
  gradverify check homework.toml --json         the same for your own worked example, as JSON
  gradverify draft homework.md -o homework.toml draft that file from your LaTeX/Markdown write-up
  gradverify derive sigmoid                     definition, derivative and proved textbook forms
  gradverify catalog                            every activation and loss gradverify knows

exit status: 0 no claim wrong, 1 some claim wrong, 2 unusable input.
"""


def _available_commands() -> list[tuple[str, object]]:
    """Import each command module that exists; a missing module simply is not offered."""
    found = []
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"gradverify.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"gradverify.commands.{name}":
                continue
            raise
        found.append((name, module))
    return found


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand attached."""
    parser = argparse.ArgumentParser(
        prog="gradverify",
        description="Check hand-worked neural-network calculus: every claimed number and formula "
        "against symbolic (SymPy), analytic (textbook) and numeric (NumPy) truth.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action=_VersionAction, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for _name, module in _available_commands():
        module.add_parser(sub)  # type: ignore[attr-defined]
    return parser


class _VersionAction(argparse.Action):
    """Looks the version up only when asked: importlib.metadata costs ~25 ms at every start."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[override]
        print(_version())
        parser.exit()


def _version() -> str:
    try:
        from importlib.metadata import version

        return f"gradverify {version('gradverify')}"
    except Exception:  # not installed (running from a checkout)
        return "gradverify (not installed)"


def _claim_text_from(args: argparse.Namespace, extra: list[str]) -> list[str]:
    """A claim that starts with a minus sign (`gradverify claim '-y/a' --of cross_entropy`) looks
    like an option to argparse; when `claim` got no claim text, that one token is the claim."""
    dashed = [t for t in extra if t.startswith("-") and not t.startswith("--")]
    if getattr(args, "command", None) == "claim" and args.expr is None and len(dashed) == 1:
        args.expr = dashed[0]
        return [t for t in extra if t is not dashed[0]]
    return extra


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    extra = _claim_text_from(args, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("gradverify: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
