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
                        line=line, note=""))
        tables = [SimpleNamespace(kind="derivative", number=n, claimed=t["claimed"], label=t.get("label"),
                                  verdict=t["scripted"], expect=t.get("expect"), line=None,
                                  as_expected=(t["scripted"] == t["expect"]) if "expect" in t else None,
                                  explanation="a counterexample at x = 1")
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
        "    diagnosis: sign: the claim is the negative of the true value",
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
    r = _run(tester, "--gradverify-update")
    r.assert_outcomes(passed=1)
    r.stdout.fnmatch_lines(["*updated [[]expect] in *ex.worked.toml"])
    text = path.read_text()
    assert text.startswith(EXAMPLE)  # every byte of the original kept
    assert text[len(EXAMPLE):] == ('\n[expect]\nall = "correct"\n"step1.z2[2]" = "wrong"\n'
                                   '"step1.loss" = "follows"\n')
    _run(tester).assert_outcomes(passed=1)
    path.write_text(text.replace('0.19"', '0.19!"'))  # the example changes: the test catches it
    _run(tester).assert_outcomes(failed=1)
    _run(tester, "--gradverify-update").assert_outcomes(passed=1)
    assert '"step2.z2[1]" = "wrong"' in path.read_text() and "# a comment to keep" in path.read_text()


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
        "bad.worked.toml: 1 derivative/formula table contradicts its own expect",
        "[[][[]derivative]] 1 'quotient rule': expected equivalent, got not equivalent",
        "    claimed s(1+s)",
        "    why: a counterexample at x = 1",
    ])
    _run(tester, "--gradverify-update").assert_outcomes(passed=1, failed=1)
