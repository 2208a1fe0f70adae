"""A call that fails a run-time check frees what it had allocated: repeated failures do not
grow the process."""

import os
import resource

import numpy as np
import pytest

import tensorir
from tensorir import tensor


def test_failed_check_frees_temporaries() -> None:
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    # exp(x) is a 1 MB temporary, allocated before the add checks the shapes
    f = tensorir.function([x, y], tensor.exp(x).sum() + (tensor.exp(x) + y).sum())
    big, small = np.ones(1 << 17), np.ones(3)
    assert f(big, np.ones(1 << 17)) == pytest.approx(2 * np.e * (1 << 17) + (1 << 17))
    for _ in range(20):  # warm up the allocator
        with pytest.raises(ValueError, match="do not broadcast"):
            f(big, small)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(300):
        with pytest.raises(ValueError, match="do not broadcast"):
            f(big, small)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 100_000, f"{grown_kb} KiB more after 300 failed calls"


def test_jacobian_rows_free_their_temporaries() -> None:
    """A tir.map body allocates per row and frees in the same iteration."""
    from tensorir.gradient import jacobian

    x = tensor.dvector("x")
    f = tensorir.function([x], jacobian(tensor.exp(x) * 2, x))
    v = np.ones(256)  # each row allocates a few 2 KiB temporaries; the result is 512 KiB
    for _ in range(5):
        f(v)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(200):  # 200 calls x 256 rows
        f(v)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 50_000, f"{grown_kb} KiB more after 200 calls"


def test_out_of_memory_raises_and_frees_the_call_buffers() -> None:
    """An allocation that cannot succeed (malloc returns NULL) raises MemoryError, and one
    whose size in bytes overflows raises numpy's ValueError, both after freeing what the call
    had allocated (here exp(x), 1 MB)."""
    n = tensor.lscalar("n")
    x = tensor.dvector("x")
    f = tensorir.function([x, n], tensor.exp(x).sum() + tensor.zeros((n, n)).sum())
    assert f(np.ones(3), 2) == pytest.approx(3 * np.e)
    big = np.ones(1 << 17)
    with pytest.raises(MemoryError, match="out of memory"):
        f(big, 2**29)  # 2**61 bytes: malloc fails
    for size in (2**31, 2**40):  # more than 2**63 - 1 bytes
        with pytest.raises(ValueError, match=r"alloc: array is too big: shape \(2147483648|1099"):
            f(big, size)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for k in range(300):
        with pytest.raises(MemoryError if k % 2 else ValueError):
            f(big, 2**29 if k % 2 else 2**31)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 100_000, f"{grown_kb} KiB more after 300 failed calls"


def _rss_mb() -> float:
    """Resident memory now (not the peak), in MiB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads /proc")
def test_100000_calls_keep_resident_memory_flat() -> None:
    x = tensor.dvector("x")
    w = tensorir.shared(np.zeros(100), name="w")
    f = tensorir.function([x], (tensor.exp(x) * w).sum(), updates=[(w, w + 0.001 * x)])
    a = np.ones(100)
    for _ in range(2000):  # warm up the allocator and the call buffers' pool
        f(a)
    before = _rss_mb()
    for _ in range(100_000):
        f(a)
    assert _rss_mb() - before < 2.0, (before, _rss_mb())
    np.testing.assert_allclose(w.get_value(), np.full(100, 102.0), rtol=1e-9)
