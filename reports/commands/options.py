"""Pieces every subcommand shares: the `--param NAME=VALUE` option and the exit-2 error message."""

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
