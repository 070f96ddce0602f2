"""Pieces every subcommand shares: the `--param NAME=VALUE` option, the time options, options kept
only to say what they are called now, the exit-2 error message, and user text made safe to print
on a terminal."""

from __future__ import annotations

import argparse
import math
import sys

MAX_SECONDS = 86400.0  # a day: longer is surely a typo, and select() cannot wait 1e300 s
DEFAULT_BUDGET = 60.0  # seconds for one file's [[derivative]] and [[formula]] claims in all


def fail(command: str, message: str) -> int:
    """Print `gradverify COMMAND: message` on stderr and return exit status 2 (unusable input)."""
    from gradverify.render.terminal import visible  # the message quotes the user's text

    print(f"gradverify {command}: {visible(message)}", file=sys.stderr)
    return 2


def add_param_option(parser: argparse.ArgumentParser, help: str) -> None:
    """The repeatable `--param NAME=VALUE` option (alpha, delta, lambda, a ...)."""
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help=help)


def add_budget_option(parser: argparse.ArgumentParser, what: str, default: str) -> None:
    """`--budget S`: the seconds all of `what`'s [[derivative]]/[[formula]] claims get together."""
    parser.add_argument(
        "--budget", type=float, default=None, metavar="S",
        help=f"seconds for all the derivative and formula claims of {what} together, counting the "
             f"start of the checking process; claims not judged by then are undecided ({default})")


def seconds_problem(flag: str, value: float | None, example: str) -> str | None:
    """None when `value` is a usable number of seconds (or not given); else what to write."""
    if value is None or (math.isfinite(value) and 0 < value <= MAX_SECONDS):
        return None
    return (f"{flag} {value:g}: write a number of seconds > 0 (at most {MAX_SECONDS:g}, a day), "
            f"e.g. {flag} {example}")


def parse_params(items: list[str]) -> dict[str, str]:
    """`["alpha=0.1"]` -> `{"alpha": "0.1"}`; a ValueError saying what to write for a malformed item."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"--param {item!r}: write NAME=VALUE, e.g. --param alpha=0.1")
        out[name.strip()] = value.strip()
    return out


class _Renamed(argparse.Action):
    """An option this subcommand no longer takes under that name: say what to write instead."""

    def __init__(self, option_strings: list[str], dest: str, instead: str = "", why: str = "") -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, nargs=0, help=argparse.SUPPRESS)
        self.instead, self.why = instead, why

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[override]
        why = f" ({self.why})" if self.why else ""
        parser.exit(2, f"{parser.prog}: {option_string} is now {self.instead}{why}\n")


def add_renamed_option(parser: argparse.ArgumentParser, old: str, instead: str, why: str = "") -> None:
    """`old` is refused with exit 2 and a message naming `instead`: one meaning per option name
    across subcommands, without leaving an old habit with a bare "unrecognized arguments"."""
    parser.add_argument(old, action=_Renamed, instead=instead, why=why)
