"""Fixtures for the local server's tests: a server, and an HTTP helper pointed at it."""

from __future__ import annotations

import gzip as gzip_module
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import msgspec
import pytest

from cio_analytics.testing import LocalServer


def plain_client(**options: Any) -> httpx.Client:
    """An httpx client for plain-http loopback URLs.

    ``verify=False`` only skips loading the CA bundle (about 50 ms per client
    here): there is no TLS on these URLs to verify.
    """
    return httpx.Client(verify=False, timeout=10.0, **options)


class Api:
    """Posts payloads to a LocalServer over real HTTP (keep-alive, one connection pool)."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.http = plain_client(base_url=server.url, auth=(server.write_key or "", ""))

    def post(
        self,
        path: str,
        payload: Any = None,
        *,
        strict: bool = True,
        gzip: bool = False,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth: Any = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        """POST ``payload`` (JSON-encoded) or raw ``content`` to ``path``."""
        body = content if content is not None else msgspec.json.encode(payload)
        sent = dict(headers or {})
        sent.setdefault("Content-Type", "application/json")
        if strict:
            sent.setdefault("X-Strict-Mode", "1")
        if gzip:
            body = gzip_module.compress(body)
            sent["Content-Encoding"] = "gzip"
        return self.http.post(path, content=body, headers=sent, auth=auth)

    def call(self, endpoint: str, message: Any, **options: Any) -> httpx.Response:
        """Send ``message`` to the single-call endpoint ``/v1/<endpoint>``."""
        return self.post(f"/v1/{endpoint}", message, **options)

    def batch(self, messages: list[Any], **options: Any) -> httpx.Response:
        """Send ``messages`` to ``/v1/batch``."""
        return self.post("/v1/batch", {"batch": messages}, **options)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


@pytest.fixture(name="server")
def fixture_server() -> Iterator[LocalServer]:
    """A running LocalServer with key ``test-key``; mode from the X-Strict-Mode header."""
    with LocalServer() as server:
        yield server


@pytest.fixture(name="http")
def fixture_http() -> Iterator[httpx.Client]:
    """A plain httpx client (no base URL, no auth) for one-off requests."""
    with plain_client() as client:
        yield client


@pytest.fixture(name="api_for")
def fixture_api_for() -> Iterator[Callable[[LocalServer], Api]]:
    """Make HTTP helpers for any server; they are closed at teardown."""
    made: list[Api] = []

    def make(server: LocalServer) -> Api:
        api = Api(server)
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()


@pytest.fixture(name="api")
def fixture_api(server: LocalServer, api_for: Callable[[LocalServer], Api]) -> Api:
    """An HTTP helper authenticated for ``server``."""
    return api_for(server)
