"""The harness's pure parts for issue 15: verdicts, the report, the README table, parsers.

Nothing here runs a benchmark: the runs are made up, with the shape the
orchestrator saves.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(autouse=True, scope="module")
def _benchmarks_on_path() -> Any:
    sys.path.insert(0, str(BENCHMARKS))
    yield
    sys.path.remove(str(BENCHMARKS))


#: A figure value per subject: cio meets every target, the references are slower.
RATES = {"cio": 25_000.0, "cdp": 1_000.0, "cdp-thread4": 4_000.0, "segment": 990.0}


def _set(result: dict[str, Any], key: str, value: float) -> None:
    *parents, last = key.split(".")
    for part in parents:
        result = result.setdefault(part, {})
    result[last] = value


def _run(scenario: str, subject: str, round_index: int, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "scenario": scenario,
        "subject": subject,
        "round": round_index,
        "result": result,
        "record": {"status": "ok"},
        "check": {"exactly_once": True, "expected": 10, "unique": 10, "lost": 0},
    }


def _against_cdp(scenario: str, key: str, mine: float, theirs: float) -> list[dict[str, Any]]:
    """One round of ``scenario`` for cio and for cdp, with figure ``key`` set to each value."""
    return [_run(scenario, "cio", 0, {key: mine}), _run(scenario, "cdp", 0, {key: theirs})]


def _value(scenario: str, subject: str, key: str) -> float:
    if key in ("dropped", "lost"):
        return 0.0
    if scenario.startswith("latency-") and key == "msgs_per_s":
        return RATES[subject]
    if scenario.startswith("cold-"):
        return 40.0 if subject == "cio" else 120.0
    if scenario == "bulk":
        return 60_000.0 if key == "lines_per_s" else 80.0
    if scenario == "burst" and key == "median_us":
        return 2.0 if subject == "cio" else 30.0
    return 2.0 if subject == "cio" else 3.0


def full_runs(rounds: int = 3) -> list[dict[str, Any]]:
    """Made-up runs of every scenario and subject, with every figure the report reads."""
    from _plan import SCENARIO_ORDER

    runs = []
    for plan in SCENARIO_ORDER:
        for round_index in range(rounds):
            for subject in plan.subjects:
                result: dict[str, Any] = {"dropped": 0, "expected": 10}
                for figure in plan.figures:
                    if figure.key != "entries_rss_mb" or subject == "cio-send-batch":
                        _set(result, figure.key, _value(plan.name, subject, figure.key))
                if plan.name == "cold-import":
                    result["importtime"]["packages"] = {"httpx": 30.0, "msgspec": 4.0}
                runs.append(_run(plan.name, subject, round_index, result))
    return runs


def _latency(subject_rates: dict[str, float], dropped: int = 0) -> list[dict[str, Any]]:
    return [
        _run("latency-100", subject, r, {"msgs_per_s": rate, "dropped": dropped})
        for r in range(3)
        for subject, rate in subject_rates.items()
    ]


class TestVerdicts:
    """Met, NOT met and n/a, from medians."""

    def test_latency_targets_met(self) -> None:
        """25,000 msgs/s: >= 20,000, 25x the default, 6.25x thread=4, nothing dropped."""
        import _verdicts

        verdicts = _verdicts.latency_verdicts(_latency(RATES), 100)
        assert [v.met for v in verdicts] == [True, True, True, True]
        assert verdicts[0].measured == "25,000 msgs/s"
        assert verdicts[1].measured == "25.00x"
        assert verdicts[2].measured == "6.25x"

    def test_latency_targets_not_met(self) -> None:
        """One batch in flight: about the default's rate, a quarter of thread=4."""
        import _verdicts

        rates = {**RATES, "cio": 1_020.0}
        verdicts = _verdicts.latency_verdicts(_latency(rates), 100)
        assert [v.met for v in verdicts] == [False, False, False, True]
        assert [_verdicts.verdict_word(v.met) for v in verdicts[:3]] == ["NOT met"] * 3

    def test_a_dropped_message_fails_the_nothing_dropped_target(self) -> None:
        """Dropped messages in any round, or a round not exactly once: NOT met."""
        import _verdicts

        runs = _latency(RATES, dropped=5)
        verdict = _verdicts.latency_verdicts(runs, 100)[3]
        assert verdict.met is False
        assert verdict.measured.startswith("15 dropped, 0 lost")
        runs = _latency(RATES)
        runs[0]["check"] = {"exactly_once": False, "lost": 2}
        assert _verdicts.latency_verdicts(runs, 100)[3].met is False

    def test_missing_scenario_is_not_applicable(self) -> None:
        """No runs: every verdict is n/a, not NOT met."""
        import _verdicts

        assert {v.met for v in _verdicts.latency_verdicts([], 50)} == {None}
        assert {v.met for v in _verdicts.cold_verdicts([])} == {None}
        assert {v.met for v in _verdicts.bulk_verdicts([])} == {None}
        assert _verdicts.verdict_word(None) == "n/a"

    def test_cold_start_is_half_or_less(self) -> None:
        """0.5x exactly is met; above is not."""
        import _verdicts

        def runs(mine: float) -> list[dict[str, Any]]:
            return _against_cdp("cold-import", "import_ms", mine, 100.0)

        assert _verdicts.cold_verdicts(runs(50.0))[0].met is True
        assert _verdicts.cold_verdicts(runs(50.1))[0].met is False
        assert _verdicts.cold_verdicts(runs(50.0))[0].measured == "50.0 ms vs 100.0 ms: 0.50x"

    def test_bulk_rate(self) -> None:
        """50,000 lines/s or more; the peak RSS is shown beside."""
        import _verdicts

        runs = [
            _run("bulk", "cio-import", 0, {"lines_per_s": 49_999.0, "peak_rss_mb": 60.0}),
            _run("bulk", "cio-send-batch", 0, {"lines_per_s": 50_000.0, "peak_rss_mb": 90.0}),
        ]
        imported, sent = _verdicts.bulk_verdicts(runs)
        assert (imported.met, sent.met) == (False, True)
        assert imported.measured == "49,999 lines/s, peak RSS 60 MiB"

    def test_track_in_a_burst_is_at_most_0_08x(self) -> None:
        """The hot path: the burst medians' ratio, 0.08x exactly is met."""
        import _verdicts

        def runs(mine: float) -> list[dict[str, Any]]:
            return _against_cdp("burst", "median_us", mine, 50.0)

        assert _verdicts.hot_path_verdicts(runs(4.0))[0].met is True
        assert _verdicts.hot_path_verdicts(runs(4.1))[0].met is False
        assert _verdicts.hot_path_verdicts(runs(4.0))[0].measured == "4.00 us vs 50.00 us: 0.080x"
        assert _verdicts.hot_path_verdicts([])[0].met is None


class TestReport:
    """docs/benchmarks.md as render() writes it."""

    def test_issue15_section_has_a_line_per_latency(self) -> None:
        """Each latency has its line with the four verdicts; cold start and bulk follow."""
        import _plan
        import _report

        runs = full_runs()
        text = _report.render({"header": [("date", "today")]}, _plan.SCENARIO_ORDER, runs)
        section = text.split("## Targets of issue 15", 1)[1].split("\n## ", 1)[0]
        for ms in (50, 100, 200):
            line = next(x for x in section.splitlines() if x.startswith(f"| {ms} ms |"))
            assert line.count(": met") == 4
        assert "| import cio_analytics (fresh process) <= 0.5x" in section
        assert "| send_batch() >= 50,000 lines/s, one core | 60,000 lines/s" in section

    def test_only_the_scenarios_that_ran(self) -> None:
        """A run of the latency scenarios alone lists no issue-5 target and no bulk line."""
        import _plan
        import _report

        runs = [r for r in full_runs() if r["scenario"] == "latency-100"]
        plans = _plan.build_plan(["latency-100"], None, False)
        text = _report.render({"header": []}, plans, runs)
        assert "Targets of issue 5" not in text
        assert "| 100 ms |" in text and "| 50 ms |" not in text
        assert "lines/s, one core" not in text
        assert "customerio-cdp-analytics, thread=4 | 4,000 | 4.00x |" in text

    def test_import_breakdown(self) -> None:
        """The cold-import section lists the packages under -X importtime."""
        import _plan
        import _report

        text = _report.render({"header": []}, _plan.SCENARIO_ORDER, full_runs())
        assert "- cio-analytics: httpx 30.0, msgspec 4.0; own modules 40.0" in text


class TestReadme:
    """The README's performance table, between its markers."""

    def test_block_has_every_new_row(self) -> None:
        """Latency 50/100/200, cold import, first call and the bulk rows, with thread=4."""
        import _plan
        import _readme

        meta = {"header": [("date", "D"), ("run time", "29.0 min"), ("machine", "2 CPUs")]}
        block = _readme.readme_block(meta, _plan.SCENARIO_ORDER, full_runs())
        lines = block.splitlines()
        assert lines[0] == _readme.START and lines[-1] == _readme.END
        assert lines[4].startswith("| | cio-analytics | customerio-cdp-analytics | ")
        assert "customerio-cdp-analytics `thread=4`" in lines[4]
        row = next(x for x in lines if x.startswith("| end to end at 100 ms per request"))
        assert row.split(" | ")[1:] == [
            "25,000 msgs/s (25x; 6.2x thread=4)",
            "1,000 msgs/s",
            "4,000 msgs/s (4.0x)",
            "990 msgs/s (0.99x) |",
        ]
        for label in ("at 50 ms", "at 200 ms", "`import` in a fresh process",
                      "first `track()` + `flush()`", "`cio-analytics import` of 200,000",
                      "same, `--dry-run`", "`send_batch()` of the same entries"):  # fmt: skip
            assert any(label in x for x in lines), label
        assert "| `import` in a fresh process (median) | 40 ms (0.33x) | 120 ms |" in block
        assert "(`make bench-compare`, D, 29.0 min):" in block
        assert "Every run delivered every cio-analytics message exactly once." in block
        assert "- at 100 ms per request, >= 20,000 msgs/s: met (25,000 msgs/s)" in lines
        assert "Targets of issue 15 in this run:" in block and "NOT met" not in block

    def test_replace_only_between_the_markers(self) -> None:
        """Text before and after the markers is kept byte for byte."""
        import _readme

        text = f"# T\n\nbefore\n{_readme.START}\nold\n{_readme.END}\nafter\n"
        block = f"{_readme.START}\nnew\n{_readme.END}"
        assert _readme.replace_block(text, block) == f"# T\n\nbefore\n{block}\nafter\n"

    @pytest.mark.parametrize(
        "text",
        ["no markers", "<!-- benchmark-table:start --> only",
         "<!-- benchmark-table:end --> x <!-- benchmark-table:start -->",
         "<!-- benchmark-table:start --><!-- benchmark-table:start -->"
         "<!-- benchmark-table:end -->"],
    )  # fmt: skip
    def test_markers_must_be_there_once_and_in_order(self, text: str) -> None:
        """Otherwise nothing is written."""
        import _readme

        with pytest.raises(ValueError, match="benchmark-table"):
            _readme.replace_block(text, "x")

    def test_missing_scenarios(self) -> None:
        """The table needs every scenario."""
        import _plan
        import _readme

        assert _readme.missing_scenarios(_plan.SCENARIO_ORDER) == []
        assert "bulk" in _readme.missing_scenarios(_plan.build_plan(["burst"], None, False))

    def test_the_real_readme_has_the_markers(self) -> None:
        """README.md can be rewritten: its markers are there, once each."""
        import _readme

        readme = (BENCHMARKS.parent / "README.md").read_text(encoding="utf-8")
        assert readme.count(_readme.START) == 1 and readme.count(_readme.END) == 1
        assert readme.index(_readme.START) > readme.index("## Performance")


def _saved(tmp_path: Path, runs: list[dict[str, Any]], names: list[str]) -> Path:
    import _plan

    plans = _plan.build_plan(names, 3, False)
    saved = {
        "header": {"date": "2026-12-01 00:00 UTC", "run time": "28.0 min", "machine": "2 CPUs"},
        "plans": [{"name": p.name, "n": p.n, "rounds": p.rounds} for p in plans],
        "runs": runs,
    }
    source = tmp_path / "latest.json"
    source.write_text(json.dumps(saved), encoding="utf-8")
    return source


class TestRenderSaved:
    """compare.py --render rewrites the report and, from a full run, the README table."""

    def test_full_run_rewrites_the_table(self, tmp_path: Path) -> None:
        """Between the markers only; a second render changes nothing."""
        import _plan
        import _readme
        import compare

        source = _saved(tmp_path, full_runs(), [p.name for p in _plan.SCENARIO_ORDER])
        readme = tmp_path / "README.md"
        readme.write_text(f"intro\n{_readme.START}\nold\n{_readme.END}\nnotes\n", encoding="utf-8")
        args = ["--render", str(source), "--markdown", str(tmp_path / "r.md")]
        assert compare.main([*args, "--readme", str(readme)]) == 0
        text = readme.read_text(encoding="utf-8")
        assert text.startswith(f"intro\n{_readme.START}\n")
        assert text.endswith(f"{_readme.END}\nnotes\n")
        assert "| end to end at 200 ms per request, 10,000 messages, defaults |" in text
        assert "2026-12-01 00:00 UTC, 28.0 min" in text
        assert compare.main([*args, "--readme", str(readme)]) == 0
        assert readme.read_text(encoding="utf-8") == text

    def test_partial_run_leaves_the_readme(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A subset of the scenarios does not touch the README, and says why."""
        import _readme
        import compare

        runs = [r for r in full_runs() if r["scenario"] == "bulk"]
        source = _saved(tmp_path, runs, ["bulk"])
        readme = tmp_path / "README.md"
        original = f"{_readme.START}\nold\n{_readme.END}\n"
        readme.write_text(original, encoding="utf-8")
        args = ["--render", str(source), "--markdown", str(tmp_path / "r.md")]
        assert compare.main([*args, "--readme", str(readme)]) == 0
        assert readme.read_text(encoding="utf-8") == original
        assert "README table left as it is: this run lacks burst" in capsys.readouterr().out


class TestParts:
    """Plans, server groups and the importtime parser."""

    def test_every_scenario_has_a_quick_size(self) -> None:
        """--quick knows every scenario; latency plans carry their server latency."""
        import _plan

        quick = _plan.build_plan(None, None, True)
        assert [p.rounds for p in quick] == [1] * len(_plan.SCENARIO_ORDER)
        latencies = {p.name: p.latency for p in _plan.SCENARIO_ORDER if p.latency}
        assert latencies == {"latency-50": "0.05", "latency-100": "0.1", "latency-200": "0.2"}
        by_name = {p.name: p for p in _plan.SCENARIO_ORDER}
        assert by_name["latency-100"].n == 50_000
        assert "cdp-thread4" in by_name["latency-100"].subjects
        assert "--defaults" in by_name["latency-100"].args

    def test_server_groups_follow_the_latency(self) -> None:
        """Consecutive plans with the same latency share one server process."""
        import _plan
        import compare

        groups = compare._server_groups(list(_plan.SCENARIO_ORDER))
        assert [g[0].latency for g in groups] == [None, "0.05", "0.1", "0.2", None]
        assert [p.name for p in groups[-1]] == ["cold-import", "cold-first-call", "bulk"]

    def test_parse_importtime(self) -> None:
        """Top-level entries sum up; packages keep their outermost entry; own modules: self."""
        import _coldstart

        stderr = "\n".join([
            "import time: self [us] | cumulative | imported package",
            "import time:       500 |        500 | site",
            _coldstart._MARK,
            "import time:      2000 |       9000 |     h11",
            "import time:      1000 |      30000 |   httpx",
            "import time:       700 |        700 |   cio_analytics._wire",
            "import time:      4000 |      36000 | cio_analytics",
            "import time:       100 |        100 | json",
        ])  # fmt: skip
        parsed = _coldstart.parse_importtime(stderr, "cio_analytics")
        assert parsed["total_ms"] == pytest.approx(36.1)
        assert parsed["own_self_ms"] == pytest.approx(4.7)
        assert parsed["packages"] == {"httpx": 30.0, "h11": 9.0, "json": 0.1}


def test_every_planned_subject_is_accepted_by_its_workload_script() -> None:
    """Each (scenario, subject) the plan runs through ``_workload.py`` parses there.

    A subject missing from the script's choices fails every round of the full
    run (argparse exits), which a quick run of a few subjects does not show.
    """
    from _plan import CEILINGS, build_plan
    from _workload import _parse

    checked = 0
    for plan in build_plan(None, None, quick=False):
        if plan.script != "_workload.py":
            continue
        for subject in plan.subjects:
            if subject in CEILINGS:
                continue
            args = _parse([subject, plan.workload or plan.name, "--url", "http://x", "--n", "1"])
            assert args.library == subject
            checked += 1
    assert checked >= 30
