"""Helpers of the spool tests: child interpreters, counts by message, segment files by hand."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cio_analytics._delivery.spool_dir import key_folder, user_folder
from cio_analytics.testing import LocalServer

__all__ = [
    "CHILD_TIMEOUT",
    "counts",
    "folder_of",
    "last_json",
    "run_child",
    "segments",
    "spawn_child",
    "wait_for",
]

#: Seconds a child interpreter may run before the test fails (none ever hangs).
CHILD_TIMEOUT = 60.0


def _env(server: LocalServer, spool_dir: Path, extra: dict[str, str] | None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    env.update(
        CUSTOMERIO_API_KEY=server.write_key or "",
        CUSTOMERIO_HOST=server.url,
        CUSTOMERIO_SPOOL_DIR=str(spool_dir),
    )
    env.pop("CUSTOMERIO_REGION", None)
    return env


def run_child(
    source: str,
    server: LocalServer,
    spool_dir: Path,
    *,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``source`` in a new interpreter aimed at ``server`` with ``spool_dir`` (bounded)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        env=_env(server, spool_dir, env),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
        preexec_fn=preexec_fn,
    )


def spawn_child(source: str, server: LocalServer, spool_dir: Path) -> subprocess.Popen[str]:
    """Start ``source`` in a new interpreter (the caller waits for it, bounded)."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(source)],
        env=_env(server, spool_dir, None),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def last_json(stdout: str) -> dict[str, Any]:
    """The last line of ``stdout`` that is a JSON object."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            parsed: dict[str, Any] = json.loads(line)
            return parsed
    raise AssertionError(f"no JSON line in {stdout!r}")


def counts(server: LocalServer, event: str, key: str = "i") -> collections.Counter[int]:
    """How many times each ``properties[key]`` of ``event`` arrived."""
    return collections.Counter(int(m["properties"][key]) for m in server.events(event))


def folder_of(spool_dir: Path, server: LocalServer) -> Path:
    """The key folder the library uses under ``spool_dir`` for ``server``'s key and URL."""
    return spool_dir / user_folder() / key_folder(server.write_key or "", server.url)


def segments(folder: Path) -> list[Path]:
    """The segment files in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.name.endswith(".seg")), key=lambda p: p.name)


def wait_for(condition: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
