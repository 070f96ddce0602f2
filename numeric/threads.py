"""BLAS threads for one planned step: one thread for small work; for large work the faster of one
thread and the library's own count, measured on the plan's own steps.

On a busy 2-core machine a multi-threaded BLAS can make a step several times slower than one
thread (its threads wait for a core another process holds); on an idle one a large step gains
from every core. So the choice is measured, not guessed: the first steps alternate between the
two counts, more threads win only when clearly faster (by `MARGIN`), and the choice is measured again every `RETRY` steps, since
the machine's load changes. The library's thread count is restored after every step, so nothing
outside the step sees a change. Without threadpoolctl (or a BLAS it knows) the library's default
is left alone.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Protocol

MIN_FLOPS = 1e6  # below this a step's products are too small for a second thread to pay
TRIALS = 5  # timed steps per candidate count
MARGIN = 0.9  # more threads must take at most this fraction of one thread's time
RETRY = 2000  # steps between two measurements


class _Library(Protocol):
    def get_num_threads(self) -> int: ...
    def set_num_threads(self, num_threads: int) -> object: ...


_LIBRARIES: list[_Library] | None = None


def blas_libraries() -> list[_Library]:
    """The BLAS libraries loaded in this process whose threads can be set (found once)."""
    global _LIBRARIES
    if _LIBRARIES is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _LIBRARIES = []
        else:
            _LIBRARIES = list(ThreadpoolController().select(user_api="blas").lib_controllers)
    return _LIBRARIES


class ThreadChoice:
    """Runs a step under the BLAS thread count chosen for its size and the machine's load."""

    def __init__(self, flops: float, libraries: list[_Library] | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.libraries = [] if flops < MIN_FLOPS else blas_libraries() if libraries is None else libraries
        self.clock = clock
        self.chosen: int | None = None
        self.calls = 0
        self.times: dict[int, list[float]] = {}

    def run(self, step: Callable[[], float]) -> float:
        """step() under the chosen count; while measuring, under each candidate in turn."""
        if not self.libraries:
            return step()
        lib = self.libraries[0]
        own = lib.get_num_threads()
        if own <= 1:
            return step()
        self.calls += 1
        if self.chosen is not None and self.calls % RETRY:
            return self._under(self.chosen, own, step)
        if self.chosen is not None:  # time to measure again
            self.chosen, self.times = None, {}
        count = 1 if sum(len(v) for v in self.times.values()) % 2 == 0 else own
        start = self.clock()
        out = self._under(count, own, step)
        self.times.setdefault(count, []).append(self.clock() - start)
        if all(len(self.times.get(n, ())) >= TRIALS for n in (1, own)):
            faster = statistics.median(self.times[own]) <= MARGIN * statistics.median(self.times[1])
            self.chosen = own if faster else 1
        return out

    def _under(self, count: int, own: int, step: Callable[[], float]) -> float:
        if count == own:
            return step()
        for lib in self.libraries:
            lib.set_num_threads(count)
        try:
            return step()
        finally:
            for lib in self.libraries:
                lib.set_num_threads(own)
