"""The library's logger, guarded against feedback through the application's handlers.

Records go to the standard ``logging.getLogger("cio_analytics")`` (the library
adds no handler unless ``debug=True``). A handler may itself call ``track()``
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

__all__ = ["logger"]

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
