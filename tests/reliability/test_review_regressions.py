"""Regressions found by reviewing the consumer: each case once lost, stuck or spun."""

from __future__ import annotations

import contextlib
import logging
import math
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from cio_analytics import Client
from cio_analytics.testing import LocalServer

from .conftest import BOUND


@pytest.fixture(name="server")
def fixture_server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


@contextlib.contextmanager
def _ctrl_c_after(seconds: float) -> Iterator[None]:
    """Raise KeyboardInterrupt in the main thread ``seconds`` from now (a simulated Ctrl-C)."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt("simulated Ctrl-C")

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _client(server: LocalServer, **kwargs: Any) -> Client:
    options: dict[str, Any] = {"upload_interval": 0.05, **kwargs}
    return Client(write_key=server.write_key, host=server.url, **options)


class TestShutdownRecovers:
    """A shutdown that ends abnormally still leaves a working client."""

    def test_infinite_timeout(self, server: LocalServer) -> None:
        """shutdown(timeout=inf) waits without limit and later calls are delivered."""
        client = _client(server)
        client.track("u1", "E0")
        assert client.shutdown(timeout=math.inf)
        client.track("u1", "E1")
        assert client.flush(timeout=BOUND)
        assert [m["event"] for m in server.messages] == ["E0", "E1"]
        client.shutdown(BOUND)

    def test_interrupted_shutdown(self, server: LocalServer) -> None:
        """A KeyboardInterrupt inside shutdown() leaves a client that still delivers."""
        client = _client(server)
        server.stall()
        try:
            client.track("u1", "Stalled")
            assert server.wait_for_stalled(1, BOUND)
            with _ctrl_c_after(0.3), pytest.raises(KeyboardInterrupt):
                client.shutdown(timeout=30)
        finally:
            server.release()
        client.track("u1", "After")
        assert client.flush(timeout=BOUND)
        assert server.events("After")
        client.shutdown(BOUND)


class TestAccounting:
    """Every accepted message has one outcome, and flush() waits for the right ones."""

    def test_interrupted_send_batch(self, server: LocalServer) -> None:
        """An interrupted send_batch reports what it did not deliver; nothing stays pending."""
        client = _client(server)
        server.stall()
        try:
            with _ctrl_c_after(0.3), pytest.raises(KeyboardInterrupt):
                client.send_batch(
                    [("track", {"user_id": "u", "event": f"E{i}"}) for i in range(10)],
                    batch_size=5,
                )
        finally:
            server.release()
        stats = client.stats()
        assert stats.pending == 0
        assert stats.delivered + stats.failed == 10
        client.track("u", "after")
        assert client.flush(timeout=BOUND)
        client.shutdown(BOUND)

    def test_flush_is_not_satisfied_by_a_bulk_send(self, server: LocalServer) -> None:
        """flush() waits for queued messages even while send_batch settles others."""
        client = _client(server)
        server.rate_limit_next(1, retry_after="1")
        ids = [client.track("u", "Queued", {"i": i}) for i in range(5)]
        bulk = threading.Thread(
            target=client.send_batch,
            args=([("track", {"user_id": "u", "event": "Bulk"}) for _ in range(5)],),
        )
        bulk.start()
        assert client.flush(timeout=BOUND)
        arrived = {m["messageId"] for m in server.events("Queued")}
        assert set(ids) <= arrived
        bulk.join(BOUND)
        client.shutdown(BOUND)

    def test_split_batch_shares_the_retry_deadline(self, server: LocalServer) -> None:
        """The halves of a batch split after a 400 share its retry_deadline."""
        client = _client(server, retry_deadline=1.0, upload_interval=30)
        server.script([400] + [("429", "0.3")] * 40)
        for i in range(8):
            client.track("u", "E", {"i": i})
        started = time.monotonic()
        assert client.flush(timeout=BOUND)
        assert time.monotonic() - started < 3.0
        assert client.stats().failed == 8
        client.shutdown(BOUND)


class TestBrokenLogHandler:
    """A log handler that raises cannot break a call or the consumer thread."""

    def test_handler_that_raises(self, server: LocalServer) -> None:
        """track() never raises the handler's error, and the consumer keeps delivering."""

        class Broken(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                raise RuntimeError("handler bug")

        library = logging.getLogger("cio_analytics")
        handler = Broken()
        library.addHandler(handler)
        reported: list[str] = []
        try:
            client = _client(server, on_error=lambda e, m: reported.append(type(e).__name__))
            server.fail_next(1, status=400)
            client.track("u", "Rejected")
            assert client.flush(timeout=BOUND)
            client.track("u", "Later")
            assert client.flush(timeout=BOUND)
            assert reported == ["RejectedError"]
            assert server.events("Later")
            client.shutdown(BOUND)
        finally:
            library.removeHandler(handler)
