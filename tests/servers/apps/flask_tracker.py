"""The Flask example of examples/web, as gunicorn loads it, with test-only additions.

``APP_UPLOAD_INTERVAL`` sets the library's ``upload_interval`` before the app
is imported (60 keeps every message queued until the worker exits), each
request takes 20 ms more (so that concurrent requests spread over the
workers), and each response names the worker that served it
(``X-Worker-Pid``). No gunicorn hook is involved: delivery at exit is the
library's own.
"""

from __future__ import annotations

import os
import time

from flask import Response

import cio_analytics

cio_analytics.upload_interval = float(os.environ.get("APP_UPLOAD_INTERVAL", "0.5"))

from flask_app import app  # noqa: E402  (examples/web: gunicorn's --chdir)


@app.before_request
def take_a_moment() -> None:
    """A little work, as a real handler would do."""
    time.sleep(0.02)


@app.after_request
def name_the_worker(response: Response) -> Response:
    """Say which worker process served the request."""
    response.headers["X-Worker-Pid"] = str(os.getpid())
    return response


__all__ = ["app"]
