"""A local Customer.io-compatible HTTP server on the standard library.

One thread per connection (``ThreadingHTTPServer``), HTTP/1.1 keep-alive,
bodies read by ``Content-Length`` (or chunked), responses written in one
piece with Nagle's algorithm off, and no per-request logging. Besides the
seven API endpoints it answers a few control paths under ``/__cio__/`` so a
server running in another process (the CLI, a benchmark) can be inspected
and driven. The control paths need no key: the server is meant for loopback
testing only, never for a public interface.
"""

from __future__ import annotations

import contextlib
import http.server
import logging
import os
import selectors
import socket
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import parse_qs, urlsplit

import msgspec

from cio_analytics.testing._endpoint import ApiEndpoint, Reply, error_body
from cio_analytics.testing._recorder import Listener

__all__ = ["LocalServer"]

logger = logging.getLogger("cio_analytics.testing")

#: Bodies larger than this are refused unread (413) and the connection closed.
MAX_REQUEST_BYTES: Final = 16 * 1024 * 1024
#: An idle keep-alive connection is closed after this many seconds.
IDLE_TIMEOUT: Final = 120.0
#: Control paths (no key needed).
CONTROL_PREFIX: Final = "/__cio__/"

_encode: Final = msgspec.json.encode
_JSON: Final = "application/json"


_MAX_HEADERS: Final = 100
_MAX_HEADER_LINE: Final = 65536


class _Headers(dict[str, str]):
    """Request headers keyed by lower-case name; ``get`` takes any case."""

    def get(self, name: str, default: Any = None) -> Any:
        """The value of header ``name`` (any case), or ``default``."""
        return dict.get(self, name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return dict.__getitem__(self, name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and dict.__contains__(self, name.lower())


class _Handler(http.server.BaseHTTPRequestHandler):
    """One connection: any number of keep-alive requests."""

    server: _HTTPServer
    fast_headers: _Headers
    protocol_version = "HTTP/1.1"
    server_version = "cio-analytics-local"
    sys_version = ""
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024  # headers and body leave in one write (flushed per request)
    timeout = IDLE_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: a test server must not write a line per request to stderr."""

    def parse_request(self) -> bool:
        """Parse the request line and headers; False after answering a malformed request.

        The standard library parses headers with the email package, which costs
        more than checking a 100-message batch; this reads them line by line.
        Header names are kept in lower case.
        """
        line = str(getattr(self, "raw_requestline", b""), "iso-8859-1").rstrip("\r\n")
        self.requestline = line
        words = line.split()
        if len(words) != 3 or not words[2].startswith("HTTP/1."):
            self.request_version = "HTTP/0.9"
            self.close_connection = True
            self.send_error(400, "Bad request line")
            return False
        self.command, self.path, self.request_version = words
        headers = _Headers()
        for _ in range(_MAX_HEADERS + 1):
            raw = self.rfile.readline(_MAX_HEADER_LINE + 1)
            if len(raw) > _MAX_HEADER_LINE:
                self.close_connection = True
                self.send_error(431, "Header line too long")
                return False
            if raw in (b"\r\n", b"\n", b""):
                break
            name, sep, value = str(raw, "iso-8859-1").partition(":")
            if not sep or not name or name != name.strip():
                self.close_connection = True
                self.send_error(400, "Malformed header line")
                return False
            headers[name.lower()] = value.strip()
        else:
            self.close_connection = True
            self.send_error(431, "Too many headers")
            return False
        self.fast_headers = headers
        self.headers = headers  # type: ignore[assignment]
        connection = headers.get("connection", "").lower()
        if connection == "close" or (
            self.request_version == "HTTP/1.0" and connection != "keep-alive"
        ):
            self.close_connection = True
        else:
            self.close_connection = False
        if headers.get("expect", "").lower() == "100-continue":
            return self.handle_expect_100()
        return True

    def do_POST(self) -> None:
        """Answer an API call or a control request."""
        self._dispatch()

    def do_GET(self) -> None:
        """Answer a control request (or 405 on an API path)."""
        self._dispatch()

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _dispatch(self) -> None:
        app = self.server.app
        try:
            raw = self._read_body()
            if raw is None:
                return
            if self.path.startswith(CONTROL_PREFIX):
                self._reply(self._control(app, raw))
                return
            reply = app._serve(self.command, self.path, self.fast_headers, raw)
            if reply.status == 0:
                self.close_connection = True  # drop: close without a byte of answer
                return
            self._reply(reply)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:  # a bug here must not kill the connection thread silently
            logger.exception("cio_analytics.testing: error while handling %s", self.path)
            self.close_connection = True
            self._reply(Reply(500, error_body("internal error in the local server")))

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering a request that cannot be read."""
        length = self.headers.get("Content-Length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                size = -1
            if size < 0:
                self.close_connection = True
                self._reply(Reply(400, error_body("invalid Content-Length")))
                return None
            if size > MAX_REQUEST_BYTES:
                self.close_connection = True
                self._reply(Reply(413, error_body(f"the body is {size:,} bytes")))
                return None
            return self.rfile.read(size) if size else b""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        return b""

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
                if size < 0:
                    raise ValueError(size)
            except ValueError:
                self.close_connection = True
                self._reply(Reply(400, error_body("invalid chunked encoding")))
                return None
            if size == 0:
                # Skip trailers up to the blank line (bounded by the idle timeout).
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_REQUEST_BYTES:
                self.close_connection = True
                self._reply(Reply(413, error_body("the chunked body is too large")))
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF after each chunk

    def _reply(self, reply: Reply) -> None:
        if getattr(self.server.inline, "active", False):
            self.close_connection = True
        self.send_response(reply.status)
        self.send_header("Content-Type", _JSON)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def _control(self, app: LocalServer, raw: bytes) -> Reply:
        """Answer a request to a control path (``/__cio__/stats`` ...)."""
        parts = urlsplit(self.path)
        name = parts.path[len(CONTROL_PREFIX) :].strip("/")
        method = self.command
        handler = _CONTROLS.get((method, name))
        if handler is not None:
            return handler(app, parts.query, raw)
        if name in _CONTROL_NAMES:
            return Reply(405, error_body(f"{method} is not allowed on {parts.path}"))
        return Reply(404, error_body(f"not found: {parts.path}"))


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
_CONTROLS: Final[Mapping[tuple[str, str], Callable[[LocalServer, str, bytes], Reply]]] = {
    ("GET", "stats"): _control_stats,
    ("GET", "messages"): _control_messages,
    ("GET", "rejections"): _control_rejections,
    ("POST", "reset"): _control_reset,
    ("POST", "clear"): _control_clear,
    ("POST", "faults"): _control_faults,
}
#: The control path names (another method on one of them gets 405, not 404).
_CONTROL_NAMES: Final = frozenset(name for _, name in _CONTROLS)


def _select(app: LocalServer, query: dict[str, str]) -> list[dict[str, Any]]:
    """Messages matching the ``type``, ``event`` and ``user_id`` query parameters."""
    wanted = {
        "type": query.get("type"),
        "event": query.get("event"),
        "userId": query.get("user_id"),
    }
    filters = {key: value for key, value in wanted.items() if value is not None}
    return [m for m in app.messages if all(m.get(k) == v for k, v in filters.items())]


class _HTTPServer(http.server.ThreadingHTTPServer):
    """Tracks its connections so that stopping can close them and wait for their threads."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: LocalServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self._conn_cond = threading.Condition()
        self._connections: set[socket.socket] = set()
        self.inline = threading.local()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self.timeout = 0  # handle_request() runs only once the socket is readable
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_cond:
            self._connections.add(request)
        try:
            super().process_request(request, client_address)
        except RuntimeError:
            # No new thread (interpreter shutdown, or a test refusing threads):
            # answer this connection's request here, then close it, so the
            # accept loop is blocked for one request only.
            self.inline.active = True
            try:
                self.process_request_thread(request, client_address)
            finally:
                self.inline.active = False
        except BaseException:
            self._forget(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._forget(request)

    def _forget(self, request: socket.socket) -> None:
        with self._conn_cond:
            self._connections.discard(request)
            self._conn_cond.notify_all()

    def serve_until_woken(self) -> None:
        """Accept connections until :meth:`wake` is called (no polling interval)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_reader:
                        return
                    self.handle_request()

    def wake(self) -> None:
        """Make :meth:`serve_until_woken` return at once."""
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"x")

    def server_close(self) -> None:
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("cio_analytics.testing: connection error", exc_info=True)

    def close_connections(self, timeout: float) -> bool:
        """Shut every open connection down and wait for their threads to end."""
        with self._conn_cond:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its thread
                connection.shutdown(socket.SHUT_RDWR)
        with self._conn_cond:
            return self._conn_cond.wait_for(lambda: not self._connections, timeout)


class LocalServer(ApiEndpoint):
    """A Customer.io Data Pipelines API on 127.0.0.1, for development and tests.

    It answers ``POST /v1/{identify,track,page,screen,group,alias,batch}``
    like the real API: Basic auth against ``write_key``, gzip bodies, the
    32 KB / 500 KB limits, validation of the wire rules (semantic events
    included), strict mode (``X-Strict-Mode: 1``: invalid payloads get 400)
    and permissive mode (200, the invalid message is recorded as a
    rejection). Accepted messages are recorded and can be queried; faults can
    be injected. Example::

        with LocalServer() as server:
            client = cio_analytics.Client(write_key=server.write_key, host=server.url)
            client.track("user_1", "Signed Up")
            client.flush()
            assert server.events("Signed Up")

    It is meant for loopback testing only: the ``/__cio__/`` control paths
    (stats, messages, reset, faults) need no key.

    Args:
        write_key: The key requests must carry; None disables the check.
        host: The address to bind.
        port: The port; 0 picks a free one.
        strict: True or False forces strict or permissive mode; None lets each
            request's ``X-Strict-Mode`` header decide, like the real API.
        record_file: Append every message received to this JSON Lines file.
        keep_messages: False keeps only counts and messageIds (benchmarks).
        on_receive: Called for every message received, accepted
            (:class:`RecordedMessage`) or not (:class:`Rejection`), in the
            handler's thread.

    Attributes:
        url: ``http://127.0.0.1:PORT`` (no trailing slash, no ``/v1``), for a
            client's ``host=`` setting.
        port: The bound port.
        host: The bound address.
        write_key: The key requests must carry (None: any).
        strict: The forced mode, or None when the request header decides.
    """

    def __init__(
        self,
        write_key: str | None = "test-key",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        strict: bool | None = None,
        record_file: str | os.PathLike[str] | None = None,
        keep_messages: bool = True,
        on_receive: Listener | None = None,
    ) -> None:
        super().__init__(
            write_key,
            strict=strict,
            keep_messages=keep_messages,
            record_file=record_file,
            on_receive=on_receive,
        )
        self.host = host
        self.port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._state_lock = threading.Lock()
        self._stopped = False

    @property
    def url(self) -> str:
        """The base URL to give a client as ``host`` (valid once started)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server is accepting requests."""
        return self._httpd is not None and not self._stopped

    def start(self) -> Self:
        """Bind the port and serve in a background thread; does nothing if running.

        Returns:
            The server itself.

        Raises:
            RuntimeError: The server was stopped (a stopped server cannot restart).
            OSError: The address cannot be bound.
        """
        with self._state_lock:
            if self._stopped:
                raise RuntimeError("a stopped LocalServer cannot be started again")
            if self._httpd is not None:
                return self
            httpd = _HTTPServer((self.host, self.port), self)
            self.port = httpd.server_address[1]
            thread = threading.Thread(
                target=httpd.serve_until_woken,
                name=f"cio-local-server-{self.port}",
                daemon=True,
            )
            thread.start()
            self._httpd, self._thread = httpd, thread
        return self

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop serving, close every connection and wait for the threads; idempotent.

        Held (stalled) and delayed requests are dropped unanswered.

        Args:
            timeout: Seconds to wait for the connection threads to end.

        Returns:
            True when every thread ended within ``timeout``.
        """
        with self._state_lock:
            if self._stopped:
                return True
            self._stopped = True
            httpd, thread = self._httpd, self._thread
        self._interrupt_waits()
        clean = True
        if httpd is not None:
            httpd.wake()
            if thread is not None:
                thread.join(timeout)
            httpd.server_close()
            clean = httpd.close_connections(timeout)
        if thread is not None:
            clean = clean and not thread.is_alive()
        self._close_record_file()
        return clean

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else ("stopped" if self._stopped else "not started")
        return f"<LocalServer {self.url} {state} messages={self.message_count}>"
