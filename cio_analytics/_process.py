"""The process around the library: forks (Python's and C's) and SIGTERM.

Forks. Modules that keep per-process state (the message-id prefix, the
default client's lock, every client's queue and thread) register a callback
with :func:`on_fork`; it runs once in every new process. Python's own forks
(``os.fork``, multiprocessing, gunicorn) run it through
``os.register_at_fork``. A fork made in C without Python's hooks (uWSGI forks
its workers that way) is caught by :func:`check_fork`, which compares the
process id with the one the callbacks last ran in; the message builders call
it once per new millisecond of the clock and on every call with an explicit
timestamp, so the first message a C-forked child builds already has its own
ids, queue and thread (``os.getpid`` is a system call, too slow to make on
every call). A child that calls the library within the very millisecond its
parent last checked is caught one millisecond later.

SIGTERM. ``docker stop``, Kubernetes and systemd send SIGTERM, and with
Python's default disposition the process dies at once: no ``atexit``, so
whatever was queued would be lost without a word. :func:`guard_sigterm`
(called when a client starts, on the main thread) installs a handler only
while the disposition is still the default one, and never replaces a handler
the application or its server installed. The handler drains every client
within its ``shutdown_timeout`` on a helper thread, then restores the default
disposition and raises SIGTERM again, so the process ends exactly as it
would have (killed by signal 15, exit status 143 in a shell).

"The default disposition" is the kernel's answer, not only Python's:
``signal.getsignal`` reports what Python read when the interpreter started,
and a handler installed later from C is invisible to it. uWSGI run through
pyuwsgi (the ``uwsgi`` command of the PyPI package) starts Python first and
then sets SIGTERM's disposition itself, in the master and in every worker; a
Python handler put over uWSGI's in a worker would only run once the worker
ran Python code again, so an idle worker would ignore SIGTERM until uWSGI
killed it. :func:`_kernel_handler` asks libc's ``sigaction`` (through ctypes,
when a client starts) and the library stays out when anything but the
default is there.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Final

from cio_analytics._logging import logger

__all__ = ["check_fork", "guard_sigterm", "on_fork", "on_sigterm", "sigterm_guarded"]

#: Seconds the SIGTERM handler adds to the longest drain before it gives up on it.
_SIGTERM_MARGIN: Final = 1.0

_pid = os.getpid()
_fork_callbacks: list[Callable[[], None]] = []
_lock = threading.Lock()

#: Set while the library's own SIGTERM handler is the installed one.
_sigterm_handler_installed = False
#: Set while the handler drains (a second SIGTERM then ends the process at once).
_handling = False
#: Drains registered by clients: each returns after delivering (or cutting off)
#: what its client holds; the handler runs them all, then ends the process.
_sigterm_drains: list[Callable[[], None]] = []
#: The longest time one registered drain may take (its client's shutdown_timeout).
_drain_bounds: dict[int, float] = {}
#: What the kernel holds as the SIGTERM handler once the library's is installed
#: (Python's C-level trampoline), or None when it cannot be read: compared later
#: to tell whether C code has replaced the library's handler since.
_installed_address: int | None = None
#: Larger than struct sigaction on every platform (152 bytes on Linux x86-64).
_SIGACTION_BUFFER: Final = 512


def on_fork(callback: Callable[[], None]) -> None:
    """Run ``callback`` in every child process, once, before the library is used there."""
    _fork_callbacks.append(callback)


def _after_fork() -> None:
    global _pid, _lock, _sigterm_handler_installed
    _pid = os.getpid()
    _lock = threading.Lock()  # another thread of the parent may have held it
    # The handler is inherited, but it drains the parent's clients: the child's
    # own clients register again when they start.
    _sigterm_drains.clear()
    _drain_bounds.clear()
    for callback in _fork_callbacks:
        callback()
    # A handler inherited from the parent stays installed (it is ours, and the
    # child's clients register their drains with it when they start), unless
    # C code replaced it in the child (uWSGI installs its own in each worker).
    _sigterm_handler_installed = sigterm_guarded()


def check_fork() -> bool:
    """If this process forked without Python's hooks (a C-level fork), run the fork callbacks.

    Returns:
        True when a fork was detected (the callbacks have run).
    """
    if os.getpid() == _pid:
        return False
    logger.debug("cio_analytics: forked without Python's fork hooks; resetting per-process state")
    _after_fork()
    return True


os.register_at_fork(after_in_child=_after_fork)


# -- SIGTERM ---------------------------------------------------------------------------


def guard_sigterm() -> bool:
    """Install the library's SIGTERM handler if the disposition is still the default one.

    Only from the main thread (Python's rule), and only over ``SIG_DFL``: a
    handler anyone else installed (the application, gunicorn, uvicorn) is
    left alone.

    Returns:
        Whether the library's handler is installed now.
    """
    global _sigterm_handler_installed, _installed_address
    if _sigterm_handler_installed:
        return sigterm_guarded()
    if threading.current_thread() is not threading.main_thread():
        return False
    with _lock:
        try:
            if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
                return False
            if _kernel_handler(signal.SIGTERM) not in (None, 0):
                logger.debug("cio_analytics: SIGTERM has a handler installed from C; left alone")
                return False
            signal.signal(signal.SIGTERM, _handle_sigterm)
        except (ValueError, OSError):  # not the main interpreter, or signals unavailable
            return False
        _installed_address = _kernel_handler(signal.SIGTERM)
        _sigterm_handler_installed = True
    return True


def sigterm_guarded() -> bool:
    """Whether the library's SIGTERM handler is the one installed now (also for the kernel)."""
    if signal.getsignal(signal.SIGTERM) is not _handle_sigterm:
        return False
    return _installed_address is None or _kernel_handler(signal.SIGTERM) == _installed_address


def _kernel_handler(signum: int) -> int | None:
    """The handler the kernel holds for ``signum`` (0 is SIG_DFL, 1 SIG_IGN); None if unknown.

    Read with libc's ``sigaction``: every libc (glibc, musl, macOS, the BSDs)
    starts ``struct sigaction`` with the handler. ctypes is imported here, on
    the first client start, not with the package.
    """
    try:
        import ctypes  # noqa: PLC0415  (kept out of the package's import time)

        sigaction = ctypes.CDLL(None).sigaction
        buffer = ctypes.create_string_buffer(_SIGACTION_BUFFER)
        if sigaction(signum, None, buffer) != 0:
            return None
        return ctypes.c_void_p.from_buffer(buffer).value or 0
    except (ImportError, OSError, AttributeError, TypeError):  # no libc sigaction (Windows)
        return None


def on_sigterm(drain: Callable[[], None], bound: float) -> Callable[[], None]:
    """Register ``drain`` to run when SIGTERM arrives (while the handler is installed).

    Args:
        drain: Delivers what a client holds; must return within ``bound`` seconds.
        bound: The most ``drain`` may take (the client's ``shutdown_timeout``).

    Returns:
        A function that unregisters ``drain`` (when its client shuts down).
    """
    with _lock:
        _sigterm_drains.append(drain)
        _drain_bounds[id(drain)] = bound

    def unregister() -> None:
        with _lock:
            if drain in _sigterm_drains:
                _sigterm_drains.remove(drain)
            _drain_bounds.pop(id(drain), None)

    return unregister


def _handle_sigterm(signum: int, frame: FrameType | None) -> None:
    """Drain every registered client, then die of SIGTERM as the default disposition would.

    A second SIGTERM while the first is being handled ends the process at once.
    """
    global _handling
    if _handling:
        _die_of_sigterm()
        return
    _handling = True
    # In a child forked from C that has not called the library yet, the drains
    # registered are its parent's: they must not resend the parent's queue.
    check_fork()
    with _lock:
        drains = list(_sigterm_drains)
        bound = max((_drain_bounds.get(id(d), 0.0) for d in drains), default=0.0)
    # On helper threads, one per client, in parallel: the main thread was
    # interrupted at an arbitrary point and may hold a lock a drain needs, and
    # the joins bound that case to the longest shutdown_timeout.
    workers = [
        threading.Thread(target=_run_drain, args=(d,), name="cio-analytics-sigterm", daemon=True)
        for d in drains
    ]
    for worker in workers:
        try:
            worker.start()
        except RuntimeError:  # no threads now (interpreter shutdown): drain here
            worker.run()
    deadline = time.monotonic() + bound + _SIGTERM_MARGIN
    for worker in workers:
        if worker.ident is not None:
            worker.join(max(0.0, deadline - time.monotonic()))
    _die_of_sigterm()


def _die_of_sigterm() -> None:
    """Restore the default disposition and raise SIGTERM: the process ends as it would have.

    As process 1 (a container without an init process) the kernel ignores a
    default-disposition SIGTERM, as it would have without the library: the
    process goes on (docs/delivery-guarantees.md says what to do about it).
    """
    global _handling
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _handling = False
    signal.raise_signal(signal.SIGTERM)


def _run_drain(drain: Callable[[], None]) -> None:
    try:
        drain()
    except BaseException:  # a failing drain must not stop the exit
        logger.exception("cio_analytics: error while delivering at SIGTERM")
