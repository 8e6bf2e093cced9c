"""The one bundle delivery reads from its client: settings, counters, rate limiter, reporting.

The consumer thread, sync mode and bulk sends of one client all hold the same
:class:`DeliveryContext`. The client replaces its settings when it is
configured (the rate limiter follows), and every batch reads them afresh, so a
new host or key applies to messages already queued. After a fork the client
makes a new context: the child counts and reports only its own messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from cio_analytics._delivery.ratelimit import TokenBucket
from cio_analytics._delivery.report import (
    FailureLog,
    call_on_error,
    call_on_error_bounded,
    report_dropped_once,
)
from cio_analytics._delivery.stats import StatsRecorder
from cio_analytics._logging import logger
from cio_analytics._settings import Settings
from cio_analytics._wire.hooks import HookFailure, hook_name
from cio_analytics._wire.messages import decode_message
from cio_analytics.errors import (
    BeforeSendError,
    DeliveryError,
    EvictedError,
    KeptOnDiskError,
    QueueFullError,
)

if TYPE_CHECKING:
    from cio_analytics._delivery.spool import Spool

__all__ = ["DeliveryContext"]


class DeliveryContext:
    """Settings, counters, rate limiter and failure reporting of one client in one process.

    Attributes:
        settings: The client's current settings (replaced as a whole by :meth:`apply`).
        stats: The counters behind ``client.stats()``.
        limiter: The rate limiter for requests, or None when ``rate_limit`` is off.
        log: The throttled failure log.
    """

    __slots__ = (
        "_hooks_warned",
        "_spool_id",
        "failing",
        "last_delivery",
        "last_failure",
        "limiter",
        "log",
        "on_recovery",
        "queued_bytes",
        "settings",
        "spool",
        "stall_warned",
        "stats",
        "waiting_since",
    )

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stats = StatsRecorder()
        self.limiter: TokenBucket | None = None
        self.log = FailureLog()
        #: Bytes of the encoded messages in the queue. Producers add, the consumer
        #: subtracts; each update is one ``+=`` on a slot, which the GIL does not
        #: interrupt (no eval-breaker check between the load and the store).
        self.queued_bytes = 0
        #: Monotonic time of the last delivery (or of the context's creation).
        self.last_delivery = time.monotonic()
        #: Monotonic time messages started waiting (the queue was empty before), or None.
        self.waiting_since: float | None = None
        #: The last failure, in words (for the stall warning and stats()).
        self.last_failure: str | None = None
        #: Whether the current stall was already warned about.
        self.stall_warned = False
        #: The before_send hooks whose failure was logged (once each).
        self._hooks_warned: set[str] = set()
        #: The disk spool (``spool_dir``), or None when it is off.
        self.spool: Spool | None = None
        #: (spool_dir, key folder) of the spool in use or refused, so it is set up once.
        self._spool_id: tuple[str, str] | None = None
        #: True after messages were kept on disk for failing delivery, until a delivery works.
        self.failing = False
        #: Called (on a delivery thread) when a delivery works again after ``failing``.
        self.on_recovery: Callable[[], None] | None = None
        self.apply(settings)

    def apply(self, settings: Settings) -> None:
        """Use ``settings`` from the next batch on; rebuild the limiter if its rate changed."""
        self.settings = settings
        self._apply_spool(settings)
        rate = settings.rate_limit
        limiter = self.limiter
        if rate is None:
            self.limiter = None
        elif limiter is None or abs(limiter.rate + limiter.burst / 3.0 - rate) > 1e-9:
            self.limiter = TokenBucket.for_limit(rate)

    def report(
        self,
        error: DeliveryError,
        messages: Sequence[bytes],
        wait_at_most: float | None = None,
        *,
        raised: bool = False,
    ) -> None:
        """Count, log and pass to on_error the messages of one failure (never raises).

        Args:
            error: Why they were not delivered.
            messages: The queued messages.
            wait_at_most: Wait at most this many seconds for on_error (it then
                goes on in a daemon thread); None calls it on this thread.
            raised: The failure is also raised to the caller (sync mode), so
                the log line is only at DEBUG.
        """
        self.stats.add_failed(error.reason, len(messages))
        self.last_failure = f"{error.reason.value}: {error}"
        self._tell(error, messages, wait_at_most, raised=raised)

    def _apply_spool(self, settings: Settings) -> None:
        """Open, change or close the disk spool to match ``settings`` (a problem: one warning)."""
        wanted = settings.spool_dir
        key = settings.write_key
        if not settings.send or settings.sync_mode or key is None:
            wanted = None  # nothing is queued: nothing to spool
        ident = None
        if wanted is not None:
            # The spool's modules load only when one is wanted (import time of
            # the package), on the thread that configures the client.
            from cio_analytics._delivery.spool_dir import key_folder  # noqa: PLC0415

            ident = (wanted, key_folder(key or "", settings.base_url))
        if ident != self._spool_id:
            spool, self.spool = self.spool, None
            if spool is not None:
                spool.release()
            self._spool_id = ident
            if wanted is not None:
                self.spool = _open_spool(wanted, key or "", settings)
        if self.spool is not None:
            self.spool.configure(
                settings.spool_max_bytes, settings.spool_max_age, settings.spool_fsync
            )

    def report_kept(
        self,
        error: DeliveryError,
        first: Sequence[bytes],
        again: int,
        wait_at_most: float | None = None,
    ) -> None:
        """Messages not delivered for now are kept on disk for replay: count, log, tell on_error.

        Args:
            error: Why they were not delivered this time.
            first: The messages kept for the first time (on_error receives these).
            again: How many more were kept again (read back, failed again:
                counted, not reported twice).
            wait_at_most: As for :meth:`report`.
        """
        count = len(first) + again
        self.stats.add(kept=count)
        self.failing = True
        self.last_failure = f"{error.reason.value}: {error}"
        if not first:
            return
        spool = self.spool
        kept = KeptOnDiskError(
            f"{len(first)} message(s) not delivered yet ({error}); kept in the spool at "
            f"{spool.folder if spool else 'spool_dir'} and replayed when delivery works again",
            cause=error.reason,
            status_code=error.status_code,
            attempts=error.attempts,
            detail=error.detail,
        )
        self._tell(kept, first, wait_at_most)

    def report_evicted(self, why: str, messages: Sequence[bytes]) -> None:
        """Messages removed from the spool by its bounds: count, log, tell on_error."""
        self.stats.add(evicted=len(messages))
        error = EvictedError(
            f"{len(messages)} message(s) removed from the disk spool undelivered: "
            f"{why}={getattr(self.settings, why)} reached (oldest first)",
            bound=why,
        )
        self._tell(error, messages, None)

    def _tell(
        self,
        error: DeliveryError,
        messages: Sequence[bytes],
        wait_at_most: float | None,
        *,
        raised: bool = False,
    ) -> None:
        """Log (throttled) and pass to on_error; the caller counts the messages."""
        try:
            settings = self.settings
            handled = settings.on_error is not None and not settings.log_handled_failures
            self.log.failure(error, len(messages), quiet=raised or handled)
        finally:  # on_error is called even if a log handler raised
            on_error = self.settings.on_error
            if on_error is not None:
                decoded = [decode_message(m) for m in messages]
                if wait_at_most is None:
                    call_on_error(on_error, error, decoded)
                else:
                    call_on_error_bounded(on_error, error, decoded, wait_at_most)

    def report_dropped(self, message: bytes, *, by_bytes: bool = False) -> None:
        """Count, log and pass to on_error one message refused because the queue was full.

        Args:
            message: The encoded message.
            by_bytes: The byte bound (``max_queue_bytes``) was reached, not the count.
        """
        self.stats.add(dropped=1)
        settings = self.settings
        bound = (
            f"max_queue_bytes={settings.max_queue_bytes}"
            if by_bytes
            else f"max_queue_size={settings.max_queue_size}"
        )
        self.log.dropped(bound, self.stats.dropped)
        self.check_stall()
        on_error = settings.on_error
        if on_error is None:
            return
        error = QueueFullError(f"queue full ({bound}); message dropped")
        report_dropped_once(lambda: call_on_error(on_error, error, [decode_message(message)]))

    def report_hook_failure(self, failure: HookFailure) -> None:
        """A ``before_send`` hook failed: count, warn once per hook, tell on_error."""
        self.stats.add(hook_errors=1)
        name = hook_name(failure.hook)
        if name not in self._hooks_warned:
            self._hooks_warned.add(name)
            logger.warning(
                "cio_analytics: before_send hook %s failed (%s: %s); the message was dropped. "
                "Further failures of this hook are counted in stats().hook_errors and "
                "reported to on_error, not logged.",
                name,
                type(failure.cause).__name__,
                failure.cause,
            )
        on_error = self.settings.on_error
        if on_error is None:
            return
        error = BeforeSendError(
            f"1 message dropped: before_send hook {name} failed "
            f"({type(failure.cause).__name__}: {failure.cause})",
            hook=name,
            detail=str(failure.cause),
        )
        call_on_error(on_error, error, [failure.message])

    def note_delivered(self) -> None:
        """Some messages were delivered: whatever stall there was is over."""
        self.last_delivery = time.monotonic()
        self.stall_warned = False
        if self.failing:
            self.failing = False
            recovery = self.on_recovery
            if recovery is not None:
                recovery()  # the replay thread: what was kept on disk can go now

    def stalled_for(self) -> float:
        """Seconds messages have waited without any delivery (0.0 when nothing waits)."""
        since = self.waiting_since
        if since is None:
            return 0.0
        return max(0.0, time.monotonic() - max(since, self.last_delivery))

    def check_stall(self) -> None:
        """Warn once per stall when messages have waited ``stall_warning`` seconds undelivered."""
        limit = self.settings.stall_warning
        if not limit or self.stall_warned:
            return
        waited = self.stalled_for()
        if waited < limit:
            return
        self.stall_warned = True
        logger.warning(
            "cio_analytics: nothing has been delivered for %.0f s while messages wait "
            "(queue depth %d, last failure: %s); check the host, the key and the network",
            waited,
            self.stats.queued - self.stats.delivered - self.stats.failed,
            self.last_failure or "none",
        )


def _open_spool(spool_dir: str, write_key: str, settings: Settings) -> Spool | None:
    """The spool in ``spool_dir`` for this key and host, or None (and one warning) if unusable."""
    from cio_analytics._delivery import lease  # noqa: PLC0415 (see _apply_spool)
    from cio_analytics._delivery.spool import Spool  # noqa: PLC0415
    from cio_analytics._delivery.spool_dir import SpoolUnavailable, prepare  # noqa: PLC0415

    try:
        if not lease.SUPPORTED:
            raise SpoolUnavailable("this platform has no POSIX record locks (fcntl)")
        folder = prepare(spool_dir, write_key, settings.base_url)
    except (SpoolUnavailable, OSError) as exc:
        logger.warning(
            "cio_analytics: the disk spool is off: %s. Messages are kept in memory only, "
            "as without spool_dir.",
            exc,
        )
        return None
    return Spool(folder, settings.spool_max_bytes, settings.spool_max_age, settings.spool_fsync)
