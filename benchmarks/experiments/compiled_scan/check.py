"""Experiment only: the compiled scan never accepts what the Python scan refuses.

Build ``_cscan`` first (see README.md), then run from the checkout::

    PYTHONPATH=benchmarks/experiments/compiled_scan .venv/bin/python \\
        benchmarks/experiments/compiled_scan/check.py
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
from typing import Any

import _cscan

from cio_analytics._encoding import scan_dict

_LEAVES: list[Any] = [
    "s", "", 0, -(2**70), True, None, 1.5, float("nan"), float("inf"), b"x",
    dt.datetime(2024, 1, 1), decimal.Decimal("1.5"), {1, 2}, ("t",),
]  # fmt: skip


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth < 70 and roll < 0.15:
        return _mapping(rng, depth + 1)
    if depth < 70 and roll < 0.3:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return rng.choice(_LEAVES)


def _mapping(rng: random.Random, depth: int) -> dict[Any, Any]:
    keys: list[Any] = ["a", "b", "c", "d", 1, ("k",)]
    return {rng.choice(keys): _value(rng, depth) for _ in range(rng.randrange(5))}


def main() -> None:
    """Compare both scans on 200,000 seeded random values; raise on the first disagreement."""
    rng = random.Random(7)
    agreed = 0
    for _ in range(200_000):
        value = _mapping(rng, 1)
        fast, exact = _cscan.scan_dict(value, 1), scan_dict(value, 1)
        if fast and not exact:
            raise AssertionError(f"compiled scan accepted what Python refuses: {value!r}")
        agreed += fast == exact
    print(f"no unsafe acceptance in 200,000 values; same answer in {agreed:,}")


if __name__ == "__main__":
    main()
