"""AsyncClient: synchronous enqueue; awaitable flush, shutdown, send_batch off the loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

import cio_analytics
from cio_analytics import AsyncClient, Client
from cio_analytics.testing import LocalServer


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local server for these tests."""
    with LocalServer() as running:
        yield running


def _settings(server: LocalServer) -> dict[str, Any]:
    return {"write_key": server.write_key, "host": server.url, "upload_interval": 30}


async def _ticks_while(awaitable: Any) -> tuple[Any, int]:
    """Await ``awaitable`` while a ticker counts how often the loop ran it (the loop is free)."""
    ticks = 0
    done = False

    async def ticker() -> None:
        nonlocal ticks
        while not done:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        result = await awaitable
    finally:
        done = True
        await task
    return result, ticks


def test_track_is_synchronous_and_flush_waits_without_blocking(server: LocalServer) -> None:
    """Calls return ids at once; an awaited flush delivers while the loop keeps running."""

    async def main() -> tuple[list[str], bool, int]:
        async with AsyncClient(**_settings(server)) as client:
            ids = [client.track("u1", "Async", {"i": i}) for i in range(300)]
            server.delay_next(3, 0.2)  # the flush takes a while: the loop must keep ticking
            flushed, ticks = await _ticks_while(client.flush(30))
            return ids, flushed, ticks

    ids, flushed, ticks = asyncio.run(main())
    assert flushed
    assert ticks > 20  # the loop ran its ticker during the flush (at least 0.2 s of it)
    assert server.message_ids() == ids


def test_operations_helpers_and_stats_are_the_clients(server: LocalServer) -> None:
    """Operations, semantic helpers and stats() work on the async front as on Client."""

    async def main() -> Any:
        async with AsyncClient(**_settings(server)) as client:
            client.delete_user("u2")
            client.ecommerce.order_completed("u1", order_id="o-1", total=9.5)
            client.identify("u1", {"plan": "pro"})
            await client.flush(10)
            return client.stats()

    stats = asyncio.run(main())
    assert stats.delivered == 3
    assert [m.get("event") for m in server.messages] == ["User Deleted", "Order Completed", None]


def test_send_batch_and_shutdown_off_the_loop(server: LocalServer) -> None:
    """send_batch and shutdown run in worker threads; the loop ticks meanwhile."""

    async def main() -> Any:
        client = AsyncClient(**_settings(server))
        result, _ = await _ticks_while(
            client.send_batch([("track", {"user_id": "u1", "event": f"B{i}"}) for i in range(50)])
        )
        client.track("u1", "Last")
        done, _ = await _ticks_while(client.shutdown(10))
        return result, done

    result, done = asyncio.run(main())
    assert result.ok and result.delivered == 50
    assert done
    assert server.message_count == 51


def test_uvloop_and_several_loops_in_turn(server: LocalServer) -> None:
    """The same client serves asyncio's loop, then uvloop's, then asyncio's again."""
    uvloop = pytest.importorskip("uvloop", reason="uvloop is not installed")
    client = AsyncClient(**_settings(server))

    async def one_round(tag: str) -> bool:
        client.track("u1", tag)
        return await client.flush(10)

    assert asyncio.run(one_round("first"))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(one_round("uvloop"))
    assert asyncio.run(one_round("third"))
    assert [m["event"] for m in server.messages] == ["first", "uvloop", "third"]
    client.client.shutdown(5)


def test_flush_times_out_and_nothing_is_lost(server: LocalServer) -> None:
    """A flush that times out returns False; the messages still arrive afterwards."""
    server.delay_next(1, 1.0)

    async def main() -> bool:
        client = AsyncClient(client=Client(**_settings(server)))
        client.track("u1", "Slow")
        return await client.flush(0.1)

    assert asyncio.run(main()) is False
    assert server.wait_for_messages(1, timeout=10)


def test_module_level_aflush_and_ashutdown(server: LocalServer) -> None:
    """aflush() and ashutdown() act on the default client, off the loop."""
    cio_analytics.configure(**_settings(server))

    async def main() -> tuple[bool, bool]:
        cio_analytics.track("u1", "Module")
        flushed = await cio_analytics.aflush(10)
        return flushed, await cio_analytics.ashutdown(5)

    assert asyncio.run(main()) == (True, True)
    assert server.events("Module")


def test_aflush_before_any_call_is_true() -> None:
    """With no default client yet there is nothing to wait for."""
    assert asyncio.run(cio_analytics.aflush(1)) is True


def test_flush_without_a_thread_uses_a_worker_thread(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no delivery thread can start, the awaited flush delivers on a worker thread."""
    import threading

    client = AsyncClient(**_settings(server))
    real_start = threading.Thread.start

    def refuse(self: threading.Thread) -> None:
        if self.name == "cio-analytics-consumer":
            raise RuntimeError("can't start new thread")
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", refuse)
    client.track("u1", "No Thread")
    started = time.monotonic()
    assert asyncio.run(client.flush(10))
    assert time.monotonic() - started < 10
    assert server.events("No Thread")
    monkeypatch.undo()
    client.client.shutdown(5)
