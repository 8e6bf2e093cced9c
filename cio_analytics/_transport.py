"""HTTP: one long-lived httpx.Client per consumer, one attempt per call.

The retry policy lives in ``_retry``; this module only turns a request body into
a :class:`SendResult`, never raising for HTTP or network failures.
"""

from __future__ import annotations

import base64
import gzip as gzip_module
import logging
from dataclasses import dataclass
from typing import Final

import httpx

from cio_analytics._retry import parse_retry_after
from cio_analytics._settings import Settings
from cio_analytics._version import __version__

__all__ = ["USER_AGENT", "HTTPSender", "SendResult"]

logger = logging.getLogger("cio_analytics")

USER_AGENT: Final = f"cio-analytics-python/{__version__}"
BATCH_PATH: Final = "/v1/batch"
_DETAIL_LIMIT: Final = 500


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


def basic_auth_header(write_key: str) -> str:
    """``Authorization`` value for a write key: Basic base64(key + ":")."""
    token = base64.b64encode(f"{write_key}:".encode()).decode("ascii")
    return f"Basic {token}"


class HTTPSender:
    """Posts batch bodies to ``{host}/v1/batch`` over one keep-alive connection pool."""

    def __init__(self, settings: Settings) -> None:
        self._gzip = settings.gzip
        self.url = settings.base_url + BATCH_PATH
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        if settings.strict:
            headers["X-Strict-Mode"] = "1"
        if settings.write_key is not None:
            headers["Authorization"] = basic_auth_header(settings.write_key)
        # verify=True is httpx's default and is never turned off here: TLS is
        # always verified for https hosts. trust_env=False keeps a stray .netrc
        # from replacing the Authorization header.
        self._client = httpx.Client(
            headers=headers,
            timeout=settings.timeout,
            transport=settings.transport,
            proxy=settings.proxy if settings.transport is None else None,
            trust_env=settings.proxy is None and settings.transport is None,
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
        )

    def send(self, body: bytes, *, timeout: float | None = None) -> SendResult:
        """Make one attempt; never raises for HTTP statuses or network errors."""
        headers = None
        if self._gzip:
            body = gzip_module.compress(body, compresslevel=5)
            headers = {"Content-Encoding": "gzip"}
        try:
            response = self._client.post(
                self.url,
                content=body,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            return SendResult(0, detail=f"{type(exc).__name__}: {exc}", error=exc)
        status = response.status_code
        if 200 <= status < 300:
            return SendResult(status)
        return SendResult(
            status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            detail=response.text[:_DETAIL_LIMIT],
        )

    def close(self) -> None:
        """Close the connection pool."""
        try:
            self._client.close()
        except Exception:  # closing must never raise into shutdown
            logger.debug("cio_analytics: error while closing the HTTP client", exc_info=True)
