"""End to end through the public API against the local Customer.io-compatible server."""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import cio_analytics
from cio_analytics import Client, __version__
from cio_analytics.errors import (
    AuthenticationError,
    DeliveryError,
    QueueFullError,
    RejectedError,
    RetriesExhaustedError,
    ShutdownTimeoutError,
)
from cio_analytics.testing import LocalServer

_ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$")


class Failures:
    """An on_error callback that records what it is given."""

    def __init__(self) -> None:
        self.calls: list[tuple[BaseException, list[dict[str, Any]]]] = []
        self._lock = threading.Lock()

    def __call__(self, error: BaseException, messages: list[dict[str, Any]]) -> None:
        with self._lock:
            self.calls.append((error, messages))

    @property
    def message_ids(self) -> list[str]:
        return [m["messageId"] for _, batch in self.calls for m in batch]

    def errors_of(self, cls: type[BaseException]) -> list[BaseException]:
        return [e for e, _ in self.calls if isinstance(e, cls)]


@pytest.fixture(name="server")
def fixture_server() -> Iterator[LocalServer]:
    """A local server on 127.0.0.1."""
    with LocalServer() as server:
        yield server


@pytest.fixture(name="failures")
def fixture_failures() -> Failures:
    return Failures()


def make_client(server: LocalServer, failures: Failures | None = None, **kwargs: Any) -> Client:
    """A client pointed at ``server`` that sends partial batches quickly."""
    options: dict[str, Any] = {"upload_interval": 0.02, "shutdown_timeout": 5.0}
    options.update(kwargs)
    return Client(write_key=server.write_key, host=server.url, on_error=failures, **options)


@pytest.fixture(name="client")
def fixture_client(server: LocalServer, failures: Failures) -> Iterator[Client]:
    client = make_client(server, failures)
    yield client
    client.shutdown(5)


class TestWireFormat:
    """What goes over HTTP."""

    def test_every_call_type_arrives_in_wire_shape(
        self, client: Client, server: LocalServer
    ) -> None:
        """identify, track, page, screen, group and alias arrive with camelCase fields."""
        ids = [
            client.identify("u1", {"email": "a@example.com"}),
            client.track("u1", "Order Completed", {"total": 9.5}),
            client.page("u1", "Docs", "Intro", {"url": "https://example.com/intro"}),
            client.screen(anonymous_id="anon-1", name="Home"),
            client.group("u1", "acme", {"name": "Acme"}, object_type_id=2),
            client.alias("anon-1", "u1"),
        ]
        assert client.flush(timeout=10)
        assert [m["messageId"] for m in server.messages] == ids
        identify, track, page, screen, group, alias = server.messages
        assert identify["type"] == "identify" and identify["traits"] == {"email": "a@example.com"}
        assert track["event"] == "Order Completed" and track["properties"] == {"total": 9.5}
        assert page["name"] == "Intro" and page["properties"]["category"] == "Docs"
        assert screen["anonymousId"] == "anon-1" and "userId" not in screen
        assert group["groupId"] == "acme" and group["traits"]["objectTypeId"] == "2"
        assert alias["previousId"] == "anon-1" and alias["userId"] == "u1"
        for message in server.messages:
            assert message["context"]["library"] == {
                "name": "cio-analytics",
                "version": __version__,
            }
            assert _ISO_MS.match(message["timestamp"])
            assert None not in message.values()
        assert server.rejections == []

    def test_headers_and_envelope(self, client: Client, server: LocalServer) -> None:
        """Basic auth, User-Agent, strict mode and sentAt are on every request."""
        client.track("u1", "E")
        assert client.flush(timeout=10)
        (request,) = server.requests
        assert request.path == "/v1/batch"
        headers = {k.lower(): v for k, v in request.headers.items()}
        expected = base64.b64encode(f"{server.write_key}:".encode()).decode()
        assert headers["authorization"] == f"Basic {expected}"
        assert headers["user-agent"] == f"cio-analytics-python/{__version__}"
        assert headers["x-strict-mode"] == "1"
        assert headers["content-type"] == "application/json"
        assert not request.gzip

    def test_gzip(self, server: LocalServer) -> None:
        """gzip=True compresses bodies, and the messages arrive intact."""
        with make_client(server, gzip=True) as client:
            client.track("u1", "Compressed", {"text": "x" * 2000})
            assert client.flush(timeout=10)
        assert server.requests[0].gzip
        assert server.events("Compressed")[0]["properties"]["text"] == "x" * 2000

    def test_strict_mode_can_be_turned_off(self, server: LocalServer) -> None:
        """strict=False omits the X-Strict-Mode header."""
        with make_client(server, strict=False) as client:
            client.track("u1", "E")
            assert client.flush(timeout=10)
        headers = {k.lower() for k in server.requests[0].headers}
        assert "x-strict-mode" not in headers


class TestBatching:
    """Batches by count, by bytes and by time."""

    def test_by_count(self, server: LocalServer) -> None:
        """Without a backlog upload_size bounds a request; flush sends the partial rest."""
        with make_client(server, upload_size=10, upload_interval=30, max_in_flight=1) as client:
            for i in range(15):
                client.track("u1", "E", {"i": i})
            assert client.flush(timeout=10)
        assert sorted(r.message_count for r in server.requests) == [5, 10]
        # One batch in flight at a time: the messages arrive in the order of the calls.
        assert [m["properties"]["i"] for m in server.messages] == list(range(15))

    def test_a_backlog_is_sent_in_bigger_batches(self, server: LocalServer) -> None:
        """With twice upload_size queued, requests grow past upload_size (under the byte limit)."""
        with make_client(server, upload_size=10, upload_interval=30) as client:
            for i in range(500):
                client.track("u1", "E", {"i": i})
            assert client.flush(timeout=10)
        counts = [r.message_count for r in server.requests]
        assert sum(counts) == 500 and max(counts) > 10
        assert sorted(m["properties"]["i"] for m in server.messages) == list(range(500))

    def test_by_bytes(self, server: LocalServer) -> None:
        """max_batch_bytes bounds every request body, envelope included."""
        with make_client(server, max_batch_bytes=40_000, upload_interval=30) as client:
            for i in range(12):
                client.track("u1", "Big", {"i": i, "text": "y" * 9_000})
            assert client.flush(timeout=10)
        assert server.message_count == 12
        # About 9.2 KB each: four fit under 40,000 bytes, a fifth would not.
        assert [r.message_count for r in server.requests] == [4, 4, 4]
        assert all(r.body_size <= 40_000 for r in server.requests)

    def test_by_time(self, server: LocalServer) -> None:
        """A lone message is sent after upload_interval without any flush."""
        with make_client(server, upload_interval=0.05) as client:
            client.track("u1", "Lonely")
            assert server.wait_for_messages(1, timeout=10)


class TestRetries:
    """Transient failures are retried; final ones are reported once."""

    def test_5xx_then_success(self, client: Client, server: LocalServer) -> None:
        """Two 503s then success: delivered once, two retries counted."""
        server.fail_next(2, status=503)
        message_id = client.track("u1", "E")
        assert client.flush(timeout=30)
        assert [m["messageId"] for m in server.messages] == [message_id]
        stats = client.stats()
        assert (stats.delivered, stats.failed, stats.retries) == (1, 0, 2)

    def test_retry_after(self, client: Client, server: LocalServer) -> None:
        """A 429 with Retry-After is waited out and the message then delivered."""
        server.rate_limit_next(1, retry_after="1")
        client.track("u1", "E")
        assert client.flush(timeout=30)
        assert server.message_count == 1
        assert client.stats().retries == 1

    def test_400_is_not_retried(
        self, client: Client, server: LocalServer, failures: Failures
    ) -> None:
        """A 400 for a single message is reported as RejectedError after one request."""
        server.fail_next(1, status=400)
        message_id = client.track("u1", "E")
        assert client.flush(timeout=10)
        assert len(server.requests) == 1
        assert failures.message_ids == [message_id]
        assert isinstance(failures.calls[0][0], RejectedError)
        assert client.stats().failed_by_reason == {"rejected": 1}

    def test_poisoned_message_is_isolated(
        self, server: LocalServer, failures: Failures
    ) -> None:
        """One invalid message in a batch of 100 is bisected out; the other 99 arrive."""
        server.reject_messages(lambda m: "poison" if m.get("event") == "Poison" else None)
        with make_client(server, failures, upload_size=100, upload_interval=30) as client:
            ids = [client.track("u1", "Poison" if i == 37 else "Fine") for i in range(100)]
            assert client.flush(timeout=30)
        assert sorted(m["messageId"] for m in server.messages) == sorted(ids[:37] + ids[38:])
        assert failures.message_ids == [ids[37]]
        assert client.stats().delivered == 99

    def test_wrong_key(self, server: LocalServer, failures: Failures) -> None:
        """A refused key is not retried, is reported, and the error never shows the key."""
        client = Client(
            write_key="definitely-wrong-key",
            host=server.url,
            on_error=failures,
            upload_interval=0.02,
        )
        with client:
            client.track("u1", "E")
            assert client.flush(timeout=10)
        assert len(server.requests) == 1
        (error,) = failures.errors_of(AuthenticationError)
        assert "write_key" in str(error)
        assert "definitely-wrong-key" not in str(error)
        assert "definitely-wrong-key" not in repr(error)

    def test_retries_exhausted(self, server: LocalServer, failures: Failures) -> None:
        """A server failing past max_retries gets the messages reported, not lost."""
        server.fail_next(10, status=500)
        with make_client(server, failures, max_retries=2) as client:
            message_id = client.track("u1", "E")
            assert client.flush(timeout=30)
        assert len(server.requests) == 3
        assert failures.message_ids == [message_id]
        assert isinstance(failures.calls[0][0], RetriesExhaustedError)


class TestLifecycle:
    """flush and shutdown are bounded and account for every message."""

    def test_flush_times_out_then_completes(self, client: Client, server: LocalServer) -> None:
        """flush(timeout) returns False while the server stalls, True once it answers."""
        server.stall()
        try:
            client.track("u1", "E")
            assert client.flush(timeout=0.2) is False
        finally:
            server.release()
        assert client.flush(timeout=10) is True
        assert server.message_count == 1

    def test_shutdown_under_a_stalled_server(self, server: LocalServer, failures: Failures) -> None:
        """shutdown(timeout) returns within the bound and reports what it could not send."""
        server.stall()
        try:
            client = make_client(server, failures, timeout=30)
            ids = [client.track("u1", "E", {"i": i}) for i in range(5)]
            started = time.monotonic()
            assert client.shutdown(timeout=0.5) is False
            assert time.monotonic() - started < 5
        finally:
            server.release()
        assert sorted(failures.message_ids) == sorted(ids)
        assert failures.errors_of(ShutdownTimeoutError)
        stats = client.stats()
        assert stats.failed == 5 and stats.pending == 0

    def test_shutdown_is_idempotent_and_safe_before_start(self, server: LocalServer) -> None:
        """shutdown twice, or before any call, is fine; the client works afterwards."""
        client = make_client(server)
        assert client.shutdown() is True
        assert client.shutdown() is True
        client.track("u1", "After")
        assert client.flush(timeout=10)
        assert client.shutdown() is True
        assert server.message_count == 1

    def test_context_manager_flushes(self, server: LocalServer) -> None:
        """Leaving the with block delivers what was queued."""
        with make_client(server, upload_interval=30) as client:
            for i in range(3):
                client.track("u1", "E", {"i": i})
        assert server.message_count == 3


class TestQueue:
    """The bounded queue and its accounting."""

    def test_full_queue_drops_newest_and_reports(
        self, server: LocalServer, failures: Failures
    ) -> None:
        """Past max_queue_size new messages are dropped, counted and reported; none block."""
        client = make_client(
            server, failures, max_queue_size=5, upload_size=1000, upload_interval=60
        )
        with client:
            ids = [client.track("u1", "E", {"i": i}) for i in range(8)]
            stats = client.stats()
            assert (stats.enqueued, stats.dropped, stats.queue_depth) == (5, 3, 5)
            assert failures.message_ids == ids[5:]
            assert all(isinstance(e, QueueFullError) for e, _ in failures.calls)
            assert client.flush(timeout=10)
        assert [m["messageId"] for m in server.messages] == ids[:5]

    def test_max_queue_wait_waits_for_room(
        self, server: LocalServer, failures: Failures
    ) -> None:
        """With max_queue_wait a call that finds the queue full waits for room: none dropped."""
        server.set_latency(0.02)
        client = make_client(
            server,
            failures,
            max_queue_size=5,
            upload_size=5,
            upload_interval=60,  # room comes from the waiting call, not from the interval
            max_in_flight=1,
            max_queue_wait=30,
        )
        with client:
            ids = [client.track("u1", "E", {"i": i}) for i in range(60)]
            assert client.flush(timeout=30)
            stats = client.stats()
        assert (stats.enqueued, stats.dropped, stats.delivered) == (60, 0, 60)
        assert failures.calls == []
        assert [m["messageId"] for m in server.messages] == ids  # one sender: in order

    def test_max_queue_wait_is_bounded(self, server: LocalServer, failures: Failures) -> None:
        """Past max_queue_wait the message is dropped, counted and reported as before."""
        server.set_latency(3.0)
        client = make_client(
            server, failures, max_queue_size=2, max_in_flight=1, max_queue_wait=0.05
        )
        with client:
            ids = [client.track("u1", "E", {"i": i}) for i in range(20)]
            stats = client.stats()
            assert stats.dropped > 0
            assert stats.enqueued + stats.dropped == 20
            assert all(isinstance(e, QueueFullError) for e, _ in failures.calls)
            assert client.flush(timeout=30)
        dropped = set(failures.message_ids)
        assert len(dropped) == stats.dropped
        assert sorted(m["messageId"] for m in server.messages) == sorted(
            i for i in ids if i not in dropped
        )

    def test_max_queue_wait_never_holds_the_librarys_threads(
        self, server: LocalServer, failures: Failures
    ) -> None:
        """A call on one of the library's threads (an on_error callback) never waits."""
        server.set_latency(5.0)
        client = make_client(
            server,
            failures,
            max_queue_size=1,
            upload_size=1000,
            upload_interval=60,
            max_in_flight=1,
            max_queue_wait=60,
        )
        with client:
            client.track("u1", "E", {"i": 0})  # fills the queue (nothing takes it for 60 s)
            thread = threading.Thread(
                target=client.track, args=("u1", "E", {"i": 1}), name="cio-analytics-on-error"
            )
            thread.start()
            thread.join(timeout=30)
            assert not thread.is_alive()
            assert client.stats().dropped == 1
            server.set_latency(None)
            assert client.flush(timeout=30)
        assert len(failures.errors_of(QueueFullError)) == 1

    def test_many_threads(self, client: Client, server: LocalServer) -> None:
        """8 threads enqueueing at once lose nothing and duplicate nothing."""
        per_thread = 1000
        ids: list[list[str]] = [[] for _ in range(8)]

        def work(n: int) -> None:
            for i in range(per_thread):
                ids[n].append(client.track(f"user-{n}", "Threaded", {"i": i}))

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert client.flush(timeout=60)
        expected = {i for chunk in ids for i in chunk}
        assert len(expected) == 8 * per_thread
        assert set(server.message_ids()) == expected
        assert server.duplicate_count == 0
        assert client.stats().delivered == 8 * per_thread


class TestModes:
    """sync_mode and send=False."""

    def test_sync_mode_sends_before_returning(self, server: LocalServer) -> None:
        """In sync_mode the message is on the server when track() returns."""
        with make_client(server, sync_mode=True) as client:
            message_id = client.track("u1", "Sync")
            assert [m["messageId"] for m in server.messages] == [message_id]

    def test_sync_mode_raises_after_reporting(
        self, server: LocalServer, failures: Failures
    ) -> None:
        """A final failure in sync_mode is reported to on_error and raised."""
        server.fail_next(1, status=400)
        with make_client(server, failures, sync_mode=True) as client:
            with pytest.raises(DeliveryError):
                client.track("u1", "Sync")
        assert len(failures.calls) == 1

    def test_send_false_sends_nothing(self, server: LocalServer) -> None:
        """send=False validates and returns ids, but no request is made."""
        with make_client(server, send=False) as client:
            assert client.track("u1", "Dry")
            assert client.flush(timeout=5)
        assert server.requests == []


class TestModuleLevel:
    """The module API and its settings."""

    def test_module_settings_and_live_changes(self, server: LocalServer) -> None:
        """Module settings build the default client; later assignments apply to it."""
        cio_analytics.write_key = server.write_key
        cio_analytics.host = server.url
        cio_analytics.upload_interval = 0.02
        first = cio_analytics.track("u1", "Before")
        assert cio_analytics.flush(timeout=10)
        cio_analytics.gzip = True
        second = cio_analytics.track("u1", "After")
        assert cio_analytics.flush(timeout=10)
        assert [m["messageId"] for m in server.messages] == [first, second]
        assert [r.gzip for r in server.requests] == [False, True]
        assert cio_analytics.stats().delivered == 2

    def test_invalid_module_setting_is_refused(self) -> None:
        """Assigning an invalid value raises and leaves the old value in place."""
        cio_analytics.write_key = "k"
        cio_analytics.send = False
        cio_analytics.track("u1", "E")
        with pytest.raises(cio_analytics.ConfigurationError):
            cio_analytics.region = "moon"
        assert cio_analytics.region is None
        assert cio_analytics.get_client().settings.region == "us"
