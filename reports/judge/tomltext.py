"""TOML text as gradverify reads it: any input gives either a document or one `TomlError` whose
message names the file, the line where known, and what to write instead (never a traceback).

tomllib raises three kinds of failure: a syntax error, a RecursionError for arrays or tables
nested thousands deep, and a plain ValueError for an integer longer than Python converts
(4,300 digits by default).
"""

from __future__ import annotations

import re
import sys
import tomllib
from typing import Any


class TomlError(ValueError):
    """Unreadable TOML; the message says where and what to write instead."""


def _long_integer_line(text: str) -> int | None:
    """The line of the first integer literal longer than Python's conversion limit, if any."""
    limit = sys.get_int_max_str_digits() or 4300
    m = re.search(rf"\d(?:_?\d){{{limit},}}", text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def loads(text: str, source: str, nesting_hint: str = "") -> dict[str, Any]:
    """The TOML document in `text` (read from `source`); TomlError when it cannot be read."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested [ or {
        raise TomlError(f"{source}: arrays or tables nest too deeply" + (f"; {nesting_hint}" if nesting_hint else "")
                        ) from None
    except ValueError:  # int() refused a literal of more digits than sys.get_int_max_str_digits()
        line = _long_integer_line(text)
        where = f"{source}, line {line}" if line else source
        raise TomlError(f"{where}: an integer with thousands of digits; no number in a worked example needs "
                        "them: write it as a decimal such as 0.25 or 1e30") from None
