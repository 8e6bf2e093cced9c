"""A small fixed set of sender threads, so several batches can be in flight at once.

Over a real network a request takes tens to hundreds of milliseconds, and one
request at a time caps delivery at one batch per round trip. The consumer
thread keeps cutting batches; :class:`SenderPool` gives each to one of at most
``size`` daemon threads, started as they are needed (never one per batch) and
kept while there is work. :meth:`SenderPool.submit` waits for a free slot, so
at most ``size`` batches are ever in flight and a backlog stays in the queue,
where it is counted and bounded.

Locks: ``_cond`` guards ``_work``, ``_threads``, ``_idle`` and ``_closing``;
``_slots`` counts the batches in flight or handed over.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from typing import Final

from cio_analytics._logging import logger

__all__ = ["SenderPool"]

#: Seconds between two looks at ``abort`` while waiting for a free slot.
_SLOT_POLL: Final = 0.05
#: Seconds an idle sender thread waits for work before it ends.
_IDLE_END: Final = 30.0


class SenderPool:
    """Up to ``size`` threads delivering the batches handed to :meth:`submit`.

    Args:
        size: The most batches in flight at once (and threads).
        deliver: Delivers one batch (settling every message); never raises.
        name: The threads' name.
    """

    def __init__(self, size: int, deliver: Callable[[list[bytes]], None], name: str) -> None:
        self.size = size
        self._deliver = deliver
        self._name = name
        self._slots = threading.BoundedSemaphore(size)
        self._cond = threading.Condition(threading.Lock())
        self._work: collections.deque[list[bytes]] = collections.deque()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._closing = False
        self._after_close: Callable[[], None] | None = None

    @property
    def threads(self) -> list[threading.Thread]:
        """The sender threads that take work now (an ending one has left the list)."""
        with self._cond:
            return list(self._threads)

    def submit(self, batch: list[bytes], abort: Callable[[], bool]) -> bool:
        """Hand ``batch`` to a sender once a slot is free.

        Returns:
            False when ``abort()`` became true first (the batch was not taken).
        """
        while not self._slots.acquire(timeout=_SLOT_POLL):
            if abort():
                return False
        with self._cond:
            self._work.append(batch)
            start = self._idle == 0 and len(self._threads) < self.size
            self._cond.notify()
        if start and not self._start_thread():
            self._run_one()  # no thread could start: deliver it on this one
        return True

    def _start_thread(self) -> bool:
        thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        with self._cond:
            self._threads.append(thread)
        try:
            thread.start()
        except RuntimeError:
            with self._cond:
                self._threads.remove(thread)
            return False
        return True

    def _run_one(self) -> None:
        with self._cond:
            batch = self._work.popleft() if self._work else None
        if batch is not None:
            self._send(batch)

    def _send(self, batch: list[bytes]) -> None:
        try:
            self._deliver(batch)
        except BaseException:  # deliver never raises; a sender thread must not die
            logger.exception("cio_analytics: unexpected error in a sender thread")
        finally:
            self._slots.release()

    def _run(self) -> None:
        me = threading.current_thread()
        while True:
            batch, last = self._next(me)
            if batch is None:
                if last:
                    self._closed()
                return
            self._send(batch)

    def _next(self, me: threading.Thread) -> tuple[list[bytes] | None, bool]:
        """The next batch for thread ``me``; (None, last) when it should end."""
        with self._cond:
            while not self._work:
                if self._closing:
                    return None, self._leave(me)
                self._idle += 1
                woken = self._cond.wait(_IDLE_END)
                self._idle -= 1
                if not woken and not self._work:  # idle for long: a new one starts if needed
                    return None, self._leave(me)
            return self._work.popleft(), False

    def _leave(self, thread: threading.Thread) -> bool:
        """Take an ending thread off the list (under ``_cond``), so submit starts another.

        Returns:
            Whether it was the last thread of a closed pool.
        """
        if thread in self._threads:
            self._threads.remove(thread)
        return self._closing and not self._threads and not self._work

    def _closed(self) -> None:
        # The owner usually holds this pool and ``deliver`` is its bound method: let
        # go of it, so the pair is freed when the owner is, without a cycle collection.
        self._deliver = _closed_pool
        callback, self._after_close = self._after_close, None
        if callback is not None:
            try:
                callback()
            except Exception:  # closing HTTP must not kill the thread
                logger.exception("cio_analytics: error while closing a sender pool")

    def close(self, after: Callable[[], None] | None = None) -> None:
        """No more batches: each thread ends once the work handed over is done.

        Args:
            after: Called once, when the last thread has ended (at once if none runs).
        """
        with self._cond:
            self._closing = True
            self._after_close = after
            idle = not self._threads and not self._work
            self._cond.notify_all()
        if idle:
            self._closed()


def _closed_pool(batch: list[bytes]) -> None:
    """What a closed pool delivers with: nothing (no batch reaches it after the last thread)."""
    raise RuntimeError("the sender pool is closed")
