"""``cio-analytics serve``: run the local Customer.io-compatible server in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from cio_analytics._settings import is_loopback_url
from cio_analytics.testing import LocalServer, RecordedMessage, Rejection

__all__ = ["describe", "run_serve"]


def describe(item: RecordedMessage | Rejection) -> str:
    """One line for a message the server received.

    Args:
        item: An accepted message (with its request) or a rejection.

    Returns:
        The type, event (or name, or groupId), identity and messageId; a
        rejection starts with ``REJECTED <path>[index]`` and ends with the reason.
    """
    message = item.message or {}
    kind = str(message.get("type") or "?")
    label = message.get("event") or message.get("name") or message.get("groupId") or ""
    who = (
        f"userId={message['userId']}"
        if message.get("userId")
        else f"anonymousId={message.get('anonymousId') or message.get('previousId') or '-'}"
    )
    message_id = f"messageId={message.get('messageId') or '-'}"
    if isinstance(item, Rejection):
        where = item.path if item.index is None else f"{item.path}[{item.index}]"
        parts = " ".join(part for part in (kind, str(label), who, message_id) if part)
        return f"REJECTED {where} {parts}: {item.reason}"
    return f"{kind:<8} {label!s:<28} {who} {message_id}"


def run_serve(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM, printing one line per message received.

    Args:
        args: The parsed ``serve`` options.

    Returns:
        0 after a clean stop, 1 when the address cannot be bound.
    """
    stream = sys.stdout
    print_lock = threading.Lock()

    def show(item: RecordedMessage | Rejection) -> None:
        with print_lock:
            print(describe(item), file=stream, flush=True)

    server = LocalServer(
        args.write_key,
        host=args.host,
        port=args.port,
        strict=True if args.strict else None,
        record_file=args.record,
        on_receive=show,
    )
    try:
        server.start()
    except OSError as exc:
        where = f"{args.host}:{args.port}"
        print(f"cio-analytics serve: cannot listen on {where}: {exc}", file=sys.stderr)
        return 1
    if not is_loopback_url(server.url):
        print(
            f"cio-analytics serve: warning: {args.host} is not a loopback address; the "
            "/__cio__/ control paths need no key. Use this server for local testing only.",
            file=sys.stderr,
        )
    stop = threading.Event()
    previous = _on_sigterm(stop.set)
    try:
        mode = "strict" if args.strict else "strict only with X-Strict-Mode: 1"
        auth = "key required" if args.write_key else "any key accepted"
        print(f"Listening on {server.url} ({mode}; {auth}). Ctrl-C stops.", file=stream, flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        _restore_sigterm(previous)
    print(f"Stopped after {server.message_count} message(s).", file=stream, flush=True)
    return 0


def _on_sigterm(callback: Callable[[], None]) -> Any:
    """Run ``callback`` on SIGTERM (main thread only); returns the previous handler."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, lambda signum, frame: callback())


def _restore_sigterm(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)
