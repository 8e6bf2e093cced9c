"""Argument checks for the public calls: each raises an error naming the argument.

These run on the caller's thread for every call, so the common case (a str id,
a dict, no timestamp) returns after a couple of type checks.

The second half holds the property checks of the semantic events and the
Customer.io operations: each is a :data:`Check`, ``check(value, name)``,
returning the value as it goes on the wire. ``cio_analytics/_spec/table.py``
pairs each one with the annotation it stands for.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import msgspec

from cio_analytics._process import check_fork
from cio_analytics._wire.clock import format_timestamp, new_message_id, now_timestamp
from cio_analytics._wire.diagnose import check_value, diagnose
from cio_analytics._wire.messages import EMPTY_CONTEXT, open_context
from cio_analytics._wire.values import ENCODER
from cio_analytics.errors import ArgumentTypeError, MissingIdentityError, ValidationError

__all__ = [
    "Check",
    "Number",
    "Timestamp",
    "boolean",
    "choice",
    "context_arg",
    "date_time",
    "id_arg",
    "identifier",
    "identity",
    "integer",
    "integer_id",
    "mapping",
    "mapping_arg",
    "mapping_list",
    "message_id_arg",
    "number",
    "one_of",
    "positive_integer",
    "text",
    "text_arg",
    "text_list",
    "text_or_mapping",
    "text_or_number",
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
    check_fork()  # explicit timestamps skip now_timestamp(), which checks otherwise
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


# -- property checks of the semantic events and operations ------------------------

#: A number as the helpers accept it (Decimal is sent as a JSON number).
Number = int | float | decimal.Decimal
#: A message timestamp as the calls accept it: a datetime (naive = UTC), a date,
#: or an ISO-8601 string.
Timestamp = dt.datetime | dt.date | str

#: ``check(value, name)``: the value as it goes on the wire, or an error naming ``name``.
Check = Callable[[Any, str], Any]


def _type_error(name: str, expected: str, value: object) -> ArgumentTypeError:
    return ArgumentTypeError(
        f"{name} must be {expected}, got {type(value).__name__}", argument=name
    )


def text(value: Any, name: str) -> str:
    """A string."""
    if isinstance(value, _str):
        return _str(value)
    raise _type_error(name, "a str", value)


def identifier(value: Any, name: str) -> str:
    """An id: a non-empty str, or an int sent as a string (ids are strings on the wire)."""
    if isinstance(value, _str):
        if not value:
            raise ValidationError(f"{name} must not be empty", argument=name)
        return _str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _str(value)
    raise _type_error(name, "a str or an int", value)


def number(value: Any, name: str) -> Number:
    """A number (int, float or Decimal; not a bool)."""
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return value
    raise _type_error(name, "a number", value)


def integer(value: Any, name: str) -> int:
    """An int (not a bool)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise _type_error(name, "an int", value)


def boolean(value: Any, name: str) -> bool:
    """A bool."""
    if isinstance(value, bool):
        return value
    raise _type_error(name, "a bool", value)


def date_time(value: Any, name: str) -> str:
    """A date-time: a ``datetime`` (naive = UTC), a ``date``, or an ISO-8601 str."""
    if isinstance(value, dt.datetime):
        return format_timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, _str):
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                f"{name} must be an ISO-8601 date or date-time, got {value!r}", argument=name
            ) from None
        return _str(value)
    raise _type_error(name, "a datetime, a date or an ISO-8601 str", value)


def mapping(value: Any, name: str) -> dict[str, Any]:
    """An object (any mapping), copied."""
    if isinstance(value, Mapping):
        return _dict(value)
    raise _type_error(name, "a dict", value)


def _sequence(value: Any, name: str, what: str) -> Sequence[Any]:
    if isinstance(value, _str | bytes | bytearray | Mapping) or not isinstance(
        value, Sequence | set | frozenset
    ):
        raise _type_error(name, f"a list of {what}", value)
    return list(value)


def mapping_list(value: Any, name: str) -> list[dict[str, Any]]:
    """A list of objects (products, filters ...), each copied."""
    items = _sequence(value, name, "dicts")
    result = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ArgumentTypeError(
                f"{name}[{index}] must be a dict, got {type(item).__name__}", argument=name
            )
        result.append(_dict(item))
    return result


def text_list(value: Any, name: str) -> list[str]:
    """A list of strings (keywords, asset ids ...)."""
    items = _sequence(value, name, "str")
    for index, item in enumerate(items):
        if not isinstance(item, _str):
            raise ArgumentTypeError(
                f"{name}[{index}] must be a str, got {type(item).__name__}", argument=name
            )
    return [_str(item) for item in items]


def text_or_number(value: Any, name: str) -> str | Number:
    """A str or a number (for keys documented with either, such as a rating)."""
    if isinstance(value, _str):
        return _str(value)
    return number(value, name)


def text_or_mapping(value: Any, name: str) -> str | dict[str, Any]:
    """A str or an object (for keys such as a search query)."""
    if isinstance(value, _str):
        return _str(value)
    if isinstance(value, Mapping):
        return _dict(value)
    raise _type_error(name, "a str or a dict", value)


def one_of(allowed: Collection[Any], base: Check = text) -> Check:
    """A check that also requires the value (checked by ``base``) to be one of ``allowed``."""
    shown = ", ".join(repr(_str(a)) if isinstance(a, _str) else repr(a) for a in allowed)

    def check(value: Any, name: str) -> Any:
        checked = base(value, name)
        if checked not in allowed:
            raise ValidationError(f"{name} must be one of {shown}, got {value!r}", argument=name)
        return checked

    return check


def choice(allowed: Sequence[str]) -> Check:
    """A check for a str that, stripped and lower-cased, is one of ``allowed``.

    The operations take their value sets (``DeviceType`` ...) this way, so
    ``"Android"`` and an enum member are both accepted and sent in lower case.
    """
    shown = ", ".join(map(repr, allowed))

    def check(value: Any, name: str) -> str:
        if not isinstance(value, _str):
            raise _type_error(name, "a str", value)
        normalized = _str(value).strip().lower()
        if normalized not in allowed:
            raise ValidationError(f"{name} must be one of {shown}, got {value!r}", argument=name)
        return normalized

    return check


def positive_integer(value: Any, name: str) -> int:
    """A positive integer given as an int or a str of digits (an object type id), as an int."""
    if isinstance(value, bool) or not isinstance(value, int | _str):
        raise _type_error(name, "a str of digits or an int", value)
    digits = _str(value).strip()
    if not digits.isdigit() or int(digits) < 1:
        raise ValidationError(
            f"{name} must be a positive integer (such as 1 or '1'), got {value!r}",
            argument=name,
        )
    return int(digits)


def integer_id(value: Any, name: str) -> int:
    """A non-negative integer id given as an int or a str of digits, as an int."""
    if isinstance(value, bool) or not isinstance(value, int | _str):
        raise _type_error(name, "an int", value)
    digits = _str(value).strip()
    if not digits.isdigit():
        raise ValidationError(
            f"{name} must be a non-negative integer, got {value!r}", argument=name
        )
    return int(digits)
