"""The command line as a whole: the entry points, help, and usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cio_analytics import __version__
from cio_analytics.cli import main

#: Seconds a subprocess run may take (a bound, never an expectation).
RUN_TIMEOUT = 60


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMERIO_")}
    return subprocess.run(
        [sys.executable, "-m", "cio_analytics", *args],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        env=env,
        check=False,
    )


def test_python_dash_m_runs_the_demo() -> None:
    """``python -m cio_analytics demo`` runs end to end in a fresh process and exits 0."""
    result = _run("demo", "--users", "15")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "messages were delivered exactly once" in result.stdout
    assert result.stderr == ""


def test_console_script_is_installed() -> None:
    """The ``cio-analytics`` script sits next to the interpreter and prints the version."""
    script = Path(sys.executable).with_name("cio-analytics")
    assert script.exists()
    result = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"cio-analytics {__version__}"


def test_send_dry_run_in_a_subprocess() -> None:
    """A send --dry-run in a fresh process prints the message as JSON."""
    result = _run("send", "identify", "--user-id", "u1", "--traits", '{"plan": "pro"}', "--dry-run")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["traits"] == {"plan": "pro"}


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a subcommand the help goes to stderr and the exit status is 2."""
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown subcommand is a usage error (exit 2)."""
    assert main(["launch"]) == 2
    assert "invalid choice: 'launch'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "demo"),
        (["demo"], "--users"),
        (["serve"], "--record"),
        (["send"], "alias"),
        (["send", "group"], "--relationship-attributes"),
        (["import"], "prop.KEY[:TYPE]"),
        (["doctor"], "empty batch"),
    ],
)
def test_help(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    """Every subcommand has a --help that exits 0 and documents its options."""
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    assert expected in capsys.readouterr().out
