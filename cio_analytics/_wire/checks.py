"""Argument checks for the public calls: each raises an error naming the argument.

These run on the caller's thread for every call, so the common case (a str id,
a dict, no timestamp) returns after a couple of type checks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from cio_analytics._wire.clock import format_timestamp, new_message_id, now_timestamp
from cio_analytics._wire.diagnose import check_value, diagnose
from cio_analytics._wire.messages import EMPTY_CONTEXT, open_context
from cio_analytics._wire.values import ENCODER
from cio_analytics.errors import ArgumentTypeError, MissingIdentityError, ValidationError

__all__ = [
    "context_arg",
    "id_arg",
    "identity",
    "mapping_arg",
    "message_id_arg",
    "text_arg",
    "timestamp_arg",
]

_str = str
_dict = dict


def id_arg(value: object, name: str) -> str | None:
    """An id given as str or int (ints are sent as strings, as the official library does)."""
    if value.__class__ is _str or value is None:
        return value
    if isinstance(value, _str):
        return _str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _str(value)
    if isinstance(value, uuid.UUID):
        return _str(value)
    raise ArgumentTypeError(
        f"{name} must be a str or an int, got {type(value).__name__}", argument=name
    )


def identity(user_id: object, anonymous_id: object) -> tuple[str | None, str | None]:
    """Check that a call names someone; return (userId, anonymousId) as strings.

    Raises:
        MissingIdentityError: Neither is given (or both are empty).
        ArgumentTypeError: One has a type other than str or int.
    """
    if user_id.__class__ is _str and user_id and anonymous_id is None:
        return user_id, None
    uid = id_arg(user_id, "user_id")
    aid = id_arg(anonymous_id, "anonymous_id")
    if not uid and not aid:
        raise MissingIdentityError(
            "the call needs user_id or anonymous_id (a non-empty str or int); got neither",
            argument="user_id",
        )
    return uid, aid


def text_arg(value: object, name: str, *, required: bool = False) -> str | None:
    """A str argument; ``required`` ones must also be non-empty."""
    if value.__class__ is _str:
        if required and not value:
            raise ValidationError(f"{name} must be a non-empty str, got ''", argument=name)
        return value
    if value is None:
        if required:
            raise ValidationError(f"{name} is required (a non-empty str)", argument=name)
        return None
    if isinstance(value, _str):
        return text_arg(_str(value), name, required=required)
    raise ArgumentTypeError(f"{name} must be a str, got {type(value).__name__}", argument=name)


def mapping_arg(value: object, name: str) -> dict[str, Any] | None:
    """A dict argument (properties, traits, integrations), checked for JSON fidelity."""
    if value is None:
        return None
    if value.__class__ is not _dict:
        if not isinstance(value, Mapping):
            raise ArgumentTypeError(
                f"{name} must be a dict, got {type(value).__name__}", argument=name
            )
        value = _dict(value)
    check_value(value, name)
    return value


def context_arg(value: object) -> msgspec.Raw:
    """The caller's context as the open ``context`` field of a queued message.

    ``context.library`` always names this library (as the official libraries
    do): a ``library`` key given by the caller is replaced.
    """
    if value is None:
        return EMPTY_CONTEXT
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(
            f"context must be a dict, got {type(value).__name__}", argument="context"
        )
    context = _dict(value)
    context.pop("library", None)
    if not context:
        return EMPTY_CONTEXT
    check_value(context, "context")
    try:
        encoded = ENCODER.encode(context)
    except (TypeError, ValueError):  # UnicodeEncodeError too: the scan does not read strings
        diagnose(context, "context")
        raise
    return open_context(encoded)


def timestamp_arg(value: object) -> str:
    """The message timestamp: now, or the caller's datetime / ISO-8601 string.

    Naive datetimes are taken as UTC. The result always has milliseconds and
    an explicit offset.
    """
    if value is None:
        return now_timestamp()
    if isinstance(value, dt.datetime):
        return format_timestamp(value)
    if isinstance(value, dt.date):
        return format_timestamp(dt.datetime(value.year, value.month, value.day))
    if isinstance(value, _str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                f"timestamp must be an ISO-8601 date-time, got {value!r}", argument="timestamp"
            ) from None
        return format_timestamp(parsed)
    raise ArgumentTypeError(
        f"timestamp must be a datetime (or an ISO-8601 str), got {type(value).__name__}",
        argument="timestamp",
    )


def message_id_arg(value: object) -> str:
    """The caller's message id (any str, int or UUID, sent as a string), or a new one."""
    if value is None:
        return new_message_id()
    if value.__class__ is _str:
        if not value:
            raise ValidationError("message_id must not be empty", argument="message_id")
        return value
    if isinstance(value, _str | int | uuid.UUID) and not isinstance(value, bool):
        return message_id_arg(_str(value))
    raise ArgumentTypeError(
        f"message_id must be a str, got {type(value).__name__}", argument="message_id"
    )
