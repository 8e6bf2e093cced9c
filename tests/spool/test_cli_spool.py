"""``cio-analytics spool ls|replay|purge`` and the doctor's spool check, on a real spool."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from cio_analytics.cli import main
from cio_analytics.testing import LocalServer

from ._support import counts, folder_of, run_child, segments


def _orphan(server: LocalServer, spool_dir: Path, n: int) -> None:
    """Leave ``n`` undelivered messages in the spool: a process accepts them and dies."""
    completed = run_child(
        f"""
        import os, signal
        import cio_analytics as analytics
        analytics.upload_interval = 60
        analytics.upload_size = 10_000
        for i in range({n}):
            analytics.track("u", "FromShell", {{"i": i}})
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        server,
        spool_dir,
    )
    assert completed.returncode == -signal.SIGKILL


@pytest.fixture(name="env")
def fixture_env(monkeypatch: pytest.MonkeyPatch, server: LocalServer) -> None:
    """The key and host of ``server`` in the environment, as an operator would set them."""
    monkeypatch.setenv("CUSTOMERIO_API_KEY", server.write_key or "")
    monkeypatch.setenv("CUSTOMERIO_HOST", server.url)


@pytest.mark.usefixtures("env")
def test_ls_replay_and_purge(
    server: LocalServer, spool_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ls shows what waits, replay delivers it (exit 0), purge has nothing left to remove."""
    _orphan(server, spool_dir, 120)
    assert main(["spool", "ls", str(spool_dir)]) == 0
    out = capsys.readouterr().out
    assert "120 message(s) waiting" in out and "orphaned" in out
    assert main(["spool", "replay", str(spool_dir), "--timeout", "30"]) == 0
    out = capsys.readouterr().out
    assert "120 delivered, 0 failed" in out
    assert sorted(counts(server, "FromShell")) == list(range(120))
    assert segments(folder_of(spool_dir, server)) == []
    assert main(["spool", "purge", str(spool_dir)]) == 0
    assert "0 segment(s)" in capsys.readouterr().out


@pytest.mark.usefixtures("env")
def test_purge_lists_first_and_deletes_with_yes(
    server: LocalServer, spool_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """purge without --yes deletes nothing; with --yes the orphaned segment is gone."""
    _orphan(server, spool_dir, 10)
    assert main(["spool", "purge", str(spool_dir)]) == 0
    assert "would remove 1 segment(s), 10 undelivered" in capsys.readouterr().out
    assert len(segments(folder_of(spool_dir, server))) == 1
    assert main(["spool", "purge", str(spool_dir), "--yes"]) == 0
    assert "removed 1 segment(s)" in capsys.readouterr().out
    assert segments(folder_of(spool_dir, server)) == []


@pytest.mark.usefixtures("env")
def test_doctor_checks_the_spool_directory(
    server: LocalServer, spool_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """doctor says where the spool is and what waits; a symlinked directory is a problem."""
    assert main(["doctor", "--spool-dir", str(spool_dir)]) == 0
    assert "0700, yours" in capsys.readouterr().out
    link = tmp_path / "link"
    link.symlink_to(spool_dir)
    assert main(["doctor", "--spool-dir", str(link)]) == 1
    assert "symbolic link" in capsys.readouterr().out


def test_not_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A DIR that does not exist is bad input (exit 2)."""
    assert main(["spool", "ls", str(tmp_path / "nope")]) == 2
    assert "is not a directory" in capsys.readouterr().err
