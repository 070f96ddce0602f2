"""Any mangled worked example is either judged or refused with a WorkedExampleError: never a traceback."""

from __future__ import annotations

import copy
import tomllib

from hypothesis import HealthCheck, given, settings, strategies as st

from gradverify.judge import verdicts as judge
from gradverify.judge import worked

DOC = tomllib.loads(worked.example_text("cs7015-q3"))

VALUES = st.sampled_from([
    None, 0, -1, 2, 0.5, "abc", "", [], [[]], {}, True, "nan", "inf", [1, 2], [[1, 2], [3, 4]], "sigmoid",
    "0.210", ["0.1", "0.2"], [["0.1"]], {"name": "elu", "alpha": 2}, "leaky_relu(alpha=0.1)",
    {"first_layer": 0, "first_index": 0}, "from_to", "negative", "sum", "shared", "none", "frozen",
])


def paths(doc, prefix=()):
    """Every key path of the document (tables, array-of-tables entries, values)."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield prefix + (k,)
            yield from paths(v, prefix + (k,))
    elif isinstance(doc, list) and doc and isinstance(doc[0], dict):
        for i, v in enumerate(doc):
            yield from paths(v, prefix + (i,))


PATHS = list(paths(DOC))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), VALUES), min_size=1, max_size=3))
def test_mangled_documents_are_judged_or_refused(changes):
    doc = copy.deepcopy(DOC)
    for path, value in changes:
        parent = doc
        try:
            for p in path[:-1]:
                parent = parent[p]
            if value is None:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        ex = worked.from_dict(doc, source="fuzz.toml", text=worked.example_text("cs7015-q3"))
    except worked.WorkedExampleError as exc:
        assert str(exc).startswith("fuzz.toml")
        return
    result = judge.judge(ex)
    assert result.exit_status() in (0, 1)
