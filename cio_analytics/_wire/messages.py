"""The wire shape of each call, as msgspec Structs, and the library context.

``context`` is always the last field, and a message is queued *open*: its
bytes stop right inside the context object, as in
``{"type":"track",...,"messageId":"m1","context":{`` (or
``...,"context":{"ip":"1.2.3.4",`` when the caller gave a context). The
batch assembler closes every message with the same constant,
:data:`LIBRARY_CLOSE` (``"library":{...}}}``), in one ``bytes.join``. So every
message on the wire carries ``context.library`` while the queue never stores
it (about 60 bytes saved per queued message) and the consumer needs no loop
over messages to build a request body. Top-level fields that are None are
omitted (``omit_defaults``), never sent as null.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from cio_analytics._version import __version__

__all__ = [
    "EMPTY_CONTEXT",
    "LIBRARY",
    "LIBRARY_CLOSE",
    "LIBRARY_NAME",
    "Alias",
    "Group",
    "Identify",
    "Page",
    "Screen",
    "Track",
    "complete_message",
    "decode_message",
    "open_context",
]

#: ``context.library.name`` on every message.
LIBRARY_NAME: Final = "cio-analytics"
#: ``context.library`` on every message.
LIBRARY: Final[dict[str, str]] = {"name": LIBRARY_NAME, "version": __version__}

#: Closes a queued (open) message: ``"library":{...}``, then the context's ``}``
#: and the message's ``}``.
LIBRARY_CLOSE: Final = b'"library":' + msgspec.json.encode(LIBRARY) + b"}}"

#: The ``context`` field value of a message whose caller gave no context. With the
#: Struct's own closing brace it encodes as ``"context":{}``; the encoder drops that
#: last ``}``, leaving the context open for :data:`LIBRARY_CLOSE`.
EMPTY_CONTEXT: Final = msgspec.Raw(b"{")


#: Default of the ``context`` field, only so fields may keep their order; the
#: builders always pass a context, so it never reaches the wire.
_NEVER: Final = msgspec.Raw(b"")


def open_context(encoded_context: bytes) -> msgspec.Raw:
    """The ``context`` field value for a caller's context, encoded without ``library``.

    ``{"ip":"1.2.3.4"}`` becomes ``{"ip":"1.2.3.4",``: after the encoder drops the
    Struct's closing brace the message ends inside the context, ready for
    :data:`LIBRARY_CLOSE`.
    """
    return msgspec.Raw(encoded_context[:-1] + b",")


class _Wire(msgspec.Struct, omit_defaults=True, rename="camel", tag_field="type"):
    """Options shared by every message type: camelCase keys, ``type`` first, no nulls.

    The builders always pass every field. ``context`` must never equal its
    default: ``omit_defaults`` would drop it, and the queued form relies on it
    being present and last (see :data:`EMPTY_CONTEXT`).
    """


class Identify(_Wire, tag="identify"):
    """An identify call."""

    user_id: str | None = None
    anonymous_id: str | None = None
    traits: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: msgspec.Raw = _NEVER


class Track(_Wire, tag="track"):
    """A track call (semantic events included)."""

    user_id: str | None = None
    anonymous_id: str | None = None
    event: str = ""
    properties: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: msgspec.Raw = _NEVER


class Page(_Wire, tag="page"):
    """A page call."""

    user_id: str | None = None
    anonymous_id: str | None = None
    name: str | None = None
    properties: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: msgspec.Raw = _NEVER


class Screen(_Wire, tag="screen"):
    """A screen call."""

    user_id: str | None = None
    anonymous_id: str | None = None
    name: str | None = None
    properties: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: msgspec.Raw = _NEVER


class Group(_Wire, tag="group"):
    """A group call (an object, and the person's relationship to it)."""

    user_id: str | None = None
    anonymous_id: str | None = None
    group_id: str = ""
    traits: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: msgspec.Raw = _NEVER


class Alias(_Wire, tag="alias"):
    """An alias call."""

    previous_id: str = ""
    user_id: str = ""
    integrations: dict[str, Any] | None = None
    timestamp: str = ""
    message_id: str = ""
    context: msgspec.Raw = _NEVER


def complete_message(message: bytes) -> bytes:
    """The queued (open) message exactly as it goes on the wire, ``context.library`` included."""
    return message + LIBRARY_CLOSE


_decoder: Final = msgspec.json.Decoder(dict[str, Any])


def decode_message(message: bytes) -> dict[str, Any]:
    """The wire message as a dict (for on_error and test helpers); never raises.

    A message that cannot be decoded again (it cannot happen through the
    checked calls, but reporting must not fail if one ever does) is given as
    ``{"raw": <its JSON text>}``, so on_error still gets every message.
    """
    whole = complete_message(message)
    try:
        return _decoder.decode(whole)
    except msgspec.DecodeError:
        return {"raw": whole.decode("utf-8", "replace")}
