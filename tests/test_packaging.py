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
