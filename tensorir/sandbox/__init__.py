"""``tensorir.sandbox``: where Theano kept ``rng_mrg``."""
