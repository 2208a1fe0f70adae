"""Theano's type constructors: every prefix x kind, plural and generic constructors, and the
attributes of the variables they make."""

from __future__ import annotations

import pytest

import tensorir
from tensorir import tensor

PREFIXES = {
    "b": "int8",
    "w": "int16",
    "i": "int32",
    "l": "int64",
    "f": "float32",
    "d": "float64",
    "c": "complex128",
}
KINDS = {
    "scalar": (),
    "vector": (False,),
    "matrix": (False, False),
    "row": (True, False),
    "col": (False, True),
    "tensor3": (False,) * 3,
    "tensor4": (False,) * 4,
    "tensor5": (False,) * 5,
    "tensor6": (False,) * 6,
    "tensor7": (False,) * 7,
}
PLURAL = {kind: "matrices" if kind == "matrix" else kind + "s" for kind in KINDS}


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("kind", KINDS)
def test_typed_constructor(prefix: str, kind: str) -> None:
    v = getattr(tensor, prefix + kind)("v")
    assert v.name == "v"
    assert isinstance(v.dtype, str) and v.dtype == PREFIXES[prefix]
    assert v.broadcastable == KINDS[kind]
    assert v.ndim == len(KINDS[kind])
    assert v.type == tensor.TensorType(PREFIXES[prefix], KINDS[kind])
    assert v.type.dtype == v.dtype and v.type.broadcastable == v.broadcastable
    assert v.owner is None
    unnamed = getattr(tensor, prefix + kind)()
    assert unnamed.name is None and unnamed.type == v.type and unnamed is not v


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("kind", KINDS)
def test_plural_constructor(prefix: str, kind: str) -> None:
    make = getattr(tensor, prefix + PLURAL[kind])
    xs = make("x", "y", "z")
    assert isinstance(xs, list) and [x.name for x in xs] == ["x", "y", "z"]
    assert len({id(x) for x in xs}) == 3
    for x in xs:
        assert x.dtype == PREFIXES[prefix] and x.broadcastable == KINDS[kind]
    one = make("only")
    assert not isinstance(one, list)
    assert one.name == "only" and one.type == xs[0].type


def test_plural_examples() -> None:
    x, y, z = tensor.dmatrices("x", "y", "z")
    assert (x.name, y.name, z.name) == ("x", "y", "z")
    assert x.dtype == "float64" and x.broadcastable == (False, False)
    a, b = tensor.fscalars("a", "b")
    assert a.dtype == "float32" and a.ndim == 0 and b.name == "b"
    u, v = tensor.ivectors("u", "v")
    assert u.dtype == "int32" and v.broadcastable == (False,)
    r, s = tensor.lrows("r", "s")
    assert r.broadcastable == (True, False) and s.dtype == "int64"
    c = tensor.ccols("c")
    assert c.broadcastable == (False, True) and c.dtype == "complex128"
    t1, t2 = tensor.btensor5s("t1", "t2")
    assert t1.ndim == 5 and t2.dtype == "int8"


def test_row_and_col_patterns() -> None:
    assert tensor.row().broadcastable == (True, False)
    assert tensor.col().broadcastable == (False, True)
    assert tensor.crow("r").broadcastable == (True, False)
    assert tensor.crow("r").dtype == "complex128"
    assert tensor.wcol().dtype == "int16"


@pytest.mark.parametrize("kind", KINDS)
def test_generic_constructor_defaults_to_floatx(kind: str) -> None:
    make = getattr(tensor, kind)
    v = make()
    assert v.name is None and v.dtype == tensorir.config.floatX
    assert v.broadcastable == KINDS[kind]
    named = make("x", dtype="int32")
    assert named.name == "x" and named.dtype == "int32" and named.broadcastable == KINDS[kind]
    assert make(name="n", dtype="float32").dtype == "float32"


def test_generic_constructor_follows_floatx_changes() -> None:
    old = tensorir.config.floatX
    try:
        tensorir.config.floatX = "float32"
        assert tensor.matrix().dtype == "float32"
        assert tensor.vector("x", dtype="int32").dtype == "int32"
        assert tensor.matrices("a", "b")[1].dtype == "float32"
        tensorir.config.floatX = "float64"
        assert tensor.matrix().dtype == "float64"
        assert tensor.scalars("a", "b")[0].dtype == "float64"
    finally:
        tensorir.config.floatX = old


def test_tensor_of_any_rank() -> None:
    t = tensor.tensor("int16", (False, True, False), name="t")
    assert (t.name, t.dtype, t.ndim, t.broadcastable) == ("t", "int16", 3, (False, True, False))
    assert tensor.tensor().ndim == 0
    assert tensor.TensorType("float32", (True,))("v").broadcastable == (True,)
    with pytest.raises(TypeError, match="unsupported dtype"):
        tensor.TensorType("float16", ())


def test_dtype_normalised_to_str() -> None:
    import numpy as np

    v = tensor.vector("v", dtype=np.float32)
    assert v.dtype == "float32" and isinstance(v.dtype, str)
    assert tensor.matrix(dtype="f8").dtype == "float64"
