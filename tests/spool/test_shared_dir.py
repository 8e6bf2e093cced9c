"""Several processes share one spool_dir; one is killed with a batch on the wire.

Each worker writes its own segments. The killed worker's segment is claimed
by exactly one survivor (a second claimer would resend the whole segment,
which the duplicate count would show) and replayed; the only repeats are the
messages of the batch that was in flight when it died.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from cio_analytics.testing import LocalServer

from ._support import (
    CHILD_TIMEOUT,
    counts,
    folder_of,
    run_child,
    segments,
    spawn_child,
    wait_for,
)

#: A worker: tracks N messages numbered from its base, says so, waits for "stop", shuts down.
WORKER = """
import sys
import cio_analytics as analytics
analytics.upload_interval = 0.02
analytics.upload_size = 100
analytics.max_in_flight = 1
analytics.grow_batches = False
BASE, N = {base}, {n}
for i in range(N):
    analytics.track("w%d" % BASE, "Shared", {{"i": BASE + i}})
print("tracked", flush=True)
sys.stdin.readline()  # "stop"
analytics.shutdown(5)
print("done", flush=True)
"""


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_share_a_spool_and_one_is_killed_mid_batch(
    server: LocalServer, spool_dir: Path, workers: int
) -> None:
    """Every message of every worker arrives; the dead one's arrive through a survivor."""
    n = 400
    server.stall()  # every first batch stays on the wire until released
    procs = [
        spawn_child(WORKER.format(base=w * 10_000, n=n), server, spool_dir) for w in range(workers)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "tracked"
        assert server.wait_for_stalled(workers, 10)
        victim = procs[0]
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(CHILD_TIMEOUT) == -signal.SIGKILL
        server.clear_faults()  # releases the held requests, the dead one's included
        expected = workers * n
        assert wait_for(lambda: len(server.events("Shared")) >= expected, 30), (
            len(server.events("Shared")),
            [p.name for p in segments(folder_of(spool_dir, server))],
        )
        for proc in procs[1:]:
            out, err = proc.communicate("stop\n", timeout=CHILD_TIMEOUT)
            assert proc.returncode == 0, err
            assert "done" in out
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(CHILD_TIMEOUT)
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
    got = counts(server, "Shared")
    wanted = [w * 10_000 + i for w in range(workers) for i in range(n)]
    lost = [i for i in wanted if not got[i]]
    duplicated = {i: c for i, c in got.items() if c > 1}
    print(
        f"shared dir, {workers} processes: sent {len(wanted)}, delivered {len(got)}, "
        f"duplicated {sum(c - 1 for c in duplicated.values())}, lost {len(lost)}"
    )
    assert not lost, f"{len(lost)} lost, e.g. {lost[:5]}"
    # Only the killed worker's batch on the wire repeats (its ack was never written).
    assert all(i < 10_000 for i in duplicated)
    assert sum(duplicated.values()) <= 2 * 100
    assert segments(folder_of(spool_dir, server)) == []


def test_a_claim_is_exclusive_between_processes(server: LocalServer, spool_dir: Path) -> None:
    """Two processes race for one orphaned segment: exactly one of them gets it."""
    first = run_child(  # the orphan: a process that accepted 100 messages, then died
        """
        import os, signal
        import cio_analytics as analytics
        analytics.upload_interval = 60
        analytics.upload_size = 10_000
        for i in range(100):
            analytics.track("u", "Raced", {"i": i})
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        server,
        spool_dir,
    )
    assert first.returncode == -signal.SIGKILL
    racer = """
    import json
    from cio_analytics._delivery.spool import Spool
    from cio_analytics._delivery.spool_dir import prepare
    import os
    folder = prepare(os.environ["CUSTOMERIO_SPOOL_DIR"], os.environ["CUSTOMERIO_API_KEY"],
                     os.environ["CUSTOMERIO_HOST"])
    spool = Spool(folder, 1 << 30, 3600.0, "never")
    import sys; sys.stdin.readline()  # start together
    print(json.dumps({"claimed": spool.claim_one()}), flush=True)
    sys.stdin.readline()
    """
    procs = [spawn_child(racer, server, spool_dir) for _ in range(2)]
    try:
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        claims = []
        for proc in procs:
            assert proc.stdout is not None
            claims.append(int(proc.stdout.readline().split(":")[1].strip(" }\n")))
        assert sorted(claims) == [0, 100]
    finally:
        for proc in procs:
            proc.communicate("\n", timeout=CHILD_TIMEOUT)
