"""The compiled value scan gives the Python scan's answers, or defers to it.

``cio_analytics._speedups`` is optional (built when a C compiler is there).
Whatever it answers True must also be True for the Python scan, so that it can
never let through a value the library promises to refuse; on plain JSON data
the two must agree exactly. Without the extension these tests are skipped and
``test_fallback_is_the_python_scan`` checks what runs instead.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import random
import subprocess
import sys
import uuid
from typing import Any

import pytest

from cio_analytics import _encoding
from cio_analytics._encoding import MAX_DEPTH, scan_dict

compiled = _encoding.COMPILED_SCAN
needs_extension = pytest.mark.skipif(compiled is None, reason="the C extension is not built")

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


@needs_extension
class TestCompiledScan:
    """Against the Python scan, value by value."""

    def test_never_accepts_what_python_refuses(self) -> None:
        """30,000 seeded random values with every odd type and key: no unsafe True."""
        assert compiled is not None
        rng = random.Random(11)
        agreed = 0
        for _ in range(30_000):
            value = _mapping(rng, 1, _PLAIN_LEAVES + _RICH_LEAVES, _PLAIN_KEYS + _ODD_KEYS)
            fast = compiled(value, 1)
            exact = scan_dict(value, 1)
            assert exact or not fast, value
            agreed += fast == exact
        assert agreed > 20_000  # most random values hold a refused leaf: both say False

    def test_agrees_on_plain_json(self) -> None:
        """10,000 seeded values of plain JSON types only: the same answer every time."""
        assert compiled is not None
        rng = random.Random(12)
        for _ in range(10_000):
            value = _mapping(rng, 1, _PLAIN_LEAVES, _PLAIN_KEYS)
            assert compiled(value, 1) == scan_dict(value, 1), value

    @pytest.mark.parametrize(
        "value",
        [
            {"x": float("nan")},
            {"x": [1, float("inf")]},
            {"x": {"y": -float("inf")}},
            {1: "int key"},
            {"x": b"bytes"},
            {"x": dt.datetime(2024, 1, 1)},
            {"x": ("tuple",)},
            {"x": type("S", (str,), {})("str subclass")},
        ],
    )
    def test_defers_every_case_the_python_path_must_see(self, value: dict[Any, Any]) -> None:
        """Refusals and rich types alike are left to the Python path."""
        assert compiled is not None
        assert compiled(value, 1) is False

    def test_depth_limit_matches(self) -> None:
        """MAX_DEPTH levels pass, one more does not, as in Python."""
        assert compiled is not None
        for levels in (MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1):
            assert compiled(_nested(levels), 1) == scan_dict(_nested(levels), 1)
        assert compiled(_nested(MAX_DEPTH), 1) is True
        assert compiled(_nested(MAX_DEPTH + 1), 1) is False

    def test_not_a_dict_and_bad_calls(self) -> None:
        """A non-dict is deferred; a wrong call raises TypeError."""
        assert compiled is not None
        assert compiled([1, 2], 1) is False
        assert compiled({"a": 1}) is True
        assert compiled({"a": 1}, MAX_DEPTH + 1) is False
        assert compiled({"a": 1}, -(10**6)) is True
        with pytest.raises(OverflowError):
            compiled({"a": 1}, 10**30)
        with pytest.raises(TypeError):
            compiled()  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            compiled({}, "1")  # type: ignore[arg-type]

    def test_hot_path_uses_it(self) -> None:
        """track() and identify() call the compiled scan first."""
        assert _encoding.fast_scan_dict is compiled


def test_fallback_is_the_python_scan() -> None:
    """CIO_ANALYTICS_PURE_PYTHON=1 (or no extension): the Python scan runs, same errors."""
    code = (
        "import cio_analytics, cio_analytics._encoding as e\n"
        "assert e.COMPILED_SCAN is None and e.fast_scan_dict is e.scan_dict\n"
        "c = cio_analytics.Client('k', send=False)\n"
        "c.track('u', 'E', {'when': __import__('datetime').date(2024, 1, 1), 'n': 1.5})\n"
        "try:\n"
        "    c.track('u', 'E', {'bad': float('nan')})\n"
        "except ValueError as exc:\n"
        "    print(exc)\n"
    )
    env = {**os.environ, "CIO_ANALYTICS_PURE_PYTHON": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "properties['bad']" in done.stdout
