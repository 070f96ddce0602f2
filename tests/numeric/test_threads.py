"""BLAS threads per planned step: chosen by size, then by the plan's own measured steps, and the
library's own count always restored (a fake library and a fake clock make every case exact)."""

from __future__ import annotations

import numpy as np

from gradverify.numeric import threads
from gradverify.numeric.mlp import MLP
from gradverify.numeric.threads import MIN_FLOPS, RETRY, TRIALS, ThreadChoice


class FakeBlas:
    """A BLAS library whose thread count is a number, and a clock that a step advances by a cost per count."""

    def __init__(self, own: int, cost: dict[int, float]) -> None:
        self.count = own
        self.cost = cost
        self.now = 0.0
        self.seen: list[int] = []

    def get_num_threads(self) -> int:
        return self.count

    def set_num_threads(self, num_threads: int) -> None:
        self.count = num_threads

    def clock(self) -> float:
        return self.now

    def step(self) -> float:
        self.seen.append(self.count)
        self.now += self.cost[self.count]
        return 0.0


def run(choice: ThreadChoice, lib: FakeBlas, steps: int) -> None:
    for _ in range(steps):
        choice.run(lib.step)
        assert lib.count == 2, "the library's own count is restored after every step"


def test_small_work_never_touches_the_library() -> None:
    lib = FakeBlas(2, {1: 1.0, 2: 1.0})
    choice = ThreadChoice(MIN_FLOPS / 2, [lib], lib.clock)
    run(choice, lib, 10)
    assert lib.seen == [2] * 10


def test_one_thread_wins_when_more_threads_are_slower() -> None:
    lib = FakeBlas(2, {1: 1.0, 2: 3.5})  # a busy machine: the second thread waits for a core
    choice = ThreadChoice(MIN_FLOPS, [lib], lib.clock)
    run(choice, lib, 2 * TRIALS + 50)
    assert choice.chosen == 1
    assert lib.seen[2 * TRIALS:] == [1] * 50
    assert sorted(set(lib.seen[:2 * TRIALS])) == [1, 2] and lib.seen[:2 * TRIALS].count(1) == TRIALS


def test_more_threads_win_only_when_clearly_faster() -> None:
    idle = FakeBlas(2, {1: 1.0, 2: 0.55})
    choice = ThreadChoice(MIN_FLOPS, [idle], idle.clock)
    run(choice, idle, 2 * TRIALS + 5)
    assert choice.chosen == 2
    marginal = FakeBlas(2, {1: 1.0, 2: 0.95})  # within the margin: one thread is kept
    choice = ThreadChoice(MIN_FLOPS, [marginal], marginal.clock)
    run(choice, marginal, 2 * TRIALS + 5)
    assert choice.chosen == 1


def test_the_choice_is_measured_again_when_the_load_changes() -> None:
    lib = FakeBlas(2, {1: 1.0, 2: 0.5})
    choice = ThreadChoice(MIN_FLOPS, [lib], lib.clock)
    run(choice, lib, 2 * TRIALS)
    assert choice.chosen == 2
    lib.cost = {1: 1.0, 2: 4.0}  # someone else's job started
    run(choice, lib, RETRY + 2 * TRIALS)
    assert choice.chosen == 1


def test_a_library_limited_to_one_thread_is_left_alone() -> None:
    lib = FakeBlas(1, {1: 1.0})
    choice = ThreadChoice(MIN_FLOPS, [lib], lib.clock)
    for _ in range(5):
        choice.run(lib.step)
    assert lib.seen == [1] * 5 and choice.chosen is None


def test_a_large_step_leaves_the_process_thread_count_as_it_found_it() -> None:
    libs = threads.blas_libraries()
    before = [lib.get_num_threads() for lib in libs]
    net = MLP.random([150, 100, 5], ["tanh", "softmax"], "cross_entropy", seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((256, 150)), np.eye(5)[rng.integers(0, 5, 256)]
    for _ in range(2 * TRIALS + 2):
        net.step(x, y, 1e-3)
    assert [lib.get_num_threads() for lib in libs] == before
