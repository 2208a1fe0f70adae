"""A call that fails a run-time check frees what it had allocated: repeated failures do not
grow the process."""

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
