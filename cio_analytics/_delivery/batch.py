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

__all__ = ["ENVELOPE_BYTES", "BatchBody", "split_batches", "take_batch", "wire_size"]

_HEAD: Final = b'{"batch":['
_SENT_AT: Final = b'],"sentAt":"'
_END: Final = b'"}'
_SEPARATOR: Final = LIBRARY_CLOSE + b","
_PER_MESSAGE: Final = len(_SEPARATOR)

#: Bytes the envelope adds around the messages (sentAt included), rounded up.
ENVELOPE_BYTES: Final = len(_HEAD) + len(_SENT_AT) + len("2026-01-01T00:00:00.000+00:00") + 16


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


def split_batches(messages: Sequence[bytes], count: int, limit: int) -> list[list[bytes]]:
    """``messages`` in order, cut into batches of at most ``count`` that fit in ``limit``."""
    batches: list[list[bytes]] = []
    current: list[bytes] = []
    size = ENVELOPE_BYTES
    for message in messages:
        extra = wire_size(message)
        if current and (len(current) >= count or size + extra > limit):
            batches.append(current)
            current = []
            size = ENVELOPE_BYTES
        current.append(message)
        size += extra
    if current:
        batches.append(current)
    return batches
