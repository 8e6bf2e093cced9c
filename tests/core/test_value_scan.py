"""The fast value scan never accepts what the exact diagnosis refuses.

``scan_dict`` is the loop every ``track()``/``identify()`` runs over its
properties or traits; ``diagnose`` is the slow, exact walk with key paths that
runs when the scan says no. The scan may say no too often (the diagnosis then
accepts), but it must never say yes to a value the diagnosis refuses: that
value would reach msgspec, which would change it without a word (NaN to null,
bytes to base64, int keys to strings).
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import uuid
from typing import Any

import pytest

import cio_analytics
from cio_analytics._wire.diagnose import diagnose
from cio_analytics._wire.values import MAX_DEPTH, scan_dict
from cio_analytics.errors import CioError

_PLAIN_LEAVES: list[Any] = ["s", "", "caf\u00e9", 0, -(2**70), 2**64, True, False, None, 1.5, -0.0]
_RICH_LEAVES: list[Any] = [
    float("nan"), float("inf"), -float("inf"), b"x", bytearray(b"y"), dt.datetime(2024, 1, 1),
    dt.date(2024, 1, 1), decimal.Decimal("1.5"), decimal.Decimal("NaN"), uuid.UUID(int=1),
    {1, 2}, ("t",), object(), type("S", (str,), {})("sub"),
]  # fmt: skip
_PLAIN_KEYS: list[Any] = ["a", "b", "c", "d", "e"]
_ODD_KEYS: list[Any] = [1, True, None, 1.5, ("k",)]


def _value(rng: random.Random, depth: int, leaves: list[Any], keys: list[Any]) -> Any:
    roll = rng.random()
    if depth < MAX_DEPTH + 3 and roll < 0.2:
        return _mapping(rng, depth + 1, leaves, keys)
    if depth < MAX_DEPTH + 3 and roll < 0.35:
        return [_value(rng, depth + 1, leaves, keys) for _ in range(rng.randrange(4))]
    return rng.choice(leaves)


def _mapping(rng: random.Random, depth: int, leaves: list[Any], keys: list[Any]) -> dict[Any, Any]:
    return {rng.choice(keys): _value(rng, depth, leaves, keys) for _ in range(rng.randrange(6))}


def _nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"k": value}
    return value


def _diagnosis_accepts(value: Any) -> bool:
    try:
        diagnose(value, "properties")
    except CioError:
        return False
    return True


class TestScanAgainstDiagnosis:
    """The scan's answers, value by value, against the exact walk."""

    def test_never_accepts_what_diagnosis_refuses(self) -> None:
        """30,000 seeded random values with every odd type and key: no unsafe True."""
        rng = random.Random(11)
        refused = 0
        for _ in range(30_000):
            value = _mapping(rng, 1, _PLAIN_LEAVES + _RICH_LEAVES, _PLAIN_KEYS + _ODD_KEYS)
            exact = _diagnosis_accepts(value)
            assert exact or not scan_dict(value, 1), value
            refused += not exact
        assert refused > 10_000  # most random values hold a refused leaf or key

    def test_agrees_on_plain_json(self) -> None:
        """10,000 seeded values of plain JSON types only: the scan accepts every one."""
        rng = random.Random(12)
        for _ in range(10_000):
            value = _mapping(rng, 1, _PLAIN_LEAVES, _PLAIN_KEYS)
            assert scan_dict(value, 1) is True, value
            assert _diagnosis_accepts(value)

    @pytest.mark.parametrize(
        "value",
        [
            {"x": float("nan")},
            {"x": [1, float("inf")]},
            {"x": {"y": -float("inf")}},
            {1: "int key"},
            {"x": b"bytes"},
            {"x": ("tuple",)},
            {"x": type("S", (str,), {})("str subclass")},
            {"x": decimal.Decimal("NaN")},
        ],
    )
    def test_defers_every_case_the_diagnosis_must_see(self, value: dict[Any, Any]) -> None:
        """Refusals and unusual types alike are left to the exact walk."""
        assert scan_dict(value, 1) is False

    def test_depth_limit(self) -> None:
        """MAX_DEPTH levels pass, one more does not, in the scan and in the diagnosis."""
        assert scan_dict(_nested(MAX_DEPTH - 1), 1) is True
        assert scan_dict(_nested(MAX_DEPTH), 1) is True
        assert scan_dict(_nested(MAX_DEPTH + 1), 1) is False
        assert _diagnosis_accepts(_nested(MAX_DEPTH))
        assert not _diagnosis_accepts(_nested(MAX_DEPTH + 1))


def test_track_refuses_nan_with_its_key_path() -> None:
    """The scan's refusal reaches the caller as an error naming the key path."""
    client = cio_analytics.Client("k", send=False)
    client.track("u", "E", {"when": dt.date(2024, 1, 1), "n": 1.5})
    with pytest.raises(ValueError, match=r"properties\['bad'\]"):
        client.track("u", "E", {"bad": float("nan")})
