"""The replay thread: what waits in the disk spool goes back into delivery, oldest first.

One daemon thread per client (``cio-analytics-spool``), started with the
consumer (the client's first message, a flush or a shutdown; never at
construction, so a pre-fork master that only configures the library starts
no thread). Each round it:

1. claims a segment whose holder is gone (a process that died, or a client
   that shut down), while this process has little waiting to replay;
2. rotates a long-written segment, evicts what ``spool_max_bytes`` and
   ``spool_max_age`` no longer allow (counted, reported to on_error), and
   makes the next segment ahead of need once half of the current one is used;
3. feeds waiting messages to the in-memory queue, oldest first, as the queue
   has room. They then travel like any other message: batches, the rate
   limiter, the senders, retries. While delivery fails, it feeds one batch
   at a time (a probe) instead; the first delivery that works wakes it, and
   the backlog follows.

It only appends to the queue, like a caller: ``track()`` never waits for it.

Locks: none of its own; ``_wake`` (an Event) ends its waits early.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Final

from cio_analytics._delivery.consumer import Consumer
from cio_analytics._delivery.context import DeliveryContext
from cio_analytics._logging import logger

if TYPE_CHECKING:
    from cio_analytics._delivery.spool import Spool

__all__ = ["Replayer"]

#: Seconds between two rounds when there is nothing to feed.
_IDLE: Final = 1.0
#: Seconds between two rounds while a backlog is being fed.
_BUSY: Final = 0.02
#: Seconds between two looks for segments to claim.
_SCAN_EVERY: Final = 2.0
#: Claim more segments only while fewer messages than this wait to be replayed here.
_CLAIM_BELOW: Final = 20_000
#: Segments claimed per round at most.
_CLAIMS_PER_ROUND: Final = 4
#: Seconds between two probe batches while delivery fails.
_PROBE_PAUSE: Final = 1.0


class Replayer:
    """Feeds a client's spooled messages back to its queue, on a thread of its own.

    Args:
        context: The client's delivery context (its ``spool`` is read every round).
        consumer: The client's consumer (``feed`` queues what is read back).
    """

    def __init__(self, context: DeliveryContext, consumer: Consumer) -> None:
        self._context = context
        self._consumer = consumer
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._next_scan = 0.0
        self._next_probe = 0.0
        context.on_recovery = self._wake.set

    @property
    def running(self) -> bool:
        """Whether the replay thread is alive."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def ensure_started(self) -> None:
        """Start the thread if the client has a spool and none runs."""
        if self._context.spool is None:
            return
        with self._lock:
            if self.running:
                return
            self._stop.clear()
            thread = threading.Thread(target=self._run, name="cio-analytics-spool", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # no new threads (interpreter shutdown): the next process replays
                return
            self._thread = thread
            self._next_scan = 0.0

    def wake(self) -> None:
        """Look again now (new room in the queue, a delivery that worked)."""
        self._wake.set()

    def stop(self, timeout: float = 1.0) -> None:
        """End the thread (what waits on disk stays there)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.step()
            except Exception:  # the thread must not die; the next round tries again
                logger.exception("cio_analytics: unexpected error in the spool's replay thread")
                busy = False
            self._wake.wait(_BUSY if busy else _IDLE)
            self._wake.clear()

    def step(self) -> bool:
        """One round: claim, bound, feed. Returns whether more is ready to feed now."""
        spool = self._context.spool
        if spool is None:
            return False
        now = time.monotonic()
        if now >= self._next_scan:
            self._next_scan = now + _SCAN_EVERY
            self._claim(spool)
        for eviction in spool.tick():
            self._context.report_evicted(eviction.why, eviction.messages)
        spool.prepare()
        return self._feed(spool)

    def _claim(self, spool: Spool) -> None:
        for _ in range(_CLAIMS_PER_ROUND):
            if spool.pending >= _CLAIM_BELOW or not spool.claim_one():
                return

    def _feed(self, spool: Spool) -> bool:
        """Queue what there is room for; returns whether there is more to feed at once."""
        waiting = spool.pending
        if not waiting or self._consumer.exiting:
            return False
        context = self._context
        settings = context.settings
        if context.failing:
            # Delivery fails: one probe batch at a time; its success wakes us.
            now = time.monotonic()
            if spool.replaying or now < self._next_probe:
                return False
            self._next_probe = now + _PROBE_PAUSE
            room = settings.upload_size
        else:
            queue_room = settings.max_queue_size // 2 - self._consumer.queue_depth
            bytes_room = settings.max_queue_bytes // 2 - context.queued_bytes
            room = min(queue_room, bytes_room // 1024)
        if room <= 0:
            return False
        messages = spool.take(room)
        if messages:
            context.stats.add(replayed=len(messages))
            self._consumer.feed(messages)
        return not context.failing and len(messages) < waiting
