"""Measure how many requests per second LocalServer takes over one keep-alive connection.

Not a test (pytest does not collect it): run it by hand::

    .venv/bin/python tests/testing/measure_throughput.py [--seconds 5] [--batch 100]

The server runs in its own process (``keep_messages=False``, strict mode, as
the project's benchmarks use it); one ``httpx.Client`` posts pre-encoded
batches of realistic track messages for a bounded time. It prints the
end-to-end rate (bounded by this one client as much as by the server) and the
server's CPU time per request, which gives its capacity per core.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import httpx
import msgspec

SERVER = """
import sys, time
from cio_analytics.testing import LocalServer
server = LocalServer(keep_messages=False, strict=True).start()
print(server.url, flush=True)
started = time.process_time()
sys.stdin.read()
print(time.process_time() - started, server.request_count, server.message_count, flush=True)
server.stop()
"""


def batch_body(index: int, size: int) -> bytes:
    """A batch of ``size`` track messages with ten properties each."""
    messages = [
        {
            "type": "track",
            "userId": f"user_{n}",
            "event": "Order Completed",
            "properties": {
                "order_id": f"o-{index}-{n}",
                "total": 42.5,
                "currency": "EUR",
                "items": 3,
                "coupon": "SPRING",
                "tax": 3.1,
                "shipping": 4.0,
                "discount": 0,
                "affiliation": "web",
                "revenue": 38.0,
            },
            "timestamp": "2026-01-02T03:04:05.678+00:00",
            "messageId": f"m-{index}-{n}",
            "context": {"library": {"name": "cio-analytics", "version": "0.1.0"}},
        }
        for n in range(size)
    ]
    return msgspec.json.encode({"batch": messages, "sentAt": "2026-01-02T03:04:05.678+00:00"})


def main() -> None:
    """Run the measurement and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--batch", type=int, default=100)
    options = parser.parse_args()
    bodies = [batch_body(i, options.batch) for i in range(20)]
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        url = server.stdout.readline().strip()
        if not url.startswith("http://"):
            raise SystemExit("the server did not start (see its error above)")
        headers = {"Content-Type": "application/json"}
        with httpx.Client(base_url=url, auth=("test-key", ""), headers=headers) as http:
            sent = 0
            started = time.perf_counter()
            deadline = started + options.seconds
            while time.perf_counter() < deadline:
                response = http.post("/v1/batch", content=bodies[sent % len(bodies)])
                assert response.status_code == 200, response.text
                sent += 1
            elapsed = time.perf_counter() - started
        server.stdin.close()
        cpu, requests, messages = server.stdout.readline().split()
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
    per_request = float(cpu) / int(requests)
    print(f"body: {len(bodies[0]):,} bytes, {options.batch} messages")
    print(
        f"end to end, one keep-alive client: {sent / elapsed:,.0f} requests/s "
        f"({sent * options.batch / elapsed:,.0f} messages/s)"
    )
    print(
        f"server CPU: {per_request * 1e3:.2f} ms per request, so about "
        f"{1 / per_request:,.0f} requests/s ({options.batch / per_request:,.0f} messages/s) "
        f"per core; {messages} messages recorded"
    )


if __name__ == "__main__":
    main()
