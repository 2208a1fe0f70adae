"""``DebugMode``: every op of a compiled function checked against its numpy reference, as
Theano's ``theano.compile.debugmode.DebugMode``.

A DebugMode function compiles twice. The function itself, as in FAST_RUN (fused, updates in
place); and a probe: the function at the ``adjoint`` level with every ``tir`` op's result
made an extra result, so that no op is fused away and each one's compiled value comes back.
A call runs the probe on copies of the arguments, then walks the ``adjoint`` function op by
op: each op's reference (``tensorir.dialects.evaluate.evaluate_op``, the numpy semantics
beside the op's definition) is computed from the *compiled* values of its operands and
compared with its compiled result, so a mismatch is pinned on one op's lowering. The
function itself then runs, on copies too, and its results must match the probe's (a wrong
fusion, bufferization or in-place update shows there). Only then are the results returned
and the updates committed: a call that raises changes no shared variable.

Values compare as Theano's ``TensorType.values_eq_approx``: floats within ``rtol`` and
``atol`` (float64: 1e-5 and 1e-8; float32 and float16: 1e-5 and 1e-5, 1e-3 and 1e-3),
NaNs and infinities in the same places; integers and booleans exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    FunctionType,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.ir import Operation, SSAValue

from tensorir.compile.mode import Build, Mode
from tensorir.dialects.evaluate import evaluate_op

# (rtol, atol) by dtype, as Theano's
TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-3),
    "float32": (1e-5, 1e-5),
    "float64": (1e-5, 1e-8),
    "complex64": (1e-5, 1e-5),
    "complex128": (1e-5, 1e-8),
}


class DebugModeError(Exception):
    """A check of DebugMode failed."""


class BadThunkOutput(DebugModeError):
    """An op's compiled result differs from its numpy reference on the same operands."""


class InvalidValueError(DebugModeError):
    """An op computed a NaN or an infinity (with ``check_isfinite``)."""


class BadOptimization(DebugModeError):
    """The optimized function's results differ from those of its ops run one by one."""


class DebugMode(Mode):
    """Check every op against its reference on every call. ``check_isfinite`` (default True,
    as Theano's): a NaN or infinity in a float result raises InvalidValueError. The other
    arguments of Theano's DebugMode are accepted for compatibility (tensorir has one
    implementation of each op and no preallocated outputs)."""

    needs_adjoint = True

    def __init__(
        self,
        optimizer: str | None = "fast_run",
        stability_patience: int | None = None,
        check_c_code: bool | None = None,
        check_py_code: bool | None = None,
        check_isfinite: bool | None = None,
        check_preallocated_output: Sequence[str] | None = None,
        require_matching_strides: int | None = None,
        linker: str | None = None,
    ):
        super().__init__(linker, optimizer)
        self.check_isfinite = True if check_isfinite is None else bool(check_isfinite)

    def instrument(self, kernel: Any, adjoint: ModuleOp | None, build: Build) -> Any:
        assert adjoint is not None
        fn = _entry(adjoint)
        probes = _add_probes(adjoint.clone())
        return CheckedKernel(kernel, build(probes[0]), fn, probes[1], self.check_isfinite)


def _entry(module: ModuleOp) -> func.FuncOp:
    fns = [op for op in module.ops if isinstance(op, func.FuncOp) and not op.is_declaration]
    assert len(fns) == 1, "a compiled function's module has one function"
    return fns[0]


def _add_probes(module: ModuleOp) -> tuple[ModuleOp, list[int]]:
    """``module`` with the tensor results of its function's ``tir`` ops as extra results of
    the function; and the position of each probed value among the function's ops' results
    (counted over the entry block's ops in order)."""
    fn = _entry(module)
    block = fn.body.blocks.first
    assert block is not None
    ret = block.last_op
    assert isinstance(ret, func.ReturnOp)
    probed: list[SSAValue] = []
    positions: list[int] = []
    k = 0
    for op in block.ops:
        for r in op.results:
            if op.dialect_name() == "tir" and isinstance(r.type, TensorType):
                probed.append(r)
                positions.append(k)
            k += 1
    n = len(ret.operands)
    new_ret = func.ReturnOp(*ret.operands, *probed)
    block.insert_op_before(new_ret, ret)
    ret.detach()
    ret.erase()
    inputs = list(fn.function_type.inputs.data)
    fn.function_type = FunctionType.from_lists(inputs, [v.type for v in new_ret.operands])
    if fn.res_attrs is not None:
        fn.res_attrs = ArrayAttr(list(fn.res_attrs.data) + [DictionaryAttr({})] * len(probed))
    assert len(new_ret.operands) == n + len(probed)
    return module, positions


def _describe(v: SSAValue, value: np.ndarray) -> str:
    name = f"{v.name_hint} " if v.name_hint else ""
    return f"{name}{value.dtype} {value.shape}"


def _where(op: Operation) -> str:
    loc = op.attributes.get("loc")
    return f" (built at {loc.data})" if isinstance(loc, StringAttr) else ""


def difference(got: np.ndarray, ref: np.ndarray) -> str | None:
    """None when ``got`` equals ``ref`` as DebugMode compares; else what differs."""
    if got.dtype != ref.dtype or got.shape != ref.shape:
        return f"compiled {got.dtype} {got.shape}, reference {ref.dtype} {ref.shape}"
    if got.size == 0:
        return None
    if got.dtype.name in TOLERANCES:
        rtol, atol = TOLERANCES[got.dtype.name]
        close = np.isclose(got, ref, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = got == ref
    if close.all():
        return None
    with np.errstate(all="ignore"):
        gap = np.where(close, 0.0, np.abs(got.astype(complex) - ref.astype(complex)))
    gap = np.where(np.isnan(gap), np.inf, gap)  # a NaN where the other has a number
    at = np.unravel_index(int(np.argmax(gap)), got.shape)
    index = tuple(int(i) for i in at)
    return (
        f"largest difference {gap[at]} at index {index} "
        f"(compiled {got[at].item()!r}, reference {ref[at].item()!r})"
    )


class CheckedKernel:
    """A kernel that checks each call: see the module's docstring."""

    def __init__(
        self,
        kernel: Any,
        probe: Any,
        fn: func.FuncOp,
        positions: list[int],
        check_isfinite: bool,
    ):
        self.kernel = kernel
        self.abi = kernel.abi
        self.probe = probe
        self.fn = fn
        self.positions = positions
        self.check_isfinite = check_isfinite
        self.n_results = len(kernel.abi.results)

    def call(self, *args: Any) -> list[np.ndarray]:
        probe_out = self.probe.call(*_copies(args))
        self.check_ops(args, probe_out[self.n_results :])
        out = self.kernel.call(*_copies(args))
        for k, (got, ref) in enumerate(zip(out, probe_out, strict=False)):
            diff = difference(np.asarray(got), np.asarray(ref))
            if diff is not None:
                raise BadOptimization(
                    f"DebugMode: result {k} of {self.abi.name} as optimized differs from the "
                    f"same result computed op by op: {diff}"
                )
        return out

    __call__ = call

    def check_ops(self, args: Sequence[Any], probed: Sequence[np.ndarray]) -> None:
        block = self.fn.body.blocks.first
        assert block is not None
        env: dict[SSAValue, Any] = dict(zip(block.args, args, strict=True))
        compiled = dict(zip(self.positions, probed, strict=True))
        k = 0
        for op in block.ops:
            if isinstance(op, func.ReturnOp):
                break
            operands = [env[v] for v in op.operands]
            try:
                refs = evaluate_op(op, operands, env if op.regions else None)
            except Exception as e:
                raise BadThunkOutput(
                    f"DebugMode: {op.name}{_where(op)} ran compiled, but its reference "
                    f"raised {type(e).__name__}: {e}"
                ) from e
            for r, ref in zip(op.results, refs, strict=True):
                got = compiled.get(k)
                k += 1
                if got is None:
                    env[r] = ref
                    continue
                got = np.asarray(got)
                diff = difference(got, ref)
                if diff is not None:
                    inputs = ", ".join(
                        _describe(v, np.asarray(x))
                        for v, x in zip(op.operands, operands, strict=True)
                    )
                    raise BadThunkOutput(
                        f"DebugMode: {op.name}{_where(op)} computed a result that differs "
                        f"from its reference: {diff}; its inputs: {inputs or 'none'}"
                    )
                if self.check_isfinite and got.dtype.kind in "fc" and not np.isfinite(got).all():
                    bad = "NaN" if np.isnan(got).any() else "an infinity"
                    raise InvalidValueError(
                        f"DebugMode: {op.name}{_where(op)} computed {bad} (check_isfinite is on)"
                    )
                env[r] = got


def _copies(args: Sequence[Any]) -> list[Any]:
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]
