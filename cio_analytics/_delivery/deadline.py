"""A hard deadline for one HTTP attempt, enforced where httpcore touches the network.

httpcore applies its timeouts per operation: each read may wait ``read``
seconds, so a server that sends one byte just before every timeout holds a
request for ever. :class:`DeadlineBackend` is an httpcore network backend whose
streams clamp every connect, TLS handshake, read and write to the time left
until the current attempt's deadline, and fail at once when none is left.

The deadline belongs to the thread that makes the attempt (sync httpcore does
all of a request's I/O on the calling thread), so one pool can serve several
threads, each with its own attempt (sync mode called from many threads).
"""

from __future__ import annotations

import math
import ssl
import threading
import time
import typing
from typing import Final

import httpcore

__all__ = ["WRITE_CHUNK", "DeadlineBackend"]

#: Writes go to the socket in pieces of at most this many bytes, each with the
#: time then left, so a peer that reads slowly cannot stretch one long write.
WRITE_CHUNK: Final = 64 * 1024

_Timeout = type[httpcore.TimeoutException]


class _Clock(threading.local):
    """The current attempt's deadline on this thread (``inf``: none)."""

    deadline: float = math.inf


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, with every operation bounded by the attempt's deadline.

    Call :meth:`start` before an attempt and :meth:`finish` after it (same thread).
    """

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner if inner is not None else httpcore.SyncBackend()
        self._clock = _Clock()

    def start(self, seconds: float) -> None:
        """Start an attempt on this thread that must end within ``seconds``."""
        self._clock.deadline = time.monotonic() + seconds

    def finish(self) -> None:
        """End this thread's attempt (later operations are no longer bounded)."""
        self._clock.deadline = math.inf

    def clamp(self, timeout: float | None, error: _Timeout) -> float | None:
        """``timeout`` shortened to the time left; raises ``error`` when none is left."""
        deadline = self._clock.deadline
        if deadline == math.inf:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise error("the attempt took longer than the timeout setting allows")
        return left if timeout is None or timeout > left else timeout

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        """Open a TCP connection within the time left (name resolution is not bounded)."""
        stream = self._inner.connect_tcp(
            host,
            port,
            timeout=self.clamp(timeout, httpcore.ConnectTimeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return _DeadlineStream(stream, self)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        """Open a Unix socket connection within the time left."""
        stream = self._inner.connect_unix_socket(
            path,
            timeout=self.clamp(timeout, httpcore.ConnectTimeout),
            socket_options=socket_options,
        )
        return _DeadlineStream(stream, self)

    def sleep(self, seconds: float) -> None:
        """Sleep (httpcore's connection retries; the library asks for none)."""
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation is clamped by its backend's deadline."""

    __slots__ = ("_backend", "_stream")

    def __init__(self, stream: httpcore.NetworkStream, backend: DeadlineBackend) -> None:
        self._stream = stream
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._backend.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        clamp = self._backend.clamp
        if len(buffer) <= WRITE_CHUNK:
            self._stream.write(buffer, clamp(timeout, httpcore.WriteTimeout))
            return
        view = memoryview(buffer)
        for start in range(0, len(view), WRITE_CHUNK):
            piece = bytes(view[start : start + WRITE_CHUNK])
            self._stream.write(piece, clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context,
            server_hostname=server_hostname,
            timeout=self._backend.clamp(timeout, httpcore.ConnectTimeout),
        )
        return _DeadlineStream(stream, self._backend)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)
