"""Telling the application about messages that were not delivered: logs and ``on_error``.

Two rules shape this module. Reporting never raises into the library (a
failing ``on_error`` or log handler is logged and contained), and it never
recurses without end (an ``on_error`` that itself calls ``track()`` into a
full queue, or whose own sync-mode call fails, is not called again from
inside itself). Logs are throttled per failure reason, so an outage writes a
warning every :data:`LOG_EVERY` seconds, not one per batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Final

from cio_analytics._logging import logger
from cio_analytics._settings import OnError
from cio_analytics.errors import DeliveryError, FailureReason

__all__ = [
    "LOG_EVERY",
    "FailureLog",
    "call_on_error",
    "call_on_error_bounded",
    "report_dropped_once",
]

#: Seconds between two warnings for the same failure reason (counts are kept).
LOG_EVERY: Final = 10.0

# Per thread: "dropping" while on_error runs for a dropped message (an on_error
# that tracks into the full queue must not recurse without end), and
# "in_on_error" while any on_error call runs.
_reporting = threading.local()


class FailureLog:
    """Log lines for failures and drops, at most one warning per reason per interval.

    Attributes:
        exiting: True while the exit hook drains: shutdown cut-offs are then
            summarised once by the caller instead of logged per batch.
    """

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._auth_logged = False
        self._drop_logged_at = -LOG_EVERY
        self.exiting = False

    def failure(self, error: DeliveryError, count: int, *, quiet: bool = False) -> None:
        """Log ``count`` messages not delivered for ``error``.

        ``quiet``: someone else reports it (on_error, or a raised exception):
        the line is only at DEBUG.
        """
        reason = error.reason.value
        now = time.monotonic()
        last = self._last.get(reason)
        if quiet or (error.reason is FailureReason.SHUTDOWN and self.exiting):
            logger.debug("cio_analytics: %d message(s) not delivered: %s", count, error)
        elif error.reason is FailureReason.UNAUTHORIZED and not self._auth_logged:
            self._auth_logged = True
            logger.error("cio_analytics: %s", error)
        elif last is None or now - last >= LOG_EVERY:
            self._last[reason] = now
            logger.warning("cio_analytics: %d message(s) not delivered: %s", count, error)
        else:
            logger.debug("cio_analytics: %d message(s) not delivered: %s", count, error)

    def dropped(self, bound: str, dropped_so_far: int) -> None:
        """Log a dropped message: one warning per burst of drops.

        Args:
            bound: The bound that was reached, as ``max_queue_size=10000``.
            dropped_so_far: Messages dropped by this client so far.
        """
        now = time.monotonic()
        if now - self._drop_logged_at >= LOG_EVERY:
            self._drop_logged_at = now
            logger.warning(
                "cio_analytics: queue full (%s); new messages are dropped "
                "and reported to on_error until it drains (%d dropped so far)",
                bound,
                dropped_so_far,
            )


def call_on_error(
    on_error: OnError, error: DeliveryError, messages: list[dict[str, Any]]
) -> None:
    """Call the user's on_error; whatever it raises is logged, never propagated.

    BaseException is caught too (a callback raising CancelledError must not kill
    the consumer thread), except KeyboardInterrupt and SystemExit on the main
    thread, which belong to the application.
    """
    if getattr(_reporting, "in_on_error", False):
        # on_error itself made a call that failed (sync_mode): calling it again from
        # inside itself could recurse without end. The failure is counted and logged.
        logger.debug("cio_analytics: a failure inside on_error is not reported to it again")
        return
    _reporting.in_on_error = True
    try:
        on_error(error, messages)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit) and (
            threading.current_thread() is threading.main_thread()
        ):
            raise
        logger.exception("cio_analytics: on_error raised; the failure above still counts")
    finally:
        _reporting.in_on_error = False


def call_on_error_bounded(
    on_error: OnError,
    error: DeliveryError,
    messages: list[dict[str, Any]],
    wait_at_most: float,
) -> None:
    """Call on_error on a daemon thread and wait for it at most ``wait_at_most`` seconds.

    Used where a blocked callback must not hold the caller (shutdown's deadline).
    Where no thread can start (interpreter shutdown), it runs on this thread.
    """
    caller = threading.Thread(
        target=call_on_error,
        args=(on_error, error, messages),
        name="cio-analytics-on-error",
        daemon=True,
    )
    try:
        caller.start()
    except RuntimeError:  # no new threads now (interpreter shutdown)
        call_on_error(on_error, error, messages)
        return
    caller.join(wait_at_most)


def report_dropped_once(report: Callable[[], None]) -> None:
    """Run ``report`` unless this thread is already reporting a dropped message."""
    if getattr(_reporting, "dropping", False):
        return
    _reporting.dropping = True
    try:
        report()
    finally:
        _reporting.dropping = False
