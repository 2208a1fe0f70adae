"""The checking modes: what NanGuardMode and DebugMode cost, against FAST_RUN and PyTensor's.

    python bench/bench_modes.py

The training step of Theano's logistic-regression tutorial (400 examples of 784 features,
the updates of ``w`` and ``b``) compiled in each mode: compile time and the best time of one
call, with the ratio to the same library's FAST_RUN. PyTensor's ``NanGuardMode`` and
``DebugMode`` are measured in the same run when it is installed. Benchmarks, not tests:
numbers depend on the machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

N, FEATS = 400, 784


def tutorial_step(lib: Any, tensor: Any, mode: Any) -> tuple[float, Callable[[], object]]:
    """Compile the tutorial's training step in ``mode``: (compile seconds, one call)."""
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((N, FEATS)), rng.integers(0, 2, N).astype("float64"))
    x, y = tensor.dmatrix("x"), tensor.dvector("y")
    w = lib.shared(rng.standard_normal(FEATS), name="w")
    b = lib.shared(0.0, name="b")
    p_1 = 1 / (1 + tensor.exp(-tensor.dot(x, w) - b))
    xent = -y * tensor.log(p_1) - (1 - y) * tensor.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w**2).sum()
    gw, gb = tensor.grad(cost, [w, b])
    t0 = time.perf_counter()
    train = lib.function(
        [x, y], [p_1 > 0.5, xent], updates=[(w, w - 0.1 * gw), (b, b - 0.1 * gb)], mode=mode
    )
    compile_s = time.perf_counter() - t0
    return compile_s, lambda: train(*data)


def best_call(call: Callable[[], object], seconds: float = 1.0) -> float:
    call()
    times: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < 3:
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(name: str, lib: Any, tensor: Any, modes: dict[str, Any]) -> None:
    base = None
    for label, mode in modes.items():
        try:
            compile_s, call = tutorial_step(lib, tensor, mode)
            call_s = best_call(call)
        except Exception as e:  # a peer's checking mode may reject the graph
            print(f"  {name:9s} {label:13s} raised {type(e).__name__}: {str(e).splitlines()[0]}")
            continue
        if base is None:
            base = call_s
        print(
            f"  {name:9s} {label:13s} compile {compile_s * 1e3:8.1f} ms   call "
            f"{call_s * 1e6:9.1f} us   x{call_s / base:6.1f} of FAST_RUN"
        )


def main() -> None:
    import tensorir
    from tensorir import tensor
    from tensorir.compile import DebugMode, NanGuardMode

    print(f"logistic-regression training step ({N}x{FEATS}), float64")
    measure(
        "tensorir",
        tensorir,
        tensor,
        {
            "FAST_RUN": "FAST_RUN",
            "NanGuardMode": NanGuardMode(True, True, True),
            "DebugMode": DebugMode(check_isfinite=False),
        },
    )
    try:
        import pytensor  # type: ignore[import-not-found]
        import pytensor.tensor as pt  # type: ignore[import-not-found]
    except ImportError:
        print("  pytensor: not installed")
        return
    try:  # their place moved between versions
        from pytensor.compile.debug.debugmode import DebugMode as PtDebugMode  # type: ignore
        from pytensor.compile.debug.nanguardmode import NanGuardMode as PtNanGuard  # type: ignore
    except ImportError:
        from pytensor.compile.debugmode import DebugMode as PtDebugMode  # type: ignore
        from pytensor.compile.nanguardmode import NanGuardMode as PtNanGuard  # type: ignore
    measure(
        "pytensor",
        pytensor,
        pt,
        {
            "FAST_RUN": "FAST_RUN",
            "NanGuardMode": PtNanGuard(True, True, True),
            "DebugMode": PtDebugMode(check_isfinite=False),
        },
    )


if __name__ == "__main__":
    main()
