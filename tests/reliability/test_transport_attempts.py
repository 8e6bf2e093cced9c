"""One HTTP attempt up close: the whole-attempt deadline, the body cap, setup failures, headers.

These drive ``HTTPSender`` (the library's own route and a caller's transport)
and the retry policy directly, against the raw-socket servers of
tests/reliability/_misbehaving.py; the same behaviours through the public API
are the transport rows of the fault matrix (test_fault_matrix_transport.py).
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import socket
import ssl
import time
import tracemalloc
from collections.abc import Iterator

import httpcore
import httpx
import pytest

from cio_analytics import Client
from cio_analytics._delivery.context import DeliveryContext
from cio_analytics._delivery.deliverer import Deliverer
from cio_analytics._delivery.retry import (
    Sleeper,
)
from cio_analytics._delivery.transport import (
    RESPONSE_BODY_CAP,
    HTTPSender,
    SendResult,
    setup_failure_of,
)
from cio_analytics._settings import Settings

from ._misbehaving import MisbehavingServer, require_unresolvable
from .conftest import BOUND

#: Slack allowed past the timeout for one attempt (a shared, noisy machine).
MARGIN = 3.0
KEY = "wk_attempts_7f3a"
BODY = b'{"batch":[]}'


def sender_for(url: str, **settings: object) -> HTTPSender:
    """A sender for ``url`` with quick settings."""
    options: dict[str, object] = {"write_key": KEY, "host": url, "timeout": 1.0}
    options.update(settings)
    return HTTPSender(Settings(**options))  # type: ignore[arg-type]


def timed_send(sender: HTTPSender, body: bytes = BODY, **kwargs: float) -> tuple[SendResult, float]:
    """One attempt and how long it took."""
    started = time.monotonic()
    try:
        result = sender.send(body, **kwargs)  # type: ignore[arg-type]
    finally:
        sender.close()
    return result, time.monotonic() - started


class TestAttemptDeadline:
    """``timeout`` bounds the whole attempt, not each read."""

    @pytest.mark.parametrize(
        ("mode", "status", "expected"),
        [("drip_head", 200, 0), ("drip_body", 503, 503), ("drip_body", 200, 200),
         ("silent", 200, 0)],
        ids=["drip-fed-head", "drip-fed-503-body", "drip-fed-200-body", "no-answer"],
    )  # fmt: skip
    def test_attempt_ends_at_the_deadline(self, mode: str, status: int, expected: int) -> None:
        """A byte every 0.2 s (each gap far under the timeout) cannot hold an attempt past 1 s."""
        with MisbehavingServer(mode, status=status, gap=0.2) as bad:  # type: ignore[arg-type]
            result, elapsed = timed_send(sender_for(bad.url))
        assert result.status_code == expected, result
        assert elapsed < 1.0 + MARGIN
        if expected == 0:
            assert isinstance(result.error, httpcore.TimeoutException), result
        else:
            # The status decides; a cut body is only a shorter detail.
            assert elapsed >= 0.5

    def test_the_send_timeout_argument_is_the_bound(self) -> None:
        """The deliverer passes min(timeout, time left before shutdown): that is the bound."""
        with MisbehavingServer("drip_head", gap=0.1) as bad:
            result, elapsed = timed_send(sender_for(bad.url, timeout=30.0), timeout=0.5)
        assert result.status_code == 0
        assert elapsed < 0.5 + MARGIN

    def test_a_server_that_never_reads(self) -> None:
        """A body the server never reads cannot hold the attempt: the write gives up in time."""
        with MisbehavingServer("deaf") as bad:
            result, elapsed = timed_send(sender_for(bad.url), b"x" * (64 << 20))
        assert result.status_code == 0
        assert isinstance(result.error, httpcore.TimeoutException), result
        assert elapsed < 1.0 + MARGIN


class TestBodyCap:
    """At most RESPONSE_BODY_CAP bytes of a response are read; past that the connection goes."""

    def test_an_endless_body_is_capped(self) -> None:
        """An endless 200 body: delivered, at once, with bounded allocations."""
        with MisbehavingServer("endless") as bad:
            sender = sender_for(bad.url, timeout=5.0)
            tracemalloc.start()
            try:
                result, elapsed = timed_send(sender)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        assert result.ok
        assert peak < 8 * RESPONSE_BODY_CAP + (1 << 20), f"{peak} bytes allocated"
        assert elapsed < 5.0 + MARGIN

    def test_keep_alive_and_the_dropped_connection(self) -> None:
        """Healthy answers share one connection; a capped body costs its connection."""
        with MisbehavingServer("ok") as bad:
            sender = sender_for(bad.url)
            try:
                assert all(sender.send(BODY).ok for _ in range(3))
                assert bad.connections == 1
                bad.mode = "endless"
                assert sender.send(BODY).ok
                bad.mode = "ok"
                assert sender.send(BODY).ok
                assert bad.connections == 2
            finally:
                sender.close()

    def test_error_detail_is_shortened(self) -> None:
        """The body of an error answer is kept, shortened, as the detail."""
        with MisbehavingServer("drip_body", status=500, gap=0.01) as bad:
            result, _ = timed_send(sender_for(bad.url))
        assert result.status_code == 500
        assert 0 < len(result.detail) <= 500
        assert set(result.detail) == {"z"}

    def test_a_custom_transport_body_is_capped_too(self) -> None:
        """A caller's transport answering with an endless stream: capped, and the stream closed."""
        stream = EndlessStream()
        transport = httpx.MockTransport(lambda request: httpx.Response(503, stream=stream))
        result, _ = timed_send(sender_for("http://127.0.0.1:9", transport=transport))
        assert result.status_code == 503
        assert stream.sent <= RESPONSE_BODY_CAP + len(EndlessStream.CHUNK)
        assert stream.closed


class EndlessStream(httpx.SyncByteStream):
    """A response body that never ends (bounded at 1 GiB), noting what was read."""

    CHUNK = b"y" * 4096

    def __init__(self) -> None:
        self.sent = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for _ in range((1 << 30) // len(self.CHUNK)):
            self.sent += len(self.CHUNK)
            yield self.CHUNK

    def close(self) -> None:
        self.closed = True


class TestHeaders:
    """What goes on the wire, on the library's route and through a caller's transport."""

    def test_own_route(self) -> None:
        """Host, length, type, agent, strict mode, Basic auth; gzip; X-Retry-Count on retries."""
        with MisbehavingServer("ok") as bad:
            sender = sender_for(bad.url, gzip=True)
            try:
                assert sender.send(BODY).ok
                assert sender.send(BODY, retry=3).ok
            finally:
                sender.close()
        first, retried = bad.headers_seen
        assert first["host"] == f"127.0.0.1:{bad.port}"
        assert first["authorization"] == "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
        assert first["content-type"] == "application/json"
        assert first["user-agent"].startswith("cio-analytics-python/")
        assert first["x-strict-mode"] == "1"
        assert first["content-encoding"] == "gzip"
        assert int(first["content-length"]) == len(gzip.compress(BODY, compresslevel=3))
        assert "x-retry-count" not in first
        assert retried["x-retry-count"] == "3"

    def test_custom_transport(self) -> None:
        """A caller's transport gets the same headers and httpx's timeout extension, as before."""
        seen: list[httpx.Request] = []

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json={})

        sender = sender_for("http://127.0.0.1:9", transport=httpx.MockTransport(answer))
        try:
            assert sender.send(BODY).ok
            assert sender.send(BODY, retry=1, timeout=0.25).ok
        finally:
            sender.close()
        first, retried = seen
        assert first.headers["authorization"].startswith("Basic ")
        assert "x-retry-count" not in first.headers
        assert retried.headers["x-retry-count"] == "1"
        assert first.extensions["timeout"] == dict.fromkeys(
            ("connect", "read", "write", "pool"), 1.0
        )
        assert retried.extensions["timeout"]["read"] == 0.25

    def test_retries_through_a_custom_transport_are_numbered(self) -> None:
        """Through the public API: 503, 503, 200 carry no X-Retry-Count, then 1, then 2."""
        answers = iter([503, 503, 200])
        counts: list[str | None] = []

        def answer(request: httpx.Request) -> httpx.Response:
            counts.append(request.headers.get("x-retry-count"))
            return httpx.Response(next(answers), headers={"Retry-After": "0"})

        client = Client(write_key=KEY, host="http://127.0.0.1:9", upload_interval=0.02,
                        transport=httpx.MockTransport(answer))  # fmt: skip
        try:
            client.track("u", "Numbered")
            assert client.flush(timeout=BOUND)
            assert client.stats().delivered == 1
        finally:
            client.shutdown(timeout=5.0)
        assert counts == [None, "1", "2"]

    def test_no_key_in_reprs(self) -> None:
        """The header list and the sender show neither the key nor its base64 form."""
        sender = sender_for("http://127.0.0.1:9")
        try:
            text = repr(sender._plain) + repr(sender._gzipped) + repr(sender)
        finally:
            sender.close()
        assert KEY not in text
        assert base64.b64encode(f"{KEY}:".encode()).decode() not in text
        assert "[secure]" in text


class TestSenderCache:
    """The deliverer keeps one sender while the settings that shape it stay the same."""

    def test_reused_for_equal_settings_and_rebuilt_for_a_new_key(self) -> None:
        """Equal settings reuse the sender; a new key or host builds a new one."""
        settings = Settings(write_key=KEY, host="http://127.0.0.1:9")
        deliverer = Deliverer(DeliveryContext(settings), Sleeper())
        try:
            first = deliverer._get_sender(settings)
            assert deliverer._get_sender(settings) is first
            assert deliverer._get_sender(dataclasses.replace(settings, upload_size=7)) is first
            other_key = deliverer._get_sender(dataclasses.replace(settings, write_key="k2"))
            assert other_key is not first
            other_host = dataclasses.replace(settings, write_key="k2", host="http://127.0.0.1:8")
            assert deliverer._get_sender(other_host) is not other_key
        finally:
            deliverer.close()


class TestSetupFailureClassification:
    """Which network errors are configuration problems rather than transient ones."""

    def test_certificate_error_anywhere_in_the_chain(self) -> None:
        """httpx wraps httpcore wraps ssl: the certificate error is found through the chain."""
        root = ssl.SSLCertVerificationError(1, "certificate verify failed")
        middle = httpcore.ConnectError(str(root))
        middle.__cause__ = root
        outer = httpx.ConnectError(str(middle))
        outer.__cause__ = middle
        assert setup_failure_of(outer) == "tls"

    def test_name_resolution_error(self) -> None:
        """A gaierror, as a cause or as the context, means dns."""
        outer = httpcore.ConnectError("no such host")
        outer.__context__ = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        assert setup_failure_of(outer) == "dns"

    @pytest.mark.parametrize(
        "error",
        [ConnectionRefusedError(111, "refused"), ssl.SSLError(1, "handshake failure"),
         TimeoutError("timed out"), httpcore.ReadTimeout("slow")],
    )  # fmt: skip
    def test_transient_errors(self, error: BaseException) -> None:
        """Refused connections, other TLS errors and timeouts stay transient."""
        assert setup_failure_of(error) is None

    def test_a_cyclic_chain_ends(self) -> None:
        """A chain that loops back on itself is searched once."""
        a, b = RuntimeError("a"), RuntimeError("b")
        a.__context__, b.__context__ = b, a
        assert setup_failure_of(a) is None

    def test_a_host_that_does_not_resolve(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The library's route against a .invalid name reports a dns setup failure."""
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.delenv(name, raising=False)
        require_unresolvable("cio-analytics-attempts.invalid")
        result, _ = timed_send(sender_for("http://cio-analytics-attempts.invalid"))
        assert result.status_code == 0
        assert result.setup_failure == "dns", result
