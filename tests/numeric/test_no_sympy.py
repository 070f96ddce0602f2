"""The engine must start fast and be usable alone: importing it may not load sympy."""

import subprocess
import sys


def test_numeric_imports_without_sympy() -> None:
    code = (
        "import sys, importlib, pkgutil, gradverify.numeric\n"
        "for m in pkgutil.walk_packages(gradverify.numeric.__path__, 'gradverify.numeric.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert 'sympy' not in sys.modules, sorted(k for k in sys.modules if 'sympy' in k)[:3]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
