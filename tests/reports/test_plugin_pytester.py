"""The pytest plugin driven by pytest itself (pytester), with a scripted judge.

The judge here is a stand-in installed by the inner run's conftest: a claim's printed text ending
in "!" is judged wrong (diagnosis "sign"), "~" follows, anything else correct. That isolates the
plugin's own behaviour: collection by pattern, pass/fail against [expect], the failure's wording,
malformed files, and --gradverify-update. test_plugin_real.py runs the real judge on seed 001.
"""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]


def _installed_as_entry_point() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "gradverify.pytest_plugin" for ep in entry_points(group="pytest11"))


# Once the pytest11 entry point is installed pytest loads the plugin by itself; "-p" on top of it
# would register the module a second time.
LOAD_PLUGIN = () if _installed_as_entry_point() else ("-p", "gradverify.pytest_plugin")

CONFTEST = textwrap.dedent('''
    import tomllib
    from types import SimpleNamespace

    import pytest

    from gradverify.grade import judging


    def scripted_judge(path):
        text = open(path, encoding="utf-8").read()
        doc = tomllib.loads(text)
        if "broken" in doc:
            raise judging.WorkedExampleError(f"{path}, line 1: broken: unknown key; did you mean 'title'?")
        claims = []
        for s, step in enumerate(doc.get("step", []), start=1):
            for key, value in step.items():
                q = key.rstrip("0123456789")
                layer = int(key[len(q):]) if key[len(q):] else None
                line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith(key + " "))
                values = value if isinstance(value, list) else [value]
                for i, v in enumerate(values, start=1):
                    verdict = "wrong" if v.endswith("!") else "follows" if v.endswith("~") else "correct"
                    claims.append(SimpleNamespace(
                        step=s, quantity=q, layer=layer, index=[i] if isinstance(value, list) else [],
                        claimed=v.rstrip("!~"), exact=0.25, from_claims=0.5, verdict=verdict,
                        diagnosis="sign: the claim is the negative of the true value" if verdict == "wrong" else "",
                        kind="sign" if verdict == "wrong" else "", line=line, note=""))
        tables = [SimpleNamespace(kind="derivative", number=n, claimed=t["claimed"], label=t.get("label"),
                                  verdict=t["scripted"], expect=t.get("expect"), line=None,
                                  as_expected=(t["scripted"] == t["expect"]) if "expect" in t else None,
                                  accepted=t["scripted"] in ("equivalent", "equivalent on a domain"),
                                  explanation="a counterexample at x = 1",
                                  diagnoses=["a constant factor is missing: multiply it by 4"]
                                  if t["scripted"] == "not equivalent" else [])
                  for n, t in enumerate(doc.get("derivative", []), start=1)]
        return SimpleNamespace(claims=claims, derivatives=tables)


    _mp = pytest.MonkeyPatch()


    def pytest_configure(config):
        _mp.setattr(judging, "judge_file", scripted_judge)


    def pytest_unconfigure(config):
        _mp.undo()
''')

EXAMPLE = '''\
title = "two steps"   # a comment to keep

[[step]]
z2 = ["0.210", "-0.240!"]
loss = "0.2304~"

[[step]]
z2 = ["0.19", "0.20"]
'''


@pytest.fixture
def tester(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    return pytester


def _run(tester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return tester.runpytest_inprocess(*LOAD_PLUGIN, "-p", "no:cacheprovider", *args)


def test_collects_only_matching_files_and_passes_when_expectations_hold(tester):
    tester.makefile(".worked.toml", good=EXAMPLE + '\n[expect]\nall = "correct"\n"step1.z2[2]" = "wrong"\n'
                    '"step1.loss" = "follows"\n')
    tester.makefile(".toml", plain='title = "not a test"\n')
    r = _run(tester, "-v")
    r.assert_outcomes(passed=1)
    r.stdout.fnmatch_lines(["*good.worked.toml::good.worked.toml PASSED*"])


def test_failure_names_claim_line_claimed_exact_from_values_and_diagnosis(tester):
    tester.makefile(".worked.toml", bad=EXAMPLE + '\n[expect]\nall = "correct"\n"step1.loss" = "follows"\n')
    r = _run(tester)
    r.assert_outcomes(failed=1)
    r.stdout.fnmatch_lines([
        "*bad.worked.toml: 1 claim of 5 differs from [[]expect]*--gradverify-update*",
        "step1.z2[2] (line 4): expected correct, got wrong",
        "    claimed -0.240   exact 0.25   from your values 0.5",
        "    diagnosis (sign): sign: the claim is the negative of the true value",
    ])
    assert "Traceback" not in r.stdout.str() and "scripted_judge" not in r.stdout.str()


def test_no_expect_table_means_all_correct(tester):
    tester.makefile(".worked.toml", ok='[[step]]\nz2 = ["1", "2"]\n', notok=EXAMPLE)
    r = _run(tester)
    r.assert_outcomes(passed=1, failed=1)


def test_unloadable_file_and_bad_expect_fail_with_the_validators_message(tester):
    tester.makefile(".worked.toml", broken='broken = 1\n', typo=EXAMPLE + '\n[expect]\n"step1.los" = "follows"\n')
    r = _run(tester)
    r.assert_outcomes(failed=2)
    r.stdout.fnmatch_lines(["*broken.worked.toml, line 1: broken: unknown key; did you mean 'title'?*"])
    r.stdout.fnmatch_lines(["*typo.worked.toml, line 11: [[]expect] step1.los*did you mean 'step1.loss'?*"])
    assert "Traceback" not in r.stdout.str()


def test_update_records_verdicts_keeps_the_rest_and_then_passes(tester):
    path = tester.makefile(".worked.toml", ex=EXAMPLE)
    r = _run(tester, "--gradverify-update", "--gradverify-accept-wrong")
    r.assert_outcomes(passed=1)
    r.stdout.fnmatch_lines(["*updated [[]expect] in *ex.worked.toml: 2 expectations changed",
                            "  step1.z2[[]2] (line 4): correct -> wrong",
                            "  step1.loss (line 5): correct -> follows"])
    text = path.read_text()
    assert text.startswith(EXAMPLE)  # every byte of the original kept
    assert text[len(EXAMPLE):] == ('\n[expect]\nall = "correct"\n"step1.z2[2]" = "wrong"\n'
                                   '"step1.loss" = "follows"\n')
    _run(tester).assert_outcomes(passed=1)
    path.write_text(text.replace('0.19"', '0.19!"'))  # the example changes: the test catches it
    _run(tester).assert_outcomes(failed=1)
    _run(tester, "--gradverify-update", "--gradverify-accept-wrong").assert_outcomes(passed=1)
    assert '"step2.z2[1]" = "wrong"' in path.read_text() and "# a comment to keep" in path.read_text()


def test_update_refuses_to_bless_a_claim_that_became_wrong(tester):
    """An author who runs --gradverify-update after breaking a number is told, not blessed.
    (The stand-in judge gives every element of a key the key's first line.)"""
    good = EXAMPLE + '\n[expect]\nall = "correct"\n"step1.z2[2]" = "wrong"\n"step1.loss" = "follows"\n'
    path = tester.makefile(".worked.toml", ex=good)
    broken = good.replace('z2 = ["0.19", "0.20"]', 'z2 = ["0.19~", "0.20!"]')
    path.write_text(broken)
    r = _run(tester, "--gradverify-update")
    r.assert_outcomes(failed=1)
    r.stdout.fnmatch_lines([
        "ex.worked.toml: [[]expect] not updated: 1 claim would be recorded as wrong (pass "
        "--gradverify-accept-wrong as well to record it)",
        "step2.z2[[]2] (line 4): expected correct, got wrong",
        "    diagnosis (sign): sign: the claim is the negative of the true value",
        "other changes:",
        "  step2.z2[[]1] (line 4): correct -> follows",
    ])
    assert path.read_text() == broken  # nothing recorded
    r = _run(tester, "--gradverify-update", "--gradverify-accept-wrong")
    r.assert_outcomes(passed=1)
    r.stdout.fnmatch_lines(["*updated [[]expect] in *ex.worked.toml: 2 expectations changed",
                            "  step2.z2[[]1] (line 4): correct -> follows",
                            "  step2.z2[[]2] (line 4): correct -> wrong"])
    _run(tester).assert_outcomes(passed=1)


def test_update_that_only_improves_passes_and_lists_the_change(tester):
    path = tester.makefile(".worked.toml", ex=EXAMPLE + '\n[expect]\nall = "correct"\n"step1.z2[2]" = "wrong"\n'
                           '"step1.loss" = "follows"\n')
    path.write_text(path.read_text().replace('"-0.240!"', '"-0.240"'))
    r = _run(tester, "--gradverify-update")
    r.assert_outcomes(passed=1)
    r.stdout.fnmatch_lines(["*updated [[]expect] in *ex.worked.toml: 1 expectation changed",
                            "  step1.z2[[]2] (line 4): wrong -> correct"])


def test_pattern_is_configurable_in_ini(tester):
    tester.makeini("[pytest]\ngradverify_files = book/*.toml\n")
    book = tester.mkdir("book")
    (book / "ch1.toml").write_text('[[step]]\nz2 = ["1"]\n')
    tester.makefile(".worked.toml", other=EXAMPLE)  # default pattern replaced: not collected
    r = _run(tester, "-v")
    r.assert_outcomes(passed=1)
    r.stdout.fnmatch_lines(["*book/ch1.toml::ch1.toml PASSED*"])


def test_a_derivative_table_contradicting_its_own_expect_fails_even_after_update(tester):
    table = ('\n[[derivative]]\nlabel = "quotient rule"\nclaimed = "s(1+s)"\nexpect = "equivalent"\n'
             'scripted = "not equivalent"\n')
    ok = '\n[[derivative]]\nclaimed = "s(1-s)"\nexpect = "equivalent"\nscripted = "equivalent"\n'
    tester.makefile(".worked.toml", bad='[[step]]\nz2 = ["1"]\n' + table, good='[[step]]\nz2 = ["1"]\n' + ok)
    r = _run(tester)
    r.assert_outcomes(passed=1, failed=1)
    r.stdout.fnmatch_lines([
        "bad.worked.toml: 1 derivative/formula table does not get the verdict expected",
        "[[][[]derivative]] 1 'quotient rule': expected equivalent, got not equivalent",
        "    claimed s(1+s)",
        "    why: a counterexample at x = 1",
        "    diagnosis: a constant factor is missing: multiply it by 4",
    ])
    _run(tester, "--gradverify-update").assert_outcomes(passed=1, failed=1)


def test_a_derivative_table_without_expect_must_be_equivalent_and_shows_its_diagnosis(tester):
    table = '\n[[derivative]]\nclaimed = "1/(e^-x+e^x)^2"\nscripted = "not equivalent"\n'
    domain = '\n[[derivative]]\nclaimed = "H(x)"\nscripted = "equivalent on a domain"\n'
    tester.makefile(".worked.toml", bad='[[step]]\nz2 = ["1"]\n' + table, good='[[step]]\nz2 = ["1"]\n' + domain)
    r = _run(tester)
    r.assert_outcomes(passed=1, failed=1)
    r.stdout.fnmatch_lines([
        "[[][[]derivative]] 1: expected equivalent (no expect given), got not equivalent",
        "    diagnosis: a constant factor is missing: multiply it by 4",
    ])
