"""Medians, ratios and the markdown report of a comparative run."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any, Final

from _libraries import LABELS, REFERENCE
from _plan import ScenarioPlan

__all__ = ["figure_median", "render", "value_at"]

_CEILING_LABELS: Final = {
    "ceiling-100": "server ceiling (raw socket, 100/body)",
    "ceiling-1000": "server ceiling (raw socket, 1000/body)",
}

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


def _runs_of(runs: Sequence[Run], scenario: str, subject: str) -> list[Run]:
    return [r for r in runs if r["scenario"] == scenario and r["subject"] == subject]


def figure_values(runs: Sequence[Run], scenario: str, subject: str, key: str) -> list[float]:
    """The figure's value in each round that produced one, in round order."""
    values = [value_at(r["result"], key) for r in _runs_of(runs, scenario, subject)]
    return [v for v in values if v is not None]


def figure_median(runs: Sequence[Run], scenario: str, subject: str, key: str) -> float | None:
    """The median of the figure over the rounds (None when no round produced it)."""
    values = figure_values(runs, scenario, subject, key)
    return statistics.median(values) if values else None


def _fmt(value: float | None, digits: int) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _ratio(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return "n/a"
    return f"{value / reference:.2f}x"


def _label(subject: str) -> str:
    return _CEILING_LABELS.get(subject) or LABELS[subject][1]


def _status_note(runs: Sequence[Run], scenario: str, subject: str) -> str:
    bad = [r["record"]["status"] for r in _runs_of(runs, scenario, subject)]
    notes = [f"{bad.count(s)} {s}" for s in ("timed out", "failed") if s in bad]
    return f" ({', '.join(notes)})" if notes else ""


def _scenario_table(plan: ScenarioPlan, runs: Sequence[Run]) -> list[str]:
    header = ["library"]
    for figure in plan.figures:
        header += [figure.label, "x cdp"] if figure.ratio else [figure.label]
    header.append(f"{plan.figures[0].label}, per round")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" + "---:|" * (len(header) - 1)]
    for subject in plan.subjects:
        row = [_label(subject) + _status_note(runs, plan.name, subject)]
        for figure in plan.figures:
            value = figure_median(runs, plan.name, subject, figure.key)
            reference = figure_median(runs, plan.name, REFERENCE, figure.key)
            row.append(_fmt(value, figure.digits))
            if figure.ratio:
                row.append(_ratio(value, reference))
        first = plan.figures[0]
        per_round = [value_at(r["result"], first.key) for r in _runs_of(runs, plan.name, subject)]
        row.append(", ".join(_fmt(v, first.digits) for v in per_round) or "n/a")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _scenario_section(plan: ScenarioPlan, runs: Sequence[Run]) -> list[str]:
    return [
        f"## {plan.title}",
        "",
        f"{plan.about} N = {plan.n:,}; {plan.rounds} round(s); medians.",
        "",
        *_scenario_table(plan, runs),
        "",
    ]


def _violations(runs: Sequence[Run]) -> list[str]:
    bad = [r for r in runs if not r["check"].get("exactly_once")]
    total = len(runs)
    if not bad:
        return [f"Every run ({total}) delivered every message exactly once.", ""]
    lines = [
        f"**{len(bad)} of {total} runs did NOT deliver every message exactly once:**",
        "",
        "| scenario | library | round | status | expected | unique | lost | duplicates "
        "| rejected | refused |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in bad:
        c = r["check"]
        cells = [
            r["scenario"],
            _label(r["subject"]),
            str(r["round"] + 1),
            r["record"]["status"],
            *(str(c.get(k, "n/a")) for k in ("expected", "unique", "lost", "duplicates")),
            *(str(c.get(k, "n/a")) for k in ("rejections", "refused")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Losses by the reference libraries in the exit scenario are their documented "
        "behaviour (no flush at exit); any other line above is a bug to look at.",
        "",
    ]
    return lines


Target = tuple[str, str, bool | None]


def _ratio_target(
    runs: Sequence[Run], name: str, scenario: str, key: str, limit: float, at_least: bool
) -> Target:
    """cio's median over cdp's median, compared with ``limit``."""
    mine = figure_median(runs, scenario, "cio", key)
    theirs = figure_median(runs, scenario, REFERENCE, key)
    if mine is None or not theirs:
        return name, "n/a", None
    ratio = mine / theirs
    return name, f"{ratio:.3f}x", ratio >= limit if at_least else ratio <= limit


def _floor_target(runs: Sequence[Run]) -> Target:
    name = "track() <= 1.5x the bare floor (burst)"
    ratio = figure_median(runs, "burst", "cio", "floor_ratio")
    return (name, "n/a", None) if ratio is None else (name, f"{ratio:.2f}x", ratio <= 1.5)


def _exit_target(runs: Sequence[Run]) -> Target:
    name = "exit delivers every queued message (worst round)"
    exits = [r for r in _runs_of(runs, "exit", "cio") if "delivered" in r["result"]]
    if not exits:
        return name, "n/a", None
    worst = min(exits, key=lambda r: r["result"]["delivered"] - r["result"].get("expected", 0))
    delivered, expected = worst["result"]["delivered"], worst["result"].get("expected")
    return name, f"{delivered:,} of {expected:,}", delivered == expected


def _recovery_target(runs: Sequence[Run], scenario: str, what: str) -> Target:
    mine = figure_median(runs, scenario, "cio", "seconds")
    refs = [figure_median(runs, scenario, s, "seconds") for s in ("cdp", "segment")]
    best = min((v for v in refs if v is not None), default=None)
    name = f"recovery from {what} no slower than the best reference"
    if best is not None:
        name += f" ({best:.2f} s)"
    if mine is None:
        return name, "n/a", None
    return name, f"{mine:.2f} s{_rounds_won(runs, scenario)}", best is None or mine <= best


def _rounds_won(runs: Sequence[Run], scenario: str) -> str:
    """``", no slower in 4 of 9 rounds"``: cio against the best reference of each round."""
    by_round: dict[int, dict[str, float]] = {}
    for run in runs:
        if run["scenario"] != scenario:
            continue
        value = value_at(run["result"], "seconds")
        if value is not None:
            by_round.setdefault(run["round"], {})[run["subject"]] = value
    rounds = [
        (seconds["cio"], min(v for k, v in seconds.items() if k != "cio"))
        for seconds in by_round.values()
        if "cio" in seconds and len(seconds) > 1
    ]
    if not rounds:
        return ""
    won = sum(mine <= best for mine, best in rounds)
    return f", no slower in {won} of {len(rounds)} rounds"


def _target_rows(runs: Sequence[Run]) -> list[Target]:
    return [
        _ratio_target(runs, "track() <= 0.1x customerio-cdp-analytics (burst median)",
                      "burst", "median_us", 0.1, at_least=False),
        _floor_target(runs),
        _ratio_target(runs, "end-to-end msgs/s >= 5x", "e2e", "msgs_per_s", 5.0, at_least=True),
        _ratio_target(runs, "memory per queued message <= 0.35x", "memory",
                      "bytes_per_message", 0.35, at_least=False),
        _ratio_target(runs, "memory per queued message <= 0.25x (SPEC section 7)", "memory",
                      "bytes_per_message", 0.25, at_least=False),
        _exit_target(runs),
        _recovery_target(runs, "outage", "the 2 s outage"),
        _recovery_target(runs, "429", "429 with Retry-After: 1 (x3)"),
        _recovery_target(runs, "429-window", "a 3 s window of 429 with Retry-After: 1"),
    ]  # fmt: skip


def _targets(runs: Sequence[Run]) -> list[str]:
    rows = _target_rows(runs)
    if not rows:
        return []
    lines = [
        "## Targets of issue 5 (cio-analytics, like-for-like, medians of this run)",
        "",
        "| target | measured | met |",
        "|---|---:|---|",
    ]
    for name, value, ok in rows:
        lines.append(f"| {name} | {value} | {'n/a' if ok is None else ('yes' if ok else 'NO')} |")
    return [*lines, ""]


def render(meta: dict[str, Any], plans: Sequence[ScenarioPlan], runs: Sequence[Run]) -> str:
    """The whole markdown report."""
    lines = [
        "# Benchmarks",
        "",
        "This file is written by `benchmarks/compare.py`; edit that script, not this file.",
        "",
        "## How to run",
        "",
        "- Micro-benchmarks of the hot path and of batch assembly (pytest-benchmark): "
        "`make bench` (`.venv/bin/pytest benchmarks --benchmark-only -p no:cacheprovider`).",
        "- The comparison with the reference libraries, in separate processes against the "
        "local server on 127.0.0.1: `make bench-compare` (`.venv/bin/python "
        "benchmarks/compare.py`); options `--quick`, `--rounds N`, "
        "`--scenarios burst,idle,e2e,memory,exit,outage,429,429-window`, and "
        "`--render benchmarks/results/latest.json` to rewrite this file from saved results. "
        "It needs the optional "
        "dependency group `reference` (`pip install -e '.[reference]'`).",
        "- Instruction counts of each part of a track() call and of the floor, under "
        "valgrind's callgrind (steady where wall-clock times are not): `.venv/bin/python "
        "benchmarks/instructions.py`.",
        "",
        "## Latest comparative run",
        "",
        *(f"- {name}: {value}" for name, value in meta["header"]),
        "",
        "Like-for-like settings for every library: batches of 100 messages, upload interval "
        "0.5 s, a queue larger than N (nothing dropped), the same 10-property payload and "
        "write key, `host` = the local server (in its own process). Each round runs each "
        "library in a fresh process, alternating (cio, cdp, segment, cio, ...). 'x cdp' is a "
        "library's median divided by customerio-cdp-analytics's median from the same run: "
        "lower is better for times and memory, higher for msgs/s and delivered. The machine "
        "is shared and noisy: read the per-round column before trusting a ratio.",
        "",
        "### Exactly-once check (server counters after every run)",
        "",
        *_violations(runs),
        *_targets(runs),
    ]
    for plan in plans:
        lines += _scenario_section(plan, runs)
    lines += [
        f"Raw per-round numbers: `{meta.get('raw', 'benchmarks/results/latest.json')}` "
        "(written by that run; benchmarks/results/ is not kept in git).",
        "",
    ]
    return "\n".join(lines)
