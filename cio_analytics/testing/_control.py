"""The local server's control paths under ``/__cio__/``: inspect and drive it from outside.

``GET stats``, ``GET messages`` (filtered by ``type``, ``event``,
``user_id``), ``GET rejections``, ``POST reset``, ``POST clear`` and ``POST
faults``. Each handler takes the server, the query string and the body, and
returns the reply. They need no key: the server is for loopback testing, and
its Host and Origin guards keep other sites' pages out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs

import msgspec

from cio_analytics.testing._endpoint import Reply, error_body

if TYPE_CHECKING:
    from cio_analytics.testing._server import LocalServer

__all__ = ["CONTROLS", "CONTROL_NAMES"]

_encode: Final = msgspec.json.encode


# -- the control paths: each takes the server, the query string and the body ------


def _control_stats(app: LocalServer, query: str, raw: bytes) -> Reply:
    """GET /__cio__/stats: the server's counts."""
    return Reply(200, _encode(app.stats()))


def _control_messages(app: LocalServer, query: str, raw: bytes) -> Reply:
    """GET /__cio__/messages: the accepted messages, filtered by the query."""
    selection = {key: values[-1] for key, values in parse_qs(query).items()}
    return Reply(200, _encode(_select(app, selection)))


def _control_rejections(app: LocalServer, query: str, raw: bytes) -> Reply:
    """GET /__cio__/rejections: what was refused, and why."""
    return Reply(
        200,
        _encode(
            [
                {"path": r.path, "index": r.index, "reason": r.reason, "message": r.message}
                for r in app.rejections
            ]
        ),
    )


def _control_reset(app: LocalServer, query: str, raw: bytes) -> Reply:
    """POST /__cio__/reset: forget every recording and every fault."""
    app.reset()
    return Reply(200)


def _control_clear(app: LocalServer, query: str, raw: bytes) -> Reply:
    """POST /__cio__/clear: forget the recordings only."""
    app.clear()
    return Reply(200)


def _control_faults(app: LocalServer, query: str, raw: bytes) -> Reply:
    """POST /__cio__/faults: inject the faults the JSON body describes."""
    try:
        spec = msgspec.json.decode(raw) if raw else {}
        if not isinstance(spec, dict):
            raise ValueError("the body must be a JSON object")
        app.configure_faults(spec)
    except (ValueError, msgspec.DecodeError) as exc:
        return Reply(400, error_body(str(exc)))
    return Reply(200)


#: (method, control path name) -> its handler.
CONTROLS: Final[Mapping[tuple[str, str], Callable[[LocalServer, str, bytes], Reply]]] = {
    ("GET", "stats"): _control_stats,
    ("GET", "messages"): _control_messages,
    ("GET", "rejections"): _control_rejections,
    ("POST", "reset"): _control_reset,
    ("POST", "clear"): _control_clear,
    ("POST", "faults"): _control_faults,
}
#: The control path names (another method on one of them gets 405, not 404).
CONTROL_NAMES: Final = frozenset(name for _, name in CONTROLS)


def _select(app: LocalServer, query: dict[str, str]) -> list[dict[str, Any]]:
    """Messages matching the ``type``, ``event`` and ``user_id`` query parameters."""
    wanted = {
        "type": query.get("type"),
        "event": query.get("event"),
        "userId": query.get("user_id"),
    }
    filters = {key: value for key, value in wanted.items() if value is not None}
    return [m for m in app.messages if all(m.get(k) == v for k, v in filters.items())]
