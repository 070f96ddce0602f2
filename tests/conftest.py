"""Test-wide settings. Hypothesis derives each test's examples from its name (derandomize), so CI on a
clean clone runs the same cases every time and a failure there is reproducible, not luck. To look
for new cases run `HYPOTHESIS_PROFILE=explore pytest` (random examples), or for worked-example files
`python bench/fuzz_worked.py 10000 --seed S`."""

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The command line turns a gradverify bug into a one-line "internal error" for users; the tests want
# the bug itself (a traceback in a subprocess's stderr, the exception in-process), so nothing hides it.
os.environ.setdefault("GRADVERIFY_DEBUG", "1")


@pytest.fixture
def private_verdict_cache(tmp_path_factory, monkeypatch):
    """The module's claims are judged afresh: the disk cache lives in the session's temporary
    directory, and the shared proof worker (which holds the cache it started with) is stopped."""
    from gradverify.derivations import sandbox

    monkeypatch.setenv("GRADVERIFY_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "gv-cache"))
    if sandbox._SHARED is not None:
        sandbox._SHARED.stop()
    monkeypatch.setattr(sandbox, "_SHARED", None)
