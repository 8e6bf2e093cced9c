"""The fault matrix: every server failure mode, and the exact outcome of every message.

Each case sends messages through the public API to a LocalServer that injects
one kind of fault, then checks by messageId that every message was delivered
(once) or reported to on_error (once, with the right FailureReason), that none
was lost, and that ``stats()`` agrees. Each case adds a row to a table that the
module writes, when it finishes, to the file named by the environment variable
``CIO_FAULT_MATRIX`` (``docs/fault-matrix.md`` is made that way).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import itertools
import threading
import time

import pytest

from cio_analytics import Client
from cio_analytics.errors import (
    AuthenticationError,
    ConfigurationError,
    FailureReason,
    PayloadTooLargeError,
    RejectedError,
    RetriesExhaustedError,
    ShutdownTimeoutError,
)
from cio_analytics.testing import LocalServer

from ._outcomes import (
    MATRIX_ROWS,
    ErrorLog,
    MatrixRow,
    assert_outcomes,
    server_counts,
    wait_until,
)
from .conftest import BOUND, MakeClient

#: This module's rows of the fault matrix (every module of the suite adds to the same list).
ROWS = MATRIX_ROWS


def send(client: Client, n: int, event: str = "Matrix", start: int = 0) -> list[str]:
    """Track ``n`` messages; return their ids in order."""
    return [client.track(f"user-{i % 7}", event, {"i": i}) for i in range(start, start + n)]


def gaps(server: LocalServer) -> list[float]:
    """Seconds between the arrivals of consecutive requests."""
    times = [r.received_at for r in server.requests]
    return [b - a for a, b in itertools.pairwise(times)]


class TestTransientFailures:
    """5xx and 429 are retried until the messages arrive, once each."""

    @pytest.mark.parametrize(
        ("burst", "status", "retry_after"),
        [(1, 500, None), (3, 503, None), (8, 502, "0")],
        ids=["1x500", "3x503", "8x502-retry-after-0"],
    )
    def test_5xx_burst(
        self,
        make_client: MakeClient,
        server: LocalServer,
        errors: ErrorLog,
        burst: int,
        status: int,
        retry_after: str | None,
    ) -> None:
        """A burst of 5xx answers is retried and all 250 messages arrive exactly once."""
        headers = {"Retry-After": retry_after} if retry_after is not None else None
        server.fail_next(burst, status=status, headers=headers)
        client = make_client(upload_size=50, upload_interval=30, max_retries=burst + 1)
        ids = send(client, 250)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors)
        stats = client.stats()
        # One retry per 5xx answer, whichever batches (of whatever size) got them.
        assert (stats.retries, stats.requests) == (burst, stats.batches + burst)
        ROWS.append(MatrixRow.of(f"5xx burst: {burst} x HTTP {status}", outcome))

    def test_429_retry_after_seconds(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """429 with ``Retry-After: 1`` is waited out (at least ~1 s), then delivered once."""
        server.rate_limit_next(1, retry_after="1")
        client = make_client()
        ids = send(client, 60)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors)
        assert client.stats().retries == 1
        assert gaps(server)[0] >= 0.9
        ROWS.append(MatrixRow.of("429, Retry-After: 1 (seconds)", outcome))

    def test_429_retry_after_http_date(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """429 with an HTTP-date ``Retry-After`` two seconds ahead is honoured, then delivered."""
        when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
        server.rate_limit_next(1, retry_after=email.utils.format_datetime(when, usegmt=True))
        client = make_client()
        ids = send(client, 60)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors)
        assert client.stats().retries == 1
        # The date has one-second resolution: between one and two seconds remain.
        assert gaps(server)[0] >= 0.5
        ROWS.append(MatrixRow.of("429, Retry-After: HTTP-date", outcome))

    def test_429_without_retry_after(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """429 without Retry-After falls back to backoff and the messages arrive once."""
        server.fail_next(2, status=429)
        client = make_client()
        ids = send(client, 60)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors)
        assert client.stats().retries == 2
        ROWS.append(MatrixRow.of("429, no Retry-After (2 in a row)", outcome))


class TestNetworkFailures:
    """Timeouts, dropped connections and a server that restarts."""

    def test_timeout(self, make_client: MakeClient, server: LocalServer, errors: ErrorLog) -> None:
        """A request answered after the client's timeout is retried; nothing is lost.

        The server still processes the timed-out request when its delay ends, so
        those messages arrive twice (at-least-once; Customer.io drops the repeat
        by messageId). Only messages of that one request may be duplicated.
        """
        server.delay_next(1, 2.0)
        # One batch of 50 at a time, so the test knows which batch was delayed.
        client = make_client(
            timeout=0.5,
            upload_size=50,
            upload_interval=30,
            grow_batches=False,
            max_in_flight=1,
        )
        ids = send(client, 100)
        assert client.flush(timeout=BOUND)
        assert server.wait_for_requests(3, timeout=BOUND)  # the delayed one has finished
        first_request = set(ids[:50])
        outcome = assert_outcomes(client, ids, server, errors, allow_duplicates=first_request)
        assert client.stats().retries >= 1
        ROWS.append(
            MatrixRow.of(
                "timeout (server answers after the client gave up)",
                outcome,
                "the late request is processed too: at-least-once repeats of one batch",
            )
        )

    def test_connection_closed_without_response(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """Connections closed before processing are retried; every message arrives once."""
        server.drop_next(2)
        client = make_client(upload_size=50, upload_interval=30)
        ids = send(client, 150)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors)
        assert client.stats().retries == 2
        ROWS.append(MatrixRow.of("connection reset / closed without a response", outcome))

    def test_response_lost_after_processing(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """A response lost after processing is retried: at-least-once, repeating only that batch."""
        server.drop_next(1, after_processing=True)
        # One batch of 50 at a time, so the test knows which batch lost its response.
        client = make_client(
            upload_size=50,
            upload_interval=30,
            grow_batches=False,
            max_in_flight=1,
        )
        ids = send(client, 150)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors, allow_duplicates=set(ids[:50]))
        assert set(outcome.duplicated) == set(ids[:50])
        ROWS.append(
            MatrixRow.of(
                "connection closed after processing (response lost)",
                outcome,
                "at-least-once: that batch arrives twice, same messageIds",
            )
        )

    def test_server_goes_away_and_comes_back_on_the_same_port(self, errors: ErrorLog) -> None:
        """A server that stops mid-stream and restarts on its port gets every later message."""
        first = LocalServer().start()
        port = first.port
        second: LocalServer | None = None
        client = Client(
            write_key=first.write_key,
            host=first.url,
            on_error=errors,
            upload_interval=0.02,
            upload_size=20,
            max_retries=10,
            timeout=2.0,
            retry_deadline=60.0,
            shutdown_timeout=5.0,
        )
        stop = threading.Event()
        during: list[str] = []

        def produce() -> None:
            for i in range(3000):
                if stop.is_set():
                    return
                during.append(client.track("user-1", "During", {"i": i}))
                stop.wait(0.002)

        producer = threading.Thread(target=produce, name="producer")
        try:
            before = send(client, 50, event="Before")
            assert client.flush(timeout=BOUND)
            producer.start()
            assert first.wait_for_messages(80, timeout=BOUND)
            first.stop()
            assert wait_until(lambda: client.stats().retries >= 1, BOUND)
            second = _start_on_port(port)
            assert second.wait_for_messages(40, timeout=BOUND)
            stop.set()
            producer.join(BOUND)
            assert not producer.is_alive()
            after = send(client, 50, event="After")
            assert client.flush(timeout=BOUND)
            outcome = assert_outcomes(
                client,
                before + during + after,
                [first, second],
                errors,
                reasons={FailureReason.RETRIES_EXHAUSTED},
                # A request cut by the stop may have been processed by the old server.
                allow_duplicates=during,
            )
            on_second = server_counts(second)
            assert all(on_second[i] == 1 for i in after)
            ROWS.append(
                MatrixRow.of(
                    "server goes away and comes back on the same port",
                    outcome,
                    "sent while it was away: retried and delivered to the new server",
                )
            )
        finally:
            stop.set()
            if producer.ident is not None:
                producer.join(BOUND)
            client.shutdown(timeout=5.0)
            first.stop()
            if second is not None:
                second.stop()


def _start_on_port(port: int) -> LocalServer:
    """A new LocalServer on ``port`` (retried briefly while the old socket lets go)."""
    last: OSError | None = None
    pause = threading.Event()
    for _ in range(50):
        try:
            return LocalServer(port=port).start()
        except OSError as exc:
            last = exc
            pause.wait(0.1)
    raise AssertionError(f"could not bind port {port} again: {last}")


class TestShutdownUnderStall:
    """A server that never answers cannot hold shutdown past its deadline."""

    def test_stalled_server_shutdown_reports_everything(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """shutdown(1.0) against a stalled server returns in bounded time; all 250 are reported."""
        server.stall()
        client = make_client(timeout=30.0, upload_size=50, upload_interval=30)
        ids = send(client, 250)
        client.flush(timeout=0)  # the first batch goes out and is held by the server
        assert server.wait_for_stalled(1, timeout=BOUND)
        started = time.monotonic()
        assert client.shutdown(timeout=1.0) is False
        assert time.monotonic() - started < 10.0
        server.stop()  # a dead endpoint: the held request is dropped, never processed
        # The abandoned request then fails and its thread lets go of the batch.
        assert wait_until(lambda: client.stats().in_flight == 0, BOUND)
        outcome = assert_outcomes(client, ids, server, errors, reasons={FailureReason.SHUTDOWN})
        assert len(outcome.reported) == 250
        assert all(isinstance(e, ShutdownTimeoutError) for e in errors.errors())
        ROWS.append(MatrixRow.of("stalled server, shutdown(timeout=1)", outcome))


class TestFinalAnswers:
    """400, 401, 403 and 413 are not retried; a batch is split to isolate the cause."""

    def test_transient_400_for_a_whole_batch_is_split(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """A 400 for a batch of 100 is bisected; both halves then arrive, once each."""
        server.fail_next(1, status=400)
        client = make_client(upload_size=100, upload_interval=30)
        ids = send(client, 100)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors)
        assert len(server.requests) == 3
        ROWS.append(MatrixRow.of("400 for a whole batch (once), split", outcome))

    def test_persistent_400_rejects_each_message_once(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """When every request gets 400, each message is reported once, after 2n-1 requests."""
        server.fail_for(120, status=400)
        client = make_client(upload_size=16, upload_interval=30)
        ids = send(client, 16)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors, reasons={FailureReason.REJECTED})
        assert len(outcome.reported) == 16
        assert len(server.requests) == 2 * 16 - 1
        assert client.stats().retries == 0
        assert all(isinstance(e, RejectedError) and e.status_code == 400 for e in errors.errors())
        ROWS.append(MatrixRow.of("400 for every request (whole batch invalid)", outcome))

    def test_poisoned_messages_are_isolated_in_every_batch(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """One poisoned message in each of three batches of 100: 297 arrive, only 3 are reported."""
        server.reject_messages(lambda m: "poisoned" if m.get("event") == "Poison" else None)
        client = make_client(upload_size=100, upload_interval=30)
        poisoned = {0, 150, 299}
        ids = [
            client.track("user-1", "Poison" if i in poisoned else "Fine", {"i": i})
            for i in range(300)
        ]
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors, reasons={FailureReason.REJECTED})
        assert set(outcome.reported) == {ids[i] for i in poisoned}
        assert all(len(r.ids) == 1 for r in errors.snapshot())
        ROWS.append(MatrixRow.of("400: one poisoned message per batch of 100 (x3)", outcome))

    @pytest.mark.parametrize("status", [401, 403])
    def test_refused_key_is_reported_once_and_not_retried(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog, status: int
    ) -> None:
        """401/403: each message reported once as unauthorized; no retry, no split, no key shown."""
        secret = "wk_live_Zq9-refused-key-7731"
        # Batches of 50 (no growth), so three requests: one per batch, none retried.
        if status == 401:
            client = make_client(
                write_key=secret,
                upload_size=50,
                upload_interval=30,
                grow_batches=False,
                max_in_flight=1,
            )
        else:
            server.fail_for(120, status=403)
            client = make_client(
                upload_size=50,
                upload_interval=30,
                grow_batches=False,
                max_in_flight=1,
            )
        ids = send(client, 150)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(
            client, ids, server, errors, reasons={FailureReason.UNAUTHORIZED}
        )
        assert len(outcome.reported) == 150
        assert len(server.requests) == 3
        assert client.stats().retries == 0
        for error in errors.errors():
            assert isinstance(error, AuthenticationError)
            assert error.status_code == status
            text = f"{error} {error!r} {error.detail}"
            assert "write_key" in text and "CUSTOMERIO_API_KEY" in text
            assert secret not in text
        ROWS.append(MatrixRow.of(f"{status} (key refused)", outcome))

    def test_413_for_a_batch_is_split_and_resent(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """A 413 for a batch of 100 splits it; every message then arrives once."""
        server.fail_next(1, status=413)
        client = make_client(upload_size=100, upload_interval=30)
        ids = send(client, 100)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors)
        assert len(server.requests) == 3
        ROWS.append(MatrixRow.of("413 for a batch, split and resent", outcome))

    def test_413_for_a_single_message_is_reported(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """A 413 for a request holding one message reports it as too large, without retry."""
        server.fail_for(120, status=413)
        client = make_client()
        ids = send(client, 1)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors, reasons={FailureReason.TOO_LARGE})
        assert len(server.requests) == 1
        assert isinstance(errors.errors()[0], PayloadTooLargeError)
        ROWS.append(MatrixRow.of("413 for a single message", outcome))

    def test_retries_exhausted(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """Past max_retries every message of the failing batches is reported; later ones arrive."""
        server.fail_for(120, status=503)
        # Batches of 20 (no growth): three batches, each tried twice.
        client = make_client(
            max_retries=1,
            upload_size=20,
            upload_interval=30,
            grow_batches=False,
            max_in_flight=1,
        )
        failing = send(client, 60)
        assert client.flush(timeout=BOUND)
        assert len(server.requests) == 3 * 2
        server.clear_faults()
        later = send(client, 20, start=60)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(
            client, failing + later, server, errors, reasons={FailureReason.RETRIES_EXHAUSTED}
        )
        assert set(outcome.reported) == set(failing)
        assert all(
            isinstance(e, RetriesExhaustedError) and e.attempts == 2 and e.status_code == 503
            for e in errors.errors()
        )
        ROWS.append(MatrixRow.of("retries exhausted (503 past max_retries=1)", outcome))

    def test_mixed_script_of_faults(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """A scripted mix (drop, 500, 429, 400, 413) across batches ends in one outcome each."""
        server.script(["drop", 500, (429, "0"), 200, 400, 200, 200, 413, 200, 200])
        client = make_client(upload_size=25, upload_interval=30, max_retries=4)
        ids = send(client, 100)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors)
        ROWS.append(MatrixRow.of("mixed script: drop, 500, 429, 400, 413", outcome))


class TestClientSideFailures:
    """Failures inside the client itself still end in an outcome for every message."""

    def test_proxy_that_httpx_refuses(self, server: LocalServer, errors: ErrorLog) -> None:
        """A proxy URL httpx cannot use is refused at construction, or every message is reported."""
        try:
            client = Client(
                write_key=server.write_key,
                host=server.url,
                proxy="ftp://127.0.0.1:9",
                on_error=errors,
                upload_interval=0.02,
            )
        except ConfigurationError:
            return
        try:
            ids = send(client, 5)
            assert client.flush(timeout=3.0), client.stats()
            assert_outcomes(client, ids, server, errors, reasons=set(FailureReason))
        finally:
            client.shutdown(timeout=5.0)
