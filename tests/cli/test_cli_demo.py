"""``cio-analytics demo``: the embedded-server workload and the labelled real-API set."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest

import cio_analytics
from cio_analytics.cli import demo, main
from cio_analytics.cli.demo import DEMO_EVENT, DEMO_USER_PREFIX
from cio_analytics.testing import LocalServer


def _count(output: str, label: str) -> int:
    match = re.search(rf"^  {label}\s+([\d,]+)", output, re.MULTILINE)
    assert match, f"no {label!r} line in:\n{output}"
    return int(match.group(1).replace(",", ""))


def test_demo_on_the_embedded_server(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a key the demo delivers its whole workload exactly once and reports it."""
    assert main(["demo", "--users", "20"]) == 0
    output = capsys.readouterr().out
    assert "embedded local server at http://127.0.0.1:" in output
    sent = _count(output, "messages sent")
    assert sent > 20 * 3
    assert _count(output, "calls made") == sent
    assert _count(output, "delivered") == sent
    assert _count(output, "accepted") == sent
    assert _count(output, "failed") == 0
    assert _count(output, "dropped") == 0
    assert _count(output, "rejected") == 0
    assert _count(output, "duplicates") == 0
    assert _count(output, "retries") == 2  # the 503 and the 429 the server was told to answer
    assert re.search(r"^  throughput\s+[\d,]+\s+messages/s", output, re.MULTILINE)
    sample = output.split("Sample of what the server received\n", 1)[1].split("\n\n", 1)[0]
    assert 3 <= len(sample.splitlines()) <= 5
    assert "identify" in sample
    assert f"OK: all {sent:,} messages were delivered exactly once." in output


def test_demo_is_repeatable_and_leaves_settings_alone(capsys: pytest.CaptureFixture[str]) -> None:
    """The same seed gives the same workload, and the module settings are restored afterwards."""
    assert main(["demo", "--users", "10", "--seed", "7"]) == 0
    first = _count(capsys.readouterr().out, "messages sent")
    assert main(["demo", "--users", "10", "--seed", "7"]) == 0
    assert _count(capsys.readouterr().out, "messages sent") == first
    assert cio_analytics.write_key is None
    assert cio_analytics.host is None
    assert cio_analytics.on_error is None


def test_demo_with_a_key_sends_the_labelled_set(
    cio_server: LocalServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a key set the demo says where it sends, then delivers three labelled messages."""
    monkeypatch.setenv("CUSTOMERIO_API_KEY", str(cio_server.write_key))
    monkeypatch.setenv("CUSTOMERIO_HOST", cio_server.url)
    assert main(["demo"]) == 0
    output = capsys.readouterr().out
    assert (
        f"sends 3 labelled messages to the real Customer.io API at {cio_server.url}/v1/batch"
        in (output)
    )
    assert "from CUSTOMERIO_API_KEY" in output
    assert str(cio_server.write_key) not in output.replace(cio_server.url, "")
    assert [m["type"] for m in cio_server.messages] == ["identify", "track", "page"]
    assert all(m["userId"].startswith(DEMO_USER_PREFIX) for m in cio_server.messages)
    assert cio_server.events(DEMO_EVENT)
    assert "OK: the API accepted all 3 messages." in output


def test_demo_dry_run_sends_nothing(
    cio_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run builds the labelled set without a request."""
    code = main(["demo", "--dry-run", "--write-key", "k", "--host", cio_server.url])
    assert code == 0
    assert "nothing will be sent" in capsys.readouterr().out
    assert cio_server.request_count == 0


def test_demo_with_a_refused_key_fails(
    cio_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key the API refuses makes the demo exit 1 and say why, without printing the key."""
    code = main(["demo", "--write-key", "wrong-key-123", "--host", cio_server.url])
    assert code == 1
    output = capsys.readouterr().out
    assert "FAILED" in output
    assert "unauthorized" in output
    assert "wrong-key-123" not in output


def test_demo_rejects_a_bad_user_count(capsys: pytest.CaptureFixture[str]) -> None:
    """--users 0 is a usage error (exit 2) with a one-line message."""
    assert main(["demo", "--users", "0"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "cio-analytics demo: error: --users must be between 1 and 100000, got 0"


def test_demo_at_5000_users_waits_for_room(capsys: pytest.CaptureFixture[str]) -> None:
    """A workload far faster than delivery still delivers everything: calls wait for room."""
    assert main(["demo", "--users", "5000"]) == 0
    output = capsys.readouterr().out
    sent = _count(output, "messages sent")
    assert sent == _count(output, "calls made") == _count(output, "delivered") > 40_000
    assert _count(output, "dropped") == 0


def test_demo_verdict_says_why_messages_were_dropped() -> None:
    """When calls were dropped the verdict names the full queue and what to change."""
    client = cio_analytics.Client(send=False)
    stats = dataclasses.replace(client.stats(), enqueued=7, delivered=7, dropped=3)
    timer = demo._Timer()
    timer.durations.extend([1e-6] * 10)
    out = io.StringIO()
    run = demo._LocalRun(timer, finished=True, elapsed=1.0, stats=stats)
    assert demo._local_verdict(run, out) == 1
    text = out.getvalue()
    assert text.startswith("FAILED: not every message was delivered exactly once")
    assert "3 call(s) found the queue full for longer than max_queue_wait (10 s)" in text
    assert "max_in_flight or max_queue_size" in text
