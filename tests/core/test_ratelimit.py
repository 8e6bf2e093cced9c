"""The token bucket, driven by a fake clock."""

from __future__ import annotations

import pytest

from cio_analytics._delivery.ratelimit import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TestTokenBucket:
    """Waits computed, never slept."""

    def test_burst_then_waits(self) -> None:
        """A full bucket admits burst requests at once, then asks to wait 1/rate each."""
        clock = FakeClock()
        bucket = TokenBucket(rate=10.0, burst=3, clock=clock)
        assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
        assert bucket.reserve() == pytest.approx(0.1)
        assert bucket.reserve() == pytest.approx(0.2)

    def test_refills_with_time(self) -> None:
        """Tokens come back at the configured rate."""
        clock = FakeClock()
        bucket = TokenBucket(rate=10.0, burst=2, clock=clock)
        bucket.reserve()
        bucket.reserve()
        clock.now += 0.1
        assert bucket.reserve() == pytest.approx(0.0, abs=1e-9)
        assert bucket.reserve() == pytest.approx(0.1)

    def test_documented_limit_holds_in_every_window(self) -> None:
        """for_limit(1000) never admits more than 3000 requests in any 3-second window."""
        clock = FakeClock()
        bucket = TokenBucket.for_limit(1000.0, clock=clock)
        sent: list[float] = []
        while len(sent) < 9000:
            wait = bucket.reserve()
            clock.now += wait
            sent.append(clock.now)
        start = 0
        for end, moment in enumerate(sent):
            while moment - sent[start] >= 3.0:
                start += 1
            assert end - start + 1 <= 3000

    def test_refund_returns_a_token(self) -> None:
        """A refunded reservation is available again."""
        clock = FakeClock()
        bucket = TokenBucket(rate=1.0, burst=1, clock=clock)
        assert bucket.reserve() == 0.0
        assert bucket.reserve() > 0
        bucket.refund()
        bucket.refund()
        assert bucket.reserve() == 0.0
