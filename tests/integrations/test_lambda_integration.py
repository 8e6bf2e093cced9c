"""AWS Lambda style: handlers called as the runtime calls them, ``handler(event, context)``.

The default client is given a long ``upload_interval``, so the background
thread alone would send nothing during a test: what has arrived when the
handler returns was delivered by the decorator's flush.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from typing import Any

import pytest
from _integration_support import assert_exactly_once

import cio_analytics
from cio_analytics._wire.scope import current
from cio_analytics.integrations.aws_lambda import event_fields, flush_on_return
from cio_analytics.testing import LocalServer

#: Longer than any test: only a flush sends.
QUIET_INTERVAL = 60.0
AGENT = "integration-test/1.0"


class FakeContext:
    """The part of a Lambda context the decorator reads (the runtime gives a real one)."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out."""
        return self.remaining_ms


def _http_api_event(path: str = "/exports", body: object = None) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, as the runtime passes it."""
    return {
        "version": "2.0",
        "rawPath": path,
        "rawQueryString": "token=secret",
        "headers": {"user-agent": AGENT, "content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": path, "sourceIp": "203.0.113.7"}},
        "body": json.dumps(body or {}),
    }


@pytest.fixture
def quiet_env(cio_env: LocalServer) -> LocalServer:
    """The environment of ``cio_env``, and a default client that sends only when flushed."""
    cio_analytics.upload_interval = QUIET_INTERVAL
    return cio_env


@flush_on_return(timeout=5.0)
def export_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A handler that tracks for the user in its body, and for someone else explicitly."""
    user_id = json.loads(event["body"])["user_id"]
    with cio_analytics.scope(user_id=user_id):
        cio_analytics.track(event="Report Exported", properties={"format": "csv"})
        cio_analytics.identify(traits={"exports": 1})
        cio_analytics.track("auditor", "Export Audited", context={"ip": "198.51.100.9"})
    return {"statusCode": 200}


def test_what_a_handler_queued_has_arrived_when_it_returns(quiet_env: LocalServer) -> None:
    """Three calls, one invocation: all three delivered before the return, once each."""
    response = export_handler(_http_api_event(body={"user_id": "u-1"}), FakeContext(10_000))
    assert response == {"statusCode": 200}
    # No flush here, and the background thread would wait a minute.
    assert_exactly_once(quiet_env, 3)
    (export,) = quiet_env.events("Report Exported")
    assert export["userId"] == "u-1"
    assert export["context"]["ip"] == "203.0.113.7"
    assert export["context"]["userAgent"] == AGENT
    assert export["context"]["page"] == {"path": "/exports"}
    (identify,) = quiet_env.messages_of_type("identify")
    assert identify["userId"] == "u-1"
    (audit,) = quiet_env.events("Export Audited")
    assert audit["userId"] == "auditor"
    assert audit["context"]["ip"] == "198.51.100.9"  # the call's own context wins
    assert audit["context"]["userAgent"] == AGENT
    assert current() is None


def test_a_handler_that_raises_still_flushes(quiet_env: LocalServer) -> None:
    """The handler's exception propagates, after what it queued was delivered."""

    @flush_on_return
    def failing(event: dict[str, Any], context: Any) -> None:
        cio_analytics.track("u-2", "Import Failed")
        raise RuntimeError("bad input")

    with pytest.raises(RuntimeError, match="bad input"):
        failing({"source": "aws.events"}, FakeContext(10_000))
    (event,) = quiet_env.events("Import Failed")
    assert "ip" not in event.get("context", {})  # not an HTTP event: no request scope
    assert_exactly_once(quiet_env, 1)


def test_async_handler_flushes_without_blocking_the_loop(quiet_env: LocalServer) -> None:
    """An ``async def`` handler is awaited, then flushed with ``aflush``, before it returns."""

    @flush_on_return(timeout=5.0)
    async def handler(event: dict[str, Any], context: Any) -> str:
        await asyncio.sleep(0)
        cio_analytics.track(event="Async Export", user_id="u-3")
        return "done"

    rest_event = {
        "path": "/v1/exports",
        "headers": {"User-Agent": AGENT},
        "requestContext": {"identity": {"sourceIp": "203.0.113.8"}},
    }
    assert asyncio.run(handler(rest_event, FakeContext(10_000))) == "done"
    (event,) = quiet_env.events("Async Export")
    assert event["context"]["ip"] == "203.0.113.8"
    assert event["context"]["page"] == {"path": "/v1/exports"}
    assert_exactly_once(quiet_env, 1)


def test_an_explicit_client_is_flushed(cio_server: LocalServer) -> None:
    """``client=`` flushes that client instead of the default one."""
    client = cio_analytics.Client(
        write_key=cio_server.write_key, host=cio_server.url, upload_interval=QUIET_INTERVAL
    )
    try:

        @flush_on_return(client=client)
        def handler(event: dict[str, Any], context: Any) -> None:
            client.track("u-4", "Client Export")

        handler({}, FakeContext(10_000))
        assert_exactly_once(cio_server, 1)
    finally:
        client.shutdown(timeout=5.0)


def test_delivery_failure_never_raises_into_the_handler(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """With the API unreachable the handler returns its value; the unfinished flush is logged."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("CUSTOMERIO_API_KEY", "test-key")
    monkeypatch.setenv("CUSTOMERIO_HOST", closed)
    cio_analytics.shutdown_timeout = 0.2  # keep the test's teardown short too

    @flush_on_return(timeout=0.3)
    def handler(event: dict[str, Any], context: Any) -> str:
        cio_analytics.track("u-5", "Unsent")
        return "returned"

    with caplog.at_level(logging.WARNING, logger="cio_analytics"):
        assert handler({}, FakeContext(10_000)) == "returned"
    assert "did not finish" in caplog.text


def test_the_flush_budget_keeps_a_margin_before_the_deadline() -> None:
    """The flush waits at most ``timeout``, and never past the deadline less ``margin``."""
    seen: list[float] = []

    class Recorder(cio_analytics.Client):
        def flush(self, timeout: float | None = None) -> bool:
            seen.append(timeout or 0.0)
            return True

    client = Recorder(send=False)

    @flush_on_return(timeout=2.0, margin=0.5, client=client)
    def handler(event: object, context: object) -> None:
        return None

    handler({}, FakeContext(60_000))
    handler({}, FakeContext(1_300))
    handler({}, FakeContext(100))
    handler({}, object())  # a context without a deadline
    assert seen == [2.0, pytest.approx(0.8), 0.0, 2.0]


def test_event_fields_of_an_alb_event() -> None:
    """Behind an ALB the caller is the last X-Forwarded-For entry (the balancer appended it)."""
    event = {
        "path": "/a",
        "headers": {"x-forwarded-for": "198.51.100.1, 203.0.113.9", "user-agent": AGENT},
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:..."}},
    }
    assert event_fields(event) == {
        "ip": "203.0.113.9",
        "user_agent": AGENT,
        "page": {"path": "/a"},
    }
    assert event_fields({"Records": []}) == {}
