"""Compatibility layers: ``python -m tensorir.compat.theano`` runs unmodified Theano
scripts on tensorir."""
