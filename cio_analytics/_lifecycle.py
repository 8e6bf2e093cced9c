"""One client's end: delivering its queue at exit, at SIGTERM, or when it is collected.

:class:`ExitDrain` holds a client's consumer and delivery context, never the
client itself. The exit hook, the SIGTERM handler and the multiprocessing
finalizer hold the drain, so a client the application stopped referencing
(one made per request and never shut down) can still be garbage-collected:
its thread then delivers what is queued and ends, and whatever is left at
exit is still delivered. Nothing a client accepted depends on the client
object staying alive.

Also here: the warning, once per process, when many clients with the same
key are alive at the same time (the client-per-request mistake).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Final

from cio_analytics._delivery.consumer import Consumer
from cio_analytics._delivery.context import DeliveryContext
from cio_analytics._delivery.replay import Replayer
from cio_analytics._logging import logger
from cio_analytics._process import check_fork, guard_sigterm, on_fork, on_sigterm
from cio_analytics.errors import FailureReason

__all__ = ["MANY_CLIENTS", "ExitDrain", "note_client"]

#: Live clients with one write key past which the library warns (once per process).
MANY_CLIENTS: Final = 10

# Drains the exit hook will run (strong references: they must outlive their clients).
_registered: set[ExitDrain] = set()
_registered_lock = threading.Lock()
# The process that registered the exit hook (a forked child inherits the registration).
_hook_pid = 0
# The pid of the process that registered the multiprocessing finalizer below.
_mp_finalizer_pid = 0
# Live clients by write key, for the many-clients warning.
_live: weakref.WeakKeyDictionary[object, str | None] = weakref.WeakKeyDictionary()
_warned_many = False


class ExitDrain:
    """Delivers one client's queue when the process ends (exit hook, SIGTERM, multiprocessing).

    Attributes:
        consumer: The client's consumer (replaced by the client after a fork).
        context: The client's delivery context (likewise).
        replayer: The client's spool replay thread (likewise).
    """

    def __init__(self, consumer: Consumer, context: DeliveryContext, replayer: Replayer) -> None:
        self.consumer = consumer
        self.context = context
        self.replayer = replayer
        self._at_exit_registered = False
        self._sigterm_unregister: Callable[[], None] | None = None

    def register(self, *, sigterm: bool) -> None:
        """Make sure the exit hook (and, when asked and possible, SIGTERM) will drain this."""
        global _hook_pid
        if not self._at_exit_registered:
            self._at_exit_registered = True
            with _registered_lock:
                _registered.add(self)
                install_hook = _hook_pid != os.getpid()
                _hook_pid = os.getpid()
            if install_hook:
                atexit.register(_drain_all_at_exit)
        if sigterm and self._sigterm_unregister is None and guard_sigterm():
            bound = self.context.settings.shutdown_timeout
            self._sigterm_unregister = on_sigterm(self.at_exit, bound)
        _register_multiprocessing_flush()

    def unregister(self) -> None:
        """The client was shut down: nothing is left for the exit hook or SIGTERM."""
        if self._at_exit_registered:
            self._at_exit_registered = False
            with _registered_lock:
                _registered.discard(self)
        unregister, self._sigterm_unregister = self._sigterm_unregister, None
        if unregister is not None:
            unregister()

    def after_fork(
        self, consumer: Consumer, context: DeliveryContext, replayer: Replayer
    ) -> None:
        """In a forked child: drain the child's new consumer; the parent's registrations stay."""
        self.consumer = consumer
        self.context = context
        self.replayer = replayer
        self._at_exit_registered = False
        self._sigterm_unregister = None

    @property
    def registered(self) -> bool:
        """Whether the exit hook will drain this."""
        return self._at_exit_registered

    def at_exit(self, deadline: float | None = None) -> None:
        """Deliver what is queued within ``shutdown_timeout`` (and before ``deadline``).

        Summarises in one warning what the deadline cut off.
        """
        self.unregister()
        self.consumer.exiting = True
        if self.context.stats.pending <= 0:
            self.shutdown(0.0)
            return
        timeout = self.context.settings.shutdown_timeout
        if deadline is not None:
            timeout = max(0.0, min(timeout, deadline - time.monotonic()))
        log = self.context.log
        log.exiting = True  # one summary warning below instead of one per batch
        try:
            cut, _ = self.shutdown(timeout)
        finally:
            log.exiting = False
        if cut:
            logger.warning(
                "cio_analytics: %d message(s) could not be delivered before exit "
                "(shutdown_timeout=%g s); they were reported to on_error",
                cut,
                timeout,
            )

    def shutdown(self, timeout: float) -> tuple[int, bool]:
        """Shut the consumer down; return how many messages the deadline cut off,
        and whether the consumer shut down cleanly.

        In a child forked from C that has not built a message yet, the fork
        callbacks run first: the consumer and queue here are then the child's
        own (empty), never the parent's copies, which must not be sent again.
        """
        check_fork()
        key = FailureReason.SHUTDOWN.value
        stats = self.context.stats
        before = stats.failed_by_reason.get(key, 0)
        self.replayer.stop()  # nothing more is read back from disk now
        try:
            clean = self.consumer.shutdown(timeout)
        finally:
            spool = self.context.spool
            if spool is not None:
                # What the deadline cut off was kept on disk; let go of it, so the
                # next process (or this client's next start) replays it.
                spool.release()
        return stats.failed_by_reason.get(key, 0) - before, clean

    def release(self) -> None:
        """The client was garbage-collected: its thread delivers what is queued, then ends."""
        self.consumer.release()


def note_client(client: object, write_key: str | None) -> None:
    """Count a new live client; warn once when many share one write key."""
    global _warned_many
    _live[client] = write_key
    if _warned_many or write_key is None:
        return
    same = sum(1 for key in list(_live.values()) if key == write_key)
    if same >= MANY_CLIENTS:
        _warned_many = True
        logger.warning(
            "cio_analytics: %d Client objects with the same write key are alive in this "
            "process. Each one holds a delivery thread and a connection pool: create one "
            "client per process (or use the module-level API) and reuse it, instead of one "
            "per request or task.",
            same,
        )


def _after_fork() -> None:
    global _mp_finalizer_pid, _hook_pid, _registered_lock
    _mp_finalizer_pid = 0
    if _hook_pid:
        _hook_pid = os.getpid()  # the parent registered the hook: the child inherits it
    _registered_lock = threading.Lock()
    _registered.clear()  # the parent's clients; the child's register when they start


on_fork(_after_fork)


def _register_multiprocessing_flush() -> None:
    """In a multiprocessing child, deliver the queues when the child's task returns.

    multiprocessing (and billiard, Celery's fork of it) ends its children with
    os._exit, which skips atexit; its own exit code runs the finalizers it knows
    about. It clears them when a child
    starts, so this registers when the child starts a consumer, not at fork.
    """
    global _mp_finalizer_pid
    if _mp_finalizer_pid == os.getpid():
        return
    for package in ("multiprocessing", "billiard"):  # billiard: Celery's prefork pool
        process = sys.modules.get(f"{package}.process")
        util = sys.modules.get(f"{package}.util")
        if process is None or util is None or not _is_child(process):
            continue
        _mp_finalizer_pid = os.getpid()
        util.Finalize(None, _drain_all_at_exit, exitpriority=100)
        return


def _is_child(process_module: object) -> bool:
    """Whether this process is a child of ``process_module``'s (multiprocessing or billiard)."""
    parent_process = getattr(process_module, "parent_process", None)
    if parent_process is not None:
        return parent_process() is not None
    current = getattr(process_module, "current_process", None)
    return current is not None and getattr(current(), "_parent_pid", None) is not None


def _drain_all_at_exit() -> None:
    """The exit hook: drain every registered client, within one shared deadline.

    One deadline for all (the longest ``shutdown_timeout``), so that many
    clients left running (say, one per request) delay exit by that much at
    most, not by its sum. Their threads deliver in parallel meanwhile.

    A child forked from C (a uWSGI worker) inherits this hook and its parent's
    registrations; if it never built a message, the fork was not detected yet:
    detect it now, so that the child does not send its parent's queue.
    """
    check_fork()
    with _registered_lock:
        drains = list(_registered)
    if not drains:
        return
    longest = max(drain.context.settings.shutdown_timeout for drain in drains)
    deadline = time.monotonic() + longest
    for drain in drains:
        drain.at_exit(deadline)
