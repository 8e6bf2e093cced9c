"""A small client of the local server's control paths (``/__cio__/``), on the standard library.

Used by the orchestrator and by the workloads. It deliberately imports
neither httpx nor requests, so it adds nothing to the process of a library
under test beyond one keep-alive connection. Every wait is bounded.
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any, Final
from urllib.parse import urlsplit

__all__ = ["ControlError", "ServerControl"]

#: Seconds one control request may take.
REQUEST_TIMEOUT: Final = 10.0


class ControlError(RuntimeError):
    """A control request failed (the server is gone, or refused the request)."""


class ServerControl:
    """Stats, reset and faults of a LocalServer running at ``url``."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.hostname is None or parts.port is None:
            raise ValueError(f"expected http://HOST:PORT, got {url!r}")
        self._host = parts.hostname
        self._port = parts.port
        self._conn: http.client.HTTPConnection | None = None

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in range(2):  # one reconnect: the keep-alive connection may have closed
            conn = self._conn or http.client.HTTPConnection(
                self._host, self._port, timeout=REQUEST_TIMEOUT
            )
            self._conn = conn
            try:
                conn.request(method, "/__cio__/" + path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if attempt:
                    raise ControlError(f"{method} /__cio__/{path} failed: {exc}") from exc
                continue
            if response.status != 200:
                raise ControlError(f"{method} /__cio__/{path}: HTTP {response.status} {raw!r}")
            return json.loads(raw) if raw else None
        raise AssertionError("unreachable")  # pragma: no cover

    def stats(self) -> dict[str, Any]:
        """The server's counters (message_count, unique_message_ids, duplicate_count ...)."""
        result: dict[str, Any] = self._request("GET", "stats")
        return result

    def reset(self) -> None:
        """Forget every message, counter and fault."""
        self._request("POST", "reset")

    def faults(self, spec: dict[str, Any]) -> None:
        """Inject faults, e.g. ``{"fail_for": {"seconds": 2}}`` or ``{"stall": True}``."""
        self._request("POST", "faults", spec)

    def wait_for_messages(self, n: int, timeout: float, interval: float = 0.02) -> dict[str, Any]:
        """Poll until the server accepted ``n`` messages or ``timeout`` passed.

        Returns:
            The last stats read (check ``message_count`` to know which happened).
        """
        deadline = time.monotonic() + timeout
        stats = self.stats()
        while stats["message_count"] < n and time.monotonic() < deadline:
            time.sleep(interval)
            stats = self.stats()
        return stats

    def settle(self, quiet: float = 0.5, limit: float = 10.0) -> dict[str, Any]:
        """Poll until the counters have not moved for ``quiet`` seconds (at most ``limit``).

        Returns:
            The last stats read.
        """
        deadline = time.monotonic() + limit
        stats = self.stats()
        still_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(min(0.05, quiet))
            now = self.stats()
            if (now["message_count"], now["requests"]) != (
                stats["message_count"],
                stats["requests"],
            ):
                stats, still_since = now, time.monotonic()
            elif time.monotonic() - still_since >= quiet:
                return now
        return self.stats()

    def close(self) -> None:
        """Close the keep-alive connection (a later request opens a new one)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
