"""The targets of issue 15, judged on the medians of one run: met, NOT met, or n/a.

"Throughput over a real network, cold start, and the bulk paths": at 100 ms
per request, at least 20,000 messages/s through the 50,000-message burst
with nothing dropped, 10x customerio-cdp-analytics' default and 2x its
``thread=4``; ``import cio_analytics`` and the first ``track()`` plus
``flush()`` in a fresh process at most half of customerio-cdp-analytics'; the
JSON Lines import and ``send_batch`` at 50,000 lines/s or more on one core;
``track()`` in a burst at most 0.08x customerio-cdp-analytics' (pure Python,
every check kept).
The latency bars are set at 100 ms; the other latencies are judged against
the same bars, for information.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from _figures import Run, figure_median, runs_of

__all__ = [
    "LATENCY_RATE",
    "Verdict",
    "all_verdicts",
    "bulk_verdicts",
    "cold_verdicts",
    "hot_path_verdicts",
    "latency_verdicts",
    "verdict_word",
]

#: Messages per second at 100 ms per request, at least.
LATENCY_RATE: Final = 20_000
#: Times customerio-cdp-analytics' default rate, at least.
LATENCY_X_DEFAULT: Final = 10.0
#: Times customerio-cdp-analytics' rate with thread=4, at least.
LATENCY_X_THREAD4: Final = 2.0
#: cio-analytics' cold-start times over customerio-cdp-analytics', at most.
COLD_RATIO: Final = 0.5
#: Lines per second of the bulk paths, at least.
BULK_RATE: Final = 50_000
#: cio-analytics' track() in a burst over customerio-cdp-analytics', at most.
TRACK_RATIO: Final = 0.08


@dataclass(frozen=True)
class Verdict:
    """One target: what it asks, what was measured, and whether it is met (None: n/a)."""

    target: str
    measured: str
    met: bool | None


def verdict_word(met: bool | None) -> str:
    """``met``, ``NOT met`` or ``n/a``."""
    return "n/a" if met is None else ("met" if met else "NOT met")


def _at_least(value: float | None, bar: float) -> bool | None:
    return None if value is None else value >= bar


def _ratio(mine: float | None, theirs: float | None) -> float | None:
    return None if mine is None or not theirs else mine / theirs


def _x(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


def _nothing_dropped(runs: Sequence[Run], scenario: str) -> Verdict:
    """Every cio-analytics round: nothing refused or given up, every message exactly once."""
    mine = runs_of(runs, scenario, "cio")
    target = "nothing dropped or lost (every round, exactly once)"
    if not mine:
        return Verdict(target, "n/a", None)
    dropped = sum(int(r["result"].get("dropped") or 0) for r in mine)
    lost = sum(int(r["check"].get("lost") or 0) for r in mine)
    clean = sum(1 for r in mine if r["check"].get("exactly_once") and r["record"]["status"] == "ok")
    measured = f"{dropped:,} dropped, {lost:,} lost; {clean} of {len(mine)} rounds exactly once"
    return Verdict(target, measured, dropped == 0 and lost == 0 and clean == len(mine))


def latency_verdicts(runs: Sequence[Run], ms: int) -> list[Verdict]:
    """The four latency targets at ``ms`` milliseconds per request."""
    scenario = f"latency-{ms}"
    rate = figure_median(runs, scenario, "cio", "msgs_per_s")
    default = _ratio(rate, figure_median(runs, scenario, "cdp", "msgs_per_s"))
    thread4 = _ratio(rate, figure_median(runs, scenario, "cdp-thread4", "msgs_per_s"))
    shown = "n/a" if rate is None else f"{rate:,.0f} msgs/s"
    return [
        Verdict(f">= {LATENCY_RATE:,} msgs/s", shown, _at_least(rate, LATENCY_RATE)),
        Verdict(
            f">= {LATENCY_X_DEFAULT:g}x customerio-cdp-analytics (default)",
            _x(default),
            _at_least(default, LATENCY_X_DEFAULT),
        ),
        Verdict(
            f">= {LATENCY_X_THREAD4:g}x customerio-cdp-analytics thread=4",
            _x(thread4),
            _at_least(thread4, LATENCY_X_THREAD4),
        ),
        _nothing_dropped(runs, scenario),
    ]


def _cold(runs: Sequence[Run], scenario: str, key: str, what: str) -> Verdict:
    mine = figure_median(runs, scenario, "cio", key)
    theirs = figure_median(runs, scenario, "cdp", key)
    ratio = _ratio(mine, theirs)
    measured = "n/a" if ratio is None else f"{mine:.1f} ms vs {theirs:.1f} ms: {ratio:.2f}x"
    met = None if ratio is None else ratio <= COLD_RATIO
    return Verdict(f"{what} <= {COLD_RATIO:g}x customerio-cdp-analytics", measured, met)


def cold_verdicts(runs: Sequence[Run]) -> list[Verdict]:
    """The two cold-start targets: the import, and the first track() plus flush()."""
    return [
        _cold(runs, "cold-import", "import_ms", "import cio_analytics (fresh process)"),
        _cold(runs, "cold-first-call", "first_call_ms", "first track() + flush() (fresh process)"),
    ]


def _bulk(runs: Sequence[Run], subject: str, what: str) -> Verdict:
    rate = figure_median(runs, "bulk", subject, "lines_per_s")
    rss = figure_median(runs, "bulk", subject, "peak_rss_mb")
    measured = "n/a" if rate is None else f"{rate:,.0f} lines/s"
    if rss is not None:
        measured += f", peak RSS {rss:,.0f} MiB"
    target = f"{what} >= {BULK_RATE:,} lines/s, one core"
    return Verdict(target, measured, _at_least(rate, BULK_RATE))


def bulk_verdicts(runs: Sequence[Run]) -> list[Verdict]:
    """The two bulk targets: the JSON Lines import, and send_batch."""
    return [
        _bulk(runs, "cio-import", "cio-analytics import (JSON Lines)"),
        _bulk(runs, "cio-send-batch", "send_batch()"),
    ]


def hot_path_verdicts(runs: Sequence[Run]) -> list[Verdict]:
    """The hot-path target: the median ``track()`` of a burst against the reference's."""
    mine = figure_median(runs, "burst", "cio", "median_us")
    theirs = figure_median(runs, "burst", "cdp", "median_us")
    ratio = _ratio(mine, theirs)
    measured = "n/a" if ratio is None else f"{mine:.2f} us vs {theirs:.2f} us: {ratio:.3f}x"
    met = None if ratio is None else ratio <= TRACK_RATIO
    target = f"track() in a burst <= {TRACK_RATIO:g}x customerio-cdp-analytics"
    return [Verdict(target, measured, met)]


def all_verdicts(runs: Sequence[Run], latencies: Sequence[int]) -> list[tuple[str, Verdict]]:
    """Every target of the issue, each with the scenario it belongs to."""
    out: list[tuple[str, Verdict]] = []
    for ms in latencies:
        out += [(f"latency-{ms}", v) for v in latency_verdicts(runs, ms)]
    out += list(zip(("cold-import", "cold-first-call"), cold_verdicts(runs), strict=True))
    out += [("bulk", v) for v in bulk_verdicts(runs)]
    out += [("burst", v) for v in hot_path_verdicts(runs)]
    return out
