"""The Lambda-style handler flushes within each invocation."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from types import ModuleType

import pytest

import cio_analytics
from cio_analytics.testing import LocalServer


class FakeContext:
    """The part of a Lambda context the handler reads."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out."""
        return self.remaining_ms


@pytest.fixture
def lambda_handler(load_example: Callable[[str, str], ModuleType]) -> ModuleType:
    """The example module."""
    return load_example("serverless", "lambda_handler")


def _event(body: object) -> dict[str, str]:
    return {"body": json.dumps(body)}


def test_each_invocation_delivers_before_returning(
    cio_env: LocalServer, lambda_handler: ModuleType
) -> None:
    """What an invocation tracks has arrived when it returns, even after a 503 (retried)."""
    response = lambda_handler.handler(_event({"user_id": "u1", "format": "csv"}), FakeContext(5000))
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"ok": True, "flushed": True}
    # No flush here: the handler's own flush delivered before it returned.
    (export,) = cio_env.events("Report Exported")
    assert export["userId"] == "u1"
    assert export["properties"] == {"format": "csv"}
    assert len(cio_env.messages_of_type("identify")) == 1

    cio_env.fail_next(1, 503)
    second = lambda_handler.handler(_event({"user_id": "u2"}), FakeContext(5000))
    assert json.loads(second["body"])["flushed"] is True
    assert [m["userId"] for m in cio_env.events("Report Exported")] == ["u1", "u2"]
    assert cio_analytics.stats().retries >= 1


def test_bad_request_sends_nothing(cio_env: LocalServer, lambda_handler: ModuleType) -> None:
    """An event without user_id gets a 400 and nothing is tracked."""
    response = lambda_handler.handler({"body": "not json"}, FakeContext(5000))
    assert response["statusCode"] == 400
    assert cio_analytics.flush(timeout=2.0)
    assert cio_env.messages == []


def test_flush_is_bounded_by_the_remaining_time(
    monkeypatch: pytest.MonkeyPatch, lambda_handler: ModuleType
) -> None:
    """With the API unreachable the handler still returns in time, reporting flushed=False."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("CUSTOMERIO_API_KEY", "test-key")
    monkeypatch.setenv("CUSTOMERIO_HOST", closed)
    cio_analytics.shutdown_timeout = 0.2  # keep the test's teardown short too
    started = time.monotonic()
    response = lambda_handler.handler(_event({"user_id": "u1"}), FakeContext(1300))
    elapsed = time.monotonic() - started
    assert json.loads(response["body"]) == {"ok": True, "flushed": False}
    assert elapsed < 3.0  # budget: 1.3 s left minus the 0.5 s margin = 0.8 s
