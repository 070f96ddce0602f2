"""The pytest plugin with the real judge on seed 001 (CS 7015 Q3), run by pytester.

The expectations are the lead's, worked out from the seed by hand: step 1's forward values and
act_prime2 correct, delta3 wrong (the 1/2 convention), step 2's b_1^2 wrong (a typo for -0.209),
everything else follows from the hand's own rounded numbers.
"""

from __future__ import annotations

from importlib import resources

import pytest

pytest_plugins = ["pytester"]


def _installed_as_entry_point() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "gradverify.pytest_plugin" for ep in entry_points(group="pytest11"))


# Once the pytest11 entry point is installed pytest loads the plugin by itself; "-p" on top of it
# would register the module a second time.
LOAD_PLUGIN = () if _installed_as_entry_point() else ("-p", "gradverify.pytest_plugin")

SEED = (resources.files("gradverify") / "examples" / "cs7015-q3.toml").read_text(encoding="utf-8")

LEADS_VERDICTS = '''
[expect]
all = "follows"
"step1.z2" = "correct"
"step1.a2" = "correct"
"step1.z3" = "correct"
"step1.a3" = "correct"
"step1.act_prime2" = "correct"
"step1.delta3" = "wrong"
"step2.b2[1]" = "wrong"
'''


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(*LOAD_PLUGIN, "-p", "no:cacheprovider", *args)


def test_seed001_passes_with_the_leads_verdicts(pytester):
    pytester.makefile(".worked.toml", **{"cs7015-q3": SEED + LEADS_VERDICTS})
    _run(pytester).assert_outcomes(passed=1)


def test_seed001_without_expectations_fails_naming_both_wrong_claims(pytester):
    pytester.makefile(".worked.toml", **{"cs7015-q3": SEED})
    r = _run(pytester)
    r.assert_outcomes(failed=1)
    out = r.stdout.str()
    assert "claims of 43 differ from [expect]" in out
    r.stdout.fnmatch_lines([
        "step1.delta3[1] (line 30): expected correct, got wrong",
        "    claimed -0.117   exact -0.233766   from your values -0.233*",
        "    diagnosis (half_convention): the gradient of 1/2 (y-a)^2, half that of the stated loss*",
    ])
    r.stdout.fnmatch_lines(["step2.b2[1] (line 42): expected correct, got wrong",
                            "*diagnosis (typo_dropped_digit): typo: -0.29 looks like -0.209*"])
    assert "Traceback" not in out


def test_update_then_pass_and_a_planted_regression_is_caught(pytester):
    path = pytester.makefile(".worked.toml", **{"cs7015-q3": SEED})
    before = path.read_text()
    r = _run(pytester, "--gradverify-update")
    r.assert_outcomes(failed=1)  # delta3 and b2[1] would be blessed as wrong
    r.stdout.fnmatch_lines(["*[[]expect] not updated: 2 claims would be recorded as wrong*",
                            "step1.delta3[[]1] (line 30): expected correct, got wrong", "*",
                            "    diagnosis (half_convention): the gradient of 1/2 (y-a)^2*"])
    assert path.read_text() == before
    _run(pytester, "--gradverify-update", "--gradverify-accept-wrong").assert_outcomes(passed=1)
    text = path.read_text()
    assert text.startswith(SEED)  # the hand's file is untouched above the new table
    assert '"step1.delta3" = "wrong"' in text and '"step2.b2[1]" = "wrong"' in text
    _run(pytester).assert_outcomes(passed=1)
    # An author "fixes" the typo: the recorded expectation now fails, naming the claim.
    path.write_text(text.replace('b2 = ["-0.29", "-0.197"]', 'b2 = ["-0.209", "-0.197"]'))
    r = _run(pytester)
    r.assert_outcomes(failed=1)
    r.stdout.fnmatch_lines(["step2.b2[[]1] (line 42): expected wrong, got follows"])
