"""The two programs of the Theano quick guide (seed 002), with theano replaced by tensorir:
scalar addition, then a matrix product."""

import numpy

import tensorir
from tensorir import tensor

# Scalar addition: prints 4.0, then 9.0.
a = tensor.dscalar()
b = tensor.dscalar()
c = a + b
f = tensorir.function([a, b], c)
print(f(1.5, 2.5))
print(f(3.5, 5.5))

# Matrix product: 4*3 + 11*1 + 2*6 = 35 (the guide's 25 is a typo).
a = tensor.dmatrix()
b = tensor.dmatrix()
c = tensor.dot(a, b)
f = tensorir.function([a, b], c)
print(f([[0, -1, 2], [4, 11, 2]], [[3, -1], [1, 2], [6, 1]]))
print(f(numpy.array([[0, -1, 2], [4, 11, 2]]), numpy.array([[3, -1], [1, 2], [6, 1]])))
