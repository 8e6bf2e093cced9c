"""pytest fixtures for testing what an application sends to Customer.io.

Loaded automatically (the ``pytest11`` entry point ``cio_analytics``) once
cio-analytics is installed. Two lines are enough in a test::

    def test_signup(cio_client, cio_server):
        cio_client.track("user_1", "Signed Up"); cio_client.flush()
        assert cio_server.events("Signed Up")

Fixtures:

- ``cio_server``: a running :class:`~cio_analytics.testing.LocalServer` on
  127.0.0.1 (a fresh one per test), stopped afterwards.
- ``cio_client``: a :class:`cio_analytics.Client` pointed at ``cio_server``
  (short upload interval), shut down afterwards.
- ``cio_capture``: a :class:`~cio_analytics.testing.CaptureTransport` for
  tests that want no sockets: ``Client(write_key="k", transport=cio_capture)``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cio_analytics import Client
from cio_analytics.testing._capture import CaptureTransport
from cio_analytics.testing._server import LocalServer

__all__ = ["cio_capture", "cio_client", "cio_server"]

#: Seconds the fixtures wait at teardown for the client to deliver and the server to stop.
TEARDOWN_TIMEOUT = 5.0


@pytest.fixture
def cio_server() -> Iterator[LocalServer]:
    """A running LocalServer (key ``"test-key"``, mode from ``X-Strict-Mode``), stopped after."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def cio_client(cio_server: LocalServer) -> Iterator[Client]:
    """A cio_analytics Client that delivers to ``cio_server``; shut down after the test."""
    client = Client(
        write_key=cio_server.write_key,
        host=cio_server.url,
        upload_interval=0.05,
        shutdown_timeout=TEARDOWN_TIMEOUT,
    )
    try:
        yield client
    finally:
        client.shutdown(timeout=TEARDOWN_TIMEOUT)


@pytest.fixture
def cio_capture() -> Iterator[CaptureTransport]:
    """An in-memory CaptureTransport (any key accepted) for socket-free tests."""
    transport = CaptureTransport()
    try:
        yield transport
    finally:
        transport.close()
