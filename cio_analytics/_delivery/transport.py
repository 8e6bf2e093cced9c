"""HTTP: one long-lived connection pool per sender, one bounded attempt per call.

The library's own route goes straight to an httpcore connection pool (httpx's
keep-alive pool; TLS always verified), skipping ``httpx.Client`` and even
``httpx.HTTPTransport``: this API needs no cookie jar, redirects or URL
merging, and the request and response wrappers of httpx cost a fifth of a
request. The pool runs on a :class:`~cio_analytics._delivery.deadline.DeadlineBackend`,
so the ``timeout`` setting bounds the whole attempt (connect, TLS, send, wait,
read), and at most :data:`RESPONSE_BODY_CAP` bytes of a response are read: the
status decides the outcome; the body is only kept, shortened, as the error
detail. A caller's own ``httpx.BaseTransport`` (``transport=``) is used the
way it always was (httpx's per-operation timeouts), with the same body cap.

The retry policy lives in ``retry``; this module only turns a request body
into a :class:`SendResult`, never raising for HTTP or network failures.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import encodings.idna  # noqa: F401
import functools
import gzip as gzip_module
import importlib.util
import math
import socket
import ssl
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import urlsplit

# httpx imports httpcore (and h11, certifi, the idna codec) on first use. Import
# them here, on the importing thread: if the consumer thread were the first to
# import them, a fork during that import would leave the child with half-
# initialised modules.
import certifi  # noqa: F401
import h11  # noqa: F401
import httpcore
import httpx

from cio_analytics._delivery.deadline import DeadlineBackend
from cio_analytics._logging import logger
from cio_analytics._settings import Settings
from cio_analytics._version import __version__

__all__ = [
    "GZIP_LEVEL",
    "RESPONSE_BODY_CAP",
    "USER_AGENT",
    "HTTPSender",
    "SendResult",
    "SetupFailure",
    "environment_proxy",
    "parse_retry_after",
    "setup_failure_of",
]


USER_AGENT: Final = f"cio-analytics-python/{__version__}"
BATCH_PATH: Final = "/v1/batch"
#: Header telling the API which retry of a request this is (absent on the first attempt).
RETRY_COUNT_HEADER: Final = "X-Retry-Count"
#: Most bytes of one response body that are read; the connection is dropped past it.
RESPONSE_BODY_CAP: Final = 64 * 1024
_DETAIL_LIMIT: Final = 500
#: gzip level for request bodies: JSON compresses most of the way at low levels.
GZIP_LEVEL: Final = 3
#: Pool size of the library's own route (one consumer thread needs one connection).
# Enough for max_in_flight batches at once (at most MAX_IN_FLIGHT).
_MAX_CONNECTIONS: Final = 16
_MAX_KEEPALIVE: Final = 16
_KEEPALIVE_EXPIRY: Final = 5.0
#: How deep an exception chain is searched for a certificate or name-resolution error.
_CHAIN_DEPTH: Final = 16

#: A failure to set up a connection that waiting will not cure: ``tls`` (the
#: certificate could not be verified) or ``dns`` (the host name does not resolve).
SetupFailure = Literal["tls", "dns"]


@dataclass(frozen=True, slots=True)
class SendResult:
    """The outcome of one HTTP attempt.

    Attributes:
        status_code: The HTTP status, or 0 when no response arrived.
        retry_after: The server's ``Retry-After`` in seconds, if it sent one.
        detail: A short description: the error body, or the network error.
        error: The network exception when no response arrived.
        setup_failure: ``tls`` or ``dns`` when the connection could not be set up
            for a reason that retrying will not cure (see :func:`setup_failure_of`).
    """

    status_code: int
    retry_after: float | None = None
    detail: str = ""
    error: BaseException | None = None
    setup_failure: SetupFailure | None = None

    @property
    def ok(self) -> bool:
        """Whether the server accepted the request (any 2xx)."""
        return 200 <= self.status_code < 300


def setup_failure_of(error: BaseException) -> SetupFailure | None:
    """``tls`` or ``dns`` when ``error``'s chain holds a certificate or name-resolution error.

    Looks through ``__cause__`` and ``__context__`` (httpx wraps httpcore's
    error, which wraps the ``ssl``/``socket`` one): an
    ``ssl.SSLCertVerificationError`` means ``tls``, a ``socket.gaierror``
    means ``dns``; anything else None.
    """
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending and len(seen) < _CHAIN_DEPTH:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return "tls"
        if isinstance(current, socket.gaierror):
            return "dns"
        pending.extend(e for e in (current.__context__, current.__cause__) if e is not None)
    return None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date).

    Returns None when the header is absent or unreadable; never a negative number.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            when = when.replace(tzinfo=dt.UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def _auth_value(settings: Settings) -> bytes:
    """``Authorization`` value for the write key: Basic base64(key + ":").

    One expression, and no local but ``settings`` (whose repr hides the key):
    a traceback rendered with its frames' locals shows neither the key nor
    its base64 form.
    """
    return b"Basic " + base64.b64encode(f"{settings.write_key}:".encode())


class _Headers(list[tuple[bytes, bytes]]):
    """Request headers whose repr hides the ``Authorization`` value."""

    def __repr__(self) -> str:
        shown = [(k, b"[secure]" if k.lower() == b"authorization" else v) for k, v in self]
        return f"_Headers({shown!r})"

    def plus(self, *extra: tuple[bytes, bytes]) -> _Headers:
        """A copy with ``extra`` appended."""
        headers = _Headers(self)
        headers.extend(extra)
        return headers


def _header_value(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _read_capped(stream: Iterable[bytes]) -> bytes:
    """Up to about :data:`RESPONSE_BODY_CAP` bytes of ``stream``; what came if reading failed.

    A body cut short by the cap, the attempt's deadline or a lost connection
    does not change the outcome: the status has decided it already.
    """
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in stream:
            chunks.append(chunk)
            size += len(chunk)
            if size >= RESPONSE_BODY_CAP:
                logger.debug("cio_analytics: response body over %d bytes; dropping the connection",
                             RESPONSE_BODY_CAP)  # fmt: skip
                break
    except Exception as exc:  # the deadline, or the connection went away mid-body
        logger.debug("cio_analytics: response body cut short: %s: %s", type(exc).__name__, exc)
    return b"".join(chunks)


def _answered(status: int, retry_after: Callable[[], str | None], raw: bytes) -> SendResult:
    if 200 <= status < 300:
        return SendResult(status)
    return SendResult(
        status,
        retry_after=parse_retry_after(retry_after()),
        detail=raw[:_DETAIL_LIMIT].decode("utf-8", "replace"),
    )


def _failed(exc: Exception) -> SendResult:
    return SendResult(
        0, detail=f"{type(exc).__name__}: {exc}", error=exc, setup_failure=setup_failure_of(exc)
    )


def _close_quietly(close: Callable[[], object]) -> None:
    try:
        close()
    except Exception:  # the outcome is known; a failing close only loses the connection
        logger.debug("cio_analytics: error while closing a response", exc_info=True)


def _timeouts(seconds: float) -> dict[str, dict[str, float]]:
    return {"timeout": {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}}


class HTTPSender:
    """Posts batch bodies to ``{host}/v1/batch`` over one keep-alive connection pool.

    Attributes:
        url: The batch endpoint.
        host: The API's host name.
        proxy_host: ``host:port`` of the proxy the library's own route goes
            through, if any (never its credentials).
    """

    def __init__(self, settings: Settings) -> None:
        self._gzip = settings.gzip
        self._timeout = settings.timeout
        self.url = httpx.URL(settings.base_url + BATCH_PATH)
        self.host = self.url.host
        self.proxy_host: str | None = None
        base = _Headers(
            [(b"Content-Type", b"application/json"), (b"User-Agent", USER_AGENT.encode())]
        )
        if settings.strict:
            base.append((b"X-Strict-Mode", b"1"))
        if settings.write_key is not None:
            base.append((b"Authorization", _auth_value(settings)))
        self._plain = base
        self._gzipped = base.plus((b"Content-Encoding", b"gzip"))
        self._route: _CoreRoute | _TransportRoute
        if settings.transport is None:
            proxy = settings.proxy or environment_proxy(str(self.url))
            if proxy is not None:
                parts = urlsplit(proxy)
                self.proxy_host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
            self._route = _CoreRoute(self.url, proxy)
        else:
            self._route = _TransportRoute(self.url, settings.transport)

    def send(self, body: bytes, *, timeout: float | None = None, retry: int = 0) -> SendResult:
        """Make one attempt; never raises for HTTP statuses or network errors.

        Args:
            body: The JSON request body.
            timeout: Seconds the whole attempt may take (default: the ``timeout`` setting).
            retry: Which retry this is (0 for the first attempt); sent as
                ``X-Retry-Count`` when not 0.
        """
        headers = self._plain
        if self._gzip:
            body = gzip_module.compress(body, compresslevel=GZIP_LEVEL)
            headers = self._gzipped
        if retry:
            headers = headers.plus((RETRY_COUNT_HEADER.encode(), str(retry).encode()))
        seconds = self._timeout if timeout is None else timeout
        return self._route.send(body, headers, seconds)

    def close(self) -> None:
        """Close the connection pool."""
        try:
            self._route.close()
        except Exception:  # closing must never raise into shutdown
            logger.debug("cio_analytics: error while closing the HTTP transport", exc_info=True)


class _CoreRoute:
    """The library's own route: an httpcore pool on a deadline-enforcing network backend."""

    __slots__ = ("_backend", "_host", "_pool", "_url")

    def __init__(self, url: httpx.URL, proxy: str | None) -> None:
        self._url = httpcore.URL(
            scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
        )
        self._host = (b"Host", url.netloc)
        self._backend = DeadlineBackend()
        self._pool = _connection_pool(url, proxy, self._backend)

    def send(self, body: bytes, headers: _Headers, seconds: float) -> SendResult:
        backend = self._backend
        backend.start(seconds)
        try:
            request = httpcore.Request(
                b"POST",
                self._url,
                headers=_Headers((self._host, *headers, (b"Content-Length", b"%d" % len(body)))),
                content=body,
                extensions=_timeouts(seconds),
            )
            try:
                response = self._pool.handle_request(request)
            except Exception as exc:  # httpcore's network errors, the deadline
                return _failed(exc)
            try:
                raw = _read_capped(response.stream)  # type: ignore[arg-type]
            finally:
                _close_quietly(response.close)
            status, found = response.status, response.headers
            return _answered(status, lambda: _header_value(found, b"retry-after"), raw)
        finally:
            backend.finish()

    def close(self) -> None:
        self._pool.close()


class _TransportRoute:
    """A caller's own ``httpx.BaseTransport``: its own timeouts, the library's body cap."""

    __slots__ = ("_transport", "_url")

    def __init__(self, url: httpx.URL, transport: httpx.BaseTransport) -> None:
        self._url = url
        self._transport = transport

    def send(self, body: bytes, headers: _Headers, seconds: float) -> SendResult:
        request = httpx.Request(
            "POST",
            self._url,
            headers=httpx.Headers(headers),
            content=body,
            extensions=_timeouts(seconds),
        )
        try:
            response = self._transport.handle_request(request)
            stream = response.stream
            if isinstance(stream, httpx.SyncByteStream):
                # The raw body (no Accept-Encoding is sent, so it is not compressed),
                # read from the stream directly: httpx's decoding layers are not needed.
                try:
                    raw = _read_capped(stream)
                finally:
                    _close_quietly(stream.close)
            else:
                try:
                    raw = response.read()[:RESPONSE_BODY_CAP]
                finally:
                    response.close()
        except Exception as exc:  # httpx errors, and anything a custom transport raises
            return _failed(exc)
        found = response.headers
        return _answered(response.status_code, lambda: found.get("Retry-After"), raw)

    def close(self) -> None:
        self._transport.close()


def _connection_pool(
    url: httpx.URL, proxy: str | None, backend: DeadlineBackend
) -> httpcore.ConnectionPool:
    """The pool for ``url``: direct, or through an HTTP(S) or SOCKS proxy (as httpx builds it)."""
    # Loading the CA bundle takes tens of milliseconds: only when TLS is used.
    tls = url.scheme == "https" or (proxy or "").startswith("https")
    context = _ssl_context() if tls else None
    if proxy is None:
        return httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=_MAX_CONNECTIONS,
            max_keepalive_connections=_MAX_KEEPALIVE,
            keepalive_expiry=_KEEPALIVE_EXPIRY,
            network_backend=backend,
        )
    via = httpx.Proxy(url=proxy)
    proxy_url = httpcore.URL(
        scheme=via.url.raw_scheme, host=via.url.raw_host, port=via.url.port, target=via.url.raw_path
    )
    if via.url.scheme in ("http", "https"):
        return httpcore.HTTPProxy(
            proxy_url=proxy_url,
            proxy_auth=via.raw_auth,
            proxy_headers=via.headers.raw,
            ssl_context=context,
            proxy_ssl_context=via.ssl_context,
            max_connections=_MAX_CONNECTIONS,
            max_keepalive_connections=_MAX_KEEPALIVE,
            keepalive_expiry=_KEEPALIVE_EXPIRY,
            network_backend=backend,
        )
    if importlib.util.find_spec("socksio") is None:
        raise ImportError(
            "Using SOCKS proxy, but the 'socksio' package is not installed. "
            "Make sure to install httpx using `pip install httpx[socks]`."
        )
    return httpcore.SOCKSProxy(
        proxy_url=proxy_url,
        proxy_auth=via.raw_auth,
        ssl_context=context,
        max_connections=_MAX_CONNECTIONS,
        max_keepalive_connections=_MAX_KEEPALIVE,
        keepalive_expiry=_KEEPALIVE_EXPIRY,
        network_backend=backend,
    )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process (loading the CA bundle costs tens of ms)."""
    return httpx.create_ssl_context()


def environment_proxy(url: str) -> str | None:
    """The proxy the environment (``HTTPS_PROXY``, ``NO_PROXY`` ...) asks for ``url``, if any."""
    parts = urlsplit(url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    proxies = urllib.request.getproxies_environment()
    return proxies.get(parts.scheme) or proxies.get("all")
