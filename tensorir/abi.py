"""The calling convention between compiled entry points and the runtime.

Each loop-level ``func.func @name(args) -> (results)`` becomes an exported C function::

    int64_t name(<args>, int64_t *out, int64_t *err)

Arguments, in order:

- a memref of rank r ("buffer"): ``T *data`` (``noalias``, row-major, contiguous) followed
  by r ``int64_t`` dims (every dim, static ones too); i1 elements are stored as one byte.
  ``ArgSpec.written`` says whether the code may write into it (an update written in place).
  ``noalias`` asks the caller that no byte of a written buffer is also reachable through
  another argument: ``runtime.kernel.Kernel`` checks it and copies what overlaps. Buffers
  that are only read may overlap each other (``noalias``, like C's ``restrict``, constrains
  only memory that the call modifies);
- a scalar ("scalar"): by value; ``bool`` as ``int8_t`` (0 or 1), complex as two values
  (real, imaginary) of the component type.

Results are written into ``out``, one 8-byte slot each, in order:

- a scalar takes one slot and is stored as numpy stores it, at the start of the slot
  (``float`` in 4 bytes, ``int8_t`` and ``bool`` in 1, ...); complex (real, imaginary as
  numpy's complex64 / complex128) is stored from its first slot and takes two;
- a memref of rank r takes 1 + r slots: the data pointer, then the dims. The buffer is a
  fresh ``tir_alloc`` buffer that the caller owns and must ``tir_release`` (below);
- a memref result that is argument k itself ("argument": an update written in place into
  its shared variable's buffer, see ``tir-bufferize``) takes no slot: the caller already
  holds it.

The return value is 0 on success, 1 when a run-time check failed, 2 when an allocation
failed and 3 (``DEVICE_ERROR``, GPU functions only) when a call of the device backend failed.
On a failed check, ``err[0]`` holds the check's 1-based id (``checks[id - 1]``) and
``err[1:]`` the values (as ``int64_t``) substituted into its message by ``str.format``; on a
failed allocation ``err[0]`` is 0; on a device error, the driver's error code; on success it
is -1 (so that the runtime can tell success without the return value).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["buffer", "scalar"]
ResultKind = Literal["buffer", "scalar", "argument"]

UPDATE_ATTR = "tir.update"
"""The result attribute (``{tir.update = k : i64}``) marking a result as the new value of
argument k (a shared variable); ``tir-bufferize`` may then write it into argument k's buffer
and return that argument itself."""

RUNTIME_ABI = 1
"""The version of what compiled code expects of the runtime: this calling convention and
the helpers it calls (``tir_alloc``, ``tir_release``, ``tir_parallel_for``, the BLAS names).
Raised when any of them changes; a saved function of another version is refused."""

LIBM_PREFIX = "__tir_libm_"
"""Generated code may call libm's ``f`` as ``__tir_libm_f``, a name LLVM does not recognise
(so it neither rewrites nor speculates the call); the JIT resolves it to libm's ``f``."""

PARALLEL_ATTR = "tir.parallel"
"""The unit attribute (``scf.for ... {tir.parallel}``) marking an outermost loop whose
iterations are independent (``tir-parallel-loops``); the emitter may run them on threads."""

PARALLEL_FOR = "tir_parallel_for"
"""``void tir_parallel_for(void (*body)(void *ctx, int64_t lo, int64_t hi), void *ctx,
int64_t n, int64_t grain)``: the thread pool's entry point (``runtime/threads.py``), which
compiled code calls for a parallel loop whose work is large. It runs ``body(ctx, lo, hi)``
over chunks of ``[0, n)`` of at least ``grain`` iterations, on its threads and the caller's,
and returns when every chunk is done; with one thread, or when the pool is busy with another
caller's loop, it runs ``body(ctx, 0, n)`` itself."""

ALLOC = "tir_alloc"
RELEASE = "tir_release"
"""``void *tir_alloc(int64_t n)`` and ``void tir_release(void *p)``: compiled code allocates
every buffer with ``tir_alloc`` (``n`` bytes, at least 1) and frees its own with
``tir_release``; the owner of a buffer result releases it with ``tir_release`` too. They are
the runtime's (``runtime/alloc.py``: ``malloc`` and ``free``, plus huge pages and reuse for
large buffers)."""

DEVICE_FUNCTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tir_dev_alloc": ("ptr", ("i64",)),
    "tir_dev_release": ("void", ("ptr",)),
    "tir_dev_read": ("i32", ("ptr", "ptr", "i64")),
    "tir_dev_write": ("i32", ("ptr", "ptr", "i64")),
    "tir_dev_copy": ("i32", ("ptr", "ptr", "i64")),
    "tir_dev_launch": ("i32", ("ptr", "i64", "i64", "i64", "i64", "ptr")),
}
"""What host code compiled for the GPU calls, defined by the runtime's device backend
(``runtime/device.py``), as (LLVM return type, argument types): ``void
*tir_dev_alloc(int64_t n)`` (null when out of memory) and ``tir_dev_release(p)``; ``int
tir_dev_read(void *host, void *device, int64_t n)``, ``tir_dev_write(void *device, void
*host, n)``, ``tir_dev_copy(void *to, void *from, n)`` (device to device) and
``tir_dev_launch(void *kernel, int64_t grid_x, grid_y, block_x, block_y, void **params)``
(``params[i]`` points at the kernel's i-th argument, as ``cuLaunchKernel`` takes them)
return 0 or the driver's error code. Reads are synchronous; everything else is ordered on
the backend's stream."""


BLAS_PREFIX = "tensorir_cblas_"
"""Compiled code calls BLAS routine ``<x>`` as ``tensorir_cblas_<x>`` (``tir-linalg-to-blas``;
the CPU's from ``runtime/blas.py``, the GPU's as ``DEVICE_BLAS``)."""


def _gemm(real: str) -> tuple[str, tuple[str, ...]]:
    return ("i32", ("i32", "i32", "i32", "i64", "i64", "i64", real, "ptr", "i64", "ptr", "i64",
                    real, "ptr", "i64"))  # fmt: skip


def _gemv(real: str) -> tuple[str, tuple[str, ...]]:
    return ("i32", ("i32", "i32", "i64", "i64", real, "ptr", "i64", "ptr", "i64", real, "ptr",
                    "i64"))  # fmt: skip


DEVICE_BLAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tir_dev_blas_dgemm": _gemm("f64"),
    "tir_dev_blas_sgemm": _gemm("f32"),
    "tir_dev_blas_dgemv": _gemv("f64"),
    "tir_dev_blas_sgemv": _gemv("f32"),
    "tir_dev_blas_ddot": ("i32", ("i64", "ptr", "i64", "ptr", "i64", "ptr")),
    "tir_dev_blas_sdot": ("i32", ("i64", "ptr", "i64", "ptr", "i64", "ptr")),
}
"""The BLAS routines on device memory that host code compiled for the GPU calls in place of
``tensorir_cblas_<x>`` (``tir-linalg-to-blas``: CBLAS's row-major arguments, enums as
``int32_t``, sizes as ``int64_t``), where the backend has them (``Backend.has_blas``: cuBLAS
for the driver, the CPU's BLAS for the emulator). Each returns 0 or an error code; ``dot``
writes its result through its last argument (host memory)."""

DEVICE_ERROR = 3
"""The return code of a GPU function whose call of the device backend failed."""

MAX_CHECK_VALUES = 16
"""At most this many values per check; ``err`` needs ``1 + MAX_CHECK_VALUES`` slots."""


@dataclass(frozen=True)
class ArgSpec:
    """One argument: a buffer (``ndim`` >= 0) or a scalar (``ndim`` == 0) of ``dtype``;
    ``written``: a buffer the code may write into (see ``llvm_emitter.written_arguments``).
    ``static`` lists a buffer's static sizes as ``(dim, size)`` pairs (a broadcastable dim is
    the static size 1): the code reads such a dim at that size whatever size is passed, so the
    caller checks them before the call."""

    kind: Kind
    dtype: str
    ndim: int = 0
    written: bool = False
    static: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class ResultSpec:
    """One result: a fresh buffer the caller owns, a scalar, or ("argument") the buffer of
    argument ``arg``, returned in place. ``update``: the argument (a shared variable's buffer)
    whose new value this result is, -1 for an output (from ``UPDATE_ATTR``); the runtime
    commits it there."""

    kind: ResultKind
    dtype: str
    ndim: int = 0
    arg: int = -1
    update: int = -1

    @property
    def slots(self) -> int:
        """Number of ``out`` slots this result takes."""
        if self.kind == "buffer":
            return 1 + self.ndim
        if self.kind == "argument":
            return 0
        return 2 if self.dtype.startswith("complex") else 1


# The exceptions a run-time check (``tir.check``) may raise, by the name its ``kind`` gives.
CHECK_EXCEPTIONS: dict[str, type[Exception]] = {
    "ValueError": ValueError,
    "IndexError": IndexError,
    "TypeError": TypeError,
    "RuntimeError": RuntimeError,
    "AssertionError": AssertionError,  # NanGuardMode's, as Theano's
}


@dataclass(frozen=True)
class CheckSpec:
    """A run-time check: raises ``kind`` (an exception name) with ``message.format(*values)``."""

    kind: str
    message: str


@dataclass(frozen=True)
class FunctionABI:
    """How to call one compiled entry point."""

    name: str
    args: tuple[ArgSpec, ...] = ()
    results: tuple[ResultSpec, ...] = ()
    checks: tuple[CheckSpec, ...] = field(default_factory=tuple)

    @property
    def out_slots(self) -> int:
        return sum(r.slots for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FunctionABI:
        return cls(
            name=d["name"],
            args=tuple(
                ArgSpec(**{**a, "static": tuple(tuple(p) for p in a.get("static", ()))})
                for a in d["args"]
            ),
            results=tuple(ResultSpec(**r) for r in d["results"]),
            checks=tuple(CheckSpec(**c) for c in d["checks"]),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, s: str) -> FunctionABI:
        return cls.from_dict(json.loads(s))
