"""Counters of what happened to every message, readable as one snapshot."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from cio_analytics.errors import FailureReason

__all__ = ["ClientStats", "SpoolFigures", "StatsRecorder"]


class SpoolFigures(TypedDict, total=False):
    """What the disk spool adds to a snapshot (read from the spool itself)."""

    spooled: int
    spool_bytes: int
    spool_corrupt_bytes: int
    spool_off: str | None


@dataclass(frozen=True, slots=True)
class ClientStats:
    """A snapshot of a client's counters (``client.stats()``).

    Every accepted message ends as exactly one of ``delivered`` or ``failed``
    (or, with the disk spool on, ``kept``: back on disk for a later replay);
    ``enqueued - delivered - failed - kept`` are still queued or in flight.
    Messages refused at the call because the queue was full are in ``dropped``
    and were never enqueued. With the spool on, a message that finds the queue
    full is not dropped: it waits on disk (in ``spooled``) and enters
    ``enqueued`` when replay brings it back (``replayed``).

    Attributes:
        enqueued: Messages accepted onto the queue (or sent in sync mode).
        delivered: Messages the API accepted.
        failed: Messages reported to on_error after being accepted.
        dropped: Messages refused at the call because the queue was full.
        filtered: Messages a ``before_send`` hook dropped (by returning None).
        hook_errors: Messages dropped because a ``before_send`` hook failed
            (each also reported to on_error; not counted in ``failed``).
        failed_by_reason: ``failed`` split by :class:`~cio_analytics.errors.FailureReason` value.
        retries: Retried attempts (every attempt after a batch's first).
        requests: HTTP attempts made, successful or not.
        batches: Batches whose delivery was attempted.
        queue_depth: Messages waiting in the queue now.
        in_flight: Messages being sent now.
        queue_bytes: Bytes of the encoded messages waiting in the queue now.
        stalled_for: Seconds messages have waited without any delivery (0.0 when
            nothing waits); past the ``stall_warning`` setting a WARNING is logged.
        last_failure: The last delivery failure, in words, or None.
        spooled: Messages written to the disk spool by this process.
        replayed: Messages read back from the disk spool into delivery (kept
            ones, those that found the queue full, and those of processes
            that died); each is counted in ``enqueued`` again.
        kept: Messages whose delivery failed for now and that were put back
            on disk for replay (reported to on_error as ``kept_on_disk``).
        evicted: Messages the spool's bounds removed from disk undelivered
            (reported to on_error as ``evicted``).
        spool_bytes: Bytes of the spool's segment files for this key and host.
        spool_corrupt_bytes: Bad bytes found in segments (torn or damaged
            records), moved aside.
        spool_off: Why the spool turned itself off, or None (also None when
            no spool was asked for).
    """

    enqueued: int
    delivered: int
    failed: int
    dropped: int
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    filtered: int = 0
    hook_errors: int = 0
    retries: int = 0
    requests: int = 0
    batches: int = 0
    queue_depth: int = 0
    in_flight: int = 0
    queue_bytes: int = 0
    stalled_for: float = 0.0
    last_failure: str | None = None
    spooled: int = 0
    replayed: int = 0
    kept: int = 0
    evicted: int = 0
    spool_bytes: int = 0
    spool_corrupt_bytes: int = 0
    spool_off: str | None = None

    @property
    def pending(self) -> int:
        """Messages accepted but not yet delivered, failed or kept on disk."""
        return self.enqueued - self.delivered - self.failed - self.kept


class StatsRecorder:
    """Thread-safe counters. ``enqueued`` is an itertools counter (atomic under the GIL)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._enqueued = itertools.count(1)
        #: Count one enqueued message (the hot path calls it: a C method, atomic under the GIL).
        self.count_enqueued: Callable[[], int] = self._enqueued.__next__
        self._enqueued_base = 0
        self.delivered = 0
        self.failed = 0
        self.dropped = 0
        self.filtered = 0
        self.hook_errors = 0
        self.failed_by_reason: Counter[str] = Counter()
        self.retries = 0
        self.requests = 0
        self.batches = 0
        self.in_flight = 0
        self.kept = 0
        self.replayed = 0
        self.evicted = 0

    @property
    def queued(self) -> int:
        """Messages put on the queue by the hot path (sync and bulk sends excluded)."""
        return int(repr(self._enqueued)[6:-1]) - 1

    @property
    def enqueued(self) -> int:
        """Messages enqueued so far (read without advancing the counter)."""
        # repr(count(5)) == "count(5)": the next value, so the total is one less.
        return int(repr(self._enqueued)[6:-1]) - 1 + self._enqueued_base

    def add_enqueued(self, n: int) -> None:
        """Count ``n`` messages accepted outside the hot path (sync mode, bulk sends)."""
        with self._lock:
            self._enqueued_base += n

    def add(self, **amounts: int) -> None:
        """Add to counters by name under the lock."""
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)

    def add_failed(self, reason: FailureReason, n: int) -> None:
        """Count ``n`` messages failed for ``reason``."""
        with self._lock:
            self.failed += n
            self.failed_by_reason[reason.value] += n

    @property
    def pending(self) -> int:
        """Messages enqueued and not yet delivered, failed or kept on disk."""
        return self.enqueued - self.delivered - self.failed - self.kept

    def snapshot(
        self,
        queue_depth: int,
        queue_bytes: int = 0,
        stalled_for: float = 0.0,
        last_failure: str | None = None,
        spool: SpoolFigures | None = None,
    ) -> ClientStats:
        """A consistent copy of every counter, with the queue's state as the caller saw it."""
        with self._lock:
            return ClientStats(
                enqueued=self.enqueued,
                delivered=self.delivered,
                failed=self.failed,
                dropped=self.dropped,
                failed_by_reason=dict(self.failed_by_reason),
                filtered=self.filtered,
                hook_errors=self.hook_errors,
                retries=self.retries,
                requests=self.requests,
                batches=self.batches,
                queue_depth=queue_depth,
                in_flight=self.in_flight,
                queue_bytes=queue_bytes,
                stalled_for=stalled_for,
                last_failure=last_failure,
                replayed=self.replayed,
                kept=self.kept,
                evicted=self.evicted,
                **(spool or {}),
            )
