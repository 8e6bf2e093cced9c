"""AsyncClient: the client's calls for asyncio code, over the same delivery core.

Enqueueing never waits for the network, so the calls stay synchronous and take
microseconds in a coroutine as anywhere else: ``client.track(...)``, no
``await``. What does wait is awaitable and never blocks the event loop:

- ``await client.flush(timeout)`` registers a callback with the consumer
  thread and awaits a future it completes (no thread is held while waiting);
- ``await client.shutdown(timeout)`` and ``await client.send_batch(...)`` run
  the blocking work in a worker thread.

An AsyncClient fronts an ordinary :class:`~cio_analytics.Client`, so the exit
hook, fork safety, SIGTERM handling, hooks and ``stats()`` are the same. It
holds no event loop: each awaited call uses the loop it runs on, so it works
from any loop (uvloop included) and from several loops in turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self, Unpack

from cio_analytics import _api
from cio_analytics._bulk_result import BulkResult, Entry
from cio_analytics._calls import Calls
from cio_analytics._client import Client
from cio_analytics._delivery.stats import ClientStats
from cio_analytics._settings import Settings, SettingsKeywords
from cio_analytics._wire.build import WireMessage

__all__ = ["AsyncClient", "aflush", "ashutdown"]


class AsyncClient(Calls):
    """The calls of :class:`~cio_analytics.Client` for asyncio code.

    Build it with the same settings as a ``Client`` (keywords), or around an
    existing client (``AsyncClient(client=...)``). Use it as an async context
    manager to deliver and stop at the end::

        async with cio_analytics.AsyncClient(write_key="...") as client:
            client.track("user_1", "Signed Up")        # synchronous: it only queues
            await client.flush(timeout=5)              # waits without blocking the loop

    Args:
        client: A client to front; None builds one from ``settings``.
        **settings: The settings of a new client, as ``Client`` takes them.
    """

    __slots__ = ("_client",)

    def __init__(self, *, client: Client | None = None, **settings: Unpack[SettingsKeywords]):
        if client is None:
            client = Client(**settings)
        elif settings:
            client.configure(**settings)
        self._client = client

    def _emit(self, message: WireMessage) -> str:
        return self._client._emit(message)

    @property
    def client(self) -> Client:
        """The (thread-based) client this one fronts."""
        return self._client

    @property
    def settings(self) -> Settings:
        """The current settings (see :attr:`Client.settings`)."""
        return self._client.settings

    def configure(self, **changes: Unpack[SettingsKeywords]) -> None:
        """Change settings; see :meth:`Client.configure`."""
        self._client.configure(**changes)

    def stats(self) -> ClientStats:
        """A snapshot of the counters; see :meth:`Client.stats`."""
        return self._client.stats()

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait, without blocking the event loop, until everything queued now is settled.

        Args:
            timeout: Seconds to wait at most; None waits as long as it takes.

        Returns:
            True when everything finished, False when the timeout passed first.
        """
        return await flush_client(self._client, timeout)

    async def shutdown(self, timeout: float | None = None) -> bool:
        """Deliver, stop the thread and close HTTP, in a worker thread (see Client.shutdown)."""
        return await asyncio.to_thread(self._client.shutdown, timeout)

    async def send_batch(
        self,
        messages: Sequence[Entry],
        *,
        batch_size: int | None = None,
        timeout: float | None = None,
        context: Mapping[str, Any] | None = None,
        integrations: Mapping[str, Any] | None = None,
    ) -> BulkResult:
        """:meth:`Client.send_batch` in a worker thread: the loop goes on meanwhile."""
        return await asyncio.to_thread(
            self._client.send_batch,
            messages,
            batch_size=batch_size,
            timeout=timeout,
            context=context,
            integrations=integrations,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown()

    def __repr__(self) -> str:
        return f"<cio_analytics.AsyncClient over {self._client!r}>"


async def flush_client(client: Client, timeout: float | None) -> bool:
    """``client.flush(timeout)`` for asyncio code: awaits a future the consumer completes."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def settled() -> None:  # on the consumer's thread
        loop.call_soon_threadsafe(_finish, done)

    withdraw = client._consumer.when_flushed(settled)
    if withdraw is None:
        if client._consumer.cannot_start is None:
            return True  # everything queued had its outcome already
        return await asyncio.to_thread(client.flush, timeout)  # no thread: flush on a worker's
    try:
        await asyncio.wait_for(asyncio.shield(done), timeout)
    except TimeoutError:
        return False
    finally:
        withdraw()
    return True


def _finish(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def aflush(timeout: float | None = None) -> bool:
    """Flush the default client without blocking the event loop; see :func:`flush`."""
    client = _api.default()
    return True if client is None else await flush_client(client, timeout)


async def ashutdown(timeout: float | None = None) -> bool:
    """Shut the default client down in a worker thread; see :func:`shutdown`."""
    return await asyncio.to_thread(_api.shutdown, timeout)


AsyncClient.__module__ = "cio_analytics"  # shown as the package's, where it is exported
