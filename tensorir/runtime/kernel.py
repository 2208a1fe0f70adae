"""The raw call of a compiled entry point (see ``tensorir.runtime.abi``) through cffi."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import _cffi_backend
import cffi
import numpy as np

from tensorir.runtime.abi import CHECK_EXCEPTIONS, MAX_CHECK_VALUES, FunctionABI

ffi = cffi.FFI()
ffi.cdef("void free(void *);")
_libc = ffi.dlopen(None)
_ids = itertools.count()

_SCALAR_C = {
    "bool": "int8_t",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "int64": "int64_t",
    "float32": "float",
    "float64": "double",
    "complex64": "float",
    "complex128": "double",
}


def _fail(abi: FunctionABI, rc: int, err: Any) -> None:
    if rc == 1:
        check = abi.checks[err[0] - 1]
        values = [err[i] for i in range(1, MAX_CHECK_VALUES + 1)]
        raise CHECK_EXCEPTIONS.get(check.kind, RuntimeError)(check.message.format(*values))
    if rc == 2:
        raise MemoryError(f"{abi.name}: out of memory")
    raise RuntimeError(f"{abi.name}: compiled code returned {rc}")


class Kernel:
    """Calls a compiled entry point: ``kernel(*args) -> list[np.ndarray]``.

    Buffer arguments must be C-contiguous numpy arrays of the ABI's dtype and ndim (not
    copied; dtype and ndim are checked); scalar arguments are Python or numpy scalars.
    Buffer results are numpy arrays owning the returned memory; scalar results are 0-d
    arrays; an "argument" result (written in place) is the argument array itself. A failed
    check raises its exception; a failed allocation raises MemoryError. The call is generated
    Python code specialised to the ABI (``make_call``); thread-safe (each call takes its own
    out/err buffer from a pool), and the GIL is released while the kernel runs.
    """

    def __init__(self, abi: FunctionABI, address: int, owner: object = None):
        self.abi = abi
        self.address = address
        self.owner = owner  # keeps the code alive (e.g. its JITLibrary)
        nslots = abi.out_slots
        # Per call: an out/err buffer from a pool (cffi releases the GIL during the call).
        self._pool: list[tuple[Any, ...]] = []
        env: dict[str, Any] = {
            "pool": self._pool,
            "make": self._make_buffers,
            "from_buffer": ffi.from_buffer,
            # ffi.gc is a Python method around this C function: see make_call
            "gc": _cffi_backend.gcp,
            "buffer": ffi.buffer,
            "free": _libc.free,
            "frombuffer": np.frombuffer,
            "fail": lambda rc, err: _fail(abi, rc, err),
            "bad": self._bad_arg,
        }
        params: list[str] = []
        call: list[str] = []
        pre: list[str] = []  # argument checks and unpacking
        argnames = [f"a{i}" for i in range(len(abi.args))]
        for i, (a, name) in enumerate(zip(abi.args, argnames, strict=True)):
            if a.kind == "buffer":
                env[f"D{i}"] = np.dtype(a.dtype)
                dims = [f"{name}_{j}" for j in range(a.ndim)]
                pre.append(f"if {name}.dtype != D{i}: bad({i}, {name})")
                pre.append(f"({', '.join(dims)}{',' if dims else ''}) = {name}.shape")
                params += ["char *"] + ["int64_t"] * a.ndim
                call += [f"from_buffer({name})"] + dims
            elif a.dtype.startswith("complex"):
                params += [_SCALAR_C[a.dtype]] * 2
                call += [f"{name}.real", f"{name}.imag"]
            else:
                params.append(_SCALAR_C[a.dtype])
                call.append(f"(1 if {name} else 0)" if a.dtype == "bool" else name)
        self._argnames = argnames
        self._pre, self._call_args = pre, call
        self._env = env
        self._nslots = nslots
        self._views: list[tuple[int, np.dtype]] = []  # scalar results: slot and dtype
        self._owned: list[tuple[str, str]] = []  # buffer results: pointer, size in bytes
        self._results: list[str] = []
        slot = 0
        for i, r in enumerate(abi.results):
            env[f"R{i}"] = dt = np.dtype(r.dtype)
            if r.kind == "argument":  # written in place: the argument object itself
                self._results.append(argnames[r.arg])
                continue
            if r.kind == "buffer":
                dims = [f"buf[{slot + 1 + j}]" for j in range(r.ndim)]
                n = "*".join([str(dt.itemsize), *dims])
                arr = f"frombuffer(buffer(owners[{len(self._owned)}], {n}), R{i})"
                if r.ndim != 1:
                    arr += f".reshape(({', '.join(dims)}))"
                self._owned.append((f"pp[{slot}]", n))
                self._results.append(arr)
            else:
                self._results.append(f"views[{len(self._views)}].copy()")
                self._views.append((slot, dt))
            slot += r.slots
        env["fn"] = ffi.cast(
            f"int64_t (*)({', '.join([*params, 'int64_t *', 'int64_t *'])})", address
        )
        self.call: Callable[..., list[np.ndarray]] = self.make_call()
        """The generated call itself (``kernel.call(*args)`` saves one Python call)."""

    def make_call(self, commit: Sequence[tuple[Any, int]] = ()) -> Callable[..., list[np.ndarray]]:
        """The call, generated for this ABI; with ``commit``, pairs ``(target, k)``, it also
        stores result ``k`` into ``target.value`` once the kernel has succeeded.

        All or nothing: the kernel writes its in-place updates, so once it has returned
        successfully the call finishes taking its buffers and storing every ``commit`` even if
        a signal handler raises meanwhile (Python runs handlers when a call returns, when a
        Python function starts and at backward jumps: never between the plain stores of the
        commit), then lets the exception through. Nothing that can run a handler comes between
        entering the ``try`` and the kernel's start, so an exception caught there came after the
        kernel, and ``err[0]`` tells whether it succeeded: the call sets it to -1, which the
        kernel keeps unless it fails (a check's id, or 0 for an allocation). The buffers it
        returned are taken in one C-level call (``owners.extend(map(gc, ...))``, no Python code
        in it): an exception leaks none.
        """
        env = dict(self._env)
        commits = []
        for j, (target, k) in enumerate(commit):
            env[f"t{j}"] = target
            commits.append(f"t{j}.value = result[{k}]")

        def finish(indent: str, again: bool) -> list[str]:
            lines = []
            if self._owned:
                ptrs = ", ".join(p for p, _ in self._owned) + ","
                sizes = ", ".join(n for _, n in self._owned) + ","
                take = f"owners.extend(map(gc, ({ptrs}), frees, ({sizes})))"
                lines.append(f"if not owners: {take}" if again else take)
            lines.append(f"result = [{', '.join(self._results)}]")
            lines += commits
            return [indent + line for line in lines]

        env["frees"] = [_libc.free] * len(self._owned)
        args = ", ".join([*self._call_args, "buf", "err"])
        src = "\n    ".join(
            [
                f"def call({', '.join(self._argnames)}):",
                *self._pre,
                "try:\n        item = pool.pop()",
                "except IndexError:\n        item = make()",
                "buf, err, pp, views, owners = item",
                f"args = ({args},)",
                "try:",
                "    err[0] = -1",
                "    rc = fn(*args)",
                "    if rc:\n            fail(rc, err)",
                *finish("    ", False),
                "except BaseException:",
                "    if err[0] == -1:  # the kernel succeeded: finish the call, then raise",
                *finish("        ", True),
                "    raise",
                *(["del owners[:]"] if self._owned else []),
                "pool.append(item)",
                "return result",
            ]
        )
        exec(compile(src, f"<kernel {self.abi.name}>", "exec"), env)
        call = env["call"]
        call.source = src
        if not commit:
            self.source = src
        return call

    def _make_buffers(self) -> tuple[Any, ...]:
        buf = ffi.new("int64_t[]", self._nslots + 1 + MAX_CHECK_VALUES)
        raw = np.frombuffer(ffi.buffer(buf), np.uint8)
        views = [raw[8 * k : 8 * k + dt.itemsize].view(dt).reshape(()) for k, dt in self._views]
        return buf, buf + self._nslots, ffi.cast("char **", buf), views, []

    def __call__(self, *args: Any) -> list[np.ndarray]:
        return self.call(*args)

    def _bad_arg(self, i: int, a: Any) -> None:
        spec = self.abi.args[i]
        raise TypeError(
            f"{self.abi.name}: argument {i} must be a {spec.dtype} array of ndim {spec.ndim}, "
            f"got {getattr(a, 'dtype', type(a).__name__)}"
        )
