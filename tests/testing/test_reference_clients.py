"""The official libraries deliver through LocalServer, judged by the API's wire rules.

``customerio-cdp-analytics`` (``from customerio import analytics``) and
``segment-analytics-python`` (``segment.analytics``) are test-only
dependencies (the ``reference`` extra). They send no ``X-Strict-Mode``
header, so the server judges them in permissive mode, as Customer.io would:
every request gets 200, and a message that breaks a wire rule is recorded as
a rejection. The only ones are the two nulls the API's schema refuses
(``cio_api.md`` section 6): ``"anonymousId": null`` on an identify with a
userId, and ``"name": null`` on an unnamed page.
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


#: The rules the official libraries' messages break, each once in _send_everything.
NULL_RULES = ('"anonymousId" is null', '"name" is null')


def _check_null_rejections(server: LocalServer, ids: list[str]) -> None:
    """Exactly the two schema-refused nulls were rejected; everything else was recorded."""
    reasons = sorted(r.reason for r in server.rejections)
    assert len(reasons) == 2, reasons
    assert all(any(rule in reason for rule in NULL_RULES) for reason in reasons), reasons
    rejected = {r.message["messageId"] for r in server.rejections if r.message}
    assert {r.message["type"] for r in server.rejections if r.message} == {"identify", "page"}
    assert server.message_ids() == [i for i in ids if i not in rejected]


@pytest.fixture(name="permissive_server")
def fixture_permissive_server() -> Iterator[LocalServer]:
    """A server that records what breaks a wire rule and answers 200, as without the header."""
    with LocalServer(strict=False) as server:
        yield server


@pytest.fixture(name="strict_server")
def fixture_strict_server() -> Iterator[LocalServer]:
    """A server that answers 400 to anything invalid, whatever the headers say."""
    with LocalServer(strict=True) as server:
        yield server


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("name", LIBRARIES)
def test_client_delivers_everything(
    permissive_server: LocalServer, name: str, gzip: bool
) -> None:
    """Every message the library's Client sends arrives, in order; two nulls are flagged."""
    strict_server = permissive_server
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
    _check_null_rejections(strict_server, ids)
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
def test_module_level_api(permissive_server: LocalServer, module_api: Any) -> None:
    """``analytics.write_key``/``analytics.host`` point the module API at the server."""
    module_api.write_key = permissive_server.write_key
    module_api.host = permissive_server.url
    module_api.max_retries = 1
    ids = _send_everything(module_api)
    _bounded(module_api.flush)
    _check_null_rejections(permissive_server, ids)


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
