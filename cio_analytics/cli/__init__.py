"""The ``cio-analytics`` command line (also ``python -m cio_analytics``).

Subcommands:

- ``demo``: a realistic workload on the embedded local server (or, with a
  write key, a small labelled set sent to Customer.io), with a report.
- ``serve``: the local Customer.io-compatible server, in the foreground.
- ``send CALL``: one identify/track/page/screen/group/alias call from the shell.
- ``import FILE``: a backfill from JSON Lines or CSV.
- ``doctor``: check the configuration and the way to the API.
- ``spool ls|replay|purge DIR``: inspect and drive a disk spool.

Each subcommand is one ``_add_<name>`` function that registers its parser on
the subparsers object and sets ``handler`` to the function that runs it (in
its own ``cli/<name>.py`` module); the handler returns the exit status. Exit
statuses: 0 success, 1 the work ran but something failed (not delivered, a
check failed), 2 bad input (options, files, configuration), 130 interrupted.
Errors are one line on stderr; the write key is never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cio_analytics._version import __version__
from cio_analytics.cli.common import EXIT_USAGE, add_connection_options
from cio_analytics.cli.demo import run_demo
from cio_analytics.cli.doctor import DEFAULT_TIMEOUT as DOCTOR_TIMEOUT
from cio_analytics.cli.doctor import run_doctor
from cio_analytics.cli.importer import CSV_HELP, DEFAULT_CHUNK, JSONL_HELP, run_import
from cio_analytics.cli.send import CALL_OPTIONS, add_call_options, call_help, run_send
from cio_analytics.cli.send_calls import EXTRA_CALLS, add_generated_options, extra_call_help
from cio_analytics.cli.serve import DEFAULT_KEEP, describe, parse_latency, run_serve
from cio_analytics.cli.spool import DEFAULT_REPLAY_TIMEOUT, run_spool
from cio_analytics.testing._server import MAX_CONNECTIONS, MAX_REQUEST_BYTES, READ_DEADLINE

__all__ = ["build_parser", "describe", "main"]

#: A subcommand's handler: parsed options in, exit status out.
Handler = Callable[[argparse.Namespace], int]

_EPILOG = """\
exit status: 0 success; 1 something was not delivered or a check failed;
2 bad input (options, files, configuration); 130 interrupted.
The write key comes from --write-key or CUSTOMERIO_API_KEY, the region from
--region or CUSTOMERIO_REGION, the host from --host or CUSTOMERIO_HOST."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="cio-analytics",
        description="Tools around the Customer.io Data Pipelines client cio-analytics.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cio-analytics {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show the library's log messages (debug level) on stderr",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_demo(subparsers)
    _add_serve(subparsers)
    _add_send(subparsers)
    _add_import(subparsers)
    _add_doctor(subparsers)
    _add_spool(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments (without the program name); None reads ``sys.argv``.

    Returns:
        The exit status; a usage error (already printed by argparse) gives 2.

    Raises:
        SystemExit: With status 0 after ``--help`` or ``--version`` printed their text.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        if exc.code in (0, None):
            raise  # --help or --version: done
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    with _library_logging(verbose=args.verbose):
        try:
            return handler(args)
        except KeyboardInterrupt:
            print(f"cio-analytics {args.command}: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, and keep Python's
            # final flush of stdout from raising again.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            return 141  # 128 + SIGPIPE, as a shell reports it


@contextlib.contextmanager
def _library_logging(*, verbose: bool) -> Iterator[None]:
    """Route the library's log records: to stderr with ``--verbose``, else nowhere.

    Each subcommand reports failures itself, in one line, so the library's own
    warnings would only repeat them.
    """
    logger = logging.getLogger("cio_analytics")
    handler: logging.Handler
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        previous_level = logger.level
        logger.setLevel(logging.DEBUG)
    else:
        handler = logging.NullHandler()
        previous_level = logger.level
    previous_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = verbose and previous_propagate
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous_propagate
        logger.setLevel(previous_level)


def _subparser(subparsers: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs
    )
    return parser


# -- demo --------------------------------------------------------------------------


def _add_demo(subparsers: Any) -> None:
    parser = _subparser(
        subparsers,
        "demo",
        help="run a realistic workload on the embedded local server and report",
        description=(
            "Without a write key: start the embedded local Customer.io-compatible server,\n"
            "send a few hundred simulated users' calls through the module-level API\n"
            "(identify, page, e-commerce events, devices, objects and relationships,\n"
            "aliases, suppressions), flush, and report what was sent, delivered,\n"
            "retried and received. Exit status 0 only if every message arrived exactly\n"
            "once. With a write key (CUSTOMERIO_API_KEY or --write-key): say so, then\n"
            "send 3 labelled messages (userId cio-analytics-demo-..., event\n"
            "'cio-analytics demo') to that host instead."
        ),
    )
    parser.add_argument(
        "--users", type=int, default=300, metavar="N", help="simulated users (default 300)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="random seed of the workload (default 1)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="build the labelled set for the real API but send nothing (send=False)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="with a write key: seconds to wait for delivery (default 30)",
    )
    add_connection_options(parser)
    parser.set_defaults(handler=run_demo)


# -- serve -------------------------------------------------------------------------


def _add_serve(subparsers: Any) -> None:
    parser = _subparser(
        subparsers,
        "serve",
        help="run the local Customer.io-compatible server, with its inspector page",
        description=(
            "Run a local Customer.io Data Pipelines API until interrupted (Ctrl-C or\n"
            "SIGTERM), printing each message received on one line, then the totals.\n"
            "Point a client at the URL it prints (host=...), and open the same URL in a\n"
            "browser for the inspector: messages as they arrive, rejected ones with the\n"
            "rule they broke, duplicates marked, filters, pause, clear and download.\n"
            "For loopback testing only: the /__cio__/ control paths need no key."
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
    parser.add_argument(
        "--latency",
        type=parse_latency,
        default=None,
        metavar="SECONDS",
        help="wait this long before answering each API request, as over a real network: "
        "0.1, or LOW:HIGH such as 0.05:0.2 for a random latency per request (default none)",
    )
    _add_serve_output_options(parser)
    _add_serve_limit_options(parser)
    parser.set_defaults(handler=run_serve)


def _add_serve_output_options(parser: argparse.ArgumentParser) -> None:
    """Register --quiet and --payloads."""
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print no line per message (totals only)"
    )
    parser.add_argument(
        "--payloads", action="store_true", help="print each message's JSON after its line"
    )


def _add_serve_limit_options(parser: argparse.ArgumentParser) -> None:
    """Register the bounds: --keep, --max-connections, --max-body, --read-deadline, --allow-host."""
    parser.add_argument(
        "--keep",
        type=int,
        default=DEFAULT_KEEP,
        metavar="N",
        help=f"keep the newest N messages in memory (default {DEFAULT_KEEP:,}; counts cover all)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=MAX_CONNECTIONS,
        metavar="N",
        help=f"connections open at once at most; more get 503 (default {MAX_CONNECTIONS})",
    )
    parser.add_argument(
        "--max-body",
        type=int,
        default=MAX_REQUEST_BYTES,
        metavar="BYTES",
        help=f"larger request bodies get 413 (default {MAX_REQUEST_BYTES:,})",
    )
    parser.add_argument(
        "--read-deadline",
        type=float,
        default=READ_DEADLINE,
        metavar="SECONDS",
        help=f"a request must arrive within this time, else 408 (default {READ_DEADLINE:g})",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        metavar="NAME",
        help="a host name clients may use besides the bound address and localhost "
        "(repeatable; for --host 0.0.0.0)",
    )


# -- send --------------------------------------------------------------------------


def _add_send(subparsers: Any) -> None:
    parser = _subparser(
        subparsers,
        "send",
        help="make one call: a core call, an operation or a semantic helper",
        description=(
            "Make one call and wait until it is delivered (sync_mode, with retries);\n"
            "print its message id. CALL is identify, track, page, screen, group, alias,\n"
            "an operation (add_device, delete_user, create_object ...) or a helper\n"
            "(ecommerce.order_completed, video.playback_started ...): every call that\n"
            "import accepts. JSON options take an object, e.g.\n"
            "  cio-analytics send track --user-id u1 --event 'Signed Up' "
            '--properties \'{"plan": "pro"}\'\n'
            "Exit status: 0 delivered, 1 not delivered, 2 bad input (nothing sent)."
        ),
    )
    calls = parser.add_subparsers(dest="call", metavar="CALL", required=True)
    for call in (*CALL_OPTIONS, *EXTRA_CALLS):
        described = call_help(call) if call in CALL_OPTIONS else extra_call_help(call)
        sub = _subparser(calls, call, help=described, description=f"send {call}: {described}.")
        if call in CALL_OPTIONS:
            add_call_options(sub, call)
        else:
            add_generated_options(sub, call)
        sub.add_argument(
            "--timeout",
            type=float,
            default=None,
            metavar="SECONDS",
            help="seconds the send may take, retries included (default 30)",
        )
        sub.add_argument(
            "--dry-run",
            action="store_true",
            help="validate and print the message as JSON; send nothing (no key needed)",
        )
        add_connection_options(sub)
        sub.set_defaults(handler=run_send)


# -- import ------------------------------------------------------------------------


def _add_import(subparsers: Any) -> None:
    parser = _subparser(
        subparsers,
        "import",
        help="backfill calls from JSON Lines or CSV files (optionally on a Dask cluster)",
        description=(
            "Send one call per line (JSON Lines) or row (CSV), in chunks, with the\n"
            "client's retries and rate limit. Bad lines are reported on stderr as\n"
            "FILE:LINE: reason and do not stop the import (a reason many lines share\n"
            "is printed for the first few, then counted); a summary follows. A 401 or\n"
            "403 stops the import at once. Ctrl-C and SIGTERM stop it cleanly, with\n"
            "the summary and the --start-line to resume from. A progress line with\n"
            "an ETA is drawn on stderr when it is a terminal. .gz files are read as\n"
            "gzip; '-' reads standard input (format guessed from the first line).\n\n"
            f"{JSONL_HELP}\n\n{CSV_HELP}\n\n"
            "Lines without a message id get one derived from their line number and\n"
            "text, so importing the same file again (e.g. after an interruption, with\n"
            "--start-line) lets Customer.io recognise the repeats.\n\n"
            "--dask SCHEDULER sends JSON Lines files from the workers of a Dask\n"
            "cluster, each file cut into byte ranges, the --rate split across the\n"
            "cluster (pip install 'cio-analytics[dask]').\n"
            "Exit status: 0 every line delivered, 1 some invalid or not delivered (or\n"
            "the key refused), 2 bad input before anything was sent, 130 interrupted,\n"
            "143 terminated."
        ),
    )
    _add_import_reading_options(parser)
    _add_import_sending_options(parser)
    _add_import_dask_options(parser)
    add_connection_options(parser)
    parser.set_defaults(handler=run_import)


def _add_import_dask_options(parser: argparse.ArgumentParser) -> None:
    """Register --dask and --shards."""
    group = parser.add_argument_group("on a Dask cluster (extra: dask)")
    group.add_argument(
        "--dask",
        metavar="SCHEDULER",
        default=None,
        help="send from the workers of the Dask cluster at this address "
        "(e.g. tcp://10.0.0.5:8786); JSON Lines files only",
    )
    group.add_argument(
        "--shards",
        type=int,
        default=None,
        metavar="N",
        help="with --dask: byte ranges per file (default: 2 per worker thread, "
        "and at least one per 64 MiB)",
    )


def _add_import_reading_options(parser: argparse.ArgumentParser) -> None:
    """Register FILE and the options that say how to read it (format, start, chunk size)."""
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="the file to import ('-' reads stdin; .gz is gunzipped); several with --dask",
    )
    parser.add_argument(
        "--format",
        choices=("jsonl", "csv"),
        default=None,
        help="the file format (default: from the extension, .jsonl/.ndjson/.json or .csv, "
        "before any .gz; for stdin, from the first line)",
    )
    parser.add_argument(
        "--start-line",
        type=int,
        default=1,
        metavar="N",
        help="skip the lines before line N, to resume an import (the CSV header is still read)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=DEFAULT_CHUNK,
        metavar="N",
        help=f"lines read and sent at a time (default {DEFAULT_CHUNK})",
    )


def _add_import_sending_options(parser: argparse.ArgumentParser) -> None:
    """Register the sending options (batch size, rate, timeout, ids), --dry-run and --quiet."""
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        metavar="N",
        help="messages per request at most (default: upload_size, 100)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        metavar="RPS",
        help="requests per second at most, averaged over 3 s (default 1000, the API's "
        "3000 per 3 s; 0 disables)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds each chunk may take, retries included (default: the retry settings)",
    )
    parser.add_argument(
        "--random-ids",
        action="store_true",
        help="give lines without a message id a random one instead of a stable one",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="validate every line; send nothing (no key needed)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress line, even on a terminal"
    )


# -- doctor ------------------------------------------------------------------------


def _add_doctor(subparsers: Any) -> None:
    parser = _subparser(
        subparsers,
        "doctor",
        help="check the configuration and the connection to the API",
        description=(
            "Print the versions, where the write key comes from (never the key), the\n"
            "region, host and effective settings; then resolve the host, connect,\n"
            "check TLS, and with a key POST an empty batch (no data) to see whether\n"
            "the API accepts the key. Exit status 0 when everything looks fine."
        ),
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DOCTOR_TIMEOUT,
        metavar="SECONDS",
        help=f"seconds each network check may take (default {DOCTOR_TIMEOUT:g})",
    )
    parser.add_argument(
        "--spool-dir",
        metavar="DIR",
        default=None,
        help="check this spool directory (default: $CUSTOMERIO_SPOOL_DIR)",
    )
    add_connection_options(parser)
    parser.set_defaults(handler=run_doctor)


# -- spool -------------------------------------------------------------------------


def _add_spool(subparsers: Any) -> None:
    parser = _subparser(
        subparsers,
        "spool",
        help="inspect, replay or purge a disk spool (spool_dir)",
        description=(
            "DIR is the spool_dir an application uses; this user's messages are under\n"
            "DIR/user-<uid>/<key folder>/, one folder per write key and host (named by\n"
            "a hash: the key is never on disk).\n"
            "  ls      list the segments: messages waiting, bad bytes, held or orphaned\n"
            "  replay  deliver what waits for the write key (--write-key or\n"
            "          CUSTOMERIO_API_KEY) and host, with a progress line\n"
            "  purge   delete the segments no live process holds (their messages are\n"
            "          lost): lists them, and deletes only with --yes\n"
            "Exit status: 0 success; 1 replay left messages undelivered; 2 bad input."
        ),
    )
    parser.add_argument("action", choices=("ls", "replay", "purge"), help="what to do")
    parser.add_argument("dir", metavar="DIR", help="the spool_dir")
    parser.add_argument("--yes", action="store_true", help="purge: really delete")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_REPLAY_TIMEOUT,
        metavar="SECONDS",
        help=f"replay: seconds it may take (default {DEFAULT_REPLAY_TIMEOUT:g})",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="replay: no progress line, even on a terminal"
    )
    add_connection_options(parser)
    parser.set_defaults(handler=run_spool)
