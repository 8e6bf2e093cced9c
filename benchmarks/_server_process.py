"""The local Customer.io server in a process of its own, for the comparative benchmark.

Run by ``compare.py``: it prints one JSON line (``{"url": ..., "pid": ...}``)
once it listens, then serves until SIGTERM or Ctrl-C arrives, its standard
input is closed (with ``--watch-stdin``), or ``--max-seconds`` pass. Running
apart means the server never competes for the GIL of the library being
measured.

Messages are counted, not kept (``keep_messages=False``). ``/__cio__/stats``
includes ``last_accepted_at``, the ``time.monotonic()`` of the latest accepted
message. On Linux that clock is shared by every process, so a workload can
date the arrival of its last message precisely while polling the stats only
now and then.

``--latency 0.1`` (or ``LOW:HIGH``) makes every API answer wait, as over a
real network (``cio-analytics serve --latency`` does the same); the JSON line
says which latency is in force.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from cio_analytics.cli.serve import parse_latency
from cio_analytics.testing import LocalServer


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--key", required=True, help="the write key requests must carry")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop after this long")
    parser.add_argument(
        "--latency",
        type=parse_latency,
        default=None,
        help="seconds every API answer waits (0.1), or LOW:HIGH for a random one",
    )
    parser.add_argument(
        "--watch-stdin",
        action="store_true",
        help="stop when standard input is closed (how compare.py stops it)",
    )
    return parser.parse_args(argv)


def _stop_on_eof(stop: threading.Event) -> None:
    """Set ``stop`` when the parent closes our standard input (or dies)."""
    try:
        sys.stdin.buffer.read()
    finally:
        stop.set()


def main(argv: list[str]) -> int:
    """Serve until told to stop; returns the exit status."""
    args = _parse(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    if args.watch_stdin:
        threading.Thread(target=_stop_on_eof, args=(stop,), daemon=True).start()
    server = LocalServer(args.key, port=args.port, keep_messages=False, latency=args.latency)
    server.start()
    try:
        print(
            json.dumps({"url": server.url, "pid": os.getpid(), "latency": server.latency}),
            flush=True,
        )
        stop.wait(args.max_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop(timeout=5.0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
