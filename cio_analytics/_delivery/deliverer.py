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
from cio_analytics._delivery.retry import (
    SetupFailures,
    is_retryable,
    make_retrying,
)
from cio_analytics._delivery.sleeper import Sleeper
from cio_analytics._delivery.transport import HTTPSender, SendResult
from cio_analytics._logging import logger
from cio_analytics._settings import ENV_API_KEY, Settings
from cio_analytics._wire.clock import now_timestamp
from cio_analytics.errors import (
    AuthenticationError,
    ConnectionSetupError,
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
        # The sender and the settings it was built from, replaced together (one
        # read sees a matching pair). No tuple of setting values is kept: it
        # would hold the write key where a traceback's locals could show it.
        self._current: tuple[HTTPSender, Settings] | None = None

    def _get_sender(self, settings: Settings) -> HTTPSender:
        current = self._current
        if current is not None and current[1] is settings:
            return current[0]
        with self._lock:
            current = self._current
            if current is not None and _same_route(current[1], settings):
                self._current = (current[0], settings)
                return current[0]
            sender = HTTPSender(settings)
            self._current = (sender, settings)
        if current is not None:
            current[0].close()
        return sender

    def close(self) -> None:
        """Close the HTTP connection pool (a new one is made if delivery resumes)."""
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current[0].close()

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
    ) -> tuple[SendResult, _Attempts, bool]:
        """Attempt until success, a final status, or the retry budget ends.

        Returns the last result, the attempts (their count, the route they took),
        and whether it was shutdown (its deadline or an abort) that ended the retries.
        """
        sleeper = self.sleeper
        attempt = _Attempts(self, messages, settings)
        first = attempt()
        if first.ok or not is_retryable(first) or first.detail == _NOT_SENT:
            # The common case, without building the tenacity machinery.
            return first, attempt, first.detail == _NOT_SENT
        # tenacity takes over from here; its first "attempt" replays the failure
        # above, so attempt numbers, waits and Retry-After stay exact.
        replay = [first]

        def next_attempt() -> SendResult:
            return replay.pop() if replay else attempt()

        def deadline() -> float:
            return -math.inf if sleeper.aborted else min(batch_deadline, sleeper.deadline)

        stats = self._context.stats
        setup_failures = SetupFailures()
        retrying = make_retrying(
            max_retries=settings.max_retries,
            deadline=deadline,
            sleeper=sleeper,
            on_retry=lambda state: stats.add(retries=1),
            setup_failures=setup_failures,
        )
        result: SendResult = retrying(next_attempt)
        by_shutdown = (
            not result.ok
            and is_retryable(result)
            and attempt.count <= settings.max_retries
            and not setup_failures.reached
            and (sleeper.aborted or sleeper.deadline <= batch_deadline)
        ) or result.detail == _NOT_SENT
        return result, attempt, by_shutdown

    def _error_for(
        self, result: SendResult, attempt: _Attempts, count: int, by_shutdown: bool
    ) -> DeliveryError:
        status = result.status_code
        detail = result.detail or None
        attempts = attempt.count
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
        if result.setup_failure is not None and attempt.sender is not None:
            return _setup_error(result, attempt.sender, attempts, count)
        what = f"HTTP {status}" if status else (detail or "no response")
        return RetriesExhaustedError(
            f"{count} message(s) not delivered after {attempts} attempt(s); last: {what}",
            status_code=status or None,
            attempts=attempts,
            detail=detail,
        )


def _same_route(a: Settings, b: Settings) -> bool:
    """Whether a sender built from ``a`` serves ``b`` unchanged (compared without a key tuple)."""
    return (
        a.base_url == b.base_url
        and a.write_key == b.write_key
        and a.gzip == b.gzip
        and a.strict == b.strict
        and a.timeout == b.timeout
        and a.proxy == b.proxy
        and a.transport is b.transport
    )


_TLS_HINT: Final = (
    "This is not transient: check the host or region setting (us: https://cdp.customer.io, "
    "eu: https://cdp-eu.customer.io), the proxy setting, whether a corporate proxy or "
    "antivirus intercepts TLS (then trust its CA certificate, for example with SSL_CERT_FILE), "
    "and that this machine has CA certificates (certifi, SSL_CERT_FILE or SSL_CERT_DIR)."
)
_DNS_HINT: Final = (
    "This is not transient: check the host or region setting (us: https://cdp.customer.io, "
    "eu: https://cdp-eu.customer.io), the proxy setting, and this machine's DNS."
)


def _setup_error(
    result: SendResult, sender: HTTPSender, attempts: int, count: int
) -> ConnectionSetupError:
    """The report for a certificate or name-resolution failure, naming the host and the fix."""
    host = sender.host
    via = f" (through the proxy {sender.proxy_host})" if sender.proxy_host else ""
    if result.setup_failure == "tls":
        what = f"the TLS certificate of {host}{via} could not be verified"
        hint = _TLS_HINT
    else:
        what = f"the host name {sender.proxy_host or host} does not resolve"
        hint = _DNS_HINT
    return ConnectionSetupError(
        f"{count} message(s) not delivered after {attempts} attempt(s): {what} "
        f"({result.detail}). {hint}",
        host=host,
        kind=result.setup_failure or "",
        attempts=attempts,
        detail=result.detail or None,
    )


class _Attempts:
    """The HTTP attempts of one batch: each waits for the rate limiter, then sends once.

    Calling it makes one attempt and returns its result; ``count`` says how
    many requests were actually sent (an attempt the shutdown deadline cut off
    before sending is not one), and every request after the first carries
    ``X-Retry-Count`` with the number sent before it. ``sender`` is the sender
    of the latest request.
    """

    __slots__ = ("_body", "_deliverer", "_messages", "_settings", "count", "sender")

    def __init__(
        self, deliverer: Deliverer, messages: Sequence[bytes], settings: Settings
    ) -> None:
        self._deliverer = deliverer
        self._messages = messages
        self._settings = settings
        self._body = BatchBody(messages)
        self.count = 0
        self.sender: HTTPSender | None = None

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
        retry = self.count
        self.count += 1
        context.stats.add(requests=1)
        settings = self._settings
        rendered = self._body.render(now_timestamp())
        if settings.log_payloads and logger.isEnabledFor(logging.DEBUG):
            # Only when asked: bodies hold personal data.
            logger.debug("cio_analytics: request body: %s", rendered.decode("utf-8"))
        sender = self.sender = deliverer._get_sender(settings)
        result = sender.send(rendered, timeout=min(settings.timeout, remaining), retry=retry)
        if not result.ok:
            logger.debug(
                "cio_analytics: attempt %d for %d messages: %s",
                self.count,
                len(self._messages),
                result.status_code or result.detail,
            )
        return result
