"""Delivering a list of queued messages: rate limit, retries, bisection, one outcome each.

:meth:`Deliverer.deliver` never raises for delivery problems. It calls
``settle(messages, error)`` exactly once for every message it was given:
``error`` is None when the API accepted them, else a
:class:`~cio_analytics.errors.DeliveryError` saying why not. A 400 or 413 for a
request holding several messages is answered by splitting it in halves until
the offending messages stand alone, so one bad message cannot sink the other
99 in its batch.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Final

from cio_analytics._delivery.batch import BatchBody
from cio_analytics._delivery.context import DeliveryContext
from cio_analytics._delivery.retry import Sleeper, is_retryable, make_retrying
from cio_analytics._delivery.transport import HTTPSender, SendResult
from cio_analytics._logging import logger
from cio_analytics._settings import ENV_API_KEY, Settings
from cio_analytics._wire.clock import now_timestamp
from cio_analytics.errors import (
    AuthenticationError,
    DeliveryError,
    PayloadTooLargeError,
    RejectedError,
    RetriesExhaustedError,
    ShutdownTimeoutError,
)

__all__ = ["Deliverer", "Settle"]


#: ``settle(messages, error)``: error is None for delivered messages.
Settle = Callable[[Sequence[bytes], DeliveryError | None], None]

_NOT_SENT: Final = "not sent: shutdown deadline passed"


class Deliverer:
    """Sends batches for one client in one process.

    Args:
        context: The client's settings (read at every batch), counters and rate limiter.
        sleeper: Performs every wait; shutdown shortens or aborts them through it.
    """

    def __init__(self, context: DeliveryContext, sleeper: Sleeper) -> None:
        self._context = context
        self.sleeper = sleeper
        self._lock = threading.Lock()
        self._sender: HTTPSender | None = None
        self._sender_key: tuple[object, ...] | None = None

    def _get_sender(self, settings: Settings) -> HTTPSender:
        key = (
            settings.base_url,
            settings.write_key,
            settings.gzip,
            settings.strict,
            settings.timeout,
            settings.proxy,
            id(settings.transport),
        )
        sender = self._sender
        if sender is not None and key == self._sender_key:
            return sender
        with self._lock:
            if self._sender is None or key != self._sender_key:
                old = self._sender
                self._sender = HTTPSender(settings)
                self._sender_key = key
                if old is not None:
                    old.close()
            return self._sender

    def close(self) -> None:
        """Close the HTTP connection pool (a new one is made if delivery resumes)."""
        with self._lock:
            sender, self._sender, self._sender_key = self._sender, None, None
        if sender is not None:
            sender.close()

    def deliver(
        self, messages: Sequence[bytes], settle: Settle, deadline: float | None = None
    ) -> None:
        """Deliver ``messages``; call ``settle`` once for every one of them.

        ``deadline`` (monotonic) bounds the retries; the halves of a split batch
        share their batch's, so a split never multiplies ``retry_deadline``.
        """
        if not messages:
            return
        settings = self._context.settings
        if deadline is None:
            deadline = time.monotonic() + settings.retry_deadline
        result, attempts, by_shutdown = self._send_with_retries(messages, settings, deadline)
        if result.ok:
            settle(messages, None)
            return
        status = result.status_code
        if status in (400, 413) and len(messages) > 1 and not self.sleeper.aborted:
            half = len(messages) // 2
            logger.debug(
                "cio_analytics: HTTP %d for a batch of %d; splitting it to isolate the cause",
                status,
                len(messages),
            )
            self.deliver(messages[:half], settle, deadline)
            self.deliver(messages[half:], settle, deadline)
            return
        settle(messages, self._error_for(result, attempts, len(messages), by_shutdown))

    def _send_with_retries(
        self, messages: Sequence[bytes], settings: Settings, batch_deadline: float
    ) -> tuple[SendResult, int, bool]:
        """Attempt until success, a final status, or the retry budget ends.

        Returns the last result, the number of HTTP attempts, and whether it was
        shutdown (its deadline or an abort) that ended the retries.
        """
        sleeper = self.sleeper
        attempt = _Attempts(self, messages, settings)
        first = attempt()
        if first.ok or not is_retryable(first) or first.detail == _NOT_SENT:
            # The common case, without building the tenacity machinery.
            return first, attempt.count, first.detail == _NOT_SENT
        # tenacity takes over from here; its first "attempt" replays the failure
        # above, so attempt numbers, waits and Retry-After stay exact.
        replay = [first]

        def next_attempt() -> SendResult:
            return replay.pop() if replay else attempt()

        def deadline() -> float:
            return -math.inf if sleeper.aborted else min(batch_deadline, sleeper.deadline)

        stats = self._context.stats
        retrying = make_retrying(
            max_retries=settings.max_retries,
            deadline=deadline,
            sleeper=sleeper,
            on_retry=lambda state: stats.add(retries=1),
        )
        result: SendResult = retrying(next_attempt)
        by_shutdown = (
            not result.ok
            and is_retryable(result)
            and attempt.count <= settings.max_retries
            and (sleeper.aborted or sleeper.deadline <= batch_deadline)
        ) or result.detail == _NOT_SENT
        return result, attempt.count, by_shutdown

    def _error_for(
        self, result: SendResult, attempts: int, count: int, by_shutdown: bool
    ) -> DeliveryError:
        status = result.status_code
        detail = result.detail or None
        if by_shutdown:
            return ShutdownTimeoutError(
                f"{count} message(s) not delivered before the shutdown deadline"
                + (f" (last status {status})" if status else ""),
                status_code=status or None,
                attempts=attempts,
                detail=detail,
            )
        if status in (401, 403):
            return AuthenticationError(
                f"Customer.io refused the write key (HTTP {status}). Check the write_key "
                f"setting (or the {ENV_API_KEY} environment variable) and the region/host: "
                "a key is only valid for its own workspace and region.",
                status_code=status,
                attempts=attempts,
                detail=detail,
            )
        if status == 413:
            return PayloadTooLargeError(
                "Customer.io refused the message as too large (HTTP 413)",
                status_code=status,
                attempts=attempts,
                detail=detail,
            )
        if status and not is_retryable(result):
            return RejectedError(
                f"Customer.io rejected {count} message(s) (HTTP {status})"
                + (f": {detail}" if detail else ""),
                status_code=status,
                attempts=attempts,
                detail=detail,
            )
        what = f"HTTP {status}" if status else (detail or "no response")
        return RetriesExhaustedError(
            f"{count} message(s) not delivered after {attempts} attempt(s); last: {what}",
            status_code=status or None,
            attempts=attempts,
            detail=detail,
        )


class _Attempts:
    """The HTTP attempts of one batch: each waits for the rate limiter, then sends once.

    Calling it makes one attempt and returns its result; ``count`` says how
    many requests were actually sent (an attempt the shutdown deadline cut off
    before sending is not one).
    """

    __slots__ = ("_body", "_deliverer", "_messages", "_settings", "count")

    def __init__(
        self, deliverer: Deliverer, messages: Sequence[bytes], settings: Settings
    ) -> None:
        self._deliverer = deliverer
        self._messages = messages
        self._settings = settings
        self._body = BatchBody(messages)
        self.count = 0

    def __call__(self) -> SendResult:
        deliverer = self._deliverer
        context = deliverer._context
        sleeper = deliverer.sleeper
        limiter = context.limiter
        if limiter is not None:
            wait = limiter.reserve()
            if wait > 0:
                sleeper.sleep(wait)
        remaining = sleeper.remaining()
        if remaining <= 0:
            if limiter is not None:
                limiter.refund()
            return SendResult(0, detail=_NOT_SENT)
        self.count += 1
        context.stats.add(requests=1)
        settings = self._settings
        rendered = self._body.render(now_timestamp())
        if settings.log_payloads and logger.isEnabledFor(logging.DEBUG):
            # Only when asked: bodies hold personal data.
            logger.debug("cio_analytics: request body: %s", rendered.decode("utf-8"))
        sender = deliverer._get_sender(settings)
        result = sender.send(rendered, timeout=min(settings.timeout, remaining))
        if not result.ok:
            logger.debug(
                "cio_analytics: attempt %d for %d messages: %s",
                self.count,
                len(self._messages),
                result.status_code or result.detail,
            )
        return result
