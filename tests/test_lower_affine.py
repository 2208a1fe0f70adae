"""The loops pipeline's lower-affine (a fast path for modules whose only affine ops are
affine.apply) gives exactly what xDSL's pass gives."""

from __future__ import annotations

import pytest
from xdsl.context import Context
from xdsl.transforms.lower_affine import LowerAffinePass

from tensorir import tensor
from tensorir.compiler import FunctionGraph, to_tir
from tensorir.lowering import pipelines
from tensorir.lowering.lower_affine import LowerAffine


def _programs() -> list[FunctionGraph]:
    a, b, r = tensor.dmatrix("a"), tensor.dvector("b"), tensor.drow("r")
    x = tensor.dvector("x")
    return [
        FunctionGraph((a, b), (tensor.nnet.softmax(a + b), (a * 2).sum(axis=0)), 2),
        FunctionGraph((a, r), (a[1:, ::2].sum() + (a * r).max(axis=1),), 2),
        FunctionGraph((x,), (tensor.grad((tensor.tanh(x) ** 2).sum(), x),), 1),
    ]


@pytest.mark.parametrize("k", range(3))
def test_same_ir_as_xdsl(k: int) -> None:
    graph = _programs()[k]
    ours, theirs = to_tir(graph, "f"), to_tir(graph, "f")
    for m in (ours, theirs):
        passes = pipelines.passes_to("loops")
        for p in passes[: [q.name for q in passes].index("lower-affine")]:
            p.apply(Context(), m)
    assert k != 1 or "affine.apply" in str(ours)  # a row read at index 0
    LowerAffine().apply(Context(), ours)
    LowerAffinePass().apply(Context(), theirs)
    assert str(ours) == str(theirs)
