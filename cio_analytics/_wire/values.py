"""JSON encoding of caller data: fast when the data is plain, exact when it is not.

msgspec encodes most Python values well, but a few it would change without a
word: NaN and infinity become ``null``, bytes become base64 text, and int keys
become strings. The library promises never to send a silently altered value, so
every value is looked at first. This module is the fast part: the common case
(str, int, bool, None, finite float, nested dict and list, and the rich types
below) is vouched for by a tight loop; anything else, or any problem, goes to
:func:`cio_analytics._wire.diagnose.diagnose`, which walks the data with key
paths and either accepts it or raises an error naming the path.

Accepted beyond plain JSON, encoded as msgspec does: datetime, date, time
(ISO-8601 strings; naive datetimes inside properties are sent as they are),
timedelta (ISO-8601 duration), Decimal (a JSON number), UUID (a string), Enum
(its value), set/frozenset/tuple (arrays), dataclasses and msgspec Structs
(objects).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any, Final

import msgspec

__all__ = ["DECIMAL_LIMIT", "ENCODER", "MAX_DEPTH", "scan_dict", "scan_list"]

#: The one encoder: Decimal as a JSON number, as the official library does.
ENCODER: Final = msgspec.json.Encoder(decimal_format="number")

#: Deepest nesting accepted in properties, traits and context.
MAX_DEPTH: Final = 64

#: The largest magnitude a Decimal may have: the largest float. Past it the JSON
#: number cannot be read back as a number (by Customer.io, by msgspec).
DECIMAL_LIMIT: Final = decimal.Decimal("1.7976931348623157e308")

_Decimal = decimal.Decimal
#: Value classes that need no check at all (one set lookup, not four comparisons).
_PLAIN: Final = frozenset({str, int, bool, type(None)})
#: Classes msgspec encodes faithfully whatever their value (Decimal needs a finiteness check).
_SAFE_SCALARS: Final = frozenset({dt.datetime, dt.date, dt.time, dt.timedelta, uuid.UUID})
_str = str
_int = int
_bool = bool
_float = float
_dict = dict
_list = list


def scan_dict(value: dict[Any, Any], depth: int) -> bool:
    """True when ``value`` needs no diagnosis: str keys, plain or safe values only."""
    if depth > MAX_DEPTH:
        return False
    for key, item in value.items():
        if type(key) is not _str:
            return False
        cls = type(item)
        if cls in _PLAIN:
            continue
        if cls is _float:
            # inf - inf and nan - nan are nan, which is != 0.0; finite x - x is 0.0.
            if item - item != 0.0:
                return False
            continue
        if cls is _dict:
            if not scan_dict(item, depth + 1):
                return False
            continue
        if cls is _list:
            if not scan_list(item, depth + 1):
                return False
            continue
        if cls in _SAFE_SCALARS:
            continue
        if cls is _Decimal:
            if not (item.is_finite() and -DECIMAL_LIMIT <= item <= DECIMAL_LIMIT):
                return False
            continue
        return False
    return True


def scan_list(value: list[Any], depth: int) -> bool:
    """The list counterpart of :func:`scan_dict`."""
    if depth > MAX_DEPTH:
        return False
    for item in value:
        cls = type(item)
        if cls in _PLAIN:
            continue
        if cls is _float:
            if item - item != 0.0:
                return False
            continue
        if cls is _dict:
            if not scan_dict(item, depth + 1):
                return False
            continue
        if cls is _list:
            if not scan_list(item, depth + 1):
                return False
            continue
        if cls in _SAFE_SCALARS:
            continue
        if cls is _Decimal:
            if not (item.is_finite() and -DECIMAL_LIMIT <= item <= DECIMAL_LIMIT):
                return False
            continue
        return False
    return True
