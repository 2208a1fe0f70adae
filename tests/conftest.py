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
