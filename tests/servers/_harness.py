"""A real server program in its own process group, against a LocalServer in the test process.

Every wait is bounded, and the whole process group is killed when the test
ends, whatever happened. The program's output goes to a file (no pipe that
could fill up and block it), read back for the assertion messages.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx
from reliability._outcomes import MatrixRow, server_counts

from cio_analytics.testing import LocalServer

__all__ = [
    "APPS",
    "BOOT_TIMEOUT",
    "EXAMPLES_WEB",
    "REQUEST_TIMEOUT",
    "STOP_TIMEOUT",
    "Program",
    "free_port",
    "get_all",
    "matrix_row",
    "program_path",
    "server_env",
]

TESTS = Path(__file__).resolve().parents[1]
#: The app modules the server programs load (beside this file).
APPS = Path(__file__).resolve().parent / "apps"
EXAMPLES_WEB = TESTS.parent / "examples" / "web"
#: Seconds a program may take to start serving, and to stop after its signal.
BOOT_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
#: Seconds one HTTP request to the program may take.
REQUEST_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def program_path(name: str) -> str:
    """The console script ``name`` installed beside this interpreter (the project's venv)."""
    return str(Path(sys.executable).with_name(name))


def server_env(server: LocalServer, **extra: str) -> dict[str, str]:
    """The environment of a deployment whose library points at ``server``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMERIO_")}
    env.update(CUSTOMERIO_API_KEY=server.write_key or "", CUSTOMERIO_HOST=server.url)
    env.update(extra)
    return env


class Program:
    """One server program (its master and workers), started in a new session.

    Use as a context manager: leaving the block kills the process group if it
    is still there, and reaps the program.
    """

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], log_path: Path) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.kill()

    @property
    def pid(self) -> int:
        """The program's process id (its process group id too)."""
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        """Everything the program wrote so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 60) -> str:
        """The end of the log, for assertion messages."""
        return "\n".join(self.log().splitlines()[-lines:])

    def wait_until(
        self, ready: Callable[[], bool], what: str, timeout: float = BOOT_TIMEOUT
    ) -> None:
        """Poll ``ready`` until it holds; fail if the program exits or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        while not ready():
            assert self.process is not None
            if self.process.poll() is not None:
                status = self.process.returncode
                raise AssertionError(f"exited ({status}) before {what}:\n{self.tail()}")
            if time.monotonic() >= deadline:
                raise AssertionError(f"not {what} after {timeout:g} s:\n{self.tail()}")
            pause.wait(0.05)

    def wait_http(self, url: str, timeout: float = BOOT_TIMEOUT) -> None:
        """Wait until ``url`` answers at all (any status)."""

        def answers() -> bool:
            try:
                httpx.get(url, timeout=2.0)
            except httpx.TransportError:
                return False
            return True

        self.wait_until(answers, f"answering {url}", timeout)

    def stop(self, signum: int, timeout: float = STOP_TIMEOUT) -> int:
        """Send ``signum`` to the program and wait for it to end; return its exit status."""
        assert self.process is not None
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"still running {timeout:g} s after {signal.Signals(signum).name}:\n{self.tail()}"
            ) from None

    def kill(self) -> None:
        """Kill whatever is left of the program's process group, and reap the program."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL: it ends at once
            self.process.wait(STOP_TIMEOUT)


def get_all(urls: Iterable[str], *, concurrency: int = 8) -> list[httpx.Response]:
    """GET every url, ``concurrency`` at a time (each bounded), in order of the urls."""

    def get(client: httpx.Client, url: str) -> httpx.Response:
        return client.get(url, headers={"Connection": "close"})

    with (
        httpx.Client(timeout=REQUEST_TIMEOUT) as client,
        ThreadPoolExecutor(max_workers=concurrency) as pool,
    ):
        return list(pool.map(lambda url: get(client, url), urls))


def matrix_row(case: str, sent: Sequence[str], server: LocalServer, note: str = "") -> MatrixRow:
    """The fault-matrix row for the message ids ``sent``, from what ``server`` accepted.

    Nothing can be "reported" here: ``on_error`` runs in the server program's
    processes, and the local server refuses nothing in these scenarios.
    """
    counts = server_counts(server)
    delivered = [i for i in sent if counts.get(i, 0)]
    extra = sum(counts[i] - 1 for i in delivered)
    return MatrixRow(case, len(sent), len(delivered), 0, len(sent) - len(delivered), extra, note)
