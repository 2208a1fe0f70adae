"""The seed documents' programs print exactly what the documents print."""

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str) -> str:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, check=True
    )
    return out.stdout


def test_quick_guide_scalar_add_and_dot() -> None:
    expected = "4.0\n9.0\n[[11.  0.]\n [35. 20.]]\n[[11.  0.]\n [35. 20.]]\n"
    assert run_example("quick_guide.py") == expected


def test_quick_guide_in_process(capsys) -> None:
    import numpy

    import tensorir
    from tensorir import tensor

    a = tensor.dscalar()
    b = tensor.dscalar()
    f = tensorir.function([a, b], a + b)
    d = f(1.5, 2.5)
    assert isinstance(d, numpy.ndarray) and d.shape == () and d.dtype == numpy.float64
    print(d)
    a = tensor.dmatrix()
    b = tensor.dmatrix()
    f = tensorir.function([a, b], tensor.dot(a, b))
    print(f([[0, -1, 2], [4, 11, 2]], [[3, -1], [1, 2], [6, 1]]))
    assert capsys.readouterr().out == "4.0\n[[11.  0.]\n [35. 20.]]\n"


def test_shared_variables_get_and_set() -> None:
    expected = (
        "Original:  [0.1  0.25 0.15 0.3 ]\n"
        "Setting new values (0.5, 0.2, 0.4, 0.2)\n"
        "After modifications: [0.5 0.2 0.4 0.2]\n"
    )
    assert run_example("shared_variables.py") == expected


TRIVIAL_TRAINING = """\
Weights:  [0.1  0.25 0.15 0.3 ]
iteration:  0
Modified Weights:  [19.94 20.09 19.99 20.14]
Output:  0.8
iteration:  1
Modified Weights:  [23.908 24.058 23.958 24.108]
Output:  80.16000000000001
iteration:  2
Modified Weights:  [24.7016 24.8516 24.7516 24.9016]
Output:  96.03200000000001
iteration:  3
Modified Weights:  [24.86032 25.01032 24.91032 25.06032]
Output:  99.2064
iteration:  4
Modified Weights:  [24.892064 25.042064 24.942064 25.092064]
Output:  99.84128
iteration:  5
Modified Weights:  [24.8984128 25.0484128 24.9484128 25.0984128]
Output:  99.968256
iteration:  6
Modified Weights:  [24.89968256 25.04968256 24.94968256 25.09968256]
Output:  99.9936512
iteration:  7
Modified Weights:  [24.89993651 25.04993651 24.94993651 25.09993651]
Output:  99.99873024
iteration:  8
Modified Weights:  [24.8999873 25.0499873 24.9499873 25.0999873]
Output:  99.99974604799999
iteration:  9
Modified Weights:  [24.89999746 25.04999746 24.94999746 25.09999746]
Output:  99.99994920960002
"""


def test_trivial_training_prints_the_seed_digit_for_digit() -> None:
    """Seed 000: float32 x and target, float64 shared W, grad and an update. Every digit
    matches (Theano's order of operations, nothing reassociated)."""
    assert run_example("trivial_training.py") == TRIVIAL_TRAINING


def test_trivial_training_updates_w_in_place() -> None:
    import numpy

    import tensorir
    from tensorir import tensor

    x = tensor.fvector("x")
    target = tensor.fscalar("target")
    W = tensorir.shared(numpy.asarray([0.1, 0.25, 0.15, 0.3]), "W")
    y = (x * W).sum()
    (g,) = tensor.grad(tensor.sqr(target - y), [W])
    f = tensorir.function([x, target], y, updates=[(W, W - 0.1 * g)])
    address = W.get_value(borrow=True).ctypes.data
    for _ in range(3):
        f([1.0, 1.0, 1.0, 1.0], 100.0)
    assert W.get_value(borrow=True).ctypes.data == address
    ref = numpy.asarray([0.1, 0.25, 0.15, 0.3])
    for _ in range(3):  # the same step in numpy, in Theano's order of operations
        y_ref = ((ref[0] + ref[1]) + ref[2]) + ref[3]
        ref = ref - 0.1 * (-((100.0 - y_ref) * 2.0) * numpy.ones(4))
    numpy.testing.assert_array_equal(W.get_value(), ref)


def test_ann_training_example_loss_falls(tmp_path) -> None:
    """Seed 004 (pyaudi): loss and all derivatives from one function, a GD step lowers the
    loss, partial derivatives by multi-index, 50 epochs make the mean loss fall."""
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "ann_training.py"), "--plot", str(tmp_path / "l.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "y = 6.0" in out
    loss0 = float(out.split("\nloss = ")[1].split()[0])
    loss1 = float(out.split("loss after one GD step = ")[1].split()[0])
    assert loss1 < loss0
    assert "20 partial derivatives of N up to order 3" in out
    first, last = out.split("mean loss: epoch 1 ")[1].split(", epoch 50 ")
    assert float(last.split()[0]) < float(first)
    for name in ("W1", "b1", "W2", "b2", "W3", "b3"):
        assert f"d loss / d {name}:" in out
    try:
        import matplotlib  # noqa: F401  (the optional extra that draws the loss curve)
    except ImportError:
        assert "matplotlib is not installed" in out
    else:
        png = (tmp_path / "l.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
