"""Batch request bodies, assembled from queued message bytes without re-encoding.

The body is ``{"batch":[m1,m2,...],"sentAt":"<ISO-8601>"}``. Queued messages
are open (they end inside their context, see ``_messages.py``); the join that
separates them also closes each one with ``context.library``.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Final

from cio_analytics._wire.messages import LIBRARY_CLOSE

__all__ = [
    "BACKLOG_BATCH",
    "ENVELOPE_BYTES",
    "BatchBody",
    "BatchCutter",
    "request_size",
    "take_batch",
    "wire_size",
]

_HEAD: Final = b'{"batch":['
_SENT_AT: Final = b'],"sentAt":"'
_END: Final = b'"}'
_SEPARATOR: Final = LIBRARY_CLOSE + b","
_PER_MESSAGE: Final = len(_SEPARATOR)

#: Bytes the envelope adds around the messages (sentAt included), rounded up.
ENVELOPE_BYTES: Final = len(_HEAD) + len(_SENT_AT) + len("2026-01-01T00:00:00.000+00:00") + 16


#: Messages a batch may hold when a backlog builds (still under the byte limit):
#: fewer, bigger requests. The consumer grows its batches to this when twice
#: ``upload_size`` is waiting; a bulk send, always (see :func:`request_size`).
BACKLOG_BATCH: Final = 5000


def wire_size(message: bytes) -> int:
    """Bytes a queued message takes in a batch body: itself, its closing and a comma."""
    return len(message) + _PER_MESSAGE


class BatchBody:
    """A batch request body; ``render`` joins it with a fresh ``sentAt`` in one pass.

    One ``bytes.join`` over the head, the messages with their closings and the
    tail: no intermediate copy of the whole body (large allocations are what
    cost most when a batch holds a thousand messages).
    """

    __slots__ = ("_parts", "messages")

    def __init__(self, messages: Sequence[bytes]) -> None:
        self.messages = messages
        # Each queued message ends inside its context: the separator closes it.
        self._parts: list[bytes] = [_HEAD, *_interleave(messages)] if messages else [_HEAD]

    def render(self, sent_at: str) -> bytes:
        """The full request body with ``sentAt`` set to ``sent_at``."""
        parts = self._parts
        parts.append(_SENT_AT)
        parts.append(sent_at.encode("ascii"))
        parts.append(_END)
        try:
            return b"".join(parts)
        finally:
            del parts[-3:]


def _interleave(messages: Sequence[bytes]) -> list[bytes]:
    """``[m1, SEP, m2, SEP, ..., mN, LIBRARY_CLOSE]``."""
    out: list[bytes] = [_SEPARATOR] * (2 * len(messages))
    out[0::2] = messages
    out[-1] = LIBRARY_CLOSE
    return out


def take_batch(queue: collections.deque[bytes], count: int, limit: int) -> list[bytes]:
    """Pop from the left of ``queue`` at most ``count`` messages whose body fits in ``limit``.

    The first message is always taken (a message alone always fits: the
    builders refuse messages over 32 KB and ``limit`` is at least 33 KB).
    """
    batch: list[bytes] = []
    size = ENVELOPE_BYTES
    while len(batch) < count:
        try:
            message = queue.popleft()
        except IndexError:
            break
        extra = wire_size(message)
        if batch and size + extra > limit:
            queue.appendleft(message)
            break
        batch.append(message)
        size += extra
    return batch


def request_size(upload_size: int, grow: bool) -> int:
    """Messages a bulk send puts in one request at most (bytes permitting).

    A bulk send is a backlog from its start: with ``grow`` (the
    ``grow_batches`` setting) its requests hold up to :data:`BACKLOG_BATCH`
    messages, the batch byte limit permitting, as the queue's do when a
    backlog builds; without it, ``upload_size``.
    """
    return max(upload_size, BACKLOG_BATCH) if grow else upload_size


class BatchCutter:
    """Cuts a stream of messages, in order, into batches of at most ``count`` within ``limit``.

    Example::

        cutter = BatchCutter(100, 500_000)
        for message in messages:
            full = cutter.add(message)
            if full:
                send(full)
        send(cutter.rest())
    """

    __slots__ = ("_count", "_current", "_limit", "_size")

    def __init__(self, count: int, limit: int) -> None:
        self._count = count
        self._limit = limit
        self._current: list[bytes] = []
        self._size = ENVELOPE_BYTES

    def add(self, message: bytes) -> list[bytes] | None:
        """Add ``message``; return the batch it closed (it starts the next), if any."""
        extra = wire_size(message)
        current = self._current
        full = None
        if current and (len(current) >= self._count or self._size + extra > self._limit):
            full, current = current, []
            self._current = current
            self._size = ENVELOPE_BYTES
        current.append(message)
        self._size += extra
        return full

    def rest(self) -> list[bytes]:
        """The last batch (possibly empty); the cutter starts afresh."""
        rest, self._current, self._size = self._current, [], ENVELOPE_BYTES
        return rest
