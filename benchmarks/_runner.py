"""Running things in their own processes: the server, and one workload per scenario round.

Every child is started by this module, waited for with a timeout, and killed
by its own pid when it overstays. After every workload the server's counters
are read once they have settled and compared with what the workload says it
enqueued: that is the exactly-once check.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from _control import ControlError, ServerControl
from _libraries import ENVIRONMENTS
from _payload import WRITE_KEY
from _plan import CEILINGS, ScenarioPlan

__all__ = ["ServerProcess", "check_delivery", "run_workload"]

HERE: Final = Path(__file__).resolve().parent
#: Seconds the server may take to print its URL.
SERVER_START_TIMEOUT: Final = 20.0
#: Characters of a failed child's stderr kept in the results.
STDERR_TAIL: Final = 2000


class ServerProcess:
    """The benchmark server (``_server_process.py``) as a child process.

    Args:
        python: The interpreter.
        latency: The server's latency (``"0.1"``, or ``"LOW:HIGH"``); None for none.
    """

    def __init__(self, python: str = sys.executable, latency: str | None = None) -> None:
        self._python = python
        self._latency = latency
        self._proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        #: The latency the server reports (seconds, [low, high], or None).
        self.latency: Any = None

    def __enter__(self) -> Self:
        command = [self._python, str(HERE / "_server_process.py"), "--key", WRITE_KEY]
        if self._latency is not None:
            command += ["--latency", self._latency]
        proc = subprocess.Popen(
            [*command, "--watch-stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._proc = proc
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], SERVER_START_TIMEOUT)
        line = proc.stdout.readline() if ready else b""
        if not line:
            self._stop()
            raise RuntimeError("the benchmark server did not start")
        hello = json.loads(line)
        self.url, self.latency = hello["url"], hello.get("latency")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # the server stops when its stdin closes
        try:
            proc.wait(10.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5.0)


def _command(
    python: str, plan: ScenarioPlan, subject: str, url: str, workdir: str | None
) -> list[str]:
    if subject in CEILINGS:
        batch = subject.rsplit("-", 1)[1]
        script = [str(HERE / "_ceiling.py"), "--batch", batch]
        return [python, *script, "--url", url, "--n", str(plan.n)]
    script = [str(HERE / plan.script), subject, plan.workload or plan.name]
    command = [python, *script, "--url", url, "--n", str(plan.n), *plan.args]
    if plan.needs_workdir:
        if workdir is None:
            raise ValueError(f"the {plan.name} scenario needs a working directory")
        command += ["--workdir", workdir]
    return command


def _last_json_line(stdout: bytes) -> dict[str, Any] | None:
    for line in reversed(stdout.decode(errors="replace").splitlines()):
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


def run_workload(
    python: str, plan: ScenarioPlan, subject: str, url: str, workdir: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run one subject through one scenario in a fresh process.

    Args:
        python: The interpreter.
        plan: The scenario.
        subject: The library (or variant) to run.
        url: The server's base URL.
        workdir: A directory for the scenario's files (the bulk file), kept between rounds.

    Returns:
        The workload's result (with ``process_seconds``/``exit_seconds`` added), and a
        status record: ``{"status": "ok" | "timed out" | "failed", "returncode", "stderr"}``.
    """
    command = _command(python, plan, subject, url, workdir)
    started = time.monotonic()
    env = {**os.environ, **ENVIRONMENTS.get(subject, {})}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    status = "ok"
    try:
        stdout, stderr = proc.communicate(timeout=plan.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate(timeout=10.0)
        status = "timed out"
    ended = time.monotonic()
    result = _last_json_line(stdout) or {}
    if status == "ok" and (proc.returncode != 0 or "error" in result or not result):
        status = "failed"
    result["process_seconds"] = ended - started
    if "enqueued_at" in result:
        result["exit_seconds"] = ended - float(result["enqueued_at"])
    record = {
        "status": status,
        "returncode": proc.returncode,
        "stderr": stderr.decode(errors="replace")[-STDERR_TAIL:],
    }
    return result, record


def check_delivery(control: ServerControl, result: dict[str, Any]) -> dict[str, Any]:
    """Compare the settled server counters with what the workload enqueued.

    Returns:
        ``{"exactly_once": bool, "expected", "unique", "received", "duplicates",
        "lost", "rejections", "refused", "server": stats}``; ``expected`` is None
        when the workload did not say (it failed before telling).
    """
    try:
        stats = control.settle(quiet=0.2, limit=15.0)
    except ControlError as exc:
        return {"exactly_once": False, "error": str(exc)}
    expected = result.get("expected")
    unique = int(stats["unique_message_ids"])
    duplicates = int(stats["duplicate_count"])
    refused = int(result.get("refused", 0))
    check = {
        "expected": expected,
        "unique": unique,
        "received": int(stats["message_count"]),
        "duplicates": duplicates,
        "lost": None if expected is None else max(0, int(expected) - unique),
        "extra": None if expected is None else max(0, unique - int(expected)),
        "rejections": int(stats["rejections"]),
        "refused": refused,
        "server": stats,
    }
    check["exactly_once"] = (
        expected is not None
        and unique == expected
        and check["received"] == expected
        and duplicates == 0
        and check["rejections"] == 0
        and refused == 0
    )
    return check
