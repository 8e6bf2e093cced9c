"""Helpers of the micro-benchmarks: a client configuration that never sends while measured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from _payload import WRITE_KEY

import cio_analytics

__all__ = ["QUIET_SETTINGS", "Runner", "drop_queued"]

#: Settings under which the consumer never takes a batch during a benchmark.
QUIET_SETTINGS: Final[dict[str, Any]] = {
    "write_key": WRITE_KEY,
    "host": "http://127.0.0.1:9",  # the discard port: never contacted
    "upload_size": 10**9,
    "upload_interval": 3600.0,
    "max_queue_size": 10**9,
    "shutdown_timeout": 1.0,
}

#: ``run(target, args=(), after_round=None)``: the ``hot`` fixture.
Runner = Callable[..., Any]


def drop_queued(client: cio_analytics.Client) -> None:
    """Forget what the client queued (there is no public way; the deque is private)."""
    client._queue.clear()
    spool = client._context.spool
    if spool is not None:
        spool._where.clear()  # what the spool remembers of the queued messages, likewise
