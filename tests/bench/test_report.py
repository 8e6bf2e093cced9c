"""The comparison report's pure parts: per-round verdicts and re-rendering saved results."""

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


def _run(subject: str, round_index: int, seconds: float) -> dict[str, Any]:
    return {
        "scenario": "outage",
        "subject": subject,
        "round": round_index,
        "result": {"seconds": seconds, "delivered": 10},
        "record": {"status": "ok"},
        "check": {"exactly_once": True, "expected": 10, "unique": 10, "lost": 0},
    }


RUNS = [
    _run("cio", 0, 2.5), _run("cdp", 0, 3.0), _run("segment", 0, 4.0),  # won
    _run("cio", 1, 3.5), _run("cdp", 1, 2.2), _run("segment", 1, 3.9),  # lost
    _run("cio", 2, 2.4), _run("cdp", 2, 2.4), _run("segment", 2, 3.8),  # tie: no slower
]  # fmt: skip


def test_rounds_won_compares_each_round_with_its_best_reference() -> None:
    """2 of 3: a win, a loss, a tie (which counts as no slower)."""
    import _report

    assert _report._rounds_won(RUNS, "outage") == ", no slower in 2 of 3 rounds"
    assert _report._rounds_won(RUNS, "429") == ""


def test_recovery_target_uses_medians() -> None:
    """The verdict compares medians: cio 2.5 s against cdp's 2.4 s is slower."""
    import _report

    name, measured, met = _report._recovery_target(RUNS, "outage", "the outage")
    assert "(2.40 s)" in name
    assert measured == "2.50 s, no slower in 2 of 3 rounds"
    assert met is False


def test_render_saved_writes_the_same_tables(tmp_path: Path) -> None:
    """--render rebuilds the markdown from a results file, running nothing."""
    import compare

    saved = {
        "header": {"date": "2026-11-28 00:00 UTC", "command": "compare.py"},
        "plans": [{"name": "outage", "n": 10, "rounds": 3}],
        "runs": RUNS,
    }
    source = tmp_path / "latest.json"
    source.write_text(json.dumps(saved), encoding="utf-8")
    target = tmp_path / "report.md"
    assert compare.main(["--render", str(source), "--markdown", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "- date: 2026-11-28 00:00 UTC" in text
    assert "| cio-analytics | 2.50 |" in text
    assert "no slower in 2 of 3 rounds | NO |" in text
