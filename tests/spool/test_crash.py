"""Process death with the spool on: SIGKILL after 10,000 calls, torn and damaged records.

Each case runs the application in a child interpreter against the local
server, kills it with SIGKILL (no Python code runs: no exit hook, no flush),
then starts a new process with the same ``spool_dir`` and key, which must
deliver what the first one had accepted. Every wait is bounded.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from cio_analytics._delivery.spool_format import data_record, used_length
from cio_analytics.testing import LocalServer

from ._support import counts, folder_of, last_json, run_child, segments, wait_for

#: The new process: start a client, let it replay, report its counters, shut down.
REPLAYER = """
import json, time
import cio_analytics as analytics
client = analytics.Client(upload_interval=0.02)
client.flush(1)
deadline = time.monotonic() + 40
while time.monotonic() < deadline:
    s = client.stats()
    if s.replayed and s.spool_bytes == 0 and s.pending == 0:
        break
    time.sleep(0.05)
s = client.stats()
client.shutdown(5)
print(json.dumps({"replayed": s.replayed, "delivered": s.delivered, "failed": s.failed,
                  "corrupt": s.spool_corrupt_bytes, "spool_bytes": s.spool_bytes}))
"""


def test_sigkill_after_10000_calls_then_a_new_process_delivers_all(
    server: LocalServer, spool_dir: Path
) -> None:
    """SIGKILL right after 10,000 track() calls: the next process delivers every one.

    One batch of 100 in flight at a time, so a resend can only come from the
    batch that was on the wire when the process died (its ack never written).
    """
    n = 10_000
    first = run_child(
        f"""
        import os, signal
        import cio_analytics as analytics
        client = analytics.Client(upload_size=100, upload_interval=0.02, max_in_flight=1,
                                  grow_batches=False)
        for i in range({n}):
            client.track("user-%d" % (i % 50), "Crashed", {{"i": i}})
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        server,
        spool_dir,
    )
    assert first.returncode == -signal.SIGKILL, first.stderr
    before = server.message_count
    second = run_child(REPLAYER, server, spool_dir)
    assert second.returncode == 0, second.stderr
    report = last_json(second.stdout)
    got = counts(server, "Crashed")
    lost = [i for i in range(n) if not got[i]]
    duplicated = sum(c - 1 for c in got.values() if c > 1)
    print(
        f"sigkill: sent {n}, delivered before the kill {before}, replayed {report['replayed']}, "
        f"unique delivered {len(got)}, duplicated {duplicated}, lost {len(lost)}"
    )
    assert not lost, f"{len(lost)} lost, e.g. {lost[:5]}"
    assert duplicated <= 100  # only within the batch in flight at the kill
    assert report["failed"] == 0
    assert segments(folder_of(spool_dir, server)) == []  # retired once delivered


def _killed_before_sending(server: LocalServer, spool_dir: Path, n: int) -> Path:
    """A child that accepts ``n`` messages and dies before sending any; returns its segment."""
    first = run_child(
        f"""
        import os, signal
        import cio_analytics as analytics
        client = analytics.Client(upload_size=100_000, upload_interval=60)
        for i in range({n}):
            client.track("u", "Torn", {{"i": i}})
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        server,
        spool_dir,
    )
    assert first.returncode == -signal.SIGKILL, first.stderr
    assert server.message_count == 0
    files = segments(folder_of(spool_dir, server))
    assert len(files) == 1
    return files[0]


def test_a_torn_final_record_is_set_aside_and_the_rest_delivered(
    server: LocalServer, spool_dir: Path
) -> None:
    """A record cut short at the end of a segment: the good ones arrive, the bytes go aside."""
    segment = _killed_before_sending(server, spool_dir, 200)
    torn = data_record(200, b'{"type":"track","event":"Torn"}')[:17]
    data = segment.read_bytes()
    with segment.open("r+b") as fh:  # what a write cut by a crash leaves behind
        fh.seek(used_length(data))
        fh.write(torn)
    second = run_child(REPLAYER, server, spool_dir)
    assert second.returncode == 0, second.stderr
    report = last_json(second.stdout)
    assert report["corrupt"] == len(torn)
    got = counts(server, "Torn")
    assert sorted(got) == list(range(200)) and max(got.values()) == 1
    quarantine = folder_of(spool_dir, server) / "bad"
    kept = [p.read_bytes() for p in quarantine.iterdir()]
    assert kept == [torn]
    assert "bad byte" in second.stderr  # one warning names the segment and the folder


def test_a_damaged_record_loses_only_itself(server: LocalServer, spool_dir: Path) -> None:
    """A flipped byte in the middle of a segment: that message is set aside, the others arrive."""
    segment = _killed_before_sending(server, spool_dir, 50)
    data = bytearray(segment.read_bytes())
    middle = used_length(bytes(data)) // 2
    data[middle] ^= 0xFF
    segment.write_bytes(bytes(data))
    second = run_child(REPLAYER, server, spool_dir)
    assert second.returncode == 0, second.stderr
    got = counts(server, "Torn")
    assert len(got) == 49 and max(got.values()) == 1
    assert last_json(second.stdout)["corrupt"] > 0


def test_os_exit_loses_nothing(server: LocalServer, spool_dir: Path) -> None:
    """os._exit skips every exit hook: the spool still has what was accepted."""
    first = run_child(
        """
        import os
        import cio_analytics as analytics
        analytics.upload_interval = 60
        for i in range(300):
            analytics.track("u", "Exited", {"i": i})
        os._exit(0)
        """,
        server,
        spool_dir,
    )
    assert first.returncode == 0, first.stderr
    second = run_child(REPLAYER, server, spool_dir)
    assert second.returncode == 0, second.stderr
    assert wait_for(lambda: len(counts(server, "Exited")) == 300, 5)
    assert max(counts(server, "Exited").values()) == 1
    assert not os.listdir(folder_of(spool_dir, server)) or not segments(
        folder_of(spool_dir, server)
    )
