"""The graph pictures of the Theano quick guide (seed 002), with theano replaced by tensorir:
``pydotprint`` of the scalar addition and of the matrix product.

    python examples/pydotprint_quick_guide.py [directory]

writes scalar_addition.png and matrix_dot_product.png into ``directory`` (default: the current
one). Rendering needs graphviz's ``dot`` program; without it, the graphs are written as .dot
files and the error says how to install graphviz.
"""

import os
import sys

import tensorir
from tensorir import tensor

out_dir = sys.argv[1] if len(sys.argv) > 1 else "."

# Symbolic graph for scalar addition
a = tensor.dscalar()
b = tensor.dscalar()
c = a + b
f = tensorir.function([a, b], c)
tensorir.printing.pydotprint(
    f, outfile=os.path.join(out_dir, "scalar_addition.png"), var_with_name_simple=True
)

# Symbolic graph for the matrix product
a = tensor.dmatrix()
b = tensor.dmatrix()
c = tensor.dot(a, b)
f = tensorir.function([a, b], c)
tensorir.printing.pydotprint(
    f, outfile=os.path.join(out_dir, "matrix_dot_product.png"), var_with_name_simple=True
)
