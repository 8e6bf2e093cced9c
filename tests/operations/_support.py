"""Helpers for the operation tests: deliver through the local server, compare wire payloads."""

from __future__ import annotations

from typing import Any

from cio_analytics import Client
from cio_analytics.testing import LocalServer

#: Seconds any flush may take in these tests (a bound, never an expectation).
FLUSH_TIMEOUT = 10.0


def wire(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` without what changes on every call: messageId, timestamp, context.library."""
    result = {k: v for k, v in message.items() if k not in ("messageId", "timestamp")}
    context = dict(result.pop("context", {}))
    assert context.pop("library", {}).get("name") == "cio-analytics"
    if context:
        result["context"] = context
    return result


def delivered(client: Client, server: LocalServer, count: int = 1) -> list[dict[str, Any]]:
    """Flush ``client``; return what ``server`` accepted, checking nothing was rejected."""
    assert client.flush(timeout=FLUSH_TIMEOUT)
    assert server.rejections == []
    messages = server.messages
    assert len(messages) == count
    return messages


def delivered_one(client: Client, server: LocalServer) -> dict[str, Any]:
    """Flush ``client``; return the single message ``server`` accepted, in comparable form."""
    return wire(delivered(client, server, 1)[0])


def nothing_sent(client: Client, server: LocalServer) -> bool:
    """Whether, after a flush, the server has received no request at all."""
    assert client.flush(timeout=FLUSH_TIMEOUT)
    return server.requests == [] and server.messages == []
