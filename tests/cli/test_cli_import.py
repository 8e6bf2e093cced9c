"""``cio-analytics import FILE``: JSON Lines and CSV backfills, bad lines, resuming, exits."""

from __future__ import annotations

import gzip
import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import cio_analytics
from cio_analytics.cli import main
from cio_analytics.testing import LocalServer

JSONL = """\
{"type": "identify", "userId": "u1", "traits": {"email": "a@example.com"}}
{"call": "track", "user_id": "u1", "event": "Signed Up", "properties": {"plan": "pro"}}

{"call": "track", "user_id": "u1"}
not json
{"type": "track", "userId": "u2", "event": "Order Completed", "timestamp": "2025-01-01T00:00:00Z"}
{"call": "ecommerce.order_completed", "user_id": "u3", "order_id": "o-1", "total": 9.5}
[1, 2]
{"call": "add_device", "user_id": "u3", "token": "tok-1", "device_type": "ios"}
{"neither": 1}
"""

CSV = """\
type,user_id,event,name,prop.total:number,prop.vip:bool,trait.email,properties
identify,u1,,,,,a@example.com,
track,u1,Order Completed,,19.90,yes,,"{""currency"": ""USD""}"
track,u2,,,,,,
page,u2,,Pricing,,,,
identify,u3,,,5,,,
track,u4,Signed Up,,abc,,,
bogus,u5,,,,,,
track,u6,Signed Up,,,,,{bad
"""


@pytest.fixture
def env(cio_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """The key and host of ``cio_server`` in the environment."""
    monkeypatch.setenv("CUSTOMERIO_API_KEY", str(cio_server.write_key))
    monkeypatch.setenv("CUSTOMERIO_HOST", cio_server.url)
    return cio_server


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _reported_lines(err: str, path: str) -> list[int]:
    return [
        int(n) for n in re.findall(rf"^cio-analytics import: {re.escape(path)}:(\d+): ", err, re.M)
    ]


def _summary(out: str, label: str) -> int:
    match = re.search(rf"^  {label}\s+([\d,]+)", out, re.MULTILINE)
    assert match, out
    return int(match.group(1).replace(",", ""))


def test_jsonl_reports_bad_lines_and_sends_the_rest(
    env: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad lines are reported by number, in order, and the valid ones all arrive; exit 1."""
    path = _write(tmp_path, "events.jsonl", JSONL)
    assert main(["import", path]) == 1
    out, err = capsys.readouterr()
    assert _reported_lines(err, path) == [4, 5, 8, 10]
    assert f"{path}:4: event is required" in err
    assert f"{path}:5: not valid JSON" in err
    assert [(m["type"], m.get("event"), m.get("userId")) for m in env.messages] == [
        ("identify", None, "u1"),
        ("track", "Signed Up", "u1"),
        ("track", "Order Completed", "u2"),
        ("track", "Order Completed", "u3"),
        ("track", "Device Created or Updated", "u3"),
    ]
    assert env.messages[2]["timestamp"] == "2025-01-01T00:00:00.000+00:00"
    assert env.messages[4]["context"]["device"]["token"] == "tok-1"
    assert _summary(out, "lines read") == 10
    assert _summary(out, "skipped") == 1
    assert _summary(out, "invalid") == 4
    assert _summary(out, "sent") == 5
    assert _summary(out, "delivered") == 5
    assert _summary(out, "failed") == 0


def test_csv_column_mapping(
    env: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CSV columns map onto calls, typed prop./trait. columns convert, bad rows are reported."""
    path = _write(tmp_path, "events.csv", CSV)
    assert main(["import", path]) == 1
    out, err = capsys.readouterr()
    assert _reported_lines(err, path) == [4, 6, 7, 8, 9]
    assert f"{path}:6: an identify row cannot have properties" in err
    assert f"{path}:7: column prop.total:number: 'abc' is not a number" in err
    identify, track, page = env.messages
    assert identify["traits"] == {"email": "a@example.com"}
    assert track["event"] == "Order Completed"
    assert track["properties"] == {"currency": "USD", "total": 19.9, "vip": True}
    assert (page["type"], page["name"]) == ("page", "Pricing")
    assert _summary(out, "rows read") == 8


def test_csv_line_numbers_follow_multiline_fields(
    env: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A quoted field spanning lines does not shift the line numbers reported after it."""
    text = 'type,user_id,event,prop.note\ntrack,u1,E,"two\nlines"\ntrack,u2,,\n'
    path = _write(tmp_path, "multi.csv", text)
    assert main(["import", path]) == 1
    assert _reported_lines(capsys.readouterr().err, path) == [4]
    assert env.messages[0]["properties"] == {"note": "two\nlines"}


def test_clean_file_exits_0(
    env: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file whose lines are all valid is delivered in chunks and the import exits 0."""
    lines = "".join(
        f'{{"call": "track", "user_id": "u{n}", "event": "Imported"}}\n' for n in range(25)
    )
    path = _write(tmp_path, "ok.jsonl", lines)
    assert main(["import", path, "--chunk-size", "10", "--batch-size", "4"]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # not a terminal: no progress line
    assert env.message_count == 25
    assert _summary(out, "delivered") == 25
    assert _summary(out, "requests") == 8  # chunks of 10, 10, 5 in requests of 4 at most


def test_start_line_resumes_and_stable_ids_deduplicate(
    env: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--start-line skips earlier lines; lines sent again keep their message ids."""
    lines = "".join(f'{{"type": "track", "userId": "u{n}", "event": "E"}}\n' for n in range(6))
    path = _write(tmp_path, "resume.jsonl", lines)
    assert main(["import", path]) == 0
    assert main(["import", path, "--start-line", "4"]) == 0
    out = capsys.readouterr().out
    assert env.message_count == 9
    assert [m["userId"] for m in env.messages[6:]] == ["u3", "u4", "u5"]
    assert env.duplicate_count == 3  # the same ids: Customer.io drops the repeats
    assert _summary(out.split("import ")[-1], "skipped") == 3


def test_random_ids_differ_between_runs(
    env: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--random-ids gives each run new message ids."""
    path = _write(tmp_path, "r.jsonl", '{"type": "track", "userId": "u1", "event": "E"}\n')
    assert main(["import", path, "--random-ids"]) == 0
    assert main(["import", path, "--random-ids"]) == 0
    assert env.message_count == 2
    assert env.duplicate_count == 0


def test_delivery_failures_are_reported_by_line(
    env: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lines the API refuses are reported with their numbers as not delivered; exit 1."""
    env.reject_messages(lambda m: "refused by the test" if m.get("userId") != "u0" else None)
    lines = "".join(f'{{"type": "track", "userId": "u{n}", "event": "E"}}\n' for n in range(3))
    path = _write(tmp_path, "e.jsonl", lines)
    assert main(["import", path]) == 1
    out, err = capsys.readouterr()
    assert _reported_lines(err, path) == [2, 3]
    assert "not delivered" in err
    assert _summary(out, "failed") == 2
    assert "resend the lines not delivered with --start-line 2" in out


def test_a_refused_key_stops_the_import_at_once(
    cio_server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 401 stops the import after its first request, with one message and the resume line."""
    lines = "".join(f'{{"type": "track", "userId": "u{n}", "event": "E"}}\n' for n in range(500))
    path = _write(tmp_path, "k.jsonl", lines)
    code = main(["import", path, "--write-key", "wrong-key-7", "--host", cio_server.url])
    assert code == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1
    assert "the API refused the write key (HTTP 401)" in err
    assert "wrong-key-7" not in err + out
    assert cio_server.request_count == 1
    assert "import " + path + ": stopped" in out
    assert "resume with --start-line 1 " in out
    assert _summary(out, "failed") == 100


def test_dry_run_needs_no_key_and_sends_nothing(
    cio_server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run validates every line and exits 0 for a clean file without any request."""
    path = _write(tmp_path, "d.jsonl", '{"type": "track", "userId": "u1", "event": "E"}\n')
    assert main(["import", path, "--dry-run", "--host", cio_server.url]) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing was sent" in out
    assert cio_server.request_count == 0


def test_stdin(
    env: LocalServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """'-' reads standard input in the format --format names."""
    data = b'{"type": "track", "userId": "u1", "event": "E"}\n'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["import", "-", "--format", "jsonl"]) == 0
    assert env.message_count == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_on_a_terminal(
    env: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal a progress line is drawn with carriage returns, and --quiet turns it off."""
    path = _write(tmp_path, "p.jsonl", '{"type": "track", "userId": "u1", "event": "E"}\n' * 3)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["import", path, "--chunk-size", "1"]) == 0
    assert "\rimport" in terminal.getvalue()
    assert "line 3" in terminal.getvalue()
    quiet = _Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    assert main(["import", path, "--quiet"]) == 0
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(
    ("name", "text", "argv", "message"),
    [
        ("missing.jsonl", None, [], "no such file"),
        ("data.txt", "x\n", [], "cannot tell the format"),
        ("bad.csv", "type,user_id,colour\n", [], "unknown CSV column 'colour'"),
        ("nohead.csv", "user_id,event\nu1,E\n", [], 'no "type" column'),
        ("typed.csv", "type,prop.n:float\n", [], "is not PREFIX.KEY[:TYPE]"),
        ("ok.jsonl", "", ["--start-line", "0"], "--start-line must be >= 1"),
        ("ok.jsonl", "", ["--rate", "-1"], "--rate must be >= 0"),
    ],
)
def test_usage_errors_exit_2(
    env: LocalServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str | None,
    argv: list[str],
    message: str,
) -> None:
    """Problems found before anything is sent give exit 2 and one line on stderr."""
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    assert main(["import", str(path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert env.request_count == 0


def test_no_key_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without a key (and without --dry-run) the import does not start."""
    path = _write(tmp_path, "k.jsonl", '{"type": "track", "userId": "u1", "event": "E"}\n')
    assert main(["import", path]) == 2
    assert "no write key" in capsys.readouterr().err


def test_interrupt_reports_where_to_resume(
    env: LocalServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C during a chunk prints the summary and the --start-line that resumes it; exit 130."""
    lines = "".join(f'{{"type": "track", "userId": "u{n}", "event": "E"}}\n' for n in range(30))
    path = _write(tmp_path, "int.jsonl", lines)
    original = cio_analytics.Client.send_batch
    calls = 0

    def interrupted(self: cio_analytics.Client, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cio_analytics.Client, "send_batch", interrupted)
    assert main(["import", path, "--chunk-size", "10"]) == 130
    out = capsys.readouterr().out
    assert "interrupted" in out
    assert "resume with --start-line 11" in out
    assert env.message_count == 10


def test_lines_that_are_not_utf8_are_reported(
    env: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line whose bytes are not UTF-8 is a bad line like any other; the rest still goes."""
    path = tmp_path / "latin1.jsonl"
    line = b'{"type": "track", "userId": "%s", "event": "E"}\n'
    path.write_bytes(b"\xef\xbb\xbf" + line % b"u1" + line % b"caf\xe9" + line % b"u3")
    assert main(["import", str(path)]) == 1
    out, err = capsys.readouterr()
    assert _reported_lines(err, str(path)) == [2]
    assert "not UTF-8 text" in err
    assert [m["userId"] for m in env.messages] == ["u1", "u3"]
    assert _summary(out, "delivered") == 2


def test_csv_with_a_byte_order_mark_and_crlf(
    env: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spreadsheet export (byte-order mark, CRLF line ends) imports cleanly."""
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbftype,user_id,event\r\ntrack,u1,Exported\r\n")
    assert main(["import", str(path)]) == 0
    assert env.messages[0]["event"] == "Exported"


def test_repeated_errors_are_collapsed(
    env: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reason shared by many lines is printed three times, then counted in one line."""
    lines = '{"call": "track", "user_id": "u1"}\n' * 20 + "not json\n"
    path = _write(tmp_path, "same.jsonl", lines)
    assert main(["import", path]) == 1
    out, err = capsys.readouterr()
    assert _reported_lines(err, path) == [1, 2, 3, 21]
    assert f"{path}: ... and 17 more like this (lines 4-20): event is required" in err
    assert len(err.strip().splitlines()) == 5
    assert _summary(out, "invalid") == 21


def test_gzip_file(env: LocalServer, tmp_path: Path) -> None:
    """A .jsonl.gz file is read as gzip, its format taken from the name before .gz."""
    path = tmp_path / "events.jsonl.gz"
    text = "".join(f'{{"type": "track", "userId": "u{n}", "event": "E"}}\n' for n in range(5))
    path.write_bytes(gzip.compress(text.encode()))
    assert main(["import", str(path)]) == 0
    assert [m["userId"] for m in env.messages] == [f"u{n}" for n in range(5)]


@pytest.mark.parametrize(
    ("data", "event"),
    [
        (b'\n{"type": "track", "userId": "u1", "event": "From JSON"}\n', "From JSON"),
        (b"type,user_id,event\ntrack,u1,From CSV\n", "From CSV"),
        (gzip.compress(b"type,user_id,event\ntrack,u1,Gzip CSV\n"), "Gzip CSV"),
    ],
    ids=["jsonl", "csv", "gzip-csv"],
)
def test_stdin_format_is_guessed(
    env: LocalServer, monkeypatch: pytest.MonkeyPatch, data: bytes, event: str
) -> None:
    """'-' without --format: JSON Lines when the first line starts with '{', else CSV; gzip too."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["import", "-"]) == 0
    assert [m["event"] for m in env.messages] == [event]


def test_progress_shows_eta_and_retrying(
    env: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The progress line has an ETA, and says so while a chunk waits to be retried."""
    lines = "".join(f'{{"type": "track", "userId": "u{n}", "event": "E"}}\n' for n in range(300))
    path = _write(tmp_path, "slow.jsonl", lines)
    env.rate_limit_next(1, retry_after="2")
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["import", path, "--chunk-size", "100"]) == 0
    drawn = terminal.getvalue()
    assert "ETA " in drawn
    assert re.search(r"retrying \(1 retry, nothing delivered for \d+ s\)", drawn), drawn
    assert env.message_count == 300


def test_sigterm_prints_the_summary_and_where_to_resume(
    cio_server: LocalServer, tmp_path: Path
) -> None:
    """SIGTERM during a send: the summary, the resume line, exit status 143."""
    lines = "".join(f'{{"type": "track", "userId": "u{n}", "event": "E"}}\n' for n in range(250))
    path = _write(tmp_path, "term.jsonl", lines)
    cio_server.stall()
    env = {
        **os.environ,
        "CUSTOMERIO_API_KEY": str(cio_server.write_key),
        "CUSTOMERIO_HOST": cio_server.url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cio_analytics", "import", path, "--chunk-size", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert cio_server.wait_for_stalled(1, timeout=20.0)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        cio_server.release()
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)
    assert process.returncode == 143, err
    assert "terminated (SIGTERM)" in out
    assert "resume with --start-line 1 " in out
    # The next chunk was read (lines 101-200) while the first one's request
    # stalled; it was not sent: the summary stops there.
    assert _summary(out, "lines read") == 200
    assert _summary(out, "delivered") == 0
    assert cio_server.request_count <= 1
