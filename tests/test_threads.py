"""Compiled functions called from several threads, and interrupted by exceptions raised
asynchronously (a signal handler's): results stay right, updates all land, the GIL is released
while the kernel runs, and an interrupted call commits every update of the call or none and
leaks nothing."""

from __future__ import annotations

import itertools
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorir
from tensorir import tensor

N_THREADS = 4
CALLS = 2000


def _in_threads(work: Callable[[int], Any], n: int = N_THREADS) -> list[Any]:
    """Runs ``work(i)`` in ``n`` threads started together; returns their results and re-raises
    the first exception one of them raised."""
    results: list[Any] = [None] * n
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as e:  # noqa: BLE001 - handed to the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_one_function_from_four_threads() -> None:
    x = tensor.dvector("x")
    f = tensorir.function([x], [tensor.exp(x) * 2 + 1, (x * x).sum()])

    rng = np.random.default_rng(0)
    cases = [[rng.standard_normal(int(rng.integers(0, 50))) for _ in range(300)] for _ in range(4)]
    expected = [[f(v) for v in vs] for vs in cases]  # one thread

    def work(i: int) -> int:
        for v, (a0, s0) in zip(cases[i], expected[i], strict=True):
            a, s = f(v)
            np.testing.assert_array_equal(a, a0)
            assert s == s0
            np.testing.assert_allclose(a, np.exp(v) * 2 + 1, rtol=1e-15)
        return 300

    assert _in_threads(work) == [300] * N_THREADS


def test_updates_from_four_threads_all_land() -> None:
    """A counter updated by value and a vector updated in place: 4 x 2,000 calls, every update
    lands, and each call sees the vector and the counter of one same state."""
    count = tensorir.shared(np.int64(0), name="count")
    vec = tensorir.shared(np.zeros(64), name="vec")
    step = tensorir.function(
        [], [count, vec.min(), vec.max()], updates=[(count, count + 1), (vec, vec + 1)]
    )

    def work(i: int) -> list[int]:
        seen = []
        for _ in range(CALLS):
            c, low, high = step()
            assert c == low == high  # not torn
            seen.append(int(c))
        return seen

    seen = _in_threads(work)
    assert count.get_value() == N_THREADS * CALLS
    np.testing.assert_array_equal(vec.get_value(), np.full(64, N_THREADS * CALLS))
    # every call read a state no other call read: the calls were serialized
    assert sorted(sum(seen, [])) == list(range(N_THREADS * CALLS))


def test_two_functions_updating_one_variable_from_threads() -> None:
    """Different functions updating the same shared variables (in another order of
    arguments) are serialized with each other, and do not deadlock."""
    a = tensorir.shared(np.zeros(8), name="a")
    b = tensorir.shared(np.int64(0), name="b")
    add = tensorir.function([], [], updates=[(a, a + 1), (b, b + 1)])
    add_two = tensorir.function([], [], updates=[(b, b + 2), (a, a + 2)])
    fns = [add, add_two]

    def work(i: int) -> None:
        for _ in range(CALLS // 2):
            fns[i % 2]()

    _in_threads(work)
    total = (N_THREADS // 2) * (CALLS // 2) * 3
    assert b.get_value() == total
    np.testing.assert_array_equal(a.get_value(), np.full(8, total))


def test_functions_without_updates_take_no_lock() -> None:
    w = tensorir.shared(np.ones(3), name="w")
    x = tensor.dvector("x")
    f = tensorir.function([x], (x * w).sum())
    assert "with" not in f.source
    with w.container.lock:  # held elsewhere: a pure call does not wait for it
        done = _in_threads(lambda i: f(np.ones(3)), n=1)
    assert done == [3.0]


def test_the_gil_is_released_while_the_kernel_runs() -> None:
    """The main thread keeps running Python while another thread's call runs its kernel."""
    x = tensor.dvector("x")
    f = tensorir.function([x], tensor.exp(tensor.sin(x) * tensor.cos(x)).sum())
    v = np.linspace(0.0, 1.0, 1 << 22)
    f(v)
    window: list[float] = []

    def call() -> None:
        start = time.perf_counter()
        for _ in range(3):
            f(v)
        window.extend([start, time.perf_counter()])

    t = threading.Thread(target=call)
    stamps = []
    t.start()
    while t.is_alive():
        stamps.append(time.perf_counter())
    t.join()
    start, end = window
    quarter = (end - start) / 4
    inside = [s for s in stamps if start + quarter < s < end - quarter]
    assert len(inside) > 100, (len(inside), end - start)


# ---- asynchronous exceptions


class Interrupt(Exception):
    pass


def _training_step() -> tuple[Any, dict[str, Any]]:
    """A call with an update by value (rank 0), one in place and one into a fresh buffer, and a
    large fresh output: an interrupted call must store all three or none."""
    count = tensorir.shared(np.float64(0), name="count")
    vec = tensorir.shared(np.zeros(16), name="vec")
    mat = tensorir.shared(np.zeros((4, 3)), name="mat")
    x = tensor.dvector("x")
    f = tensorir.function(
        [x],
        [x * 2, count],
        updates=[(count, count + 1), (vec, vec + 1), (mat, mat[::-1] + 1)],
    )
    return f, {"count": count, "vec": vec, "mat": mat}


def _consistent(shared: dict[str, Any]) -> float:
    """The number of calls committed, the same in every shared variable."""
    c = float(shared["count"].get_value())
    np.testing.assert_array_equal(shared["vec"].get_value(), np.full(16, c))
    np.testing.assert_array_equal(shared["mat"].get_value(), np.full((4, 3), c))
    return c


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_an_exception_at_any_call_inside_a_call_commits_all_or_nothing() -> None:
    """Python runs signal handlers when a call returns or a function starts, so a profile hook
    that raises at the k-th such event, for every k, is a signal handler raising at each place a
    signal could interrupt: every update lands or none, and no buffer leaks."""
    f, shared = _training_step()
    big = np.ones(1 << 19)  # each result x * 2 is a fresh 4 MiB buffer
    f(big)
    before = _rss()
    committed = _consistent(shared)
    interrupted = rolled_forward = 0
    for _ in range(3):
        for k in itertools.count():  # until the k-th event comes after the call
            seen = [0]

            def interrupt(frame: Any, event: str, arg: Any, k: int = k, seen: list = seen) -> None:
                seen[0] += 1
                if seen[0] == k + 1:
                    raise Interrupt(event)

            sys.setprofile(interrupt)
            try:
                f(big)
            except Interrupt:
                interrupted += 1
            else:
                break
            finally:
                sys.setprofile(None)
            now = _consistent(shared)
            assert now in (committed, committed + 1)
            rolled_forward += now == committed + 1
            committed = now
        committed = _consistent(shared)
    assert interrupted > rolled_forward > 0
    f(big)  # the locks were released
    assert _consistent(shared) == committed + 1
    grown = _rss() - before
    assert grown < 8 * (1 << 22), f"{grown >> 20} MiB more after {interrupted} interrupted calls"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_an_exception_as_the_kernel_returns_commits_every_update() -> None:
    """A signal that arrives while the kernel runs is handled as soon as it returns, after its
    in-place writes: the call still stores the other updates, takes its buffers, then raises."""
    f, shared = _training_step()
    big = np.ones(1 << 19)
    env = type(f).__call__.__globals__  # the generated call's names: its kernel is "fn"
    kernel = env["fn"]

    def kernel_then_interrupt(*args: Any) -> int:
        rc = kernel(*args)
        raise Interrupt(rc)

    for _ in range(3):
        f(big)
    before = _rss()
    env["fn"] = kernel_then_interrupt
    try:
        for n in range(1, 41):
            with pytest.raises(Interrupt):
                f(big)
            assert _consistent(shared) == 3 + n
    finally:
        env["fn"] = kernel
    assert f(big)[1] == 43
    grown = _rss() - before
    assert grown < 8 * (1 << 22), f"{grown >> 20} MiB more after 40 interrupted calls"


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")
def test_a_signal_handler_raising_during_calls_commits_all_or_nothing() -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers run on the main thread")
    f, shared = _training_step()
    v = np.ones(1000)
    f(v)

    # A signal that the kernel delivers to another thread (a BLAS worker, say) is run by
    # CPython on the main thread only when that thread next takes the GIL, possibly after the
    # call: the handler raises only while a call is under way.
    armed = [False]

    def handler(signum: int, frame: Any) -> None:
        if armed[0]:
            raise Interrupt

    old = signal.signal(signal.SIGALRM, handler)
    rng = np.random.default_rng(0)
    interrupted = 0
    committed = _consistent(shared)
    try:
        for delay in rng.uniform(1e-6, 4e-5, 3000):
            armed[0] = True
            try:  # one alarm, raising in a call or after it, then checks undisturbed
                signal.setitimer(signal.ITIMER_REAL, delay)
                f(v)
                signal.setitimer(signal.ITIMER_REAL, 0)
            except Interrupt:
                interrupted += 1
            armed[0] = False  # no call before this store: no handler runs between
            now = _consistent(shared)
            assert now in (committed, committed + 1)
            committed = now
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert interrupted > 0
    f(v)
    assert _consistent(shared) == committed + 1
