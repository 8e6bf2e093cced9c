"""Compare cio-analytics with customerio-cdp-analytics and segment-analytics-python.

Usage::

    make bench-compare                       # .venv/bin/python benchmarks/compare.py
    .venv/bin/python benchmarks/compare.py --quick
    .venv/bin/python benchmarks/compare.py --rounds 3 --scenarios burst,e2e

The local server runs in a process of its own; each library runs each
scenario in a fresh process (``_workload.py``), libraries alternating round
by round; a scenario with a latency gets a server process of its own with
that latency. After every run the server's counters must show every message
exactly once; violations are printed and written to the report, never
hidden. The report goes to ``docs/benchmarks.md`` and the raw per-round
numbers to ``benchmarks/results/latest.json``; a run of every scenario
(not ``--quick``) also rewrites README.md's performance table between its
``benchmark-table`` markers. Needs the optional dependency group ``reference``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _control import ServerControl
from _libraries import LABELS
from _plan import ScenarioPlan, build_plan
from _readme import missing_scenarios, readme_block, update_readme
from _report import render
from _runner import ServerProcess, check_delivery, run_workload

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MARKDOWN = ROOT / "docs" / "benchmarks.md"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "latest.json"
DEFAULT_README = ROOT / "README.md"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rounds",
        type=int,
        help="rounds for every scenario (default: each scenario's own, see _plan.py)",
    )
    parser.add_argument("--quick", action="store_true", help="smaller N and one round")
    parser.add_argument("--scenarios", help="comma-separated subset: burst,idle,e2e,...")
    parser.add_argument(
        "--subjects", help="comma-separated subset of the libraries: cio,cio-spool,cdp,..."
    )
    parser.add_argument("--markdown", type=Path, default=DEFAULT_MARKDOWN)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument(
        "--readme",
        type=Path,
        help="the README whose table to rewrite (default README.md; a --quick run only here)",
    )
    parser.add_argument("--no-readme", action="store_true", help="leave the README alone")
    parser.add_argument(
        "--render",
        type=Path,
        metavar="JSON",
        help="run nothing: write the markdown again from saved results (e.g. the --json file)",
    )
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be >= 1")
    return args


def _derive(plan: ScenarioPlan, result: dict[str, Any], check: dict[str, Any]) -> None:
    """Add the figures computed from others, or from the server's counters."""
    floor = result.get("floor", {}).get("median_us")
    if result.get("median_us") and floor:
        result["floor_ratio"] = result["median_us"] / floor
    if plan.name == "exit" and "unique" in check:
        result["delivered"] = check["unique"]
    if "received_before_exit" in result and "expected" in result:
        result["queued_at_exit"] = result["expected"] - result["received_before_exit"]
    if plan.latency is not None and check.get("lost") is not None:
        result["lost"] = check["lost"]


def _run_one(
    control: ServerControl,
    plan: ScenarioPlan,
    subject: str,
    round_index: int,
    where: tuple[str, str],
) -> dict[str, Any]:
    """One subject, one round: reset the server, run the workload, check the counters."""
    url, workdir = where
    control.reset()
    result, record = run_workload(sys.executable, plan, subject, url, workdir)
    check = check_delivery(control, result)
    _derive(plan, result, check)
    run = {
        "scenario": plan.name,
        "subject": subject,
        "round": round_index,
        "result": result,
        "record": record,
        "check": check,
    }
    _print_progress(run)
    return run


def _print_progress(run: dict[str, Any]) -> None:
    result, check, record = run["result"], run["check"], run["record"]
    keys = ("median_us", "msgs_per_s", "bytes_per_message", "seconds", "delivered")
    keys += ("import_ms", "first_call_ms", "lines_per_s", "peak_rss_mb", "dropped")
    figures = {k: result[k] for k in keys if isinstance(result.get(k), int | float)}
    shown = " ".join(f"{k}={v:,.2f}" for k, v in figures.items())
    print(
        f"  {run['scenario']:<15} round {run['round'] + 1} {run['subject']:<14} "
        f"{record['status']:<9} {shown}",
        flush=True,
    )
    if not check.get("exactly_once"):
        print(
            f"  !! VIOLATION {run['scenario']}/{run['subject']} round {run['round'] + 1}: "
            f"expected={check.get('expected')} unique={check.get('unique')} "
            f"lost={check.get('lost')} duplicates={check.get('duplicates')} "
            f"rejections={check.get('rejections')} refused={check.get('refused')} "
            f"status={record['status']} {check.get('error', '')}",
            file=sys.stderr,
            flush=True,
        )
    if record["status"] != "ok":
        print(f"  !! {record['status']}: {record['stderr'][-500:]}", file=sys.stderr, flush=True)


def _server_groups(plans: list[ScenarioPlan]) -> list[list[ScenarioPlan]]:
    """Consecutive plans that share a server (the same latency), in order."""
    groups: list[list[ScenarioPlan]] = []
    for plan in plans:
        if groups and groups[-1][0].latency == plan.latency:
            groups[-1].append(plan)
        else:
            groups.append([plan])
    return groups


def _run_all(plans: list[ScenarioPlan]) -> list[dict[str, Any]]:
    """Every plan, rounds alternating the subjects; a server process per latency."""
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="cio-bench-") as workdir:
        for group in _server_groups(plans):
            with ServerProcess(latency=group[0].latency) as server:
                control = ServerControl(server.url)
                try:
                    for plan in group:
                        print(
                            f"{plan.name}: N={plan.n:,}, {plan.rounds} round(s), "
                            f"server latency {server.latency}",
                            flush=True,
                        )
                        runs.extend(
                            _run_one(control, plan, subject, round_index, (server.url, workdir))
                            for round_index in range(plan.rounds)
                            for subject in plan.subjects
                        )
                finally:
                    control.close()
    return runs


def _versions() -> dict[str, str]:
    out = {}
    for distribution in sorted({dist for dist, _ in LABELS.values()}):
        try:
            out[distribution] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            out[distribution] = "not installed"
    return out


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _header(argv: list[str], plans: list[ScenarioPlan], started: float, load: Any) -> list[Any]:
    versions = _versions()
    rounds = ", ".join(f"{p.name} {p.rounds}" for p in plans)
    end_load = os.getloadavg()
    return [
        ("date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("command", f"`{shlex.join(['.venv/bin/python', 'benchmarks/compare.py', *argv])}`"),
        ("Python", platform.python_version()),
        ("libraries", ", ".join(f"{k} {v}" for k, v in versions.items())),
        ("rounds", rounds),
        ("machine", f"{os.cpu_count()} CPUs ({_cpu_model()}), {platform.system()}"),
        ("load average (1 min) at start / end", f"{load[0]:.2f} / {end_load[0]:.2f}"),
        ("run time", f"{(time.monotonic() - started) / 60:.1f} min"),
    ]


def _shown(path: Path) -> str:
    """``path`` as the report names it: relative to the checkout when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    """Run the comparison, print and write the report.

    Returns:
        1 when a cio-analytics run did not deliver every message exactly once, else 0.
    """
    args = _parse(argv)
    if args.render is not None:
        return _render_saved(args)
    names = args.scenarios.split(",") if args.scenarios else None
    try:
        plans = build_plan(names, args.rounds, args.quick)
    except ValueError as exc:
        print(f"compare.py: {exc}", file=sys.stderr)
        return 2
    if args.subjects:
        wanted = set(args.subjects.split(","))
        plans = [
            dataclasses.replace(p, subjects=tuple(s for s in p.subjects if s in wanted))
            for p in plans
        ]
    started, load = time.monotonic(), os.getloadavg()
    runs = _run_all(plans)
    header = _header(argv, plans, started, load)
    meta = {"header": header, "raw": _shown(args.json)}
    markdown = render(meta, plans, runs)
    _write(args.markdown, markdown)
    raw = {
        "header": dict(header),
        "quick": args.quick,
        "plans": [dataclasses.asdict(p) for p in plans],
        "runs": runs,
    }
    _write(args.json, json.dumps(raw, indent=1, default=str) + "\n")
    print("\n" + markdown)
    print(f"written: {args.markdown} and {args.json}")
    _readme(args, args.quick, meta, plans, runs)
    return 1 if _own_violations(runs) else 0


def _readme(
    args: argparse.Namespace,
    quick: bool,
    meta: dict[str, Any],
    plans: list[ScenarioPlan],
    runs: list[dict[str, Any]],
) -> None:
    """Rewrite the README's performance table, when this run can (says why not otherwise)."""
    if args.no_readme:
        return
    missing = missing_scenarios(plans)
    if missing:
        print(f"README table left as it is: this run lacks {', '.join(missing)}")
        return
    if quick and args.readme is None:
        print("README table left as it is: a --quick run (give --readme PATH to write one)")
        return
    path = args.readme or DEFAULT_README
    try:
        changed = update_readme(path, readme_block(meta, plans, runs))
    except (OSError, ValueError) as exc:
        print(f"compare.py: README table not written: {exc}", file=sys.stderr)
        return
    print(f"written: the table in {path}" if changed else f"unchanged: the table in {path}")


def _render_saved(args: argparse.Namespace) -> int:
    """Write the markdown report (and the README table) again from a saved results file."""
    source, markdown_path = args.render, args.markdown
    raw = json.loads(source.read_text(encoding="utf-8"))
    saved = {p["name"]: p for p in raw["plans"]}
    plans = [
        dataclasses.replace(plan, n=saved[plan.name]["n"], rounds=saved[plan.name]["rounds"])
        for plan in build_plan(list(saved), None, False)
    ]
    meta = {"header": list(raw["header"].items()), "raw": _shown(source)}
    _write(markdown_path, render(meta, plans, raw["runs"]))
    print(f"written: {markdown_path} (from {source})")
    _readme(args, bool(raw.get("quick")), meta, plans, raw["runs"])
    return 0


def _own_violations(runs: list[dict[str, Any]]) -> int:
    """Runs of cio-analytics that lost, duplicated or failed (the references' are reported only)."""
    return sum(
        1 for r in runs if r["subject"].startswith("cio") and not r["check"].get("exactly_once")
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
