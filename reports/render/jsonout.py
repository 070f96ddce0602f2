"""JSON output of `gradverify check --json`: exactly DESIGN.md's contract."""

from __future__ import annotations

import json
import math
from typing import Any, Sequence

from gradverify.judge.result import CheckResult


def _clean(v: Any) -> Any:
    """Floats that JSON can hold (NaN/inf become null) and plain Python types."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def dumps(results: Sequence[CheckResult], indent: int | None = 2) -> str:
    """One object for one file, a list for several."""
    objs = [_clean(r.to_json()) for r in results]
    return json.dumps(objs[0] if len(objs) == 1 else objs, indent=indent, ensure_ascii=False)
