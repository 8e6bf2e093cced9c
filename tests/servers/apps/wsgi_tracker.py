"""A WSGI app for uWSGI: one message when the app is imported, one per request.

Without ``--lazy-apps`` uWSGI imports the app in its master and then forks the
workers from C, so the import-time message is in the master's queue when each
worker is forked, and every worker starts with a copy of it. Each request
answers with the worker's pid and the id of the message it tracked.

``APP_UPLOAD_INTERVAL`` sets the library's ``upload_interval`` (seconds);
``APP_IMPORT_MESSAGE=0`` leaves out the import-time message (the master then
never calls the library).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import cio_analytics as analytics

#: Seconds at most to wait for the library's thread to settle at import.
SETTLE_TIMEOUT = 10.0


def _delivery_thread_waits() -> bool:
    """Whether the library's thread is in a wait (for its next batch)."""
    frames = sys._current_frames()
    for thread in threading.enumerate():
        frame = frames.get(thread.ident or 0)
        if thread.name == "cio-analytics-consumer" and frame is not None:
            return frame.f_code.co_name == "wait" and frame.f_code.co_filename == threading.__file__
    return False


def _let_the_delivery_thread_settle() -> None:
    """Return once the library's thread waits for its next batch (bounded).

    uWSGI forks its workers from C after its master has released the GIL. A
    Python thread of the master that holds the GIL at that instant (any thread:
    this library's, a monitoring SDK's) leaves the new worker waiting for the
    GIL forever; uWSGI's ``--py-call-uwsgi-fork-hooks`` takes the GIL around
    its forks and avoids that. This app runs under uWSGI's defaults, to test
    how the library detects forks made in C, so before it returns to uWSGI it
    lets the library's thread reach its wait (``upload_interval`` long): seen
    waiting twice, with a pause between in which the thread, if it had only
    just been woken, takes the GIL back and waits again.
    """
    deadline = time.monotonic() + SETTLE_TIMEOUT
    pause = threading.Event()
    seen = 0
    while seen < 2 and time.monotonic() < deadline:
        seen = seen + 1 if _delivery_thread_waits() else 0
        pause.wait(0.1 if seen else 0.005)


analytics.upload_interval = float(os.environ.get("APP_UPLOAD_INTERVAL", "2"))
IMPORT_MESSAGE_ID = None
if os.environ.get("APP_IMPORT_MESSAGE", "1") == "1":
    IMPORT_MESSAGE_ID = analytics.track("uwsgi-master", "App Imported", {"pid": os.getpid()})
    _let_the_delivery_thread_settle()
print(f"app imported: pid={os.getpid()} message_id={IMPORT_MESSAGE_ID}", file=sys.stderr)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Track one message for ``/?n=N``; answer pid and message id as JSON.

    ``&hold=S`` keeps the request S seconds longer, after saying so on stderr:
    a request still in progress when uWSGI is told to stop.
    """
    query = parse_qs(environ.get("QUERY_STRING", ""))
    n = int(query.get("n", ["-1"])[0])
    message_id = analytics.track(f"visitor-{n}", "Page Served", {"n": n, "pid": os.getpid()})
    hold = float(query.get("hold", ["0"])[0])
    if hold:
        print(f"holding request n={n} in pid={os.getpid()}", file=sys.stderr)
    time.sleep(hold or 0.005)  # a little work, so that concurrent requests spread out
    body = json.dumps({"pid": os.getpid(), "message_id": message_id, "n": n}).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
