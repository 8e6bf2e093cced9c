"""A fast verdict for the common batch, when nobody needs the messages as dicts.

With ``keep_messages=False`` (benchmarks, load tests) the server only counts
messages and their ids. For a batch of ordinary calls it then decodes the items
into typed msgspec Structs, which checks every field's type in C (the objects
``properties``, ``traits``, ``context`` and ``integrations`` are checked to be
objects, their content only for JSON validity), and keeps the Python-level checks to what
types cannot say (required ids, a non-empty event, ISO-8601 timestamps).
Anything else (a semantic event, a group, an identify by email, any problem
at all) returns None, and the full check of ``_rules`` runs
instead, so verdicts and error messages are exactly the same either way.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from cio_analytics.testing._rules import (
    MAX_BATCH_BYTES,
    MAX_MESSAGE_BYTES,
    SEMANTIC_RULES,
    PayloadCheck,
    is_datetime,
)

__all__ = ["fast_batch_check"]


class _Object(msgspec.Struct):
    """Any JSON object: decoding checks that it is one and skips its content."""


class _Item(msgspec.Struct, rename="camel"):
    """The fields of a batch item whose types the rules fix (others are ignored)."""

    type: str
    user_id: str | None = None
    # UNSET when absent, None when null: the schema refuses some nulls.
    anonymous_id: str | msgspec.UnsetType | None = msgspec.UNSET
    group_id: str | None = None
    previous_id: str | None = None
    message_id: str | None = None
    event: str | None = None
    name: str | msgspec.UnsetType | None = msgspec.UNSET
    category: str | None = None
    # Objects whose content the rules do not read: checked to be objects (valid
    # JSON), with no Python object built for what they hold.
    traits: _Object | None = None
    properties: _Object | None = None
    context: _Object | None = None
    integrations: _Object | None = None
    timestamp: str | None = None
    original_timestamp: str | None = None
    sent_at: str | None = None


class _Envelope(msgspec.Struct, rename="camel"):
    batch: list[msgspec.Raw]
    sent_at: str | None = None


_envelope: Final = msgspec.json.Decoder(_Envelope)
_item: Final = msgspec.json.Decoder(_Item)
_PERSON_CALLS: Final = frozenset({"identify", "page", "screen"})


def _item_ok(item: _Item) -> bool:
    """Whether an item surely passes the full check (False: let the full check decide)."""
    kind = item.type
    has_required_ids: object
    if kind == "track":
        event = item.event
        if not event or event in SEMANTIC_RULES:
            return False
        has_required_ids = item.user_id or item.anonymous_id or item.group_id
    elif kind in _PERSON_CALLS:
        if item.name is None or (item.anonymous_id is None and kind == "identify"):
            return False  # a null the schema may refuse: the full check says
        has_required_ids = item.user_id or item.anonymous_id
    elif kind == "alias":
        has_required_ids = item.previous_id and item.user_id
    else:  # group (traits rules), or an unknown type: the full check says why
        return False
    if not has_required_ids:
        return False
    for stamp in (item.timestamp, item.original_timestamp, item.sent_at):
        if stamp is not None and not is_datetime(stamp):
            return False
    return True


def fast_batch_check(data: bytes) -> PayloadCheck | None:
    """The verdict on a batch body of ordinary valid calls, or None to check it fully.

    Accepted messages are returned as ``{"messageId": ...}`` only: the caller
    counts them and their ids and needs nothing else.
    """
    if len(data) > MAX_BATCH_BYTES:
        return None
    try:
        envelope = _envelope.decode(data)
        if envelope.sent_at is not None and not is_datetime(envelope.sent_at):
            return None
        accepted: list[dict[str, Any]] = []
        append = accepted.append
        for raw in envelope.batch:
            if len(raw) > MAX_MESSAGE_BYTES:
                return None
            item = _item.decode(raw)
            if not _item_ok(item):
                return None
            append({"messageId": item.message_id})
    except msgspec.DecodeError:  # ValidationError included
        return None
    return PayloadCheck(accepted=accepted)
