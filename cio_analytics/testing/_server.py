"""A local Customer.io-compatible HTTP server on the standard library.

One thread per connection (``ThreadingHTTPServer``), HTTP/1.1 keep-alive,
bodies read by ``Content-Length`` (or chunked), responses written in one
piece with Nagle's algorithm off, and no per-request logging. Besides the
seven API endpoints it answers a few control paths under ``/__cio__/`` so a
server running in another process (the CLI, a benchmark) can be inspected
and driven, and the inspector page at ``/`` with its live feed
(:mod:`cio_analytics.testing._inspector`). The control paths need no key:
the server is meant for loopback testing only, never for a public interface.

Bounded by construction: at most ``max_connections`` connections at once
(one more gets a 503 and is closed), bodies of at most ``max_body`` bytes
(413), each request read within ``read_deadline`` seconds (408), what is
recorded held to the newest ``keep`` messages. Requests whose ``Host`` is
not this server, and state-changing requests from another origin's page,
are refused with 403 (:mod:`cio_analytics.testing._guard`).
"""

from __future__ import annotations

import contextlib
import http.server
import logging
import os
import selectors
import socket
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import urlsplit

import msgspec

from cio_analytics.testing._control import CONTROL_NAMES, CONTROLS
from cio_analytics.testing._endpoint import ApiEndpoint, Reply, error_body
from cio_analytics.testing._faults import Latency
from cio_analytics.testing._guard import (
    SECURITY_HEADERS,
    Watchdog,
    allowed_names,
    host_problem,
    origin_problem,
)
from cio_analytics.testing._inspector import FEED_PATH, static_file, stream_feed
from cio_analytics.testing._recorder import Listener

__all__ = ["LocalServer"]

logger = logging.getLogger("cio_analytics.testing")

#: Bodies larger than this are refused unread (413) and the connection closed, by
#: default (``max_body``): twice the API's 500 KB batch limit.
MAX_REQUEST_BYTES: Final = 1024 * 1024
#: Connections open at once at most, by default (``max_connections``).
MAX_CONNECTIONS: Final = 128
#: Seconds a request may take to arrive, from its first line to its last body
#: byte, by default (``read_deadline``).
READ_DEADLINE: Final = 10.0
#: Inspector pages streaming the feed at once at most.
MAX_STREAMS: Final = 8
#: An idle keep-alive connection is closed after this many seconds.
IDLE_TIMEOUT: Final = 120.0
#: A refused body is read and dropped up to this many bytes, so the client
#: reads the 413 instead of a reset.
_DRAIN_LIMIT: Final = 64 * 1024 * 1024
#: Control paths (no key needed).
CONTROL_PREFIX: Final = "/__cio__/"

_encode: Final = msgspec.json.encode
_JSON: Final = "application/json"
_LATE: Final = "the request did not arrive within the server's read deadline"


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

    deadline_passed = False

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: a test server must not write a line per request to stderr."""

    def handle_one_request(self) -> None:
        """Serve one request; waiting for it and reading it are bounded in time."""
        self.deadline_passed = False
        watchdog = self.server.watchdog
        watchdog.arm(id(self), IDLE_TIMEOUT, self._deadline_passed)
        try:
            super().handle_one_request()
        finally:
            watchdog.disarm(id(self))

    def _deadline_passed(self) -> None:
        """Called by the watchdog: stop reading this request (the reads return at once)."""
        self.deadline_passed = True
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RD)

    def parse_request(self) -> bool:
        """Parse the request line and headers; False after answering a malformed request.

        The standard library parses headers with the email package, which costs
        more than checking a 100-message batch; this reads them line by line.
        Header names are kept in lower case.
        """
        self.server.watchdog.arm(
            id(self), self.server.app.read_deadline, self._deadline_passed
        )
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
            refusal = self._refusal(app)
            if refusal is not None:
                self.close_connection = True
                self._reply(Reply(403, error_body(refusal)))
                return
            raw = self._read_body(app.max_body)
            self.server.watchdog.disarm(id(self))
            if raw is None:
                return
            if self.deadline_passed:
                self.close_connection = True
                self._reply(Reply(408, error_body(_LATE)))
                return
            self._route(app, raw)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:  # a bug here must not kill the connection thread silently
            logger.exception("cio_analytics.testing: error while handling %s", self.path)
            self.close_connection = True
            self._reply(Reply(500, error_body("internal error in the local server")))

    def _refusal(self, app: LocalServer) -> str | None:
        """Why this request is refused before its body is read (Host, Origin), or None."""
        allowed = self.server.allowed_names
        port = app.port
        problem = host_problem(self.fast_headers.get("host"), allowed, port)
        if problem is None:
            problem = origin_problem(self.command, self.fast_headers, allowed, port)
        return problem

    def _route(self, app: LocalServer, raw: bytes) -> None:
        """Answer a request whose body was read: page, feed, control path or API."""
        path = self.path.partition("?")[0]
        if self.command in ("GET", "HEAD"):
            found = static_file(path)
            if found is not None:
                body, content_type = found
                self._reply(Reply(200, body, (("Content-Type", content_type),)))
                return
            if path == FEED_PATH:
                self._stream(app)
                return
        if path.startswith(CONTROL_PREFIX):
            self._reply(self._control(app, raw))
            return
        reply = app._serve(self.command, self.path, self.fast_headers, raw)
        if reply.status == 0:
            self.close_connection = True  # drop: close without a byte of answer
            return
        self._reply(reply)

    def _stream(self, app: LocalServer) -> None:
        """Stream the inspector's feed on this connection until the page or the server goes."""
        self.close_connection = True
        streams = self.server.streams
        if not streams.acquire(blocking=False):
            self._reply(Reply(503, error_body(f"at most {MAX_STREAMS} inspector pages at once")))
            return
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            for name, value in SECURITY_HEADERS:
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.flush()

            def write(data: bytes) -> None:
                self.wfile.write(data)
                self.wfile.flush()

            stream_feed(write, app, lambda: not app.running)
        except OSError:
            pass  # the page went away
        finally:
            streams.release()

    def _read_body(self, limit: int) -> bytes | None:
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
            if size > limit:
                self._too_large(f"the body is {size:,} bytes; this server takes {limit:,} at most")
                self._discard(size)
                return None
            return self.rfile.read(size) if size else b""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        return b""

    def _too_large(self, problem: str) -> None:
        self.close_connection = True
        self._reply(Reply(413, error_body(problem)))
        self.wfile.flush()

    def _discard(self, size: int) -> None:
        """Read and drop a refused body (bounded), so the client reads the 413, not a reset."""
        left = min(size, _DRAIN_LIMIT)
        with contextlib.suppress(OSError):
            while left > 0 and not self.deadline_passed:
                piece = self.rfile.read(min(left, 65536))
                if not piece:
                    break
                left -= len(piece)

    def _read_chunked(self, limit: int) -> bytes | None:
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
            if total > limit:
                self._too_large(f"the chunked body is over {limit:,} bytes")
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF after each chunk

    def _reply(self, reply: Reply) -> None:
        if getattr(self.server.inline, "active", False):
            self.close_connection = True
        self.send_response(reply.status)
        if not any(name == "Content-Type" for name, _ in reply.headers):
            self.send_header("Content-Type", _JSON)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        for name, value in SECURITY_HEADERS:
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
        handler = CONTROLS.get((method, name))
        if handler is not None:
            return handler(app, parts.query, raw)
        if name in CONTROL_NAMES:
            return Reply(405, error_body(f"{method} is not allowed on {parts.path}"))
        return Reply(404, error_body(f"not found: {parts.path}"))


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
        self.refused_connections = 0
        self.watchdog = Watchdog()
        self.streams = threading.BoundedSemaphore(MAX_STREAMS)
        self.allowed_names = allowed_names(address[0], app.allowed_hosts)
        self.inline = threading.local()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self.timeout = 0  # handle_request() runs only once the socket is readable
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_cond:
            full = len(self._connections) >= self.app.max_connections
            if full:
                self.refused_connections += 1
            else:
                self._connections.add(request)
        if full:
            self._refuse(request)
            return
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

    def _refuse(self, request: socket.socket) -> None:
        """Answer 503 on a connection over the limit, without a thread; close it soon after."""
        body = error_body(
            f"this local server has {self.app.max_connections} connections open, its limit; "
            "retry later"
        )
        head = [
            "HTTP/1.1 503 Service Unavailable",
            f"Content-Type: {_JSON}",
            f"Content-Length: {len(body)}",
            "Retry-After: 1",
            "Connection: close",
            *(f"{name}: {value}" for name, value in SECURITY_HEADERS),
        ]
        data = ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body
        with contextlib.suppress(OSError):
            request.settimeout(0.5)
            request.sendall(data)
            request.shutdown(socket.SHUT_WR)
        self.watchdog.linger(request, 1.0)

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


def _check_limits(max_connections: object, max_body: object, read_deadline: object) -> None:
    """Refuse limits that are not positive numbers (raises ValueError)."""
    for name, value in (("max_connections", max_connections), ("max_body", max_body)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if (
        isinstance(read_deadline, bool)
        or not isinstance(read_deadline, int | float)
        or not read_deadline > 0
    ):
        raise ValueError(f"read_deadline must be a number of seconds > 0, got {read_deadline!r}")


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
    (stats, messages, reset, faults) need no key. It answers only requests
    whose ``Host`` is its own address (or ``localhost``), and refuses
    state-changing requests from other origins' pages. ``GET /`` is the
    inspector page: every message as it arrives, in a browser.

    Args:
        write_key: The key requests must carry; None disables the check.
        host: The address to bind.
        port: The port; 0 picks a free one.
        strict: True or False forces strict or permissive mode; None lets each
            request's ``X-Strict-Mode`` header decide, like the real API.
        record_file: Append every message received to this JSON Lines file.
        keep: Keep the newest ``keep`` messages (and requests, rejections and
            inspector items); None keeps every message (the inspector the
            newest 10,000); 0 keeps only counts and messageIds.
        keep_messages: False is ``keep=0`` (benchmarks).
        on_receive: Called for every message received, accepted
            (:class:`RecordedMessage`) or not (:class:`Rejection`), in the
            handler's thread.
        max_connections: Connections open at once at most; one more gets 503.
        max_body: Request bodies over this many bytes get 413.
        read_deadline: Seconds a request may take to arrive; then 408.
        allowed_hosts: Host names besides its address and ``localhost`` that
            requests may carry in ``Host`` (for a server bound to a public
            address).
        latency: Seconds every API request waits before its answer, as over
            a real network: a number, or a ``(low, high)`` range drawn
            uniformly for each request; None for none. Requests wait
            concurrently (one thread per connection); it can be changed later
            with :meth:`set_latency` (also ``POST /__cio__/faults`` with
            ``{"set_latency": {"seconds": 0.1}}``) and stays through ``reset()``.

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
        keep: int | None = None,
        keep_messages: bool = True,
        on_receive: Listener | None = None,
        max_connections: int = MAX_CONNECTIONS,
        max_body: int = MAX_REQUEST_BYTES,
        read_deadline: float = READ_DEADLINE,
        allowed_hosts: Sequence[str] = (),
        latency: Latency | None = None,
    ) -> None:
        super().__init__(
            write_key,
            strict=strict,
            keep=keep,
            keep_messages=keep_messages,
            record_file=record_file,
            on_receive=on_receive,
        )
        _check_limits(max_connections, max_body, read_deadline)
        self.max_connections = max_connections
        self.max_body = max_body
        self.read_deadline = float(read_deadline)
        self.allowed_hosts = tuple(allowed_hosts)
        self.set_latency(latency)
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
    def inspector_url(self) -> str:
        """The address of the inspector page (valid once started)."""
        return self.url + "/"

    @property
    def refused_connections(self) -> int:
        """Connections answered 503 because ``max_connections`` were open."""
        httpd = self._httpd
        return 0 if httpd is None else httpd.refused_connections

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
            httpd.watchdog.start(f"cio-local-server-watchdog-{self.port}")
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
        self._close_feed()
        clean = True
        if httpd is not None:
            httpd.wake()
            if thread is not None:
                thread.join(timeout)
            httpd.server_close()
            clean = httpd.close_connections(timeout)
            httpd.watchdog.stop()
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
