"""The retry policy as pure parts: classification, Retry-After, waits, stops."""

from __future__ import annotations

import email.utils
import math
import threading
import time

import pytest

from cio_analytics._retry import (
    BACKOFF_MAX,
    RETRY_AFTER_CAP,
    Sleeper,
    is_retryable,
    make_retrying,
    parse_retry_after,
)
from cio_analytics._transport import SendResult


class TestClassification:
    """Which statuses are retried."""

    @pytest.mark.parametrize("status", [0, 408, 429, 500, 502, 503, 504, 599])
    def test_retryable(self, status: int) -> None:
        """429, 408, every 5xx and no-response are retried."""
        assert is_retryable(SendResult(status))

    @pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422])
    def test_final(self, status: int) -> None:
        """Other 4xx are final."""
        assert not is_retryable(SendResult(status))


class TestRetryAfter:
    """Parsing the Retry-After header."""

    def test_seconds(self) -> None:
        """Delta-seconds are read as a float."""
        assert parse_retry_after("2") == 2.0
        assert parse_retry_after(" 1.5 ") == 1.5

    def test_http_date(self) -> None:
        """An HTTP-date is turned into seconds from now."""
        now = 1_700_000_000.0
        header = email.utils.formatdate(now + 30, usegmt=True)
        assert parse_retry_after(header, now=now) == pytest.approx(30.0)

    def test_past_date_and_junk(self) -> None:
        """A date in the past means 0; junk, empty and negative values are handled."""
        assert parse_retry_after(email.utils.formatdate(1000.0, usegmt=True), now=2000.0) == 0.0
        assert parse_retry_after("soon") is None
        assert parse_retry_after("") is None
        assert parse_retry_after(None) is None
        assert parse_retry_after("-5") == 0.0
        assert parse_retry_after("nan") is None


def _run(results: list[SendResult], *, max_retries: int = 10, deadline: float = math.inf):
    """Run make_retrying over scripted results, recording sleeps instead of sleeping."""
    sleeps: list[float] = []

    class RecordingSleeper(Sleeper):
        def sleep(self, seconds: float) -> None:
            sleeps.append(seconds)

    script = iter(results)
    calls: list[int] = []

    def attempt() -> SendResult:
        calls.append(1)
        return next(script)

    retrying = make_retrying(
        max_retries=max_retries, deadline=lambda: deadline, sleeper=RecordingSleeper()
    )
    return retrying(attempt), len(calls), sleeps


class TestPolicy:
    """tenacity wiring: what is retried, how long it waits, when it stops."""

    def test_success_after_transient_failures(self) -> None:
        """500, 503 then 200: three attempts, two jittered waits within the backoff bounds."""
        result, calls, sleeps = _run([SendResult(500), SendResult(503), SendResult(200)])
        assert result.ok and calls == 3
        assert len(sleeps) == 2
        assert all(0 <= s <= BACKOFF_MAX for s in sleeps)

    def test_retry_after_is_honoured_and_capped(self) -> None:
        """A 429's Retry-After is the wait, up to the cap."""
        result, _, sleeps = _run(
            [SendResult(429, retry_after=2.0), SendResult(429, retry_after=9999), SendResult(200)]
        )
        assert result.ok
        assert sleeps == [2.0, RETRY_AFTER_CAP]

    def test_final_status_is_not_retried(self) -> None:
        """A 400 ends after one attempt."""
        result, calls, sleeps = _run([SendResult(400), SendResult(200)])
        assert result.status_code == 400 and calls == 1 and sleeps == []

    def test_max_retries_bounds_attempts(self) -> None:
        """max_retries=2 makes three attempts and returns the last result."""
        result, calls, _ = _run([SendResult(503)] * 5, max_retries=2)
        assert result.status_code == 503 and calls == 3

    def test_deadline_stops_retries(self) -> None:
        """A deadline already passed stops after the first attempt."""
        result, calls, _ = _run([SendResult(503)] * 5, deadline=time.monotonic() - 1)
        assert result.status_code == 503 and calls == 1


class TestSleeper:
    """Interruptible, deadline-bounded sleeps."""

    def test_abort_ends_a_sleep(self) -> None:
        """abort() from another thread ends a long sleep at once."""
        sleeper = Sleeper()
        timer = threading.Timer(0.05, sleeper.abort)
        timer.start()
        started = time.monotonic()
        sleeper.sleep(30)
        timer.join()
        assert time.monotonic() - started < 10

    def test_deadline_shortens_a_sleep(self) -> None:
        """A deadline set during a sleep cuts it short."""
        sleeper = Sleeper()
        timer = threading.Timer(0.05, lambda: sleeper.set_deadline(time.monotonic()))
        timer.start()
        started = time.monotonic()
        sleeper.sleep(30)
        timer.join()
        assert time.monotonic() - started < 10
        assert sleeper.remaining() == 0.0
