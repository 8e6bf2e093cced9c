"""gunicorn settings for the example apps: pre-fork workers, each sending its own messages.

Run the Flask example with two workers::

    CUSTOMERIO_API_KEY=... gunicorn -c examples/web/gunicorn.conf.py \\
        --chdir examples/web flask_app:app

``preload_app`` imports the app once in the master, which then forks the
workers. cio_analytics is fork-safe (see ``gunicorn_prefork.md``): the master
only configures it and starts no thread; each worker gets an empty queue and
starts its own delivery thread and connections on its first call.
"""

from __future__ import annotations

from typing import Any

import cio_analytics

bind = "127.0.0.1:8000"
workers = 2
preload_app = True
#: Seconds a worker has to finish after SIGTERM; keep it above the flush below.
graceful_timeout = 15

#: Seconds a stopping worker may spend delivering what it queued.
FLUSH_TIMEOUT = 5.0


def worker_exit(server: Any, worker: Any) -> None:
    """Deliver what this worker queued before it exits.

    The library's ``atexit`` hook would do it too when the worker's
    interpreter exits; calling it here makes the bound explicit and covers
    worker classes that end with ``os._exit``.
    """
    cio_analytics.shutdown(timeout=FLUSH_TIMEOUT)
