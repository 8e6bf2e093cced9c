"""mypy --strict on sample calls: the generated signatures and the operations are really typed.

``sample_calls.py`` holds calls that must pass and calls that must fail, each
failing one marked ``# expect: <error code> <text in the message>``. The test
runs mypy on that one file (with the project's configuration, a fresh cache
and a timeout) and compares what it reports with the marks, so it fails if a
helper's signature loosened (to ``**kwargs: Any``, say) or tightened.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).with_name("sample_calls.py")
EXPECT = re.compile(r"# expect: (?P<code>[a-z-]+) (?P<text>.+)$")
REPORTED = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)  \[(?P<code>[a-z-]+)\]$"
)


def expected_errors() -> dict[int, tuple[str, str]]:
    """The marked lines of the sample: line number -> (error code, text in the message)."""
    expected = {}
    for number, line in enumerate(SAMPLE.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            expected[number] = (match["code"], match["text"])
    return expected


def reported_errors(output: str) -> dict[int, list[tuple[str, str]]]:
    """mypy's errors by line: (error code, message)."""
    reported: dict[int, list[tuple[str, str]]] = {}
    for line in output.splitlines():
        match = REPORTED.match(line)
        if match:
            assert Path(match["path"]).name == SAMPLE.name, line
            reported.setdefault(int(match["line"]), []).append((match["code"], match["message"]))
    return reported


def test_mypy_reports_exactly_the_marked_errors(tmp_path: Path) -> None:
    """Every marked call is refused with its error, and nothing else is."""
    command = [
        sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "pyproject.toml"),
        "--cache-dir", str(tmp_path / "mypy-cache"), "--show-error-codes", "--no-pretty",
        str(SAMPLE),
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 2: mypy itself failed
    expected = expected_errors()
    reported = reported_errors(result.stdout)
    assert len(expected) >= 15, "the sample should keep its refused calls"
    assert set(reported) == set(expected), result.stdout
    for line, (code, text) in expected.items():
        assert any(c == code and text in m for c, m in reported[line]), (line, reported[line])
