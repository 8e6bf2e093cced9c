"""The bare floor: what a track() call cannot go below in pure Python.

Build a msgspec Struct of the same shape as a track message (type, userId,
event, properties, timestamp, messageId), encode it to JSON and append the
bytes to a deque. No validation, no size check, no consumer, no lock. The
timestamp is ``datetime.now(UTC)`` (msgspec encodes it) and the message id a
counter, so the floor pays for neither a system call nor string formatting
of a UUID.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
from typing import Any, Final

import msgspec

__all__ = ["Floor", "FloorTrack"]

_UTC: Final = dt.UTC
_now = dt.datetime.now
_encode = msgspec.json.Encoder().encode
_ids = itertools.count()


class FloorTrack(msgspec.Struct, tag_field="type", tag="track", rename="camel"):
    """A track message with the fields every message must carry."""

    user_id: str
    event: str
    properties: dict[str, Any]
    timestamp: dt.datetime
    message_id: str


class Floor:
    """The floor with the call shape of ``Client.track``: ``floor.track(user_id, event, props)``."""

    __slots__ = ("queue",)

    def __init__(self) -> None:
        self.queue: collections.deque[bytes] = collections.deque()

    def track(self, user_id: str, event: str, properties: dict[str, Any]) -> None:
        """One floor call: Struct, encode, append."""
        self.queue.append(
            _encode(FloorTrack(user_id, event, properties, _now(_UTC), f"floor-{next(_ids)}"))
        )
