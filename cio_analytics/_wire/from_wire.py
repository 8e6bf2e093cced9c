"""Wire-shaped messages (dicts with the API's camelCase keys) back into checked messages.

A bulk send's entries, and what a ``before_send`` hook returns, are messages
in their wire shape. :func:`build_from_wire` turns one into the builder call it
stands for, so it is checked exactly like a direct call (and raises the same
errors, naming the key). Keys the server sets (``sentAt``, ``receivedAt``,
``version``) are dropped; ``originalTimestamp`` stands in for a missing
``timestamp``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, Final

from cio_analytics._wire.build import BUILDERS, WireMessage
from cio_analytics.errors import ValidationError

__all__ = ["build_from_wire", "wire_call"]

#: Wire keys -> builder argument names.
WIRE_TO_ARG: Final[Mapping[str, str]] = {
    "userId": "user_id",
    "anonymousId": "anonymous_id",
    "previousId": "previous_id",
    "groupId": "group_id",
    "messageId": "message_id",
    "event": "event",
    "name": "name",
    "category": "category",
    "properties": "properties",
    "traits": "traits",
    "context": "context",
    "integrations": "integrations",
    "timestamp": "timestamp",
}
#: Keys the server sets (found in exports of past messages); dropped, never sent.
SERVER_KEYS: Final = frozenset({"sentAt", "receivedAt", "version"})



_signatures: dict[Callable[..., Any], frozenset[str]] = {}


def _parameters(function: Callable[..., Any]) -> frozenset[str]:
    names = _signatures.get(function)
    if names is None:
        names = frozenset(inspect.signature(function).parameters)
        _signatures[function] = names
    return names


def wire_call(entry: Mapping[str, Any], where: str = "message") -> tuple[str, dict[str, Any]]:
    """The call name and builder arguments of a wire-shaped message.

    Args:
        entry: The message, with ``type`` and camelCase keys.
        where: How errors name the message (``messages[3]`` in a bulk send).

    Raises:
        ValidationError: No known ``type``, or a key that type does not have.
    """
    kind = entry.get("type")
    if not isinstance(kind, str) or kind not in BUILDERS:
        raise ValidationError(
            f'{where}: a message needs a "type" among {", ".join(sorted(BUILDERS))}, '
            f"got {kind!r}",
            argument=where,
        )
    kwargs: dict[str, Any] = {}
    accepted = _parameters(BUILDERS[kind])
    for key, value in entry.items():
        if key == "type" or key in SERVER_KEYS:
            continue
        if key == "originalTimestamp":
            if entry.get("timestamp") is None:
                kwargs["timestamp"] = value
            continue
        name = WIRE_TO_ARG.get(key)
        if name is None or name not in accepted:
            raise ValidationError(f"{where}: {kind} messages have no {key!r} field", argument=key)
        if value is not None:
            kwargs[name] = value
    return kind, kwargs


def build_from_wire(entry: Mapping[str, Any], where: str = "message") -> WireMessage:
    """The checked message a wire-shaped dict stands for (raises like the call would)."""
    kind, kwargs = wire_call(entry, where)
    return BUILDERS[kind](**kwargs)
