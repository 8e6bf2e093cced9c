"""JSON encoding of caller data: fast when the data is plain, exact when it is not.

msgspec encodes most Python values well, but a few it would change without a
word: NaN and infinity become ``null``, bytes become base64 text, and int keys
become strings. The library promises never to send a silently altered value, so
:func:`check_value` looks at every value first. The common case (str, int,
bool, None, finite float, nested dict and list) is checked by a tight
loop; anything else, or any problem, goes to :func:`diagnose`, which walks the data
with key paths and either accepts it or raises an error naming the path.

Accepted beyond plain JSON, encoded as msgspec does: datetime, date, time
(ISO-8601 strings; naive datetimes inside properties are sent as they are),
timedelta (ISO-8601 duration), Decimal (a JSON number), UUID (a string), Enum
(its value), set/frozenset/tuple (arrays), dataclasses and msgspec Structs
(objects).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import math
import uuid
from collections.abc import Mapping
from typing import Any, Final

import msgspec

from cio_analytics.errors import InvalidValueError, UnsupportedValueError

__all__ = [
    "ENCODER",
    "MAX_DEPTH",
    "check_value",
    "diagnose",
    "encode_value",
    "scan_dict",
    "scan_list",
]

#: The one encoder: Decimal as a JSON number, as the official library does.
ENCODER: Final = msgspec.json.Encoder(decimal_format="number")

#: Deepest nesting accepted in properties, traits and context.
MAX_DEPTH: Final = 64

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
            if not item.is_finite():
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
            if not item.is_finite():
                return False
            continue
        return False
    return True


def check_value(value: Any, argument: str) -> None:
    """Raise a key-path error if ``value`` cannot be sent unchanged as JSON.

    Raises:
        UnsupportedValueError: A value of a type JSON cannot carry (also TypeError).
        InvalidValueError: NaN/infinity, a lone surrogate, nesting too deep, a cycle (ValueError).
    """
    cls = value.__class__
    if (cls is _dict and scan_dict(value, 1)) or (cls is _list and scan_list(value, 1)):
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


def _fmt_key(key: Any) -> str:
    return f"[{key!r}]"


def diagnose(root: Any, argument: str) -> None:
    """Walk ``root`` with key paths; raise on the first value that cannot go unchanged."""
    # Iterative, with the chain of open containers for cycle detection.
    stack: list[tuple[Any, str, int, frozenset[int]]] = [(root, argument, 0, frozenset())]
    while stack:
        value, path, depth, ancestors = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidValueError(
                f"{path}: nested more than {MAX_DEPTH} levels deep", argument=argument, path=path
            )
        if value is None or isinstance(value, _bool | _int):
            continue
        if isinstance(value, _str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InvalidValueError(
                    f"{path}: string contains a lone surrogate ({value[exc.start]!r} at index "
                    f"{exc.start}); it is not valid UTF-8 and cannot be sent",
                    argument=argument,
                    path=path,
                ) from None
            continue
        if isinstance(value, _float):
            if not math.isfinite(value):
                raise InvalidValueError(
                    f"{path}: {value!r} is not a JSON number (JSON has no NaN or infinity); "
                    "send None or a string instead",
                    argument=argument,
                    path=path,
                )
            continue
        if isinstance(value, decimal.Decimal):
            if not value.is_finite():
                raise InvalidValueError(
                    f"{path}: Decimal({str(value)!r}) is not a JSON number",
                    argument=argument,
                    path=path,
                )
            continue
        if isinstance(value, dt.date | dt.time | dt.timedelta | uuid.UUID | msgspec.Raw):
            continue
        if isinstance(value, bytes | bytearray | memoryview):
            raise UnsupportedValueError(
                f"{path}: {type(value).__name__} values are not JSON; decode them to str "
                "(or base64-encode them) before sending",
                argument=argument,
                path=path,
            )
        if isinstance(value, enum.Enum):
            stack.append((value.value, path, depth + 1, ancestors))
            continue
        ident = id(value)
        if ident in ancestors:
            raise InvalidValueError(
                f"{path}: cyclic reference (the value contains itself)",
                argument=argument,
                path=path,
            )
        inner = ancestors | {ident}
        if isinstance(value, Mapping):
            if not isinstance(value, _dict):
                raise UnsupportedValueError(
                    f"{path}: {type(value).__name__} is not supported; pass a dict",
                    argument=argument,
                    path=path,
                )
            for key, item in value.items():
                if isinstance(key, _str):
                    try:
                        key.encode("utf-8")
                    except UnicodeEncodeError:
                        raise InvalidValueError(
                            f"{path}: the key {key!r} contains a lone surrogate; it is not "
                            "valid UTF-8 and cannot be sent",
                            argument=argument,
                            path=path,
                        ) from None
                else:
                    raise UnsupportedValueError(
                        f"{path}: dict keys must be str, found {type(key).__name__} key {key!r} "
                        "(JSON would turn it into a string silently)",
                        argument=argument,
                        path=path,
                    )
                stack.append((item, path + _fmt_key(key), depth + 1, inner))
            continue
        if isinstance(value, _list | tuple | set | frozenset):
            for index, item in enumerate(value):
                stack.append((item, f"{path}[{index}]", depth + 1, inner))
            continue
        if isinstance(value, msgspec.Struct):
            stack.extend(
                (getattr(value, name), f"{path}.{name}", depth + 1, inner)
                for name in value.__struct_fields__
            )
            continue
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            stack.extend(
                (getattr(value, f.name), f"{path}.{f.name}", depth + 1, inner)
                for f in dataclasses.fields(value)
            )
            continue
        try:
            ENCODER.encode(value)
        except (TypeError, ValueError) as exc:
            raise UnsupportedValueError(
                f"{path}: values of type {type(value).__name__} cannot be encoded as JSON "
                "(supported: str, int, float, bool, None, dict, list, tuple, set, datetime, "
                "date, time, timedelta, Decimal, UUID, Enum, dataclasses, msgspec Structs)",
                argument=argument,
                path=path,
            ) from exc
