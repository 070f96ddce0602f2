"""A pool of long-lived grading processes with a time limit per submission.

Each worker builds its grader once (imports, key) and then grades many submissions sent down a
pipe, a few at a time, so the per-submission cost is a pickle and a pipe write, not a process.
A submission that overruns its time limit gets its worker killed and replaced; a worker that dies
is replaced and its submission retried once before it is recorded as crashed. Results are yielded
as they arrive, so the caller can write each one before the next is even finished.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator

from gradverify.derivations import sandbox
from gradverify.grade.outcome import Outcome, Task, failed_outcome

# A grader factory is a picklable module-level callable run once in each worker; it returns the
# function that grades one task.
GraderFactory = Callable[..., Callable[[Task], Outcome]]

# Submissions sent ahead to a busy worker; small, so a killed worker loses little queued work and a
# pipe never fills with tasks.
PREFETCH = 4
# A submission whose worker died is retried this many times on a fresh worker before "crashed".
RETRIES = 1


def _worker_main(conn: Connection, factory: GraderFactory, factory_args: tuple) -> None:
    """Worker loop: build the grader once, then grade each task received until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a run is interrupted
    sandbox.die_with_parent()  # the kernel ends this worker when the run's process ends, however it ends
    try:
        grader = factory(*factory_args)
    except BaseException as exc:  # the key itself is unusable: report it instead of dying mute
        conn.send(("setup-error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    try:
        while True:
            try:
                msg = conn.recv()
            except EOFError:
                return
            if msg is None:
                return
            seq, task = msg
            start = time.perf_counter()
            try:
                outcome = grader(task)
            except Exception as exc:  # a bug reached by this submission: record it, keep grading
                outcome = failed_outcome(task, "crashed", f"internal error {type(exc).__name__}: {str(exc)[:500]}")
            outcome.seconds = time.perf_counter() - start
            conn.send((seq, outcome))
    finally:  # a forked worker ends without atexit: stop the proof workers it started now
        sandbox.stop_all()


class PoolSetupError(RuntimeError):
    """A worker could not build its grader (e.g. the key does not load): nothing can be graded."""


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    inflight: deque = field(default_factory=deque)  # (seq, task) in the order they will be graded
    head_started: float = 0.0  # when the first in-flight task started (approximately)


class GradingPool:
    """`jobs` worker processes grading tasks under a per-task time limit (seconds, or None)."""

    def __init__(
        self,
        factory: GraderFactory,
        factory_args: tuple = (),
        jobs: int | None = None,
        timeout: float | None = 30.0,
        start_method: str | None = None,
    ) -> None:
        self.factory = factory
        self.factory_args = factory_args
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.timeout = timeout
        methods = multiprocessing.get_all_start_methods()
        method = start_method or ("fork" if "fork" in methods else "spawn")
        self._ctx = multiprocessing.get_context(method)
        self._workers: list[_Worker] = []

    # -- worker lifecycle -------------------------------------------------------------------
    def _start(self) -> _Worker:
        """Start a worker process without waiting for it to be ready."""
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=_worker_main, args=(child, self.factory, self.factory_args), daemon=True
        )
        proc.start()
        child.close()
        return _Worker(proc=proc, conn=parent)

    def _await_ready(self, w: _Worker) -> None:
        """Wait until worker `w` has built its grader (loaded the key), or fail clearly."""
        limit = max(60.0, 2 * (self.timeout or 0))
        if not w.conn.poll(limit):
            raise PoolSetupError(f"a grading worker did not get ready in {limit:.0f} s (loading the key)")
        try:
            kind, detail = w.conn.recv()
        except EOFError:
            w.proc.join(1)
            raise PoolSetupError(f"grading worker exited during start-up (code {w.proc.exitcode})") from None
        if kind == "setup-error":
            raise PoolSetupError(detail)

    def _spawn(self) -> _Worker:
        w = self._start()
        try:
            self._await_ready(w)
        except PoolSetupError:
            self._kill(w)
            raise
        return w

    @staticmethod
    def _kill(worker: _Worker) -> None:
        if worker.proc.is_alive():
            worker.proc.kill()
        worker.proc.join(5)
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker: politely when idle, by force when busy."""
        for w in self._workers:
            if w.inflight or not w.proc.is_alive():
                self._kill(w)
                continue
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.proc.join(2)
            self._kill(w)
        self._workers = []

    # -- the run ------------------------------------------------------------------------------
    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        """Grade every task, yielding each outcome (graded or not) as soon as it is known."""
        for batch in self.batches(tasks):
            yield from batch

    def batches(self, tasks: Iterable[Task]) -> Iterator[list[Outcome]]:
        """Like `run`, but yields the outcomes that arrived together, so they are written together.

        Tasks are pulled from the iterable only as workers need them: a huge class is never held
        in memory at once.
        """
        source = enumerate(tasks)
        pending: deque[tuple[int, Task]] = deque()
        attempts: dict[int, int] = {}
        try:
            first = next(source, None)
            if first is None:
                return
            pending.append(first)
            self._workers = [self._start() for _ in range(self.jobs)]  # all load the key at once
            for w in self._workers:
                self._await_ready(w)
            while True:
                exhausted = self._feed(pending, source)
                if exhausted and not pending and not any(w.inflight for w in self._workers):
                    return
                batch = list(self._collect(pending, attempts))
                if batch:
                    yield batch
        finally:
            self.close()

    def _feed(self, pending: deque, source: Iterator[tuple[int, Task]]) -> bool:
        """Top up every worker's queue; True when no task is left to send (source drained)."""
        for w in self._workers:
            while len(w.inflight) < PREFETCH:
                if not pending:
                    item = next(source, None)
                    if item is None:
                        return True
                    pending.append(item)
                item = pending.popleft()
                try:
                    w.conn.send(item)
                except OSError:  # the worker just died; `_collect` sees its sentinel and replaces it
                    pending.appendleft(item)
                    break
                if not w.inflight:
                    w.head_started = time.monotonic()
                w.inflight.append(item)
        return False

    def _wait_time(self) -> float | None:
        if self.timeout is None:
            return None
        now = time.monotonic()
        deadlines = [w.head_started + self.timeout - now for w in self._workers if w.inflight]
        return max(0.0, min(deadlines)) if deadlines else None

    def _collect(self, pending: deque, attempts: dict[int, int]) -> Iterator[Outcome]:
        by_conn = {w.conn: w for w in self._workers}
        by_sentinel = {w.proc.sentinel: w for w in self._workers}
        ready = wait(list(by_conn) + list(by_sentinel), timeout=self._wait_time())
        dead: list[_Worker] = []
        for obj in ready:
            w = by_conn.get(obj)
            if w is None:  # a sentinel: the process ended; its pipe may still hold results
                w = by_sentinel[obj]
            while w not in dead:
                try:
                    if not w.conn.poll():
                        if not w.proc.is_alive():
                            dead.append(w)
                        break
                    seq, outcome = w.conn.recv()
                except (EOFError, OSError):
                    dead.append(w)
                    break
                if w.inflight and w.inflight[0][0] == seq:
                    w.inflight.popleft()
                    w.head_started = time.monotonic()
                    yield outcome
        for w in dead:
            yield from self._replace(w, pending, attempts, killed_for_time=False)
        if self.timeout is not None:
            now = time.monotonic()
            for w in list(self._workers):
                if w.inflight and now - w.head_started > self.timeout:
                    yield from self._replace(w, pending, attempts, killed_for_time=True)

    def _replace(
        self, w: _Worker, pending: deque, attempts: dict[int, int], killed_for_time: bool
    ) -> Iterator[Outcome]:
        """Kill or bury worker `w`, settle its current task, requeue the rest, start a new one."""
        code = w.proc.exitcode
        self._kill(w)
        self._workers.remove(w)
        if w.inflight:
            seq, task = w.inflight.popleft()
            requeue = list(w.inflight)
            w.inflight.clear()
            if killed_for_time:
                yield failed_outcome(task, "timeout", f"still running after {self.timeout:g} s; stopped")
            elif attempts.get(seq, 0) < RETRIES:
                attempts[seq] = attempts.get(seq, 0) + 1
                requeue.insert(0, (seq, task))
            else:
                yield failed_outcome(task, "crashed", _death_reason(code))
            pending.extendleft(reversed(requeue))
        self._workers.append(self._spawn())


def _death_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"grading process killed by {name} (twice); the submission was not graded"
    return f"grading process exited with code {code} (twice); the submission was not graded"
