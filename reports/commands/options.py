"""Pieces every subcommand shares: the `--param NAME=VALUE` option, options kept only to say
what they are called now, and the exit-2 error message."""

from __future__ import annotations

import argparse
import sys


def fail(command: str, message: str) -> int:
    """Print `gradverify COMMAND: message` on stderr and return exit status 2 (unusable input)."""
    print(f"gradverify {command}: {message}", file=sys.stderr)
    return 2


def add_param_option(parser: argparse.ArgumentParser, help: str) -> None:
    """The repeatable `--param NAME=VALUE` option (alpha, delta, lambda, a ...)."""
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help=help)


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
