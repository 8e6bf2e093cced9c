"""Small measuring helpers: per-call timing, percentiles, resident memory."""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["percentile", "resident_bytes", "summarize_ns", "time_calls"]

_PAGE = os.sysconf("SC_PAGE_SIZE")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def summarize_ns(samples: Sequence[int]) -> dict[str, float]:
    """Median, p99 and mean of per-call samples in nanoseconds, as microseconds."""
    if not samples:
        return {"median_us": float("nan"), "p99_us": float("nan"), "mean_us": float("nan")}
    return {
        "median_us": statistics.median(samples) / 1000.0,
        "p99_us": percentile(samples, 0.99) / 1000.0,
        "mean_us": statistics.fmean(samples) / 1000.0,
    }


def time_calls(
    n: int,
    call: Callable[..., Any],
    make_args: Callable[[int], tuple[Any, ...]],
    accepted: Callable[[Any], bool],
) -> tuple[list[int], int]:
    """Time ``call(*make_args(i))`` for i in range(n), each on its own.

    The arguments are built before the clock starts, so a fresh properties
    dict per call costs nothing to the figure.

    Returns:
        The per-call durations in nanoseconds, and how many calls were refused.
    """
    clock = time.perf_counter_ns
    samples = [0] * n
    refused = 0
    for i in range(n):
        args = make_args(i)
        start = clock()
        result = call(*args)
        samples[i] = clock() - start
        if not accepted(result):
            refused += 1
    return samples, refused


def resident_bytes() -> int:
    """This process's resident set size in bytes, after a full garbage collection."""
    gc.collect()
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * _PAGE
