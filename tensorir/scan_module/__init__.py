"""Theano's ``theano.scan_module``: ``scan``, ``map``, ``reduce``, ``foldl``, ``foldr`` and
``until`` (see ``tensorir.frontend.scan``)."""

from tensorir.frontend.scan import foldl, foldr, map, reduce, scan, until

__all__ = ["foldl", "foldr", "map", "reduce", "scan", "until"]
