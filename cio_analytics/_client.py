"""Client: validate and encode on the caller's thread, queue bytes, deliver in the background."""

from __future__ import annotations

import collections
import os
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, Unpack

from cio_analytics import _logging
from cio_analytics._bulk_result import BulkResult, Entry
from cio_analytics._calls import Calls
from cio_analytics._delivery.consumer import BatchSender, Consumer, http_sender
from cio_analytics._delivery.context import DeliveryContext
from cio_analytics._delivery.replay import Replayer
from cio_analytics._delivery.sleeper import Sleeper
from cio_analytics._delivery.stats import ClientStats, SpoolFigures
from cio_analytics._lifecycle import ExitDrain, note_client
from cio_analytics._process import check_fork, on_fork
from cio_analytics._settings import (
    Hook,
    OnError,
    Settings,
    SettingsKeywords,
    missing_key_error,
    proxy_from_mapping,
)
from cio_analytics._wire.build import (
    WireMessage,
    encode_message,
)
from cio_analytics._wire.hooks import HookFailure, run_hooks
from cio_analytics.errors import (
    DeliveryError,
    RetriesExhaustedError,
)

if TYPE_CHECKING:
    import httpx

#: Names of the threads the library starts (a full queue never makes them wait).
_OWN_THREADS = ("cio-analytics", "cio-local-server")

__all__ = ["Client"]


# Clients alive in this process, for the at-fork hook.
_clients: weakref.WeakSet[Client] = weakref.WeakSet()


class Client(Calls):
    """A Customer.io Data Pipelines client: the same calls as the module-level API.

    Calls validate their arguments, encode the message and queue it, returning
    the message id in microseconds; a daemon thread delivers batches in the
    background. Use it as a context manager to shut down (flush) at the end::

        with cio_analytics.Client(write_key="...") as client:
            client.track("user_1", "Order Completed", {"total": 42.5})

    The positional order of the first arguments is the official
    ``customerio-cdp-analytics`` ``Client``'s. Every setting left as None takes
    its default, or its environment variable (``CUSTOMERIO_API_KEY``,
    ``CUSTOMERIO_REGION``, ``CUSTOMERIO_HOST``). See :class:`Settings` for the
    meaning of each one.

    Args:
        write_key: The API key of the Customer.io "Customer.io API" source.
        host: Base URL, e.g. ``https://cdp-eu.customer.io`` (wins over ``region``).
        debug: Log at DEBUG level to stderr (message bodies only with ``log_payloads``).
        max_queue_size: Messages held before new ones are dropped (and reported).
        send: False validates and encodes but never sends (dry runs).
        on_error: ``on_error(error, messages)`` for every message not delivered.
        gzip: Compress request bodies.
        max_retries: Retries per batch after the first attempt.
        sync_mode: Send each call before returning (raises DeliveryError on failure).
        timeout: Seconds per HTTP attempt.
        proxies: A proxy URL, or a requests-style ``{"https": url}`` mapping.
        thread: The official library's number of consumer threads: the batches
            in flight at once (``max_in_flight``), when that is not given.
        upload_size: Messages per batch.
        upload_interval: Seconds a partial batch may wait for more messages.
        region: ``"us"`` or ``"eu"``.
        max_batch_bytes: Request body limit in bytes (at most the API's 500 KB).
        retry_deadline: Seconds one batch may spend on retries.
        strict: Send ``X-Strict-Mode: 1`` so invalid data gets a real 400.
        shutdown_timeout: Seconds shutdown (and the exit hook) may take.
        rate_limit: Requests per second, averaged over 3 s (0 disables).
        proxy: A proxy URL (httpx's ``proxy``).
        transport: An ``httpx.BaseTransport`` (tests, custom networking).
        log_payloads: Let debug logging print message bodies.
        max_queue_bytes: Bytes of encoded messages held before new ones are dropped.
        max_queue_wait: Seconds a call may wait for room in a full queue before
            its message is dropped (0, the default: never wait; a backfill
            script sets a few seconds so it runs at delivery's pace instead).
        handle_sigterm: Deliver what is queued when SIGTERM arrives (while the
            process keeps Python's default disposition for it).
        stall_warning: Seconds without any delivery, while messages wait, before
            one WARNING says so (0 turns it off).
        before_send: A hook, or a list of hooks applied in order, called at the
            call site with each message in its wire shape: a dict returned is
            sent instead, None drops the message (see :mod:`cio_analytics.hooks`).
        max_in_flight: Batches in flight at once (1 to 16, default 4), each sent
            by one of a small fixed set of threads; a backlog is cut into bigger
            batches (up to ``max_batch_bytes``).
        grow_batches: With twice ``upload_size`` messages waiting, cut bigger
            batches (up to ``max_batch_bytes``); False keeps every batch at
            ``upload_size`` at most.
        log_handled_failures: Log undelivered messages at WARNING even when
            ``on_error`` receives them (by default they are then logged at DEBUG).
        spool_dir: A directory for the disk spool (env ``CUSTOMERIO_SPOOL_DIR``):
            every accepted message is written there before the call returns and
            survives the process's death and outages longer than the retry
            budget; None (the default) keeps messages in memory only.
        spool_max_bytes: Bytes the spool may hold for this key and host (1 GiB);
            the oldest messages are evicted (and reported) beyond.
        spool_max_age: Seconds a message may wait in the spool (7 days).
        spool_fsync: ``"never"`` (the default: the kernel holds every message,
            which survives the process's death), ``"batch"`` (fsync before each
            batch is sent) or ``"message"`` (fsync every message: survives a
            power loss, slow).
    """

    def __init__(
        self,
        write_key: str | None = None,
        host: str | None = None,
        debug: bool | None = None,
        max_queue_size: int | None = None,
        send: bool | None = None,
        on_error: OnError | None = None,
        gzip: bool | None = None,
        max_retries: int | None = None,
        sync_mode: bool | None = None,
        timeout: float | None = None,
        proxies: Mapping[str, str] | str | None = None,
        thread: int | None = None,
        upload_size: int | None = None,
        upload_interval: float | None = None,
        *,
        region: str | None = None,
        max_batch_bytes: int | None = None,
        retry_deadline: float | None = None,
        strict: bool | None = None,
        shutdown_timeout: float | None = None,
        rate_limit: float | None = None,
        proxy: str | None = None,
        transport: httpx.BaseTransport | None = None,
        log_payloads: bool | None = None,
        max_queue_bytes: int | None = None,
        max_queue_wait: float | None = None,
        handle_sigterm: bool | None = None,
        stall_warning: float | None = None,
        before_send: Hook | Sequence[Hook] | None = None,
        log_handled_failures: bool | None = None,
        max_in_flight: int | None = None,
        grow_batches: bool | None = None,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_max_bytes: int | None = None,
        spool_max_age: float | None = None,
        spool_fsync: str | None = None,
    ) -> None:
        given = dict(locals())
        for name in ("self", "proxies", "thread", "proxy"):
            given.pop(name)
        if thread is not None and max_in_flight is None:
            given["max_in_flight"] = thread  # the official library's thread=N
        settings = Settings.resolve(**given)
        if proxy is None and proxies is not None:
            proxy = proxy_from_mapping(proxies, settings.base_url)
        if proxy is not None:
            settings = settings.replace(proxy=proxy)
        if settings.send and settings.write_key is None:
            # Once, here, rather than at every call in every request handler.
            raise missing_key_error()
        self._settings = settings
        self._context = DeliveryContext(settings)
        self._queue: collections.deque[bytes] = collections.deque()
        self._sync_lock = threading.Lock()
        self._sync_deliverer: BatchSender | None = None
        self._debug = False
        self._apply(settings)
        self._consumer = self._new_consumer()
        self._replayer = Replayer(self._context, self._consumer)
        self._exit = ExitDrain(self._consumer, self._context, self._replayer)
        # When nobody references the client any more, its thread delivers what is
        # queued and ends (the exit hook holds the drain, not the client).
        weakref.finalize(self, ExitDrain.release, self._exit).atexit = False
        _clients.add(self)
        note_client(self, settings.write_key)

    # -- settings ------------------------------------------------------------

    def _apply(self, settings: Settings) -> None:
        """Cache what the hot path reads, and react to changed settings."""
        self._settings = settings
        self._send = settings.send
        self._sync = settings.sync_mode
        self._max_queue_size = settings.max_queue_size
        self._max_queue_bytes = settings.max_queue_bytes
        self._max_queue_wait = settings.max_queue_wait
        self._hooks = settings.before_send
        self._upload_size = settings.upload_size
        self._key_missing = settings.write_key is None
        self._context.apply(settings)
        self._count_enqueued = self._context.stats.count_enqueued
        #: With the disk spool on, every message is written to disk before it is queued.
        self._spooled = self._context.spool is not None
        #: Whether a call needs more than the common path (checked once per call).
        #: (A flag, not a per-instance method swap: touching ``self.__dict__``
        #: would make every attribute read on the hot path several times slower.)
        self._special = bool(
            settings.before_send
            or not settings.send
            or settings.sync_mode
            or self._key_missing
            or self._spooled
        )
        if settings.debug != self._debug:
            self._debug = settings.debug
            _logging.set_debug(settings.debug)

    @property
    def settings(self) -> Settings:
        """The current settings (a frozen value; change them with :meth:`configure`)."""
        return self._settings

    def configure(self, **changes: Unpack[SettingsKeywords]) -> None:
        """Change settings; they apply to the next call and the next batch sent.

        A value of None restores the default (or the environment variable for
        ``write_key``, ``region`` and ``host``). Messages already queued are sent
        with the new settings (host, key, gzip ...).

        Raises:
            ConfigurationError: An unknown setting, or an invalid value.
        """
        if "proxies" in changes:
            proxies = changes.pop("proxies")
            changes.setdefault("proxy", proxy_from_mapping(proxies, self._settings.base_url))
        thread = changes.pop("thread", None)
        if thread is not None:
            changes.setdefault("max_in_flight", thread)  # the official library's thread=N
        from_env = ("write_key", "region", "host", "spool_dir")
        defaults = Settings.resolve(**dict.fromkeys(from_env))
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if value is None and name in from_env:
                value = getattr(defaults, name)
            elif value is None and name not in ("on_error", "proxy", "transport", "rate_limit"):
                value = getattr(Settings(), name, None)
            elif name == "rate_limit" and value == 0:
                value = None
            elif name == "rate_limit" and value is None:
                value = Settings().rate_limit
            values[name] = value
        settings = self._settings.replace(**values)
        if "host" in values or "region" in values:
            settings.warn_if_insecure()
        self._apply(settings)
        if self._context.spool is not None and self._consumer.ready:
            self._replayer.ensure_started()  # a spool set up while the client runs

    # -- lifecycle plumbing --------------------------------------------------

    def _new_consumer(self) -> Consumer:
        return Consumer(self._queue, self._context)

    def _start_consumer(self) -> None:
        """No consumer thread runs yet (first message, after fork or shutdown): start one."""
        settings = self._settings
        self._exit.register(sigterm=settings.handle_sigterm and settings.send)
        self._consumer.ensure_started()
        if self._context.spool is not None:
            self._replayer.ensure_started()

    def _after_fork_in_child(self) -> None:
        # The parent's queued messages are the parent's to send: start empty, with
        # new locks (a parent thread may have held the old ones at fork time), a
        # new thread and a new HTTP client. The parent's are dropped, never closed.
        self._queue = collections.deque()
        spool = self._context.spool
        if spool is not None:
            spool.forget_after_fork()  # the parent's files: never written to from here
        self._context = DeliveryContext(self._settings)
        self._sync_lock = threading.Lock()
        self._sync_deliverer = None
        self._apply(self._settings)
        self._consumer = self._new_consumer()
        self._replayer = Replayer(self._context, self._consumer)
        self._exit.after_fork(self._consumer, self._context, self._replayer)

    # -- the hot path --------------------------------------------------------

    def _emit(self, message: WireMessage) -> str:
        """Encode ``message`` and queue it (or send it now in sync mode); return its id."""
        if self._special:  # hooks, sync mode, send=False, no key, the spool: less common paths
            return self._emit_special(message)
        return self._enqueue(encode_message(message), message.message_id)

    def _enqueue(self, data: bytes, message_id: str) -> str:
        """Put encoded ``data`` on the queue (or drop it when the queue is full)."""
        queue = self._queue
        context = self._context
        n = len(queue)
        size = len(data)
        if n >= self._max_queue_size or context.queued_bytes + size > self._max_queue_bytes:
            if not self._queue_full(data, size, n):
                return message_id
            n = len(queue)
        context.queued_bytes += size
        self._count_enqueued()
        queue.append(data)
        if not n:
            if context.waiting_since is None:
                context.waiting_since = time.monotonic()
        elif not n & 1023:
            context.check_stall()  # every 1024 queued: a stall is noticed even with no thread
        consumer = self._consumer
        if not consumer.ready:
            self._start_consumer()
        elif consumer.idle or (n + 1 >= self._upload_size and consumer.filling):
            consumer.signal()
        return message_id

    def _queue_full(self, data: bytes, size: int, n: int) -> bool:
        """``data`` found the queue full: True when there is room now (queue it).

        Otherwise it waits on disk for the replay thread (with the spool on, it
        was written there already), or it is dropped and reported, after up to
        ``max_queue_wait`` seconds of waiting for room.
        """
        context = self._context
        spool = context.spool
        if spool is not None and spool.spill(data):
            if not self._consumer.ready:
                self._start_consumer()  # its replay thread brings it back
            return False
        if self._max_queue_wait and self._wait_for_room(size):
            return True
        context.report_dropped(data, by_bytes=n < self._max_queue_size)
        return False

    def _wait_for_room(self, size: int) -> bool:
        """Wait up to ``max_queue_wait`` seconds for room for ``size`` bytes; True when there is.

        Only on the full-queue path, so the common path pays nothing. Never on
        the library's own threads (an ``on_error`` callback that tracks would
        wait for the thread it runs on).
        """
        if threading.current_thread().name.startswith(_OWN_THREADS):
            return False
        deadline = time.monotonic() + self._max_queue_wait
        pause = 0.0005
        consumer = self._consumer
        try:
            while True:
                consumer = self._consumer
                if consumer.ready:
                    consumer.room_wanted = True  # what is queued goes now, not at the interval
                    consumer.signal()
                else:
                    self._start_consumer()
                if (
                    len(self._queue) < self._max_queue_size
                    and self._context.queued_bytes + size <= self._max_queue_bytes
                ):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.01)
        finally:
            consumer.room_wanted = False

    def _enqueue_spooled(self, data: bytes, message_id: str) -> str:
        """``_enqueue`` with the disk spool on: write ``data`` to disk first, then queue it.

        A message that then finds the queue full stays on disk only and is
        replayed when there is room (it is not dropped: see ``_queue_full``).
        When the spool has turned itself off, this is ``_enqueue``.
        """
        spool = self._context.spool
        if spool is not None:
            spool.append(data)  # False when off: in memory only, as without a spool
        return self._enqueue(data, message_id)

    def _emit_special(self, message: WireMessage) -> str:
        """``_emit`` with before_send hooks, sync mode, send=False, a missing key or the spool."""
        message_id = message.message_id
        if self._hooks:
            hooked = self._before_send(message)
            if hooked is None:
                return message_id
            message = hooked
        data = encode_message(message)  # a dry run still checks everything
        if not self._send:
            return message_id
        if self._key_missing:
            raise missing_key_error()
        if self._sync:
            self._send_now(data)
            return message_id
        if self._spooled:
            return self._enqueue_spooled(data, message_id)
        return self._enqueue(data, message_id)

    def _before_send(self, message: WireMessage) -> WireMessage | None:
        """The message the hooks make of ``message``; None when it is dropped (and counted)."""
        try:
            hooked = run_hooks(self._hooks, message)
        except HookFailure as failure:
            self._context.report_hook_failure(failure)
            return None
        if hooked is None:
            self._context.stats.add(filtered=1)
        return hooked

    def _send_now(self, data: bytes) -> None:
        """sync_mode: deliver one message on the caller's thread, with retries."""
        with self._sync_lock:
            deliverer = self._sync_deliverer
            if deliverer is None:
                deliverer = http_sender(self._context, Sleeper())
                self._sync_deliverer = deliverer
        context = self._context
        context.stats.add_enqueued(1)
        failure: list[DeliveryError] = []

        def settle(messages: Sequence[bytes], error: DeliveryError | None) -> None:
            if error is None:
                context.stats.add(delivered=len(messages))
            else:
                context.report(error, messages, raised=True)  # the raise is the report
                failure.append(error)

        context.stats.add(batches=1)
        try:
            deliverer.deliver([data], settle)
        except BaseException as exc:
            if not failure:  # never leave the message unaccounted for
                error = RetriesExhaustedError(
                    f"1 message not delivered: delivery failed ({type(exc).__name__}: {exc})"
                )
                context.report(error, [data])
                failure.append(error)
            if not isinstance(exc, Exception):
                raise
        if failure:
            raise failure[0]

    # -- bulk --------------------------------------------------------------------

    def send_batch(
        self,
        messages: Sequence[Entry],
        *,
        batch_size: int | None = None,
        timeout: float | None = None,
        context: Mapping[str, Any] | None = None,
        integrations: Mapping[str, Any] | None = None,
    ) -> BulkResult:
        """Send a list of calls now, on this thread, and report what happened to each.

        Meant for backfills and scripts. Each entry is either a message in its
        wire shape (``{"type": "track", "userId": ..., "event": ...}``) or a
        call as ``(name, kwargs)``, where ``name`` is a call (``"track"``,
        ``"identify"`` ...), an operation (``"delete_user"``, ``"add_device"``
        ...) or a semantic helper (``"ecommerce.order_completed"``). Every
        entry is validated like the call it names; invalid ones are reported
        in the result and the valid ones are still sent, in requests under
        the 500 KB batch limit, with the client's retries and rate limit.
        Failed deliveries are also counted and passed to ``on_error``.

        With ``send=False`` the entries are only validated: nothing is sent.

        Args:
            messages: The entries, in order.
            batch_size: Messages per request at most (default: the client's
                ``upload_size``).
            timeout: Seconds the whole send may take; messages still unsent
                then are reported as failed. None: bounded by the retry settings.
            context: Context for entries that have none (an entry's own keys win).
            integrations: Integrations for entries that have none.

        Example::

            result = client.send_batch([
                {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}},
                ("track", {"user_id": "u1", "event": "Signed Up"}),
                ("delete_user", {"user_id": "u2"}),
            ])
            for failure in result.failed:
                print(failure.index, failure.error)

        Returns:
            A :class:`~cio_analytics.BulkResult`.

        Raises:
            ConfigurationError: No write key (unless ``send=False``).
            ArgumentTypeError: ``messages`` is not a list, or a bad keyword.
        """
        # The bulk path (and the HTTP stack) loads on first use, on this thread.
        from cio_analytics._bulk import send_batch  # noqa: PLC0415

        return send_batch(
            self._context,
            messages,
            batch_size=batch_size,
            timeout=timeout,
            context=context,
            integrations=integrations,
        )

    # -- lifecycle -------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Block until everything enqueued before the call is delivered or failed.

        Args:
            timeout: Seconds to wait at most; None waits as long as it takes.

        Returns:
            True when everything finished, False when the timeout passed first.
        """
        check_fork()  # a child forked in C must not wait on its parent's queue
        if self._context.spool is not None:
            self._start_consumer()  # and the replay of what waits on disk
        return self._consumer.flush(timeout)

    def shutdown(self, timeout: float | None = None) -> bool:
        """Flush, stop the consumer thread and close the HTTP client; idempotent.

        Messages still undelivered at the deadline are reported to on_error
        (:class:`~cio_analytics.errors.ShutdownTimeoutError`). The client stays
        usable: a later call starts a new thread.

        Args:
            timeout: Seconds at most; defaults to the ``shutdown_timeout`` setting.

        Returns:
            True when nothing had to be cut off by the deadline (reported as
            ShutdownTimeoutError), False otherwise.
        """
        if timeout is None:
            timeout = self._settings.shutdown_timeout
        cut, clean = self._exit.shutdown(timeout)
        # Only now: an interrupted shutdown leaves the exit hook in place.
        self._exit.unregister()
        with self._sync_lock:
            deliverer, self._sync_deliverer = self._sync_deliverer, None
        if deliverer is not None:
            deliverer.close()
        return clean and cut == 0

    def join(self) -> None:
        """Compatibility with the official library: same as :meth:`shutdown`."""
        self.shutdown()

    def stats(self) -> ClientStats:
        """A snapshot of the counters (enqueued, delivered, failed, dropped ...)."""
        check_fork()
        context = self._context
        context.check_stall()
        spool = context.spool
        figures: SpoolFigures | None = None
        if spool is not None:
            figures = {
                "spooled": spool.spooled,
                "spool_bytes": spool.disk_bytes(),
                "spool_corrupt_bytes": spool.corrupt_bytes,
                "spool_off": spool.off_reason,
            }
        return context.stats.snapshot(
            queue_depth=len(self._queue),
            queue_bytes=context.queued_bytes,
            stalled_for=context.stalled_for(),
            last_failure=context.last_failure,
            spool=figures,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        s = self._settings
        return (
            f"<cio_analytics.Client host={s.base_url!r} key={'set' if s.write_key else 'missing'}"
            f" queued={len(self._queue)}>"
        )


def _after_fork_in_child() -> None:
    for client in list(_clients):
        client._after_fork_in_child()


on_fork(_after_fork_in_child)
