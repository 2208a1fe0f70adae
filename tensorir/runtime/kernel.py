"""The raw call of a compiled entry point (see ``tensorir.runtime.abi``) through cffi."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

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
    Python code specialised to the ABI; thread-safe.
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
            "gc": ffi.gc,
            "buffer": ffi.buffer,
            "free": _libc.free,
            "frombuffer": np.frombuffer,
            "fail": lambda rc, err: _fail(abi, rc, err),
            "bad": self._bad_arg,
            "bad_shape": self._bad_shape,
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
                if a.static:  # sizes the code takes as they are typed (broadcastable: 1)
                    same = " and ".join(f"{name}_{j} == {n}" for j, n in a.static)
                    pre.append(f"if not ({same}): bad_shape({i}, {name})")
                params += ["char *"] + ["int64_t"] * a.ndim
                call += [f"from_buffer({name})"] + dims
            elif a.dtype.startswith("complex"):
                params += [_SCALAR_C[a.dtype]] * 2
                call += [f"{name}.real", f"{name}.imag"]
            else:
                params.append(_SCALAR_C[a.dtype])
                call.append(f"(1 if {name} else 0)" if a.dtype == "bool" else name)
        post: list[str] = []  # buffer results: pointer, dims, size
        results: list[str] = []
        self._views: list[tuple[int, np.dtype]] = []  # scalar results: slot and dtype
        slot = 0
        for i, r in enumerate(abi.results):
            env[f"R{i}"] = dt = np.dtype(r.dtype)
            if r.kind == "argument":  # written in place: the argument object itself
                results.append(argnames[r.arg])
                continue
            if r.kind == "buffer":
                dims = [f"buf[{slot + 1 + j}]" for j in range(r.ndim)]
                post.append(f"p{i} = pp[{slot}]; n{i} = {'*'.join([str(dt.itemsize), *dims])}")
                arr = f"frombuffer(buffer(gc(p{i}, free, n{i}), n{i}), R{i})"
                if r.ndim != 1:
                    arr += f".reshape(({', '.join(dims)}))"
                results.append(arr)
            else:
                results.append(f"views[{len(self._views)}].copy()")
                self._views.append((slot, dt))
            slot += r.slots
        self._nslots = nslots
        env["fn"] = ffi.cast(
            f"int64_t (*)({', '.join([*params, 'int64_t *', 'int64_t *'])})", address
        )
        src = "\n    ".join(
            [
                f"def call({', '.join(argnames)}):",
                *pre,
                "try:\n        item = pool.pop()",
                "except IndexError:\n        item = make()",
                "buf, err, pp, views = item",
                f"rc = fn({', '.join([*call, 'buf', 'err'])})",
                "if rc: fail(rc, err)",
                *post,
                f"result = [{', '.join(results)}]",
                "pool.append(item)",
                "return result",
            ]
        )
        exec(compile(src, f"<kernel {abi.name}>", "exec"), env)
        self.source = src
        self.call: Callable[..., list[np.ndarray]] = env["call"]
        """The generated call itself (``kernel.call(*args)`` saves one Python call)."""

    def _make_buffers(self) -> tuple[Any, ...]:
        buf = ffi.new("int64_t[]", self._nslots + 1 + MAX_CHECK_VALUES)
        raw = np.frombuffer(ffi.buffer(buf), np.uint8)
        views = [raw[8 * k : 8 * k + dt.itemsize].view(dt).reshape(()) for k, dt in self._views]
        return buf, buf + self._nslots, ffi.cast("char **", buf), views

    def __call__(self, *args: Any) -> list[np.ndarray]:
        return self.call(*args)

    def _bad_shape(self, i: int, a: Any) -> None:
        spec = self.abi.args[i]
        expected = ["?"] * spec.ndim
        for j, n in spec.static:
            expected[j] = str(n)
        raise TypeError(
            f"{self.abi.name}: argument {i} ({spec.dtype}) must have the shape "
            f"({', '.join(expected)}{',' if spec.ndim == 1 else ''}) (a broadcastable dim has "
            f"size 1), got shape {a.shape}"
        )

    def _bad_arg(self, i: int, a: Any) -> None:
        spec = self.abi.args[i]
        raise TypeError(
            f"{self.abi.name}: argument {i} must be a {spec.dtype} array of ndim {spec.ndim}, "
            f"got {getattr(a, 'dtype', type(a).__name__)}"
        )
