"""Security: the write key never shows, TLS is always verified, clear text is warned about.

Everything the library can emit is captured while it goes through a full
failure cycle (every log record of every logger at DEBUG, stdout/stderr,
warnings, reprs, exceptions with their tracebacks, on_error payloads) and
searched for the key, and for the base64 form it takes in the Authorization
header.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import ssl
import subprocess
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import cio_analytics
from cio_analytics import Client
from cio_analytics.errors import ConfigurationError, FailureReason
from cio_analytics.testing import LocalServer

from ._misbehaving import SelfSignedTLSServer, self_signed_certificate
from ._outcomes import ErrorLog, assert_outcomes
from .conftest import BOUND

SECRET = "sk_live_4c1e-SECRET-write-key-90ab"
OTHER_SECRET = "sk_live_7d2f-OTHER-secret-key-13cd"


def leaks(secret: str) -> list[str]:
    """The forms in which ``secret`` could appear: itself and its Basic-auth encodings."""
    return [
        secret,
        base64.b64encode(f"{secret}:".encode()).decode(),
        base64.b64encode(secret.encode()).decode().rstrip("="),
    ]


class Everything(logging.Handler):
    """Captures every record of every logger, formatted with any traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        with self._lock:
            self.lines.append(text)

    def text(self) -> str:
        """Every captured line."""
        with self._lock:
            return "\n".join(self.lines)


@pytest.fixture(name="everything")
def fixture_everything() -> Iterator[Everything]:
    """Every log record at DEBUG, from every logger (root, cio_analytics, httpx, httpcore)."""
    handler = Everything()
    root = logging.getLogger()
    names = ["cio_analytics", "httpx", "httpcore"]
    levels = {name: logging.getLogger(name).level for name in names}
    root_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


class FullPayloads:
    """An on_error callback keeping the error and the message dicts."""

    def __init__(self) -> None:
        self.calls: list[tuple[BaseException, list[dict[str, Any]]]] = []
        self.ids = ErrorLog()
        self._lock = threading.Lock()

    def __call__(self, error: BaseException, messages: list[dict[str, Any]]) -> None:
        self.ids(error, messages)
        with self._lock:
            self.calls.append((error, messages))


def describe_error(error: BaseException) -> str:
    """Everything an application could print about an error."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    parts.extend(repr(value) for value in vars(error).values())
    parts.extend(
        describe_error(linked)
        for linked in (error.__cause__, error.__context__)
        if linked is not None
    )
    return "\n".join(parts)


class TestWriteKeyNeverShows:
    """The key stays out of logs, reprs, exceptions and on_error payloads."""

    def test_full_failure_cycle(
        self, everything: Everything, capfd: pytest.CaptureFixture[str]
    ) -> None:
        """Through 5xx, 429, drops, timeouts, 400, 401, 403, 413 and a shutdown cut: no key."""
        payloads = FullPayloads()
        texts: list[str] = []
        with LocalServer(write_key=SECRET) as server, warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            client = Client(
                write_key=SECRET,
                host=server.url,
                on_error=payloads,
                debug=True,
                upload_size=5,
                upload_interval=0.02,
                max_retries=2,
                timeout=0.5,
                shutdown_timeout=1.0,
                # Batches of 5, one at a time: the scripted faults meet them in order.
                grow_batches=False,
                max_in_flight=1,
            )
            texts += [repr(client), str(client), repr(client.settings), str(client.settings)]
            server.reject_messages(lambda m: "poisoned" if m.get("event") == "Poison" else None)
            server.script(
                ["drop", 500, (429, "0"), 200, ("delay", 1.5), 200, 401, 403, 413, "drop_after"]
            )
            ids = [
                client.track("u", "Poison" if i % 9 == 0 else "Fine", {"i": i}) for i in range(60)
            ]
            assert client.flush(timeout=BOUND)
            server.stall()
            ids += [client.track("u", "Stalled", {"i": i}) for i in range(5)]
            client.flush(timeout=0)
            assert server.wait_for_stalled(1, timeout=BOUND)
            assert client.shutdown(timeout=0.5) is False
            server.clear_faults()
            texts += [repr(client), repr(client.stats())]

            wrong = Client(
                write_key=OTHER_SECRET,
                host=server.url,
                on_error=payloads,
                debug=True,
                upload_interval=0.02,
            )
            ids.append(wrong.track("u", "Refused"))
            assert wrong.flush(timeout=BOUND)
            texts += [repr(wrong), repr(wrong.settings)]
            wrong.shutdown(timeout=5.0)
            texts += [str(w.message) for w in seen]
        reasons = {r.value for r in FailureReason}
        assert {e.reason.value for e, _ in payloads.calls} <= reasons
        kinds = {e.reason for e, _ in payloads.calls}
        assert {FailureReason.REJECTED, FailureReason.UNAUTHORIZED, FailureReason.SHUTDOWN} <= kinds
        for error, messages in payloads.calls:
            texts.append(describe_error(error))
            texts.append(json.dumps(messages))
        captured = capfd.readouterr()
        texts += [captured.out, captured.err, everything.text()]
        haystack = "\n".join(texts)
        assert "cio_analytics" in everything.text()  # the capture did see the library's records
        for secret in (SECRET, OTHER_SECRET):
            for form in leaks(secret):
                assert form not in haystack, f"the write key leaked as {form!r}"

    @pytest.mark.parametrize(
        "settings",
        [{"region": "moon"}, {"max_retries": -1}, {"host": "ftp://example.com"}, {"timeout": 0}],
    )
    def test_configuration_errors(self, settings: dict[str, Any]) -> None:
        """Invalid settings next to a key raise errors that do not show the key."""
        with pytest.raises(ConfigurationError) as caught:
            Client(write_key=SECRET, **settings)
        text = describe_error(caught.value)
        for form in leaks(SECRET):
            assert form not in text

    def test_module_level_client_repr(self) -> None:
        """The default client built from module settings does not show the key."""
        cio_analytics.write_key = SECRET
        cio_analytics.send = False
        cio_analytics.track("u", "Dry")
        client = cio_analytics.get_client()
        text = " ".join([repr(client), repr(client.settings), repr(cio_analytics.stats())])
        for form in leaks(SECRET):
            assert form not in text

    def test_exit_warning_in_a_child_process(self) -> None:
        """The exit-time summary printed by a script with a stalled server does not show the key."""
        with LocalServer(write_key=SECRET) as server:
            server.stall()
            try:
                completed = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        "import cio_analytics as a\n"
                        "a.debug = True\n"
                        "a.shutdown_timeout = 0.5\n"
                        "a.track('u', 'Stuck')\n",
                    ],
                    env={**os.environ, "CUSTOMERIO_API_KEY": SECRET, "CUSTOMERIO_HOST": server.url},
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
            finally:
                server.release()
        assert completed.returncode == 0, completed.stderr
        assert "could not be delivered" in completed.stderr
        for form in leaks(SECRET):
            assert form not in completed.stdout + completed.stderr


# -- TLS ----------------------------------------------------------------------------


class TestTLS:
    """TLS verification is always on for https hosts."""

    def test_self_signed_certificate_is_refused(self, tmp_path: Path) -> None:
        """An https host with an untrusted certificate gets no request; the message is reported."""
        cert, key = self_signed_certificate(tmp_path)
        server = SelfSignedTLSServer(cert, key)
        errors = ErrorLog()
        client = Client(
            write_key="k",
            host=f"https://127.0.0.1:{server.port}",
            on_error=errors,
            max_retries=0,
            timeout=5.0,
            upload_interval=0.02,
        )
        try:
            message_id = client.track("u", "Over TLS")
            assert client.flush(timeout=BOUND)
            # A certificate that fails verification is a setup problem, not a transient one.
            outcome = assert_outcomes(
                client, [message_id], [], errors, reasons={FailureReason.CONNECTION_SETUP}
            )
            assert len(outcome.reported) == 1
            detail = errors.errors()[0].detail or ""
            assert "CERTIFICATE_VERIFY_FAILED" in detail or "certificate verify failed" in detail
            assert (server.handshakes, server.requests) == (0, 0)
            # Control: a client that trusts the certificate does complete a request.
            trusting = ssl.create_default_context(cafile=str(cert))
            response = httpx.post(
                f"https://127.0.0.1:{server.port}/v1/batch", verify=trusting, timeout=5
            )
            assert response.status_code == 200
            assert server.requests == 1
        finally:
            client.shutdown(timeout=5.0)
            server.close()


class TestPlainHTTPWarning:
    """A plain-http host that is not this machine gets a warning."""

    @pytest.mark.parametrize(
        "host", ["http://example.com", "http://10.1.2.3:8080", "http://cdp.customer.io"]
    )
    def test_remote_plain_http_warns(self, host: str) -> None:
        """Client(host='http://remote') warns that data would cross the network unencrypted."""
        with pytest.warns(RuntimeWarning, match="plain http") as caught:
            Client(write_key=SECRET, host=host, send=False)
        for warning in caught:
            for form in leaks(SECRET):
                assert form not in str(warning.message)

    def test_module_setting_and_environment_warn(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The warning also comes for a module-level host and for CUSTOMERIO_HOST."""
        cio_analytics.write_key = SECRET
        cio_analytics.send = False
        cio_analytics.track("u", "Dry")
        with pytest.warns(RuntimeWarning, match="plain http"):
            cio_analytics.host = "http://example.com"
        monkeypatch.setenv("CUSTOMERIO_HOST", "http://example.org")
        with pytest.warns(RuntimeWarning, match="plain http"):
            Client(write_key=SECRET, send=False)

    @pytest.mark.parametrize(
        "host",
        [
            "http://localhost:9",
            "http://127.0.0.1:9",
            "http://[::1]:9",
            "https://example.com",
            "https://cdp-eu.customer.io",
        ],
    )
    def test_loopback_and_https_do_not_warn(self, host: str) -> None:
        """Loopback http and any https host construct without a warning."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            Client(write_key=SECRET, host=host, send=False)

    @pytest.mark.parametrize("host", ["http://127.0.0.1.nip.io:8080", "http://127.example.com"])
    def test_dns_names_that_look_like_loopback_warn(self, host: str) -> None:
        """A DNS name that merely starts with '127.' is a remote host and gets the warning."""
        with pytest.warns(RuntimeWarning, match="plain http"):
            Client(write_key=SECRET, host=host, send=False)


class TestDebugLoggingAndBodies:
    """Debug logging prints no message bodies unless log_payloads asks for them."""

    MARKER = "zz-private-9c41"

    def _cycle(self, everything: Everything, **options: Any) -> str:
        with LocalServer() as server:
            server.reject_messages(lambda m: "poisoned" if m.get("event") == "Poison" else None)
            server.script([500, "drop", 200])
            client = Client(
                write_key=server.write_key,
                host=server.url,
                debug=True,
                upload_interval=0.02,
                max_retries=3,
                **options,
            )
            client.track(f"user-{self.MARKER}", "Fine", {"note": self.MARKER})
            client.track("u", "Poison", {"note": self.MARKER}, context={"ip": self.MARKER})
            client.identify("u", {"email": f"{self.MARKER}@example.com"})
            assert client.flush(timeout=BOUND)
            client.shutdown(timeout=5.0)
        return everything.text()

    def test_debug_logs_carry_no_bodies(
        self, everything: Everything, capfd: pytest.CaptureFixture[str]
    ) -> None:
        """debug=True through retries, drops and a rejection: no property, id or trait is logged."""
        logs = self._cycle(everything)
        captured = capfd.readouterr()
        assert "attempt" in logs  # debug records were captured
        assert self.MARKER not in logs + captured.out + captured.err

    def test_log_payloads_prints_bodies_when_asked(self, everything: Everything) -> None:
        """With log_payloads=True, debug logging does show what was sent."""
        logs = self._cycle(everything, log_payloads=True)
        assert self.MARKER in logs
