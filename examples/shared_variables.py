"""Shared variables (seed 003), with theano replaced by tensorir: a shared weight vector,
read, then set to new values."""

import numpy

import tensorir

W = tensorir.shared(numpy.asarray([0.1, 0.25, 0.15, 0.3]), "W")
print("Original: ", W.get_value())
print("Setting new values (0.5, 0.2, 0.4, 0.2)")
W.set_value([0.5, 0.2, 0.4, 0.2])
print("After modifications:", W.get_value())
