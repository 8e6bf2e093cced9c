"""An outage far longer than the retry budget: kept on disk, replayed when the API is back.

The budget is shrunk (one retry, half a second) so the outage lasts many
budgets; without a spool every batch would be reported ``retries_exhausted``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from cio_analytics import Client
from cio_analytics.errors import FailureReason, KeptOnDiskError
from cio_analytics.testing import LocalServer

from ._support import counts, folder_of, segments, wait_for


class Reports:
    """An on_error that records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[BaseException, list[dict[str, Any]]]] = []

    def __call__(self, error: BaseException, messages: list[dict[str, Any]]) -> None:
        self.calls.append((error, messages))


def test_outage_longer_than_the_retry_budget_ends_with_everything_delivered(
    server: LocalServer, spool_dir: Path
) -> None:
    """A 4 s outage against a 0.5 s retry budget: 0 lost, 0 duplicated, each reported once."""
    n = 600
    reports = Reports()
    server.fail_for(4.0, 503)
    started = time.monotonic()
    client = Client(
        write_key=server.write_key,
        host=server.url,
        spool_dir=spool_dir,
        on_error=reports,
        upload_interval=0.02,
        max_retries=1,
        retry_deadline=0.5,
    )
    try:
        for i in range(n):
            client.track("u", "Outage", {"i": i})
        assert wait_for(lambda: client.stats().kept >= n, 15)
        during = client.stats()
        assert during.failed == 0 and during.delivered == 0
        assert wait_for(lambda: len(counts(server, "Outage")) == n, 30)
        assert client.flush(10)
        stats = client.stats()
    finally:
        client.shutdown(5)
    got = counts(server, "Outage")
    duplicated = sum(c - 1 for c in got.values() if c > 1)
    print(
        f"outage: sent {n}, delivered {len(got)}, duplicated {duplicated}, lost {n - len(got)}, "
        f"kept {stats.kept}, replayed {stats.replayed}, "
        f"took {time.monotonic() - started:.1f} s"
    )
    assert duplicated == 0
    assert stats.failed == 0 and stats.pending == 0
    assert stats.replayed >= n
    reported = [m["properties"]["i"] for _, batch in reports.calls for m in batch]
    assert sorted(reported) == list(range(n))  # each kept message reported once, not per probe
    for error, _ in reports.calls:
        assert isinstance(error, KeptOnDiskError)
        assert error.cause is FailureReason.RETRIES_EXHAUSTED
        assert "kept in the spool" in str(error)
    assert segments(folder_of(spool_dir, server)) == []


def test_permanent_rejections_are_not_kept(server: LocalServer, spool_dir: Path) -> None:
    """A 400 for a message is final: reported as rejected, removed from disk, never replayed."""
    reports = Reports()
    server.fail_next(1, 400)
    client = Client(
        write_key=server.write_key,
        host=server.url,
        spool_dir=spool_dir,
        on_error=reports,
        upload_interval=0.02,
    )
    try:
        client.track("u", "Refused", {"i": 0})
        assert client.flush(5)
        stats = client.stats()
    finally:
        client.shutdown(5)
    assert segments(folder_of(spool_dir, server)) == []  # acknowledged: nothing to replay
    assert stats.failed_by_reason == {"rejected": 1}
    assert stats.kept == 0 and stats.replayed == 0
    assert server.message_count == 0


def test_shutdown_deadline_keeps_the_rest_for_the_next_start(
    server: LocalServer, spool_dir: Path
) -> None:
    """What shutdown's deadline cuts off stays on disk, and the client's next start sends it."""
    server.stall()
    client = Client(
        write_key=server.write_key, host=server.url, spool_dir=spool_dir, upload_interval=0.02
    )
    try:
        for i in range(50):
            client.track("u", "Cut", {"i": i})
        assert server.wait_for_stalled(1, 5)
        client.shutdown(0.3)
        assert client.stats().kept == 50 and client.stats().failed == 0
        server.clear_faults()
        client.flush(1)  # starts again: the released segment is claimed and replayed
        assert wait_for(lambda: len(counts(server, "Cut")) == 50, 15)
    finally:
        client.shutdown(5)
