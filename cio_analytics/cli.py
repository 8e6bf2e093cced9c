"""The ``cio-analytics`` command line (also ``python -m cio_analytics``).

Each subcommand is one ``_add_<name>`` function that registers its parser on
the subparsers object and sets ``handler`` to the function that runs it; the
handler returns the exit status.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from cio_analytics._settings import is_loopback_url
from cio_analytics._version import __version__
from cio_analytics.testing import LocalServer, RecordedMessage, Rejection

__all__ = ["build_parser", "describe", "main"]

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="cio-analytics",
        description="Tools around the Customer.io Data Pipelines client cio-analytics.",
    )
    parser.add_argument("--version", action="version", version=f"cio-analytics {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_serve(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments (without the program name); None reads ``sys.argv``.

    Returns:
        The exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    return handler(args)


# -- serve -------------------------------------------------------------------------


def _add_serve(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the local Customer.io-compatible server",
        description=(
            "Run a local Customer.io Data Pipelines API until interrupted (Ctrl-C), "
            "printing each message received on one line. Point a client at the URL "
            "it prints (host=...). For loopback testing only: the /__cio__/ control "
            "paths need no key."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument(
        "--write-key",
        default=None,
        help="require this API key (Basic auth); without it any key is accepted",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="always answer invalid payloads with 400 (default: only with X-Strict-Mode: 1)",
    )
    parser.add_argument("--record", metavar="FILE", help="append every message to this JSONL file")
    parser.set_defaults(handler=_serve)


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


def _serve(args: argparse.Namespace) -> int:
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
