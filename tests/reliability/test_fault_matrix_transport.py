"""The fault matrix, transport rows: servers that misbehave below HTTP, TLS, DNS, Retry-After.

Like tests/reliability/test_fault_matrix.py, every case goes through the public
API and checks by messageId that each message was delivered once or reported
once with the right reason, then adds a row to the shared fault-matrix table.
The misbehaving servers are raw sockets (tests/reliability/_misbehaving.py),
not the library's LocalServer: they hold a request with a drip-fed status line
or body, answer with a body that never ends, or never read. When they "work"
they forward the request to a LocalServer, which records the messages.
"""

from __future__ import annotations

import base64
import itertools
import logging
import time
import traceback
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cio_analytics import Client
from cio_analytics._delivery.retry import BACKOFF_INITIAL
from cio_analytics.errors import ConnectionSetupError, FailureReason, RetriesExhaustedError
from cio_analytics.testing import LocalServer

from ._misbehaving import (
    MisbehavingServer,
    SelfSignedTLSServer,
    require_unresolvable,
    self_signed_certificate,
)
from ._outcomes import MATRIX_ROWS, ErrorLog, MatrixRow, assert_outcomes, wait_until
from .conftest import BOUND, MakeClient

#: This module's rows of the fault matrix (every module of the suite adds to the same list).
ROWS = MATRIX_ROWS

#: Slack allowed past the ``timeout`` setting for one attempt (a shared, noisy machine).
MARGIN = 3.0
#: Most bytes of Python allocations an attempt against an endless body may add.
MEMORY_BOUND = 32 * 1024 * 1024
SECRET = "sk_live_9e1f-TRANSPORT-secret-key-42aa"
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                    "all_proxy")  # fmt: skip


def send(client: Client, n: int, event: str = "Transport") -> list[str]:
    """Track ``n`` messages; return their ids in order."""
    return [client.track(f"user-{i % 5}", event, {"i": i}) for i in range(n)]


def attempt_gaps(bad: MisbehavingServer) -> list[float]:
    """Seconds between consecutive requests the misbehaving server read."""
    times = [t for _, t in bad.arrivals]
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.fixture(autouse=True)
def _no_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """These cases talk to loopback or to names that must not resolve: no proxy in between."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(name="bad")
def fixture_bad(server: LocalServer) -> Iterator[MisbehavingServer]:
    """A misbehaving server (starting in drip_head mode) that forwards to ``server`` when ok."""
    bad = MisbehavingServer("drip_head", upstream=server.url)
    try:
        yield bad
    finally:
        bad.close()


def _drip_then_recover(
    make_client: MakeClient, server: LocalServer, errors: ErrorLog, bad: MisbehavingServer,
    mode: str, case: str, note: str,
) -> None:  # fmt: skip
    """50 messages meet ``bad`` in ``mode``; once it recovers all arrive, retried, each once."""
    client = make_client(
        host=bad.url, timeout=1.0, upload_size=50, upload_interval=30, grow_batches=False
    )
    ids = send(client, 50)
    client.flush(timeout=0)
    assert wait_until(lambda: bad.count(mode) >= 1, BOUND)
    bad.mode = "ok"
    assert client.flush(timeout=BOUND)
    outcome = assert_outcomes(client, ids, server, errors)
    assert client.stats().retries >= 1
    assert attempt_gaps(bad)[0] < 1.0 + BACKOFF_INITIAL + MARGIN
    ROWS.append(MatrixRow.of(case, outcome, note))


class TestAttemptDeadline:
    """The ``timeout`` setting bounds a whole attempt, however the server dribbles."""

    def test_drip_fed_status_line_then_recovery(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog,
        bad: MisbehavingServer,
    ) -> None:  # fmt: skip
        """A status line fed a byte at a time ends at the deadline; retried, then delivered once."""
        _drip_then_recover(
            make_client, server, errors, bad, "drip_head",
            "status line drip-fed (a byte every 0.3 s), then the server recovers",
            "each attempt ends at timeout=1 s; retried until delivered",
        )  # fmt: skip

    def test_drip_fed_status_line_for_ever(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog,
        bad: MisbehavingServer,
    ) -> None:  # fmt: skip
        """Against a server that only ever drip-feeds, every message is reported in bounded time."""
        client = make_client(host=bad.url, timeout=0.5, max_retries=2, upload_size=20,
                             upload_interval=30)  # fmt: skip
        ids = send(client, 20)
        started = time.monotonic()
        assert client.flush(timeout=BOUND)
        elapsed = time.monotonic() - started
        outcome = assert_outcomes(
            client, ids, server, errors, reasons={FailureReason.RETRIES_EXHAUSTED}
        )
        assert len(outcome.reported) == 20
        assert bad.count() == 3
        # Three attempts of at most timeout + margin each, and two short backoff waits.
        assert elapsed < 3 * (0.5 + MARGIN) + 2.0
        assert all("Timeout" in (e.detail or "") for e in errors.errors())
        ROWS.append(
            MatrixRow.of(
                "status line drip-fed for ever (max_retries=2)",
                outcome,
                "three attempts of at most timeout=0.5 s each, then reported",
            )
        )

    def test_drip_fed_error_body_then_recovery(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog,
        bad: MisbehavingServer,
    ) -> None:  # fmt: skip
        """A 503 whose body drips is cut at the deadline and retried; delivered once recovered."""
        bad.mode, bad.status = "drip_body", 503
        _drip_then_recover(
            make_client, server, errors, bad, "drip_body",
            "503 with a drip-fed body, then the server recovers",
            "the status decides; the body is cut at timeout=1 s",
        )  # fmt: skip

    def test_drip_fed_body_of_a_200(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog,
        bad: MisbehavingServer,
    ) -> None:  # fmt: skip
        """A 200 with a drip-fed body is delivered when the deadline cuts it: the status decides."""
        bad.mode, bad.status = "drip_body", 200
        client = make_client(
            host=bad.url, timeout=1.0, upload_size=50, upload_interval=30, grow_batches=False
        )
        ids = send(client, 100)
        started = time.monotonic()
        assert client.flush(timeout=BOUND)
        elapsed = time.monotonic() - started
        outcome = assert_outcomes(client, ids, server, errors)
        assert client.stats().retries == 0
        assert bad.count() == 2
        assert elapsed < 2 * (1.0 + MARGIN)
        ROWS.append(
            MatrixRow.of(
                "200 with a drip-fed body",
                outcome,
                "delivered: the status decides; each attempt ends at timeout=1 s",
            )
        )

    def test_endless_body_of_a_200(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog,
        bad: MisbehavingServer,
    ) -> None:  # fmt: skip
        """A 200 with an endless body: 64 KiB are read, the connection dropped, memory flat."""
        bad.mode = "endless"
        client = make_client(
            host=bad.url, timeout=5.0, upload_size=50, upload_interval=30, grow_batches=False
        )
        ids = send(client, 150)
        tracemalloc.start()
        try:
            started = time.monotonic()
            assert client.flush(timeout=BOUND)
            elapsed = time.monotonic() - started
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        outcome = assert_outcomes(client, ids, server, errors)
        assert peak < MEMORY_BOUND, f"{peak / 1e6:.1f} MB allocated during the flush"
        assert elapsed < 5.0 + MARGIN
        # The connection is dropped after each capped body: a new one per request.
        assert bad.connections == bad.count() == 3
        ROWS.append(
            MatrixRow.of(
                "200 with a body that never ends",
                outcome,
                "64 KiB read, connection dropped; memory bounded",
            )
        )

    def test_server_that_never_reads(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog,
        bad: MisbehavingServer,
    ) -> None:  # fmt: skip
        """A server that accepts and never reads: attempts end at the deadline; reported."""
        bad.mode = "deaf"
        client = make_client(host=bad.url, timeout=0.5, max_retries=1, upload_size=100,
                             upload_interval=30)  # fmt: skip
        ids = [client.track("u", "Big", {"pad": "x" * 20_000, "i": i}) for i in range(20)]
        started = time.monotonic()
        assert client.flush(timeout=BOUND)
        elapsed = time.monotonic() - started
        outcome = assert_outcomes(
            client, ids, server, errors, reasons={FailureReason.RETRIES_EXHAUSTED}
        )
        assert len(outcome.reported) == 20
        assert elapsed < 2 * (0.5 + MARGIN) + 1.0
        ROWS.append(
            MatrixRow.of(
                "server accepts the connection and never reads (max_retries=1)",
                outcome,
                "each attempt ends at timeout=0.5 s, then reported",
            )
        )


class TestConnectionSetup:
    """A certificate that fails verification or a name that does not resolve is reported soon."""

    def test_self_signed_certificate(
        self, tmp_path: Path, server: LocalServer, errors: ErrorLog
    ) -> None:
        """Three quick tries, then connection_setup naming the host; no request reaches it."""
        cert, key = self_signed_certificate(tmp_path)
        tls = SelfSignedTLSServer(cert, key)
        client = Client(write_key="k", host=tls.url, on_error=errors, upload_interval=0.02,
                        timeout=5.0)  # fmt: skip
        # The defaults otherwise: max_retries=10, retry_deadline=120 s.
        try:
            ids = send(client, 30)
            started = time.monotonic()
            assert client.flush(timeout=BOUND)
            elapsed = time.monotonic() - started
            outcome = assert_outcomes(
                client, ids, [server], errors, reasons={FailureReason.CONNECTION_SETUP}
            )
        finally:
            client.shutdown(timeout=5.0)
            tls.close()
        assert elapsed < 15.0
        error = errors.errors()[0]
        assert isinstance(error, ConnectionSetupError)
        assert (error.kind, error.host, error.attempts) == ("tls", "127.0.0.1", 3)
        text = str(error)
        assert "127.0.0.1" in text and "proxy" in text and "CA cert" in text
        assert "CERTIFICATE_VERIFY_FAILED" in (error.detail or "")
        assert tls.handshakes == 0 and tls.connections == 3
        ROWS.append(
            MatrixRow.of(
                "https host with a self-signed certificate",
                outcome,
                "connection_setup after 3 quick tries, not the 120 s retry budget",
            )
        )

    def test_host_that_does_not_resolve(self, server: LocalServer, errors: ErrorLog) -> None:
        """A host name that cannot resolve (.invalid) is reported promptly as connection_setup."""
        require_unresolvable("cio-analytics-test.invalid")
        client = Client(write_key="k", host="https://cio-analytics-test.invalid", on_error=errors,
                        upload_interval=0.02, timeout=5.0)  # fmt: skip
        try:
            ids = send(client, 30)
            started = time.monotonic()
            assert client.flush(timeout=BOUND)
            elapsed = time.monotonic() - started
            outcome = assert_outcomes(
                client, ids, [server], errors, reasons={FailureReason.CONNECTION_SETUP}
            )
        finally:
            client.shutdown(timeout=5.0)
        assert elapsed < 15.0
        error = errors.errors()[0]
        assert isinstance(error, ConnectionSetupError)
        assert (error.kind, error.host, error.attempts) == ("dns", "cio-analytics-test.invalid", 3)
        assert "cio-analytics-test.invalid" in str(error) and "region" in str(error)
        ROWS.append(
            MatrixRow.of(
                "host name that does not resolve (.invalid)",
                outcome,
                "connection_setup after 3 quick tries, not the 120 s retry budget",
            )
        )


class TestRetryHeaders:
    """Retry-After is honoured up to 300 s within retry_deadline; retries carry X-Retry-Count."""

    def test_retries_carry_x_retry_count(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """Two 503s then success: no X-Retry-Count first, then 1 and 2."""
        server.fail_next(2, status=503, headers={"Retry-After": "0"})
        client = make_client(upload_size=40, upload_interval=30)
        ids = send(client, 40)
        assert client.flush(timeout=BOUND)
        outcome = assert_outcomes(client, ids, server, errors)
        counts = [r.headers.get("x-retry-count") for r in server.requests]
        assert counts == [None, "1", "2"]
        ROWS.append(
            MatrixRow.of("2 x 503, retries carry X-Retry-Count", outcome, "headers: none, 1, 2")
        )

    def test_retry_after_past_the_retry_deadline(
        self, make_client: MakeClient, server: LocalServer, errors: ErrorLog
    ) -> None:
        """A Retry-After of 200 s (under the 300 s cap) past retry_deadline: reported at once."""
        server.rate_limit_next(1, retry_after="200")
        client = make_client(retry_deadline=10.0, upload_size=10, upload_interval=30)
        ids = send(client, 10)
        started = time.monotonic()
        assert client.flush(timeout=BOUND)
        elapsed = time.monotonic() - started
        outcome = assert_outcomes(
            client, ids, server, errors, reasons={FailureReason.RETRIES_EXHAUSTED}
        )
        assert elapsed < 8.0
        assert len(server.requests) == 1
        assert all(isinstance(e, RetriesExhaustedError) for e in errors.errors())
        ROWS.append(
            MatrixRow.of(
                "429, Retry-After: 200 with retry_deadline=10",
                outcome,
                "the wait would pass retry_deadline: reported without waiting",
            )
        )


# -- no key in the locals of logged tracebacks -------------------------------------------


class Unexpected(BaseException):
    """Not an Exception: a transport raising it escapes the sender, as a bug would."""


class RaisingTransport(httpx.BaseTransport):
    """A user transport that fails in a way no network error does."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise Unexpected("the transport broke")


class Records(logging.Handler):
    """Keeps every record of the cio_analytics logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        """Every record's exception, rendered with the locals of every frame of its chain."""
        texts = []
        for record in self.records:
            if record.exc_info and record.exc_info[1] is not None:
                rendered = traceback.TracebackException.from_exception(
                    record.exc_info[1], capture_locals=True
                )
                texts.append("".join(rendered.format()))
        return texts


@pytest.fixture(name="records")
def fixture_records() -> Iterator[Records]:
    """The cio_analytics logger's records at DEBUG, for the test's duration."""
    handler = Records()
    std = logging.getLogger("cio_analytics")
    level = std.level
    std.addHandler(handler)
    std.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        std.removeHandler(handler)
        std.setLevel(level)


def secret_forms(secret: str) -> list[str]:
    """The key and the base64 forms it takes in the Authorization header."""
    return [
        secret,
        base64.b64encode(f"{secret}:".encode()).decode(),
        base64.b64encode(secret.encode()).decode().rstrip("="),
    ]


def assert_no_secret(texts: list[str]) -> None:
    """None of ``texts`` shows the key in any form."""
    haystack = "\n".join(texts)
    for form in secret_forms(SECRET):
        assert form not in haystack, f"the write key leaked into a logged traceback as {form!r}"


class TestNoKeyInLoggedLocals:
    """Tracebacks the library logs, rendered with every frame's locals, never show the key."""

    def test_transport_that_raises_unexpectedly(
        self, server: LocalServer, errors: ErrorLog, records: Records
    ) -> None:
        """A transport raising a BaseException: every message reported, the key nowhere."""
        client = Client(write_key=SECRET, host=server.url, transport=RaisingTransport(),
                        on_error=errors, upload_interval=0.02)  # fmt: skip
        try:
            ids = send(client, 10)
            assert client.flush(timeout=BOUND)
            outcome = assert_outcomes(client, ids, [server], errors, reasons=set(FailureReason))
        finally:
            client.shutdown(timeout=5.0)
        texts = records.tracebacks()
        assert any("the transport broke" in t and "_Attempts" in t for t in texts), texts
        assert_no_secret(texts)
        ROWS.append(
            MatrixRow.of(
                "custom transport raises a BaseException",
                outcome,
                "reported; the logged traceback's locals hold no key",
            )
        )

    def test_sender_that_cannot_be_built(
        self, server: LocalServer, errors: ErrorLog, records: Records,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        """Building the connection pool fails: the traceback passes the sender cache; no key."""
        from cio_analytics._delivery import transport

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("no pool today")

        monkeypatch.setattr(transport, "_connection_pool", broken)
        client = Client(write_key=SECRET, host=server.url, on_error=errors,
                        upload_interval=0.02)  # fmt: skip
        try:
            ids = send(client, 10)
            assert client.flush(timeout=BOUND)
            assert_outcomes(client, ids, [server], errors, reasons=set(FailureReason))
        finally:
            client.shutdown(timeout=5.0)
        texts = records.tracebacks()
        assert any("no pool today" in t and "_get_sender" in t for t in texts), texts
        assert_no_secret(texts)

    def test_network_error_and_failing_on_error(
        self, errors: ErrorLog, records: Records
    ) -> None:
        """Connection refused, and an on_error that raises: no logged traceback shows the key."""
        with LocalServer() as gone:
            url = gone.url  # a port nothing listens on once the server stops

        def on_error(error: BaseException, messages: list[dict[str, object]]) -> None:
            errors(error, messages)
            raise RuntimeError("on_error broke")

        client = Client(write_key=SECRET, host=url, on_error=on_error, upload_interval=0.02,
                        max_retries=1)  # fmt: skip
        try:
            ids = send(client, 5)
            assert client.flush(timeout=BOUND)
            assert_outcomes(client, ids, [], errors, reasons={FailureReason.RETRIES_EXHAUSTED})
        finally:
            client.shutdown(timeout=5.0)
        texts = records.tracebacks()
        assert any("on_error broke" in t for t in texts), texts
        texts += [str(e) + repr(e) + str(e.detail) for e in errors.errors()]
        assert_no_secret(texts)
