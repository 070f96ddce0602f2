"""gradverify installs under one import name: every source folder is a listed subpackage of
`gradverify`, so nothing shadows (or is shadowed by) a user's own `reports` or `numeric` package."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"reports": "gradverify", "derivations": "gradverify.derivations", "numeric": "gradverify.numeric"}


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_folder_is_listed_under_gradverify() -> None:
    listed = set(_config()["packages"])
    found = set()
    for folder, name in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *rel)))
    assert found == listed


def test_the_folders_map_onto_the_one_namespace() -> None:
    assert _config()["package-dir"] == {name: folder for folder, name in FOLDERS.items()}
    assert all(n.split(".")[0] == "gradverify" for n in _config()["packages"])


USER_TEST = '''
import derivations
import numeric
import reports


def test_the_projects_own_packages_are_imported():
    assert reports.WHO == numeric.WHO == derivations.WHO == "the user's project"


def test_gradverify_is_there_too():
    import gradverify
    from gradverify.pytest_plugin import WorkedItem

    assert "site-packages" in gradverify.__file__ and WorkedItem  # the installed copy, not a checkout
'''

EXPECT_SEED_001 = '''
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


def test_installed_next_to_a_project_with_its_own_reports_numeric_and_derivations(tmp_path: Path) -> None:
    """`pip install .` puts only gradverify and its dist-info in site-packages, and a project with
    packages of the names of the repository's folders runs its tests with gradverify's plugin
    loaded (its worked example judged too). Built from the checkout without network; the other
    dependencies are this environment's own, reached through a .pth file."""
    import site
    import subprocess
    import sys
    import sysconfig

    prefix = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True, timeout=60)
    # --ignore-installed: without it pip would first uninstall the gradverify running these tests
    built = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                            "--no-index", "--ignore-installed", "--prefix", str(prefix), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(prefix)}))
    assert sorted(p.name for p in purelib.iterdir()) == ["gradverify", "gradverify-0.1.0.dist-info"]
    (purelib / "here.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")

    project = tmp_path / "project"
    for package in ("reports", "numeric", "derivations"):
        (project / package).mkdir(parents=True)
        (project / package / "__init__.py").write_text("WHO = \"the user's project\"\n", encoding="utf-8")
    (project / "tests").mkdir()
    (project / "tests" / "test_own.py").write_text(USER_TEST, encoding="utf-8")
    seed = (ROOT / "reports" / "examples" / "cs7015-q3.toml").read_text(encoding="utf-8")
    (project / "tests" / "q3.worked.toml").write_text(seed + EXPECT_SEED_001, encoding="utf-8")
    (project / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n', encoding="utf-8")

    python = prefix / "bin" / "python"
    run = subprocess.run([str(python), "-m", "pytest", "-p", "no:cacheprovider"],
                         cwd=project, capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "GRADVERIFY_CACHE_DIR": "off"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "plugins:" in run.stdout and "gradverify-0.1.0" in run.stdout
    assert "3 passed" in run.stdout  # two of the project's own tests and its worked example
