"""The consumer: one daemon thread that drains the queue into batches and delivers them.

Batching policy, in order: a batch is sent as soon as it holds ``upload_size``
messages or would pass ``max_batch_bytes``; it is sent at once when a flush or
shutdown is waiting for it; and whatever is queued is sent every
``upload_interval`` seconds, so no message waits longer than that.

Producers pay almost nothing to keep the thread informed. While messages keep
coming the thread polls every ``upload_interval`` by itself; a producer only
signals it when a batch is full (and the thread is waiting for one) or when
the thread has gone *idle* after a whole interval without messages.

The thread starts on the first message (never at import or construction), is
replaced in a forked child by the client, and never dies: an unexpected
exception is logged and the loop goes on. No lock is held while calling
``on_error`` or logging, so a handler that itself calls ``track()`` cannot
deadlock.

Each thread runs with its own :class:`_Generation` (its waits and its HTTP
client). Shutdown ends a generation; a message arriving later starts a new one,
so a thread abandoned at a deadline can never take messages from its successor.

A message is *settled* when it has its one outcome: delivered, or reported as
failed. ``flush()`` waits until every message queued before it is settled.

Locks, and what each one guards (no lock is held while calling out):

=================  ============================================================
``_lock``          ``_gen`` and each generation's ``thread``, ``inflight`` and
                   ``closing``; ``ready``; ``_pid``; an in-flight batch's
                   ``pending`` and ``abandoned``
``_progress``      ``_waiting``, ``_callbacks`` and ``_flush_target`` (a
                   Condition: flush() callers sleep on it until their target
                   is settled; asynchronous flushes register callbacks)
``_settled_lock``  ``_settled``
(none)             ``filling``, ``idle``, ``_stopping``: flags read without a
                   lock; a stale read costs at most one ``upload_interval``;
                   ``_partial_since``: the consumer thread's own
=================  ============================================================
"""

from __future__ import annotations

import collections
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final, Protocol

from cio_analytics._delivery.batch import BACKLOG_BATCH, take_batch
from cio_analytics._delivery.context import DeliveryContext
from cio_analytics._delivery.senders import SenderPool
from cio_analytics._delivery.sleeper import Sleeper
from cio_analytics._logging import logger
from cio_analytics._settings import Settings
from cio_analytics.errors import (
    DeliveryError,
    FailureReason,
    RetriesExhaustedError,
    ShutdownTimeoutError,
)

if TYPE_CHECKING:
    from cio_analytics._delivery.deliverer import Settle
    from cio_analytics._delivery.spool import Spool

__all__ = ["Consumer"]

#: Seconds an idle consumer sleeps before looking again. It is woken by the next
#: message anyway; this only bounds the cost of a missed wake-up.
_IDLE_WAIT: Final = 5.0
#: Seconds shutdown may run past its deadline: a stuck thread's last report, on_error.
_SHUTDOWN_MARGIN: Final = 0.1
#: Seconds between two attempts to start a thread after one was refused.
_RETRY_START_AFTER: Final = 1.0


class BatchSender(Protocol):
    """What the consumer needs of a deliverer (a :class:`Deliverer`, or a fake in tests)."""

    def deliver(self, messages: Sequence[bytes], settle: Settle) -> None:
        """Deliver ``messages``; call ``settle`` once for every one of them."""
        ...

    def close(self) -> None:
        """Release the HTTP connections."""
        ...


#: Makes the sender of a new generation (a thread's own HTTP client and waits).
SenderFactory = Callable[[DeliveryContext, Sleeper], BatchSender]


def http_sender(context: DeliveryContext, sleeper: Sleeper) -> BatchSender:
    """The real sender: a :class:`~cio_analytics._delivery.deliverer.Deliverer`.

    The HTTP stack (httpx, httpcore, ssl, tenacity) is most of the library's
    import time, and a call only queues: it is imported here, when a
    generation first needs its sender. :meth:`Consumer.ensure_started` and the
    drains call this on the caller's thread, before any consumer thread runs,
    so no import happens on a background thread while another may fork.
    """
    from cio_analytics._delivery.deliverer import Deliverer  # noqa: PLC0415 (see above)

    return Deliverer(context, sleeper)


class _InFlight:
    """The batch being delivered, so shutdown can report it if the thread is stuck."""

    __slots__ = ("abandoned", "pending")

    def __init__(self, messages: Sequence[bytes]) -> None:
        self.pending = {id(m): m for m in messages}
        self.abandoned = False


class _Generation:
    """What one consumer thread owns: its waits, its HTTP client, its batches in flight."""

    __slots__ = (
        "_context",
        "_make_sender",
        "_sender",
        "closing",
        "inflight",
        "pool",
        "requeue_cut",
        "sleeper",
        "thread",
    )

    def __init__(self, make_sender: SenderFactory, context: DeliveryContext) -> None:
        self._make_sender = make_sender
        self._context = context
        #: Made by :meth:`prepare`, on a caller's thread, before any thread uses it.
        self._sender: BatchSender | None = None
        self.sleeper = Sleeper()
        self.thread: threading.Thread | None = None
        self.inflight: set[_InFlight] = set()
        #: The sender threads, when several batches may be in flight (made on first use).
        self.pool: SenderPool | None = None
        #: Set by shutdown: no new thread may start on this generation.
        self.closing = False
        #: Put batches its deadline cuts off back in the queue (a flush without a thread).
        self.requeue_cut = False

    def prepare(self) -> BatchSender:
        """This generation's sender, made now if it is not yet (call on a caller's thread)."""
        if self._sender is None:
            self._sender = self._make_sender(self._context, self.sleeper)
        return self._sender

    def close(self) -> None:
        """Release the sender's HTTP connections (nothing to do if it was never made)."""
        if self._sender is not None:
            self._sender.close()


class Consumer:
    """The background delivery of one client in one process.

    Args:
        queue: The client's queue of encoded messages (the hot path appends to it).
        context: The client's settings, counters, rate limiter and reporting.
        sender: Makes each generation's sender (tests pass a fake; no sockets).
    """

    def __init__(
        self,
        queue: collections.deque[bytes],
        context: DeliveryContext,
        sender: SenderFactory = http_sender,
    ) -> None:
        self._queue = queue
        self._context = context
        self._make_sender = sender
        self._stats = context.stats
        self._lock = threading.Lock()
        self._progress = threading.Condition(threading.Lock())
        #: The targets of the flush() calls waiting now (their enqueued counts).
        self._waiting: list[int] = []
        #: (target, callback) of the asynchronous flushes waiting now.
        self._callbacks: list[tuple[int, Callable[[], None]]] = []
        self._wake = threading.Event()
        self._pid = os.getpid()
        self._stopping = False
        self._flush_target = 0
        #: Queued messages this consumer settled (delivered or failed). flush()
        #: compares it with the queued count only: sync and bulk sends, which
        #: settle on their own threads, never make a flush end early.
        self._settled = 0
        self._settled_lock = threading.Lock()
        self._gen = self._new_generation()
        #: False until a thread runs for this generation (producers call ensure_started() then).
        self.ready = False
        #: True while the thread waits for more messages (producers signal on a full batch).
        self.filling = False
        #: A caller waits for room in a full queue (``max_queue_wait``): send now.
        self.room_wanted = False
        #: True while the thread sleeps after an empty interval (producers signal at once).
        self.idle = False
        #: When the messages now in the queue began to wait for a partial batch (None:
        #: the queue was empty after the last take). Read and written by the thread only.
        self._partial_since: float | None = None
        #: Why no thread could start (None while one can): flush() then delivers itself.
        self.cannot_start: str | None = None
        #: Set when the client was collected: deliver what is queued, then end the thread.
        self._released = False
        #: Set by the exit hook and the SIGTERM handler: start no sender thread now.
        self.exiting = False
        self._retry_start_at = 0.0

    def _new_generation(self) -> _Generation:
        return _Generation(self._make_sender, self._context)

    # -- producer side -------------------------------------------------------

    def ensure_started(self) -> None:
        """Make sure a thread runs, and have it look at the queue now."""
        if (self._gen.thread is None or self._pid != os.getpid()) and (
            self.cannot_start is None or time.monotonic() >= self._retry_start_at
        ):
            self._start()
        self._wake.set()

    def signal(self) -> None:
        """Have the waiting thread look at the queue now (a full batch, or it was idle)."""
        self._wake.set()

    def _start(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # a fork the at-fork hook did not see
                self._pid = os.getpid()
                self._gen = self._new_generation()
            gen = self._gen
            if gen.thread is not None or gen.closing:
                # Running already, or a shutdown is ending this generation: it
                # delivers (or hands over) whatever is queued.
                return
            gen.prepare()  # here, on the caller's thread: it may import the HTTP stack
            thread = threading.Thread(
                target=self._run, args=(gen,), name="cio-analytics-consumer", daemon=True
            )
            try:
                thread.start()
            except RuntimeError as exc:
                failure = exc
            else:
                gen.thread = thread
                self.ready = True
                self.cannot_start = None
                return
        self._thread_refused(failure)

    def _thread_refused(self, failure: RuntimeError) -> None:
        """No thread could start: say so once; messages wait for flush, shutdown or exit."""
        if sys.is_finalizing() or "shutdown" in str(failure):
            # Interpreter shutdown (and, from Python 3.12, any atexit handler)
            # refuses new threads: this is the exit path, deliver here, bounded.
            logger.debug("cio_analytics: no new thread at exit; delivering on the caller's")
            spare = self._new_generation()
            spare.closing = True
            self.drain_here(time.monotonic() + self._context.settings.shutdown_timeout, spare)
            return
        self._retry_start_at = time.monotonic() + _RETRY_START_AFTER
        if self.cannot_start is None:
            self.cannot_start = f"{type(failure).__name__}: {failure}"
            logger.warning(
                "cio_analytics: cannot start the delivery thread (%s). Messages stay "
                "queued (up to max_queue_size) and are delivered by flush(), shutdown() "
                "and the exit hook, on the thread that calls them. To fix it, let the "
                "process start threads (uWSGI: --enable-threads; a container's pids "
                "limit; ulimit -u), or set sync_mode=True to send each call as it is made.",
                self.cannot_start,
            )

    @property
    def queue_depth(self) -> int:
        """Messages waiting in the queue now."""
        return len(self._queue)

    @property
    def running(self) -> bool:
        """Whether a consumer thread is alive in this process."""
        thread = self._gen.thread
        return thread is not None and thread.is_alive() and self._pid == os.getpid()

    # -- the thread ----------------------------------------------------------

    def _urgent(self) -> bool:
        """Whether queued messages must go now (a flush or a shutdown waits for them)."""
        return (
            self._stopping
            or self._released
            or self.room_wanted
            or self._flush_target > self._settled
        )

    def release(self) -> None:
        """The client was collected: deliver what is queued now, then let the thread end."""
        with self._lock:
            self._released = True
            self._gen.closing = True  # its HTTP client closes when the thread ends
        self._wake.set()

    def _run(self, gen: _Generation) -> None:
        try:
            while True:
                try:
                    batch = self._next_batch(gen)
                    if batch is None:
                        return
                    self._dispatch(gen, batch)
                except BaseException:  # the thread must never die (a callback may raise anything)
                    logger.exception("cio_analytics: unexpected error in the consumer thread")
                    gen.sleeper.sleep(0.1)
        finally:
            with self._lock:
                if gen.thread is threading.current_thread():
                    gen.thread = None
                    if gen is self._gen:
                        self.ready = False
                pool = gen.pool
            if pool is not None:
                # Its threads end once the batches handed over are sent; the last one
                # closes the generation's HTTP client if nothing else will use it.
                pool.close(after=lambda: self._close_if_done(gen))
            else:
                self._close_if_done(gen)

    def _close_if_done(self, gen: _Generation) -> None:
        """Close ``gen``'s HTTP client once it is replaced or closing (nobody uses it now)."""
        if gen is not self._gen or gen.closing:
            gen.close()

    def _dispatch(self, gen: _Generation, batch: list[bytes]) -> None:
        """Deliver ``batch`` here, or hand it to a sender thread when several may be in flight.

        Waiting for a free sender is what bounds the batches in flight; a
        backlog builds in the queue meanwhile (and the next batches are cut
        bigger). If shutdown aborts the wait, the batch goes back to the front
        of the queue, where shutdown reports what its deadline cut off.
        """
        size = self._context.settings.max_in_flight
        if (size <= 1 and gen.pool is None) or self.exiting:
            # At exit no new thread is started (Python 3.12 refuses them there):
            # the consumer thread delivers the rest itself.
            self._deliver(gen, batch)
            return
        pool = gen.pool
        if pool is None:
            pool = SenderPool(
                max(size, 1), lambda taken: self._deliver(gen, taken), "cio-analytics-sender"
            )
            with self._lock:
                gen.pool = pool
        if not pool.submit(batch, lambda: gen.sleeper.aborted):
            self._stats.add(in_flight=-len(batch))
            self._requeue(batch)

    def _exit(self, gen: _Generation) -> bool:
        """End the thread of ``gen`` unless new messages came (checked under the lock)."""
        with self._lock:
            if self._queue and not gen.sleeper.aborted and gen is self._gen:
                return False
            if gen.thread is threading.current_thread():
                gen.thread = None
                if gen is self._gen:
                    self.ready = False
            return True

    def _next_batch(self, gen: _Generation) -> list[bytes] | None:
        queue = self._queue
        quiet = False
        while True:
            if gen.sleeper.aborted or gen is not self._gen:
                self._exit(gen)
                return None
            settings = self._context.settings
            n = len(queue)
            if n >= settings.upload_size or (n and self._urgent()):
                return self._take(settings)
            if not n and (self._stopping or self._released):
                if self._exit(gen):
                    return None
                continue
            self._wake.clear()
            if not n and quiet:
                # A whole interval passed without messages: sleep until one comes.
                self.idle = True
                if not queue:
                    self._wake.wait(_IDLE_WAIT)
                self.idle = False
                quiet = False
                continue
            self.filling = True
            if len(queue) >= settings.upload_size or (queue and self._urgent()):
                self.filling = False
                continue
            since = self._partial_since
            if since is None:
                since = self._partial_since = time.monotonic()
            # upload_interval counts from when these messages began to wait, not
            # from now: the rest of a backlog goes out without a further interval.
            left = since + settings.upload_interval - time.monotonic()
            woken = left > 0 and self._wake.wait(left)
            self.filling = False
            if not woken:
                if queue:
                    return self._take(settings)
                self._partial_since = None
                quiet = True

    def _take(self, settings: Settings) -> list[bytes]:
        count = settings.upload_size
        if settings.grow_batches and len(self._queue) >= 2 * count:
            # A backlog: bigger batches, up to the batch byte limit, send it sooner.
            count = max(count, BACKLOG_BATCH)
        batch = take_batch(self._queue, count, settings.max_batch_bytes)
        if not self._queue:
            self._partial_since = None
        elif self._partial_since is None:
            self._partial_since = time.monotonic()  # the rest waited at least since now
        self._context.queued_bytes -= sum(map(len, batch))
        spool = self._context.spool
        if spool is not None:
            spool.sync()  # spool_fsync="batch": on disk for good before it is sent
        # In flight from now on (also while it waits for a free sender).
        self._stats.add(in_flight=len(batch))
        return batch

    def _deliver(
        self, gen: _Generation, batch: list[bytes], wait_at_most: float | None = None
    ) -> None:
        """Deliver one batch; ``wait_at_most`` limits the wait for on_error (None: no limit).

        Every message of the batch is settled exactly once: by the sender, by
        this method when the sender failed to settle some (a bug, an interrupt),
        or by shutdown when it abandoned a stuck batch.
        """
        if not batch:
            return
        inflight = _InFlight(batch)
        with self._lock:
            gen.inflight.add(inflight)
        self._stats.add(batches=1)

        def settle(messages: Sequence[bytes], error: DeliveryError | None) -> None:
            if not self._claim(inflight, messages):
                return
            if gen.requeue_cut and isinstance(error, ShutdownTimeoutError):
                self._requeue(messages)
            else:
                self._settle(messages, error, wait_at_most)

        failure: BaseException | None = None
        try:
            gen.prepare().deliver(batch, settle)
        except BaseException as exc:  # a bug, an unusable setting, or an interrupt
            failure = exc
        finally:
            with self._lock:
                gen.inflight.discard(inflight)
                left = [] if inflight.abandoned else list(inflight.pending.values())
                inflight.pending.clear()
            self._stats.add(in_flight=-len(batch))
        if left:  # never lose them silently: report what delivery could not settle
            self._settle(left, _unsettled_error(left, failure), wait_at_most)
        if failure is not None:
            if not isinstance(failure, Exception) and (
                threading.current_thread() is threading.main_thread()
            ):
                raise failure  # Ctrl-C during a drain on the main thread is the user's
            logger.error("cio_analytics: delivery failed unexpectedly", exc_info=failure)

    def _requeue(self, messages: Sequence[bytes]) -> None:
        """Put ``messages`` back at the front of the queue, in their order."""
        self._queue.extendleft(reversed(messages))
        self._context.queued_bytes += sum(map(len, messages))

    def _claim(self, inflight: _InFlight, messages: Sequence[bytes]) -> bool:
        """Take ``messages`` out of the batch in flight; False if shutdown already reported it."""
        with self._lock:
            abandoned = inflight.abandoned
            if not abandoned:
                for message in messages:
                    inflight.pending.pop(id(message), None)
        if abandoned:  # logged outside the lock: a log handler may call track()
            logger.debug(
                "cio_analytics: %d message(s) settled after shutdown reported them", len(messages)
            )
        return not abandoned

    def _settle(
        self,
        messages: Sequence[bytes],
        error: DeliveryError | None,
        wait_at_most: float | None = None,
    ) -> None:
        context = self._context
        spool = context.spool
        if spool is not None:
            _settle_spooled(context, spool, messages, error, wait_at_most)
        elif error is None:
            self._stats.add(delivered=len(messages))
            context.note_delivered()
        else:
            context.report(error, messages, wait_at_most)
        with self._settled_lock:
            self._settled += len(messages)
            if self._settled >= self._stats.queued and not self._queue:
                context.waiting_since = None  # everything queued so far has its outcome
        context.check_stall()
        waiting = self._waiting
        if waiting and self._settled >= min(waiting, default=0):
            # Wake flush() callers only when one of them is done: waking them for
            # every batch costs the consumer a thread switch per request.
            with self._progress:
                self._progress.notify_all()
        if self._callbacks:
            self._run_callbacks()

    def feed(self, messages: Sequence[bytes]) -> None:
        """Queue messages read back from the disk spool (on the replay thread).

        They count as enqueued again (a flush waits for them like for any
        other message queued before it) and go out through the same batches,
        rate limiter and senders.
        """
        if not messages:
            return
        context = self._context
        count = self._stats.count_enqueued
        for _ in messages:
            count()
        context.queued_bytes += sum(map(len, messages))
        self._queue.extend(messages)
        if context.waiting_since is None:
            context.waiting_since = time.monotonic()
        self.ensure_started()

    def _run_callbacks(self) -> None:
        with self._progress:
            due = [cb for target, cb in self._callbacks if self._settled >= target]
            self._callbacks = [(t, cb) for t, cb in self._callbacks if self._settled < t]
        for callback in due:
            try:
                callback()
            except Exception:  # a waiter's callback must not break delivery
                logger.exception("cio_analytics: error in a flush callback")

    def when_flushed(self, callback: Callable[[], None]) -> Callable[[], None] | None:
        """Call ``callback`` (on the consumer's thread) once everything queued now is settled.

        What an asynchronous flush waits on, without holding a thread. The
        queued messages are sent at once, as for flush().

        Returns:
            A function that withdraws the callback, or None when everything is
            settled already (``callback`` was not registered) or no thread can
            deliver (the caller must flush on a thread of its own).
        """
        target = self._stats.queued
        if self._settled >= target:
            return None
        with self._progress:
            self._flush_target = max(self._flush_target, target)
            entry = (target, callback)
            self._callbacks.append(entry)
        self.ensure_started()
        if self.cannot_start is not None and self._gen.thread is None:
            self._withdraw(entry)
            return None
        if self._settled >= target:  # settled while registering
            self._run_callbacks()
        return lambda: self._withdraw(entry)

    def _withdraw(self, entry: tuple[int, Callable[[], None]]) -> None:
        with self._progress:
            if entry in self._callbacks:
                self._callbacks.remove(entry)

    # -- flush and shutdown --------------------------------------------------

    def _on_own_thread(self) -> bool:
        """Whether the caller is one of the delivery threads (flush would wait for itself)."""
        current = threading.current_thread()
        pool = self._gen.pool
        return current is self._gen.thread or (pool is not None and current in pool.threads)

    def flush(self, timeout: float | None) -> bool:
        """Wait until every message enqueued before the call is delivered or failed."""
        target = self._stats.queued
        if self._settled >= target:
            return True
        if self._on_own_thread():
            logger.warning("cio_analytics: flush() called on the consumer thread; not waiting")
            return False
        with self._progress:
            self._flush_target = max(self._flush_target, target)
            self._waiting.append(target)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                if self._queue:
                    self.ensure_started()
                    if self.cannot_start is not None and self._gen.thread is None:
                        self._flush_here(deadline)
                with self._progress:
                    if self._settled >= target:
                        return True
                    step = 1.0
                    if deadline is not None:
                        step = min(step, deadline - time.monotonic())
                        if step <= 0:
                            return False
                    self._progress.wait(step)
        finally:
            with self._progress:
                self._waiting.remove(target)

    def drain_here(self, deadline: float | None, gen: _Generation | None = None) -> None:
        """Deliver what is queued on the calling thread (when no thread may run)."""
        gen = self._gen if gen is None else gen
        if deadline is not None:
            gen.sleeper.set_deadline(deadline)
        settings = self._context.settings
        try:
            while self._queue and not gen.sleeper.aborted:
                if deadline is not None and time.monotonic() >= deadline:
                    break
                # Not the consumer thread: a blocked on_error must not hold it past
                # the deadline (it goes on in a daemon thread).
                wait = None if deadline is None else _until(deadline + _SHUTDOWN_MARGIN)
                self._deliver(gen, self._take(settings), wait)
        finally:
            if gen.closing:
                gen.close()

    def _flush_here(self, deadline: float | None) -> None:
        """flush() without a thread: deliver on the caller's, until ``deadline``.

        Batches the deadline cuts off go back to the front of the queue (a
        flush that times out fails nothing; a later flush, shutdown or the exit
        hook delivers them).
        """
        gen = self._new_generation()
        gen.closing = True
        gen.requeue_cut = True
        self.drain_here(deadline, gen)

    def shutdown(self, timeout: float) -> bool:
        """Deliver what is queued within ``timeout`` seconds, stop the thread, close HTTP.

        Messages queued while it runs are delivered too while time remains.
        Whatever the deadline cuts off is counted at once and reported to
        on_error as :class:`~cio_analytics.errors.ShutdownTimeoutError`
        without waiting long for the callback (a blocked on_error cannot hold
        shutdown past its deadline). Afterwards, even if interrupted, the
        consumer is ready for a new generation.

        Returns:
            True when nothing had to be cut off.
        """
        if self._on_own_thread():
            # From on_error, say: the thread cannot wait for itself. Nothing changes.
            logger.warning("cio_analytics: shutdown() called on the consumer thread; ignored")
            return False
        deadline = time.monotonic() + timeout
        with self._lock:
            gen = self._gen
            gen.closing = True
            self._stopping = True
            thread = gen.thread if self._pid == os.getpid() else None
        stuck = False
        try:
            stuck = self._stop(gen, thread, deadline)
            cut_off = stuck or (bool(self._queue) and time.monotonic() >= deadline)
        finally:
            # Whatever happened (an interrupt included), the next message must find
            # a generation that can start a thread.
            left = self._replace_generation(gen, stuck)
        if cut_off:
            taken = _pop_all(self._queue)
            self._context.queued_bytes -= sum(map(len, taken))
            left.extend(taken)
        if left:
            error = ShutdownTimeoutError(
                f"{len(left)} message(s) still undelivered when shutdown's "
                f"{timeout:g} s deadline passed"
            )
            self._settle(left, error, _until(deadline + _SHUTDOWN_MARGIN))
            with self._progress:
                self._progress.notify_all()
        elif self._queue:
            # Arrived after the drain, with time left: the next generation sends them.
            self.ensure_started()
        return not cut_off

    def _stop(self, gen: _Generation, thread: threading.Thread | None, deadline: float) -> bool:
        """Let ``gen``'s threads drain until ``deadline``, then stop them; True if one is stuck."""
        gen.sleeper.set_deadline(deadline)
        self._wake.set()
        if thread is not None:
            _join(thread, deadline - time.monotonic())
        senders = gen.pool.threads if gen.pool is not None else []
        for sender in senders:
            _join(sender, deadline - time.monotonic())
        alive = [t for t in (thread, *senders) if t is not None and t.is_alive()]
        if not alive:
            # The threads have gone (or never ran); messages may have arrived since.
            self.drain_here(deadline, gen)
            return False
        gen.sleeper.abort()
        self._wake.set()
        for stuck in alive:
            stuck.join(_until(deadline + _SHUTDOWN_MARGIN))
        return any(t.is_alive() for t in alive)

    def _replace_generation(self, gen: _Generation, stuck: bool) -> list[bytes]:
        """Install a fresh generation; return the batch a stuck thread still held."""
        left: list[bytes] = []
        with self._lock:
            for inflight in list(gen.inflight) if stuck else []:
                if not inflight.abandoned:
                    inflight.abandoned = True
                    left.extend(inflight.pending.values())
            self._gen = self._new_generation()
            self._stopping = False
            self._flush_target = 0
            self.ready = False
        gen.sleeper.abort()
        if not stuck:
            gen.close()  # a stuck thread closes its own when it lets go
        return left


#: Failures that may pass: with the spool on, their messages stay on disk for replay.
_KEEPABLE: Final = frozenset(
    {FailureReason.RETRIES_EXHAUSTED, FailureReason.SHUTDOWN, FailureReason.CONNECTION_SETUP}
)


def _settle_spooled(
    context: DeliveryContext,
    spool: Spool,
    messages: Sequence[bytes],
    error: DeliveryError | None,
    wait_at_most: float | None,
) -> None:
    """Settle with the spool on: acknowledge on disk, or keep there for replay."""
    if error is None:
        spool.done(messages)
        context.stats.add(delivered=len(messages))
        context.note_delivered()
    elif error.reason in _KEEPABLE:
        first, again, rest = spool.keep(messages)
        if first or again:
            context.report_kept(error, first, len(again), wait_at_most)
        if rest:  # not on disk (the spool was off when they came): reported as before
            context.report(error, rest, wait_at_most)
    else:  # refused for good: not kept
        spool.done(messages)
        context.report(error, messages, wait_at_most)


def _until(moment: float) -> float:
    """Seconds from now until the monotonic ``moment`` (0.0 once it has passed)."""
    return max(0.0, moment - time.monotonic())


def _unsettled_error(left: Sequence[bytes], failure: BaseException | None) -> DeliveryError:
    """The error for messages a sender returned from (or raised out of) without settling."""
    reason = f"{type(failure).__name__}: {failure}" if failure else "unknown error"
    return RetriesExhaustedError(
        f"{len(left)} message(s) not delivered: delivery failed ({reason})", detail=reason
    )


def _pop_all(queue: collections.deque[bytes]) -> list[bytes]:
    """Everything in ``queue``, taken out (safe against producers appending meanwhile)."""
    taken: list[bytes] = []
    while True:
        try:
            taken.append(queue.popleft())
        except IndexError:
            return taken


def _join(thread: threading.Thread, seconds: float) -> None:
    """``thread.join(seconds)``, where an infinite wait is allowed."""
    if math.isinf(seconds):
        thread.join()
    else:
        thread.join(max(0.0, seconds))
