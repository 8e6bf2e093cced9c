"""gunicorn, sync and gevent workers, without any hook: SIGTERM delivers every message once.

The Flask example of examples/web, two workers, sign-ups that identify and
track, SIGTERM to the master. gunicorn's workers install their own SIGTERM
handler (the library leaves it alone); the master passes SIGTERM on to them,
they finish their requests, and end with a normal interpreter exit, which
runs the library's exit hook. ``upload_interval`` is 60 s here, so every
message is still queued when SIGTERM arrives: the exit hook delivers them
all. tests/examples/test_web_prefork.py runs the same app with the
``worker_exit`` hook of examples/web/gunicorn.conf.py.
"""

from __future__ import annotations

import collections
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from reliability._outcomes import MATRIX_ROWS, MatrixRow

from cio_analytics.testing import LocalServer

from ._harness import APPS, EXAMPLES_WEB, Program, free_port, program_path, server_env

gunicorn_config = pytest.importorskip("gunicorn.config")
pytest.importorskip("flask")

#: gunicorn 24+ opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl),
#: shared by every gunicorn running at the same time: these tests do without it.
NO_CONTROL_SOCKET = [
    setting.cli[0]
    for setting in gunicorn_config.KNOWN_SETTINGS
    if setting.name == "control_socket_disable"
]

WORKERS = 2
#: Sign-ups at least, and at most while waiting for both workers to have served one.
SIGNUPS = 40
MAX_SIGNUPS = 400
CONCURRENCY = 8


def _sign_up(port: int, workers: int) -> dict[str, int]:
    """SIGNUPS sign-ups, a few at a time, and more until ``workers`` workers served some.

    Returns:
        user id -> pid of the worker that served the sign-up.
    """
    users: dict[str, int] = {}
    url = f"http://127.0.0.1:{port}/signup"

    def post(client: httpx.Client, n: int) -> httpx.Response:
        body = {"email": f"user{n}@example.com"}
        return client.post(url, json=body, headers={"Connection": "close"})

    with httpx.Client(timeout=10.0) as client, ThreadPoolExecutor(CONCURRENCY) as pool:
        while len(users) < MAX_SIGNUPS:
            start = len(users)
            for response in pool.map(lambda n: post(client, n), range(start, start + SIGNUPS)):
                assert response.status_code == 201, response.text
                users[response.json()["user_id"]] = int(response.headers["X-Worker-Pid"])
            if len(set(users.values())) >= workers:
                break
    return users


@pytest.mark.parametrize("worker_class", ["sync", "gevent"])
def test_gunicorn_workers_deliver_at_sigterm_without_hooks(
    worker_class: str, cio_server: LocalServer, tmp_path: Path
) -> None:
    """Every identify and track of every sign-up arrives exactly once after SIGTERM."""
    if worker_class == "gevent":
        pytest.importorskip("gevent")
    port = free_port()
    argv = [
        program_path("gunicorn"), "--workers", str(WORKERS), "--worker-class", worker_class,
        "--bind", f"127.0.0.1:{port}", "--chdir", str(EXAMPLES_WEB), "--pythonpath", str(APPS),
        "--graceful-timeout", "20", *NO_CONTROL_SOCKET, "flask_tracker:app",
    ]  # fmt: skip
    env = server_env(cio_server, APP_UPLOAD_INTERVAL="60")
    with Program(argv, env, tmp_path / "gunicorn.log") as gunicorn:
        gunicorn.wait_until(
            lambda: gunicorn.log().count("Booting worker with pid") >= WORKERS, "booted"
        )
        # A gevent worker accepts every connection that comes while it waits on
        # others, so one of the two may take them all; sync workers take turns.
        users = _sign_up(port, WORKERS if worker_class == "sync" else 1)
        status = gunicorn.stop(signal.SIGTERM)
        log = gunicorn.log()
    assert status == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    if worker_class == "sync":
        assert len(set(users.values())) == WORKERS

    by_user = collections.Counter(m["userId"] for m in cio_server.messages)
    ids = [m["messageId"] for m in cio_server.messages]
    sent = 2 * len(users)  # an identify and a "Signed Up" per sign-up
    assert by_user == dict.fromkeys(users, 2), "a sign-up's messages are missing or repeated"
    assert len(cio_server.events("Signed Up")) == len(users)
    assert len(set(ids)) == len(ids) == sent
    assert cio_server.duplicate_count == 0
    assert cio_server.rejections == []
    MATRIX_ROWS.append(
        MatrixRow(
            f"gunicorn {worker_class} workers (2), no hooks, SIGTERM to the master",
            sent,
            len(set(ids)),
            0,
            sent - len(set(ids)),
            cio_server.duplicate_count,
            "upload_interval=60: all delivered by the library's exit hook in each worker",
        )
    )
