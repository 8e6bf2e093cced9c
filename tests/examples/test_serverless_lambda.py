"""The Lambda-style handler delivers within each invocation (``@flush_on_return``)."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import cio_analytics
from cio_analytics.testing import LocalServer


class FakeContext:
    """The part of a Lambda context the decorator reads."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out."""
        return self.remaining_ms


@pytest.fixture
def lambda_handler(load_example: Callable[[str, str], ModuleType]) -> ModuleType:
    """The example module."""
    return load_example("serverless", "lambda_handler")


def _event(body: object) -> dict[str, Any]:
    """An API Gateway HTTP API event, as the runtime passes it."""
    return {
        "rawPath": "/exports",
        "headers": {"user-agent": "example-test/1.0"},
        "requestContext": {"http": {"path": "/exports", "sourceIp": "203.0.113.7"}},
        "body": json.dumps(body),
    }


def test_each_invocation_delivers_before_returning(
    cio_env: LocalServer, lambda_handler: ModuleType
) -> None:
    """What an invocation tracks has arrived when it returns, even after a 503 (retried)."""
    cio_analytics.upload_interval = 60.0  # the background thread alone would send nothing yet
    response = lambda_handler.handler(_event({"user_id": "u1", "format": "csv"}), FakeContext(5000))
    assert response["statusCode"] == 200
    # No flush here: the decorator's flush delivered before the handler returned.
    (export,) = cio_env.events("Report Exported")
    assert export["userId"] == "u1"
    assert export["properties"] == {"format": "csv"}
    assert export["context"]["ip"] == "203.0.113.7"
    assert export["context"]["userAgent"] == "example-test/1.0"
    assert export["context"]["page"] == {"path": "/exports"}
    assert len(cio_env.messages_of_type("identify")) == 1

    cio_env.fail_next(1, 503)
    second = lambda_handler.handler(_event({"user_id": "u2"}), FakeContext(5000))
    assert second["statusCode"] == 200
    assert [m["userId"] for m in cio_env.events("Report Exported")] == ["u1", "u2"]
    assert cio_analytics.stats().retries >= 1
    assert cio_env.duplicate_count == 0


def test_bad_request_sends_nothing(cio_env: LocalServer, lambda_handler: ModuleType) -> None:
    """An event without user_id gets a 400 and nothing is tracked."""
    response = lambda_handler.handler({"body": "not json"}, FakeContext(5000))
    assert response["statusCode"] == 400
    assert cio_analytics.flush(timeout=2.0)
    assert cio_env.messages == []


def test_an_unreachable_api_never_fails_the_invocation(
    monkeypatch: pytest.MonkeyPatch, lambda_handler: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    """With the API unreachable the handler still answers; the unfinished flush is logged."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("CUSTOMERIO_API_KEY", "test-key")
    monkeypatch.setenv("CUSTOMERIO_HOST", closed)
    cio_analytics.shutdown_timeout = 0.2  # keep the test's teardown short too
    # 1.3 s left, 0.5 s margin: the flush gives up after 0.8 s at most.
    with caplog.at_level(logging.WARNING, logger="cio_analytics"):
        response = lambda_handler.handler(_event({"user_id": "u1"}), FakeContext(1300))
    assert response["statusCode"] == 200
    assert "did not finish in 0.8 s" in caplog.text
