"""Celery: a real prefork worker process, on kombu's filesystem transport (no broker server).

The worker runs ``--pool=prefork --concurrency=1 --max-tasks-per-child=1``, so
each task runs in a child process that is replaced right after it. Pool
children end with ``os._exit``, which skips exit hooks, and the worker's
``upload_interval`` is a minute (see ``cio_celery_app.py``): the messages
can only arrive through ``worker_process_shutdown``, which ``setup`` connects.
They arrive while the worker is still running, before the test stops it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _integration_support import assert_exactly_once

import cio_analytics
from cio_analytics._wire.scope import Scope, current
from cio_analytics.testing import LocalServer

pytest.importorskip("celery")
import cio_celery_app

from cio_analytics.integrations import celery as cio_celery

HERE = Path(__file__).resolve().parent
#: Seconds the worker may take to start and run both tasks, and to stop.
RUN_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
AGENT = "integration-test/1.0"


@pytest.fixture
def publisher_hooks() -> Iterator[None]:
    """``setup`` in this process too: the sending side puts the caller's scope in the headers."""
    uninstall = cio_celery.setup(cio_celery_app.app)
    try:
        yield
    finally:
        uninstall()


def _worker(server: LocalServer, queue: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CUSTOMERIO_API_KEY": str(server.write_key),
        "CUSTOMERIO_HOST": server.url,
        "CIO_TEST_QUEUE_DIR": str(queue),
        "CIO_TEST_WORKER": "1",
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "cio_celery_app", "worker",
                "--pool=prefork", "--concurrency=1", "--max-tasks-per-child=1",
                "--without-mingle", "--without-gossip", "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=HERE,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip


def test_prefork_worker_delivers_at_process_shutdown_with_the_callers_scope(
    cio_server: LocalServer, tmp_path: Path, publisher_hooks: None
) -> None:
    """What each task queued arrives once, from children that end with os._exit.

    The task sent inside a scope gets the caller's user id, ip, userAgent and
    page; its call with its own user_id and context keeps them.
    """
    queue = tmp_path / "queue"
    queue.mkdir()
    cio_celery_app.use_queue_dir(str(queue))
    # A connection of its own, made now: it uses the queue folder just set.
    with cio_celery_app.app.connection_for_write() as connection:
        with cio_analytics.scope(
            user_id="u-celery", ip="203.0.113.7", user_agent=AGENT, page={"path": "/exports"}
        ):
            cio_celery_app.export_report.apply_async(("pdf",), connection=connection)
        cio_celery_app.nightly_cleanup.apply_async(connection=connection)
    assert current() is None

    log = tmp_path / "worker.log"
    worker = _worker(cio_server, queue, log)
    try:
        arrived = cio_server.wait_for_messages(3, timeout=RUN_TIMEOUT)
        worker.send_signal(signal.SIGTERM)  # warm shutdown
        worker.wait(timeout=STOP_TIMEOUT)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=STOP_TIMEOUT)
    output = log.read_text(errors="replace")
    assert arrived, output
    assert "Traceback" not in output, output

    assert_exactly_once(cio_server, 3)
    (export,) = cio_server.events("Report Exported")
    assert export["userId"] == "u-celery"
    assert export["properties"] == {"format": "pdf"}
    assert export["context"]["ip"] == "203.0.113.7"
    assert export["context"]["userAgent"] == AGENT
    assert export["context"]["page"] == {"path": "/exports"}
    (audit,) = cio_server.events("Export Audited")
    assert audit["userId"] == "auditor"
    assert audit["context"]["ip"] == "198.51.100.9"
    assert audit["context"]["page"] == {"path": "/audit"}
    assert audit["context"]["userAgent"] == AGENT
    (cleanup,) = cio_server.events("Cleanup Ran")
    assert "ip" not in cleanup.get("context", {})  # sent outside any scope


def test_flush_after_task_delivers_before_the_task_returns(cio_env: LocalServer) -> None:
    """With ``flush_after_task`` the task's messages have arrived when ``apply()`` returns.

    ``apply()`` runs the task through Celery's real tracer in this process,
    signals included; the long upload interval leaves the flush as the only
    way anything is sent.
    """
    cio_analytics.upload_interval = 60.0
    uninstall = cio_celery.setup(cio_celery_app.app, flush_after_task=True)
    try:
        cio_celery_app.nightly_cleanup.apply()
        assert_exactly_once(cio_env, 1)
    finally:
        uninstall()


def test_a_scope_json_cannot_carry_stays_behind() -> None:
    """The header is JSON text; a scope with other values is not sent (the task still is)."""
    assert cio_celery.encode_scope(None) is None
    assert cio_celery.encode_scope(Scope()) is None
    assert cio_celery.encode_scope(Scope(context={"when": object()})) is None
    header = cio_celery.encode_scope(Scope(user_id=7, context={"ip": "203.0.113.7"}))
    assert cio_celery.decode_scope(header) == {"user_id": 7, "context": {"ip": "203.0.113.7"}}
    assert cio_celery.decode_scope("not json") is None
    assert cio_celery.decode_scope('{"user_id": true, "context": []}') is None
