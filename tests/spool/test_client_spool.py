"""The spool through the Client: settings, the hot path, a full queue, bounds, forks."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

import cio_analytics
from cio_analytics import Client, ConfigurationError
from cio_analytics.errors import EvictedError
from cio_analytics.testing import LocalServer

from ._support import counts, folder_of, last_json, run_child, segments, wait_for


class TestSettings:
    def test_off_by_default_and_the_hot_path_unchanged(self, server: LocalServer) -> None:
        """Without spool_dir a call takes the common path: no spool code on it."""
        client = Client(write_key="k", host=server.url)
        assert not client._spooled
        assert not client._special
        assert client.settings.spool_dir is None
        client.shutdown(1)

    def test_environment_variable(
        self, monkeypatch: pytest.MonkeyPatch, server: LocalServer, spool_dir: Path
    ) -> None:
        """CUSTOMERIO_SPOOL_DIR turns it on; configure(spool_dir=None) goes back to it."""
        monkeypatch.setenv("CUSTOMERIO_SPOOL_DIR", str(spool_dir))
        client = Client(write_key="k", host=server.url)
        try:
            assert client.settings.spool_dir == str(spool_dir)
            assert client._spooled
            assert client._special  # the spooled enqueue is off the common path
            client.configure(spool_max_bytes=1 << 20)
            client.configure(spool_dir=None)
            assert client.settings.spool_dir == str(spool_dir)
        finally:
            client.shutdown(1)

    @pytest.mark.parametrize(
        ("name", "value", "words"),
        [
            ("spool_fsync", "always", "spool_fsync must be one of never, batch, message"),
            ("spool_max_bytes", 10, "spool_max_bytes must be >= 65536"),
            ("spool_max_age", 0, "spool_max_age must be > 0"),
            ("spool_dir", 42, "spool_dir must be a path"),
        ],
    )
    def test_invalid_values_are_refused_where_assigned(
        self, name: str, value: Any, words: str
    ) -> None:
        """Each spool setting is checked at assignment, with an error naming it."""
        with pytest.raises(ConfigurationError, match=words) as caught:
            setattr(cio_analytics, name, value)
        assert caught.value.setting == name
        with pytest.raises(ConfigurationError, match=words):
            Client(write_key="k", **{name: value})

    def test_sync_mode_and_dry_runs_do_not_spool(
        self, server: LocalServer, spool_dir: Path
    ) -> None:
        """Nothing is queued in sync mode or with send=False: nothing is written either."""
        for options in ({"sync_mode": True}, {"send": False}):
            client = Client(write_key="k", host=server.url, spool_dir=spool_dir, **options)
            client.shutdown(1)
        assert not any(spool_dir.rglob("*.seg"))


class TestQueueFull:
    def test_a_full_queue_spills_to_disk_and_nothing_is_dropped(
        self, server: LocalServer, spool_dir: Path
    ) -> None:
        """max_queue_size 50 and 1,000 calls: none dropped, all delivered through replay."""
        reports: list[BaseException] = []
        server.set_delay(0.05)
        client = Client(
            write_key=server.write_key,
            host=server.url,
            spool_dir=spool_dir,
            max_queue_size=50,
            upload_interval=0.01,
            on_error=lambda error, messages: reports.append(error),
        )
        try:
            for i in range(1000):
                client.track("u", "Spilled", {"i": i})
            assert wait_for(lambda: len(counts(server, "Spilled")) == 1000, 30)
            assert client.flush(5)
            stats = client.stats()
        finally:
            client.shutdown(5)
        assert stats.dropped == 0 and reports == []
        assert stats.spooled == 1000
        assert stats.replayed == 1000 - (stats.enqueued - stats.replayed)
        assert stats.pending == 0
        assert max(counts(server, "Spilled").values()) == 1


class TestBounds:
    def test_max_bytes_evicts_the_oldest_and_reports_them(
        self, server: LocalServer, spool_dir: Path
    ) -> None:
        """An outage past spool_max_bytes: the oldest are evicted, counted, reported once each."""
        evicted: list[dict[str, Any]] = []
        in_order: list[bool] = []

        def on_error(error: BaseException, messages: list[dict[str, Any]]) -> None:
            if isinstance(error, EvictedError):
                assert error.bound == "spool_max_bytes"
                numbers = [m["properties"]["i"] for m in messages]
                in_order.append(numbers == sorted(numbers))
                evicted.extend(messages)

        server.fail_for(60, 503)
        client = Client(
            write_key=server.write_key,
            host=server.url,
            spool_dir=spool_dir,
            spool_max_bytes=64 * 1024,
            max_queue_size=20,
            upload_interval=0.01,
            max_retries=0,
            retry_deadline=0.2,
            on_error=on_error,
        )
        try:
            for i in range(1500):
                client.track("u", "Bounded", {"i": i, "pad": "y" * 100})
            assert wait_for(lambda: client.stats().evicted > 0, 10)
            assert wait_for(lambda: client.stats().spool_bytes <= 64 * 1024 + 32 * 1024, 10)
            stats = client.stats()
        finally:
            server.clear_faults()
            client.shutdown(2)
        assert stats.evicted == len(evicted)
        numbers = [m["properties"]["i"] for m in evicted]
        # Oldest segment first among those that hold nothing in memory (the batch
        # being retried is not evictable until it is back on disk).
        assert all(in_order) and len(set(numbers)) == len(numbers)
        assert numbers[0] < 750 and 1499 not in numbers

    def test_max_age_evicts_what_waited_too_long(
        self, server: LocalServer, spool_dir: Path
    ) -> None:
        """Messages older than spool_max_age leave the spool (reported), even without pressure."""
        stale = run_child(
            """
            import os, signal
            import cio_analytics as analytics
            analytics.upload_interval = 60
            analytics.upload_size = 10_000
            for i in range(30):
                analytics.track("u", "Stale", {"i": i})
            os.kill(os.getpid(), signal.SIGKILL)
            """,
            server,
            spool_dir,
        )
        assert stale.returncode != 0
        (segment,) = segments(folder_of(spool_dir, server))
        old = time.time() - 7200
        os.utime(segment, (old, old))
        completed = run_child(
            """
            import json, time
            import cio_analytics as analytics
            seen = []
            analytics.on_error = lambda e, m: seen.append((e.reason.value, len(m)))
            analytics.spool_max_age = 3600
            analytics.get_client().flush(1)  # the client starts: replay (and bounds) too
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not analytics.stats().evicted:
                time.sleep(0.05)
            print(json.dumps({"evicted": analytics.stats().evicted, "seen": seen}))
            """,
            server,
            spool_dir,
        )
        report = last_json(completed.stdout)
        assert report == {"evicted": 30, "seen": [["evicted", 30]]}
        assert server.message_count == 0


class TestFork:
    @pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
    def test_a_forked_child_writes_its_own_segment(
        self, server: LocalServer, spool_dir: Path
    ) -> None:
        """After os.fork the child opens a segment of its own; both sides deliver once."""
        completed = run_child(
            """
            import os
            import cio_analytics as analytics
            analytics.upload_interval = 0.02
            for i in range(20):
                analytics.track("parent", "Forked", {"i": i})
            pid = os.fork()
            if pid == 0:
                for i in range(20, 40):
                    analytics.track("child", "Forked", {"i": i})
                ok = analytics.flush(5)
                names = sorted(os.listdir(analytics.get_client()._context.spool.folder))
                print("child", ok, sum(str(os.getpid()) in n for n in names), flush=True)
                analytics.shutdown(5)
                os._exit(0)
            os.waitpid(pid, 0)
            assert analytics.flush(5)
            """,
            server,
            spool_dir,
        )
        assert completed.returncode == 0, completed.stderr
        assert "child True 1" in completed.stdout
        got = counts(server, "Forked")
        assert sorted(got) == list(range(40)) and max(got.values()) == 1
        assert segments(folder_of(spool_dir, server)) == []
