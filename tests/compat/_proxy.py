"""A real HTTP forward proxy on loopback, for tests of the proxy settings.

It accepts absolute-form requests (``POST http://host/v1/batch``), records the
target, and forwards the request to one upstream server (the local
Customer.io-compatible server), whatever host the target names: the client
may aim at a host that does not resolve, and only the proxy makes the request
arrive.
"""

from __future__ import annotations

import http.client
import http.server
import threading
from types import TracebackType
from typing import Self

__all__ = ["ForwardProxy"]

_HOP_BY_HOP = frozenset({"connection", "proxy-connection", "keep-alive", "proxy-authorization"})


class ForwardProxy:
    """``with ForwardProxy(upstream_port) as proxy:``; ``proxy.address`` is ``127.0.0.1:PORT``."""

    def __init__(self, upstream_port: int) -> None:
        self.targets: list[str] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                proxy.targets.append(self.path)
                path = self.path.split("://", 1)[-1].partition("/")[2]
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=10)
                try:
                    upstream.request("POST", "/" + path, body=body, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                finally:
                    upstream.close()
                self.send_response(response.status)
                self.send_header("Content-Type", response.getheader("Content-Type", "text/plain"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``, without a scheme (as requests-style settings often give it)."""
        return f"127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
