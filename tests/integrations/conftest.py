"""Fixtures for the integration tests: the library's environment pointed at the local server."""

from __future__ import annotations

import pytest

from cio_analytics.testing import LocalServer


@pytest.fixture
def cio_env(cio_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """Point the library's environment variables at ``cio_server``, as a deployment would.

    The module-level API then builds its default client for that server on
    the first call (the root conftest resets it after the test).
    """
    monkeypatch.setenv("CUSTOMERIO_API_KEY", str(cio_server.write_key))
    monkeypatch.setenv("CUSTOMERIO_HOST", cio_server.url)
    return cio_server
