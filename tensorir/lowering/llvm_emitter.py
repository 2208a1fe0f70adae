"""Loop-level IR (L4: func, scf, arith, math, complex, memref, tir.check/reshape) to LLVM IR.

Translates straight into ``llvmlite.ir`` (no detour through xDSL's ``llvm`` dialect). Each
``func.func`` with a body becomes an exported entry point following the calling convention
of ``tensorir.abi``; private declarations become external functions (a memref
argument passes its data pointer only). A memref value is its data pointer and its dims
(row-major, contiguous); ``%m[%i, %j]`` is ``getelementptr inbounds T, data, i * d1 + j``
and data pointers of arguments are ``noalias``, so loops vectorise.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import IO, Any, ClassVar, NamedTuple

import llvmlite.ir as ir
from xdsl.dialects.builtin import (
    ArrayAttr,
    ComplexType,
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    i1,
)
from xdsl.dialects.func import FuncOp
from xdsl.ir import Attribute, Block, Operation, SSAValue

from tensorir.abi import (
    ALLOC,
    BLAS_PREFIX,
    PARALLEL_ATTR,
    PARALLEL_FOR,
    RELEASE,
    UPDATE_ATTR,
    ArgSpec,
    CheckSpec,
    FunctionABI,
    ResultSpec,
)
from tensorir.dialects import types as T
from tensorir.lowering import vecmath
from tensorir.lowering.parallel import owned

I1, I8, I32, I64 = ir.IntType(1), ir.IntType(8), ir.IntType(32), ir.IntType(64)
PTR = ir.PointerType()
VOID = ir.VoidType()

# arith.cmpi / arith.cmpf predicates, by their integer value.
_CMPI = [("==", True), ("!=", True), ("<", True), ("<=", True), (">", True), (">=", True),
         ("<", False), ("<=", False), (">", False), (">=", False)]  # fmt: skip
_CMPF = [None, ("o", "=="), ("o", ">"), ("o", ">="), ("o", "<"), ("o", "<="), ("o", "!="),
         ("o", "ord"), ("u", "=="), ("u", ">"), ("u", ">="), ("u", "<"), ("u", "<="),
         ("u", "!="), ("u", "uno"), None]  # fmt: skip
_FLOAT_BIN = {"addf": "fadd", "subf": "fsub", "mulf": "fmul", "divf": "fdiv", "remf": "frem"}
_INT_BIN = {"addi": "add", "subi": "sub", "muli": "mul", "andi": "and_", "ori": "or_",
            "xori": "xor", "shli": "shl", "shrsi": "ashr", "shrui": "lshr"}  # fmt: skip
_FLOAT_INTRINSIC = {"maximumf": "maximum", "minimumf": "minimum", "maxnumf": "maxnum",
                    "minnumf": "minnum"}  # fmt: skip
_MATH_INTRINSIC = {"absf": "fabs", "exp": "exp", "exp2": "exp2", "log": "log", "log2": "log2",
                   "log10": "log10", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
                   "floor": "floor", "ceil": "ceil", "trunc": "trunc", "round": "round",
                   "roundeven": "roundeven", "powf": "pow", "copysign": "copysign",
                   "fma": "fma"}  # fmt: skip
_MATH_LIBM = {"tanh", "log1p", "expm1", "erf", "tan", "sinh", "cosh", "asin", "acos", "atan",
              "atan2", "cbrt"}  # fmt: skip


class EmitError(ValueError):
    """The module holds something the LLVM emitter does not translate: it expects the loops
    level (``tir-lower-to-loops``)."""

    def __init__(self, message: str):
        super().__init__(
            f"{message} (the llvm target takes a module at the loops level: run "
            "-p tir-lower-to-loops first)"
        )


@dataclass
class EmittedModule:
    """LLVM IR text and the calling convention of each entry point."""

    llvm_ir: str
    functions: dict[str, FunctionABI]


class Memref(NamedTuple):
    """A memref value: data pointer, dims (i64 values) and element type in memory."""

    ptr: ir.Value
    dims: list[ir.Value]
    elem: ir.Type


MATH_CHOICES = ("vector", "libm")
"""Where elementary functions come from: ``vector``, tensorir's own (``vecmath.py``: inlined,
so loops that call them vectorize); ``libm``, LLVM's intrinsics and the C library (one
scalar call per element)."""


def emit_llvm_ir(module: ModuleOp, *, math: str = "vector") -> EmittedModule:
    """Translate a loop-level module into LLVM IR text; ``math`` is one of ``MATH_CHOICES``."""
    if math not in MATH_CHOICES:
        raise ValueError(f"math must be one of {', '.join(MATH_CHOICES)}, got {math!r}")
    return _ModuleEmitter(module, math).emit()


def print_llvm_ir(module: ModuleOp, output: IO[str], *, math: str = "vector") -> None:
    """Write the LLVM IR of a loop-level module to ``output``."""
    output.write(emit_llvm_ir(module, math=math).llvm_ir)


# --------------------------------------------------------------------------- types


def value_type(t: Attribute) -> ir.Type:
    """The LLVM type of an SSA value of type ``t`` (memrefs: their data pointer)."""
    if isinstance(t, IndexType):
        return I64
    if isinstance(t, IntegerType):
        return ir.IntType(t.width.data)
    if isinstance(t, Float64Type):
        return ir.DoubleType()
    if isinstance(t, Float32Type):
        return ir.FloatType()
    if isinstance(t, ComplexType):
        c = value_type(t.element_type)
        return ir.LiteralStructType([c, c])
    if isinstance(t, MemRefType):
        return PTR
    raise EmitError(f"llvm emitter: unsupported type {t}")


def memory_type(t: Attribute) -> ir.Type:
    """The LLVM type of an element in memory (i1 is one byte)."""
    return I8 if t == IntegerType(1) else value_type(t)


def dtype_name(t: Attribute) -> str:
    return "int64" if isinstance(t, IndexType) else T.dtype_of(t)


def _suffix(t: ir.Type) -> str:
    if isinstance(t, ir.IntType):
        return f"i{t.width}"
    return "f64" if isinstance(t, ir.DoubleType) else "f32"


def _const(t: ir.Type, v: Any) -> ir.Constant:
    if isinstance(t, ir.IntType):
        v = int(v) & ((1 << t.width) - 1)
        v = v - (1 << t.width) if t.width > 1 and v >= 1 << (t.width - 1) else v
    return ir.Constant(t, v)


# --------------------------------------------------------------------------- module


class _ModuleEmitter:
    def __init__(self, module: ModuleOp, math: str = "vector"):
        self.module = module
        self.vector_math = math == "vector"
        self.llmod = ir.Module(name="tensorir")
        self.functions: dict[str, ir.Function] = {}
        self.globals: dict[str, tuple[ir.GlobalVariable, MemRefType]] = {}
        self.abis: dict[str, FunctionABI] = {}
        self.kernel_checks: dict[str, tuple[CheckSpec, ...]] = {}  # each kernel's, in order
        self.bodies = {
            f.sym_name.data: f for f in module.ops if isinstance(f, FuncOp) and f.body.blocks
        }
        self.written: dict[str, set[int]] = {}  # written_arguments of each kernel, once

    def emit(self) -> EmittedModule:
        ops = list(self.module.ops)
        for op in ops:
            if isinstance(op, FuncOp) and not op.body.blocks:
                self._declare(op)
            elif op.name == "memref.global":
                self._global(op)
            elif not isinstance(op, FuncOp):
                self.other_top_level(op)
        for op in ops:  # kernels first: the entry points call them
            if isinstance(op, FuncOp) and op.body.blocks and is_kernel(op):
                self.function_emitter(self, op).emit_kernel()
        for op in ops:
            if isinstance(op, FuncOp) and op.body.blocks and not is_kernel(op):
                self.abis[op.sym_name.data] = self.function_emitter(self, op).emit()
        vecmath.finish(self.llmod)
        return EmittedModule(str(self.llmod), self.abis)

    @property
    def function_emitter(self) -> type[_FunctionEmitter]:
        """The class that emits each function (a target's may emit some ops otherwise)."""
        return _FunctionEmitter

    def other_top_level(self, op: Operation) -> None:
        """A top-level op other than a function or a global (a target may take more)."""
        raise EmitError(f"llvm emitter: unsupported top-level op {op.name}")

    def _declare(self, op: FuncOp) -> None:
        ft = op.function_type
        if len(ft.outputs.data) > 1:
            raise EmitError(f"llvm emitter: {op.sym_name.data} has several results")
        ret = value_type(ft.outputs.data[0]) if ft.outputs.data else VOID
        args = [value_type(t) for t in ft.inputs.data]
        self.functions[op.sym_name.data] = ir.Function(
            self.llmod, ir.FunctionType(ret, args), op.sym_name.data
        )

    def _global(self, op: Operation) -> None:
        name = op.properties["sym_name"].data  # type: ignore[attr-defined]
        mt = op.properties["type"]
        assert isinstance(mt, MemRefType)
        shape = list(mt.get_shape())
        n = 1
        for d in shape:
            n *= d
        elem = memory_type(mt.element_type)
        arr = ir.ArrayType(elem, n)
        gv = ir.GlobalVariable(self.llmod, arr, self.global_symbol(name))
        gv.linkage = self.global_linkage
        init = op.properties.get("initial_value")
        if isinstance(init, DenseIntOrFPElementsAttr):
            vals = list(init.get_values())
            if mt.element_type == i1:  # a 1-bit true reads as -1: numpy's bool byte is 1
                vals = [1 if v else 0 for v in vals]
            vals = vals * n if len(vals) == 1 else vals
            gv.initializer = ir.Constant(arr, [_const(elem, v) for v in vals])
        else:
            gv.initializer = ir.Constant(arr, None)
        gv.global_constant = "constant" in op.properties
        self.globals[name] = (gv, mt)

    global_linkage = "internal"
    """The linkage of a ``memref.global``'s LLVM global (external where the runtime looks it
    up by name: a GPU kernel module's)."""

    def global_symbol(self, name: str) -> str:
        """The LLVM name of ``memref.global @name``."""
        return f"__tensorir_global_{name}"

    def intrinsic(self, name: str, ret: ir.Type, args: Sequence[ir.Type]) -> ir.Function:
        fn = self.functions.get(name) or self.llmod.globals.get(name)  # vecmath's too
        if fn is None:
            fn = ir.Function(self.llmod, ir.FunctionType(ret, list(args)), name)
        self.functions[name] = fn
        return fn  # type: ignore[no-any-return]

    def allocator(self) -> ir.Function:
        """The runtime's ``tir_alloc`` (see ``tensorir.abi``)."""
        return self.intrinsic(ALLOC, PTR, [I64])

    def release_fn(self) -> ir.Function:
        """The runtime's ``tir_release``."""
        return self.intrinsic(RELEASE, VOID, [PTR])

    def free_all(self) -> ir.Function:
        """``free_all(slots, n)``: ``tir_release`` each of the ``n`` pointers at ``slots`` (a
        failure's cleanup; cold, never inlined nor optimised)."""
        name = "__tensorir_free_all"
        if name in self.functions:
            return self.functions[name]
        fn = self.intrinsic(name, VOID, [PTR, I64])
        fn.linkage = "internal"
        fn.attributes.add("noinline")
        fn.attributes.add("optnone")  # cold: not worth LLVM's unrolling it for each call site
        fn.attributes.add("cold")
        fn.attributes.add("nounwind")
        slots, n = fn.args
        entry, loop, done = (fn.append_basic_block(x) for x in ("entry", "loop", "done"))
        b = ir.IRBuilder(entry)
        b.branch(loop)
        b.position_at_end(loop)
        i = b.phi(I64)
        i.add_incoming(_const(I64, 0), entry)
        ptr = b.load(b.gep(slots, [i], inbounds=True, source_etype=PTR), typ=PTR)
        b.call(self.release_fn(), [ptr])
        i_next = b.add(i, _const(I64, 1), flags=["nuw", "nsw"])
        i.add_incoming(i_next, loop)
        b.cbranch(b.icmp_signed("<", i_next, n), loop, done)
        b.position_at_end(done)
        b.ret_void()
        return fn

    def ipowi(self, t: ir.IntType) -> ir.Function:
        """``b ** e`` on integers: square-and-multiply; e < 0 gives 1/b**-e truncated."""
        name = f"__tensorir_ipowi_{_suffix(t)}"
        if name in self.functions:
            return self.functions[name]
        fn = self.intrinsic(name, t, [t, t])
        fn.linkage = "internal"
        b0, e0 = fn.args
        entry, neg, loop, done = (
            fn.append_basic_block(n) for n in ("entry", "neg", "loop", "done")
        )
        b = ir.IRBuilder(entry)
        one, zero = _const(t, 1), _const(t, 0)
        b.cbranch(b.icmp_signed("<", e0, zero), neg, loop)
        b.position_at_end(neg)  # 1 ** e = 1, (-1) ** e = +-1, otherwise 0
        odd = b.trunc(e0, I1)
        m1 = b.select(odd, _const(t, -1), one)
        b.ret(b.select(b.icmp_signed("==", b0, one), one,
                       b.select(b.icmp_signed("==", b0, _const(t, -1)), m1, zero)))  # fmt: skip
        b.position_at_end(loop)
        r, base, e = b.phi(t), b.phi(t), b.phi(t)
        r.add_incoming(one, entry)
        base.add_incoming(b0, entry)
        e.add_incoming(e0, entry)
        b.cbranch(b.icmp_signed("==", e, zero), done, body := fn.append_basic_block("body"))
        b.position_at_end(body)
        r2 = b.select(b.trunc(e, I1), b.mul(r, base), r)
        r.add_incoming(r2, body)
        base.add_incoming(b.mul(base, base), body)
        e.add_incoming(b.lshr(e, one), body)
        b.branch(loop)
        b.position_at_end(done)
        b.ret(r)
        return fn


# --------------------------------------------------------------------------- functions


_VIEWS = ("memref.cast", "tir.reshape", "tir.view")
"""Ops whose memref result is (a view of) their first operand's memory."""
_READS = ("memref.load", "memref.dim", "func.return")
"""Uses that never write through a memref operand (a returned argument is an in-place result
or an unchanged update: returning it writes nothing)."""


def is_kernel(op: FuncOp) -> bool:
    """A private function with a body: a loop nest ``tir-outline-kernels`` outlined, emitted
    as an internal function (``void f(<args>)``, no ``out``/``err``) that entry points call."""
    vis = op.sym_visibility
    return vis is not None and vis.data == "private" and bool(op.body.blocks)


GLUE_MIN_OPS = 256
"""An entry point of at least this many ops whose loops are all in kernels is compiled without
optimisation (``optnone``): it is glue (checks, allocations, BLAS and kernel calls, run once
per call), and LLVM's pipeline on it cost more than on the kernels. A smaller one is
optimised as usual: its glue is cheap to compile and a few nanoseconds count in a small
call."""


def _glue(op: FuncOp, bodies: dict[str, FuncOp]) -> bool:
    """Whether ``op`` is glue between kernels (see ``GLUE_MIN_OPS``)."""
    count, calls = 0, False
    for inner in op.walk():
        if inner.name == "scf.for":
            return False
        if inner.name == "func.call":
            callee = bodies.get(_callee_name(inner))
            calls = calls or (callee is not None and is_kernel(callee))
        count += 1
    return calls and count >= GLUE_MIN_OPS


def _callee_name(call: Operation) -> str:
    return call.properties["callee"].root_reference.data  # type: ignore[attr-defined]


def _bodies(op: Operation) -> dict[str, FuncOp]:
    """The functions with a body of the module ``op`` is in, by name."""
    module = op.get_toplevel_object()
    if not isinstance(module, ModuleOp):
        return {}
    return {f.sym_name.data: f for f in module.ops if isinstance(f, FuncOp) and f.body.blocks}


def written_arguments(
    op: FuncOp, _memo: dict[str, set[int]] | None = None, _bodies: dict | None = None
) -> set[int]:
    """The memref arguments of ``op`` (loops level) that its code may write into: those a
    ``memref.store``, the target of a ``memref.copy``, the output of a BLAS call, or an
    argument a called kernel writes, reaches through views. Any other use of an argument's
    memory counts as a write (conservative); BLAS calls write only their last memref operand
    (``?gemm``'s C, ``?gemv``'s y), ``?dot`` none. The runtime checks that a written buffer
    shares no memory with another argument."""
    block = op.body.blocks.first
    if block is None:
        return set()
    memo = {} if _memo is None else _memo  # each kernel's, once
    bodies = _bodies(op) if _bodies is None else _bodies
    root: dict[SSAValue, int] = {a: a.index for a in block.args if isinstance(a.type, MemRefType)}
    written: set[int] = set()
    for inner in op.walk():
        if inner is op:
            continue
        name = inner.name
        hits = [(n, root[v]) for n, v in enumerate(inner.operands) if v in root]
        if not hits:
            continue
        if name in _VIEWS:
            root[inner.results[0]] = root[inner.operands[0]]
            continue
        if name in _READS:
            continue
        if name == "memref.copy":  # source read, target written
            written.update(k for n, k in hits if n == 1)
            continue
        if name == "func.call":
            callee = inner.properties["callee"].root_reference.data  # type: ignore[attr-defined]
            if callee.startswith(BLAS_PREFIX):
                mems = [n for n, v in enumerate(inner.operands) if isinstance(v.type, MemRefType)]
                out = None if callee.endswith("dot") else mems[-1]
                written.update(k for n, k in hits if n == out)
                continue
            kernel = bodies.get(callee)
            if kernel is not None:  # operand n is the kernel's argument n
                if callee not in memo:
                    memo[callee] = written_arguments(kernel, memo, bodies)
                written.update(k for n, k in hits if n in memo[callee])
                continue
        if name == "memref.store":  # the value stored is not a memref: operand 1 is
            written.update(k for n, k in hits if n == 1)
            continue
        written.update(k for _, k in hits)  # unknown: a write, and its results alias
        for r in inner.results:
            if isinstance(r.type, MemRefType):
                root[r] = hits[0][1]
    return written


def update_targets(op: FuncOp) -> dict[int, int]:
    """Result i -> the argument k it updates (``tir.update = k``)."""
    if op.res_attrs is None:
        return {}
    found = {}
    for i, attrs in enumerate(op.res_attrs.data):
        k = attrs.data.get(UPDATE_ATTR)
        if isinstance(k, IntegerAttr):
            found[i] = k.value.data
    return found


def in_place_results(op: FuncOp) -> dict[int, int]:
    """Results returned in place: result i marked ``tir.update = k`` whose returned value is
    the memref argument k itself (``tir-bufferize`` wrote the update into it). They take no
    ``out`` slot and are not copied."""
    block = op.body.blocks.first
    ret = block.last_op if block is not None else None
    if op.res_attrs is None or ret is None or ret.name != "func.return":
        return {}
    found: dict[int, int] = {}
    for i, attrs in enumerate(op.res_attrs.data):
        k = attrs.data.get(UPDATE_ATTR)
        if not isinstance(k, IntegerAttr) or i >= len(ret.operands):
            continue
        k_val = k.value.data
        v = ret.operands[i]
        if 0 <= k_val < len(block.args) and v is block.args[k_val]:
            if isinstance(v.type, MemRefType):
                found[i] = k_val
    return found


class _FunctionEmitter:
    HANDLERS: ClassVar[dict[str, Handler]] = {}
    """This emitter's own handlers of some ops, in place of the shared ones (``_HANDLERS``):
    a target's (the GPU's host code, kernels for NVPTX)."""

    def __init__(self, parent: _ModuleEmitter, op: FuncOp):
        self.parent = parent
        self.op = op
        self.values: dict[SSAValue, Any] = {}
        self.checks: list[CheckSpec] = []
        # malloc-ed buffers live at the current point of the function (a loop body's are
        # freed in the same iteration): a failed check frees them before returning
        self.live: list[ir.Value] = []
        self.n_parallel = 0  # parallel loops outlined so far (their bodies' names)
        # Each malloc-ed buffer's pointer is also kept in a stack slot of its own (null once
        # freed), so that every failure frees the live buffers through one shared cleanup
        # block (``fail``) rather than one call of ``free`` per live buffer per failure.
        self.slots: ir.AllocaInstr | None = None
        self.slot_of: dict[ir.Value, ir.Value] = {}
        self.cleanup: ir.Block | None = None
        self.cleanup_code: ir.PhiInstr | None = None
        # facts that hold at this point: conditions that checks already made (a check
        # dominated by one on the same condition cannot fail), byte sizes already computed
        # and checked (``nbytes``); a nested block's are dropped at its end
        self.known: dict[tuple, Any] = {}
        self.alloc_failed: dict[bool, ir.Block] = {}  # fail_allocation_if's, by liveness
        self.kernel = False  # an outlined kernel (emit_kernel), not an entry point
        self.check_base: ir.Value | None = None  # a checking kernel's: its caller's id base

    # ---- signature and entry

    def emit_kernel(self) -> None:
        """An outlined kernel (``is_kernel``): an internal function never inlined (LLVM
        compiles it once for all its calls), a memref argument as its data pointer
        (``noalias``: the buffers of one call have distinct roots) then its dynamic dims, a
        scalar by value; it returns its results (none: void; several: a struct). A kernel
        that checks takes two more arguments, ``err`` and the id its caller gives its first
        check less one: a failed check stores its id and values as the entry point's do and
        returns at once (its caller, which set ``err[0]`` to 0, sees the id there)."""
        op = self.op
        name = op.sym_name.data
        block = op.body.blocks.first
        assert block is not None
        types = op.function_type.inputs.data
        params: list[ir.Type] = []
        for t in types:
            if isinstance(t, MemRefType):
                params += [PTR] + [I64] * sum(1 for d in t.get_shape() if d < 0)
            elif isinstance(t, ComplexType):
                params += [value_type(t.element_type)] * 2
            else:
                params.append(value_type(t))
        checks = any(inner.name == "tir.check" for inner in op.walk())
        if checks:
            params += [PTR, I64]
        outs = [value_type(t) for t in op.function_type.outputs.data]
        ret = VOID if not outs else outs[0] if len(outs) == 1 else ir.LiteralStructType(outs)
        fn = ir.Function(self.parent.llmod, ir.FunctionType(ret, params), name)
        fn.linkage = "internal"
        fn.attributes.add("nounwind")
        fn.attributes.add("noinline")
        self.parent.functions[name] = fn
        self.fn = fn
        self.kernel = True
        self.allocas = ir.IRBuilder(fn.append_basic_block("allocas"))
        self.entry = fn.append_basic_block("entry")
        self.b = ir.IRBuilder(self.entry)
        it = iter(fn.args)
        for arg, t in zip(block.args, types, strict=True):
            if isinstance(t, MemRefType):
                ptr = next(it)
                ptr.add_attribute("noalias")
                dims = [next(it) if d < 0 else _const(I64, d) for d in t.get_shape()]
                self.values[arg] = Memref(ptr, dims, memory_type(t.element_type))
            elif isinstance(t, ComplexType):
                self.values[arg] = self._complex(value_type(t), next(it), next(it))
            else:
                self.values[arg] = next(it)
        if checks:
            self.err, self.check_base = next(it), next(it)
            self.err.add_attribute("noalias")
        self.emit_block(block)
        self.allocas.branch(self.entry)
        self.parent.kernel_checks[name] = tuple(self.checks)

    def kernel_return(self, b: ir.IRBuilder, values: Sequence[ir.Value] | None = None) -> None:
        """Return from a kernel: ``values`` (None: zeros, after a failed check)."""
        ret = self.fn.function_type.return_type
        if isinstance(ret, ir.VoidType):
            b.ret_void()
            return
        types = ret.elements if isinstance(ret, ir.LiteralStructType) else [ret]
        if values is None:
            values = [ir.Constant(t, None) for t in types]
        if not isinstance(ret, ir.LiteralStructType):
            b.ret(values[0])
            return
        agg: ir.Value = ir.Constant(ret, None)
        for k, v in enumerate(values):
            agg = b.insert_value(agg, v, k)
        b.ret(agg)

    def emit(self) -> FunctionABI:
        op = self.op
        name = op.sym_name.data
        block = op.body.blocks.first
        assert block is not None
        params: list[ir.Type] = []
        args: list[ArgSpec] = []
        written = written_arguments(op, self.parent.written, self.parent.bodies)
        for i, t in enumerate(op.function_type.inputs.data):
            if isinstance(t, MemRefType):
                params += [PTR] + [I64] * len(t.get_shape())
                shape = t.get_shape()
                static = tuple((d, n) for d, n in enumerate(shape) if n >= 0)
                dt = dtype_name(t.element_type)
                args.append(ArgSpec("buffer", dt, len(shape), written=i in written, static=static))
            elif isinstance(t, ComplexType):
                params += [value_type(t.element_type)] * 2
                args.append(ArgSpec("scalar", dtype_name(t)))
            else:
                params.append(memory_type(t))
                args.append(ArgSpec("scalar", dtype_name(t)))
        fn = ir.Function(self.parent.llmod, ir.FunctionType(I64, params + [PTR, PTR]), name)
        fn.attributes.add("nounwind")
        self.parent.functions[name] = fn
        self.fn = fn
        # stack slots go into their own first block, so they never disturb the body's builder
        self.allocas = ir.IRBuilder(fn.append_basic_block("allocas"))
        self.entry = fn.append_basic_block("entry")
        self.b = ir.IRBuilder(self.entry)
        it = iter(fn.args)
        for arg, t in zip(block.args, op.function_type.inputs.data, strict=True):
            if isinstance(t, MemRefType):
                ptr = next(it)
                ptr.add_attribute("noalias")
                dims = [next(it) for _ in t.get_shape()]
                self.values[arg] = Memref(ptr, dims, memory_type(t.element_type))
            elif isinstance(t, ComplexType):
                self.values[arg] = self._complex(value_type(t), next(it), next(it))
            elif t == IntegerType(1):
                self.values[arg] = self.b.icmp_unsigned("!=", next(it), _const(I8, 0))
            else:
                self.values[arg] = next(it)
        self.out, self.err = next(it), next(it)
        self.out.add_attribute("noalias")
        self.err.add_attribute("noalias")
        results = []
        in_place = in_place_results(op)
        updates = update_targets(op)
        for i, t in enumerate(op.function_type.outputs.data):
            k = updates.get(i, -1)
            if i in in_place:
                assert isinstance(t, MemRefType)
                dt = dtype_name(t.element_type)
                results.append(ResultSpec("argument", dt, len(t.get_shape()), in_place[i], k))
            elif isinstance(t, MemRefType):
                dt = dtype_name(t.element_type)
                results.append(ResultSpec("buffer", dt, len(t.get_shape()), update=k))
            else:
                results.append(ResultSpec("scalar", dtype_name(t), update=k))
        self.results = results
        self.emit_block(block)
        self._finish_slots()
        self.allocas.branch(self.entry)
        if _glue(
            op, self.parent.bodies
        ):  # no optimisation: LLVM's pipelines skip it, fast instruction selection
            fn.attributes.add("noinline")
            fn.attributes.add("optnone")
        return FunctionABI(name, tuple(args), tuple(results), tuple(self.checks))

    def emit_block(self, block: Block) -> list[Any]:
        """Emit a block's ops; the values its ``scf.yield`` or ``scf.condition`` (if any)
        passes on (the condition first)."""
        known = self.known
        self.known = dict(known)  # what this block finds holds in it only
        try:
            for op in block.ops:
                if op.name in ("scf.yield", "scf.condition", "tir.block_yield"):
                    return [self.values[v] for v in op.operands]
                handler = self.HANDLERS.get(op.name) or _HANDLERS.get(op.name)
                if handler is None:
                    raise EmitError(f"llvm emitter: unsupported op {op.name}")
                res = handler(self, op)
                if res is not None:
                    if not isinstance(res, list):
                        res = [res]
                    for r, v in zip(op.results, res, strict=True):
                        self.values[r] = v
            return []
        finally:
            self.known = known

    def v(self, value: SSAValue) -> Any:
        return self.values[value]

    def _complex(self, t: ir.Type, re: ir.Value, im: ir.Value) -> ir.Value:
        return self.b.insert_value(self.b.insert_value(ir.Constant(t, None), re, 0), im, 1)

    # ---- memrefs

    def address(self, m: Memref, indices: Sequence[SSAValue]) -> ir.Value:
        """``data + ((i0 * d1 + i1) * d2 + i2 ...)``"""
        idx = [self.v(i) for i in indices]
        if not idx:
            return m.ptr
        lin = idx[0]
        for d, i in zip(m.dims[1:], idx[1:], strict=True):
            lin = self.b.add(self.b.mul(lin, d, flags=["nsw"]), i, flags=["nsw"])
        return self.b.gep(m.ptr, [lin], inbounds=True, source_etype=m.elem)

    def nbytes(self, m: Memref) -> ir.Value:
        """The buffer's size in bytes; a size that does not fit in 63 bits (absurd dims)
        fails like an allocation."""
        key = ("nbytes", _elem_size(m.elem), *map(_value_key, m.dims))
        known = self.known.get(key)
        if known is not None:  # computed and checked before, on every path to here
            return known
        n: ir.Value = _const(I64, _elem_size(m.elem))
        overflow: ir.Value = ir.Constant(ir.IntType(1), 0)
        for d in m.dims:
            product = self.b.smul_with_overflow(n, d)
            n = self.b.extract_value(product, 0)
            overflow = self.b.or_(overflow, self.b.extract_value(product, 1))
        self.fail_allocation_if(overflow)
        self.known[key] = n
        return n

    def fail_check(self, check_id: ir.Value, values: Sequence[ir.Value]) -> None:
        """At a failed check: its 1-based id and its values (i64) into ``err``, this call's
        buffers freed, return 1."""
        b = self.b
        b.store(check_id, self.err)
        for k, x in enumerate(values, 1):
            b.store(x, b.gep(self.err, [_const(I64, k)], inbounds=True, source_etype=I64))
        self.fail(b, 1)  # nothing allocated by this call outlives its failure

    def fail_allocation_if(self, bad: ir.Value) -> None:
        """Branch to a block that frees this call's live buffers, stores 0 into ``err[0]`` and
        returns 2 when ``bad``: a call that runs out of memory leaves nothing allocated behind."""
        if self.kernel:
            raise EmitError("llvm emitter: an outlined kernel allocates memory")
        live = bool(self.live)  # one such block per function for each case, made once
        fail = self.alloc_failed.get(live)
        if fail is None:
            fail = self.fn.append_basic_block("alloc_failed")
            fb = ir.IRBuilder(fail)
            fb.store(_const(I64, 0), self.err)
            self.fail(fb, 2)
            self.alloc_failed[live] = fail
        ok = self.fn.append_basic_block("alloc_ok")
        self.b.cbranch(bad, fail, ok)
        self.b.position_at_end(ok)

    def malloc(self, nbytes: ir.Value) -> ir.Value:
        """``malloc(max(nbytes, 1))``; frees this call's buffers and returns 2 from the
        function when that fails."""
        p = self.b.call(self.parent.allocator(), [nbytes])
        self.fail_allocation_if(self.b.icmp_unsigned("==", p, ir.Constant(PTR, None)))
        return p

    def hold(self, ptr: ir.Value) -> None:
        """``ptr`` (a fresh malloc-ed buffer) is live until ``release``: a failure frees it."""
        if self.slots is None:  # its size is set once the function is emitted
            self.slots = self.allocas.alloca(PTR, size=_const(I64, 1))
        slot = self.b.gep(
            self.slots, [_const(I64, len(self.slot_of))], inbounds=True, source_etype=PTR
        )
        self.b.store(ptr, slot)
        self.slot_of[ptr] = slot
        self.live.append(ptr)

    def release(self, ptr: ir.Value) -> None:
        """``free(ptr)``; a later failure no longer frees it."""
        self.b.call(self.parent.release_fn(), [ptr])
        slot = self.slot_of.get(ptr)
        if slot is not None:
            self.b.store(ir.Constant(PTR, None), slot)
            self.live = [p for p in self.live if p is not ptr]

    def fail(self, fb: ir.IRBuilder, code: int) -> None:
        """End the failure path ``fb`` stands in: return ``code`` once this call's live
        buffers are freed (by the shared cleanup block, which frees every slot). A kernel
        just returns: its caller fails in turn."""
        if self.kernel:
            self.kernel_return(fb)
            return
        if not self.live:
            fb.ret(_const(I64, code))
            return
        if self.cleanup is None:
            self.cleanup = self.fn.append_basic_block("cleanup")
            self.cleanup_code = ir.IRBuilder(self.cleanup).phi(I64)
        assert self.cleanup_code is not None
        self.cleanup_code.add_incoming(_const(I64, code), fb.block)
        fb.branch(self.cleanup)

    def _finish_slots(self) -> None:
        """Size the slots (null at entry: a slot is set when its buffer is allocated) and end
        the cleanup block: free every slot, return the failure's code. The slots are freed by
        a helper that is not inlined, so LLVM keeps them in memory instead of turning them
        into one phi per buffer per failure."""
        if self.slots is None:
            return
        n = _const(I64, len(self.slot_of))
        self.slots.operands = [n]
        memset = self.parent.intrinsic("llvm.memset.p0.i64", VOID, [PTR, I8, I64, I1])
        self.allocas.call(
            memset, [self.slots, _const(I8, 0), _const(I64, 8 * n.constant), _const(I1, 0)]
        )
        if self.cleanup is not None:
            b = ir.IRBuilder(self.cleanup)
            b.call(self.parent.free_all(), [self.slots, n])
            b.ret(self.cleanup_code)

    def owns(self, ptr: ir.Value) -> bool:
        """Whether ``ptr`` is a buffer this call allocated (not an argument, a global or a
        stack slot): one it may hand to its caller as a result."""
        return not isinstance(ptr, ir.Argument | ir.GlobalVariable | ir.AllocaInstr)

    def entry_alloca(self, t: ir.Type) -> ir.Value:
        return self.allocas.alloca(t)

    def memcpy(self, dst: ir.Value, src: ir.Value, n: ir.Value) -> None:
        f = self.parent.intrinsic("llvm.memcpy.p0.p0.i64", VOID, [PTR, PTR, I64, I1])
        self.b.call(f, [dst, src, n, _const(I1, 0)])

    # ---- control flow helpers

    def phi_like(self, v: Any) -> Any:
        if isinstance(v, Memref):
            return Memref(self.b.phi(PTR), [self.b.phi(I64) for _ in v.dims], v.elem)
        return self.b.phi(v.type)

    @staticmethod
    def add_incoming(phi: Any, v: Any, block: ir.Block) -> None:
        if isinstance(phi, Memref):
            phi.ptr.add_incoming(v.ptr, block)
            for p, d in zip(phi.dims, v.dims, strict=True):
                p.add_incoming(d, block)
        else:
            phi.add_incoming(v, block)


def _elem_size(t: ir.Type) -> int:
    if isinstance(t, ir.IntType):
        return max(1, t.width // 8)
    if isinstance(t, ir.LiteralStructType):
        return 2 * _elem_size(t.elements[0])
    return 8 if isinstance(t, ir.DoubleType) else 4


# --------------------------------------------------------------------------- op handlers

Handler = Callable[[_FunctionEmitter, Operation], Any]
_HANDLERS: dict[str, Handler] = {}


def registrar(table: dict[str, Handler]) -> Callable[..., Callable[[Handler], Handler]]:
    """A decorator factory: ``@on("op.a", "op.b")`` registers a handler in ``table``."""

    def on(*names: str) -> Callable[[Handler], Handler]:
        def register(f: Handler) -> Handler:
            for n in names:
                table[n] = f
            return f

        return register

    return on


_on = registrar(_HANDLERS)


def _operands(e: _FunctionEmitter, op: Operation) -> list[Any]:
    return [e.v(o) for o in op.operands]


@_on("arith.constant")
def _constant(e: _FunctionEmitter, op: Operation) -> Any:
    attr = op.properties["value"]
    t = value_type(op.results[0].type)
    if isinstance(attr, IntegerAttr | FloatAttr):
        return _const(t, attr.value.data)
    raise EmitError(f"llvm emitter: unsupported constant {attr}")


@_on(*(f"arith.{n}" for n in _FLOAT_BIN))
def _float_bin(e: _FunctionEmitter, op: Operation) -> Any:
    a, b = _operands(e, op)
    fastmath = op.properties.get("fastmath")
    flags = sorted(f.value for f in fastmath.data) if fastmath is not None else []  # type: ignore[attr-defined]
    return getattr(e.b, _FLOAT_BIN[op.name[6:]])(a, b, flags=flags)


@_on("math.ctlz", "math.cttz")
def _count_zeros(e: _FunctionEmitter, op: Operation) -> Any:
    (x,) = _operands(e, op)
    name = f"llvm.{op.name[5:]}.{_suffix(x.type)}"
    return e.b.call(e.parent.intrinsic(name, x.type, [x.type, I1]), [x, _const(I1, 0)])


@_on(*(f"arith.{n}" for n in _INT_BIN))
@_on(*(f"arith.{n}" for n in _FLOAT_INTRINSIC))
@_on("arith.maxsi", "arith.minsi", "arith.maxui", "arith.minui")
def _combine_op(e: _FunctionEmitter, op: Operation) -> Any:
    return combine(e, op.name[6:], *_operands(e, op))


def combine(e: _FunctionEmitter, kind: str, a: ir.Value, b: ir.Value) -> ir.Value:
    """``arith.<kind> a, b`` for the binary ops a reduction combines with (``addf`` without
    fast-math flags, integer ops, min and max)."""
    if kind in _FLOAT_BIN:
        return getattr(e.b, _FLOAT_BIN[kind])(a, b)  # type: ignore[no-any-return]
    if kind in _INT_BIN:
        return getattr(e.b, _INT_BIN[kind])(a, b)  # type: ignore[no-any-return]
    if kind in _FLOAT_INTRINSIC:
        name = f"llvm.{_FLOAT_INTRINSIC[kind]}.{_suffix(a.type)}"
        return e.b.call(e.parent.intrinsic(name, a.type, [a.type] * 2), [a, b])
    if kind in ("maxsi", "minsi", "maxui", "minui"):
        pred = ">" if kind.startswith("max") else "<"
        cmp = e.b.icmp_signed if kind.endswith("si") else e.b.icmp_unsigned
        return e.b.select(cmp(pred, a, b), a, b)
    raise EmitError(f"llvm emitter: no combiner arith.{kind}")


@_on("arith.negf")
def _negf(e: _FunctionEmitter, op: Operation) -> Any:
    return e.b.fneg(e.v(op.operands[0]))


@_on(*(f"arith.{n}" for n in ("divsi", "remsi", "floordivsi", "ceildivsi", "divui", "remui")))
def _int_div(e: _FunctionEmitter, op: Operation) -> Any:
    """Guarded: x / 0 and x % 0 give 0 (as numpy), MIN / -1 wraps to MIN, MIN % -1 is 0."""
    b = e.b
    x, y = _operands(e, op)
    t = x.type
    zero, one = _const(t, 0), _const(t, 1)
    by_zero = b.icmp_signed("==", y, zero)
    kind = op.name[6:]
    if kind.endswith("ui"):
        safe = b.select(by_zero, one, y)
        r = b.udiv(x, safe) if kind == "divui" else b.urem(x, safe)
        return b.select(by_zero, zero, r)
    overflow = b.and_(
        b.icmp_signed("==", x, _const(t, -(1 << (t.width - 1)))),
        b.icmp_signed("==", y, _const(t, -1)),
    )
    safe = b.select(b.or_(by_zero, overflow), one, y)  # x / 1 == x == MIN / -1 (wrapped)
    q, r = b.sdiv(x, safe), b.srem(x, safe)
    if kind == "remsi":
        q = r
    elif kind in ("floordivsi", "ceildivsi"):
        inexact = b.icmp_signed("!=", r, zero)
        signs_differ = b.icmp_signed(
            "!=", b.icmp_signed("<", r, zero), b.icmp_signed("<", safe, zero)
        )
        if kind == "floordivsi":  # round towards -inf: q - 1 when r != 0 and sign(r) != sign(y)
            q = b.select(b.and_(inexact, signs_differ), b.sub(q, one), q)
        else:  # round towards +inf: q + 1 when r != 0 and sign(r) == sign(y)
            q = b.select(b.and_(inexact, b.not_(signs_differ)), b.add(q, one), q)
    return b.select(by_zero, zero, q)


@_on("arith.cmpi")
def _cmpi(e: _FunctionEmitter, op: Operation) -> Any:
    a, b = _operands(e, op)
    pred, signed = _CMPI[op.properties["predicate"].value.data]  # type: ignore[attr-defined]
    if a is b:  # a shape check of a dim against itself (sizes found equal by the passes)
        return _const(I1, pred in ("==", "<=", ">="))
    return e.b.icmp_signed(pred, a, b) if signed else e.b.icmp_unsigned(pred, a, b)


@_on("arith.cmpf")
def _cmpf(e: _FunctionEmitter, op: Operation) -> Any:
    a, b = _operands(e, op)
    p = op.properties["predicate"].value.data  # type: ignore[attr-defined]
    if _CMPF[p] is None:
        return _const(I1, p == 15)
    kind, pred = _CMPF[p]  # type: ignore[misc]
    return (e.b.fcmp_ordered if kind == "o" else e.b.fcmp_unordered)(pred, a, b)


@_on("arith.select")
def _select(e: _FunctionEmitter, op: Operation) -> Any:
    c, a, b = _operands(e, op)
    if isinstance(a, Memref):
        return Memref(
            e.b.select(c, a.ptr, b.ptr),
            [e.b.select(c, x, y) for x, y in zip(a.dims, b.dims, strict=True)],
            a.elem,
        )
    return e.b.select(c, a, b)


@_on(
    "arith.sitofp", "arith.uitofp", "arith.fptosi", "arith.fptoui", "arith.extf",
    "arith.truncf", "arith.extsi", "arith.extui", "arith.trunci", "arith.index_cast",
    "arith.index_castui", "arith.bitcast",
)  # fmt: skip
def _cast(e: _FunctionEmitter, op: Operation) -> Any:
    x = e.v(op.operands[0])
    t = value_type(op.results[0].type)
    b, kind = e.b, op.name[6:]
    if kind in ("fptosi", "fptoui"):  # saturating: NaN and out-of-range values are defined
        sat = f"llvm.{kind}.sat.{_suffix(t)}.{_suffix(x.type)}"
        return b.call(e.parent.intrinsic(sat, t, [x.type]), [x])
    if kind.startswith("index_cast"):
        if x.type.width == t.width:
            return x
        if x.type.width > t.width:
            return b.trunc(x, t)
        return b.zext(x, t) if kind == "index_castui" else b.sext(x, t)
    fn = {
        "sitofp": b.sitofp,
        "uitofp": b.uitofp,
        "extf": b.fpext,
        "truncf": b.fptrunc,
        "extsi": b.sext,
        "extui": b.zext,
        "trunci": b.trunc,
        "bitcast": b.bitcast,
    }[kind]
    return fn(x, t)


@_on(*(f"math.{n}" for n in _MATH_INTRINSIC))
def _math_intrinsic(e: _FunctionEmitter, op: Operation) -> Any:
    xs = _operands(e, op)
    t = xs[0].type
    if (vector := _vector_math(e, op.name[5:], t)) is not None:
        return e.b.call(vector, xs)
    f = e.parent.intrinsic(f"llvm.{_MATH_INTRINSIC[op.name[5:]]}.{_suffix(t)}", t, [t] * len(xs))
    return e.b.call(f, xs)


@_on(*(f"math.{n}" for n in _MATH_LIBM))
def _math_libm(e: _FunctionEmitter, op: Operation) -> Any:
    xs = _operands(e, op)
    t = xs[0].type
    if (vector := _vector_math(e, op.name[5:], t)) is not None:
        return e.b.call(vector, xs)
    name = op.name[5:] + ("f" if isinstance(t, ir.FloatType) else "")
    return e.b.call(e.parent.intrinsic(name, t, [t] * len(xs)), xs)


def _vector_math(e: _FunctionEmitter, name: str, t: ir.Type) -> ir.Function | None:
    """vecmath's ``name`` for ``t`` when the module uses vector math and vecmath has it."""
    name = _VECMATH_NAMES.get(name, name)
    if not e.parent.vector_math or name not in vecmath.FUNCTIONS:
        return None
    if not isinstance(t, ir.FloatType | ir.DoubleType):
        return None
    return vecmath.declare(e.parent.llmod, name, t)


_VECMATH_NAMES = {"powf": "pow"}


@_on("math.absi")
def _absi(e: _FunctionEmitter, op: Operation) -> Any:
    x = e.v(op.operands[0])
    f = e.parent.intrinsic(f"llvm.abs.{_suffix(x.type)}", x.type, [x.type, I1])
    return e.b.call(f, [x, _const(I1, 0)])


@_on("math.ipowi")
def _ipowi(e: _FunctionEmitter, op: Operation) -> Any:
    a, b = _operands(e, op)
    return e.b.call(e.parent.ipowi(a.type), [a, b])


# ---- complex


@_on("complex.constant")
def _complex_constant(e: _FunctionEmitter, op: Operation) -> Any:
    attr = op.properties["value"]
    assert isinstance(attr, ArrayAttr)
    t = value_type(op.results[0].type)
    return ir.Constant(t, [ir.Constant(t.elements[0], float(a.value.data)) for a in attr.data])  # type: ignore[attr-defined]


@_on("complex.create")
def _complex_create(e: _FunctionEmitter, op: Operation) -> Any:
    re, im = _operands(e, op)
    return e._complex(value_type(op.results[0].type), re, im)


def _parts(e: _FunctionEmitter, op: Operation) -> list[ir.Value]:
    return [e.b.extract_value(z, k) for z in _operands(e, op) for k in (0, 1)]


@_on("complex.re", "complex.im")
def _complex_part(e: _FunctionEmitter, op: Operation) -> Any:
    return e.b.extract_value(e.v(op.operands[0]), 0 if op.name == "complex.re" else 1)


@_on("complex.add", "complex.sub", "complex.mul", "complex.div", "complex.neg")
def _complex_arith(e: _FunctionEmitter, op: Operation) -> Any:
    b, t = e.b, value_type(op.results[0].type)
    p = _parts(e, op)
    kind = op.name[8:]
    if kind == "neg":
        return e._complex(t, b.fneg(p[0]), b.fneg(p[1]))
    a, ai, c, ci = p
    if kind in ("add", "sub"):
        f = b.fadd if kind == "add" else b.fsub
        return e._complex(t, f(a, c), f(ai, ci))
    if kind == "mul":  # (a c - ai ci) + (a ci + ai c) i
        return e._complex(
            t, b.fsub(b.fmul(a, c), b.fmul(ai, ci)), b.fadd(b.fmul(a, ci), b.fmul(ai, c))
        )
    # division as numpy (Smith's method): scale by the larger of |c|, |ci|
    fabs = e.parent.intrinsic(f"llvm.fabs.{_suffix(a.type)}", a.type, [a.type])
    zero, one = ir.Constant(a.type, 0.0), ir.Constant(a.type, 1.0)
    ac, aci = b.call(fabs, [c]), b.call(fabs, [ci])
    c_big = b.fcmp_ordered(">=", ac, aci)
    # |c| >= |ci|: rat = ci / c, scl = 1 / (c + ci rat), ((a + ai rat) scl, (ai - a rat) scl)
    rat1 = b.fdiv(ci, c)
    scl1 = b.fdiv(one, b.fadd(c, b.fmul(ci, rat1)))
    re1 = b.fmul(b.fadd(a, b.fmul(ai, rat1)), scl1)
    im1 = b.fmul(b.fsub(ai, b.fmul(a, rat1)), scl1)
    both_zero = b.and_(b.fcmp_ordered("==", ac, zero), b.fcmp_ordered("==", aci, zero))
    re1 = b.select(both_zero, b.fdiv(a, ac), re1)
    im1 = b.select(both_zero, b.fdiv(ai, ac), im1)
    # otherwise: rat = c / ci, scl = 1 / (ci + c rat), ((a rat + ai) scl, (ai rat - a) scl)
    rat2 = b.fdiv(c, ci)
    scl2 = b.fdiv(one, b.fadd(ci, b.fmul(c, rat2)))
    re2 = b.fmul(b.fadd(b.fmul(a, rat2), ai), scl2)
    im2 = b.fmul(b.fsub(b.fmul(ai, rat2), a), scl2)
    return e._complex(t, b.select(c_big, re1, re2), b.select(c_big, im1, im2))


@_on("complex.abs")
def _complex_abs(e: _FunctionEmitter, op: Operation) -> Any:
    re, im = _parts(e, op)
    name = "hypotf" if isinstance(re.type, ir.FloatType) else "hypot"
    return e.b.call(e.parent.intrinsic(name, re.type, [re.type] * 2), [re, im])


@_on("complex.eq", "complex.neq")
def _complex_cmp(e: _FunctionEmitter, op: Operation) -> Any:
    a, ai, c, ci = _parts(e, op)
    if op.name == "complex.eq":
        return e.b.and_(e.b.fcmp_ordered("==", a, c), e.b.fcmp_ordered("==", ai, ci))
    return e.b.or_(e.b.fcmp_unordered("!=", a, c), e.b.fcmp_unordered("!=", ai, ci))


# ---- memref


def _dims(e: _FunctionEmitter, t: MemRefType, dynamic: Sequence[SSAValue]) -> list[ir.Value]:
    it = iter(dynamic)
    return [e.v(next(it)) if d < 0 else _const(I64, d) for d in t.get_shape()]


@_on("memref.alloc", "memref.alloca")
def _alloc(e: _FunctionEmitter, op: Operation) -> Any:
    t = op.results[0].type
    assert isinstance(t, MemRefType)
    elem = memory_type(t.element_type)
    dims = _dims(e, t, op.operands)
    if not dims:  # rank 0: a stack slot, freed on return; memref.dealloc ignores it
        return Memref(e.entry_alloca(elem), [], elem)
    if op.name == "memref.alloca":
        shape = list(t.get_shape())
        if any(d < 0 for d in shape):
            raise EmitError("llvm emitter: memref.alloca with dynamic sizes")
        n = 1
        for d in shape:
            n *= d
        return Memref(e.allocas.alloca(elem, size=_const(I64, n)), dims, elem)
    m = Memref(ir.Constant(PTR, None), dims, elem)
    ptr = e.malloc(e.nbytes(m))
    e.hold(ptr)  # until its dealloc (loop bodies free theirs in the same iteration)
    return Memref(ptr, dims, elem)


@_on("memref.dealloc")
def _dealloc(e: _FunctionEmitter, op: Operation) -> None:
    m = e.v(op.operands[0])
    if not isinstance(m.ptr, ir.AllocaInstr):
        e.release(m.ptr)


@_on("memref.load")
def _load(e: _FunctionEmitter, op: Operation) -> Any:
    m = e.v(op.operands[0])
    x = e.b.load(e.address(m, op.operands[1:]), typ=m.elem)
    if op.results[0].type == IntegerType(1):
        return e.b.icmp_unsigned("!=", x, _const(I8, 0))
    return x


@_on("memref.store")
def _store(e: _FunctionEmitter, op: Operation) -> None:
    x, m = e.v(op.operands[0]), e.v(op.operands[1])
    if op.operands[0].type == IntegerType(1):
        x = e.b.zext(x, I8)
    e.b.store(x, e.address(m, op.operands[2:]))


@_on("memref.dim")
def _dim(e: _FunctionEmitter, op: Operation) -> Any:
    m, i = e.v(op.operands[0]), e.v(op.operands[1])
    if isinstance(i, ir.Constant):
        return m.dims[i.constant]
    r: ir.Value = _const(I64, 0)
    for k, d in enumerate(m.dims):
        r = e.b.select(e.b.icmp_signed("==", i, _const(I64, k)), d, r)
    return r


@_on("memref.copy")
def _copy(e: _FunctionEmitter, op: Operation) -> None:
    src, dst = _operands(e, op)
    e.memcpy(dst.ptr, src.ptr, e.nbytes(src))


@_on("memref.get_global")
def _get_global(e: _FunctionEmitter, op: Operation) -> Any:
    name = op.properties["name"].root_reference.data  # type: ignore[attr-defined]
    gv, t = e.parent.globals[name]
    return Memref(gv, [_const(I64, d) for d in t.get_shape()], memory_type(t.element_type))


@_on("memref.cast")
def _memref_cast(e: _FunctionEmitter, op: Operation) -> Any:
    return e.v(op.operands[0])


@_on("tir.reshape")
def _reshape(e: _FunctionEmitter, op: Operation) -> Any:
    m = e.v(op.operands[0])
    return Memref(m.ptr, [e.v(s) for s in op.operands[1:]], m.elem)


@_on("tir.view")
def _view(e: _FunctionEmitter, op: Operation) -> Any:
    m = e.v(op.operands[0])
    ptr = e.b.gep(m.ptr, [e.v(op.operands[1])], inbounds=True, source_etype=m.elem)
    return Memref(ptr, [e.v(s) for s in op.operands[2:]], m.elem)


# ---- checks, calls, control flow


@_on("tir.check")
def _check(e: _FunctionEmitter, op: Operation) -> None:
    """Branch to a block that stores the check's id and values into ``err`` and fails the
    call. A check that cannot fail is left out: its condition is the constant true, or a
    check on the same condition passed before (the run-time shape checks of a gradient
    compare the same dims many times)."""
    b = e.b
    cond = e.v(op.operands[0])
    if isinstance(cond, ir.Constant) and cond.constant:
        return
    key = _condition_key(cond)
    if key in e.known:
        return
    e.known[key] = True
    e.checks.append(CheckSpec(op.properties["kind"].data, op.properties["message"].data))  # type: ignore[attr-defined]
    fail = e.fn.append_basic_block(f"check{len(e.checks)}_failed")
    ok = e.fn.append_basic_block(f"check{len(e.checks)}_ok")
    b.cbranch(cond, ok, fail)
    b.position_at_end(fail)
    check_id: ir.Value = _const(I64, len(e.checks))
    if e.check_base is not None:  # a kernel's: numbered after its caller's
        check_id = b.add(e.check_base, check_id)
    values = []
    for v in op.operands[1:]:
        x = e.v(v)
        if x.type.width < 64:
            x = b.zext(x, I64) if x.type.width == 1 else b.sext(x, I64)
        values.append(x)
    e.fail_check(check_id, values)
    b.position_at_end(ok)


def _value_key(v: ir.Value) -> Hashable:
    """``v`` as a key: a constant by its value, anything else by itself."""
    return ("const", str(v.type), v.constant) if isinstance(v, ir.Constant) else id(v)


def _condition_key(cond: ir.Value) -> tuple:
    """What identifies a check's condition: a comparison by its predicate and operands
    (``a == b`` is ``b == a``), anything else by itself."""
    if isinstance(cond, ir.instructions.ICMPInstr):
        x, y = (_value_key(v) for v in cond.operands)
        if cond.op in ("eq", "ne") and str(y) < str(x):
            x, y = y, x
        return ("check", cond.op, x, y)
    return ("check", id(cond))


@_on("func.call")
def _call(e: _FunctionEmitter, op: Operation) -> Any:
    name = op.properties["callee"].root_reference.data  # type: ignore[attr-defined]
    fn = e.parent.functions.get(name)
    if fn is None:
        raise EmitError(f"llvm emitter: calls only external declarations and kernels, not @{name}")
    if fn.blocks:
        return _call_kernel(e, op, fn)
    args = [a.ptr if isinstance(a, Memref) else a for a in _operands(e, op)]
    r = e.b.call(fn, args)
    return r if op.results else None


def _call_kernel(e: _FunctionEmitter, op: Operation, fn: ir.Function) -> Any:
    """A call of an outlined kernel: buffers as data pointer and dynamic dims; a kernel that
    checks gets ``err`` and the base of its checks' ids (its checks are this function's
    next ones, once per call), and a set ``err[0]`` after it means one failed."""
    b = e.b
    args: list[ir.Value] = []
    for v, x in zip(op.operands, _operands(e, op), strict=True):
        if isinstance(x, Memref):
            shape = v.type.get_shape()  # type: ignore[attr-defined]
            args += [x.ptr, *(d for d, n in zip(x.dims, shape, strict=True) if n < 0)]
        elif isinstance(x.type, ir.LiteralStructType):
            args += [b.extract_value(x, 0), b.extract_value(x, 1)]
        else:
            args.append(x)
    checks = e.parent.kernel_checks[fn.name]
    if checks:
        if e.kernel:
            raise EmitError("llvm emitter: a kernel calls a kernel that checks")
        args += [e.err, _const(I64, len(e.checks))]
        e.checks.extend(checks)
        b.store(_const(I64, 0), e.err)
    r = b.call(fn, args)
    if checks:
        failed = b.icmp_signed("!=", b.load(e.err, typ=I64), _const(I64, 0))
        fail = e.fn.append_basic_block("kernel_failed")
        ok = e.fn.append_basic_block("kernel_ok")
        b.cbranch(failed, fail, ok)
        e.fail(ir.IRBuilder(fail), 1)
        b.position_at_end(ok)
    n = len(op.results)
    if n == 0:
        return None
    return r if n == 1 else [b.extract_value(r, k) for k in range(n)]


@_on("func.return")
def _return(e: _FunctionEmitter, op: Operation) -> None:
    b, slot = e.b, 0
    if e.kernel:
        e.kernel_return(b, _operands(e, op))
        return

    def at(k: int) -> ir.Value:
        return b.gep(e.out, [_const(I64, k)], inbounds=True, source_etype=I64)

    for x, v, spec in zip(_operands(e, op), op.operands, e.results, strict=True):
        if spec.kind == "argument":  # written in place: the caller holds it already
            continue
        if isinstance(x, Memref):
            ptr = x.ptr
            if not e.owns(ptr):
                ptr = e.malloc(n := e.nbytes(x))  # not a fresh buffer: return a copy
                e.memcpy(ptr, x.ptr, n)
                e.hold(ptr)  # freed if a later copy fails
            for k, y in enumerate([ptr, *x.dims]):
                b.store(y, at(slot + k))
            slot += 1 + len(x.dims)
        elif isinstance(x.type, ir.LiteralStructType):  # (re, im) as numpy lays complex out
            ct = x.type.elements[0]
            b.store(b.extract_value(x, 0), at(slot))
            b.store(b.extract_value(x, 1), b.gep(at(slot), [_const(I64, 1)], source_etype=ct))
            slot += 2
        else:  # as numpy stores it, at the start of the slot
            b.store(b.zext(x, I8) if v.type == IntegerType(1) else x, at(slot))
            slot += 1
    b.store(_const(I64, -1), e.err)  # success, readable without the return value
    b.ret(_const(I64, 0))


@_on("scf.for")
def _for(e: _FunctionEmitter, op: Operation) -> Any:
    if PARALLEL_ATTR in op.attributes:
        return _parallel_for(e, op)
    b = e.b
    lb, ub, step, *inits = _operands(e, op)
    body_block = op.regions[0].blocks.first
    assert body_block is not None
    if all(isinstance(x, ir.Constant) for x in (lb, ub, step)):
        if ub.constant <= lb.constant:  # no iteration (a static size 0)
            return inits or None
        if ub.constant - lb.constant <= step.constant:  # one (a static size 1): no loop
            e.values[body_block.args[0]] = lb
            for a, x in zip(body_block.args[1:], inits, strict=True):
                e.values[a] = x
            return e.emit_block(body_block) or None
    pre = b.block
    header = e.fn.append_basic_block("for_header")
    body = e.fn.append_basic_block("for_body")
    exit_ = e.fn.append_basic_block("for_exit")
    b.branch(header)
    b.position_at_end(header)
    iv = b.phi(lb.type)
    iv.add_incoming(lb, pre)
    iters = [e.phi_like(x) for x in inits]
    for p, x in zip(iters, inits, strict=True):
        e.add_incoming(p, x, pre)
    b.cbranch(b.icmp_signed("<", iv, ub), body, exit_)
    b.position_at_end(body)
    e.values[body_block.args[0]] = iv
    for a, p in zip(body_block.args[1:], iters, strict=True):
        e.values[a] = p
    yielded = e.emit_block(body_block)
    iv.add_incoming(b.add(iv, step, flags=["nsw"]), b.block)
    for p, x in zip(iters, yielded, strict=True):
        e.add_incoming(p, x, b.block)
    b.branch(header)
    b.position_at_end(exit_)
    return iters or None


@_on("scf.while")
def _while(e: _FunctionEmitter, op: Operation) -> Any:
    """A header running the ``before`` block (the condition), a body running the ``after``
    block; the results are the values the condition passes on when it fails."""
    b = e.b
    inits = _operands(e, op)
    before = op.regions[0].blocks.first
    after = op.regions[1].blocks.first
    assert before is not None and after is not None
    pre = b.block
    header = e.fn.append_basic_block("while_header")
    body = e.fn.append_basic_block("while_body")
    exit_ = e.fn.append_basic_block("while_exit")
    b.branch(header)
    b.position_at_end(header)
    phis = [e.phi_like(x) for x in inits]
    for p, x in zip(phis, inits, strict=True):
        e.add_incoming(p, x, pre)
    for a, p in zip(before.args, phis, strict=True):
        e.values[a] = p
    cond, *passed = e.emit_block(before)
    b.cbranch(cond, body, exit_)
    b.position_at_end(body)
    for a, x in zip(after.args, passed, strict=True):
        e.values[a] = x
    yielded = e.emit_block(after)
    for p, x in zip(phis, yielded, strict=True):
        e.add_incoming(p, x, b.block)
    b.branch(header)
    b.position_at_end(exit_)
    return passed or None


@_on("scf.if")
def _if(e: _FunctionEmitter, op: Operation) -> Any:
    """A branch per region, their values merged by phis. A heap buffer a region allocates
    and yields (``tir-bufferize`` hands a ``tir.if``'s results out so) leaves that region's
    slot at its end and is held in a slot of its own after the merge, so that a later failure
    frees it once, whichever region ran, and its ``memref.dealloc`` (of the phi) clears it."""
    b = e.b
    then_bb = e.fn.append_basic_block("if_then")
    else_bb = e.fn.append_basic_block("if_else")
    merge = e.fn.append_basic_block("if_end")
    b.cbranch(e.v(op.operands[0]), then_bb, else_bb)
    arms = []
    held: set[int] = set()
    for bb, region in ((then_bb, op.regions[0]), (else_bb, op.regions[1])):
        b.position_at_end(bb)
        block = region.blocks.first
        vals = e.emit_block(block) if block is not None else []
        for k, x in enumerate(vals):
            slot = e.slot_of.get(x.ptr) if isinstance(x, Memref) else None
            if slot is not None and any(p is x.ptr for p in e.live):
                b.store(ir.Constant(PTR, None), slot)
                e.live = [p for p in e.live if p is not x.ptr]
                held.add(k)
        arms.append((vals, b.block))
        b.branch(merge)
    b.position_at_end(merge)
    phis = [e.phi_like(x) for x in arms[0][0]]
    for vals, bb in arms:
        for p, x in zip(phis, vals, strict=True):
            e.add_incoming(p, x, bb)
    for k in sorted(held):
        e.hold(phis[k].ptr)
    return phis or None


# ---- parallel loops

PARALLEL_MIN_WORK = 1 << 16
"""A ``tir.parallel`` loop goes to the thread pool when it touches at least this many elements
(``_work``); below, the kernel runs it itself: handing it out would cost more than it
saves."""

CHUNK_MIN_WORK = 1 << 14
"""Elements a chunk of a parallel loop touches at least (its ``grain`` in iterations)."""

_NOT_IN_PARALLEL = ("func.call", "func.return", "memref.alloc", "memref.copy")
"""Ops a parallel loop's body may not hold: they need the kernel's frees, or a call that
keeps its own threads (``tir-parallel-loops`` never marks such loops)."""

_NO_FAILURE = (1 << 63) - 1
"""The failure record's iteration while no iteration has failed."""


def _leaves(x: Any) -> list[ir.Value]:
    return [x.ptr, *x.dims] if isinstance(x, Memref) else [x]


def _rebuild(x: Any, leaf: Callable[[ir.Value], ir.Value]) -> Any:
    if isinstance(x, Memref):
        return Memref(leaf(x.ptr), [leaf(d) for d in x.dims], x.elem)
    return leaf(x)


def _captured(op: Operation) -> list[SSAValue]:
    """The values the ops inside ``op`` use that are defined outside it, in order of use."""
    inside: set[SSAValue] = set()
    for inner in op.walk():
        if inner is not op:
            inside.update(inner.results)
        for region in inner.regions:
            for block in region.blocks:
                inside.update(block.args)
    seen: dict[SSAValue, None] = {}
    for inner in op.walk():
        if inner is op:
            continue
        for v in inner.operands:
            if v not in inside:
                seen.setdefault(v)
    return list(seen)


def _record_type(n_values: int) -> ir.LiteralStructType:
    """A parallel loop's failure record: the first failing iteration (``_NO_FAILURE`` while
    none has failed), a lock, the check's id, its values."""
    return ir.LiteralStructType([I64, I32, I64, ir.ArrayType(I64, n_values)])


def _field(b: ir.IRBuilder, ptr: ir.Value, t: ir.Type, *path: int) -> ir.Value:
    """The address of a field of the struct of type ``t`` at ``ptr``."""
    indices = [_const(I32, 0), *(_const(I32, k) for k in path)]
    if ptr.type.is_opaque:
        return b.gep(ptr, indices, inbounds=True, source_etype=t)
    return b.gep(ptr, indices, inbounds=True)  # a typed pointer (an alloca): typed fields


class _LoopBodyEmitter(_FunctionEmitter):
    """Emits the body of a parallel loop into its outlined function: its own stack slots
    (each thread has its own), the kernel's values passed in as arguments. A failed check
    records the iteration, the check and its values in the failure record (the first failing
    iteration wins), then ends the chunk: the kernel raises it once the loop is done."""

    def __init__(self, kernel: _FunctionEmitter, fn: ir.Function, record: ir.Value | None):
        super().__init__(kernel.parent, kernel.op)
        self.checks = kernel.checks
        self.fn = fn
        self.allocas = ir.IRBuilder(fn.append_basic_block("allocas"))
        self.entry = fn.append_basic_block("entry")
        self.b = ir.IRBuilder(self.entry)
        self.record = record
        self.iv: ir.Value | None = None

    def fail_allocation_if(self, bad: ir.Value) -> None:
        raise EmitError("llvm emitter: a tir.parallel loop allocates memory")

    def fail_check(self, check_id: ir.Value, values: Sequence[ir.Value]) -> None:
        b, record = self.b, self.record
        assert record is not None and self.iv is not None
        t = _record_type(len(values))
        lock = _field(b, record, t, 1)
        spin = self.fn.append_basic_block("record_lock")
        b.branch(spin)
        b.position_at_end(spin)
        got = b.extract_value(b.cmpxchg(lock, _const(I32, 0), _const(I32, 1), "acquire"), 1)
        locked = self.fn.append_basic_block("record_locked")
        b.cbranch(got, locked, spin)
        b.position_at_end(locked)
        first = _field(b, record, t, 0)
        with b.if_then(b.icmp_signed("<", self.iv, b.load(first, typ=I64))):
            b.store(self.iv, first)
            b.store(check_id, _field(b, record, t, 2))
            for k, x in enumerate(values):
                b.store(x, _field(b, record, t, 3, k))
        b.atomic_rmw("xchg", lock, _const(I32, 0), "release")  # unlock
        b.ret_void()


def _work(e: _FunctionEmitter, op: Operation, n: ir.Value) -> ir.Value:
    """Elements the loop's ``n`` iterations touch, estimated at run time, summed over the
    buffers it loads from or stores into (defined before it): all of a buffer that the
    iterations share out (indexed, somewhere, by the loop's variable), else at most one row
    (a buffer's elements after its first dim) per iteration (a gather's table, a vector read
    by every row)."""
    iv = op.regions[0].blocks.first.args[0]  # type: ignore[union-attr]
    buffers: dict[SSAValue, bool] = {}
    for inner in op.walk():
        if inner.name in ("memref.load", "memref.store"):
            at = 0 if inner.name == "memref.load" else 1
            m = inner.operands[at]
            if m in e.values:
                shared_out = any(owned(v, iv) for v in inner.operands[at + 1 :])
                buffers[m] = buffers.get(m, False) or shared_out
    b = e.b
    total: ir.Value = _const(I64, 0)
    for m, shared_out in buffers.items():
        dims = e.v(m).dims
        row: ir.Value = _const(I64, 1)
        for d in dims[1:]:
            row = b.mul(row, d)
        size = b.mul(row, dims[0]) if dims else row
        if not shared_out:
            rows = b.mul(row, n)
            size = b.select(b.icmp_signed("<", rows, size), rows, size)
        total = b.add(total, size)
    return total


def _parallel_for(e: _FunctionEmitter, op: Operation) -> None:
    """A ``tir.parallel`` loop: its body becomes ``void body(ctx, lo, hi)`` running iterations
    ``[lo, hi)``, the values it uses passed through ``ctx``, a struct on the kernel's stack
    (which starts with the failure record when the loop has checks). The kernel calls
    ``body(ctx, 0, n)`` itself when the work is small (``PARALLEL_MIN_WORK``), else hands it
    to the pool (``tir_parallel_for``); then it raises the first failing iteration's check,
    as the loop run serially would have."""
    if isinstance(e, _LoopBodyEmitter):
        raise EmitError("llvm emitter: a tir.parallel loop inside a tir.parallel loop")
    if op.results:
        raise EmitError("llvm emitter: a tir.parallel loop carries values")
    checks = []
    for inner in op.walk():
        if inner.name in _NOT_IN_PARALLEL:
            raise EmitError(f"llvm emitter: a tir.parallel loop holds {inner.name}")
        if inner.name == "tir.check":
            checks.append(len(inner.operands) - 1)
    body_block = op.regions[0].blocks.first
    assert body_block is not None
    b, parent = e.b, e.parent
    lb, ub = e.v(op.operands[0]), e.v(op.operands[1])
    captured = _captured(op)
    passed: dict[ir.Value, int] = {}
    for leaf in [lb, *(x for v in captured for x in _leaves(e.v(v)))]:
        if not isinstance(leaf, ir.Constant | ir.GlobalValue):
            passed.setdefault(leaf, len(passed))
    leaves = list(passed)
    record_type = _record_type(max(checks)) if checks else None
    ctx_type = ir.LiteralStructType([*([record_type] if checks else []), *(x.type for x in leaves)])
    first_leaf = 1 if checks else 0
    name = f"{e.fn.name}.parallel{e.n_parallel}"
    e.n_parallel += 1

    # the loop itself, iterations [lb + lo, lb + hi), its buffers noalias as the kernel's
    extra = [PTR] if checks else []
    impl = ir.Function(
        parent.llmod,
        ir.FunctionType(VOID, [I64, I64, *extra, *(x.type for x in leaves)]),
        name + ".loop",
    )
    impl.linkage = "internal"
    impl.attributes.add("alwaysinline")
    impl.attributes.add("nounwind")
    at = 2 + len(extra)
    for arg in impl.args[at:]:
        if isinstance(arg.type, ir.PointerType):
            arg.add_attribute("noalias")
    sub = _LoopBodyEmitter(e, impl, impl.args[2] if checks else None)

    def leaf(x: ir.Value) -> ir.Value:
        return impl.args[at + passed[x]] if x in passed else x

    for v in captured:
        sub.values[v] = _rebuild(e.v(v), leaf)
    sb = sub.b
    start, end = sb.add(leaf(lb), impl.args[0]), sb.add(leaf(lb), impl.args[1])
    header = impl.append_basic_block("for_header")
    loop_body = impl.append_basic_block("for_body")
    exit_ = impl.append_basic_block("for_exit")
    sb.branch(header)
    sb.position_at_end(header)
    iv = sb.phi(I64)
    iv.add_incoming(start, sub.entry)
    sb.cbranch(sb.icmp_signed("<", iv, end), loop_body, exit_)
    sb.position_at_end(loop_body)
    sub.values[body_block.args[0]] = sub.iv = iv
    sub.emit_block(body_block)
    iv.add_incoming(sb.add(iv, _const(I64, 1), flags=["nsw"]), sb.block)
    sb.branch(header)
    sb.position_at_end(exit_)
    sb.ret_void()
    sub.allocas.branch(sub.entry)

    # body(ctx, lo, hi): the values out of ctx, then the loop
    body = ir.Function(parent.llmod, ir.FunctionType(VOID, [PTR, I64, I64]), name)
    body.linkage = "internal"
    body.attributes.add("nounwind")
    bb = ir.IRBuilder(body.append_basic_block("entry"))
    ctx_arg, lo, hi = body.args
    fields = [
        bb.load(_field(bb, ctx_arg, ctx_type, first_leaf + k), typ=x.type)
        for k, x in enumerate(leaves)
    ]
    record = [_field(bb, ctx_arg, ctx_type, 0)] if checks else []
    bb.call(impl, [lo, hi, *record, *fields])
    bb.ret_void()

    # the kernel: ctx on its stack, then inline or through the pool
    ctx = e.allocas.alloca(ctx_type)
    for k, x in enumerate(leaves):
        b.store(x, _field(b, ctx, ctx_type, first_leaf + k))
    if record_type is not None:
        b.store(_const(I64, _NO_FAILURE), _field(b, ctx, ctx_type, 0, 0))
        b.store(_const(I32, 0), _field(b, ctx, ctx_type, 0, 1))
    n = b.sub(ub, lb)
    n = b.select(b.icmp_signed("<", n, _const(I64, 0)), _const(I64, 0), n)
    work = _work(e, op, n)
    small = b.icmp_signed("<", work, _const(I64, PARALLEL_MIN_WORK))
    with b.if_else(small) as (inline, pooled):
        with inline:
            b.call(body, [ctx, _const(I64, 0), n])
        with pooled:  # a chunk touches CHUNK_MIN_WORK elements at least
            grain = b.sdiv(b.mul(n, _const(I64, CHUNK_MIN_WORK)), work)
            pool = parent.intrinsic(PARALLEL_FOR, VOID, [PTR, PTR, I64, I64])
            b.call(pool, [body, ctx, n, grain])
    if record_type is not None:  # the first failing iteration's check, raised
        failed = b.icmp_signed("!=", b.load(_field(b, ctx, ctx_type, 0, 0), typ=I64),
                               _const(I64, _NO_FAILURE))  # fmt: skip
        fail = e.fn.append_basic_block("parallel_failed")
        ok = e.fn.append_basic_block("parallel_ok")
        b.cbranch(failed, fail, ok)
        b.position_at_end(fail)
        check_id = b.load(_field(b, ctx, ctx_type, 0, 2), typ=I64)
        values = [b.load(_field(b, ctx, ctx_type, 0, 3, k), typ=I64) for k in range(max(checks))]
        e.fail_check(check_id, values)
        b.position_at_end(ok)
