"""Raw-socket HTTP servers that misbehave, and a self-signed certificate, for the transport tests.

:class:`MisbehavingServer` is deliberately not the library's own LocalServer: it
speaks just enough HTTP/1.1 by hand to misbehave in ways a real server framework
never would (a status line fed one byte at a time, a body that never ends). Its
``mode`` can change while it runs, so a test can let it "recover".

Every loop here is bounded in count and in time, and :meth:`MisbehavingServer.close`
ends them all.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import Final, Literal

import httpx
import pytest

Mode = Literal["ok", "drip_head", "drip_body", "endless", "silent", "deaf"]

#: Longest a connection thread lives, whatever the client does (seconds).
CONNECTION_LIFETIME: Final = 60.0
#: Most bytes one drip-feeding connection sends (one every ``gap`` seconds).
MAX_DRIP_BYTES: Final = 10_000
#: Most bytes one endless-body connection sends before giving up on the client.
MAX_ENDLESS_BYTES: Final = 4 << 30
_CHUNK: Final = b"x" * 65536
_HEAD_LIMIT: Final = 65536
_FORWARDED: Final = ("authorization", "content-type", "content-encoding", "x-strict-mode")


class MisbehavingServer:
    """An HTTP server on 127.0.0.1 that answers according to :attr:`mode`.

    Modes:
        ok: a healthy server: forwards the request to ``upstream`` (a LocalServer,
            which records the messages) and relays its answer; ``200 {}`` without one.
        drip_head: the status line and headers, one byte every ``gap`` seconds, never ending.
        drip_body: ``status`` and headers at once, then a body one byte every ``gap``
            seconds. A 2xx ``status`` is given after forwarding the request upstream
            (the messages were processed); any other without forwarding.
        endless: forwards upstream, then ``200`` and a body that never ends, sent as
            fast as the client reads.
        silent: reads the request and never answers.
        deaf: accepts the connection and never reads from it.

    Attributes:
        mode: The current mode (read for every request; a test may change it).
        status: The status the ``drip_body`` mode answers with.
        gap: Seconds between two drip-fed bytes.
        arrivals: ``(mode, time.monotonic())`` of every request read.
        headers_seen: The headers of every request read (names in lower case).
        connections: Connections accepted.
    """

    def __init__(
        self, mode: Mode, *, gap: float = 0.3, status: int = 200, upstream: str | None = None
    ) -> None:
        self.mode: Mode = mode
        self.status = status
        self.gap = gap
        self.upstream = upstream
        self.arrivals: list[tuple[str, float]] = []
        self.headers_seen: list[dict[str, str]] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        accept = threading.Thread(target=self._accept, name="misbehaving-accept", daemon=True)
        accept.start()
        self._threads.append(accept)

    def __enter__(self) -> MisbehavingServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count(self, mode: str | None = None) -> int:
        """Requests read so far (answered in ``mode``, or in any)."""
        with self._lock:
            return sum(1 for m, _ in self.arrivals if mode is None or m == mode)

    def close(self) -> None:
        """Stop accepting, end every connection, wait for the threads (bounded)."""
        self._stop.set()
        self._sock.close()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(5)

    def _accept(self) -> None:
        for _ in range(1_000_000):  # bounded: a test makes a handful of connections
            if self._stop.is_set():
                return
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(
                target=self._serve, args=(conn,), name="misbehaving-conn", daemon=True
            )
            with self._lock:
                self.connections += 1
                self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        ends = time.monotonic() + CONNECTION_LIFETIME
        conn.settimeout(1.0)
        buffer = b""
        try:
            if self.mode == "deaf":
                self._stop.wait(CONNECTION_LIFETIME)
                return
            for _ in range(1000):  # requests on one keep-alive connection
                headers, body, buffer = _read_request(conn, buffer, self._stop, ends)
                if headers is None:
                    return
                mode = self.mode
                with self._lock:
                    self.arrivals.append((mode, time.monotonic()))
                    self.headers_seen.append(headers)
                if not self._answer(conn, mode, headers, body, ends):
                    return
        except OSError:
            return
        finally:
            conn.close()

    def _answer(
        self, conn: socket.socket, mode: str, headers: dict[str, str], body: bytes, ends: float
    ) -> bool:
        """Answer one request; False when the connection must end."""
        if mode == "ok":
            status, answer = self._forward(headers, body)
            conn.sendall(_response(status, answer))
            return True
        if mode in ("silent", "deaf"):
            self._stop.wait(max(0.0, ends - time.monotonic()))
        elif mode == "drip_head":
            never_ends = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + b"X-Pad: y\r\n" * 999
            self._drip(conn, never_ends, ends)
        elif mode == "drip_body":
            if 200 <= self.status < 300:
                self._forward(headers, body)
            conn.sendall(f"HTTP/1.1 {self.status} X\r\nContent-Length: 100000\r\n\r\n".encode())
            self._drip(conn, b"z" * MAX_DRIP_BYTES, ends)
        else:
            self._forward(headers, body)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n")
            self._flood(conn, ends)
        return False

    def _forward(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        """Hand the request to ``upstream``; its status and body (200 ``{}`` without one)."""
        if self.upstream is None:
            return 200, b"{}"
        forwarded = {name: headers[name] for name in _FORWARDED if name in headers}
        response = httpx.post(
            self.upstream + "/v1/batch", content=body, headers=forwarded, timeout=10.0
        )
        return response.status_code, response.content

    def _drip(self, conn: socket.socket, payload: bytes, ends: float) -> None:
        for i in range(min(len(payload), MAX_DRIP_BYTES)):
            if self._stop.wait(self.gap) or time.monotonic() > ends:
                return
            conn.sendall(payload[i : i + 1])

    def _flood(self, conn: socket.socket, ends: float) -> None:
        for _ in range(MAX_ENDLESS_BYTES // len(_CHUNK)):
            if self._stop.is_set() or time.monotonic() > ends:
                return
            try:
                conn.sendall(_CHUNK)
            except TimeoutError:
                continue  # the client reads nothing for now; try again (bounded above)


def _response(status: int, body: bytes) -> bytes:
    head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    return head.encode() + b"\r\n\r\n" + body


def _read_request(
    conn: socket.socket, buffer: bytes, stop: threading.Event, ends: float
) -> tuple[dict[str, str] | None, bytes, bytes]:
    """Read one request: its headers, its body and what followed (headers None: gone)."""
    while b"\r\n\r\n" not in buffer:
        if stop.is_set() or time.monotonic() > ends or len(buffer) > _HEAD_LIMIT:
            return None, b"", b""
        try:
            data = conn.recv(65536)
        except TimeoutError:
            continue
        if not data:
            return None, b"", b""
        buffer += data
    head, _, rest = buffer.partition(b"\r\n\r\n")
    headers: dict[str, str] = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        if stop.is_set() or time.monotonic() > ends:
            return None, b"", b""
        try:
            data = conn.recv(65536)
        except TimeoutError:
            continue
        if not data:
            return None, b"", b""
        rest += data
    return headers, rest[:length], rest[length:]


def require_unresolvable(name: str, within: float = 2.0) -> None:
    """Skip the test unless ``name`` fails to resolve, quickly, on this machine.

    ``.invalid`` names never resolve, but a resolver that hijacks unknown names
    (some ISPs' do) or one that is unreachable (slow timeouts) would make the
    test about the machine instead of the library.
    """
    started = time.monotonic()
    try:
        socket.getaddrinfo(name, 443)
    except socket.gaierror:
        if time.monotonic() - started > within:
            pytest.skip(f"name resolution on this machine takes over {within} s to fail")
        return
    pytest.skip(f"this machine's resolver resolves {name}, which must not resolve")


# -- TLS ------------------------------------------------------------------------------


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate and key for 127.0.0.1 (cryptography, else the openssl CLI).

    Skips the test, saying why, when neither is available.
    """
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            pytest.skip(
                "cannot make a self-signed certificate: neither the cryptography package "
                "nor the openssl command is available"
            )
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(key_path), "-out", str(cert_path)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        # A CA: a client that is given this certificate to trust completes a request.
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class SelfSignedTLSServer:
    """An HTTPS server on 127.0.0.1 with an untrusted certificate; counts handshake attempts."""

    def __init__(self, cert: Path, key: Path) -> None:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert, key)
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self.connections = 0
        self.handshakes = 0
        #: Requests answered after a completed handshake.
        self.requests = 0
        #: Connections whose handshake (or request) failed.
        self.refused = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="tls-server", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        for _ in range(100_000):
            if self._stop.is_set():
                return
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.settimeout(5)
            try:
                with self._context.wrap_socket(conn, server_side=True) as tls:
                    self.handshakes += 1
                    if tls.recv(65536):
                        self.requests += 1
                        tls.sendall(_response(200, b"{}"))
            except (ssl.SSLError, OSError):
                self.refused += 1
            finally:
                conn.close()

    def close(self) -> None:
        """Stop accepting and wait for the thread (bounded)."""
        self._stop.set()
        self._sock.close()
        self._thread.join(5)
