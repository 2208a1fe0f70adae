"""No input crashes the process: compiled functions (elementwise, dot, reshape, indexing,
set_subtensor of a stepped slice, gather and inc_subtensor by an index vector, sum, zeros of
given sizes, updates of shared variables) called with random, mostly bad, inputs (wrong dtypes,
ndims and shapes, strided, negatively strided, unaligned, read-only, empty and 0-d arrays,
Python scalars, ragged lists, huge sizes, NaN/inf, out-of-range indices) give numpy's result
or raise a Python exception.

The calls run in a subprocess, so that a crash (the process killed by a signal) fails the
test instead of the test run. ``pytest --long`` runs 50,000 cases instead of 2,000.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

CASES = 2_000
LONG_CASES = 50_000

DTYPES = ["float64", "float32", "int64", "int32", "int8", "uint64", "bool", "complex128"]
SPECIAL = [0.0, -0.0, 1.0, -1.5, np.nan, np.inf, -np.inf, 1e308, 5e-324]
BIG_INTS = [0, 1, -1, 2, 3, 4, -2, 2**31, 2**32, 2**62, 2**62 + 1, 2**63 - 1, -(2**63)]


def test_random_inputs_never_crash(request: pytest.FixtureRequest) -> None:
    cases = LONG_CASES if request.config.getoption("--long") else CASES
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")])
    run = subprocess.run(
        [sys.executable, os.path.abspath(__file__), str(cases)],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if run.returncode < 0:
        pytest.fail(
            f"the process died with signal {-run.returncode}; last case:\n" + run.stderr[-3000:]
        )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-6000:]
    assert f"{cases} cases" in run.stdout, run.stdout


# ----------------------------------------------------------------------------- the worker


def _set(a: np.ndarray, where: slice) -> np.ndarray:
    a = a.copy()
    a[where] = 7.0
    return a


def _add_at(a: np.ndarray, i: np.ndarray) -> np.ndarray:
    a = a.copy()
    np.add.at(a, i, 1.0)
    return a


def _worker(cases: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    import tensorir
    from tensorir import tensor as T

    x, y = T.dvector("x"), T.dvector("y")
    m = T.dmatrix("m")
    n, k, j = T.lscalar("n"), T.lscalar("k"), T.lscalar("j")
    iv = T.lvector("iv")
    s = tensorir.shared(np.zeros(3), "s")
    row = tensorir.shared(np.ones((1, 3)), "row", broadcastable=(True, False))
    functions: dict[str, tuple[Any, Any]] = {
        "elementwise": (tensorir.function([x, y], x * y + 1), lambda a, b: a * b + 1),
        "dot": (tensorir.function([m, x], T.dot(m, x)), lambda a, b: np.dot(a, b)),
        "reshape": (
            tensorir.function([x, n, k], x.reshape((n, k))),
            lambda a, i, j: a.reshape((i, j)),
        ),
        "slice_step": (
            tensorir.function([x, n, k, j], T.set_subtensor(x[n:k:j], 7.0)),
            lambda a, i0, i1, i2: _set(a, slice(i0, i1, i2)),
        ),
        "gather": (
            tensorir.function([m, iv], [m[iv], T.inc_subtensor(m[iv], 1.0)]),
            lambda a, i: [a[i], _add_at(a, i)],
        ),
        "index": (
            tensorir.function([x, n, k], [x[n], x[n:k]]),
            lambda a, i, j: [a[i], a[i:j]],
        ),
        "sum": (tensorir.function([m], m.sum(axis=0)), lambda a: a.sum(axis=0)),
        "zeros": (tensorir.function([n, k], T.zeros((n, k))), lambda i, j: np.zeros((i, j))),
        "update": (
            tensorir.function([x], s.sum() + row.sum(), updates=[(s, s + x), (row, row * x)]),
            None,
        ),
    }
    kinds = {
        "elementwise": "vv",
        "dot": "mv",
        "reshape": "vii",
        "index": "vii",
        "slice_step": "viii",
        "gather": "mI",
        "sum": "m",
        "zeros": "ss",
        "update": "vr",  # r: a new value for the shared row (set_value), or None
    }
    declared = {
        "v": ("float64", 1),
        "m": ("float64", 2),
        "i": ("int64", 0),
        "s": ("int64", 0),
        "I": ("int64", 1),
    }

    @st.composite
    def arrays(draw: Any) -> Any:
        dtype = draw(st.sampled_from(DTYPES))
        ndim = draw(st.integers(0, 3))
        shape = tuple(draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim)))
        size = int(np.prod(shape))
        values = draw(
            st.lists(
                st.one_of(st.sampled_from(SPECIAL), st.floats(-1e6, 1e6)),
                min_size=size,
                max_size=size,
            )
        )
        with np.errstate(all="ignore"):
            a = np.array(values, dtype="float64").astype(dtype).reshape(shape)
        layout = draw(
            st.sampled_from(["plain", "strided", "reversed", "unaligned", "readonly", "fortran"])
        )
        if layout == "strided" and a.ndim:
            big = np.repeat(a, 2, axis=-1)
            a = big[..., ::2]
        elif layout == "reversed" and a.ndim:
            a = np.ascontiguousarray(a[..., ::-1])[..., ::-1]
        elif layout == "unaligned" and a.size and a.dtype.itemsize > 1:
            raw = bytearray(a.nbytes + 1)
            raw[1:] = np.ascontiguousarray(a).tobytes()
            a = np.frombuffer(raw, a.dtype, count=a.size, offset=1).reshape(a.shape)
        elif layout == "readonly":
            a = a.copy()
            a.flags.writeable = False
        elif layout == "fortran":
            a = np.asfortranarray(a)
        return a

    python_values = st.one_of(
        st.sampled_from(BIG_INTS),
        st.integers(-(2**70), 2**70),
        st.sampled_from(SPECIAL),
        st.booleans(),
        st.sampled_from([None, "3", [[1.0, 2.0], [3.0]], [1.0, [2.0]], [], [[]], b"ab"]),
        st.lists(st.floats(allow_nan=True), max_size=5),
        st.lists(st.lists(st.floats(-10, 10), min_size=3, max_size=3), max_size=3),
    )

    def good(kind: str) -> Any:  # a value of the declared type, sizes from the menu
        if kind == "I":
            return st.lists(
                st.one_of(st.sampled_from(BIG_INTS), st.integers(-6, 6)), max_size=4
            ).map(lambda v: np.array(v, "int64"))
        if kind == "i":
            return st.one_of(st.sampled_from(BIG_INTS), st.integers(-6, 6))
        ndim = declared[kind][1]
        return st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim).flatmap(
            lambda shape: st.lists(
                st.one_of(st.sampled_from(SPECIAL), st.floats(-1e3, 1e3)),
                min_size=int(np.prod(shape)),
                max_size=int(np.prod(shape)),
            ).map(lambda v, shape=shape: np.array(v, "float64").reshape(shape))
        )

    def argument(kind: str) -> Any:
        if kind == "r":
            return st.one_of(st.none(), arrays(), st.tuples(arrays(), st.booleans()), python_values)
        if kind == "s":  # sizes to allocate: small, negative or overflowing, never a size
            # that fits but would take gigabytes (malloc may well succeed)
            return st.one_of(
                st.integers(-6, 6),
                st.sampled_from([-1, -(2**63), 2**62, 2**62 + 1, 2**63 - 1]),
                st.sampled_from([None, 1.5, "3", [2], np.int32(3), np.ones(2, np.int64)]),
            )
        return st.one_of(good(kind), good(kind), good(kind), arrays(), python_values)

    calls = st.sampled_from(sorted(functions)).flatmap(
        lambda name: st.tuples(st.just(name), st.tuples(*[argument(c) for c in kinds[name]]))
    )
    counts = {"cases": 0, "raised": 0, "returned": 0, "refused": 0}

    def expected(name: str, args: tuple[Any, ...]) -> Any:
        converted = []
        for c, a in zip(kinds[name], args, strict=True):
            dtype, ndim = declared[c]
            v = np.asarray(a, dtype=dtype)
            assert v.ndim == ndim
            converted.append(v if ndim else v[()])
        with np.errstate(all="ignore"):
            return functions[name][1](*converted)

    @settings(
        max_examples=cases,
        deadline=None,
        database=None,
        derandomize=cases <= CASES,
        suppress_health_check=list(HealthCheck),
    )
    @given(calls)
    def check(call: tuple[str, tuple[Any, ...]]) -> None:
        name, args = call
        counts["cases"] += 1
        sys.stderr.write(f"\r{name} {args!r}"[-2000:] + "\n")
        fn = functions[name][0]
        if name == "update":
            args, new_row = args[:1], args[1]
            if new_row is not None:  # any value, borrowed or not: accepted or refused
                value, borrow = new_row if isinstance(new_row, tuple) else (new_row, False)
                try:
                    row.set_value(value, borrow=borrow)
                except Exception:
                    counts["refused"] += 1
            before = (s.get_value(), row.get_value())
        try:
            result = fn(*args)
        except Exception:  # any Python exception is a correct answer to a bad input
            counts["raised"] += 1
            if name == "update":  # a call that raises changes no shared variable
                np.testing.assert_array_equal(s.get_value(), before[0])
                np.testing.assert_array_equal(row.get_value(), before[1])
            return
        counts["returned"] += 1
        if name == "update":
            v = np.asarray(args[0], "float64")
            np.testing.assert_array_equal(s.get_value(), before[0] + v)
            np.testing.assert_array_equal(row.get_value(), before[1] * v)
            s.set_value(np.zeros(3))
            return
        try:
            want = expected(name, args)
        except Exception as e:
            raise AssertionError(f"{name}{args!r} returned {result!r}; numpy raises {e!r}") from e
        got = result if isinstance(result, list) else [result]
        want = want if isinstance(want, list) else [want]
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=0, equal_nan=True)
            assert np.shape(g) == np.shape(w)

    check()
    print(
        f"{counts['cases']} cases: {counts['returned']} returned numpy's result, "
        f"{counts['raised']} raised; {counts['refused']} shared values refused by set_value"
    )


if __name__ == "__main__":
    _worker(int(sys.argv[1]))
