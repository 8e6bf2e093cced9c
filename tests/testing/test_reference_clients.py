"""The official libraries deliver through LocalServer and everything they send is accepted.

``customerio-cdp-analytics`` (``from customerio import analytics``) and
``segment-analytics-python`` (``segment.analytics``) are test-only
dependencies (the ``reference`` extra). The server runs in strict mode, so any
message they send that breaks a wire rule would be a 400 and a rejection.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import threading
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from cio_analytics.testing import LocalServer

LIBRARIES = [
    pytest.param("customerio.analytics", id="customerio-cdp-analytics"),
    pytest.param("segment.analytics", id="segment-analytics-python"),
]
#: Seconds a flush or shutdown of a reference client may take.
BOUND = 30.0


def _bounded(call: Callable[[], object]) -> None:
    """Run a blocking call of a reference library with a time bound."""
    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(BOUND)
    assert not worker.is_alive(), f"{call} did not finish within {BOUND} s"


def _library(name: str) -> ModuleType:
    return pytest.importorskip(name)


def _send_everything(analytics: Any) -> list[str]:
    """Every call type and the Customer.io semantic events; returns the messageIds."""
    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    results = [
        analytics.identify("u1", {"email": "ada@example.com", "plan": "pro"}),
        analytics.identify(anonymous_id="anon-1", traits={"visits": 3}, timestamp=when),
        analytics.track(
            "u1",
            "Order Completed",
            {"total": decimal.Decimal("42.50"), "at": when, "tags": ("a", "b")},
        ),
        analytics.track(anonymous_id="anon-1", event="Viewed"),
        analytics.page("u1", "Docs", "Intro", {"url": "https://example.com/docs"}),
        analytics.page(anonymous_id="anon-1"),
        analytics.screen("u1", name="Home"),
        analytics.group("u1", "acme", {"name": "Acme", "objectTypeId": "1"}),
        analytics.group(
            "u1", "acme", {"objectTypeId": "2", "relationshipAttributes": {"role": "admin"}}
        ),
        analytics.alias("anon-1", "u1"),
        analytics.track(
            "u1",
            "Device Created or Updated",
            {"app_version": "1.2"},
            context={"device": {"token": "tok-1", "type": "ios"}},
        ),
        analytics.track("u1", "Device Deleted", context={"device": {"token": "tok-1"}}),
        analytics.track("u1", "Relationship Deleted", {"objectId": "acme", "objectTypeId": 1}),
        analytics.track(
            anonymous_id="anon-2", event="Object Deleted", properties={"objectId": "acme"}
        ),
        analytics.track(
            anonymous_id="anon-2",
            event="Report Delivery Event",
            properties={"deliveryId": "d1", "metric": "opened"},
        ),
        analytics.track("u1", "User Suppressed"),
        analytics.track("u1", "User Unsuppressed"),
        analytics.track("u1", "User Deleted"),
    ]
    for success, _ in results:
        assert success
    return [message["messageId"] for _, message in results]


@pytest.fixture(name="strict_server")
def fixture_strict_server() -> Iterator[LocalServer]:
    """A server that answers 400 to anything invalid, whatever the headers say."""
    with LocalServer(strict=True) as server:
        yield server


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("name", LIBRARIES)
def test_client_delivers_everything(strict_server: LocalServer, name: str, gzip: bool) -> None:
    """Every message the library's Client sends is accepted and recorded, in order."""
    library = _library(name)
    errors: list[Any] = []
    client = library.Client(
        strict_server.write_key,
        host=strict_server.url,
        gzip=gzip,
        on_error=lambda error, batch: errors.append(error),
        upload_interval=0.05,
        max_retries=1,
    )
    try:
        ids = _send_everything(client)
        _bounded(client.flush)
    finally:
        _bounded(client.join)
    assert errors == []
    assert strict_server.rejections == []
    assert strict_server.message_ids() == ids
    assert strict_server.duplicate_count == 0
    assert {r.status for r in strict_server.requests} == {200}
    assert {r.gzip for r in strict_server.requests} == {gzip}
    assert len(strict_server.events("Device Created or Updated")) == 1


@pytest.fixture(name="module_api")
def fixture_module_api(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    """The library's module-level API; its settings and default client are restored after."""
    library = _library(request.param)
    names = ("write_key", "host", "on_error", "send", "sync_mode", "gzip", "max_retries")
    saved = {name: getattr(library, name) for name in names}
    try:
        yield library
    finally:
        client = library.default_client
        if client is not None:
            _bounded(client.join)
        library.default_client = None
        for name, value in saved.items():
            setattr(library, name, value)


@pytest.mark.parametrize("module_api", LIBRARIES, indirect=True)
def test_module_level_api(strict_server: LocalServer, module_api: Any) -> None:
    """``analytics.write_key``/``analytics.host`` point the module API at the server."""
    module_api.write_key = strict_server.write_key
    module_api.host = strict_server.url
    module_api.max_retries = 1
    ids = _send_everything(module_api)
    _bounded(module_api.flush)
    assert strict_server.rejections == []
    assert strict_server.message_ids() == ids


@pytest.mark.parametrize("name", LIBRARIES)
def test_sync_mode_single_requests(strict_server: LocalServer, name: str) -> None:
    """In sync mode each call is its own request and is accepted at once."""
    library = _library(name)
    client = library.Client(strict_server.write_key, host=strict_server.url, sync_mode=True)
    success, message = client.track("u1", "Synced")
    assert success
    assert strict_server.message_ids() == [message["messageId"]]
    assert strict_server.requests[0].message_count == 1


def test_wrong_key_is_refused() -> None:
    """The official library's Basic auth header is checked: a wrong key gets 401."""
    _library("customerio.analytics")
    request_module = importlib.import_module("customerio.analytics.request")
    with LocalServer("right-key") as server:
        # 1.1.0 raises KeyError on an error body without "code" (cio_api.md 3.3).
        with pytest.raises((request_module.APIError, KeyError)):
            request_module.post("wrong-key", host=server.url, batch=[])
        assert [r.status for r in server.requests] == [401]
        assert server.message_count == 0
