"""What a command imports is what the file needs: start-up time is module loading, so each test
runs the real command in a fresh process and looks at what it loaded (no timing)."""

from __future__ import annotations

import os
import subprocess
import sys

RUN_CHECK = (
    "import sys, io, contextlib\n"
    "from gradverify.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    status = main(['check', '--example', 'cs7015-q3'])\n"
    "assert status == 1, status\n"
    "print(' '.join(sorted(sys.modules)))\n"
)


def _modules(code: str, cache: str) -> set[str]:
    env = {**os.environ, "GRADVERIFY_CACHE_DIR": cache}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_check_with_its_verdicts_cached_loads_only_the_judge(tmp_path):
    """The bundled example's two [[derivative]] claims are answered from the verdict cache as
    written: no parser, no proof worker (subprocess), no SymPy, no report templates, no MLP, and
    no write-up drafting for a TOML file."""
    _modules(RUN_CHECK, str(tmp_path))  # the first run proves them and fills the cache
    loaded = _modules(RUN_CHECK, str(tmp_path))
    unneeded = {"sympy", "jinja2", "subprocess", "importlib.resources", "gradverify.derivations.parse",
                "gradverify.derivations.latex", "gradverify.numeric.mlp", "gradverify.numeric.gradcheck",
                "gradverify.render.html", "gradverify.draft.drafting", "threadpoolctl",
                "gradverify.grade.run", "gradverify.grade.gradebook", "gradverify.grade.pool"}
    assert not unneeded & loaded, sorted(unneeded & loaded)
    assert {"numpy", "gradverify.judge.verdicts", "gradverify.judge.graph"} <= loaded


def test_a_claim_judged_before_needs_no_parser_and_no_worker(tmp_path):
    code = (
        "import sys\n"
        "from gradverify.derivations.sandbox import DiskCache, Sandbox, judge_claim\n"
        f"with Sandbox(disk=DiskCache({str(tmp_path)!r})) as box:\n"
        "    r = judge_claim(r'1-\\tanh^2(x)', 'tanh', box=box)\n"
        "    assert r['verdict'] == 'equivalent', r\n"
        "    print(box.proc is None, 'gradverify.derivations.parse' in sys.modules)\n"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert first.stdout.split() == ["False", "True"], first.stderr  # proved by a worker
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert again.stdout.split() == ["True", "False"], again.stderr  # from the cache, as written


def test_the_catalog_builds_only_the_module_a_name_needs():
    code = (
        "import sys\n"
        "from gradverify.derivations import catalog\n"
        "catalog.get('tanh')\n"
        "print('gradverify.derivations.softmax' in sys.modules, 'gradverify.derivations.losses' in sys.modules)\n"
        "catalog.get('softmax_ce')\n"  # an alias, registered by the last module
        "print('gradverify.derivations.softmax' in sys.modules)\n"
        "print(' '.join(catalog.names()))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lazy, after, names = done.stdout.splitlines()
    assert lazy == "False False" and after == "True"
    # every entry once, in registration order: activations, then losses, then the vector entries
    names = names.split()
    assert len(names) == len(set(names)) and names[0] == "identity" and names[-1] == "multiclass_svm"
    assert names.index("tanh") < names.index("squared_error") < names.index("softmax")
