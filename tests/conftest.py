"""Test options: ``--long`` runs the long versions of the randomized tests."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="run the randomized tests with many more cases (minutes instead of seconds)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """The compile cache of this run (and of the processes its tests start) in a directory
    of its own, private and empty at the start: tests never load code compiled by another
    run, and every compile exercises the cache."""
    import os
    import tempfile

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tensorir-test-cache-")
