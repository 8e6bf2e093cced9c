"""Sleeps that a shutdown can cut short (the retry waits, the consumer's pauses).

Kept apart from the retry policy so that the consumer can hold one before the
HTTP stack and tenacity are imported (they load on the first delivery).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["Sleeper"]


class Sleeper:
    """Sleeps that a shutdown can cut short, bounded by a deadline that may move closer.

    ``sleep(s)`` returns after ``s`` seconds, at the deadline, or at ``abort()``,
    whichever comes first. ``set_deadline`` wakes current sleepers so they
    re-read it.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cond = threading.Condition(threading.Lock())
        self._deadline = math.inf
        self._aborted = False

    @property
    def deadline(self) -> float:
        """The monotonic time no wait may pass (``inf`` when none)."""
        return self._deadline

    @property
    def aborted(self) -> bool:
        """Whether :meth:`abort` was called."""
        return self._aborted

    def remaining(self) -> float:
        """Seconds until the deadline (``inf`` when none, 0 when passed or aborted)."""
        if self._aborted:
            return 0.0
        return max(0.0, self._deadline - self._clock())

    def set_deadline(self, deadline: float) -> None:
        """Bring the deadline forward to ``deadline`` (never pushes it back)."""
        with self._cond:
            self._deadline = min(self._deadline, deadline)
            self._cond.notify_all()

    def abort(self) -> None:
        """End every current and future sleep at once."""
        with self._cond:
            self._aborted = True
            self._cond.notify_all()

    def sleep(self, seconds: float) -> None:
        """Sleep up to ``seconds``; shorter if the deadline comes first or on abort."""
        if seconds <= 0:
            return
        end = self._clock() + seconds
        with self._cond:
            while not self._aborted:
                remaining = min(end, self._deadline) - self._clock()
                # A timed-out wait means the time really passed, even under a frozen
                # clock (freezegun): only a notification loops back to re-read it.
                if remaining <= 0 or not self._cond.wait(remaining):
                    return
