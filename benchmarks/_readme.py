"""The performance table of README.md, regenerated from a run by the harness itself.

The table sits between two marker comments in README.md (``START`` and
``END``); :func:`replace_block` rewrites what is between them and nothing
else. Only a run of every scenario can rewrite it (:func:`missing_scenarios`),
so that no row is ever left from another run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from _figures import Run, figure_median
from _libraries import LABELS, REFERENCE
from _plan import SCENARIO_ORDER, ScenarioPlan
from _verdicts import all_verdicts, verdict_word

__all__ = ["END", "START", "missing_scenarios", "readme_block", "replace_block", "update_readme"]

#: The marker comments around the generated part of README.md's Performance section.
START: Final = "<!-- benchmark-table:start -->"
END: Final = "<!-- benchmark-table:end -->"
#: The table's columns, in order.
COLUMNS: Final = ("cio", "cdp", "cdp-thread4", "segment")

Cells = dict[str, str]
Row = tuple[str, Cells]
Format = Callable[[float], str]


def missing_scenarios(plans: Sequence[ScenarioPlan]) -> list[str]:
    """The scenarios the README table needs that these plans do not run."""
    ran = {plan.name for plan in plans}
    return [plan.name for plan in SCENARIO_ORDER if plan.name not in ran]


def _x(ratio: float) -> str:
    """A ratio with two significant digits or so: 0.06x, 1.0x, 7.6x, 11x."""
    if ratio >= 10:
        return f"{ratio:.0f}x"
    return f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2f}x"


def _cell(runs: Sequence[Run], scenario: str, subject: str, key: str, fmt: Format) -> str:
    """The median, formatted, with its ratio to customerio-cdp-analytics (but for that one)."""
    value = figure_median(runs, scenario, subject, key)
    if value is None:
        return "n/a"
    reference = figure_median(runs, scenario, REFERENCE, key)
    if subject == REFERENCE or not reference:
        return fmt(value)
    return f"{fmt(value)} ({_x(value / reference)})"


def _plain(runs: Sequence[Run], scenario: str, subject: str, key: str, fmt: Format) -> str:
    value = figure_median(runs, scenario, subject, key)
    return "n/a" if value is None else fmt(value)


def _simple_row(
    plan: ScenarioPlan, runs: Sequence[Run], label: str, key: str, fmt: Format, ratio: bool
) -> Row:
    cell = _cell if ratio else _plain
    subjects = [s for s in plan.subjects if s in COLUMNS]
    return label.format(n=plan.n), {s: cell(runs, plan.name, s, key, fmt) for s in subjects}


def _best_row(runs: Sequence[Run]) -> Row:
    values = [figure_median(runs, "e2e", s, "msgs_per_s") for s in ("cio-best", "cio-best-gzip")]
    reference = figure_median(runs, "e2e", REFERENCE, "msgs_per_s")
    label = "same, 1,000 per batch (cut by bytes), gzip off / on"
    if None in values:
        return label, {"cio": "n/a"}
    rates = " / ".join(f"{v:,.0f}" for v in values if v is not None)
    ratios = " / ".join(_x(v / reference) for v in values if v is not None and reference)
    return label, {"cio": f"{rates} msgs/s ({ratios})" if ratios else f"{rates} msgs/s"}


def _latency_row(plan: ScenarioPlan, runs: Sequence[Run], ms: int) -> Row:
    label = f"end to end at {ms} ms per request, {plan.n:,} messages, defaults"

    def rate(value: float) -> str:
        """Messages per second, whole."""
        return f"{value:,.0f} msgs/s"

    cells = {s: _cell(runs, plan.name, s, "msgs_per_s", rate) for s in plan.subjects}
    mine = figure_median(runs, plan.name, "cio", "msgs_per_s")
    thread4 = figure_median(runs, plan.name, "cdp-thread4", "msgs_per_s")
    if mine is not None and thread4:
        cells["cio"] = cells["cio"].rstrip(")") + f"; {_x(mine / thread4)} thread=4)"
    return label, cells


def _bulk_rows(plan: ScenarioPlan, runs: Sequence[Run]) -> list[Row]:
    def bulk(subject: str) -> str:
        """Lines per second and peak RSS (and the entries' share) of one variant."""
        rate = figure_median(runs, plan.name, subject, "lines_per_s")
        rss = figure_median(runs, plan.name, subject, "peak_rss_mb")
        if rate is None or rss is None:
            return "n/a"
        text = f"{rate:,.0f} lines/s, peak RSS {rss:,.0f} MiB"
        entries = figure_median(runs, plan.name, subject, "entries_rss_mb")
        return text if entries is None else f"{text} ({entries:,.0f} MiB of it the entries)"

    return [
        (f"`cio-analytics import` of {plan.n:,} JSON Lines, one core", {"cio": bulk("cio-import")}),
        ("same, `--dry-run`", {"cio": bulk("cio-import-dry")}),
        ("`send_batch()` of the same entries, one core", {"cio": bulk("cio-send-batch")}),
    ]


def _us(digits: int) -> Format:
    return lambda v: f"{v:,.{digits}f} us"


def _unit(unit: str, digits: int = 0) -> Format:
    return lambda v: f"{v:,.{digits}f}{unit}"


#: scenario -> (row label, figure key, format, with ratios); {n} is the scenario's N.
_SIMPLE: Final[dict[str, tuple[str, str, Format, bool]]] = {
    "burst": ("`track()` in a {n:,}-call burst (median)", "median_us", _us(1), True),
    "idle": ("`track()` with an idle consumer (median)", "median_us", _us(0), True),
    "e2e": ("end to end, {n:,} messages", "msgs_per_s", _unit(" msgs/s"), True),
    "memory": ("memory per queued message", "bytes_per_message", _unit(" B"), True),
    "exit": ("delivered when a script exits with {n:,} queued", "delivered", _unit(""), False),
    "outage": ("all of {n:,} delivered through a 2 s outage (HTTP 500)", "seconds",
               _unit(" s", 2), False),
    "429": ("all of {n:,} delivered through 429 + `Retry-After: 1` (x3)", "seconds",
            _unit(" s", 2), False),
    "429-window": ("same, the limit kept for a 3 s window", "seconds", _unit(" s", 2), False),
    "cold-import": ("`import` in a fresh process (median)", "import_ms", _unit(" ms"), True),
    "cold-first-call": ("first `track()` + `flush()` in a fresh process (after the import)",
                        "first_call_ms", _unit(" ms"), True),
}  # fmt: skip


def table_rows(plans: Sequence[ScenarioPlan], runs: Sequence[Run]) -> list[Row]:
    """Every row of the table, in the order of the scenarios."""
    rows: list[Row] = []
    for plan in plans:
        if plan.name in _SIMPLE:
            label, key, fmt, ratio = _SIMPLE[plan.name]
            rows.append(_simple_row(plan, runs, label, key, fmt, ratio))
        if plan.name == "e2e":
            rows.append(_best_row(runs))
        if plan.latency is not None and plan.name.startswith("latency-"):
            rows.append(_latency_row(plan, runs, int(plan.name.split("-")[1])))
        if plan.name == "bulk":
            rows += _bulk_rows(plan, runs)
    return rows


def _table(rows: list[Row]) -> list[str]:
    names = [LABELS[c][1] for c in COLUMNS]
    names[COLUMNS.index("cdp-thread4")] = "customerio-cdp-analytics `thread=4`"
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(COLUMNS)]
    for label, cells in rows:
        texts = [label, *(cells.get(c, "") for c in COLUMNS)]
        lines.append("|" + "|".join(f" {text} " if text else " " for text in texts) + "|")
    return lines


def _rounds_text(plans: Sequence[ScenarioPlan]) -> str:
    """``5 (burst, idle), 21 (outage, 429)``: rounds, and the scenarios that ran that many."""
    by_rounds: dict[int, list[str]] = {}
    for plan in plans:
        by_rounds.setdefault(plan.rounds, []).append(plan.name)
    if len(by_rounds) == 1:
        return f"{plans[0].rounds} for every scenario"
    return "; ".join(f"{r} for {', '.join(names)}" for r, names in by_rounds.items())


def _lead(meta: dict[str, Any], plans: Sequence[ScenarioPlan]) -> str:
    header = dict(meta["header"])
    return (
        f"Medians of alternating rounds ({_rounds_text(plans)}) on a shared machine, "
        f"{header.get('machine', 'unknown')}; each library in its own process against the "
        "local server (itself in another process), the same 10-property payload. The "
        "like-for-like rows use batches of 100 for every library; the latency rows each "
        "library's defaults (and a queue for the whole burst). Ratios are to "
        "`customerio-cdp-analytics` (its default) in the same run (`make bench-compare`, "
        f"{header.get('date', 'undated')}, {header.get('run time', 'run time unknown')}):"
    )


def _after(runs: Sequence[Run]) -> list[str]:
    own = [r for r in runs if r["subject"].startswith("cio")]
    bad = sum(1 for r in own if not r["check"].get("exactly_once"))
    once = (
        "Every run delivered every cio-analytics message exactly once."
        if not bad
        else f"**{bad} of {len(own)} cio-analytics runs did NOT deliver every message "
        "exactly once** (see docs/benchmarks.md)."
    )
    verdicts = [
        f"- {'at 100 ms per request, ' if scenario.startswith('latency') else ''}"
        f"{v.target}: {verdict_word(v.met)} ({v.measured})"
        for scenario, v in all_verdicts(runs, (100,))
    ]
    return [once, "", "Targets of issue 15 in this run:", "", *verdicts]


def readme_block(meta: dict[str, Any], plans: Sequence[ScenarioPlan], runs: Sequence[Run]) -> str:
    """What goes between the markers: the lead paragraph, the table, the verdicts."""
    lines = [START, "", _lead(meta, plans), "", *_table(table_rows(plans, runs)), ""]
    lines += [*_after(runs), "", END]
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """``text`` with what is between (and including) the markers replaced by ``block``.

    Raises:
        ValueError: The markers are missing, repeated, or in the wrong order.
    """
    if text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"README needs exactly one {START} and one {END}")
    head, rest = text.split(START)
    if END not in rest:
        raise ValueError(f"{END} comes before {START}")
    _, tail = rest.split(END)
    return head + block + tail


def update_readme(path: Path, block: str) -> bool:
    """Rewrite the table in the README at ``path``; returns whether the file changed."""
    text = path.read_text(encoding="utf-8")
    new = replace_block(text, block)
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True
