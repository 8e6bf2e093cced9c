"""The retry policy, as small parts built on tenacity.

What is retried: 429, every 5xx, 408, timeouts and connection errors (status 0).
What is not: any other 4xx (400, 401, 403, 413 ...). A connection that cannot be
set up because the certificate fails verification or the host name does not
resolve is tried :data:`SETUP_FAILURE_TRIES` times in all, not for the whole
budget: waiting does not cure a configuration problem. Waits are exponential
with full jitter (see :func:`backoff_ceiling`), except that a server's
``Retry-After`` (seconds or HTTP-date) is honoured, capped at
:data:`RETRY_AFTER_CAP`. Every sleep goes through a :class:`Sleeper`, so
shutdown can shorten it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Final

import tenacity

from cio_analytics._delivery.sleeper import Sleeper
from cio_analytics._delivery.transport import SendResult

__all__ = [
    "BACKOFF_FACTOR",
    "BACKOFF_INITIAL",
    "BACKOFF_KNEE",
    "BACKOFF_LATE_FACTOR",
    "BACKOFF_MAX",
    "RETRY_AFTER_CAP",
    "SETUP_FAILURE_TRIES",
    "SetupFailures",
    "backoff_ceiling",
    "is_retryable",
    "make_retrying",
    "stop_at_deadline",
    "wait_retry_after_or_backoff",
]

#: First backoff ceiling in seconds (full jitter: the wait is uniform in 0..ceiling).
BACKOFF_INITIAL: Final = 0.5
#: While the ceiling is under :data:`BACKOFF_KNEE` it grows by this factor per
#: attempt: after a short outage the first successful retry comes soon (a
#: simulated 2 s outage: median recovery 2.7 s, against 2.9 s when doubling).
BACKOFF_FACTOR: Final = 1.5
#: Seconds of ceiling past which the growth becomes :data:`BACKOFF_LATE_FACTOR`.
BACKOFF_KNEE: Final = 2.0
#: Growth per attempt past the knee, so that the default ten retries outlast long
#: outages: their ceilings add up to about 188 s (a mean span of about 94 s, cut
#: at ``retry_deadline``). Growing by 1.5 throughout, ten retries spanned 28 s on
#: average, and a 30 s outage failed more than half of the batches it caught.
BACKOFF_LATE_FACTOR: Final = 2.5
#: The backoff ceiling never exceeds this many seconds.
BACKOFF_MAX: Final = 60.0
#: A server's Retry-After is honoured up to this many seconds (Customer.io's own
#: SDKs cap it at 300 s too); ``retry_deadline`` still bounds the whole batch.
RETRY_AFTER_CAP: Final = 300.0
#: Attempts in all for a batch whose connection fails on the certificate or on
#: name resolution (the default backoff puts them within about two seconds).
SETUP_FAILURE_TRIES: Final = 3
#: Retried besides every 5xx: no response (0), Request Timeout, Too Many Requests.
_RETRY_STATUSES: Final = frozenset({0, 408, 429})


def backoff_ceiling(retry: int) -> float:
    """The most the ``retry``-th wait (0 for the first) may last, before jitter.

    Starts at :data:`BACKOFF_INITIAL`, grows by :data:`BACKOFF_FACTOR` while under
    :data:`BACKOFF_KNEE`, then by :data:`BACKOFF_LATE_FACTOR`, up to :data:`BACKOFF_MAX`.
    """
    ceiling = BACKOFF_INITIAL
    for _ in range(retry):
        if ceiling >= BACKOFF_MAX:
            return BACKOFF_MAX
        ceiling *= BACKOFF_FACTOR if ceiling < BACKOFF_KNEE else BACKOFF_LATE_FACTOR
    return min(ceiling, BACKOFF_MAX)


def is_retryable(result: SendResult) -> bool:
    """Whether a failed attempt should be tried again."""
    status = result.status_code
    return status in _RETRY_STATUSES or 500 <= status < 600


class wait_retry_after_or_backoff(tenacity.wait.wait_base):
    """Wait the server's ``Retry-After`` when given (capped), else exponential full jitter.

    The jittered wait is uniform in ``0..backoff_ceiling(retry)``.
    """

    def __init__(
        self,
        retry_after_cap: float = RETRY_AFTER_CAP,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self._cap = retry_after_cap
        self._uniform = uniform

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        if outcome is not None and not outcome.failed:
            result = outcome.result()
            retry_after = getattr(result, "retry_after", None)
            if retry_after is not None:
                return float(min(retry_after, self._cap))
        return self._uniform(0.0, backoff_ceiling(retry_state.attempt_number - 1))


class stop_at_deadline(tenacity.stop.stop_base):
    """Stop when the next sleep would end past ``deadline()`` (re-read on every check)."""

    def __init__(
        self, deadline: Callable[[], float], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._deadline = deadline
        self._clock = clock

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        upcoming = retry_state.upcoming_sleep
        return self._clock() + upcoming >= self._deadline()


class SetupFailures(tenacity.stop.stop_base):
    """Stop once :data:`SETUP_FAILURE_TRIES` attempts of one batch failed on connection setup.

    A certificate that fails verification or a host name that does not resolve
    (``SendResult.setup_failure``) is a configuration problem: a few quick tries
    ride out a blip, the whole retry budget would only delay the report.

    Attributes:
        seen: Attempts so far that failed on connection setup.
    """

    def __init__(self, tries: int = SETUP_FAILURE_TRIES) -> None:
        self._tries = tries
        self.seen = 0

    @property
    def reached(self) -> bool:
        """Whether retrying stopped (or would stop) because of setup failures."""
        return self.seen >= self._tries

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        outcome = retry_state.outcome
        if (
            outcome is not None
            and not outcome.failed
            and getattr(outcome.result(), "setup_failure", None) is not None
        ):
            self.seen += 1
        return self.reached


def make_retrying(
    *,
    max_retries: int,
    deadline: Callable[[], float],
    sleeper: Sleeper,
    wait: tenacity.wait.wait_base | None = None,
    on_retry: Callable[[tenacity.RetryCallState], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    setup_failures: SetupFailures | None = None,
) -> tenacity.Retrying:
    """A ``tenacity.Retrying`` for one batch: attempts return a SendResult, never raise.

    Args:
        max_retries: Retries after the first attempt.
        deadline: Returns the monotonic time past which no attempt may start.
        sleeper: Performs (interruptible) sleeps.
        wait: The wait strategy; Retry-After-or-full-jitter by default.
        on_retry: Called before each sleep (counting retries, logging).
        clock: The monotonic clock.
        setup_failures: Counts the attempts that failed on connection setup and
            stops at :data:`SETUP_FAILURE_TRIES` (a new one when None).
    """
    # The setup-failure count goes first: stop_any stops asking at the first True.
    stop = (
        (setup_failures if setup_failures is not None else SetupFailures())
        | tenacity.stop_after_attempt(max_retries + 1)
        | stop_at_deadline(deadline, clock)
    )
    return tenacity.Retrying(
        stop=stop,
        wait=wait if wait is not None else wait_retry_after_or_backoff(),
        retry=tenacity.retry_if_result(lambda r: (not r.ok) and is_retryable(r)),
        sleep=sleeper.sleep,
        before_sleep=on_retry,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        reraise=False,
    )
