"""Grading on a dask.distributed cluster (the optional `dask` extra): a MOOC-sized class.

Submissions travel as bytes in chunks; each chunk is graded on a dask worker by a one-process
GradingPool, so a hung submission is still killed at its time limit and a crash still touches one
submission only, exactly as on one machine. A bounded number of chunks is in flight at once, and
each finished chunk comes back to the coordinator, which writes it to the gradebook.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import time
from typing import Iterable, Iterator

from gradverify.grade.outcome import Outcome, Task
from gradverify.grade.pool import GraderFactory, GradingPool

CHUNK = 32


@contextlib.contextmanager
def _children_allowed() -> Iterator[None]:
    """Let a daemonic dask worker start the grading process it needs for time limits.

    multiprocessing refuses children in daemonic processes because they could be orphaned; the
    grading process asks the kernel to die with its parent (pool._die_with_parent) and is killed
    when the chunk ends, so it cannot outlive the worker.
    """
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    was = config.get("daemon")
    config["daemon"] = False
    try:
        yield
    finally:
        if was is not None:
            config["daemon"] = was


def grade_chunk(factory: GraderFactory, factory_args: tuple, tasks: list[Task],
                timeout: float | None) -> list[Outcome]:
    """Grade one chunk on a dask worker, each submission under the time limit."""
    with _children_allowed():
        pool = GradingPool(factory, factory_args, jobs=1, timeout=timeout)
        return [o for batch in pool.batches(tasks) for o in batch]


class DaskExecutor:
    """Send chunks of submissions to the dask scheduler at `address`; yield each chunk's outcomes."""

    def __init__(self, factory: GraderFactory, factory_args: tuple, address: str,
                 timeout: float | None = 30.0, chunk: int = CHUNK, client=None) -> None:
        self.factory, self.factory_args = factory, factory_args
        self.address, self.timeout, self.chunk = address, timeout, chunk
        self._client = client

    def _connect(self):
        try:
            from distributed import Client
        except ImportError as exc:
            raise RuntimeError(
                'the dask executor needs dask.distributed: pip install "gradverify[dask]"'
            ) from exc
        return Client(self.address, timeout="20s", set_as_default=False)

    def batches(self, tasks: Iterable[Task]) -> Iterator[list[Outcome]]:
        from distributed import as_completed

        client = self._client or self._connect()
        try:
            threads = sum(client.nthreads().values()) or 1
            chunks = _chunked(tasks, self.chunk)
            first = [self._submit(client, part) for part in itertools.islice(chunks, 2 * threads)]
            if not first:
                return
            running = as_completed(first, loop=client.loop)
            last_progress = time.monotonic()
            while not running.is_empty():
                if not running.has_ready():
                    if time.monotonic() - last_progress > self._stall_limit():
                        raise RuntimeError(
                            f"the dask cluster at {self.address} finished no chunk in "
                            f"{self._stall_limit():.0f} s; check its workers' logs (can they import "
                            f"gradverify?). Results so far are kept: re-run to resume.")
                    time.sleep(0.05)
                    continue
                for future in running.next_batch(block=False):
                    last_progress = time.monotonic()
                    yield future.result()
                    part = next(chunks, None)
                    if part is not None:
                        running.add(self._submit(client, part))
        finally:
            if self._client is None:
                client.close()

    def _stall_limit(self) -> float:
        """Longest wait for some chunk to finish before the cluster is declared stuck."""
        per_chunk = (self.timeout or 300.0) * self.chunk
        return 2 * per_chunk + 60.0

    def _submit(self, client, part: list[Task]):
        return client.submit(grade_chunk, self.factory, self.factory_args, part, self.timeout,
                             pure=False, retries=1)


def _chunked(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    it = iter(tasks)
    while part := list(itertools.islice(it, size)):
        yield part
