"""The loops page of Theano's tutorial: examples/scan_loops.py prints what the page prints
(numpy 2's array format), the binomial noise aside (tensorir's own random stream)."""

import subprocess
import sys
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "scan_loops.py"

BEFORE_NOISE = """\
[[0.96402758 0.99505475]
 [0.96402758 0.99505475]]
[[0.96402758 0.99505475]
 [0.96402758 0.99505475]]
[[-0.99505475 -0.99505475]
 [ 0.96471973  0.96471973]
 [ 0.99998585  0.99998585]
 [ 0.99998771  0.99998771]
 [ 1.          1.        ]]
[[-0.99505475 -0.99505475]
 [ 0.96471973  0.96471973]
 [ 0.99998585  0.99998585]
 [ 0.99998771  0.99998771]
 [ 1.          1.        ]]
[1. 2. 3. 4. 5. 0.]
[1. 2. 3. 4. 5. 0.]
[0. 1. 2. 3. 4. 5.]
[0. 1. 2. 3. 4. 5.]
4.0
4.0
[[ 1.40514825  1.40514825]
 [ 2.88898899  2.38898899]
 [ 4.34018291  4.34018291]
 [ 6.53463142  6.78463142]
 [ 9.82972243  9.82972243]
 [14.22203814 14.09703814]
 [20.07439936 20.07439936]
 [28.12291843 28.18541843]
 [39.1913681  39.1913681 ]
 [54.28407732 54.25282732]]
[[ 1.40514825  1.40514825]
 [ 2.88898899  2.38898899]
 [ 4.34018291  4.34018291]
 [ 6.53463142  6.78463142]
 [ 9.82972243  9.82972243]
 [14.22203814 14.09703814]
 [20.07439936 20.07439936]
 [28.12291843 28.18541843]
 [39.1913681  39.1913681 ]
 [54.28407732 54.25282732]]
[[0.41997434 0.         0.41997434 0.         0.        ]
 [0.         1.         1.         0.         0.        ]
 [0.         0.         1.         0.         0.        ]]
[[0.41997434 0.         0.41997434 0.         0.        ]
 [0.         1.         1.         0.         0.        ]
 [0.         0.         1.         0.         0.        ]]
0
5
"""

AFTER_NOISE = """\
[ 0.  1.  4.  9. 16. 25. 36. 49. 64. 81.]
19.0
19.0
"""


def test_the_loops_page_prints_what_it_prints() -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith(BEFORE_NOISE), out
    assert out.endswith(AFTER_NOISE), out
    noise = out[len(BEFORE_NOISE) : len(out) - len(AFTER_NOISE)]
    rows = np.array(
        [[float(v) for v in line.strip(" []").split()] for line in noise.strip().splitlines()]
    )
    # x = eye(10, 2): rows 0 and 1 are tanh(1 + 1 * 1) = 0.96402758 or 0 (dropped), the
    # others tanh(1) = 0.76159416 or 0; each step draws its own mask
    assert rows.shape == (10, 2)
    np.testing.assert_allclose(rows[:2][rows[:2] != 0], 0.96402758, atol=1e-8)
    np.testing.assert_allclose(rows[2:][rows[2:] != 0], 0.76159416, atol=1e-8)
    assert 0 < (rows == 0).sum() < 20
    assert len({tuple(r != 0) for r in rows}) > 1


def test_rnn_example_learns_by_backpropagation_through_time() -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLE.parent / "rnn.py"), "100"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    losses = [float(line.split()[-1]) for line in out.splitlines() if "test loss" in line]
    assert len(losses) == 3, out
    assert losses[0] > 0.5 and losses[-1] < 0.05 * losses[0], out
