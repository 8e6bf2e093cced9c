"""``cio-analytics doctor``: what it reports, and its exit status, never showing the key."""

from __future__ import annotations

import socket

import pytest

from cio_analytics.cli import main
from cio_analytics.testing import LocalServer

SECRET = "sk-doctor-secret-0123456789"


@pytest.fixture
def secret_server() -> LocalServer:
    """A local server that wants a recognisable key."""
    with LocalServer(SECRET) as server:
        yield server  # type: ignore[misc]


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_healthy_configuration(
    secret_server: LocalServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Key set, host reachable and key accepted: exit 0, and the key is never printed."""
    monkeypatch.setenv("CUSTOMERIO_API_KEY", SECRET)
    monkeypatch.setenv("CUSTOMERIO_HOST", secret_server.url)
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "write key      set (from CUSTOMERIO_API_KEY)" in out
    assert f"host           {secret_server.url} (from CUSTOMERIO_HOST)" in out
    assert "connect        127.0.0.1:" in out
    assert "HTTP 200 to an empty batch: the write key was accepted" in out
    assert "timeout 15 s, max_retries 10" in out
    assert "value scan" not in out  # one pure-Python scan: nothing to report
    assert out.rstrip().endswith("OK: the configuration looks fine.")
    assert SECRET not in out
    assert secret_server.message_count == 0


def test_refused_key(secret_server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    """A key the API refuses is a problem (exit 1), reported without the key."""
    code = main(["doctor", "--write-key", "not-the-key", "--host", secret_server.url])
    assert code == 1
    out = capsys.readouterr().out
    assert "set (from --write-key)" in out
    assert "the API refused the write key (HTTP 401)" in out
    assert "not-the-key" not in out


def test_closed_port(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing listening on the host's port: the connection check fails and says so."""
    monkeypatch.setenv("CUSTOMERIO_API_KEY", SECRET)
    url = _closed_port_url()
    assert main(["doctor", "--host", url, "--timeout", "2"]) == 1
    out = capsys.readouterr().out
    assert "cannot connect to 127.0.0.1:" in out
    assert "1 problem found:" in out
    assert SECRET not in out


def test_missing_key(secret_server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    """No key is a problem; the other checks still run and the API check is skipped."""
    assert main(["doctor", "--host", secret_server.url]) == 1
    out = capsys.readouterr().out
    assert "write key      FAIL not set" in out
    assert "api            not checked (no write key)" in out
    assert "no write key: set CUSTOMERIO_API_KEY" in out


def test_invalid_region(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid CUSTOMERIO_REGION is reported as a settings problem."""
    monkeypatch.setenv("CUSTOMERIO_REGION", "mars")
    assert main(["doctor"]) == 1
    assert "region must be one of ['eu', 'us']" in capsys.readouterr().out


def test_bad_timeout_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A non-positive --timeout is a usage error."""
    assert main(["doctor", "--timeout", "0"]) == 2
    assert "--timeout must be > 0" in capsys.readouterr().err
