"""``tensorir.tensor.shared_randomstreams``: Theano's ``RandomStreams``."""

from tensorir.frontend.random import RandomStreams

__all__ = ["RandomStreams"]
