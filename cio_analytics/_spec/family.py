"""Shared plumbing of the semantic event helpers: value checks and the family base class.

A helper collects its documented keyword arguments, drops the ones left as
None, checks each remaining value with the check its wire key is declared
with, lays them over the caller's extra ``properties`` and sends one
``track`` call through the client it is bound to. The checks raise the
library's usual errors (:class:`~cio_analytics.errors.ArgumentTypeError` for a
wrong type, :class:`~cio_analytics.errors.ValidationError` for a value outside
a documented set), naming the keyword argument.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, ClassVar, Final

from cio_analytics._wire.build import Emitter, build_track
from cio_analytics._wire.clock import format_timestamp
from cio_analytics.errors import ArgumentTypeError, ValidationError

__all__ = [
    "Check",
    "EventFamily",
    "Number",
    "any_value",
    "boolean",
    "date_time",
    "identifier",
    "integer",
    "mapping",
    "mapping_list",
    "merge_properties",
    "number",
    "one_of",
    "scalar",
    "text",
    "text_list",
    "text_or_mapping",
]

#: A number as the helpers accept it (Decimal is sent as a JSON number).
Number = int | float | decimal.Decimal


#: ``check(value, name)``: the value as it goes on the wire, or an error naming ``name``.
Check = Callable[[Any, str], Any]


def _type_error(name: str, expected: str, value: object) -> ArgumentTypeError:
    return ArgumentTypeError(
        f"{name} must be {expected}, got {type(value).__name__}", argument=name
    )


def any_value(value: Any, name: str) -> Any:
    """Any JSON value (checked later, with the rest of the message)."""
    return value


def text(value: Any, name: str) -> str:
    """A string."""
    if isinstance(value, str):
        return str(value)
    raise _type_error(name, "a str", value)


def identifier(value: Any, name: str) -> str:
    """An id: a non-empty str, or an int sent as a string (ids are strings on the wire)."""
    if isinstance(value, str):
        if not value:
            raise ValidationError(f"{name} must not be empty", argument=name)
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
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
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                f"{name} must be an ISO-8601 date or date-time, got {value!r}", argument=name
            ) from None
        return str(value)
    raise _type_error(name, "a datetime, a date or an ISO-8601 str", value)


def mapping(value: Any, name: str) -> dict[str, Any]:
    """An object (any mapping), copied."""
    if isinstance(value, Mapping):
        return dict(value)
    raise _type_error(name, "a dict", value)


def _sequence(value: Any, name: str, what: str) -> Sequence[Any]:
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(
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
        result.append(dict(item))
    return result


def text_list(value: Any, name: str) -> list[str]:
    """A list of strings (keywords, asset ids ...)."""
    items = _sequence(value, name, "str")
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise ArgumentTypeError(
                f"{name}[{index}] must be a str, got {type(item).__name__}", argument=name
            )
    return [str(item) for item in items]


def scalar(value: Any, name: str) -> str | Number:
    """A str or a number (for keys documented with either, such as a list position)."""
    if isinstance(value, str):
        return str(value)
    return number(value, name)


def text_or_mapping(value: Any, name: str) -> str | dict[str, Any]:
    """A str or an object (for keys such as a search query)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise _type_error(name, "a str or a dict", value)


def one_of(allowed: Collection[Any], base: Check = text) -> Check:
    """A check that also requires the value to be one of ``allowed``."""
    shown = ", ".join(repr(str(a)) if isinstance(a, str) else repr(a) for a in allowed)

    def check(value: Any, name: str) -> Any:
        checked = base(value, name)
        if checked not in allowed:
            raise ValidationError(f"{name} must be one of {shown}, got {value!r}", argument=name)
        return checked

    return check


def merge_properties(
    properties: Mapping[str, Any] | None,
    documented: Mapping[str, Any],
    checks: Mapping[str, Check],
) -> dict[str, Any] | None:
    """The ``properties`` of a semantic event: the caller's extras under the documented keys.

    Documented values that are None are left out; the others are checked with
    ``checks[key]`` and win over the same key in ``properties``.

    Returns:
        The merged properties, or None when there are none.

    Raises:
        ArgumentTypeError: ``properties`` is not a mapping, or a documented
            value has the wrong type.
        ValidationError: A documented value is outside its documented set.
    """
    if properties is None:
        merged: dict[str, Any] = {}
    elif isinstance(properties, Mapping):
        merged = dict(properties)
    else:
        raise _type_error("properties", "a dict", properties)
    for key, value in documented.items():
        if value is not None:
            check = checks.get(key, any_value)
            merged[key] = check(value, key)
    return merged or None


class EventFamily:
    """Base of the helper classes: sends each event through the client ``client()`` returns.

    Args:
        client: A zero-argument callable returning the client to send through
            (``lambda: my_client``, or :func:`cio_analytics.get_client` for the
            default client). It is called on every send, so it may return a
            different client over time. Anything with the client's ``_emit``
            will do (a bulk send passes its collector).
    """

    __slots__ = ("_client",)

    #: The check of each documented property key (its wire name).
    CHECKS: ClassVar[Mapping[str, Check]] = {}

    def __init__(self, client: Callable[[], Emitter]) -> None:
        if not callable(client):
            raise ArgumentTypeError(
                "client must be a zero-argument callable returning a client, got "
                f"{type(client).__name__}",
                argument="client",
            )
        self._client: Final = client

    def _send(
        self,
        event: str,
        user_id: str | int | None,
        anonymous_id: str | int | None,
        properties: Mapping[str, Any] | None,
        context: Mapping[str, Any] | None,
        timestamp: Any,
        integrations: Mapping[str, Any] | None,
        message_id: str | None,
        /,
        **documented: Any,
    ) -> str:
        props = merge_properties(properties, documented, self.CHECKS)
        message = build_track(
            user_id, event, props, context, timestamp, anonymous_id, integrations, message_id
        )
        return self._client()._emit(message)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__}>"
