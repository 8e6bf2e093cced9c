"""Fixtures shared by the reliability suite: a local server, an on_error recorder, clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cio_analytics import Client
from cio_analytics.testing import LocalServer

from ._outcomes import MATRIX_ROWS, ErrorLog, write_matrix

#: Seconds any flush or shutdown in this suite may wait before the test fails (never hangs).
BOUND = 30.0


@pytest.fixture(scope="session", autouse=True)
def _write_fault_matrix() -> Iterator[None]:
    """At the end of the session, write the fault matrix when CIO_FAULT_MATRIX names a file."""
    yield
    target = os.environ.get("CIO_FAULT_MATRIX")
    if MATRIX_ROWS and target:
        write_matrix(sorted(MATRIX_ROWS, key=lambda r: r.case), Path(target))


@pytest.fixture(name="server")
def fixture_server() -> Iterator[LocalServer]:
    """A LocalServer on 127.0.0.1, stopped (and its held requests dropped) after the test."""
    server = LocalServer().start()
    try:
        yield server
    finally:
        server.clear_faults()
        server.stop()


@pytest.fixture(name="errors")
def fixture_errors() -> ErrorLog:
    """An on_error callback that records every report."""
    return ErrorLog()


MakeClient = Callable[..., Client]


@pytest.fixture(name="make_client")
def fixture_make_client(server: LocalServer, errors: ErrorLog) -> Iterator[MakeClient]:
    """Build clients aimed at ``server`` with quick settings; every one is shut down after."""
    clients: list[Client] = []

    def make(**overrides: Any) -> Client:
        options: dict[str, Any] = {
            "write_key": server.write_key,
            "host": server.url,
            "on_error": errors,
            "upload_interval": 0.02,
            "max_retries": 3,
            "timeout": 5.0,
            "retry_deadline": 30.0,
            "shutdown_timeout": 5.0,
        }
        options.update(overrides)
        client = Client(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.shutdown(timeout=5.0)
