"""The library's logger, guarded against feedback through the application's handlers.

Records go to the standard ``logging.getLogger("cio_analytics")`` (the library
adds no handler unless ``debug=True``, and :func:`set_debug` takes back exactly
what it changed when debug is turned off again). A handler may itself call ``track()``
(shipping logs to Customer.io is a real use): if that call fails and the library
logs again from inside the handler, the handler would be called again, and so
on. So a record emitted while this thread is already inside one of the library's
log calls is dropped. The failure itself is still counted and reported to
on_error; only the nested log line is lost. An exception raised by a handler
is swallowed for the same reason: logging must never break a call or the
consumer thread.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

__all__ = ["logger", "set_debug"]

_std = logging.getLogger("cio_analytics")
_state = threading.local()


class _GuardedLogger:
    """The few ``logging.Logger`` methods the library uses, with a re-entry guard."""

    __slots__ = ()

    @property
    def std(self) -> logging.Logger:
        """The underlying standard logger (for levels and handlers)."""
        return _std

    def isEnabledFor(self, level: int) -> bool:
        """Whether a record at ``level`` would be handled."""
        return _std.isEnabledFor(level)

    def _log(self, level: int, msg: str, args: tuple[Any, ...], exc_info: Any = None) -> None:
        if not _std.isEnabledFor(level) or getattr(_state, "active", False):
            return
        _state.active = True
        try:
            _std.log(level, msg, *args, exc_info=exc_info, stacklevel=3)
        except Exception:  # a broken handler must not break track() or kill the thread
            pass
        finally:
            _state.active = False

    def debug(self, msg: str, *args: Any, exc_info: Any = None) -> None:
        """Log at DEBUG."""
        self._log(logging.DEBUG, msg, args, exc_info)

    def info(self, msg: str, *args: Any, exc_info: Any = None) -> None:
        """Log at INFO."""
        self._log(logging.INFO, msg, args, exc_info)

    def warning(self, msg: str, *args: Any, exc_info: Any = None) -> None:
        """Log at WARNING."""
        self._log(logging.WARNING, msg, args, exc_info)

    def error(self, msg: str, *args: Any, exc_info: Any = None) -> None:
        """Log at ERROR."""
        self._log(logging.ERROR, msg, args, exc_info)

    def exception(self, msg: str, *args: Any) -> None:
        """Log at ERROR with the current exception's traceback."""
        self._log(logging.ERROR, msg, args, True)


logger = _GuardedLogger()


class _DebugSwitch:
    """What ``debug=True`` changed on the standard logger, so ``debug=False`` can undo it.

    Counted: each client (or module setting) that turns debug on adds one, each
    that turns it off again takes one away, and the logger gets its level and
    handlers back when none is left.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved_level = logging.NOTSET
        self._handler: logging.Handler | None = None

    def turn(self, on: bool) -> None:
        with self._lock:
            if on:
                self._users += 1
                if self._users == 1:
                    self._saved_level = _std.level
                    _std.setLevel(logging.DEBUG)
                    if not _std.handlers and not logging.getLogger().handlers:
                        self._handler = logging.StreamHandler()
                        _std.addHandler(self._handler)
            elif self._users > 0:
                self._users -= 1
                if self._users == 0:
                    _std.setLevel(self._saved_level)
                    if self._handler is not None:
                        _std.removeHandler(self._handler)
                        self._handler = None


_debug_switch = _DebugSwitch()


def set_debug(on: bool) -> None:
    """One user of ``debug=True`` more (``on``) or fewer (not ``on``).

    While any is left the logger logs at DEBUG, to stderr when the application
    configured no handler; when the last one turns it off, the level and the
    handler this module set are taken back. A level or handler the application
    set on the ``cio_analytics`` logger itself is left alone.
    """
    _debug_switch.turn(on)
