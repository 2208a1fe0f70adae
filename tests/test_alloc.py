"""The runtime's allocator (``runtime/alloc.py``): large buffers are reused once released,
within bounds, from any thread; compiled functions' outputs come from it."""

from __future__ import annotations

import ctypes
import sys
import threading

import numpy as np
import pytest

import tensorir
from tensorir import tensor
from tensorir.abi import ALLOC, RELEASE
from tensorir.runtime import alloc

pytestmark = pytest.mark.skipif(
    not hasattr(ctypes.CDLL(None), "malloc_usable_size"), reason="no reuse without glibc"
)

tir_alloc = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_int64)(alloc.address(ALLOC))
tir_release = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(alloc.address(RELEASE))


def test_large_buffers_are_reused_small_ones_are_not_kept() -> None:
    big = alloc.LARGE * 2
    p = tir_alloc(big)
    tir_release(p)
    q = tir_alloc(big - 1000)  # at least the size asked, at most twice: the kept one
    assert q == p
    r = tir_alloc(big * 4)  # larger than any kept buffer: a fresh one
    assert r != q
    tir_release(q)
    s = tir_alloc(big // 4)  # a kept buffer more than twice the size asked is not used
    assert s != q
    for ptr in (r, s, tir_alloc(big)):
        tir_release(ptr)
    assert tir_alloc(0) and tir_alloc(16)  # small: malloc's (never kept)
    tir_release(None)  # releasing NULL does nothing


def test_threads_never_get_the_same_buffer() -> None:
    errors: list[str] = []
    live: set[int] = set()
    lock = threading.Lock()

    def work() -> None:
        for k in range(300):
            p = tir_alloc(alloc.LARGE + 4096 * (k % 3))
            with lock:
                if p in live:
                    errors.append(f"{p:#x} handed out twice")
                live.add(p)
            ctypes.memset(p, k & 0xFF, 64)
            with lock:
                live.discard(p)
            tir_release(p)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_outputs_reuse_released_memory() -> None:
    """A function called again and again gets back the memory of the outputs it dropped
    (no page faults on a fresh 40 MB buffer), and memory stays bounded."""
    x = tensor.fvector("x")
    f = tensorir.function([x], 2 * x + 1)
    a = np.ones(10_000_000, np.float32)
    first = f(a)
    address = first.ctypes.data
    del first
    second = f(a)
    assert second.ctypes.data == address
    np.testing.assert_array_equal(second[:5], 3.0)
    del second
    if sys.platform.startswith("linux"):
        with open("/proc/self/statm") as fh:
            before = int(fh.read().split()[1])
        for _ in range(50):
            f(a)
        with open("/proc/self/statm") as fh:
            after = int(fh.read().split()[1])
        assert (after - before) * 4096 < 64 << 20
