"""Fixtures of the spool tests: a local server and a spool directory per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cio_analytics.testing import LocalServer


@pytest.fixture(name="server")
def fixture_server() -> Iterator[LocalServer]:
    """A LocalServer on 127.0.0.1, stopped after the test."""
    server = LocalServer().start()
    try:
        yield server
    finally:
        server.clear_faults()
        server.stop()


@pytest.fixture(name="spool_dir")
def fixture_spool_dir(tmp_path: Path) -> Path:
    """A parent directory for the spool (the library makes its folders under it)."""
    path = tmp_path / "spool"
    path.mkdir(mode=0o700)
    return path
