"""Checking caller values exactly: the fast scan's verdict first, then a walk with key paths.

:func:`check_value` is what the builders call. It asks the fast scan
(:mod:`cio_analytics._wire.values`) and, when the scan cannot vouch for a
value, runs :func:`diagnose`: an iterative walk that either accepts the value
or raises an error naming the key path of the first value that cannot be sent
unchanged (``properties['cart']['total']``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import math
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from cio_analytics._wire.values import DECIMAL_LIMIT, ENCODER, MAX_DEPTH, scan_dict, scan_list
from cio_analytics.errors import InvalidValueError, UnsupportedValueError

__all__ = ["check_value", "diagnose", "encode_value"]

#: One value still to look at: (value, its key path, its depth, the ids of its containers).
_Pending = tuple[Any, str, int, frozenset[int]]

_SUPPORTED = (
    "str, int, float, bool, None, dict, list, tuple, set, datetime, date, time, timedelta, "
    "Decimal, UUID, Enum, dataclasses, msgspec Structs"
)


def check_value(value: Any, argument: str) -> None:
    """Raise a key-path error if ``value`` cannot be sent unchanged as JSON.

    Raises:
        UnsupportedValueError: A value of a type JSON cannot carry (also TypeError).
        InvalidValueError: NaN/infinity, a lone surrogate, nesting too deep, a cycle (ValueError).
    """
    cls = value.__class__
    if (cls is dict and scan_dict(value, 1)) or (cls is list and scan_list(value, 1)):
        return
    diagnose(value, argument)


def encode_value(value: Any, argument: str) -> bytes:
    """Check and encode one value (used for context and other non-hot parts)."""
    check_value(value, argument)
    try:
        return ENCODER.encode(value)
    except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as exc:  # pragma: no cover
        raise UnsupportedValueError(
            f"{argument}: cannot be encoded as JSON ({exc})", argument=argument, path=argument
        ) from exc


def diagnose(root: Any, argument: str) -> None:
    """Walk ``root`` with key paths; raise on the first value that cannot go unchanged."""
    # Iterative (no recursion limit to hit), with the chain of open containers
    # for cycle detection.
    stack: list[_Pending] = [(root, argument, 0, frozenset())]
    while stack:
        value, path, depth, ancestors = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidValueError(
                f"{path}: nested more than {MAX_DEPTH} levels deep", argument=argument, path=path
            )
        if _is_sendable_leaf(value, path, argument):
            continue
        stack.extend(_children(value, path, depth, ancestors, argument))


def _is_sendable_leaf(value: Any, path: str, argument: str) -> bool:
    """True for a scalar that can be sent as it is; raise for one that cannot.

    False means ``value`` is a container (or something else to look into).
    """
    if value is None or isinstance(value, bool | int):
        return True
    if isinstance(value, str):
        _check_text(value, path, argument, what="string")
        return True
    if isinstance(value, float | decimal.Decimal):
        _check_number(value, path, argument)
        return True
    if isinstance(value, dt.date | dt.time | dt.timedelta | uuid.UUID):
        return True
    if isinstance(value, msgspec.Raw):
        # Raw JSON would go into the message unchecked (and could rewrite its
        # fields, such as "userId"): refused, like any value the library cannot vouch for.
        raise UnsupportedValueError(
            f"{path}: msgspec.Raw values are not accepted; pass the decoded value instead",
            argument=argument,
            path=path,
        )
    if isinstance(value, bytes | bytearray | memoryview):
        raise UnsupportedValueError(
            f"{path}: {type(value).__name__} values are not JSON; decode them to str "
            "(or base64-encode them) before sending",
            argument=argument,
            path=path,
        )
    return False


def _check_text(value: str, path: str, argument: str, *, what: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        where = f"the key {value!r}" if what == "key" else "string"
        raise InvalidValueError(
            f"{path}: {where} contains a lone surrogate ({value[exc.start]!r} at index "
            f"{exc.start}); it is not valid UTF-8 and cannot be sent",
            argument=argument,
            path=path,
        ) from None


def _check_number(value: float | decimal.Decimal, path: str, argument: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidValueError(
            f"{path}: {value!r} is not a JSON number (JSON has no NaN or infinity); "
            "send None or a string instead",
            argument=argument,
            path=path,
        )
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise InvalidValueError(
            f"{path}: Decimal({str(value)!r}) is not a JSON number", argument=argument, path=path
        )
    if isinstance(value, decimal.Decimal) and not -DECIMAL_LIMIT <= value <= DECIMAL_LIMIT:
        raise InvalidValueError(
            f"{path}: Decimal({str(value)!r}) is beyond the range of a JSON number that can "
            "be read back (about 1.8e308); send it as a string instead",
            argument=argument,
            path=path,
        )


def _children(
    value: Any, path: str, depth: int, ancestors: frozenset[int], argument: str
) -> Iterable[_Pending]:
    """What to look at inside ``value``; raise when it cannot be sent at all."""
    if isinstance(value, enum.Enum):
        return [(value.value, path, depth + 1, ancestors)]
    if id(value) in ancestors:
        raise InvalidValueError(
            f"{path}: cyclic reference (the value contains itself)", argument=argument, path=path
        )
    inner = ancestors | {id(value)}
    items = _items(value, path, argument)
    return [(item, item_path, depth + 1, inner) for item_path, item in items]


def _items(value: Any, path: str, argument: str) -> list[tuple[str, Any]]:
    """(key path, item) for every item of a container; raise for anything else."""
    if isinstance(value, Mapping):
        return _mapping_items(value, path, argument)
    if isinstance(value, list | tuple | set | frozenset):
        return [(f"{path}[{index}]", item) for index, item in enumerate(value)]
    if isinstance(value, msgspec.Struct):
        return [(f"{path}.{name}", getattr(value, name)) for name in value.__struct_fields__]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [(f"{path}.{f.name}", getattr(value, f.name)) for f in dataclasses.fields(value)]
    try:
        ENCODER.encode(value)
    except (TypeError, ValueError) as exc:
        raise UnsupportedValueError(
            f"{path}: values of type {type(value).__name__} cannot be encoded as JSON "
            f"(supported: {_SUPPORTED})",
            argument=argument,
            path=path,
        ) from exc
    return []


def _mapping_items(value: Mapping[Any, Any], path: str, argument: str) -> list[tuple[str, Any]]:
    if not isinstance(value, dict):
        raise UnsupportedValueError(
            f"{path}: {type(value).__name__} is not supported; pass a dict",
            argument=argument,
            path=path,
        )
    items = []
    for key, item in value.items():
        if not isinstance(key, str):
            raise UnsupportedValueError(
                f"{path}: dict keys must be str, found {type(key).__name__} key {key!r} "
                "(JSON would turn it into a string silently)",
                argument=argument,
                path=path,
            )
        _check_text(key, path, argument, what="key")
        items.append((f"{path}[{key!r}]", item))
    return items
