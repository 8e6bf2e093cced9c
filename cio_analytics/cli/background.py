"""One call at a time on a thread of its own, its result collected later.

``cio-analytics import`` reads and validates the next chunk of a file while
the chunk before it is being sent: on one core the reading fills the time
the sending spends waiting for the API (the last requests of a chunk, a
retry), instead of the two taking turns. At most one call runs: the caller
collects its result (or its exception, raised again on the caller's thread)
before it starts the next one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Background"]


class Background:
    """Runs one call at a time on a daemon thread.

    Args:
        name: The thread's name (shown by debuggers and py-spy).
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._result: Any = None
        self._error: BaseException | None = None

    @property
    def busy(self) -> bool:
        """True from :meth:`start` until :meth:`result` has returned or raised."""
        return self._thread is not None

    def start(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``call(*args, **kwargs)`` on a new thread (none may be running)."""
        if self._thread is not None:
            raise RuntimeError("a call is still running: collect its result first")
        self._done.clear()
        self._result, self._error = None, None

        def run() -> None:
            try:
                self._result = call(*args, **kwargs)
            except BaseException as exc:  # handed to the caller's thread by result()
                self._error = exc
            finally:
                self._done.set()

        # A daemon: an interrupted import must not wait at exit for a chunk's retries.
        thread = threading.Thread(target=run, name=self._name, daemon=True)
        self._thread = thread
        thread.start()

    def result(self, tick: Callable[[], None] | None = None, period: float = 0.25) -> Any:
        """Wait for the call to end; its return value, or its exception raised here.

        Args:
            tick: Called every ``period`` seconds while waiting (a progress line).
            period: Seconds between two ticks.
        """
        if self._thread is None:
            raise RuntimeError("no call was started")
        # Short waits: Ctrl-C and SIGTERM reach the waiting (main) thread at once.
        while not self._done.wait(period):
            if tick is not None:
                tick()
        self._thread = None
        error, self._error = self._error, None
        result, self._result = self._result, None
        if error is not None:
            raise error
        return result
