"""The inspector page's side of the local server: its static files and its live feed.

``GET /`` answers the page (``inspector/index.html``, with ``inspector.css``
and ``inspector.js`` beside it: files shipped in the package, no build step).
``GET /__cio__/feed`` is a server-sent event stream: first a ``reset`` event
with the newest :data:`BACKLOG` items and the counts, then, at most every
:data:`BATCH_INTERVAL` seconds, an ``items`` event with what arrived since
(the newest :data:`MAX_PER_EVENT` when more came), and a ``stats`` event
every :data:`HEARTBEAT` seconds. A ``clear()`` on the server starts over
with a ``reset``. Items are JSON objects (:meth:`FeedItem.to_json`); the page
renders every string in them as text.
"""

from __future__ import annotations

import functools
import importlib.resources
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import msgspec

from cio_analytics.testing._recorder import Recorder

__all__ = [
    "BACKLOG",
    "BATCH_INTERVAL",
    "FEED_PATH",
    "HEARTBEAT",
    "MAX_PER_EVENT",
    "STATIC_FILES",
    "static_file",
    "stream_feed",
]

#: The path of the event stream.
FEED_PATH: Final = "/__cio__/feed"
#: Items sent to a page when it connects (and after a clear).
BACKLOG: Final = 2000
#: Seconds between two ``items`` events at most (arrivals are sent in batches).
BATCH_INTERVAL: Final = 0.2
#: Seconds between two ``stats`` events.
HEARTBEAT: Final = 1.0
#: Items in one ``items`` event at most (the newest, when more arrived).
MAX_PER_EVENT: Final = 2000

#: Request path -> (file in ``inspector/``, content type).
STATIC_FILES: Final[Mapping[str, tuple[str, str]]] = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/inspector.js": ("inspector.js", "text/javascript; charset=utf-8"),
    "/inspector.css": ("inspector.css", "text/css; charset=utf-8"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
}

_encode: Final = msgspec.json.Encoder().encode


@functools.cache
def _read(name: str) -> bytes:
    return (importlib.resources.files("cio_analytics.testing") / "inspector" / name).read_bytes()


def static_file(path: str) -> tuple[bytes, str] | None:
    """The body and content type of an inspector file, or None when ``path`` is not one."""
    found = STATIC_FILES.get(path)
    if found is None:
        return None
    name, content_type = found
    return _read(name), content_type


def _event(name: str, payload: Mapping[str, Any]) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + _encode(payload) + b"\n\n"


def _stats(recorder: Recorder) -> dict[str, Any]:
    stats = recorder.stats()
    return {key: stats[key] for key in _STAT_KEYS}


_STAT_KEYS: Final = (
    "message_count",
    "duplicate_count",
    "rejections",
    "requests",
    "accepted_by_type",
    "rejected_by_rule",
    "status_counts",
)


def stream_feed(
    write: Callable[[bytes], None], recorder: Recorder, stopping: Callable[[], bool]
) -> None:
    """Write the feed as server-sent events until the server stops or the page goes away.

    Args:
        write: Writes and flushes bytes to the page's connection (raises
            ``OSError`` once it is gone).
        recorder: Where the items come from.
        stopping: True once the server is stopping.
    """
    meta = {"keep": recorder.keep, "backlog": BACKLOG}

    def reset() -> tuple[int, int]:
        items, seq, generation = recorder.feed_since(0, -1, BACKLOG)
        payload = {"items": [i.to_json() for i in items], "stats": _stats(recorder), **meta}
        write(_event("reset", payload))
        return seq, generation

    write(b"retry: 1000\n\n")
    seq, generation = reset()
    last_stats = time.monotonic()
    while not stopping():
        recorder.wait_for_feed(seq, generation, HEARTBEAT)
        if stopping():
            return
        items, new_seq, new_generation = recorder.feed_since(seq, generation, MAX_PER_EVENT)
        if new_generation != generation:
            new_seq, new_generation = reset()
        elif items:
            skipped = max(0, new_seq - seq - len(items))
            write(_event("items", {"items": [i.to_json() for i in items], "skipped": skipped}))
        seq, generation = new_seq, new_generation
        now = time.monotonic()
        if now - last_stats >= HEARTBEAT:
            write(_event("stats", _stats(recorder)))
            last_stats = now
        time.sleep(BATCH_INTERVAL)
