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
- ``cio_module_server``: for code that uses the module-level API
  (``cio_analytics.track`` ...): points the default client at a fresh
  ``cio_server`` for the test, and restores every module setting afterwards.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from cio_analytics import Client
from cio_analytics._api import MODULE_SETTINGS, set_default_client
from cio_analytics.testing._capture import CaptureTransport
from cio_analytics.testing._server import LocalServer

__all__ = ["cio_capture", "cio_client", "cio_module_server", "cio_server"]

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


@pytest.fixture
def cio_module_server(cio_server: LocalServer) -> Iterator[LocalServer]:
    """The module-level API pointed at ``cio_server`` for one test; every setting restored after.

    Before the test the default client is replaced by one built from the
    module settings with ``write_key`` and ``host`` set for the server (and a
    short ``upload_interval``). After it, that client is flushed and dropped
    and every module setting gets back the value it had, so a setting one test
    changes (``send = False``, a hook ...) never leaks into the next.
    """
    package = sys.modules["cio_analytics"]
    saved: dict[str, Any] = {name: package.__dict__.get(name) for name in MODULE_SETTINGS}
    set_default_client(None)
    for name, value in (
        ("write_key", cio_server.write_key),
        ("host", cio_server.url),
        ("upload_interval", 0.05),
        ("shutdown_timeout", TEARDOWN_TIMEOUT),
    ):
        package.__dict__[name] = value
    try:
        yield cio_server
    finally:
        set_default_client(None)
        package.__dict__.update(saved)
