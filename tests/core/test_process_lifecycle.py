"""Whole processes: delivery at exit, forks, and no thread started where none may be."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pytest

from cio_analytics import Client
from cio_analytics.testing import LocalServer


@pytest.fixture(name="server")
def fixture_server() -> Iterator[LocalServer]:
    with LocalServer(keep_messages=True) as server:
        yield server


def run_script(source: str, server: LocalServer, timeout: float = 120) -> str:
    """Run ``source`` in a fresh interpreter configured for ``server``; return stdout."""
    env = dict(os.environ)
    env.update(CUSTOMERIO_API_KEY=server.write_key or "", CUSTOMERIO_HOST=server.url)
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


class TestExit:
    """A script that enqueues and exits delivers everything."""

    def test_ten_thousand_queued_at_exit(self, server: LocalServer) -> None:
        """10,000 messages queued with no flush all arrive, exactly once, at interpreter exit."""
        run_script(
            """
            import cio_analytics as analytics
            analytics.max_queue_size = 20000
            for i in range(10000):
                analytics.track("user-%d" % (i % 50), "Exit Test", {"i": i})
            """,
            server,
        )
        assert server.message_count == 10_000
        assert server.duplicate_count == 0
        assert sorted(m["properties"]["i"] for m in server.messages) == list(range(10_000))

    def test_exit_is_bounded_by_shutdown_timeout(self, server: LocalServer) -> None:
        """With the server stalled, exit takes about shutdown_timeout and says what was lost."""
        server.stall()
        try:
            completed = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import cio_analytics as a\n"
                    "a.shutdown_timeout = 1.0\n"
                    "a.track('u1', 'Stuck')\n",
                ],
                env={
                    **os.environ,
                    "CUSTOMERIO_API_KEY": server.write_key or "",
                    "CUSTOMERIO_HOST": server.url,
                },
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            server.release()
        assert completed.returncode == 0
        assert "could not be delivered before exit" in completed.stderr


class TestFork:
    """Forked children send their own messages; nobody sends anything twice."""

    def test_fork_with_running_consumer(self, server: LocalServer) -> None:
        """Parent and child each deliver their own messages exactly once."""
        run_script(
            """
            import os
            import cio_analytics as analytics
            analytics.upload_interval = 0.02
            for i in range(100):
                analytics.track("parent", "Before Fork", {"i": i})
            pid = os.fork()
            if pid == 0:
                for i in range(50):
                    analytics.track("child", "In Child", {"i": i})
                ok = analytics.flush(timeout=30)
                os._exit(0 if ok else 3)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0
            for i in range(20):
                analytics.track("parent", "After Fork", {"i": i})
            assert analytics.flush(timeout=30)
            """,
            server,
        )
        assert len(server.events("Before Fork")) == 100
        assert len(server.events("In Child")) == 50
        assert len(server.events("After Fork")) == 20
        assert server.duplicate_count == 0

    def test_prefork_parent_never_sends(self, server: LocalServer) -> None:
        """A parent that only configures (gunicorn style) leaves sending to its workers."""
        run_script(
            """
            import os
            import cio_analytics as analytics
            analytics.upload_interval = 0.02
            children = []
            for worker in range(3):
                pid = os.fork()
                if pid == 0:
                    for i in range(10):
                        analytics.track("worker-%d" % worker, "Work", {"i": i})
                    analytics.shutdown(timeout=30)
                    os._exit(0)
                children.append(pid)
            for pid in children:
                _, status = os.waitpid(pid, 0)
                assert os.waitstatus_to_exitcode(status) == 0
            """,
            server,
        )
        assert len(server.events("Work")) == 30
        assert server.duplicate_count == 0


class TestNoThreadAvailable:
    """When Python refuses a new thread (interpreter shutdown, 3.12+ atexit)."""

    def test_delivers_on_the_calling_thread(
        self, server: LocalServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If Thread.start raises RuntimeError, the message is delivered synchronously."""

        def refuse(self: threading.Thread) -> None:
            raise RuntimeError("can't create new thread at interpreter shutdown")

        client = Client(write_key=server.write_key, host=server.url)
        monkeypatch.setattr(threading.Thread, "start", refuse)
        client.track("u1", "No Thread")
        monkeypatch.undo()
        assert server.message_count == 1
        assert client.stats().delivered == 1
        client.shutdown(1)
