"""Concurrency: many callers, flush and shutdown from other threads, hostile callbacks.

Every test bounds its threads (counts and joins with timeouts) and checks, by
messageId, that each message had exactly one outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cio_analytics import Client
from cio_analytics.errors import DeliveryError, FailureReason
from cio_analytics.testing import LocalServer

from ._outcomes import ErrorLog, assert_outcomes, classify, wait_until
from .conftest import BOUND, MakeClient

Call = Callable[[Client, int, int], str]

#: Every message-producing call of the public API, as (name, call(client, thread, i)).
CALLS: list[tuple[str, Call]] = [
    ("identify", lambda c, t, i: c.identify(f"u{t}", {"n": i})),
    ("track", lambda c, t, i: c.track(f"u{t}", "Threaded", {"n": i})),
    ("page", lambda c, t, i: c.page(f"u{t}", "Docs", "Intro", {"n": i})),
    ("screen", lambda c, t, i: c.screen(f"u{t}", name="Home", properties={"n": i})),
    ("group", lambda c, t, i: c.group(f"u{t}", f"g{i}", {"name": "G"}, object_type_id=1)),
    ("alias", lambda c, t, i: c.alias(f"anon-{t}-{i}", f"u{t}")),
    ("delete_user", lambda c, t, i: c.delete_user(f"u{t}-{i}")),
    ("suppress_user", lambda c, t, i: c.suppress_user(f"u{t}-{i}")),
    ("unsuppress_user", lambda c, t, i: c.unsuppress_user(f"u{t}-{i}")),
    ("add_device", lambda c, t, i: c.add_device(f"u{t}", f"token-{t}-{i}", "ios")),
    ("delete_device", lambda c, t, i: c.delete_device(f"u{t}", f"token-{t}-{i}")),
    ("create_object", lambda c, t, i: c.create_object(f"o{t}-{i}", {"name": "O"})),
    ("update_object", lambda c, t, i: c.update_object(f"o{t}-{i}", {"name": "P"})),
    ("create_relationship", lambda c, t, i: c.create_relationship(f"u{t}", f"o{t}-{i}")),
    ("delete_relationship", lambda c, t, i: c.delete_relationship(f"u{t}", f"o{t}-{i}")),
    ("delete_object", lambda c, t, i: c.delete_object(f"o{t}-{i}")),
    ("report_delivery_event", lambda c, t, i: c.report_delivery_event(f"d{t}-{i}", "opened")),
    (
        "report_content_event",
        lambda c, t, i: c.report_content_event("viewed_content", i, user_id=f"u{t}"),
    ),
]


class Workers:
    """Bounded worker threads that record what they returned and what they raised."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.raised: list[BaseException] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self, target: Callable[[], list[str] | None], n: int = 1) -> None:
        """Start ``n`` threads running ``target``; ids it returns are collected."""

        def run() -> None:
            try:
                got = target()
            except BaseException as exc:  # recorded, and failed on in join()
                with self._lock:
                    self.raised.append(exc)
                return
            if got:
                with self._lock:
                    self.ids.extend(got)

        for _ in range(n):
            thread = threading.Thread(target=run, daemon=True)
            self._threads.append(thread)
            thread.start()

    def join(self, timeout: float = BOUND) -> None:
        """Join every thread (bounded) and fail on any exception they raised."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = [t for t in self._threads if t.is_alive()]
        assert not alive, f"{len(alive)} thread(s) still running after {timeout} s"
        assert not self.raised, f"a worker raised: {self.raised[0]!r}"


@pytest.fixture(autouse=True)
def _collect_garbage_here() -> Iterator[None]:
    """Collect garbage at the end of each test, so a leaked socket is blamed on its own test."""
    yield
    gc.collect()


@pytest.fixture(name="fast_switching")
def fixture_fast_switching() -> Iterator[None]:
    """Switch threads far more often than usual, so races show up in a few rounds."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


class TestManyCallers:
    """Every API function from many threads at once."""

    def test_every_call_from_many_threads_while_others_flush(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """8 threads x every call x 40, flush() and stats() looping elsewhere: all arrive once."""
        client = make_client(upload_size=50, upload_interval=0.01, max_queue_size=100_000)
        start = threading.Barrier(8 + 3)
        done = threading.Event()
        flush_results: list[bool] = []
        bad_snapshots: list[Any] = []

        def caller(t: int) -> list[str]:
            start.wait(BOUND)
            return [call(client, t, i) for i in range(40) for _, call in CALLS]

        def flusher() -> None:
            start.wait(BOUND)
            while not done.is_set():
                flush_results.append(client.flush(timeout=BOUND))

        def reader() -> None:
            start.wait(BOUND)
            while not done.is_set():
                s = client.stats()
                if s.delivered + s.failed > s.enqueued or s.queue_depth < 0 or s.in_flight < 0:
                    bad_snapshots.append(s)
                done.wait(0.001)

        callers, others = Workers(), Workers()
        for t in range(8):
            callers.start(lambda t=t: caller(t))
        others.start(flusher, 2)
        others.start(reader)
        callers.join()
        done.set()
        others.join()
        assert client.flush(timeout=BOUND)
        assert all(flush_results), "a flush(timeout) gave up against a healthy server"
        assert not bad_snapshots, bad_snapshots[:3]
        assert len(callers.ids) == 8 * 40 * len(CALLS)
        assert_outcomes(client, callers.ids, server, errors)
        assert server.rejections == []


class TestConcurrentShutdown:
    """shutdown() called while other threads keep sending."""

    ROUNDS = 150

    def _rounds(self, client: Client, stop_when: Callable[[list[str]], bool]) -> list[str]:
        """Rounds of 3 producers racing one shutdown(10); stop early once ``stop_when`` holds."""
        ids: list[str] = []
        for _ in range(self.ROUNDS):
            start = threading.Barrier(4)

            def produce(start: threading.Barrier = start) -> list[str]:
                start.wait(BOUND)
                return [client.track("u", "Racing", {"n": i}) for i in range(100)]

            workers = Workers()
            workers.start(produce, 3)
            start.wait(BOUND)
            client.shutdown(timeout=10.0)
            workers.join()
            ids.extend(workers.ids)
            # Nothing may stay stranded: without a flush the pipeline settles by itself.
            assert wait_until(lambda: client.stats().pending == 0, BOUND), client.stats()
            if stop_when(ids):
                break
        return ids

    def test_each_message_has_one_outcome(
        self,
        make_client: MakeClient,
        server: LocalServer,
        errors: ErrorLog,
        fast_switching: None,
    ) -> None:
        """With shutdown() racing producers no message is both delivered and reported, none lost."""
        client = make_client(upload_size=20, upload_interval=0.005)

        def double_outcome(ids: list[str]) -> bool:
            return bool(classify(ids, server, errors).both)

        ids = self._rounds(client, double_outcome)
        assert_outcomes(client, ids, server, errors, reasons={FailureReason.SHUTDOWN})

    def test_shutdown_with_time_left_fails_nothing(
        self,
        make_client: MakeClient,
        server: LocalServer,
        errors: ErrorLog,
        fast_switching: None,
    ) -> None:
        """A shutdown(10) that ends early against a healthy server reports no racing message."""
        client = make_client(upload_size=20, upload_interval=0.005)
        ids = self._rounds(client, lambda ids: bool(errors.snapshot()))
        assert errors.snapshot() == [], errors.snapshot()[0].error
        assert_outcomes(client, ids, server, errors)


class TestOnErrorCallbacks:
    """on_error callbacks that raise or block cannot break delivery."""

    def test_on_error_that_raises(self, make_client: MakeClient, server: LocalServer) -> None:
        """An on_error raising RuntimeError: failures still counted, later messages still arrive."""
        seen = ErrorLog()

        def explode(error: BaseException, messages: list[dict[str, Any]]) -> None:
            seen(error, messages)
            raise RuntimeError("on_error blew up")

        server.reject_messages(lambda m: "bad" if m.get("event") == "Bad" else None)
        client = make_client(on_error=explode, upload_size=10)
        ids = [client.track("u", "Bad" if i % 10 == 0 else "Good", {"i": i}) for i in range(100)]
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, seen, reasons={FailureReason.REJECTED})
        assert len(outcome.reported) == 10
        server.reject_messages(None)
        later = [client.track("u", "Later", {"i": i}) for i in range(20)]
        assert client.flush(timeout=BOUND)
        assert_outcomes(client, ids + later, server, seen, reasons={FailureReason.REJECTED})

    def test_on_error_that_raises_cancelled_error(
        self, make_client: MakeClient, server: LocalServer
    ) -> None:
        """An on_error raising asyncio.CancelledError does not stop later deliveries."""
        seen = ErrorLog()

        def cancel(error: BaseException, messages: list[dict[str, Any]]) -> None:
            seen(error, messages)
            raise asyncio.CancelledError

        server.fail_next(1, status=400)
        client = Client(
            write_key=server.write_key, host=server.url, on_error=cancel, upload_interval=0.02
        )
        try:
            first = client.track("u", "Rejected")
            assert client.flush(timeout=BOUND)
            later = [client.track("u", "Later", {"i": i}) for i in range(10)]
            assert client.flush(timeout=3.0), "later messages are stuck: the consumer thread died"
            assert_outcomes(
                client, [first, *later], server, seen, reasons={FailureReason.REJECTED}
            )
        finally:
            with contextlib.suppress(BaseException):  # the callback raises into shutdown too
                client.shutdown(timeout=5.0)

    def test_on_error_that_blocks(self, make_client: MakeClient, server: LocalServer) -> None:
        """While on_error blocks the consumer, callers never block and flush(timeout) returns."""
        seen = ErrorLog()
        entered = threading.Event()
        release = threading.Event()

        def block(error: BaseException, messages: list[dict[str, Any]]) -> None:
            seen(error, messages)
            entered.set()
            release.wait(BOUND)

        server.fail_next(1, status=400)
        client = make_client(on_error=block, upload_size=10)
        try:
            first = client.track("u", "Rejected")
            assert entered.wait(BOUND)
            started = time.monotonic()
            workers = Workers()
            workers.start(lambda: [client.track("u", "Meanwhile", {"i": i}) for i in range(200)], 4)
            workers.join()
            assert time.monotonic() - started < 10.0
            started = time.monotonic()
            assert client.flush(timeout=0.5) is False
            assert time.monotonic() - started < 5.0
        finally:
            release.set()
        assert client.flush(timeout=BOUND)
        assert_outcomes(
            client, [first, *workers.ids], server, seen, reasons={FailureReason.REJECTED}
        )

    def test_shutdown_is_bounded_while_on_error_blocks(
        self, make_client: MakeClient, server: LocalServer
    ) -> None:
        """shutdown(1.0) returns within a bound even while on_error is blocked in the consumer."""
        entered = threading.Event()
        release = threading.Event()

        def block(error: BaseException, messages: list[dict[str, Any]]) -> None:
            entered.set()
            release.wait(BOUND)

        server.fail_next(1, status=400)
        client = make_client(on_error=block, upload_size=10)
        # The callback blocks for 6 s; a shutdown bounded by its 1 s timeout ends well before.
        releaser = threading.Timer(6.0, release.set)
        try:
            client.track("u", "Rejected")
            assert entered.wait(BOUND)
            for i in range(20):
                client.track("u", "Queued", {"i": i})
            releaser.start()
            started = time.monotonic()
            client.shutdown(timeout=1.0)
            elapsed = time.monotonic() - started
        finally:
            releaser.cancel()
            release.set()
        assert elapsed < 5.0, f"shutdown(timeout=1.0) took {elapsed:.1f} s"


class TrackingHandler(logging.Handler):
    """A logging handler that itself calls track() for every record it sees."""

    def __init__(self, client_ref: list[Client]) -> None:
        super().__init__(logging.DEBUG)
        self.client_ref = client_ref
        self.ids: list[str] = []
        self.depth = 0
        self.max_depth = 0
        self.failures: list[BaseException] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if not self.client_ref:
            return
        self.depth += 1
        self.max_depth = max(self.max_depth, self.depth)
        try:
            client = self.client_ref[0]
            message_id = client.track("logger", "Log Record", {"level": record.levelname})
            with self._lock:
                self.ids.append(message_id)
        except DeliveryError as exc:
            self.failures.append(exc)
        finally:
            self.depth -= 1


@pytest.fixture(name="tracking_handler")
def fixture_tracking_handler() -> Iterator[TrackingHandler]:
    """A TrackingHandler on the cio_analytics logger at DEBUG, removed afterwards."""
    client_ref: list[Client] = []
    handler = TrackingHandler(client_ref)
    library = logging.getLogger("cio_analytics")
    level = library.level
    library.addHandler(handler)
    library.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        client_ref.clear()
        library.removeHandler(handler)
        library.setLevel(level)


class TestLoggingHandlerThatTracks:
    """A log handler calling track() for the library's own records."""

    def test_async_pipeline(
        self,
        make_client: MakeClient,
        server: LocalServer,
        errors: ErrorLog,
        tracking_handler: TrackingHandler,
    ) -> None:
        """Failures logged (and tracked by the handler) neither deadlock nor recurse; all settle."""
        server.script([500, 503, 400, 200, (429, "0"), 200])
        client = make_client(upload_size=10, max_retries=4)
        tracking_handler.client_ref.append(client)
        ids = [client.track("u", "Work", {"i": i}) for i in range(50)]
        assert client.flush(timeout=BOUND)
        assert tracking_handler.ids, "the library logged nothing for these failures"
        # The handler's own messages (made while the pipeline logs) must settle too.
        assert wait_until(lambda: client.stats().pending == 0, BOUND)
        tracking_handler.client_ref.clear()
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(
            client,
            ids + tracking_handler.ids,
            server,
            errors,
            reasons={FailureReason.REJECTED},
        )
        assert len(outcome.reported) <= 10
        assert tracking_handler.max_depth == 1

    def test_sync_mode(
        self, make_client: MakeClient, server: LocalServer, tracking_handler: TrackingHandler
    ) -> None:
        """In sync_mode a handler that tracks on failure logs recurses a bounded number of times."""
        server.fail_for(60, status=400)
        client = make_client(sync_mode=True, max_retries=0)
        tracking_handler.client_ref.append(client)
        with pytest.raises(DeliveryError):
            client.track("u", "Sync Work")
        tracking_handler.client_ref.clear()
        assert tracking_handler.max_depth <= 3
        assert len(server.requests) <= 10
        stats = client.stats()
        assert stats.pending == 0, stats
