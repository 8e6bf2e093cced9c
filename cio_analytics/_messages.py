"""The wire shape of each call, as msgspec Structs, and the library context.

Field order is deliberate: ``messageId`` comes last but for ``context``. A
message whose caller gave no context is queued without one, ending in ``"}``;
``context.library`` is spliced in when the batch is assembled (see
``_batch.py``). That keeps every queued message about 70 bytes smaller, and
the wire shape is the same: every message sent carries ``context.library``.
Top-level fields that are None are omitted (``omit_defaults``), never sent as
null.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from cio_analytics._version import __version__

__all__ = [
    "LIBRARY",
    "LIBRARY_NAME",
    "LIBRARY_TAIL",
    "Alias",
    "Group",
    "Identify",
    "Page",
    "Screen",
    "Track",
    "complete_message",
    "decode_message",
    "needs_library",
]

#: ``context.library.name`` on every message.
LIBRARY_NAME: Final = "cio-analytics"
#: ``context.library`` on every message.
LIBRARY: Final[dict[str, str]] = {"name": LIBRARY_NAME, "version": __version__}

#: Replaces the closing ``}`` of a message queued without a context.
LIBRARY_TAIL: Final = msgspec.json.encode({"context": {"library": LIBRARY}}).replace(b"{", b",", 1)

_QUOTE: Final = 0x22


class _Wire(msgspec.Struct, omit_defaults=True, rename="camel", tag_field="type"):
    """Options shared by every message type: camelCase keys, ``type`` first, no nulls."""


class Identify(_Wire, tag="identify"):
    """An identify call."""

    user_id: str | None = None
    anonymous_id: str | None = None
    traits: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: dict[str, Any] | None = None


class Track(_Wire, tag="track"):
    """A track call (semantic events included)."""

    user_id: str | None = None
    anonymous_id: str | None = None
    event: str = ""
    properties: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: dict[str, Any] | None = None


class Page(_Wire, tag="page"):
    """A page call."""

    user_id: str | None = None
    anonymous_id: str | None = None
    name: str | None = None
    properties: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: dict[str, Any] | None = None


class Screen(_Wire, tag="screen"):
    """A screen call."""

    user_id: str | None = None
    anonymous_id: str | None = None
    name: str | None = None
    properties: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: dict[str, Any] | None = None


class Group(_Wire, tag="group"):
    """A group call (an object, and the person's relationship to it)."""

    user_id: str | None = None
    anonymous_id: str | None = None
    group_id: str = ""
    traits: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: dict[str, Any] | None = None


class Alias(_Wire, tag="alias"):
    """An alias call."""

    previous_id: str = ""
    user_id: str = ""
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: dict[str, Any] | None = None


def needs_library(message: bytes) -> bool:
    """Whether a queued message lacks its context (it ends with ``"}``, not ``}}``)."""
    return message[-2] == _QUOTE


def complete_message(message: bytes) -> bytes:
    """The message exactly as it goes on the wire, ``context.library`` included."""
    if message[-2] == _QUOTE:
        return message[:-1] + LIBRARY_TAIL
    return message


_decoder: Final = msgspec.json.Decoder(dict[str, Any])


def decode_message(message: bytes) -> dict[str, Any]:
    """The wire message as a dict (for on_error and test helpers)."""
    return _decoder.decode(complete_message(message))
