"""Reading a run's results: the number at a key, per round, and medians over rounds."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

__all__ = ["Run", "figure_median", "figure_values", "runs_of", "value_at"]

Run = dict[str, Any]


def value_at(result: dict[str, Any], key: str) -> float | None:
    """The number at dotted ``key`` in ``result`` (None when absent or not a number)."""
    value: Any = result
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def runs_of(runs: Sequence[Run], scenario: str, subject: str) -> list[Run]:
    """The runs of one subject in one scenario, in round order."""
    return [r for r in runs if r["scenario"] == scenario and r["subject"] == subject]


def figure_values(runs: Sequence[Run], scenario: str, subject: str, key: str) -> list[float]:
    """The figure's value in each round that produced one, in round order."""
    values = [value_at(r["result"], key) for r in runs_of(runs, scenario, subject)]
    return [v for v in values if v is not None]


def figure_median(runs: Sequence[Run], scenario: str, subject: str, key: str) -> float | None:
    """The median of the figure over the rounds (None when no round produced it)."""
    values = figure_values(runs, scenario, subject, key)
    return statistics.median(values) if values else None
