"""The grading pool: every submission comes back exactly once, whatever it does to its worker.

The grader here is a stand-in reading a one-word command from the submission, so each fault
(hang, crash, hard exit, signal) is provoked on purpose; the real judge is exercised elsewhere.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from hypothesis import given, settings, strategies as st

from gradverify.grade.outcome import Outcome, Task, failed_outcome
from gradverify.grade.pool import GradingPool, PoolSetupError


def _task(name: str, body: str) -> Task:
    data = body.encode()
    return Task(file=name, data=data, sha256=str(hash(data)))


def scripted_factory(marker_dir: str = ""):
    """A grader obeying the submission: 'ok N', 'sleep S', 'raise', 'exit', 'kill', 'kill-once'."""

    def grade(task: Task) -> Outcome:
        word, _, arg = task.data.decode().partition(" ")
        if word == "sleep":
            time.sleep(float(arg))
        elif word == "raise":
            raise ZeroDivisionError("scripted")
        elif word == "exit":
            os._exit(3)
        elif word == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif word == "kill-once":  # dies the first time only: an outside kill, not the submission
            flag = os.path.join(marker_dir, task.file)
            if not os.path.exists(flag):
                open(flag, "w").close()
                os.kill(os.getpid(), signal.SIGKILL)
        return Outcome(task.file, task.sha256, task.file, "graded", score=float(arg or 0))

    return grade


def broken_factory():
    raise FileNotFoundError("key.toml")


def _run(tasks, **kw) -> dict[str, Outcome]:
    kw.setdefault("jobs", 2)
    got = list(GradingPool(scripted_factory, kw.pop("args", ()), **kw).run(tasks))
    names = [o.file for o in got]
    assert sorted(names) == sorted(t.file for t in tasks), "each submission exactly once"
    return {o.file: o for o in got}


def test_all_graded_and_each_once():
    tasks = [_task(f"s{i}", f"ok {i}") for i in range(40)]
    got = _run(tasks)
    assert all(o.status == "graded" and o.score == int(o.file[1:]) for o in got.values())


def test_hang_is_stopped_at_the_limit_and_the_rest_still_graded():
    tasks = [_task("a", "ok 1"), _task("hang", "sleep 60"), *[_task(f"b{i}", "ok 2") for i in range(9)]]
    got = _run(tasks, timeout=1.0)
    assert got["hang"].status == "timeout" and "1 s" in got["hang"].reason
    assert all(got[f"b{i}"].status == "graded" for i in range(9))


def test_exception_is_a_crash_with_its_reason_and_the_worker_lives_on():
    got = _run([_task("bad", "raise"), *[_task(f"g{i}", "ok 1") for i in range(5)]], jobs=1)
    assert got["bad"].status == "crashed" and "ZeroDivisionError: scripted" in got["bad"].reason
    assert all(got[f"g{i}"].status == "graded" for i in range(5))


@pytest.mark.parametrize("how, words", [("exit", "code 3"), ("kill", "SIGKILL")])
def test_dying_worker_is_replaced_and_the_submission_recorded_crashed(how, words):
    got = _run([_task("x", how), *[_task(f"g{i}", "ok 1") for i in range(8)]], timeout=10)
    assert got["x"].status == "crashed" and words in got["x"].reason
    assert all(got[f"g{i}"].status == "graded" for i in range(8))


def test_worker_killed_from_outside_once_is_retried_and_graded(tmp_path):
    tasks = [_task("victim", "kill-once 7"), *[_task(f"g{i}", "ok 1") for i in range(6)]]
    got = _run(tasks, args=(str(tmp_path),))
    assert got["victim"].status == "graded" and got["victim"].score == 7


def test_unusable_key_stops_before_grading():
    with pytest.raises(PoolSetupError, match="key.toml"):
        list(GradingPool(broken_factory, jobs=1).run([_task("a", "ok 1")]))


def test_stopping_early_leaves_no_worker_behind():
    pool = GradingPool(scripted_factory, jobs=2, timeout=5)
    gen = pool.run([_task(f"s{i}", "sleep 0.05") for i in range(20)])
    next(gen)
    procs = [w.proc for w in pool._workers]
    gen.close()
    assert procs and not any(p.is_alive() for p in procs)


@settings(max_examples=8, deadline=None)
@given(st.lists(st.sampled_from(["ok 1", "raise", "exit", "sleep 0.01"]), min_size=1, max_size=12))
def test_any_mix_of_faults_yields_each_submission_once(words):
    tasks = [_task(f"s{i}", w) for i, w in enumerate(words)]
    got = _run(tasks, timeout=5)
    expect = {"ok 1": "graded", "raise": "crashed", "exit": "crashed", "sleep 0.01": "graded"}
    assert all(got[t.file].status == expect[t.data.decode()] for t in tasks)


def test_failed_outcome_names_the_student_from_the_file():
    t = Task("sub/alice.toml", b'student = "Alice  Liddell"\n[[step]\n', "h")
    assert failed_outcome(t, "malformed", "x").ident == "alice"  # unparsable: the stem
    t = Task("sub/a1.toml", b'student = "Alice  Liddell"\n', "h")
    assert failed_outcome(t, "timeout", "x").ident == "Alice Liddell"


def test_tasks_are_pulled_only_as_workers_need_them():
    pulled = []

    def source():
        for i in range(200):
            pulled.append(i)
            yield _task(f"s{i}", "ok 1")

    pool = GradingPool(scripted_factory, jobs=2, timeout=5)
    batches = pool.batches(source())
    first = next(batches)
    assert first and len(pulled) <= 2 * 4 + 2 + len(first)  # queues of PREFETCH, not the class
    rest = [o for b in batches for o in b]
    assert len(first) + len(rest) == 200
