"""One library, one scenario, one fresh process: prints one JSON line of results.

Usage (``compare.py`` runs it; it can also be run by hand against a server
started with ``_server_process.py``)::

    python benchmarks/_workload.py LIBRARY SCENARIO --url http://127.0.0.1:PORT --n 50000

LIBRARY is one of cio, cdp, segment, cio-best, cio-best-gzip, cdp-thread4, cio-spool;
SCENARIO one of burst, idle, e2e, memory, exit, outage, 429, 429-window.
``--defaults`` builds the client with the library's defaults (the latency
scenarios: see ``_libraries.py``). Every wait inside is bounded.

After printing, the process ends with ``os._exit`` so that a reference
library's exit hook (which can block on a retrying consumer) cannot hang it,
except in the ``exit`` scenario, whose whole point is the normal interpreter
exit with messages still queued.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

from _control import ServerControl
from _libraries import BEST_VARIANTS, LATENCY_SUBJECTS, LIBRARIES, SPOOL_VARIANTS, make_subject
from _scenarios import SCENARIOS, Params


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run one benchmark scenario for one library.")
    subjects = {*LIBRARIES, *BEST_VARIANTS, *LATENCY_SUBJECTS, *SPOOL_VARIANTS}
    parser.add_argument("library", choices=sorted(subjects))
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--url", required=True, help="the benchmark server's base URL")
    parser.add_argument("--n", type=int, required=True, help="messages (or calls) to send")
    parser.add_argument("--wait-seconds", type=float, default=60.0)
    parser.add_argument("--spacing-ms", type=float, default=5.0)
    parser.add_argument("--fail-seconds", type=float, default=2.0)
    parser.add_argument("--retry-after", default="1")
    parser.add_argument("--limited-requests", type=int, default=3)
    parser.add_argument("--limited-seconds", type=float, default=3.0)
    parser.add_argument(
        "--defaults", action="store_true", help="the library's defaults, not like-for-like"
    )
    return parser.parse_args(argv)


def run(argv: list[str]) -> dict[str, Any]:
    """Run the scenario the arguments name and return its results."""
    args = _parse(argv)
    params = Params(
        n=args.n,
        wait_seconds=args.wait_seconds,
        spacing_ms=args.spacing_ms,
        fail_seconds=args.fail_seconds,
        retry_after=args.retry_after,
        limited_requests=args.limited_requests,
        limited_seconds=args.limited_seconds,
    )
    queue_size = max(100_000, 2 * args.n)
    control = ServerControl(args.url)
    try:
        result = SCENARIOS[args.scenario](
            lambda: make_subject(args.library, args.url, queue_size, args.defaults),
            control,
            params,
        )
    finally:
        control.close()
    return {"library": args.library, "scenario": args.scenario, "n": args.n, **result}


def main(argv: list[str]) -> None:
    """Run, print the JSON line, and end the process (see the module docstring)."""
    scenario = argv[1] if len(argv) > 1 else ""
    try:
        line = json.dumps(run(argv))
        status = 0
    except Exception as exc:
        line = json.dumps(
            {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
        )
        status = 1
    print(line, flush=True)
    if scenario == "exit" and status == 0:
        return  # the normal exit: atexit hooks run with the messages still queued
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main(sys.argv[1:])
