"""Medians, ratios and the markdown report of a comparative run."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any, Final

from _figures import Run, figure_median, runs_of, value_at
from _libraries import LABELS, REFERENCE
from _plan import LATENCIES_MS, SCENARIO_ORDER, ScenarioPlan
from _verdicts import (
    bulk_verdicts,
    cold_verdicts,
    hot_path_verdicts,
    latency_verdicts,
    verdict_word,
)

__all__ = ["figure_median", "render", "value_at"]

_CEILING_LABELS: Final = {
    "ceiling-100": "server ceiling (raw socket, 100/body)",
    "ceiling-1000": "server ceiling (raw socket, 1000/body)",
}

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
    bad = [r["record"]["status"] for r in runs_of(runs, scenario, subject)]
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
        per_round = [value_at(r["result"], first.key) for r in runs_of(runs, plan.name, subject)]
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
    exits = [
        r for r in runs_of(runs, "exit", "cio") if {"delivered", "expected"} <= r["result"].keys()
    ]
    if not exits:
        return name, "n/a", None
    worst = min(exits, key=lambda r: r["result"]["delivered"] - r["result"]["expected"])
    delivered, expected = worst["result"]["delivered"], worst["result"]["expected"]
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


def _target_rows(runs: Sequence[Run]) -> list[tuple[str, Target]]:
    """The targets of issue 5, each with the scenario it is judged on."""
    return [
        ("burst", _ratio_target(runs, "track() <= 0.1x customerio-cdp-analytics (burst median)",
                                "burst", "median_us", 0.1, at_least=False)),
        ("burst", _floor_target(runs)),
        ("e2e", _ratio_target(runs, "end-to-end msgs/s >= 5x", "e2e", "msgs_per_s", 5.0,
                              at_least=True)),
        ("memory", _ratio_target(runs, "memory per queued message <= 0.35x", "memory",
                                 "bytes_per_message", 0.35, at_least=False)),
        ("memory", _ratio_target(runs, "memory per queued message <= 0.25x (SPEC section 7)",
                                 "memory", "bytes_per_message", 0.25, at_least=False)),
        ("exit", _exit_target(runs)),
        ("outage", _recovery_target(runs, "outage", "the 2 s outage")),
        ("429", _recovery_target(runs, "429", "429 with Retry-After: 1 (x3)")),
        ("429-window", _recovery_target(runs, "429-window",
                                        "a 3 s window of 429 with Retry-After: 1")),
    ]  # fmt: skip


def _targets(runs: Sequence[Run]) -> list[str]:
    """The issue-5 targets whose scenario ran (none: no section)."""
    ran = {r["scenario"] for r in runs}
    rows = [row for scenario, row in _target_rows(runs) if scenario in ran]
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


def _issue15_targets(runs: Sequence[Run]) -> list[str]:
    """One line per latency, then the cold-start and bulk lines, of the scenarios that ran."""
    ran = {r["scenario"] for r in runs}
    lines = [
        "## Targets of issue 15 (cio-analytics, each library's defaults, medians of this run)",
        "",
        "Set at 100 ms per request; the 50 and 200 ms lines apply the same bars, for "
        "information.",
        "",
        "| latency | msgs/s >= 20,000 | >= 10x cdp default | >= 2x cdp thread=4 "
        "| nothing dropped or lost |",
        "|---|---|---|---|---|",
    ]
    latency_lines = 0
    for ms in LATENCIES_MS:
        if f"latency-{ms}" not in ran:
            continue
        cells = [f"{v.measured}: {verdict_word(v.met)}" for v in latency_verdicts(runs, ms)]
        lines.append(f"| {ms} ms | " + " | ".join(cells) + " |")
        latency_lines += 1
    if not latency_lines:
        lines = lines[:2]
    verdicts = (*cold_verdicts(runs), *bulk_verdicts(runs), *hot_path_verdicts(runs))
    other = [v for v in verdicts if v.met is not None]
    if other:
        lines += ["", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {v.target} | {v.measured} | {verdict_word(v.met)} |" for v in other]
    if not latency_lines and not other:
        return []
    return [*lines, ""]


def _breakdown(plan: ScenarioPlan, runs: Sequence[Run]) -> list[str]:
    """Under the cold-import table: the packages each library's import pulls in."""
    if plan.name != "cold-import":
        return []
    lines = [
        "Breakdown under python -X importtime (medians over the rounds, ms, cumulative: a "
        "package's time includes what it imports): the packages the import statement "
        "loaded first, the largest first, and the self time of the library's own modules.",
        "",
    ]
    for subject in plan.subjects:
        mine = runs_of(runs, plan.name, subject)
        names: dict[str, list[float]] = {}
        for run in mine:
            for name, ms in run["result"].get("importtime", {}).get("packages", {}).items():
                names.setdefault(name, []).append(float(ms))
        ordered = sorted(names.items(), key=lambda item: -statistics.median(item[1]))[:8]
        parts = ", ".join(f"{name} {statistics.median(v):.1f}" for name, v in ordered)
        own = figure_median(runs, plan.name, subject, "importtime.own_self_ms")
        own_text = "n/a" if own is None else f"{own:.1f}"
        lines.append(f"- {_label(subject)}: {parts or 'n/a'}; own modules {own_text}")
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
        f"`--scenarios {','.join(p.name for p in SCENARIO_ORDER)}`, and "
        "`--render benchmarks/results/latest.json` to rewrite this file from saved results. "
        "A run of every scenario also rewrites the performance table of README.md (between "
        "its `benchmark-table` markers; `--readme PATH`, `--no-readme`). "
        "It needs the optional "
        "dependency group `reference` (`pip install -e '.[reference]'`).",
        "- A server with a latency, to reproduce real-network behaviour by hand: "
        "`cio-analytics serve --latency 0.1` (or `--latency 0.05:0.2`, random per request).",
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
        "is shared and noisy: read the per-round column before trusting a ratio. The "
        "latency scenarios (i) to (k) use each library's defaults instead (a queue for the "
        "whole burst aside), and add customerio-cdp-analytics with thread=4; cold start (l, "
        "m) and bulk (n) run in fresh processes too.",
        "",
        "### Exactly-once check (server counters after every run)",
        "",
        *_violations(runs),
        *_targets(runs),
        *_issue15_targets(runs),
    ]
    for plan in plans:
        lines += _scenario_section(plan, runs) + _breakdown(plan, runs)
    lines += [
        f"Raw per-round numbers: `{meta.get('raw', 'benchmarks/results/latest.json')}` "
        "(written by that run; benchmarks/results/ is not kept in git).",
        "",
    ]
    return "\n".join(lines)
