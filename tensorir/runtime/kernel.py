"""The raw call of a compiled entry point (see ``tensorir.abi``) through cffi."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from typing import Any

import _cffi_backend
import cffi
import numpy as np

from tensorir.abi import CHECK_EXCEPTIONS, MAX_CHECK_VALUES, RELEASE, FunctionABI

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


@functools.cache
def _release() -> Any:
    """The runtime's ``tir_release``, which frees a buffer that compiled code allocated."""
    from tensorir.runtime import alloc

    return ffi.cast("void (*)(void *)", alloc.address(RELEASE))


def _fail(abi: FunctionABI, rc: int, err: Any) -> None:
    if rc == 1:
        check = abi.checks[err[0] - 1]
        values = [err[i] for i in range(1, MAX_CHECK_VALUES + 1)]
        raise CHECK_EXCEPTIONS.get(check.kind, RuntimeError)(check.message.format(*values))
    if rc == 2:
        raise MemoryError(f"{abi.name}: out of memory")
    raise RuntimeError(f"{abi.name}: compiled code returned {rc}")


def _overlap_checks(abi: FunctionABI) -> list[str]:
    """Lines of the generated call that make every written buffer argument share no byte
    with another buffer argument (the ``noalias`` contract, see ``tensorir.abi``).
    ``p<i>`` is argument i's ``char[]`` (its bytes, C-contiguous) and ``e<i>`` its end: two
    arguments overlap iff each starts before the other ends. A written argument that overlaps
    an earlier written one is replaced by a copy (returned as its "argument" result, so the
    caller stores the copy); an argument only read that overlaps a written one is passed as a
    copy, and the caller's array is left as it is. Only pairs with a written argument are
    compared: buffers only read may overlap."""
    buffers = [i for i, a in enumerate(abi.args) if a.kind == "buffer"]
    written = [i for i in buffers if abi.args[i].written]
    lines = [f"e{k} = p{k} + len(p{k})" for k in written]
    for n, k in enumerate(written):
        for j in written[n + 1 :]:
            lines.append(
                f"if p{k} < e{j} and p{j} < e{k}:\n        a{j} = a{j}.copy(); "
                f"p{j} = from_buffer(a{j}); e{j} = p{j} + len(p{j})"
            )
    for j in buffers:
        if j in written:
            continue
        overlaps = " or ".join(f"(p{j} < e{k} and p{k} < e{j})" for k in written)
        lines.append(f"e{j} = p{j} + len(p{j})")
        lines.append(f"if {overlaps}: p{j} = from_buffer(a{j}.copy())")
    return lines


class Kernel:
    """Calls a compiled entry point: ``kernel(*args) -> list[np.ndarray]``.

    Buffer arguments must be C-contiguous numpy arrays of the ABI's dtype and ndim (not
    copied; dtype and ndim are checked); scalar arguments are Python or numpy scalars.
    Arguments may share memory: when the code writes into a buffer (an update in place), any
    other buffer argument that overlaps it is passed as a copy, and a written buffer that
    overlaps an earlier written one is replaced by a copy (see ``_overlap_checks``).
    Buffer results are numpy arrays owning the returned memory; scalar results are 0-d
    arrays; an "argument" result (written in place) is the argument array itself (or the copy
    that replaced it). A failed
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
            "free": _release(),
            "frombuffer": np.frombuffer,
            "ndarray": np.ndarray,
            "fail": lambda rc, err: _fail(abi, rc, err),
            "bad": self._bad_arg,
            "bad_shape": self._bad_shape,
        }
        params: list[str] = []
        call: list[str] = []
        pre: list[str] = []  # argument checks and unpacking
        argnames = [f"a{i}" for i in range(len(abi.args))]
        checked = any(a.kind == "buffer" and a.written for a in abi.args)
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
                pre.append(f"p{i} = from_buffer({name})")
                call += [f"p{i}"] + dims
            elif a.dtype.startswith("complex"):
                params += [_SCALAR_C[a.dtype]] * 2
                pre.append(f"{name}_re, {name}_im = {name}.real, {name}.imag")
                call += [f"{name}_re", f"{name}_im"]
            elif a.dtype == "bool":
                params.append(_SCALAR_C[a.dtype])
                pre.append(f"{name}_b = 1 if {name} else 0")
                call.append(f"{name}_b")
            else:
                params.append(_SCALAR_C[a.dtype])
                call.append(name)
        if checked:
            pre += _overlap_checks(abi)
        self._argnames = argnames
        self._pre, self._call_args = pre, call
        self._env = env
        self._nslots = nslots
        self._views: list[tuple[int, np.dtype]] = []  # scalar results: slot and dtype
        # each result: ("argument", name), ("scalar", expression) or ("buffer", (slot, size
        # in bytes, dims))
        self._results: list[tuple[str, Any]] = []
        slot = 0
        for i, r in enumerate(abi.results):
            env[f"R{i}"] = dt = np.dtype(r.dtype)
            if r.kind == "argument":  # written in place: the argument object itself
                self._results.append(("argument", argnames[r.arg]))
                continue
            if r.kind == "buffer":
                dims = [f"buf[{slot + 1 + j}]" for j in range(r.ndim)]
                self._results.append(("buffer", (slot, "*".join([str(dt.itemsize), *dims]), dims)))
            else:
                self._results.append(("scalar", f"views[{len(self._views)}].copy()"))
                self._views.append((slot, dt))
            slot += r.slots
        env["fn"] = ffi.cast(
            f"int64_t (*)({', '.join([*params, 'int64_t *', 'int64_t *'])})", address
        )

    def make_call(self, commit: Sequence[tuple[Any, int]] = ()) -> Callable[..., list[np.ndarray]]:
        """The call, generated for this ABI (``call_source``)."""
        lines, env = self.call_source(commit)
        src = "\n    ".join([f"def call({', '.join(self._argnames)}):", *lines, "return result"])
        exec(compile(src, f"<kernel {self.abi.name}>", "exec"), env)
        call = env["call"]
        call.source = src
        return call

    @functools.cached_property
    def call(self) -> Callable[..., list[np.ndarray]]:
        """The generated call itself (``kernel.call(*args)`` saves one Python call), made
        when first used: a function with updates calls ``make_call(commit)`` instead."""
        return self.make_call()

    @property
    def source(self) -> str:
        """The source of ``call``."""
        return self.call.source  # type: ignore[attr-defined, no-any-return]

    def call_source(self, commit: Sequence[tuple[Any, int]] = ()) -> tuple[list[str], dict]:
        """The lines of the call and the globals they use: they take the arguments from the
        locals ``a0``, ``a1``, ... and leave the list of results in ``result``; a line may hold
        nested lines (after a newline, indented from its own start by 4 more spaces). With
        ``commit``, pairs ``(target, k)``, they also store result ``k`` into ``target._value``
        (a ``SharedContainer``'s array, unchecked) once the kernel has succeeded.

        All or nothing: the kernel writes its in-place updates, so once it has returned
        successfully the call stores every ``commit`` even if a signal handler raises meanwhile
        (Python runs handlers when a call returns, when a Python function starts and at
        backward jumps: never between the plain stores of the commit), then lets the exception
        through. Nothing that can run a handler comes between entering the ``try`` and the
        kernel's start, so an exception caught there came after the kernel, and ``err[0]``
        tells whether it succeeded (the kernel stores -1 there on success). Leaks: the buffers
        of committed results are taken in one C-level call (``owners.extend(map(gc, ...))``,
        no Python code in it), so an exception cannot lose one taken; each other buffer's slot
        is cleared just before ``gc`` takes it (a handler raising as ``gc`` returns drops the
        new owner, which frees it), and the handler frees the ones not yet taken.
        """
        env = dict(self._env)
        committed = {k for _, k in commit}
        buffers = [i for i, (kind, _) in enumerate(self._results) if kind == "buffer"]
        kept = [i for i in buffers if i in committed]  # taken together, as owners[j]
        plain = [i for i in buffers if i not in committed]  # each as o{i}

        def value(i: int) -> str:
            kind, x = self._results[i]
            if kind != "buffer":
                return x
            _, _, dims = x
            owner = f"owners[{kept.index(i)}]" if i in kept else f"o{i}"
            if len(dims) == 1:
                return f"frombuffer(buffer({owner}, n{i}), R{i})"
            return f"ndarray(({''.join(d + ', ' for d in dims)}), R{i}, buffer({owner}, n{i}))"

        sizes = [f"n{i} = {self._results[i][1][1]}" for i in kept]
        take = (
            f"owners.extend(map(gc, ({''.join(f'pp[{self._results[i][1][0]}], ' for i in kept)}), "
            f"frees, ({''.join(f'n{i}, ' for i in kept)})))"
        )
        body = [f"n{i} = {self._results[i][1][1]}" for i in plain]
        body += sizes + ([take] if kept else [])
        for i in plain:
            slot = self._results[i][1][0]
            body += [f"p{i} = pp[{slot}]", f"pp[{slot}] = NULL", f"o{i} = gc(p{i}, free, n{i})"]
        body.append(f"result = [{', '.join(value(i) for i in range(len(self._results)))}]")
        for j, (target, k) in enumerate(commit):
            env[f"t{j}"] = target
            body.append(f"t{j}._value = result[{k}]")
        slots = [self._results[i][1][0] for i in plain]
        recover = [f"if pp[{slot}]: free(pp[{slot}])" for slot in slots]
        recover += sizes + ([f"if not owners: {take}"] if kept else [])
        if commit:  # every value first, then the stores, with no call between them
            recover.append(f"new = [{', '.join(value(k) for _, k in commit)}]")
            recover += [f"t{j}._value = new[{j}]" for j in range(len(commit))]
        env["frees"] = [env["free"]] * len(kept)
        env["NULL"] = ffi.NULL
        args = ", ".join([*self._call_args, "buf", "err"])  # locals: no call evaluates them
        if recover:
            run = ["try:", f"    rc = fn({args})", "    if rc:\n            fail(rc, err)"]
            run += ["    " + line for line in body]
            run += ["except BaseException:"]
            run += ["    if err[0] == -1:  # the kernel succeeded: finish the call, then raise"]
            run += ["        " + line for line in recover] + ["    raise"]
        else:  # nothing to take or store: a handler raising after the kernel loses nothing
            run = [f"rc = fn({args})", "if rc:\n        fail(rc, err)", *body]
        lines = [
            *self._pre,
            "try:\n        item = pool.pop()",
            "except IndexError:\n        item = make()",
            "buf, err, pp, views, owners = item",
            *run,
            *(["del owners[:]"] if kept else []),
            "pool.append(item)",
        ]
        return lines, env

    def _make_buffers(self) -> tuple[Any, ...]:
        buf = ffi.new("int64_t[]", self._nslots + 1 + MAX_CHECK_VALUES)
        raw = np.frombuffer(ffi.buffer(buf), np.uint8)
        views = [raw[8 * k : 8 * k + dt.itemsize].view(dt).reshape(()) for k, dt in self._views]
        return buf, buf + self._nslots, ffi.cast("char **", buf), views, []

    def __call__(self, *args: Any) -> list[np.ndarray]:
        return self.call(*args)

    arg_names: Sequence[str] | None = None
    """What each argument is to the user (``input x``, ``shared variable w``), for messages;
    set by the ``Function`` that calls this kernel."""

    def _which(self, i: int) -> str:
        names = self.arg_names
        return f"argument {i}" + (f" ({names[i]})" if names and i < len(names) else "")

    def _bad_shape(self, i: int, a: Any) -> None:
        spec = self.abi.args[i]
        expected = ["?"] * spec.ndim
        for j, n in spec.static:
            expected[j] = str(n)
        raise TypeError(
            f"{self.abi.name}: {self._which(i)}, {spec.dtype}, must have the shape "
            f"({', '.join(expected)}{',' if spec.ndim == 1 else ''}) (a broadcastable dim has "
            f"size 1), got shape {a.shape}"
        )

    def _bad_arg(self, i: int, a: Any) -> None:
        spec = self.abi.args[i]
        raise TypeError(
            f"{self.abi.name}: {self._which(i)} must be a {spec.dtype} array of ndim {spec.ndim}, "
            f"got {getattr(a, 'dtype', type(a).__name__)}"
        )
