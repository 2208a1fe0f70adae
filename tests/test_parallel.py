"""Parallel loops on the thread pool: the same bits as one thread, small calls inline, errors
raised as before, concurrent callers, ``TENSORIR_FLAGS=threads=N`` and ``fork``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.runtime import threads

BIG = 300_001  # elements above the threshold, not a multiple of any chunk


@pytest.fixture
def pool_threads() -> Iterator[Callable[[int], None]]:
    saved = tensorir.config.threads

    def use(n: int) -> None:
        tensorir.config.threads = n

    yield use
    tensorir.config.threads = saved


def both(f: Callable, *args: np.ndarray, set_threads: Callable[[int], None]) -> list:
    """``f(*args)`` with one thread and with four; each result as a list of arrays."""
    out = []
    for n in (1, 4):
        set_threads(n)
        r = f(*args)
        out.append([np.asarray(a) for a in (r if isinstance(r, list) else [r])])
    return out


def assert_same_bits(one: list, four: list) -> None:
    for a, b in zip(one, four, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("n", [0, 1, 7, 1000, 65_537, BIG])
def test_elementwise_same_bits(pool_threads, n: int) -> None:
    x, y = T.fvector("x"), T.fvector("y")
    f = tensorir.function([x, y], [2 * x + 3 * y + 1, T.exp(x) * T.tanh(y)])
    rng = np.random.default_rng(n)
    a, b = (rng.standard_normal(n).astype("float32") for _ in range(2))
    one, four = both(f, a, b, set_threads=pool_threads)
    assert_same_bits(one, four)
    np.testing.assert_allclose(one[0], 2 * a + 3 * b + 1, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "shape", [(0, 5), (5, 0), (3, 4), (999, 301), (301, 999), (40_000, 3), (150, 2049)]
)
def test_rows_same_bits(pool_threads, shape: tuple[int, int]) -> None:
    m, v = T.dmatrix("m"), T.dvector("v")
    outs = [m.sum(axis=1), m.max(axis=1) if shape[1] else m.sum(axis=1), m * v + 1]
    outs += [T.nnet.softmax(m), m.sum(axis=0), m.mean(axis=0)]
    outs.append((m * 2).max(axis=0) if shape[0] else m.sum(axis=0))
    f = tensorir.function([m, v], outs)
    rng = np.random.default_rng(shape[0])
    a, b = rng.standard_normal(shape), rng.standard_normal(shape[1])
    one, four = both(f, a, b, set_threads=pool_threads)
    assert_same_bits(one, four)
    np.testing.assert_allclose(one[0], a.sum(axis=1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(one[2], a * b + 1)
    np.testing.assert_allclose(one[4], a.sum(axis=0), rtol=1e-12, atol=1e-12)


def test_large_calls_use_the_pool(pool_threads) -> None:
    x = T.dvector("x")
    f = tensorir.function([x], x * 2)
    pool_threads(3)
    f(np.ones(BIG))
    assert threads.workers() == 2
    pool_threads(1)  # no pool wanted: runs in the caller, the old workers stay idle
    np.testing.assert_array_equal(f(np.ones(BIG)), 2.0)
    pool_threads(2)  # a new size: the pool is restarted at the next large call
    f(np.ones(BIG))
    assert threads.workers() == 1


def test_update_in_place_and_a_parallel_kernel(pool_threads) -> None:
    pool_threads(4)
    w = tensorir.shared(np.ones(BIG), name="w")
    g = T.dvector("g")
    step = tensorir.function([g], [], updates=[(w, w - 0.5 * g)])
    step(np.full(BIG, 2.0))
    np.testing.assert_array_equal(w.get_value(), 0.0)


def test_errors_inside_parallel_kernels(pool_threads) -> None:
    """A shape check before a parallel loop and an index out of range after one raise as
    with one thread; a failed call changes no shared variable and the next call is right."""
    pool_threads(4)
    x, y = T.dvector("x"), T.dvector("y")
    i = T.lvector("i")
    w = tensorir.shared(np.zeros(BIG), name="w")
    f = tensorir.function([x, y, i], (2 * x + y)[i], updates=[(w, w + x)])
    a, b = np.arange(BIG, dtype="float64"), np.ones(BIG)
    with pytest.raises(ValueError, match="shapes"):
        f(a, b[:-1], np.array([0]))
    with pytest.raises(IndexError, match="out of bounds"):
        f(a, b, np.array([3, BIG]))
    np.testing.assert_array_equal(w.get_value(), 0.0)
    np.testing.assert_array_equal(f(a, b, np.array([3, -1])), [7.0, 2 * (BIG - 1) + 1])
    np.testing.assert_array_equal(w.get_value(), a)


@pytest.mark.parametrize("n", [50, BIG])
def test_first_failing_iteration_raises(pool_threads, n: int) -> None:
    """A gather's loop checks each index and runs in parallel: whichever thread finds a bad
    index first, the error raised is the one of the first bad position, as serially."""
    table, i = T.dmatrix("table"), T.lvector("i")
    f = tensorir.function([table, i], table[i] * 2)
    t = np.arange(40.0).reshape(10, 4)
    idx = np.arange(n) % 10
    for first, later in ((3, n - 1), (n // 2, n // 2 + 1), (n - 2, n - 1)):
        bad = idx.copy()
        bad[first], bad[later] = -1000 - first, 1000 + later
        messages = set()
        for threads_ in (1, 4, 4, 4):
            pool_threads(threads_)
            with pytest.raises(IndexError) as info:
                f(t, bad)
            messages.add(str(info.value).split(" (built")[0])
        assert messages == {f"index {-1000 - first} is out of bounds for axis 0 with size 10"}
    one, four = both(f, t, idx, set_threads=pool_threads)
    assert_same_bits(one, four)
    np.testing.assert_array_equal(one[0], t[idx] * 2)


def test_concurrent_callers(pool_threads) -> None:
    """Several Python threads call parallel kernels at once: one holds the pool, the others
    run their loops themselves; every result is right."""
    pool_threads(3)
    m = T.fmatrix("m")
    f = tensorir.function([m], [T.nnet.softmax(m), m.sum(axis=1)])
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((200 + k, 517)).astype("float32") for k in range(4)]
    pool_threads(1)
    want = [[r.copy() for r in f(a)] for a in inputs]
    pool_threads(3)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(k: int) -> None:
        try:
            barrier.wait()
            for _ in range(30):
                got = f(inputs[k])
                for g, e in zip(got, want[k], strict=True):
                    assert g.tobytes() == e.tobytes()
        except BaseException as e:  # noqa: BLE001 - handed to the test's thread
            errors.append(e)

    ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors[0]


_SCRIPT = """
import numpy as np, tensorir
from tensorir import tensor as T
from tensorir.runtime import threads
x = T.dvector()
f = tensorir.function([x], T.sqrt(x) + 1)
a = np.arange(300001.0)
r = f(a)
assert r.tobytes() == (np.sqrt(a) + 1).tobytes()
print(tensorir.config.threads, threads.workers())
"""


@pytest.mark.parametrize("flags, want", [("threads=1", "1 0"), ("threads=3", "3 2")])
def test_threads_flag(flags: str, want: str) -> None:
    env = {**os.environ, "TENSORIR_FLAGS": flags}
    done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == want.split()


_SMALL = """
import numpy as np, tensorir
from tensorir import tensor as T
from tensorir.runtime import threads
table, i, x = T.dmatrix(), T.lvector(), T.dvector()
f = tensorir.function([table, i, x], [table[i] * 2, x + 1])
big = np.ones((200000, 8))
for _ in range(3):  # a few rows of a big table, a short vector: no pool
    f(big, np.array([1, 5, 7]), np.ones(1000))
assert threads.workers() == 0, threads.workers()
f(big, np.arange(100000), np.ones(1000))  # many rows: the pool starts
assert threads.workers() == 2, threads.workers()
"""


def test_small_calls_stay_inline() -> None:
    """The work estimate counts the rows a gather reads, not its whole table."""
    env = {**os.environ, "TENSORIR_FLAGS": "threads=3"}
    done = subprocess.run([sys.executable, "-c", _SMALL], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr


def test_bad_threads_flag() -> None:
    env = {**os.environ, "TENSORIR_FLAGS": "threads=0"}
    done = subprocess.run([sys.executable, "-c", "import tensorir"], capture_output=True, env=env)
    assert done.returncode != 0 and b"threads must be an integer >= 1" in done.stderr


_FORK = """
import os, numpy as np, tensorir
from tensorir import tensor as T
from tensorir.runtime import threads
tensorir.config.threads = 3
x = T.dvector()
f = tensorir.function([x], x * 3 + 1)
a = np.arange(300001.0)
want = (a * 3 + 1).tobytes()
assert f(a).tobytes() == want and threads.workers() == 2
pid = os.fork()
if pid == 0:  # the child: no workers until its first large call starts its own pool
    ok = threads.workers() == 0 and f(a).tobytes() == want and threads.workers() == 2
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
assert f(a).tobytes() == want and threads.workers() == 2
print("ok")
"""


def test_fork() -> None:
    done = subprocess.run([sys.executable, "-c", _FORK], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
