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
