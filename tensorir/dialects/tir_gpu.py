"""The ops of a GPU kernel whose block works together (``tir-gpu-kernels``' block kernels).

A kernel marked ``{tir.block_level}`` is written for a whole block: its code outside these
ops is *uniform* (every thread computes the same values; it stores nothing), and these ops
say what the threads do::

    tir.block_threads {                 every thread runs the region, then the block waits
      scf.for %j = %first to %n step %stride { ... }
    }
    %m = tir.block_reduce "maximumf" : f64 {      every thread computes a partial value;
      ...                                         the block combines them (warp shuffles,
      tir.block_yield %partial : f64              then shared memory): every thread gets it
    }
    tir.block_single {                  one thread runs the region, then the block waits
      memref.store %m, %out[%i] : memref<?xf64>
    }

A block op that stores first waits for the block when uniform code has loaded since the
last block op (so that no thread overwrites what another has yet to read).

``%tile = tir.block_buffer : memref<16x16xf64>`` is a buffer of the block's shared memory
(static shape), which the threads of ``tir.block_threads`` fill and read (a tiled matrix
product's tiles). A block may be 2-D (``thread_id`` x and y) except for
``tir.block_reduce``, which combines along x.

On NVPTX they become the region inlined, ``bar.sync``, shuffles and shared memory; the
emulator runs the uniform code once per block and loops over the threads at each op (phase
by phase across the barriers), so the same IR runs without a GPU.
"""

from __future__ import annotations

import math

from xdsl.dialects.builtin import AnyFloat, IndexType, IntegerType, MemRefType, StringAttr
from xdsl.ir import Attribute, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
)
from xdsl.traits import HasParent, IsTerminator, NoTerminator
from xdsl.utils.exceptions import VerifyException

BLOCK_LEVEL = "tir.block_level"
"""The unit attribute of a ``gpu.func`` written for a whole block (see the module)."""

COMBINERS = ("addf", "mulf", "maximumf", "minimumf", "maxnumf", "minnumf",
             "addi", "muli", "maxsi", "minsi", "maxui", "minui", "andi", "ori", "xori")  # fmt: skip
"""The ``arith`` ops a ``tir.block_reduce`` combines partial values with: associative and
commutative (``addf``/``mulf`` up to rounding: a block sums in a tree)."""


def identity(kind: str, t: Attribute) -> float | int:
    """The neutral element of combiner ``kind`` on type ``t``."""
    if kind in ("addf", "addi", "ori", "xori", "maxui"):
        return 0.0 if kind == "addf" else 0
    if kind in ("mulf", "muli"):
        return 1.0 if kind == "mulf" else 1
    if kind in ("maximumf", "maxnumf"):
        return -math.inf
    if kind in ("minimumf", "minnumf"):
        return math.inf
    width = 64 if isinstance(t, IndexType) else t.width.data  # type: ignore[attr-defined]
    if kind == "maxsi":
        return -(1 << (width - 1)) if width > 1 else -1
    if kind == "minsi":
        return (1 << (width - 1)) - 1 if width > 1 else 0
    if kind in ("minui", "andi"):
        return -1  # all ones
    raise ValueError(f"no combiner {kind!r}; combiners: {', '.join(COMBINERS)}")


@irdl_op_definition
class BlockThreadsOp(IRDLOperation):
    """Every thread of the block runs the region; then the block waits for all of them."""

    name = "tir.block_threads"
    body = region_def("single_block")
    traits = traits_def(NoTerminator())
    assembly_format = "attr-dict-with-keyword $body"

    def __init__(self, body: Region):
        super().__init__(regions=[body])


@irdl_op_definition
class BlockSingleOp(IRDLOperation):
    """One thread of the block runs the region; then the block waits for it."""

    name = "tir.block_single"
    body = region_def("single_block")
    traits = traits_def(NoTerminator())
    assembly_format = "attr-dict-with-keyword $body"

    def __init__(self, body: Region):
        super().__init__(regions=[body])


@irdl_op_definition
class BlockReduceOp(IRDLOperation):
    """Every thread computes the region's value; the result, in every thread, is all of
    them combined by ``kind`` (an ``arith`` op of ``COMBINERS``)."""

    name = "tir.block_reduce"
    kind = prop_def(StringAttr)
    result = result_def(AnyFloat | IntegerType | IndexType)
    body = region_def("single_block")
    assembly_format = "$kind attr-dict `:` type($result) $body"

    def __init__(self, kind: str, result_type: Attribute, body: Region):
        super().__init__(
            properties={"kind": StringAttr(kind)}, result_types=[result_type], regions=[body]
        )

    def verify_(self) -> None:
        if self.kind.data not in COMBINERS:
            raise VerifyException(
                f"tir.block_reduce: unknown combiner {self.kind.data!r}; combiners: "
                f"{', '.join(COMBINERS)}"
            )
        last = self.body.block.last_op
        if not isinstance(last, BlockYieldOp) or last.value.type != self.result.type:
            raise VerifyException(
                f"tir.block_reduce: its region must end with a tir.block_yield of a "
                f"{self.result.type}"
            )


@irdl_op_definition
class BlockYieldOp(IRDLOperation):
    """A thread's partial value of a ``tir.block_reduce``."""

    name = "tir.block_yield"
    value = operand_def()
    traits = traits_def(IsTerminator(), HasParent(BlockReduceOp))
    assembly_format = "$value attr-dict `:` type($value)"

    def __init__(self, value: SSAValue):
        super().__init__(operands=[value])


@irdl_op_definition
class BlockBufferOp(IRDLOperation):
    """A buffer of the block's shared memory, of a static shape."""

    name = "tir.block_buffer"
    memref = result_def(MemRefType)
    assembly_format = "attr-dict `:` type($memref)"

    def __init__(self, t: MemRefType):
        super().__init__(result_types=[t])

    def verify_(self) -> None:
        t = self.memref.type
        assert isinstance(t, MemRefType)
        if any(d < 0 for d in t.get_shape()):
            raise VerifyException(f"tir.block_buffer: its shape must be static, got {t}")


GPU_OPS = [BlockThreadsOp, BlockSingleOp, BlockReduceOp, BlockYieldOp, BlockBufferOp]
