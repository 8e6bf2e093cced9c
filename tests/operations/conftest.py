"""Fixtures for the operation tests.

The ``cio_server`` and ``cio_client`` fixtures come from the package's pytest
plugin. The client sends ``X-Strict-Mode: 1`` (its default), so a payload that
breaks a wire rule is answered with a 400 and shows up in
``cio_server.rejections``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import cio_analytics
from cio_analytics import Client
from cio_analytics.testing import LocalServer

from ._support import FLUSH_TIMEOUT


@pytest.fixture
def default_client(cio_server: LocalServer) -> Iterator[Client]:
    """Point the module-level API (the default client) at ``cio_server``."""
    cio_analytics.configure(
        write_key=cio_server.write_key, host=cio_server.url, upload_interval=0.05
    )
    yield cio_analytics.get_client()
    cio_analytics.shutdown(timeout=FLUSH_TIMEOUT)
