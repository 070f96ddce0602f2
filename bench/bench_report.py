"""Time the report pipeline on the bundled seed-001 example: build, HTML, LaTeX, PDF, and CLI start.

Run: python bench/bench_report.py   (prints figures; no assertions)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    from gradverify.render import build
    from gradverify.render.html import render_html
    from gradverify.render.latexdoc import compile_pdf, pdflatex_path, render_latex

    t0 = time.perf_counter()
    result = build.check(None, "cs7015-q3")
    t_check = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = build.model_from_result(result)
    t_model_first = time.perf_counter() - t0
    t_model = _median(lambda: build.model_from_result(result), 3)
    t_html = _median(lambda: render_html(model), 5)
    t_tex = _median(lambda: render_latex(model), 5)
    html = render_html(model)
    print(f"seed 001: {len(model.rows)} claims, {len(model.derivations)} derivations, {len(model.plots)} plots")
    print(f"judge (check)            {t_check * 1e3:8.1f} ms")
    print(f"model, first (cold)      {t_model_first * 1e3:8.1f} ms")
    print(f"model, warm (median)     {t_model * 1e3:8.1f} ms")
    print(f"HTML render (median)     {t_html * 1e3:8.1f} ms   {len(html) / 1024:.0f} KiB, one file")
    print(f"LaTeX render (median)    {t_tex * 1e3:8.1f} ms")
    if pdflatex_path():
        with tempfile.TemporaryDirectory() as tmp:
            source = render_latex(model)
            t_pdf = _median(lambda: compile_pdf(source, Path(tmp) / "r.pdf"), 2)
            print(f"PDF (pdflatex x2)        {t_pdf * 1e3:8.1f} ms   {(Path(tmp) / 'r.pdf').stat().st_size / 1024:.0f} KiB")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gradverify", "report", "--example", "cs7015-q3", "--html",
                        str(Path(tmp) / "r.html")], check=False, capture_output=True)
        print(f"gradverify report --html {(time.perf_counter() - t0) * 1e3:8.1f} ms  (process, end to end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
