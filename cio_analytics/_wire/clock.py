"""Timestamps and message ids, made cheaply on the caller's thread.

Timestamps are ISO-8601 with milliseconds and an explicit offset
(``2026-01-02T03:04:05.678+00:00``). Message ids are UUID-shaped strings
(RFC 9562 version 8, the vendor-specific layout): 74 random bits chosen per
process, then a 48-bit counter. They are unique without a system call per
message, which ``uuid.uuid4()`` needs (and which costs more than the rest of a
``track()`` call). A forked child draws a new random part (after a fork made
in C too: :mod:`cio_analytics._process`), and the process id is mixed into it,
so parent and child never share ids.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import time
from typing import Final

from cio_analytics._process import check_fork, on_fork

__all__ = ["format_timestamp", "new_message_id", "now_timestamp", "parse_timestamp"]

_UTC: Final = dt.UTC
_MS_SUFFIX: Final = tuple(f".{ms:03d}+00:00" for ms in range(1000))

# (second, "YYYY-MM-DDTHH:MM:SS") for the current second, swapped as one tuple so
# that concurrent callers never see a second from one and a string from another.
_second_cache: tuple[int, str] = (-1, "")


# (millisecond, its full timestamp): in a burst many calls share a millisecond.
_ms_cache: tuple[int, str] = (-1, "")


def now_timestamp() -> str:
    """The current UTC time as ``YYYY-MM-DDTHH:MM:SS.mmm+00:00``."""
    global _second_cache, _ms_cache
    ms_total = int(time.time() * 1000)
    cached_ms = _ms_cache
    if cached_ms[0] == ms_total:
        return cached_ms[1]
    # Once per new millisecond: a fork made in C (uWSGI) is caught here, before
    # this call builds a message with the parent's message ids.
    check_fork()
    second, ms = divmod(ms_total, 1000)
    cached = _second_cache
    if cached[0] != second:
        cached = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        _second_cache = cached
    text = cached[1] + _MS_SUFFIX[ms]
    _ms_cache = (ms_total, text)
    return text


def format_timestamp(value: dt.datetime) -> str:
    """``value`` in ISO-8601 with milliseconds and its offset; naive values are taken as UTC."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        value = value.replace(tzinfo=_UTC)
    return value.isoformat(timespec="milliseconds")


def parse_timestamp(value: str) -> dt.datetime:
    """Parse an ISO-8601 string (``Z`` allowed); raises ValueError when it is not one."""
    return dt.datetime.fromisoformat(value)


def _random_prefix() -> str:
    # The process id is mixed in, so two processes can never share a prefix, even
    # if their random state were copied (a fork whose child has not reseeded).
    raw = int.from_bytes(os.urandom(10), "big") ^ (os.getpid() << 20)
    a = raw & 0xFFFFFFFF
    b = (raw >> 32) & 0xFFFF
    c = (raw >> 48) & 0x0FFF
    d = (raw >> 60) & 0x3FFF
    # version 8 in the third group, variant 0b10 at the top of the fourth.
    return f"{a:08x}-{b:04x}-8{c:03x}-{0x8000 | d:04x}-"


def _new_counter() -> itertools.count[int]:
    # Starting in [2**44, 2**45) keeps the counter at exactly 12 hex digits for
    # more than 2**47 messages, so "%x" needs no width (it is faster that way).
    return itertools.count((1 << 44) | int.from_bytes(os.urandom(5), "big"))


_prefix = _random_prefix()
_counter = _new_counter()


def new_message_id() -> str:
    """A new unique message id (UUID-shaped, version 8)."""
    return "%s%x" % (_prefix, next(_counter))  # noqa: UP031 (fewer instructions than an f-string)


def _reseed_after_fork() -> None:
    global _prefix, _counter
    _prefix = _random_prefix()
    _counter = _new_counter()


on_fork(_reseed_after_fork)
