"""Assertions the integration tests share."""

from __future__ import annotations

from cio_analytics.testing import LocalServer


def kinds(server: LocalServer) -> list[tuple[str, str | None]]:
    """(type, event or name) of every accepted message, sorted (arrival order may vary)."""
    return sorted(((m["type"], m.get("event") or m.get("name")) for m in server.messages), key=str)


def assert_exactly_once(server: LocalServer, count: int) -> None:
    """``count`` messages were accepted, none twice, none refused."""
    assert server.message_count == count, server.messages
    assert server.duplicate_count == 0
    assert server.rejections == []
