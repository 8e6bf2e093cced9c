"""``cio-analytics serve`` and ``python -m cio_analytics serve``, run in a subprocess."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from cio_analytics.cli import describe, main
from cio_analytics.testing import RecordedMessage, RecordedRequest, Rejection

URL_LINE = re.compile(r"Listening on (http://127\.0\.0\.1:\d+) ")
LINE_TIMEOUT = 20.0


class Served:
    """A running ``serve`` subprocess whose output lines are read with a timeout."""

    def __init__(self, *args: str, executable: list[str] | None = None) -> None:
        command = executable or [sys.executable, "-m", "cio_analytics"]
        self.process = subprocess.Popen(
            [*command, "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        first = self.next_line()
        self.banner = first
        match = URL_LINE.search(first)
        assert match, first
        self.url = match.group(1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self) -> str:
        """The next line printed, waiting at most LINE_TIMEOUT seconds."""
        try:
            return self.lines.get(timeout=LINE_TIMEOUT)
        except queue.Empty:
            self.kill()
            raise AssertionError("serve printed nothing in time") from None

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait (bounded) for the exit status."""
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=LINE_TIMEOUT)
        finally:
            self.kill()

    def kill(self) -> None:
        """Make sure the process is gone and its pipes are closed."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=LINE_TIMEOUT)
        self._reader.join(LINE_TIMEOUT)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture(name="served")
def fixture_served() -> Iterator[Served]:
    """``python -m cio_analytics serve --write-key k`` on a free port."""
    served = Served("--write-key", "k")
    try:
        yield served
    finally:
        served.kill()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class TestServe:
    """The serve subcommand as a user runs it."""

    def test_prints_each_message_and_stops_on_sigterm(
        self, served: Served, http: httpx.Client
    ) -> None:
        """Each message received is one line; SIGTERM stops it with status 0."""
        batch = [
            {"type": "track", "userId": "u1", "event": "Signed Up", "messageId": "m1"},
            {"type": "identify", "anonymousId": "a9", "messageId": "m2"},
            {"type": "track", "userId": "u1"},
        ]
        response = http.post(f"{served.url}/v1/batch", json={"batch": batch}, auth=("k", ""))
        assert response.status_code == 200
        track, identify, rejected = (served.next_line() for _ in range(3))
        assert track.split() == ["track", "Signed", "Up", "userId=u1", "messageId=m1"]
        assert identify.split() == ["identify", "anonymousId=a9", "messageId=m2"]
        assert rejected.startswith("REJECTED /v1/batch[2] track")
        assert rejected.endswith('track requires a non-empty "event" (HTTP 200)')
        assert served.stop() == 0
        assert served.next_line() == "Stopped after 2 message(s)."
        assert served.next_line().startswith("Totals: 2 accepted, 1 rejected, 0 duplicate(s), ")
        assert served.next_line() == "Rejected by rule:"
        assert served.next_line().split(None, 1) == ["1", 'track requires a non-empty "event"']

    def test_duplicates_marked_payloads_and_keep(self, http: httpx.Client) -> None:
        """A repeated messageId is marked DUPLICATE; --payloads adds the JSON; --keep bounds."""
        served = Served("--keep", "3", "--payloads")
        try:
            message = {"type": "track", "userId": "u1", "event": "E", "messageId": "same"}
            for _ in range(2):
                response = http.post(f"{served.url}/v1/batch", json={"batch": [message]})
                assert response.status_code == 200
            first, second = served.next_line(), served.next_line()
            assert not first.split('{"')[0].rstrip().endswith("DUPLICATE")
            assert '"messageId":"same"' in first
            assert second.split(" {")[0].endswith("DUPLICATE")
            others = [{**message, "messageId": f"m{n}"} for n in range(2)]
            assert http.post(f"{served.url}/v1/batch", json={"batch": others}).is_success
            assert len(http.get(f"{served.url}/__cio__/messages").json()) == 3
            refused = http.post(
                f"{served.url}/v1/batch", json={"batch": []}, headers={"Origin": "http://x.test"}
            )
            assert refused.status_code == 403
            assert served.stop() == 0
            lines = [served.next_line() for _ in range(4)]
            assert lines[2] == "Stopped after 4 message(s)."
            assert " 1 duplicate(s)" in lines[3]
        finally:
            served.kill()

    def test_ctrl_c_exits_cleanly(self, served: Served) -> None:
        """Ctrl-C (SIGINT) stops the server with status 0."""
        assert served.stop(signal.SIGINT) == 0
        assert served.next_line() == "Stopped after 0 message(s)."

    def test_key_is_required_when_given(self, served: Served, http: httpx.Client) -> None:
        """With --write-key, a request with another key gets 401."""
        response = http.post(f"{served.url}/v1/track", json={}, auth=("other", ""))
        assert response.status_code == 401

    def test_strict_port_and_record(self, tmp_path: Path, http: httpx.Client) -> None:
        """--strict answers 400 without the header; --port binds it; --record writes JSONL."""
        port = _free_port()
        record = tmp_path / "out.jsonl"
        served = Served("--port", str(port), "--strict", "--record", str(record))
        try:
            assert served.url == f"http://127.0.0.1:{port}"
            invalid = http.post(f"{served.url}/v1/track", json={"userId": "u1"})
            assert invalid.status_code == 400
            served.next_line()
            valid = http.post(f"{served.url}/v1/track", json={"userId": "u1", "event": "E"})
            assert valid.status_code == 200
            assert served.next_line().startswith("track")
            assert served.stop() == 0
        finally:
            served.kill()
        lines = [msgspec.json.decode(line) for line in record.read_text().splitlines()]
        assert [line["accepted"] for line in lines] == [False, True]

    def test_latency(self, http: httpx.Client) -> None:
        """--latency LOW:HIGH makes every answer wait (at least LOW); control paths do not."""
        served = Served("--latency", "0.1:0.3", "--quiet")
        try:
            assert "; latency 100 to 300 ms per request)" in served.banner
            assert http.get(f"{served.url}/__cio__/stats").status_code == 200
            started = time.monotonic()
            response = http.post(f"{served.url}/v1/track", json={"userId": "u1", "event": "E"})
            assert response.status_code == 200
            assert time.monotonic() - started >= 0.09  # generous: the low bound, less 10%
            assert served.stop() == 0
        finally:
            served.kill()

    def test_console_script(self, http: httpx.Client) -> None:
        """The installed ``cio-analytics`` command runs the same server."""
        script = Path(sys.executable).with_name("cio-analytics")
        if not script.exists():
            pytest.skip("the console script is not installed in this environment")
        served = Served(executable=[str(script)])
        try:
            assert http.get(f"{served.url}/__cio__/stats").json()["message_count"] == 0
            assert served.stop() == 0
        finally:
            served.kill()


class TestMain:
    """main() in process."""

    def test_no_command_prints_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without a subcommand the usage goes to stderr and the status is 2."""
        assert main([]) == 2
        assert "serve" in capsys.readouterr().err

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the version."""
        with pytest.raises(SystemExit) as exit_info:
            main(["--version"])
        assert exit_info.value.code == 0
        assert capsys.readouterr().out.startswith("cio-analytics ")

    def test_port_in_use(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A port already listening is reported with status 1."""
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            assert main(["serve", "--port", str(port)]) == 1
        assert "cannot listen" in capsys.readouterr().err

    def test_describe(self) -> None:
        """A message line shows type, name, identity and messageId; a rejection its reason."""
        request = RecordedRequest("POST", "/v1/page", {}, False, 10, 200, 1, 0.0)
        page = {"type": "page", "name": "Home", "anonymousId": "a1", "messageId": "m"}
        assert describe(RecordedMessage(page, request)).split() == [
            "page",
            "Home",
            "anonymousId=a1",
            "messageId=m",
        ]
        rejection = Rejection("/v1/batch", None, "bad body", None)
        assert describe(rejection) == "REJECTED /v1/batch ? anonymousId=- messageId=-: bad body"


def test_warns_when_not_bound_to_loopback() -> None:
    """Bound to every interface, serve warns on stderr, and still answers only its names."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cio_analytics", "serve", "--host", "0.0.0.0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stderr is not None and process.stdout is not None
        warning = process.stderr.readline()
        listening = process.stdout.readline()
        port = int(re.search(r":(\d+) ", listening).group(1))  # type: ignore[union-attr]
        with httpx.Client(verify=False, timeout=10.0) as http:
            refused = http.get(f"http://127.0.0.1:{port}/__cio__/stats", headers={"Host": "x.test"})
            own = http.get(f"http://127.0.0.1:{port}/__cio__/stats")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=LINE_TIMEOUT) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=LINE_TIMEOUT)
    assert "warning: 0.0.0.0 is not a loopback address" in warning
    assert "--allow-host" in warning
    assert (refused.status_code, own.status_code) == (403, 200)
