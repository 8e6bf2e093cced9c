"""HTTP: one long-lived httpx connection pool per consumer, one attempt per call.

Requests go straight to an ``httpx.HTTPTransport`` (httpx's keep-alive
connection pool; TLS always verified) rather than through ``httpx.Client``:
this API needs none of the client's cookie jar, redirect handling or URL
merging, which cost about 200 microseconds per request on the benchmark
machine. A caller's own ``httpx.BaseTransport`` (``transport=``) is used the
same way. The retry policy lives in ``_retry``; this module only turns a
request body into a :class:`SendResult`, never raising for HTTP or network
failures.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import encodings.idna  # noqa: F401
import functools
import gzip as gzip_module
import math
import ssl
import time
import urllib.request
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

# httpx imports httpcore (and h11, certifi, the idna codec) on first use. Import
# them here, on the importing thread: if the consumer thread were the first to
# import them, a fork during that import would leave the child with half-
# initialised modules.
import certifi  # noqa: F401
import h11  # noqa: F401
import httpcore  # noqa: F401
import httpx

from cio_analytics._logging import logger
from cio_analytics._settings import Settings
from cio_analytics._version import __version__

__all__ = [
    "GZIP_LEVEL",
    "USER_AGENT",
    "HTTPSender",
    "SendResult",
    "environment_proxy",
    "parse_retry_after",
]


USER_AGENT: Final = f"cio-analytics-python/{__version__}"
BATCH_PATH: Final = "/v1/batch"
_DETAIL_LIMIT: Final = 500
#: gzip level for request bodies: JSON compresses most of the way at low levels.
GZIP_LEVEL: Final = 3


@dataclass(frozen=True, slots=True)
class SendResult:
    """The outcome of one HTTP attempt.

    Attributes:
        status_code: The HTTP status, or 0 when no response arrived.
        retry_after: The server's ``Retry-After`` in seconds, if it sent one.
        detail: A short description: the error body, or the network error.
        error: The network exception when no response arrived.
    """

    status_code: int
    retry_after: float | None = None
    detail: str = ""
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """Whether the server accepted the request (any 2xx)."""
        return 200 <= self.status_code < 300


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


def basic_auth_header(write_key: str) -> str:
    """``Authorization`` value for a write key: Basic base64(key + ":")."""
    token = base64.b64encode(f"{write_key}:".encode()).decode("ascii")
    return f"Basic {token}"


class HTTPSender:
    """Posts batch bodies to ``{host}/v1/batch`` over one keep-alive connection pool."""

    def __init__(self, settings: Settings) -> None:
        self._gzip = settings.gzip
        self.url = httpx.URL(settings.base_url + BATCH_PATH)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }
        if settings.strict:
            headers["X-Strict-Mode"] = "1"
        if settings.write_key is not None:
            headers["Authorization"] = basic_auth_header(settings.write_key)
        self._headers = httpx.Headers(headers)
        self._gzip_headers = httpx.Headers({**headers, "Content-Encoding": "gzip"})
        self._timeout = settings.timeout
        transport = settings.transport
        if transport is None:
            proxy = settings.proxy or environment_proxy(str(self.url))
            # Loading the CA bundle takes tens of milliseconds: only when TLS is used.
            tls = self.url.scheme == "https" or (proxy or "").startswith("https")
            transport = httpx.HTTPTransport(
                verify=_ssl_context() if tls else True,
                proxy=proxy,
                limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
            )
        self._transport: httpx.BaseTransport = transport

    def send(self, body: bytes, *, timeout: float | None = None) -> SendResult:
        """Make one attempt; never raises for HTTP statuses or network errors."""
        headers = self._headers
        if self._gzip:
            body = gzip_module.compress(body, compresslevel=GZIP_LEVEL)
            headers = self._gzip_headers
        seconds = self._timeout if timeout is None else timeout
        request = httpx.Request(
            "POST",
            self.url,
            headers=headers,
            content=body,
            extensions={"timeout": {"connect": seconds, "read": seconds, "write": seconds,
                                    "pool": seconds}},
        )  # fmt: skip
        try:
            response = self._transport.handle_request(request)
            stream = response.stream
            if isinstance(stream, httpx.SyncByteStream):
                # The raw body (no Accept-Encoding is sent, so it is not compressed).
                # Reading it all keeps the connection reusable; reading the stream
                # directly skips httpx's decoding layers, a fifth of a request's cost.
                try:
                    raw = b"".join(stream)
                finally:
                    stream.close()
            else:
                try:
                    raw = response.read()
                finally:
                    response.close()
        except Exception as exc:  # httpx errors, and anything a custom transport raises
            return SendResult(0, detail=f"{type(exc).__name__}: {exc}", error=exc)
        status = response.status_code
        if 200 <= status < 300:
            return SendResult(status)
        return SendResult(
            status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            detail=raw[:_DETAIL_LIMIT].decode("utf-8", "replace"),
        )

    def close(self) -> None:
        """Close the connection pool."""
        try:
            self._transport.close()
        except Exception:  # closing must never raise into shutdown
            logger.debug("cio_analytics: error while closing the HTTP transport", exc_info=True)


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
