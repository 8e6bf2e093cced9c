"""A token bucket that keeps requests under the API's documented rate.

Customer.io documents 3000 requests per 3 seconds. A bucket holding ``burst``
tokens and refilled at ``rate`` per second admits at most ``burst + rate * T``
requests in any window of ``T`` seconds; :meth:`TokenBucket.for_limit` picks
``burst`` and ``rate`` so that the bound for the documented window is exactly the
documented limit, not twice it (as a bucket of full size would allow).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["TokenBucket"]


class TokenBucket:
    """Thread-safe token bucket; :meth:`reserve` says how long to wait, it never sleeps.

    Args:
        rate: Tokens added per second.
        burst: Bucket size (the most requests that may go back to back).
        clock: A monotonic clock (injected in tests).
    """

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    @classmethod
    def for_limit(
        cls,
        requests_per_second: float,
        window: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> TokenBucket:
        """A bucket admitting at most ``requests_per_second * window`` requests per ``window``."""
        allowed = requests_per_second * window
        burst = max(1.0, allowed / 100.0)
        rate = (allowed - burst) / window
        return cls(rate=max(rate, 1e-9), burst=burst, clock=clock)

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before using it (0 when available)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate

    def refund(self) -> None:
        """Give back a token that was reserved but not used (the wait was aborted)."""
        with self._lock:
            self._tokens = min(self.burst, self._tokens + 1.0)
