"""device=cuda without a GPU: every program through the GPU pipeline, its host code and its
kernels run by the emulator (``config.cuda_backend = "emulator"``: each kernel compiled for
the CPU, every thread of every block in turn) against the same program on the CPU; the PTX
of the same kernels assembled by ptxas for sm_80 and sm_90; and the error a user gets asking
for the GPU where there is none."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tensorir
from tensorir import config, cuda
from tensorir import tensor as T
from tensorir.ifelse import ifelse
from tensorir.runtime.device import DeviceArray, DeviceUnavailable
from tensorir.tensor.shared_randomstreams import RandomStreams

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(autouse=True)
def emulator() -> Any:
    saved = config.cuda_backend, config.cuda_dot
    config.cuda_backend = "emulator"
    yield
    config.cuda_backend, config.cuda_dot = saved


def _programs() -> dict[str, tuple[list[Any], list[Any], list[Any]]]:
    """name -> (inputs, outputs, arguments): every kind of kernel the pipeline makes."""
    rng = np.random.default_rng(0)
    x, y = T.dmatrix("x"), T.dmatrix("y")
    v, i = T.dvector("v"), T.lscalar("i")
    iv = T.lvector("iv")
    c = T.dscalar("c")
    f = T.fmatrix("f")
    z = T.vector("z", dtype="complex128")
    X, Y = rng.standard_normal((5, 7)), rng.standard_normal((5, 7))
    V = rng.standard_normal(7)
    F = rng.standard_normal((6, 3)).astype("float32")
    return {
        "elementwise": (
            [x, v],
            [T.tanh(x) * v + T.log1p(abs(x)), T.sqrt(abs(x)) ** 1.5, T.exp(-x) / (1 + x * x)],
            [X, V],
        ),
        "broadcast": ([x, v], [x + v, v.dimshuffle("x", 0) * x.sum(1).dimshuffle(0, "x")], [X, V]),
        "reductions": ([x], [x.sum(0), x.max(1), x.mean(), T.argmax(x, axis=1), x.prod()], [X]),
        "softmax": ([x], [T.nnet.softmax(x), T.nnet.sigmoid(x)], [X]),
        "dot": ([x, y, v], [T.dot(x, v), T.dot(x, y.T), T.dot(v, v), T.dot(x.T, y)], [X, Y, V]),
        "indexing": ([x, i, iv], [x[i], x[iv], x[1:4, ::2], x[iv, 2], x[-1]], [X, 2, [0, 4, -1]]),
        "shapes": (
            [x],
            [T.concatenate([x, x * 2], axis=0), x.reshape((7, 5)), x.T.flatten()],
            [X],
        ),
        "gradient": ([x, v], [T.grad(T.sum(T.tanh(T.dot(x, v)) ** 2), [x, v])[0]], [X, V]),
        "float32": (
            [f],
            [T.exp(f).sum(1), T.tanh(f) * 2, T.cast(f, "int32") + 1, T.gt(f, 0)],
            [F],
        ),
        "complex": ([z], [z * z + 1, abs(z)], [np.array([1 + 2j, 3 - 1j])]),
        "block_reductions": (  # block kernels: rows, whole reductions, columns
            [x, v, f, iv],
            [
                x.sum(1),
                x.max(),
                T.dot(x, v),
                T.dot(v, v),
                f.min(1),
                f.sum(),
                iv.sum(),
                T.max(iv),
                x.sum(0),
                f.prod(0),
            ],
            [np.round(X * 8), np.round(V * 8), np.round(F * 8), [3, -9, 4]],
        ),  # fmt: skip  (small integers: sums exact in any order)
        "ifelse": (  # the condition is computed on the device and read by the host
            [x, c],
            [ifelse(T.gt(x.sum() + c, 0), x * 2, x - 1), ifelse(T.lt(c, 0), x, -x)],
            [X, 100.0],
        ),
    }


PROGRAMS = _programs()


def _both(inputs: list[Any], outputs: list[Any], args: list[Any], **kw: Any) -> list[Any]:
    cpu = tensorir.function(inputs, outputs, **kw)
    gpu = tensorir.function(inputs, outputs, device="cuda", **kw)
    expected, got = cpu(*args), gpu(*args)
    assert len(expected) == len(got)
    for e, g in zip(expected, got, strict=True):
        assert isinstance(g, np.ndarray) and g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)
    return got


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_on_the_emulated_gpu_matches_the_cpu(name: str) -> None:
    _both(*PROGRAMS[name])


@pytest.mark.parametrize("name", ["dot", "gradient", "block_reductions"])
def test_dot_through_kernels_and_through_the_devices_blas(name: str) -> None:
    """``cuda_dot=cublas`` (the default): ``dot`` is a call of the device's BLAS on device
    buffers (the emulator's is the CPU's BLAS, standing for cuBLAS); ``kernels``: the
    compiler's own kernels. Both give the CPU's results."""
    inputs, outputs, args = PROGRAMS[name]
    for how in ("cublas", "kernels"):
        config.cuda_dot = how
        gpu = tensorir.function(inputs, outputs, device="cuda")
        assert ("func.call @tensorir_cblas_" in gpu.ir("loops")) == (how == "cublas")
        assert ("tir_dev_blas_" in gpu.ir("llvm")) == (how == "cublas")
        _both(inputs, outputs, args)


@pytest.mark.parametrize("shape", [(0, 7), (3, 0), (1, 1), (300, 5)])
def test_empty_and_partial_block_shapes(shape: tuple[int, int]) -> None:
    x, v = T.dmatrix("x"), T.dvector("v")
    X = np.arange(np.prod(shape), dtype=float).reshape(shape) / 7
    _both([x, v], [x * v, x.sum(0), x.sum(1), x.sum(), T.exp(x)], [X, np.ones(shape[1])])


def test_grid_stride_covers_more_elements_than_threads() -> None:
    """4096 blocks of 256 threads: each thread runs several iterations of a larger loop."""
    x = T.fvector("x")
    n = 4096 * 256 * 2 + 3
    X = np.linspace(-1, 1, n, dtype="float32")
    f = tensorir.function([x], x * 2 + 1, device="cuda")
    np.testing.assert_array_equal(f(X), X * 2 + 1)


def test_training_step_keeps_shared_variables_on_the_device() -> None:
    """Updates and givens: minibatches of a shared dataset are views of its device buffer;
    the weights stay on the device between calls and match the CPU's step for step."""
    rng = np.random.default_rng(1)
    data = rng.standard_normal((100, 7))
    x, i = T.dmatrix("x"), T.lscalar("i")
    fns, weights = [], []
    for device in ("cpu", "cuda"):
        d = tensorir.shared(data, "data")
        w = tensorir.shared(np.zeros(7), "w")
        cost = T.sum((T.dot(x, w) - 1) ** 2)
        step = tensorir.function(
            [i],
            cost,
            updates=[(w, w - 0.01 * T.grad(cost, w))],
            givens={x: d[i * 10 : (i + 1) * 10]},
            device=device,
        )
        fns.append(step)
        weights.append((d, w))
    (_, w_cpu), (d_gpu, w_gpu) = weights
    assert isinstance(d_gpu.container.value, DeviceArray)
    assert isinstance(w_gpu.container.value, DeviceArray)
    for k in range(10):
        np.testing.assert_allclose(fns[1](k), fns[0](k), rtol=1e-12)
    assert isinstance(w_gpu.get_value(), np.ndarray)
    np.testing.assert_allclose(w_gpu.get_value(), w_cpu.get_value(), rtol=1e-12)
    w_gpu.set_value(np.ones(7))  # uploaded
    assert isinstance(w_gpu.container.value, DeviceArray)
    np.testing.assert_array_equal(w_gpu.get_value(), np.ones(7))


def test_a_failed_call_changes_no_shared_variable() -> None:
    iv = T.lvector("iv")
    s = tensorir.shared(np.arange(4.0), "s")
    f = tensorir.function([iv], s[iv].sum(), updates=[(s, s * 2)], device="cuda")
    with pytest.raises(IndexError, match="index 9 is out of bounds for axis 0 with size 4"):
        f([1, 9])
    np.testing.assert_array_equal(s.get_value(), np.arange(4.0))
    assert f([1, 3]) == 4.0
    np.testing.assert_array_equal(s.get_value(), np.arange(4.0) * 2)


def test_a_check_inside_a_kernel_raises_as_on_the_cpu() -> None:
    """Each element of an integer power checks its exponent (in the kernel): the failing
    thread claims the error record, which the host reads after the launch."""
    a, b = T.lvector("a"), T.lvector("b")
    f = tensorir.function([a, b], a**b, device="cuda")
    assert f([2, 3], [3, 2]).tolist() == [8, 9]
    with pytest.raises(ValueError, match="Integers to negative integer powers are not allowed"):
        f([2, 3], [3, -2])


def test_errors_name_the_users_line() -> None:
    x, v = T.dmatrix("x"), T.dvector("v")
    f = tensorir.function([x, v], x + v, device="cuda")
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(1, 4\).*test_gpu.py"):
        f(np.ones((2, 3)), np.ones(4))


def test_out_of_device_memory_says_how_many_bytes() -> None:
    n = T.lscalar("n")
    f = tensorir.function([n], T.alloc(np.float64(1), n), device="cuda")
    with pytest.raises(MemoryError, match=f"out of device memory: {8 * 2**56} bytes asked"):
        f(2**56)
    assert f(3).tolist() == [1.0, 1.0, 1.0]


def test_random_streams_draw_the_same_numbers_as_on_the_cpu() -> None:
    draws = []
    for device in ("cpu", "cuda"):
        srng = RandomStreams(seed=42)
        f = tensorir.function([], [srng.uniform((3, 4)), srng.normal((5,))], device=device)
        draws.append([f(), f()])
    for a, b in zip(draws[0], draws[1], strict=True):
        for e, g in zip(a, b, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-12)
    assert not np.allclose(draws[1][0][0], draws[1][1][0])  # the counters moved on


def test_scan_and_its_gradient() -> None:
    x, v = T.dmatrix("x"), T.dvector("v")
    out, _ = tensorir.scan(lambda xt, h: T.tanh(xt * h + 1), sequences=[x], outputs_info=[v])
    rng = np.random.default_rng(2)
    _both([x, v], [out, out[-1], T.grad(out.sum(), v)], [rng.standard_normal((6, 3)), np.ones(3)])


def test_ir_of_a_gpu_function() -> None:
    x = T.dvector("x")
    f = tensorir.function([x], T.exp(x), device="cuda")
    assert "gpu.launch_func" in f.ir("loops") and "gpu.func" in f.ir("loops")
    assert "tir_dev_launch" in f.ir("llvm")
    assert ".emu" in f.ir("kernels")
    with pytest.raises(ValueError, match="a CPU function has no ptx"):
        tensorir.function([x], x + 1).ir("ptx")


def test_device_flag_spellings() -> None:
    saved = config.device
    try:
        for spelling in ("gpu", "cuda0", "cuda"):
            config.device = spelling
            assert config.device == "cuda"
    finally:
        config.device = saved
    with pytest.raises(ValueError, match="device must be one of cpu, cuda"):
        tensorir.function([T.dvector()], None, device="tpu")


def test_seed_program_prints_the_same_digits_on_the_emulated_gpu() -> None:
    env = {**os.environ, "TENSORIR_FLAGS": "device=cuda,cuda_backend=emulator"}
    run = [sys.executable, str(EXAMPLES / "trivial_training.py")]
    gpu = subprocess.run(run, capture_output=True, text=True, env=env, check=True).stdout
    cpu = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert gpu == cpu


# --------------------------------------------------------------------------- no GPU


def _has_gpu() -> bool:
    try:
        tensorir.runtime.device.backend("driver")
    except DeviceUnavailable:
        return False
    return True


@pytest.mark.skipif(_has_gpu(), reason="a GPU is present: the driver backend works")
def test_asking_for_the_gpu_without_one_is_one_clear_error() -> None:
    config.cuda_backend = "driver"
    x = T.dvector("x")
    with pytest.raises(DeviceUnavailable, match=r"^device=cuda.*(cuda-python|driver|GPU)"):
        tensorir.function([x], x + 1, device="cuda")
    assert tensorir.function([x], x + 1)([1.0]).tolist() == [2.0]  # the CPU still works


def test_importing_tensorir_needs_no_cuda() -> None:
    code = "import sys, tensorir\nassert 'cuda.bindings' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- PTX


ptxas = pytest.mark.skipif(
    cuda.find_ptxas() is None or cuda.find_libdevice() is None,
    reason="ptxas or libdevice not installed (pip install nvidia-cuda-nvcc nvidia-nvvm)",
)


@ptxas
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_kernel_assembles_with_ptxas(name: str, arch: str) -> None:
    inputs, outputs, _ = PROGRAMS[name]
    ptx = cuda.compile_ptx(inputs, outputs, arch=arch)
    assert f".target {arch}" in ptx and ".entry" in ptx
    assert "__nv_" not in ptx  # libdevice linked and inlined
    report = cuda.assemble(ptx, arch)
    assert "Compiling entry function" in report


@ptxas
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_tiled_products_assemble_with_ptxas(arch: str) -> None:
    """Shared memory tiles (address space 3), 2-D blocks and barriers, float32 and float64."""
    config.cuda_dot = "kernels"
    x, f = T.dmatrix("x"), T.fmatrix("f")
    ptx = cuda.compile_ptx([x, f], [T.dot(x, x.T), T.dot(f, f)], arch=arch)
    assert ptx.count(".shared") >= 6 and "bar.sync" in ptx
    cuda.assemble(ptx, arch)


@ptxas
def test_ptx_of_a_training_step_with_updates_and_givens() -> None:
    x, i = T.dmatrix("x"), T.lscalar("i")
    d = tensorir.shared(np.zeros((100, 7)), "data")
    w = tensorir.shared(np.zeros(7), "w")
    cost = T.sum((T.dot(x, w) - 1) ** 2)
    ptx = cuda.compile_ptx(
        [i], cost, updates=[(w, w - 0.1 * T.grad(cost, w))], givens={x: d[i * 10 : i * 10 + 10]}
    )
    cuda.assemble(ptx, "sm_90")
    assert ptx.count(".entry") >= 2


# --------------------------------------------------------------------------- every op


def _every_op(dtype: str) -> tuple[list[Any], list[Any], list[Any]]:
    """Every elementwise op of the dialect that takes ``dtype``, in one function."""
    from tensorir.dialects import tir
    from tensorir.dialects.tir import frontend_name

    x, y = T.vector("x", dtype=dtype), T.vector("y", dtype=dtype)
    outs = []
    for cls in tir.elementwise_ops():
        name, accepts = frontend_name(cls), cls.ACCEPTS
        if dtype.startswith("int") and accepts in ("float", "realfloat", "complex"):
            continue
        if dtype.startswith("complex") != (accepts in ("num", "complex")) and accepts != "num":
            continue
        fn = getattr(T, name)
        unary = issubclass(cls, tir.ElementwiseUnaryOp)
        outs.append(fn(x) if unary else fn(x, y))
    if dtype.startswith("int"):
        args = [np.array([7, -3, 0, 5], dtype), np.array([2, 5, 3, 4], dtype)]
    elif dtype.startswith("complex"):
        args = [np.array([1 + 2j, -0.5j, 3, 0], dtype), np.array([2, 1j, -1 - 1j, 4], dtype)]
    else:
        args = [np.array([0.3, -0.7, 0.0, 0.9], dtype), np.array([1.5, 0.2, -2.0, 0.5], dtype)]
    return [x, y], outs, args


EVERY_OP_DTYPES = ["float32", "float64", "int64", "complex128"]


@pytest.mark.parametrize("dtype", EVERY_OP_DTYPES)
def test_every_elementwise_op_on_the_emulated_gpu(dtype: str) -> None:
    inputs, outputs, args = _every_op(dtype)
    cpu = tensorir.function(inputs, outputs, on_unused_input="ignore")
    gpu = tensorir.function(inputs, outputs, on_unused_input="ignore", device="cuda")
    for e, g in zip(cpu(*args), gpu(*args), strict=True):
        np.testing.assert_array_equal(g, e)  # the same scalar code, element for element


@ptxas
@pytest.mark.parametrize("dtype", EVERY_OP_DTYPES)
def test_every_elementwise_op_assembles_with_ptxas(dtype: str) -> None:
    """libdevice for every elementary function: LLVM aborts on llvm.exp and friends."""
    inputs, outputs, _ = _every_op(dtype)
    ptx = cuda.compile_ptx(inputs, outputs, arch="sm_90", on_unused_input="ignore")
    cuda.assemble(ptx, "sm_90")


def test_grid_stride_along_rows_and_columns() -> None:
    """A matrix kernel launches rows over y (at most 65535 blocks) and columns over x: more
    rows than the grid holds are covered by the stride along y."""
    x = T.fmatrix("x")
    X = np.arange(65535 * 8 + 5, dtype="float32").reshape(-1, 1)
    f = tensorir.function([x], [x * 2 + 1, x.T * 3], device="cuda")
    a, b = f(X)
    np.testing.assert_array_equal(a, X * 2 + 1)
    np.testing.assert_array_equal(b, X.T * 3)
    assert "dim y" in f.ir("loops")


# --------------------------------------------------------------------------- block kernels


def _reductions(dtype: str) -> tuple[list[Any], list[Any]]:
    x = T.matrix("x", dtype=dtype)
    outs = [x.sum(1), x.sum(0), x.sum(), T.dot(x, x.T.sum(1)), x.max(1), x.min(), x.max(0)]
    if dtype.startswith("float"):
        outs += [x.mean(1), T.nnet.softmax(x)]
    return [x], outs


REDUCTION_SHAPES = [(0, 4), (4, 0), (1, 1), (3, 5), (7, 300), (600, 3), (2, 1000), (40, 257)]


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32"])
def test_block_kernels_reduce_as_the_cpu(dtype: str) -> None:
    """Rows shared by a block, whole reductions over the grid, columns interchanged: the
    CPU's results for every shape (empty, one element, rows shorter and longer than a
    block, more rows than threads). The inputs are small integers, so that sums are exact
    in any order; softmax's sums of exponentials are not (a block combines in a tree, the
    CPU in a row), so it is compared to within a few ulps."""
    inputs, outputs = _reductions(dtype)
    sums = 4  # the outputs defined for empty inputs
    rng = np.random.default_rng(1)
    for n in (sums, len(outputs)):
        cpu = tensorir.function(inputs, outputs[:n])
        gpu = tensorir.function(inputs, outputs[:n], device="cuda")
        assert "tir.block_reduce" in gpu.ir("loops")
        for shape in REDUCTION_SHAPES:
            if n > sums and 0 in shape:
                continue  # max and min of nothing are errors
            a = rng.integers(-8, 9, shape).astype(dtype)
            for k, (e, g) in enumerate(zip(cpu(a), gpu(a), strict=True)):
                assert g.dtype == e.dtype and g.shape == e.shape
                if k == len(outputs) - 1 and dtype.startswith("float"):  # softmax
                    np.testing.assert_allclose(g, e, rtol=16 * np.finfo(dtype).eps)
                else:
                    np.testing.assert_array_equal(g, e)


def test_a_whole_reduction_larger_than_the_grid() -> None:
    """More elements than the grid has threads (4096 blocks of 256): each thread strides
    over the numbered iterations; the blocks' partial values are combined by one block."""
    v = T.dvector("v")
    f = tensorir.function([v], [v.sum(), v.max(), T.argmax(v)], device="cuda")
    a = np.arange(4096 * 256 * 2 + 77, dtype="float64")
    total, top, at = f(a)
    assert total == a.sum() and top == a[-1] and at == a.size - 1
    assert f.ir("loops").count("tir.block_reduce") >= 4


def test_borrow_and_the_internal_type_of_a_value_on_the_device() -> None:
    """Theano's rules: ``get_value`` of a device value is a new host array, borrow or not;
    ``return_internal_type=True`` gives the device array itself (``borrow``) or a device
    copy; ``set_value`` of a device array of the variable's type copies it on the device or,
    with ``borrow``, takes it."""
    w = tensorir.shared(np.arange(6.0).reshape(2, 3), "w")
    f = tensorir.function([], w.sum(), updates=[(w, w + 1)], device="cuda")
    f()
    host = w.get_value(borrow=True)
    assert isinstance(host, np.ndarray)
    host[0, 0] = 100.0  # a copy: the variable is unchanged
    assert w.get_value()[0, 0] == 1.0
    inside = w.get_value(borrow=True, return_internal_type=True)
    assert isinstance(inside, DeviceArray) and inside is w.container.value
    copy = w.get_value(return_internal_type=True)
    assert isinstance(copy, DeviceArray) and copy is not inside
    np.testing.assert_array_equal(np.asarray(copy), np.arange(1.0, 7.0).reshape(2, 3))
    w.set_value(copy, borrow=True)
    assert w.container.value is copy
    w.set_value(inside)
    assert w.container.value is not inside
    np.testing.assert_array_equal(w.get_value(), np.arange(1.0, 7.0).reshape(2, 3))
    assert f() == 21.0
    bad = DeviceArray.from_numpy(np.zeros(3, "float32"), inside.backend)
    with pytest.raises(TypeError, match=r"device array of float32 and shape \(3,\) does not"):
        w.set_value(bad)


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_matrix_products_are_tiled_through_shared_memory(dtype: str) -> None:
    """``dot`` of matrices without BLAS (plain and transposed operands): 16 x 16 tiles of
    the result per block, the operands staged through shared memory, each element combined
    over ``k`` in the CPU's order; sizes that are not multiples of 16, and empty ones.
    Small integers: the products are exact."""
    config.cuda_dot = "kernels"
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    plain = tensorir.function([x, y], T.dot(x, y), device="cuda")
    transposed = tensorir.function([x, y], T.dot(x.T, y.T), device="cuda")
    for f in (plain, transposed):
        assert f.ir("loops").count("tir.block_buffer") == 3
    rng = np.random.default_rng(3)
    for m, k, n in [(3, 4, 5), (1, 300, 2), (257, 3, 300), (33, 17, 16), (0, 3, 4), (3, 0, 4),
                    (2, 5, 0)]:  # fmt: skip
        a, b = (rng.integers(-4, 5, s).astype(dtype) for s in ((m, k), (k, n)))
        np.testing.assert_array_equal(plain(a, b), a @ b)
        np.testing.assert_array_equal(transposed(a.T.copy(), b.T.copy()), a @ b)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_dot_of_every_shape_through_the_devices_blas(dtype: str) -> None:
    """Every BLAS routine ``dot`` becomes (gemm, plain and transposed; gemv both ways; dot)
    on device buffers, empty sizes included, against numpy."""
    x, y, v = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype), T.vector("v", dtype=dtype)
    f = tensorir.function(
        [x, y, v], [T.dot(x, y), T.dot(x.T, y.T), T.dot(x, v), T.dot(v, y), T.dot(v, v)],
        device="cuda",
    )  # fmt: skip
    p = "d" if dtype == "float64" else "s"
    for routine in ("gemm", "gemv", "dot"):
        assert f"tir_dev_blas_{p}{routine}" in f.ir("llvm")
    rng = np.random.default_rng(4)
    for n in (0, 1, 5, 40):
        a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
        c = rng.standard_normal(n).astype(dtype)
        want = [a @ b, a.T @ b.T, a @ c, c @ b, c @ c]
        tol = 1e-4 if dtype == "float32" else 1e-12
        for g, w in zip(f(a, b, c), want, strict=True):
            np.testing.assert_allclose(g, w, rtol=tol, atol=tol)


def test_cublas_entry_points_compile_and_its_library_is_found() -> None:
    """The driver's ``DEVICE_BLAS`` (cuBLAS's 64-bit routines through pointers) compiles for
    the host; where the nvidia-cublas wheel is installed, its library has every routine
    they call (no GPU needed to check that much)."""
    from tensorir.abi import DEVICE_BLAS
    from tensorir.runtime import device
    from tensorir.runtime.jit import JITLibrary

    natives = JITLibrary(device._cublas_natives())
    for name in DEVICE_BLAS:
        assert natives.address(name)
    path = device.find_cublas()
    if path is None:
        pytest.skip("nvidia-cublas is not installed")
    import ctypes

    lib = ctypes.CDLL(path)
    for pattern in device._CUBLAS_FUNCTIONS.values():
        for p in "DS":
            assert hasattr(lib, pattern.format(P=p))


def test_functions_with_the_same_kernels_share_one_loaded_module() -> None:
    """The driver's module cache: one load per distinct code, unloaded after the last
    function holding it is dropped."""
    import gc

    from tensorir.runtime.device import ModuleCache

    loaded, unloaded = [], []
    cache = ModuleCache(lambda code: loaded.append(code) or f"module of {code}", unloaded.append)
    m1, lease1 = cache.acquire("ptx A")
    m2, lease2 = cache.acquire("ptx A")
    m3, lease3 = cache.acquire("ptx B")
    assert m1 == m2 == "module of ptx A" and loaded == ["ptx A", "ptx B"] and len(cache) == 2
    del lease1
    gc.collect()
    assert unloaded == []
    del lease2
    gc.collect()
    assert unloaded == ["module of ptx A"] and len(cache) == 1
    del lease3
    gc.collect()
    assert unloaded == ["module of ptx A", "module of ptx B"] and len(cache) == 0
