"""gunicorn with pre-forked workers and the Flask example: every message arrives exactly once."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from cio_analytics.testing import LocalServer

pytest.importorskip("gunicorn")
pytest.importorskip("flask")

WEB = Path(__file__).resolve().parents[2] / "examples" / "web"
#: Seconds gunicorn may take to boot its workers, and to stop.
BOOT_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
SIGNUPS = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Lines:
    """Collects a pipe's lines in a thread; waits for a line with a deadline."""

    def __init__(self, stream: object) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, count: int, timeout: float) -> None:
        """Block until ``text`` has appeared in ``count`` lines, or fail after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        found = sum(text in line for line in self.seen)
        while found < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{text!r} seen {found} time(s): {self.seen}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(line)
            found += text in line

    def rest(self) -> list[str]:
        """Every line seen, once the pipe is closed."""
        self._thread.join(timeout=5.0)
        while not self.lines.empty():
            self.seen.append(self.lines.get_nowait())
        return self.seen


def test_gunicorn_workers_deliver_exactly_once(cio_server: LocalServer) -> None:
    """Two forked workers share the sign-ups; after SIGTERM every message arrived exactly once."""
    port = _free_port()
    env = {
        **os.environ,
        "CUSTOMERIO_API_KEY": str(cio_server.write_key),
        "CUSTOMERIO_HOST": cio_server.url,
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn",
            "-c", str(WEB / "gunicorn.conf.py"),
            "--chdir", str(WEB),
            "--bind", f"127.0.0.1:{port}",
            "flask_app:app",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    log = _Lines(process.stderr)
    try:
        log.wait_for("Booting worker with pid", 2, BOOT_TIMEOUT)
        user_ids = []
        for n in range(SIGNUPS):
            response = httpx.post(
                f"http://127.0.0.1:{port}/signup",
                json={"email": f"user{n}@example.com"},
                timeout=10.0,
            )
            assert response.status_code == 201
            user_ids.append(response.json()["user_id"])
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=STOP_TIMEOUT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
        output = "\n".join(log.rest())
        if process.stderr is not None:
            process.stderr.close()
    assert "Traceback" not in output, output

    # The workers flushed at exit: everything is there, once, and nothing else.
    assert cio_server.message_count == 2 * SIGNUPS
    assert cio_server.duplicate_count == 0
    assert sorted({m["userId"] for m in cio_server.messages}) == sorted(user_ids)
    assert len(cio_server.events("Signed Up")) == SIGNUPS
    assert cio_server.rejections == []
