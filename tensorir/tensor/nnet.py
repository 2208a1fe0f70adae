"""``tensorir.tensor.nnet``: Theano's ``theano.tensor.nnet``."""

from tensorir.frontend.nnet import (
    binary_crossentropy,
    categorical_crossentropy,
    log_softmax,
    relu,
    sigmoid,
    sigmoid_binary_crossentropy,
    softmax,
    softplus,
)

__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "log_softmax",
    "relu",
    "sigmoid",
    "sigmoid_binary_crossentropy",
    "softmax",
    "softplus",
]
