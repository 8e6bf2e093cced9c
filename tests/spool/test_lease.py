"""Leases under skewed clocks: only the holder's death frees a segment, at once.

A segment is held through a kernel record lock, which the kernel drops when
the holder dies; no expiry time is read from a clock. So a segment stamped by
a clock far ahead or far behind (a file's mtime, or the time in its name) is
never taken from a live holder, and is taken at once from a dead one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from cio_analytics._delivery.spool import Spool
from cio_analytics._delivery.spool_dir import prepare
from cio_analytics._delivery.spool_format import data_record
from cio_analytics.testing import LocalServer

from ._support import CHILD_TIMEOUT, folder_of, segments, spawn_child

HOUR = 3600.0

#: A process that writes 10 messages to the spool (never sends them) and stays alive.
HOLDER = """
import sys
import cio_analytics as analytics
analytics.upload_interval = 60
analytics.upload_size = 10_000
for i in range(10):
    analytics.track("u", "Held", {"i": i})
print("held", flush=True)
sys.stdin.readline()
import os; os._exit(0)
"""


def _spool(spool_dir: Path, server: LocalServer) -> Spool:
    folder = prepare(str(spool_dir), server.write_key or "", server.url)
    return Spool(folder, 1 << 30, 30 * 24 * HOUR, "never")


def test_a_live_holder_keeps_its_segment_whatever_the_clocks_say(
    server: LocalServer, spool_dir: Path
) -> None:
    """mtime an hour behind, then an hour ahead: never claimed while its holder lives."""
    holder = spawn_child(HOLDER, server, spool_dir)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        (segment,) = segments(folder_of(spool_dir, server))
        claimer = _spool(spool_dir, server)
        for skew in (-HOUR, +HOUR, -30 * 24 * HOUR):
            when = time.time() + skew
            os.utime(segment, (when, when))
            assert claimer.claim_one() == 0
        assert segments(folder_of(spool_dir, server)) == [segment]
    finally:
        holder.communicate("\n", timeout=CHILD_TIMEOUT)
    # Dead now, with an mtime an hour in the future: claimed at once, nothing to wait for.
    when = time.time() + HOUR
    os.utime(segment, (when, when))
    claimer = _spool(spool_dir, server)
    assert claimer.claim_one() == 10
    claimer.release()


def test_segments_from_skewed_clocks_replay_oldest_name_first_and_are_claimed(
    server: LocalServer, spool_dir: Path
) -> None:
    """Writers whose clocks ran ahead and behind: their orphaned segments are all claimed."""
    folder = folder_of(spool_dir, server)
    prepare(str(spool_dir), server.write_key or "", server.url)
    stamps = {"ahead": time.time_ns() + int(1e9 * 24 * HOUR), "behind": 10**18}
    for label, ns in stamps.items():
        body = b"".join(
            data_record(i, b'{"type":"track","event":"%s","i":%d}' % (label.encode(), i))
            for i in range(3)
        )
        (folder / f"{ns:020d}-99999-abcdef-000001.seg").write_bytes(body)
    claimer = _spool(spool_dir, server)
    assert claimer.claim_one() == 3
    assert claimer.claim_one() == 3
    taken = claimer.take(10)
    assert [m.split(b'"event":"')[1][:5] for m in taken[:3]] == [b"behin"] * 3
    claimer.done(taken)
    claimer.release()
    assert segments(folder) == []
