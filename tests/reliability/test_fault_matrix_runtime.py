"""Runtime hazards that used to lose messages silently (issue 13), each a fault-matrix row.

C-level forks (uWSGI forks its workers without Python's hooks), SIGTERM with
the default disposition, values that cannot be decoded for on_error, a long
outage against the byte bound of the queue, a process that cannot start
threads, shutdown's bound with a slow on_error, clients made per request,
a frozen clock, and a delivery stall. Everything runs through the public API
against the local server on 127.0.0.1; child interpreters where the hazard is
the process itself.
"""

from __future__ import annotations

import decimal
import gc
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import msgspec
import pytest
from freezegun import freeze_time

from cio_analytics import Client, Settings
from cio_analytics._wire.messages import decode_message
from cio_analytics.errors import FailureReason, InvalidValueError, UnsupportedValueError
from cio_analytics.testing import LocalServer

from ._outcomes import MATRIX_ROWS, ErrorLog, MatrixRow, Outcome, assert_outcomes, wait_until
from ._scripts import SCRIPT_TIMEOUT, assert_each_once, counts_by, run_script
from .conftest import BOUND

# -- C-level fork ----------------------------------------------------------------------

C_FORK = """
import ctypes, json, os, sys
import cio_analytics as analytics

import time
libc = ctypes.CDLL(None, use_errno=True)
analytics.upload_interval = 30  # the master's message waits in its queue
analytics.track("master", "Before Fork", {"i": 0})
# A raw fork() leaves the child's GIL as it was: had another thread held it at
# that instant, the child would wait for it for ever (CPython's own fork code
# repairs that; a C program that forks must call PyOS_AfterFork_Child or fork
# before threads run). Let the master's consumer thread settle into its
# wait (no GIL held) first; ctypes releases the GIL around the call.
time.sleep(0.3)
children = []
for worker in range(4):
    pid = libc.fork()  # no Python at-fork hooks run, as in uWSGI
    if pid == 0:
        ids = [analytics.track("w%d" % worker, "In Worker", {"i": worker * 50 + i})
               for i in range(50)]
        ok = analytics.flush(20)
        print(json.dumps({"worker": worker, "ok": ok, "ids": ids}), flush=True)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
"""


def test_c_level_fork_children_get_their_own_ids_queue_and_thread(server: LocalServer) -> None:
    """Four children forked through libc: 200 distinct ids, each delivered once, none resent."""
    completed = run_script(C_FORK, server)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 4, completed.stdout + completed.stderr
    ids = [i for line in lines for i in msgspec.json.decode(line)["ids"]]
    assert len(set(ids)) == 200
    assert_each_once(server, "In Worker", 200)
    assert counts_by(server, "Before Fork") == {0: 1}  # the master's, sent by the master only
    outcome = Outcome(sent=201, delivered=set(server.message_ids()))
    MATRIX_ROWS.append(
        MatrixRow.of(
            "fork in C (libc fork, no Python hooks), 4 children",
            outcome,
            "children detect the new pid: own ids, empty queue, own thread",
        )
    )


# -- SIGTERM -----------------------------------------------------------------------------

SIGTERM_WORKER = """
import sys, time
import cio_analytics as analytics
analytics.upload_interval = 30  # everything stays queued until SIGTERM
for i in range(%d):
    analytics.track("worker", "Before Term", {"i": i})
print("ready", flush=True)
time.sleep(60)
"""


def _run_until_sigterm(source: str, server: LocalServer) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CUSTOMERIO_API_KEY=server.write_key or "", CUSTOMERIO_HOST=server.url)
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=SCRIPT_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_sigterm_delivers_what_is_queued_then_dies_of_sigterm(server: LocalServer) -> None:
    """A plain worker script killed by SIGTERM: 5,000 of 5,000 delivered, status -SIGTERM."""
    completed = _run_until_sigterm(SIGTERM_WORKER % 5000, server)
    assert completed.returncode == -signal.SIGTERM, completed.stderr
    assert_each_once(server, "Before Term", 5000)
    MATRIX_ROWS.append(
        MatrixRow(
            "SIGTERM, default disposition (plain worker script)",
            5000,
            server.message_count,
            0,
            5000 - server.message_count,
            note="drained within shutdown_timeout, then the process dies of SIGTERM",
        )
    )


def test_an_application_handler_is_never_replaced(server: LocalServer) -> None:
    """With the application's own SIGTERM handler the library installs nothing."""
    completed = run_script(
        """
        import signal
        import cio_analytics as analytics
        def mine(signum, frame):
            pass
        signal.signal(signal.SIGTERM, mine)
        analytics.track("u", "E")
        assert signal.getsignal(signal.SIGTERM) is mine
        analytics.flush(10)
        """,
        server,
    )
    assert completed.returncode == 0


def test_handle_sigterm_false_leaves_the_default(server: LocalServer) -> None:
    """handle_sigterm=False: the disposition stays Python's default."""
    completed = run_script(
        """
        import signal
        import cio_analytics as analytics
        analytics.handle_sigterm = False
        analytics.track("u", "E")
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        analytics.default_client = None
        analytics.handle_sigterm = True
        analytics.track("u", "E")
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        """,
        server,
    )
    assert completed.returncode == 0


# -- the error path ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (decimal.Decimal("1e400"), InvalidValueError),
        (decimal.Decimal("-1e309"), InvalidValueError),
        (msgspec.Raw(b'1,"userId":"someone-else"'), UnsupportedValueError),
    ],
    ids=["decimal-over", "decimal-under", "raw"],
)
def test_values_that_cannot_be_read_back_are_refused_at_the_call(value: Any, error: type) -> None:
    """A Decimal past the float range or a msgspec.Raw raises at the call, with its key path."""
    client = Client("k", send=False)
    with pytest.raises(error, match=r"properties\['x'\]"):
        client.track("u1", "E", {"x": value})


def test_reporting_falls_back_to_the_raw_text() -> None:
    """A message that cannot be decoded again is reported as its text, never raises."""
    broken = b'{"type":"track","properties":{"x":1E+400},"context":{'
    decoded = decode_message(broken)
    assert set(decoded) == {"raw"}
    assert "1E+400" in decoded["raw"]


def test_an_undecodable_message_does_not_sink_its_batch(server: LocalServer) -> None:
    """One undecodable message among 99 valid ones: the 99 arrive, it is reported as text."""
    server.strict = True
    reported: list[tuple[BaseException, list[dict[str, Any]]]] = []
    client = Client(
        server.write_key,
        host=server.url,
        upload_interval=30,
        on_error=lambda error, messages: reported.append((error, messages)),
    )
    ids = [client.track("u1", "Valid", {"i": i}) for i in range(99)]
    # What the call-site checks now refuse, injected as an older version could have queued it.
    bad = b'{"type":"track","userId":"u1","event":"Bad","properties":{"x":1E+400},"context":{'
    client._context.queued_bytes += len(bad)
    client._queue.append(bad)
    client._context.stats.count_enqueued()
    assert client.flush(BOUND)
    assert sorted(server.message_ids()) == sorted(ids)
    ((error, messages),) = reported
    assert getattr(error, "reason", None) is FailureReason.REJECTED
    assert list(messages[0]) == ["raw"] and "1E+400" in messages[0]["raw"]
    stats = client.stats()
    assert (stats.delivered, stats.failed, stats.pending) == (99, 1, 0)
    client.shutdown(5)
    MATRIX_ROWS.append(
        MatrixRow(
            "an undecodable message in a batch of 100 (400, split)",
            100,
            99,
            1,
            0,
            note="reported to on_error as its raw text; the 99 others delivered",
        )
    )


# -- the byte bound of the queue ------------------------------------------------------------

OUTAGE_MEMORY = """
import json, resource, time
import cio_analytics as analytics
from cio_analytics import Client
client = Client(upload_interval=0.05, max_retries=1000, retry_deadline=3600,
                max_queue_size=100_000, max_queue_bytes=%d, on_error=lambda e, m: None)
def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
start = rss_mb()
payload = {"blob": "x" * 30_000}
for i in range(5000):
    client.track("u", "Big", {**payload, "i": i})
stats = client.stats()
print(json.dumps({"start": start, "end": rss_mb(), "dropped": stats.dropped,
                  "queued": stats.queue_depth, "bytes": stats.queue_bytes,
                  "in_flight": stats.in_flight, "settled": stats.delivered + stats.failed}),
      flush=True)
client.shutdown(0.1)
"""


def test_a_long_outage_holds_no_more_than_the_byte_bound(server: LocalServer) -> None:
    """5,000 messages of 30 KB into a dead endpoint: memory stays under the bound."""
    server.fail_for(3600, 503)
    bound = 16 * 1024 * 1024
    completed = run_script(OUTAGE_MEMORY % bound, server)
    figures = msgspec.json.decode(completed.stdout.strip().splitlines()[-1])
    assert figures["bytes"] <= bound
    accounted = ("dropped", "queued", "in_flight", "settled")
    assert sum(figures[k] for k in accounted) == 5000, figures
    assert figures["dropped"] > 4000
    assert figures["end"] - figures["start"] < 2 * bound / 2**20 + 30  # MB, with slack
    server.clear_faults()
    MATRIX_ROWS.append(
        MatrixRow(
            "long outage, 5,000 x 30 KB messages, max_queue_bytes=16 MiB",
            5000,
            0,
            5000,
            0,
            note=(
                f"RSS grew {figures['end'] - figures['start']:.0f} MB; "
                f"{figures['dropped']} dropped and reported (queue full)"
            ),
        )
    )


# -- no threads ----------------------------------------------------------------------------

NO_THREADS = """
import logging, sys, threading, time
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
def refuse(self, *args, **kwargs):
    raise RuntimeError("can't start new thread")
threading.Thread.start = refuse
import cio_analytics as analytics
analytics.host = "http://127.0.0.1:9"   # nothing listens: a blocking call would show
started = time.monotonic()
for i in range(200):
    analytics.track("u", "No Thread", {"i": i})
print("calls took %.3f s" % (time.monotonic() - started), flush=True)
analytics.host = sys.argv[1]
print("flushed", analytics.flush(30), flush=True)
"""


def test_no_threads_means_no_blocking_call_and_one_warning(server: LocalServer) -> None:
    """track() stays fast with no thread, one WARNING names the fix, flush() delivers."""
    env = dict(os.environ, CUSTOMERIO_API_KEY=server.write_key or "")
    completed = subprocess.run(
        [sys.executable, "-c", NO_THREADS, server.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    took = float(completed.stdout.split("calls took ")[1].split()[0])
    assert took < 5.0  # not 200 blocking HTTP attempts against a dead host
    assert "flushed True" in completed.stdout
    warnings = [line for line in completed.stderr.splitlines() if "cannot start" in line]
    assert len(warnings) == 1, completed.stderr
    assert "--enable-threads" in warnings[0] and "sync_mode" in warnings[0]
    assert_each_once(server, "No Thread", 200)
    MATRIX_ROWS.append(
        MatrixRow(
            "threads cannot start (RuntimeError from Thread.start)",
            200,
            server.message_count,
            0,
            200 - server.message_count,
            note="one WARNING; calls never block; flush() delivers on its own thread",
        )
    )


# -- shutdown's bound with a slow on_error -------------------------------------------------


def test_shutdown_keeps_its_bound_with_a_slow_on_error(server: LocalServer) -> None:
    """A stalled server and an on_error that blocks: shutdown(1) returns near 1 s."""
    errors = ErrorLog()

    def slow_on_error(error: BaseException, messages: list[dict[str, Any]]) -> None:
        errors(error, messages)
        time.sleep(3)

    server.stall()
    client = Client(
        server.write_key, host=server.url, on_error=slow_on_error, upload_interval=0.01, timeout=3
    )
    ids = [client.track("u", "Slow", {"i": i}) for i in range(50)]
    assert wait_until(lambda: client.stats().in_flight > 0, 10.0)
    started = time.monotonic()
    assert client.shutdown(1.0) is False
    took = time.monotonic() - started
    assert took < 1.0 + 0.6, took  # the bound plus the small fixed margin, and some slack
    server.stop()  # the stalled request is dropped, never processed late
    assert wait_until(lambda: len(errors.counts()) == 50, 10.0)
    assert wait_until(lambda: client.stats().in_flight == 0, 10.0)  # the stuck attempt ended
    outcome = assert_outcomes(client, ids, server, errors, reasons={FailureReason.SHUTDOWN})
    MATRIX_ROWS.append(
        MatrixRow.of(
            "stalled server, on_error blocking 3 s, shutdown(timeout=1)",
            outcome,
            f"shutdown returned after {took:.2f} s",
        )
    )


# -- clients made per request -----------------------------------------------------------------


def test_clients_made_per_request_warn_once_and_end_their_threads(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """30 clients never shut down: one WARNING; once collected, their threads end, nothing lost."""

    def consumers() -> int:
        return sum(t.name == "cio-analytics-consumer" for t in threading.enumerate())

    before = consumers()
    with caplog.at_level(logging.WARNING, logger="cio_analytics"):
        held = []  # as a handler that stores its client somewhere would
        for i in range(30):
            client = Client(server.write_key, host=server.url, upload_interval=30)
            client.track("u", "Per Request", {"i": i})
            held.append(client)
        del held, client
        gc.collect()
    many = [r for r in caplog.records if "Client objects with the same write key" in r.message]
    assert len(many) == 1
    assert wait_until(lambda: len(server.events("Per Request")) == 30, BOUND)
    assert wait_until(lambda: consumers() <= before, BOUND)
    assert_each_once(server, "Per Request", 30)
    MATRIX_ROWS.append(
        MatrixRow(
            "a client per request, never shut down (30 clients)",
            30,
            len(server.events("Per Request")),
            0,
            30 - len(server.events("Per Request")),
            note="one WARNING; collected clients deliver what they hold and end their threads",
        )
    )


# -- frozen clock --------------------------------------------------------------------------------


@pytest.mark.parametrize("tick", [False, True], ids=["frozen", "ticking"])
def test_local_server_and_client_under_freezegun(tick: bool) -> None:
    """With freezegun active the local server answers 200 and every message arrives."""
    with freeze_time("2024-01-02 03:04:05", tick=tick), LocalServer() as server:
        with Client(server.write_key, host=server.url, upload_interval=0.01) as client:
            ids = [client.track("u", "Frozen", {"i": i}) for i in range(20)]
            assert client.flush(BOUND)
        assert {r.status for r in server.requests} == {200}
        assert server.message_ids() == ids
        assert server.messages[0]["timestamp"].startswith("2024-01-02T03:04:05")
    MATRIX_ROWS.append(
        MatrixRow(
            f"freezegun active ({'ticking' if tick else 'frozen'} clock)", 20, 20, 0, 0
        )
    )


# -- stalls ---------------------------------------------------------------------------------------


def test_a_stall_is_warned_about_once_and_shown_in_stats(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing delivered for stall_warning seconds while messages wait: one WARNING, stats."""
    server.fail_for(3600, 503)
    client = Client(
        server.write_key,
        host=server.url,
        stall_warning=0.5,
        upload_interval=0.01,
        max_retries=100,
        retry_deadline=600,
    )
    with caplog.at_level(logging.WARNING, logger="cio_analytics"):
        client.track("u", "Stalled")
        assert wait_until(lambda: client.stats().stalled_for > 0.5, 10.0)
        client.stats()
        client.stats()
    stalls = [r for r in caplog.records if "nothing has been delivered" in r.message]
    assert len(stalls) == 1, [r.message for r in caplog.records]
    assert "queue depth 1" in stalls[0].message
    server.clear_faults()
    assert client.flush(BOUND)
    assert client.stats().stalled_for == 0.0
    client.shutdown(5)


def test_settings_repr_hides_the_proxy_password() -> None:
    """The proxy's password never shows in a repr (nor does the key)."""
    settings = Settings(write_key="sk-secret-key", proxy="http://user:pa55word@proxy.internal:3128")
    text = repr(settings)
    assert "pa55word" not in text and "sk-secret-key" not in text
    assert "proxy.internal:3128" in text
    client = Client("sk-secret-key", send=False, proxy="http://user:pa55word@proxy.internal:3128")
    assert "pa55word" not in repr(client) and "pa55word" not in repr(client.settings)
