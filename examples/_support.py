"""Shared setup for the example scripts: the real API when a key is set, else a local server.

Each example wraps its work in ``with example("title"):`` and uses the
module-level ``cio_analytics`` API as an application would.

- With ``CUSTOMERIO_API_KEY`` set (and optionally ``CUSTOMERIO_REGION``), the
  calls go to Customer.io, and every request body is printed as it is sent.
- Without it, a local Customer.io-compatible server is started on 127.0.0.1,
  the module settings point at it, and at the end every message it accepted
  is printed.

Either way the last line is ``SUMMARY accepted=<n> rejected=<n>``.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from collections.abc import Iterator
from typing import Any

import httpx

import cio_analytics
from cio_analytics.testing import LocalServer

__all__ = ["example", "show"]


def show(message: dict[str, Any]) -> str:
    """One readable line for a wire message (messageId, timestamp and library left out)."""
    shown = {k: v for k, v in message.items() if k not in ("messageId", "timestamp")}
    context = {k: v for k, v in shown.pop("context", {}).items() if k != "library"}
    if context:
        shown["context"] = context
    return json.dumps(shown, separators=(", ", ": "), default=str)


class _EchoTransport(httpx.BaseTransport):
    """Prints each batch before handing it to the real network transport."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        for message in json.loads(body).get("batch", []):
            print("SENT", show(message))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@contextlib.contextmanager
def example(title: str) -> Iterator[None]:
    """Run an example against Customer.io (key set) or a local server, then summarise."""
    print(f"== {title} ==")
    if os.environ.get("CUSTOMERIO_API_KEY"):
        cio_analytics.transport = _EchoTransport()
        yield
        cio_analytics.flush(timeout=30)
        stats = cio_analytics.stats()
        cio_analytics.shutdown()
        print(f"SUMMARY accepted={stats.delivered} rejected={stats.failed}")
        return
    with LocalServer() as server:
        cio_analytics.configure(write_key=server.write_key, host=server.url, upload_interval=0.05)
        print(f"(no CUSTOMERIO_API_KEY: sending to the local server at {server.url})")
        yield
        cio_analytics.flush(timeout=10)
        cio_analytics.shutdown()
        for message in server.messages:
            print("RECEIVED", show(message))
        for rejection in server.rejections:
            print("REJECTED", rejection.reason)
        print(f"SUMMARY accepted={len(server.messages)} rejected={len(server.rejections)}")
