"""Encoding of caller data: faithful JSON, or an error naming the key path."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import math
import uuid
from typing import Any

import msgspec
import pytest

from cio_analytics._wire.diagnose import check_value
from cio_analytics._wire.values import ENCODER, MAX_DEPTH
from cio_analytics.errors import InvalidValueError, UnsupportedValueError


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: float


class Item(msgspec.Struct):
    sku: str
    qty: int


class TestAccepted:
    """Values that go on the wire unchanged."""

    @pytest.mark.parametrize(
        "value",
        [
            {"s": "text", "i": 1, "f": 1.5, "b": True, "n": None},
            {"nested": {"list": [1, "two", [3.0, {"x": None}]]}},
            {"unicode": "Zoe \u00e9\u4e2d\u6587 \U0001f600"},
            {"big": 2**80, "neg": -(2**70)},
            {"empty": {}, "empty_list": []},
        ],
    )
    def test_plain_json_passes(self, value: dict[str, Any]) -> None:
        """Plain JSON data passes the check and round-trips exactly."""
        check_value(value, "properties")
        assert msgspec.json.decode(ENCODER.encode(value)) == value

    def test_rich_types_are_encoded_as_documented(self) -> None:
        """datetime, date, Decimal, UUID, Enum, set, tuple, dataclass and Struct encode as JSON."""
        ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
        value = {
            "when": dt.datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=dt.UTC),
            "day": dt.date(2024, 1, 2),
            "price": decimal.Decimal("19.90"),
            "id": ident,
            "color": Color.RED,
            "tags": ("a", "b"),
            "set": {1},
            "point": Point(1, 2.5),
            "item": Item("sku-1", 2),
        }
        check_value(value, "properties")
        decoded = msgspec.json.decode(ENCODER.encode(value))
        assert decoded == {
            "when": "2024-01-02T03:04:05.123000Z",
            "day": "2024-01-02",
            "price": 19.90,
            "id": str(ident),
            "color": "red",
            "tags": ["a", "b"],
            "set": [1],
            "point": {"x": 1, "y": 2.5},
            "item": {"sku": "sku-1", "qty": 2},
        }


class TestRejected:
    """Values that JSON would change or cannot carry get an error naming the key path."""

    @pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
    def test_non_finite_float(self, number: float) -> None:
        """NaN and infinity are rejected (msgspec would send null)."""
        with pytest.raises(InvalidValueError) as info:
            check_value({"cart": {"total": number}}, "properties")
        assert info.value.path == "properties['cart']['total']"
        assert isinstance(info.value, ValueError)

    def test_non_finite_decimal(self) -> None:
        """A NaN Decimal is rejected (it would be written as the invalid token NaN)."""
        with pytest.raises(InvalidValueError, match=r"properties\['d'\]"):
            check_value({"d": decimal.Decimal("NaN")}, "properties")

    def test_non_string_key(self) -> None:
        """An int dict key is rejected (JSON would silently turn it into a string)."""
        with pytest.raises(UnsupportedValueError) as info:
            check_value({"a": [{"ok": 1}, {2: "x"}]}, "properties")
        assert info.value.path == "properties['a'][1]"
        assert isinstance(info.value, TypeError)

    @pytest.mark.parametrize("blob", [b"raw", bytearray(b"raw"), memoryview(b"raw")])
    def test_bytes(self, blob: object) -> None:
        """Binary values are rejected (msgspec would send base64 text)."""
        with pytest.raises(UnsupportedValueError, match="base64"):
            check_value({"file": blob}, "traits")

    def test_lone_surrogate(self) -> None:
        """A string with a lone surrogate is rejected with its path."""
        from cio_analytics._wire.diagnose import diagnose

        with pytest.raises(InvalidValueError, match=r"traits\['name'\].*surrogate"):
            diagnose({"name": "bad \ud800"}, "traits")

    def test_cycle(self) -> None:
        """A dict containing itself is rejected as a cycle, not a RecursionError."""
        value: dict[str, Any] = {"a": [1]}
        value["a"].append(value)
        with pytest.raises(InvalidValueError, match="cyclic"):
            check_value(value, "properties")

    def test_too_deep(self) -> None:
        """Nesting deeper than MAX_DEPTH is rejected."""
        value: dict[str, Any] = {}
        inner = value
        for _ in range(MAX_DEPTH + 2):
            inner["x"] = {}
            inner = inner["x"]
        with pytest.raises(InvalidValueError, match="nested more than"):
            check_value(value, "properties")

    def test_unknown_object(self) -> None:
        """An arbitrary object is rejected, naming its type and path."""
        with pytest.raises(UnsupportedValueError, match=r"properties\['obj'\].*object"):
            check_value({"obj": object()}, "properties")

    def test_dataclass_field_with_nan(self) -> None:
        """A problem inside a dataclass is found and named with the field."""
        with pytest.raises(InvalidValueError, match=r"properties\['p'\]\.y"):
            check_value({"p": Point(1, math.nan)}, "properties")
