"""A compiled function as users call it: ``f(*inputs)`` converts each input to its type,
runs the kernel with the current values of its shared variables, commits their updates and
returns the outputs. Numpy and llvmlite only, so that it loads alone."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from types import MethodType
from typing import Any

import numpy as np

from tensorir.runtime.convert import converter
from tensorir.runtime.kernel import Kernel
from tensorir.runtime.native_call import native_call
from tensorir.runtime.shared import SharedContainer


@dataclass(frozen=True)
class InputSpec:
    name: str
    dtype: str
    broadcastable: tuple[bool, ...]


class Function:
    """Theano's compiled function: call it with one value per input (positionally or by
    input name); it returns one array, a list when the outputs were given as a list, or a dict
    (keyed by ``output_keys``) when they were given as a dict.

    The kernel's arguments are the inputs, then the arrays of the ``shared`` containers; its
    results are the outputs, then the updates: each says in the kernel's ABI which argument
    (which container of ``shared``) it replaces (``ResultSpec.update``). Updates are stored only
    once the kernel has returned, so a call that raises changes no shared variable; an update
    written in place comes back as the very array that was passed, and storing it changes
    nothing (unless the kernel had to replace that buffer by a copy because it overlapped
    another buffer it writes: the container then holds the copy). Inputs may share memory with
    each other and with shared variables' buffers (``borrow=True``): the kernel copies what
    overlaps a buffer it writes, so results are those of separate arrays.

    Threads: a function may be called from several threads at once. The kernel runs without
    the GIL. A call that updates shared variables holds the lock of every shared container it
    takes (acquired in one global order, by ``id``) from reading their values until its updates
    are stored, so calls updating a same variable (of this function or of others) are
    serialized and none is lost; a call without updates takes no lock, and may read a variable
    that another thread's call is updating in place (take ``get_value()`` of it, a copy made
    under its lock, for a consistent snapshot).

    Interruptions: a call commits all its updates or none. An exception raised meanwhile by a
    signal handler (``KeyboardInterrupt``) before the kernel starts leaves every shared
    variable as it was; once the kernel has returned successfully (its in-place writes done),
    the call stores its other updates before the exception goes on. No buffer leaks either way.
    """

    def __init__(
        self,
        kernel: Kernel,
        inputs: Sequence[InputSpec],
        outputs_as_list: bool,
        allow_input_downcast: bool | None,
        float_x: str,
        name: str,
        shared: Sequence[SharedContainer] = (),
        output_keys: Sequence[Any] | None = None,
    ):
        self.kernel = kernel
        if getattr(kernel, "arg_names", None) is None:  # the same for every copy of it
            kernel.arg_names = [f"input {spec.name}" for spec in inputs] + [
                f"shared variable {c.name}" for c in shared
            ]
        self.inputs = list(inputs)
        self.outputs_as_list = outputs_as_list
        self.allow_input_downcast = allow_input_downcast
        self.float_x = float_x
        self.name = name
        self.shared = list(shared)
        # the container each update result replaces, from the ABI (outputs come first)
        self.updates = [r.update - len(inputs) for r in kernel.abi.results if r.update >= 0]
        self.output_keys = None if output_keys is None else tuple(output_keys)
        self.n_outputs = len(kernel.abi.results) - len(self.updates)
        trailing = all(r.update >= 0 for r in kernel.abi.results[self.n_outputs :])
        if not trailing or any(not 0 <= u < len(self.shared) for u in self.updates):
            raise ValueError(f"{name}: updates {self.updates} do not match the kernel's results")
        self._positions = {spec.name: i for i, spec in enumerate(self.inputs)}
        self._converters = [
            converter(
                spec.dtype,
                spec.broadcastable,
                allow_input_downcast,
                float_x,
                f"{name}: input {i} ({spec.name}, {spec.dtype} with broadcastable "
                f"{spec.broadcastable})",
            )
            for i, spec in enumerate(self.inputs)
        ]

        self._n = len(self.inputs)
        call = self._generate_dunder_call()
        self.python_call = None if call is None else MethodType(call, self)
        """The call in Python (``__call__`` unless the native call is used)."""
        if call is not None and not self.shared and self.output_keys is None:
            # in machine code when the arguments are as the kernel takes them, else ``call``
            abi, address = self.kernel.abi, self.kernel.address
            call = native_call(abi, address, self.python_call, outputs_as_list) or call
        if call is not None:  # this instance's own class, whose __call__ is the whole call
            cls = type(self)
            self.__class__ = type(cls.__name__, (cls,), {
                "__call__": call, "__slots__": (), "__module__": cls.__module__,
                "__qualname__": cls.__qualname__,
            })  # fmt: skip

    @functools.cached_property
    def _fast(self) -> Any:
        """The call of converted arguments (``_generate_call``), made when first needed:
        the generated ``__call__`` takes most calls without it."""
        return self._generate_call()

    @property
    def source(self) -> str:
        """The source of ``_fast``."""
        self._fast  # noqa: B018 - generated on first use
        return self._source

    def _generate_dunder_call(self) -> Any:
        """``__call__`` as one generated function (no frame but its own: a call costs what
        numpy's does): positional arguments of exact type go straight to the conversions and
        the kernel's own lines (``Kernel.call_source``); anything else (keywords, a wrong
        count) goes through ``_bind`` and ``_fast``. None for a kernel with no source (a
        checking mode's)."""
        call_source = getattr(self.kernel, "call_source", None)
        if call_source is None:
            return None
        n = self.n_outputs
        commit = [(self.shared[k], n + j) for j, k in enumerate(self.updates)]
        lines, env = call_source(commit)
        names = [f"u{i}" for i in range(self._n)]
        env.update(M=_MISSING, keys=self.output_keys)
        missing = " or ".join(["rest", "kw", *(f"{u} is M" for u in names)])
        body = [
            f"if {missing}:",
            f"    return self._bound(({''.join(u + ', ' for u in names)}), rest, kw)",
        ]
        env["ndarray"] = np.ndarray
        for i, (spec, conv) in enumerate(zip(self.inputs, self._converters, strict=True)):
            env[f"c{i}"] = conv
            exact = {"float64": "float", "complex128": "complex"}.get(spec.dtype)
            if not spec.broadcastable and exact:
                body.append(f"a{i} = u{i} if type(u{i}) is {exact} else c{i}(u{i})")
            elif spec.broadcastable and not any(spec.broadcastable):
                # the converter's fast path inline: an array as the kernel takes it
                env[f"T{i}"] = np.dtype(spec.dtype)
                exact = (
                    f"type(u{i}) is ndarray and u{i}.dtype is T{i} and "
                    f"u{i}.ndim == {len(spec.broadcastable)} and u{i}.flags.carray"
                )
                body.append(f"a{i} = u{i} if {exact} else c{i}(u{i})")
            else:
                body.append(f"a{i} = c{i}(u{i})")
        inner = [f"a{self._n + k} = s{k}._value" for k in range(len(self.shared))] + lines
        for k, container in enumerate(self.shared):
            env[f"s{k}"] = container
        inner = [*inner, f"return {self._outputs('result')}"]
        body += self._under_locks(inner, [f"a{i}" for i in range(self._n)], env)
        params = "".join(f"{u}=M, " for u in names)
        src = f"def __call__(self, {params}/, *rest, **kw):\n    " + "\n    ".join(body)
        exec(compile(src, f"<function {self.name}>", "exec"), env)
        self.call_source = src
        return env["__call__"]

    def _outputs(self, results: str) -> str:
        """What a call returns, from the list ``results`` of the kernel's results."""
        n, r = self.n_outputs, results
        if self.output_keys is not None:
            return f"dict(zip(keys, {r}[:{n}]))" if self.updates else f"dict(zip(keys, {r}))"
        if self.outputs_as_list:
            return f"{r}[:{n}]" if self.updates else r
        return f"{r}[0]"

    def _under_locks(self, inner: list[str], args: list[str], env: dict[str, Any]) -> list[str]:
        """Lines that run ``inner`` (lines that end with a return, using the locals ``args``)
        holding the lock of every shared container when the call has updates, taken in one
        global order (by ``id``). Each group of ``_WITH_LOCKS`` is one with statement (it
        nests a block per lock, and Python allows 20 in a function): the first here, each next
        one in a function of its own that the previous calls. A signal handler may raise as
        such a function starts: the locks taken so far are released; nothing has run."""
        locks = [c.lock for c in sorted(set(self.shared), key=id)] if self.updates else []
        groups = [locks[i : i + _WITH_LOCKS] for i in range(0, len(locks), _WITH_LOCKS)]
        names = [f"L{j}" for j in range(len(locks))]
        env.update(zip(names, locks, strict=True))
        for g in range(len(groups) - 1, -1, -1):
            first = g * _WITH_LOCKS
            inner = [
                f"with {', '.join(names[first : first + len(groups[g])])}:",
                *("    " + line.replace("\n", "\n    ") for line in inner),
            ]
            if g:
                src = f"def locked{g}({', '.join(args)}):\n    " + "\n    ".join(inner)
                exec(compile(src, f"<function {self.name}>", "exec"), env)
                inner = [f"return locked{g}({', '.join(args)})"]
        return inner

    def _bound(self, given: tuple[Any, ...], rest: tuple[Any, ...], kw: dict[str, Any]) -> Any:
        """The call of arguments given otherwise than as one positional value per input."""
        return Function.__call__(self, *(a for a in given if a is not _MISSING), *rest, **kw)

    def _generate_call(self) -> Any:
        """The call specialised to these inputs, shared variables and updates: exact-type
        scalars skip their converter; with updates, the containers' locks are taken (in a
        fixed order) around reading their values, the kernel and storing the updates."""
        n = self.n_outputs
        commit = [(self.shared[k], n + j) for j, k in enumerate(self.updates)]
        make_call = getattr(self.kernel, "make_call", None)  # not DebugMode's CheckedKernel
        kcall = make_call(commit) if make_call is not None and commit else self.kernel.call
        stores = [] if make_call is not None else commit  # else stored here, after the call
        env: dict[str, Any] = {"kcall": kcall, "keys": self.output_keys}
        names, converted = [], []
        for i, (spec, conv) in enumerate(zip(self.inputs, self._converters, strict=True)):
            env[f"c{i}"] = conv
            names.append(f"a{i}")
            exact = {"float64": "float", "complex128": "complex"}.get(spec.dtype)
            if not spec.broadcastable and exact:
                converted.append(f"a{i} if type(a{i}) is {exact} else c{i}(a{i})")
            else:
                converted.append(f"c{i}(a{i})")
        body = [f"x{i} = {c}" for i, c in enumerate(converted)]
        args = [f"x{i}" for i in range(len(converted))]
        for k, container in enumerate(self.shared):
            env[f"s{k}"] = container
            args.append(f"s{k}._value")
        inner = [f"r = kcall({', '.join(args)})"]
        # no call between these stores: a signal handler cannot run halfway through them
        inner += [f"s{self.shared.index(t)}._value = r[{i}]" for t, i in stores]
        inner.append(f"return {self._outputs('r')}")
        body += self._under_locks(inner, [f"x{i}" for i in range(len(converted))], env)
        src = f"def call({', '.join(names)}):\n    " + "\n    ".join(body)
        exec(compile(src, f"<function {self.name}>", "exec"), env)
        self._source = src
        return env["call"]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write this function (its machine code, calling convention, inputs' and outputs'
        types, its shared variables' values and updates) to ``path``, one file that
        ``tensorir.runtime.load`` loads in a process without the compiler (``saved.py``)."""
        from tensorir.runtime.saved import save

        save(self, path)

    def export(self, library: str | os.PathLike[str], name: str) -> Any:
        """Write this function as the shared library ``library`` with the C header
        ``<name>.h`` next to it (``export.py``: ``int name(...)``, shared variables kept by
        the library); the paths of both."""
        from tensorir.runtime.export import export

        return export(self, library, name)

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError(
            f"{self.name}: a runtime Function holds machine code and cannot be pickled or "
            "copied; pickle the function made by tensorir.function, which is compiled again "
            "from its graph when unpickled"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs or len(args) != self._n:
            args = self._bind(args, kwargs)
        return self._fast(*args)

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        if len(args) > self._n or (not kwargs and len(args) != self._n):
            names = ", ".join(spec.name for spec in self.inputs)
            raise TypeError(
                f"{self.name}: expected {self._n} argument(s) ({names}), got {len(args)}"
            )
        values: list[Any] = list(args) + [_MISSING] * (len(self.inputs) - len(args))
        for key, value in kwargs.items():
            if key not in self._positions:
                raise TypeError(f"{self.name}: unknown input name {key!r}")
            i = self._positions[key]
            if i < len(values) and values[i] is not _MISSING:
                raise TypeError(f"{self.name}: input {key!r} given twice")
            values[i] = value
        missing = [self.inputs[i].name for i, v in enumerate(values) if v is _MISSING]
        if missing:
            raise TypeError(f"{self.name}: missing input(s) {', '.join(missing)}")
        return tuple(values)


_MISSING = object()

_WITH_LOCKS = 12
"""A generated call takes at most this many locks in one ``with`` statement."""
