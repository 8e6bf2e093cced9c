"""Delivery of a bulk send: each batch goes out as soon as it is cut, in order.

``send_batch`` validates and encodes entries on the caller's thread. Waiting
for each request before encoding the next batch would leave the CPU idle for
a round trip per batch, so the caller hands each batch to a
:class:`BulkPipeline` and goes on encoding while one sender thread delivers
it. One batch is in flight at a time, and the next waits for it: a backfill
arrives in the order of its entries (two identifies of one person must not
swap), retries included. Bulk requests are large (up to the 500 KB limit),
so one at a time still moves tens of thousands of messages per second over
a real network.

Every message handed over gets exactly one outcome, through ``settle``:
delivered, failed after its retries, or, when the caller's thread is
interrupted (Ctrl-C) or the send's ``timeout`` passes, failed with that
reason. A late answer for a message already settled is ignored.

Locks: ``_done`` (a Condition) guards ``_open``; no lock is held while
calling ``settle``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Final

from cio_analytics._delivery.context import DeliveryContext
from cio_analytics._delivery.deliverer import Deliverer, Settle
from cio_analytics._delivery.senders import SenderPool
from cio_analytics._delivery.sleeper import Sleeper
from cio_analytics._logging import logger
from cio_analytics.errors import DeliveryError, RetriesExhaustedError, ShutdownTimeoutError

__all__ = ["BulkPipeline"]

#: Seconds between two looks at whether any sender thread is still alive.
_POLL: Final = 0.5


class BulkPipeline:
    """Sends the batches of one bulk send, in order; a context manager that waits at the end.

    Args:
        context: The client's settings, counters, rate limiter and reporting.
        settle: Called once per message (from any thread): error None when delivered.
        timeout: Seconds the whole send may take (None: bounded by the retry settings).
    """

    def __init__(
        self, context: DeliveryContext, settle: Settle, timeout: float | None = None
    ) -> None:
        self._context = context
        self._settle_outer = settle
        self._timeout = timeout
        self._done = threading.Condition(threading.Lock())
        #: id() -> message, for every message handed over and not yet settled.
        self._open: dict[int, bytes] = {}
        self._sleeper = Sleeper()
        if timeout is not None:
            self._sleeper.set_deadline(time.monotonic() + timeout)
        self._deliverer = Deliverer(context, self._sleeper)
        #: One sender thread: one batch in flight, the next handed over as it is cut.
        self._pool = SenderPool(1, self._deliver, "cio-analytics-bulk")
        #: Requests made (batches handed over; a 400 split adds none).
        self.requests = 0

    def submit(self, batch: list[bytes]) -> None:
        """Send ``batch`` after the ones before it (waits while one is in flight)."""
        with self._done:
            self._open.update((id(message), message) for message in batch)
        stats = self._context.stats
        stats.add_enqueued(len(batch))
        stats.add(batches=1)
        self.requests += 1
        if not self._pool.submit(batch, self._ended):
            self.settle(batch, self._ended_error(len(batch)))

    def _ended(self) -> bool:
        return self._sleeper.aborted or self._sleeper.remaining() <= 0

    def _ended_error(self, count: int) -> DeliveryError:
        return ShutdownTimeoutError(f"{count} message(s) not sent: the send's timeout passed")

    def _deliver(self, batch: list[bytes]) -> None:
        """Deliver one batch; whatever happens, each of its messages is settled."""
        try:
            self._deliverer.deliver(batch, self.settle)
        except BaseException as exc:
            self.settle(batch, _failed(len(batch), exc))  # the ones not settled yet
            if not isinstance(exc, Exception):
                raise  # on the caller's thread when no sender thread could start

    def settle(self, batch: Sequence[bytes], error: DeliveryError | None) -> None:
        """Settle the messages of ``batch`` that are still open (a late answer is ignored)."""
        with self._done:
            fresh = [m for m in batch if self._open.pop(id(m), None) is not None]
            if not self._open:
                self._done.notify_all()
        if fresh:
            self._settle_outer(fresh, error)

    def __enter__(self) -> BulkPipeline:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc is None:
                self._wait()
            else:
                self._sleeper.abort()  # the senders stop retrying
        finally:
            with self._done:
                left = list(self._open.values())
            if left:
                failure = exc or RuntimeError("the senders stopped")
                self.settle(left, _failed(len(left), failure))
            self._close()

    def _wait(self) -> None:
        """Until every batch handed over is settled (each one's retries are bounded)."""
        with self._done:
            while self._open:
                if not self._pool.threads:
                    return  # nothing can settle them any more: __exit__ fails them
                self._done.wait(_POLL)

    def _close(self) -> None:
        self._pool.close(after=self._deliverer.close)


def _failed(count: int, exc: BaseException) -> DeliveryError:
    """The failure of messages whose delivery ended with ``exc``."""
    if isinstance(exc, KeyboardInterrupt):
        detail = f"send_batch was interrupted ({type(exc).__name__})"
    else:
        detail = f"delivery failed ({type(exc).__name__}: {exc})"
        logger.debug("cio_analytics: bulk delivery ended with %r", exc)
    return RetriesExhaustedError(f"{count} message(s) not delivered: {detail}")
