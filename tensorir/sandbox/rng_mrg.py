"""``tensorir.sandbox.rng_mrg``: Theano's ``MRG_RandomStreams`` (the same streams as
``tensor.shared_randomstreams.RandomStreams`` here)."""

from tensorir.frontend.random import MRG_RandomStreams

__all__ = ["MRG_RandomStreams"]
