"""Batch request bodies, assembled from queued message bytes without re-encoding.

The body is ``{"batch":[m1,m2,...],"sentAt":"<ISO-8601>"}``. Messages queued
without a context get ``context.library`` spliced in here (see
``_messages.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from cio_analytics._messages import LIBRARY_TAIL

__all__ = ["ENVELOPE_BYTES", "BatchBody", "wire_size"]

_HEAD: Final = b'{"batch":['
_SENT_AT: Final = b'],"sentAt":"'
_END: Final = b'"}'
_TAIL_SEP: Final = LIBRARY_TAIL + b","
_EXTRA: Final = len(LIBRARY_TAIL) - 1
_QUOTE: Final = 0x22

#: Bytes the envelope adds around the messages (sentAt included), rounded up.
ENVELOPE_BYTES: Final = len(_HEAD) + len(_SENT_AT) + len("2026-01-01T00:00:00.000+00:00") + 16


def wire_size(message: bytes) -> int:
    """Bytes ``message`` takes in a batch body, its comma and library context included."""
    if message[-2] == _QUOTE:
        return len(message) + _EXTRA + 1
    return len(message) + 1


class BatchBody:
    """The message part of a batch body, built once; ``render`` adds a fresh ``sentAt``."""

    __slots__ = ("_core", "messages")

    def __init__(self, messages: Sequence[bytes]) -> None:
        self.messages = messages
        parts: list[bytes | memoryview] = []
        append = parts.append
        for message in messages:
            if message[-2] == _QUOTE:
                append(memoryview(message)[:-1])
                append(_TAIL_SEP)
            else:
                append(message)
                append(b",")
        if parts:
            parts[-1] = LIBRARY_TAIL if parts[-1] is _TAIL_SEP else b""
        self._core = b"".join(parts)

    def render(self, sent_at: str) -> bytes:
        """The full request body with ``sentAt`` set to ``sent_at``."""
        return b"".join((_HEAD, self._core, _SENT_AT, sent_at.encode("ascii"), _END))

    def __len__(self) -> int:
        return len(self._core) + ENVELOPE_BYTES
