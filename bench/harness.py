"""Side-by-side timing: contenders interleaved round by round, median and spread, ratios.

A shared 2-core machine makes absolute times drift with other people's work; what stays
meaningful is the ratio of two contenders timed in the same run, alternately, so both see the
same load. Every figure here is the median of >= 5 rounds with its spread (lowest..highest).
Peers that must not share our process (JAX, PyTorch: their thread pools would disturb ours) run
in a child process that answers timing requests one line at a time (bench/peers.py).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MIN_ROUNDS = 5


@dataclass(frozen=True)
class Figure:
    """Seconds per call over the rounds: median and spread."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def lo(self) -> float:
        return min(self.samples)

    @property
    def hi(self) -> float:
        return max(self.samples)

    def text(self) -> str:
        """e.g. '137 us [131..142]' in the unit that suits the median."""
        scale, unit = _unit(self.median)
        return f"{self.median * scale:.3g} {unit} [{self.lo * scale:.3g}..{self.hi * scale:.3g}]"


def _unit(seconds: float) -> tuple[float, str]:
    if seconds >= 1.0:
        return 1.0, "s"
    if seconds >= 1e-3:
        return 1e3, "ms"
    return 1e6, "us"


def per_call(fn: Callable[[], object], number: int) -> float:
    """Mean seconds per call over `number` back-to-back calls (one sample)."""
    return timeit.timeit(fn, number=number) / number


def wall(cmd: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Wall-clock seconds of one whole process (its output discarded)."""
    t = time.perf_counter()
    subprocess.run(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, timeout=300)
    return time.perf_counter() - t


def interleave(contenders: dict[str, Callable[[], float]], rounds: int) -> dict[str, Figure]:
    """Run every contender once per round, in an order rotated each round; a contender returns
    one sample in seconds. Returns each contender's Figure."""
    rounds = max(rounds, MIN_ROUNDS)
    names = list(contenders)
    samples: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            samples[name].append(contenders[name]())
    return {n: Figure(tuple(s)) for n, s in samples.items()}


def ratio_text(ours: Figure, theirs: Figure) -> str:
    """How many times faster we are (median over median, and the range of per-round ratios)."""
    per_round = [t / o for o, t in zip(ours.samples, theirs.samples)]
    return f"{theirs.median / ours.median:.2f}x [{min(per_round):.2f}..{max(per_round):.2f}]"


def goal_text(met: bool, goal: str) -> str:
    return f"goal {goal}: {'met' if met else 'MISSED'}"


def machine_line() -> str:
    """Cores, load and the CPU model, to print with every run."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), model)
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}"


def byte_compiled_env() -> dict[str, str]:
    """The environment of a user's installed copy: bytecode cached (pip compiles it at install).

    A development shell may set PYTHONDONTWRITEBYTECODE, which recompiles every module at every
    start; the bench writes bytecode to a private folder instead, so the tree stays clean.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / "gradverify-bench-pycache")
    env["NO_COLOR"] = "1"
    return env


class Peer:
    """A child process (bench/peers.py KIND) that times named cases on request.

    `ask(case, number)` returns seconds per call; `None` from `start` means the peer's library is
    not installed (the reason is in `missing`).
    """

    def __init__(self, kind: str, env: dict[str, str] | None = None) -> None:
        self.kind = kind
        self.env = env
        self.proc: subprocess.Popen[str] | None = None
        self.missing = ""

    def start(self) -> bool:
        self.proc = subprocess.Popen([sys.executable, str(HERE / "peers.py"), self.kind], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=self.env)
        hello = json.loads(self.proc.stdout.readline() or '{"missing": "the peer process died"}')  # type: ignore[union-attr]
        if "missing" in hello:
            self.missing = hello["missing"]
            self.stop()
            return False
        return True

    def ask(self, case: str, number: int) -> float:
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"case": case, "number": number}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"{self.kind} peer, case {case}: {answer['error']}")
        return float(answer["seconds"])

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def __enter__(self) -> "Peer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
