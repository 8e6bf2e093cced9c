"""cio_analytics.scope(): request and task defaults, across await and copied contexts."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Iterator

import pytest

import cio_analytics
from cio_analytics import Client
from cio_analytics.testing import LocalServer


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local server for these tests."""
    with LocalServer() as running:
        yield running


@pytest.fixture
def client(server: LocalServer) -> Iterator[Client]:
    """A client delivering to ``server``."""
    with Client(server.write_key, host=server.url, upload_interval=0.01) as running:
        yield running


def _context(message: dict[str, object]) -> dict[str, object]:
    context = dict(message["context"])  # type: ignore[call-overload]
    context.pop("library")
    return context


def test_calls_inside_a_scope_get_its_ids_and_context(client: Client, server: LocalServer) -> None:
    """user_id, ip, user agent, page and locale reach every call type inside the scope."""
    page = {"path": "/cart", "url": "https://shop.example/cart"}
    with cio_analytics.scope(user_id="u1", ip="1.2.3.4", user_agent="UA/1", page=page, locale="fr"):
        client.track(event="Viewed Cart")
        client.identify(traits={"plan": "pro"})
        client.page(name="Cart")
        client.group(group_id="acme")
        client.alias("anon-1")
    client.flush(10)
    assert [m["userId"] for m in server.messages] == ["u1"] * 5
    for message in server.messages:
        assert _context(message) == {
            "ip": "1.2.3.4", "userAgent": "UA/1", "page": page, "locale": "fr",
        }  # fmt: skip


def test_explicit_arguments_win(client: Client, server: LocalServer) -> None:
    """A call's own user_id and context keys replace the scope's."""
    with cio_analytics.scope(user_id="scoped", ip="1.2.3.4", locale="fr"):
        client.track("explicit", "E", context={"locale": "de"})
    client.flush(10)
    (message,) = server.messages
    assert message["userId"] == "explicit"
    assert _context(message) == {"ip": "1.2.3.4", "locale": "de"}


def test_scopes_nest_and_end(client: Client, server: LocalServer) -> None:
    """An inner scope adds to the outer one; after the block the defaults are gone."""
    with cio_analytics.scope(anonymous_id="anon-1", ip="1.2.3.4"):
        with cio_analytics.scope(user_id="u1", context={"campaign": {"name": "spring"}}):
            client.track(event="Inner")
        client.track(event="Outer")
    with pytest.raises(ValueError, match="user_id or anonymous_id"):
        client.track(event="Outside")
    client.flush(10)
    inner, outer = server.messages
    assert (inner["userId"], inner["anonymousId"]) == ("u1", "anon-1")
    assert _context(inner) == {"ip": "1.2.3.4", "campaign": {"name": "spring"}}
    assert "userId" not in outer and outer["anonymousId"] == "anon-1"


def test_the_scope_follows_await_and_tasks(client: Client, server: LocalServer) -> None:
    """Across await and into tasks created inside it, each task keeping its own scope."""

    async def handle(user: str) -> None:
        with cio_analytics.scope(user_id=user):
            await asyncio.sleep(0.01)
            client.track(event="After Await")
            await asyncio.create_task(asyncio.sleep(0))
            await asyncio.gather(asyncio.to_thread(client.track, event="In Thread"))

    async def main() -> None:
        await asyncio.gather(*(handle(f"u{i}") for i in range(5)))

    asyncio.run(main())
    client.flush(10)
    by_event: dict[str, set[str]] = {}
    for message in server.messages:
        by_event.setdefault(message["event"], set()).add(message["userId"])
    assert by_event == {e: {f"u{i}" for i in range(5)} for e in ("After Await", "In Thread")}


def test_threads_get_the_scope_through_copy_context(client: Client, server: LocalServer) -> None:
    """A thread started with contextvars.copy_context() runs in the scope; a bare one does not."""
    with cio_analytics.scope(user_id="u1"):
        copied = contextvars.copy_context()
        worker = threading.Thread(target=copied.run, args=(client.track,), kwargs={"event": "T"})
        worker.start()
        worker.join(10)
    client.flush(10)
    assert server.messages[0]["userId"] == "u1"
