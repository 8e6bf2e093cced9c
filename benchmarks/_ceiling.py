"""The server's ceiling: prebuilt batch bodies sent over one raw keep-alive socket.

Usage::

    python benchmarks/_ceiling.py --url http://127.0.0.1:PORT --n 50000 --batch 100

No client library at all: the bodies (N messages with unique messageIds, the
same payload the libraries send) are built before the clock starts, and each
response is read before the next request is sent, as a one-connection client
does. The rate it prints (one JSON line, the fields of the end-to-end
scenario) is the most any library can reach against this server: when a
library's figure comes close to it, the server is the bottleneck.
"""

from __future__ import annotations

import argparse
import base64
import json
import socket
import sys
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import msgspec
from _payload import EVENT, WRITE_KEY, properties, user_id

_SENT_AT = "2026-01-02T03:04:05.678+00:00"


def _requests(n: int, batch: int, host: str) -> list[bytes]:
    auth = base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
    out = []
    for start in range(0, n, batch):
        messages = [
            {
                "type": "track",
                "userId": user_id(i),
                "event": EVENT,
                "properties": properties(i),
                "timestamp": _SENT_AT,
                "messageId": str(uuid.uuid4()),
                "context": {"library": {"name": "ceiling", "version": "0"}},
            }
            for i in range(start, min(n, start + batch))
        ]
        body = msgspec.json.encode({"batch": messages, "sentAt": _SENT_AT})
        head = (
            f"POST /v1/batch HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {auth}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


def _read_response(reader: Any) -> int:
    """Read one response; returns its status."""
    status = int(reader.readline(1024).split()[1])
    length = 0
    for _ in range(100):  # headers
        line = reader.readline(8192)
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    reader.read(length)
    return status


def main(argv: list[str]) -> int:
    """Send the bodies, print the rate."""
    parser = argparse.ArgumentParser(description="Measure the benchmark server's ceiling.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args(argv)
    parts = urlsplit(args.url)
    if parts.hostname is None or parts.port is None:
        parser.error(f"--url must be http://HOST:PORT, got {args.url!r}")
    requests = _requests(args.n, args.batch, parts.netloc)
    statuses: dict[str, int] = {}
    with socket.create_connection((parts.hostname, parts.port), timeout=30.0) as sock:
        reader = sock.makefile("rb")
        started = time.monotonic()
        for request in requests:
            sock.sendall(request)
            status = str(_read_response(reader))
            statuses[status] = statuses.get(status, 0) + 1
        seconds = time.monotonic() - started
    result = {
        "library": f"ceiling-{args.batch}",
        "scenario": "e2e",
        "n": args.n,
        "expected": args.n,
        "msgs_per_s": args.n / seconds,
        "seconds": seconds,
        "enqueue_seconds": 0.0,
        "requests": len(requests),
        "status_counts": statuses,
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
