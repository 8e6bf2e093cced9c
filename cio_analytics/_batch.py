"""Batch request bodies, assembled from queued message bytes without re-encoding.

The body is ``{"batch":[m1,m2,...],"sentAt":"<ISO-8601>"}``. Queued messages
are open (they end inside their context, see ``_messages.py``); the join that
separates them also closes each one with ``context.library``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from cio_analytics._messages import LIBRARY_CLOSE

__all__ = ["ENVELOPE_BYTES", "BatchBody", "wire_size"]

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
    """The message part of a batch body, joined once; ``render`` adds a fresh ``sentAt``."""

    __slots__ = ("_core", "messages")

    def __init__(self, messages: Sequence[bytes]) -> None:
        self.messages = messages
        # Each queued message ends inside its context: one join closes them all.
        self._core = _SEPARATOR.join(messages) + LIBRARY_CLOSE if messages else b""

    def render(self, sent_at: str) -> bytes:
        """The full request body with ``sentAt`` set to ``sent_at``."""
        return b"".join((_HEAD, self._core, _SENT_AT, sent_at.encode("ascii"), _END))

    def __len__(self) -> int:
        return len(self._core) + ENVELOPE_BYTES
