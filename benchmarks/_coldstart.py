"""Cold start of one library: its import, and its first track() plus flush(), in a fresh process.

Usage (``compare.py`` runs it once per library and round)::

    python benchmarks/_coldstart.py LIBRARY MODE --url http://127.0.0.1:PORT

LIBRARY is cio, cdp or segment; MODE ``import`` or ``first-call``. This
script is only the driver: the figure comes from a fresh interpreter it
starts (``python -c CODE``, the same interpreter and environment, in an empty
working directory) whose code imports nothing before the clock starts but
the built-in ``time`` module. Each measured interpreter follows one that is
not counted and runs the same import, so that the ``.pyc`` files exist and
the files are in the page cache, for every library alike:

- ``import``: wall time (``time.perf_counter_ns``) of the library's import
  statement, as its users write it (``import cio_analytics``, ``from
  customerio import analytics``, ``from segment import analytics``). Then a
  second fresh interpreter under ``python -X importtime`` gives the breakdown:
  the cumulative time of each package the statement imported first (that
  mode inflates times: the breakdown is for reading, the figure is the first).
- ``first-call``: the same import, then the module-level API pointed at the
  local server (``write_key``, ``host``), one ``track()`` with the benchmark's
  10-property payload, and ``flush()``: the time from after the import until
  ``flush()`` returns, and the whole from before the import.

Prints one JSON line. ``expected`` is the number of messages sent (0 or 1),
for the orchestrator's exactly-once check.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Any, Final

from _payload import EVENT, WRITE_KEY, properties

#: The import statement of each library, as its documentation writes it.
STATEMENTS: Final = {
    "cio": "import cio_analytics as analytics",
    "cdp": "from customerio import analytics",
    "segment": "from segment import analytics",
}
#: The top-level package of each library (its own modules in the breakdown).
PACKAGES: Final = {"cio": "cio_analytics", "cdp": "customerio", "segment": "segment"}
#: Seconds a fresh interpreter may take.
CHILD_TIMEOUT: Final = 60.0
#: Packages listed in the import breakdown, the largest first.
BREAKDOWN_SIZE: Final = 8

_IMPORT_CODE: Final = """\
import time
t0 = time.perf_counter_ns()
{statement}
t1 = time.perf_counter_ns()
print(t1 - t0, flush=True)
"""
_FIRST_CALL_CODE: Final = """\
import time
t0 = time.perf_counter_ns()
{statement}
t1 = time.perf_counter_ns()
analytics.write_key = {key!r}
analytics.host = {url!r}
analytics.track("user-1", {event!r}, {properties!r})
analytics.flush()
t2 = time.perf_counter_ns()
print(t1 - t0, t2 - t1, flush=True)
import os
os._exit(0)
"""
_MARK: Final = "-- cold start statement --"


def _child(args: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    """Run a fresh interpreter (bounded); raises when it fails.

    ``PYTHONDONTWRITEBYTECODE`` is dropped from its environment: with it set
    (as on CI machines), the uncounted run could not leave the ``.pyc`` files
    of a library installed from a source tree, and every measured import would
    compile that library from source, while a library installed from a wheel
    has its ``.pyc`` files from pip. Users import compiled modules.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        cwd=cwd,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the fresh interpreter failed: {done.stderr[-1500:]}")
    return done


def parse_importtime(stderr: str, own: str) -> dict[str, Any]:
    """The breakdown of ``python -X importtime`` output after the statement's mark.

    Returns:
        ``{"total_ms", "own_self_ms", "packages": {name: cumulative ms}}``: the
        sum of the top-level entries, the self time of the library's own modules,
        and for each other package imported, its outermost entry's cumulative
        time (the largest ``BREAKDOWN_SIZE``).
    """
    lines = stderr.split(_MARK, 1)[-1].splitlines()
    total = own_self = 0.0
    packages: dict[str, float] = {}
    for line in lines:
        fields = line.split("|")
        if len(fields) != 3 or not fields[0].startswith("import time:"):
            continue
        try:
            self_us, cumulative_us = int(fields[0].split(":")[1]), int(fields[1])
        except ValueError:
            continue  # the header line
        name = fields[2].rstrip()
        level = (len(name) - len(name.lstrip(" ")) - 1) // 2
        module = name.strip()
        top = module.split(".")[0]
        if level == 0:
            total += cumulative_us
        if top == own:
            own_self += self_us
        elif module == top:
            packages[top] = max(packages.get(top, 0.0), cumulative_us / 1000)
    largest = sorted(packages.items(), key=lambda item: -item[1])[:BREAKDOWN_SIZE]
    return {"total_ms": total / 1000, "own_self_ms": own_self / 1000, "packages": dict(largest)}


def cold_import(library: str, cwd: str) -> dict[str, Any]:
    """The import statement's wall time in a fresh interpreter, and its breakdown."""
    statement = STATEMENTS[library]
    _child(["-c", statement], cwd)  # not counted: the .pyc files and the page cache are warm
    done = _child(["-c", _IMPORT_CODE.format(statement=statement)], cwd)
    import_ns = int(done.stdout.split()[-1])
    marked = f"import sys; sys.stderr.write({_MARK!r} + '\\n'); {statement}"
    profiled = _child(["-X", "importtime", "-c", marked], cwd)
    return {
        "import_ms": import_ns / 1e6,
        "importtime": parse_importtime(profiled.stderr, PACKAGES[library]),
        "expected": 0,
        "refused": 0,
    }


def first_call(library: str, url: str, cwd: str) -> dict[str, Any]:
    """Import, then one track() and flush() to the server, in a fresh interpreter."""
    code = _FIRST_CALL_CODE.format(
        statement=STATEMENTS[library], key=WRITE_KEY, url=url, event=EVENT, properties=properties(1)
    )
    _child(["-c", STATEMENTS[library]], cwd)  # not counted, as in cold_import()
    done = _child(["-c", code], cwd)
    import_ns, call_ns = (int(word) for word in done.stdout.split()[-2:])
    return {
        "import_ms": import_ns / 1e6,
        "first_call_ms": call_ns / 1e6,
        "total_ms": (import_ns + call_ns) / 1e6,
        "expected": 1,
        "refused": 0,
    }


def main(argv: list[str]) -> int:
    """Run one measurement and print its JSON line; returns the exit status."""
    parser = argparse.ArgumentParser(description="Cold start of one library, in a fresh process.")
    parser.add_argument("library", choices=sorted(STATEMENTS))
    parser.add_argument("mode", choices=("import", "first-call"))
    parser.add_argument("--url", required=True, help="the benchmark server's base URL")
    parser.add_argument("--n", type=int, default=1, help="ignored (every script takes it)")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="cio-bench-cold-") as cwd:
            if args.mode == "import":
                result = cold_import(args.library, cwd)
            else:
                result = first_call(args.library, args.url, cwd)
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    print(json.dumps({"library": args.library, "scenario": args.mode, **result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
