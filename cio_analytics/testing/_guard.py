"""What keeps the local server safe to leave running on a developer's machine.

- Which requests a browser could have been tricked into sending: a ``Host``
  that is not this server's address (DNS rebinding: a web page whose name now
  resolves to 127.0.0.1) and cross-origin state-changing requests (CSRF: a
  page posting to ``/__cio__/clear`` or ``/v1/batch``) are refused with 403.
  Tools that are not browsers send neither an ``Origin`` nor a
  ``Sec-Fetch-Site`` header and are unaffected.
- The headers every answer carries: a Content-Security-Policy that allows
  scripts, styles and connections from this origin only (no inline script),
  no framing, no sniffing, no referrer.
- :class:`Watchdog`: one thread that ends reads that pass their deadline
  (slow or stalled clients) and closes refused connections a moment after
  their answer, so the client reads the answer instead of a reset.

Lock table (:class:`Watchdog`): ``_lock`` guards ``_armed`` and ``_lingering``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Final

__all__ = [
    "LOOPBACK_NAMES",
    "SECURITY_HEADERS",
    "Watchdog",
    "allowed_names",
    "host_problem",
    "origin_problem",
]

#: Host names a loopback server always answers to.
LOOPBACK_NAMES: Final = frozenset({"localhost", "127.0.0.1", "[::1]"})

#: Sent with every answer. Scripts, styles and connections come from this
#: origin only; nothing inline, nothing framed.
SECURITY_HEADERS: Final = (
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)

_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def allowed_names(bound_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names (lower case, IPv6 in brackets) requests may carry in ``Host``.

    Args:
        bound_host: The address the server listens on.
        extra: Further names the user allowed (``--allow-host``).
    """
    names = set(LOOPBACK_NAMES)
    for name in (bound_host, *extra):
        name = name.strip().lower()
        if not name or name in ("0.0.0.0", "::", "[::]"):
            continue
        names.add(f"[{name}]" if ":" in name and not name.startswith("[") else name)
    return frozenset(names)


def _split_host(value: str) -> tuple[str, str]:
    """``(name, port)`` of a ``Host`` value; the port is "" when absent."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return value, ""
        rest = value[end + 1 :]
        return value[: end + 1], rest[1:] if rest.startswith(":") else rest
    name, sep, port = value.rpartition(":")
    return (name, port) if sep else (value, "")


def host_problem(host: str | None, allowed: frozenset[str], port: int) -> str | None:
    """Why a request's ``Host`` is refused, or None when it names this server.

    Args:
        host: The ``Host`` header (None when missing).
        allowed: The allowed names (:func:`allowed_names`).
        port: The port the server listens on.
    """
    if not host:
        return "a Host header is required"
    name, given_port = _split_host(host)
    if name in allowed and given_port in ("", str(port)):
        return None
    return (
        f"the Host {host.strip()[:100]!r} is not this server's address; this local server "
        "answers only to its own address (a guard against DNS rebinding; see --allow-host)"
    )


def origin_problem(
    method: str, headers: Mapping[str, str], allowed: frozenset[str], port: int
) -> str | None:
    """Why a request coming from another site's page is refused, or None.

    A state-changing request (any method but GET, HEAD and OPTIONS) whose
    ``Origin`` is not this server is refused (CSRF), and so is anything a
    browser marks as coming from another site (``Sec-Fetch-Site``), except a
    top-level navigation (following a link to the inspector page).

    Args:
        method: The HTTP method.
        headers: The request headers, names in lower case.
        allowed: The allowed host names.
        port: The server's port.
    """
    site = headers.get("sec-fetch-site", "").strip().lower()
    navigation = method == "GET" and headers.get("sec-fetch-mode", "").lower() == "navigate"
    if site in ("cross-site", "same-site") and not navigation:
        return f"a request from another site (Sec-Fetch-Site: {site}) is refused"
    origin = headers.get("origin")
    if method in _SAFE_METHODS or origin is None:
        return None
    scheme, sep, rest = origin.strip().lower().partition("://")
    if sep and scheme == "http":
        name, given_port = _split_host(rest)
        if name in allowed and given_port == str(port):
            return None
    return (
        f"a {method} from the page of another origin ({origin.strip()[:100]}) is refused "
        "(a guard against cross-site requests)"
    )


class Watchdog:
    """Ends reads past their deadline; closes refused connections a moment after answering.

    Args:
        period: Seconds between two checks.
    """

    def __init__(self, period: float = 0.2) -> None:
        self._period = period
        self._lock = threading.Lock()
        self._armed: dict[int, tuple[float, Callable[[], None]]] = {}
        self._lingering: deque[tuple[float, socket.socket]] = deque()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, name: str) -> None:
        """Start the checking thread (a daemon)."""
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and close every lingering connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
        self._close_lingering(float("inf"))

    def arm(self, key: int, seconds: float, on_expire: Callable[[], None]) -> None:
        """Call ``on_expire`` once ``seconds`` pass, unless :meth:`disarm` comes first."""
        with self._lock:
            self._armed[key] = (time.monotonic() + seconds, on_expire)

    def disarm(self, key: int) -> None:
        """Cancel the deadline of ``key`` (no error if there is none)."""
        with self._lock:
            self._armed.pop(key, None)

    def linger(self, sock: socket.socket, seconds: float, limit: int = 256) -> None:
        """Close ``sock`` after ``seconds``, reading and dropping what arrives meanwhile."""
        with self._lock:
            if len(self._lingering) < limit:
                self._lingering.append((time.monotonic() + seconds, sock))
                return
        with contextlib.suppress(OSError):
            sock.close()

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            now = time.monotonic()
            with self._lock:
                due = [key for key, (deadline, _) in self._armed.items() if deadline <= now]
                expired = [self._armed.pop(key)[1] for key in due]
            for on_expire in expired:
                with contextlib.suppress(OSError):
                    on_expire()
            self._close_lingering(now)

    def _close_lingering(self, now: float) -> None:
        with self._lock:
            pending = list(self._lingering)
            self._lingering.clear()
            keep = deque(item for item in pending if item[0] > now)
            self._lingering.extend(keep)
        for deadline, sock in pending:
            if deadline > now:
                _drain(sock)
                continue
            with contextlib.suppress(OSError):
                sock.close()


def _drain(sock: socket.socket) -> None:
    """Read and drop what a refused client has sent so far (never blocks)."""
    with contextlib.suppress(OSError):
        sock.setblocking(False)
        for _ in range(16):
            if not sock.recv(65536):
                break
