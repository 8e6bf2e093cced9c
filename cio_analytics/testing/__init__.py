"""Test tooling: a local Customer.io-compatible server, an in-memory transport, fixtures.

Point a client at a real HTTP server on 127.0.0.1 and assert what it sent::

    with LocalServer() as server:
        client = cio_analytics.Client(write_key=server.write_key, host=server.url)
        client.track("user_1", "Signed Up", {"plan": "pro"})
        client.flush()
        assert server.events("Signed Up")[0]["properties"] == {"plan": "pro"}

:class:`LocalServer` behaves like the Data Pipelines API (the seven
endpoints, Basic auth, strict and permissive modes, the 32 KB / 500 KB
limits, gzip, the wire rules and the semantic events), records what it
accepts, and injects faults (failures, 429 with ``Retry-After``, delays,
dropped connections, stalls, scripted sequences). It is also available from
the command line (``cio-analytics serve``) and as pytest fixtures
(``cio_server``, ``cio_client``, ``cio_capture``; see
:mod:`cio_analytics.testing.pytest_plugin`). :class:`CaptureTransport` does
the same in memory, as an ``httpx`` transport. :func:`check_message` applies
the wire rules to one message dict.

The server is for loopback testing: its ``/__cio__/`` control paths need no key.
It answers only requests addressed to it (``Host``), refuses state-changing
requests from other origins' pages, bounds its connections, request bodies,
read time and what it keeps (``keep``), and serves the inspector page at
``/``: the messages as they arrive, in a browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cio_analytics.testing._recorder import FeedItem, RecordedMessage, RecordedRequest, Rejection
from cio_analytics.testing._rules import check_message
from cio_analytics.testing._server import LocalServer

if TYPE_CHECKING:
    from cio_analytics.testing._capture import CaptureTransport

__all__ = [
    "CaptureTransport",
    "FeedItem",
    "LocalServer",
    "RecordedMessage",
    "RecordedRequest",
    "Rejection",
    "check_message",
]

for _obj in (FeedItem, LocalServer, RecordedMessage, RecordedRequest, Rejection):
    _obj.__module__ = __name__
del _obj


def __getattr__(name: str) -> Any:
    """``CaptureTransport`` on first use: it needs httpx, which the server does not.

    So ``cio-analytics serve`` and the demo start without importing the HTTP client.
    """
    if name != "CaptureTransport":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from cio_analytics.testing._capture import CaptureTransport  # noqa: PLC0415 (deferred)

    CaptureTransport.__module__ = __name__
    globals()[name] = CaptureTransport
    return CaptureTransport
