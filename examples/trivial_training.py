"""The Theano tutorial's trivial training example (seeds 000 and 001), with theano replaced
by tensorir and nothing else changed: float32 inputs, a float64 shared weight vector, its
gradient and an update. It prints the seed's ten iterations digit for digit."""

from tensorir import *
import numpy

x = tensor.fvector('x')
target = tensor.fscalar('target')

W = tensorir.shared(numpy.asarray([0.1, 0.25, 0.15, 0.3]), 'W')
print ("Weights: ", W.get_value())

y = (x * W).sum()
cost = tensor.sqr(target - y)
gradients = tensor.grad(cost, [W])
W_updated = W - (0.1 * gradients[0])
updates = [(W, W_updated)]

f = function([x, target], y, updates=updates)
for i in range(10):
   output = f([1.0, 1.0, 1.0, 1.0], 100.0)
   print ("iteration: ", i)
   print ("Modified Weights: ", W.get_value())
   print ("Output: ", output)
