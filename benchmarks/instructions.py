"""Where a track() call's time goes, in instructions counted by valgrind (callgrind).

Wall-clock timings on a shared machine move by tens of percent from run to
run; instruction counts do not. This script runs each part of the hot path
N times under ``valgrind --tool=callgrind`` (and once with N = 0, to subtract
start-up), and prints instructions per call, with the same payload as every
other benchmark. It needs ``valgrind`` on PATH (``apt install valgrind``) and
takes a few minutes::

    .venv/bin/python benchmarks/instructions.py            # every part
    .venv/bin/python benchmarks/instructions.py track floor

Run by hand only: no test or CI job depends on it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any, Final

#: Part name -> what it measures (the child builds the callable; see _parts()).
PARTS: Final = {
    "noop": "an empty lambda call (subtracted from every other line)",
    "floor": "the bare floor: msgspec Struct, encode, deque append (benchmarks/_floor.py)",
    "track": "Client.track(): validate, build, encode, enqueue",
    "build": "build_track(): argument checks, value scan, timestamp, id, Struct",
    "scan": "the value scan of the 10 properties alone, as track() runs it",
    "encode": "encode_message() of a built message alone",
    "timestamp": "now_timestamp()",
    "message_id": "new_message_id()",
}
_COLLECTED = re.compile(r"Collected\s*:\s*([\d,]+)")


def _parts() -> dict[str, Callable[[], Any]]:
    """The callables, built in the child process (imports the library)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _floor import Floor
    from _payload import EVENT, properties

    import cio_analytics as ca
    from cio_analytics._wire import build, clock, values

    props = properties(1)
    client = ca.Client(
        "k", host="http://127.0.0.1:9", max_queue_size=10**7, upload_size=10**6,
        upload_interval=1000,
    )  # fmt: skip
    floor = Floor()
    message = build.build_track("user-1", EVENT, props)
    return {
        "noop": lambda: None,
        "floor": lambda: floor.track("user-1", EVENT, props),
        "track": lambda: client.track("user-1", EVENT, props),
        "build": lambda: build.build_track("user-1", EVENT, props),
        "scan": lambda: values.scan_dict(props, 1),
        "encode": lambda: build.encode_message(message),
        "timestamp": clock.now_timestamp,
        "message_id": clock.new_message_id,
    }


def _child(part: str, n: int) -> None:
    call = _parts()[part]
    for _ in range(n):
        call()
    os._exit(0)  # no exit hooks: the client never started a thread, but be sure


def _instructions(part: str, n: int) -> int:
    completed = subprocess.run(
        [
            "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
            sys.executable, os.path.abspath(__file__), "--child", part, str(n),
        ],
        capture_output=True, text=True, check=True, timeout=1800,
    )  # fmt: skip
    found = _COLLECTED.search(completed.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{completed.stderr}")
    return int(found.group(1).replace(",", ""))


def per_call(part: str, n: int) -> float:
    """Instructions per call of ``part`` (the N = 0 run subtracted)."""
    return (_instructions(part, n) - _instructions(part, 0)) / n


def main(argv: list[str]) -> int:
    """Print instructions per call for the parts asked (all by default)."""
    if argv[:1] == ["--child"]:
        _child(argv[1], int(argv[2]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", help=f"some of: {', '.join(PARTS)} (default: all)")
    parser.add_argument("--n", type=int, default=10_000, help="calls per measurement")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt install valgrind)", file=sys.stderr)
        return 2
    names = args.parts or list(PARTS)
    unknown = sorted(set(names) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {unknown}; known: {', '.join(PARTS)}")
    noop = per_call("noop", args.n)
    print(f"instructions per call, N = {args.n:,}, an empty call ({noop:,.0f}) subtracted")
    counts = {name: per_call(name, args.n) - noop for name in names if name != "noop"}
    floor = counts.get("floor")
    for name, count in counts.items():
        ratio = f"{count / floor:5.2f}x floor" if floor else ""
        print(f"  {name:11s} {count:9,.0f}  {ratio}  {PARTS[name]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
