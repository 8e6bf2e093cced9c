"""Child interpreters for the reliability suite: run a script against a local server."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import textwrap

from cio_analytics.testing import LocalServer

__all__ = ["SCRIPT_TIMEOUT", "assert_each_once", "counts_by", "run_script"]

#: Seconds a child interpreter may run before the test fails (it never hangs).
SCRIPT_TIMEOUT = 90.0


def run_script(
    source: str,
    server: LocalServer,
    *,
    expect_ok: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``source`` in a new interpreter configured for ``server`` (bounded in time)."""
    env = {**os.environ, **(env or {})}
    env.update(CUSTOMERIO_API_KEY=server.write_key or "", CUSTOMERIO_HOST=server.url)
    env.pop("CUSTOMERIO_REGION", None)
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )
    if expect_ok:
        assert completed.returncode == 0, completed.stderr
    return completed


def counts_by(server: LocalServer, event: str, key: str = "i") -> collections.Counter[object]:
    """How many times each ``properties[key]`` value of ``event`` arrived."""
    return collections.Counter(m["properties"][key] for m in server.events(event))


def assert_each_once(server: LocalServer, event: str, n: int, key: str = "i") -> None:
    """Every ``properties[key]`` in range(n) of ``event`` arrived exactly once."""
    got = counts_by(server, event, key)
    missing = [i for i in range(n) if got[i] == 0]
    repeated = {i: c for i, c in got.items() if c > 1}
    assert not missing, f"{event}: {len(missing)} lost, e.g. {missing[:5]}"
    assert not repeated, f"{event}: repeated {list(repeated.items())[:5]}"
    assert sum(got.values()) == n


