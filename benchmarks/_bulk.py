"""The bulk paths on one core: ``cio-analytics import`` of JSON Lines, and ``send_batch``.

Usage (``compare.py`` runs it once per variant and round)::

    python benchmarks/_bulk.py VARIANT bulk --url http://127.0.0.1:PORT --n 200000 --workdir DIR

VARIANT is one of:

- ``cio-import``: ``cio-analytics import FILE --quiet --host URL`` (the key in
  ``CUSTOMERIO_API_KEY``), a child process, default options.
- ``cio-import-dry``: the same with ``--dry-run`` (every line validated, nothing sent).
- ``cio-send-batch``: in this process, the file's lines parsed into dicts
  first (not timed), then one ``Client(write_key, host).send_batch(entries)``
  with the default settings (timed).

The file has N lines, one track message in its wire shape per line (the
benchmark's 10-property payload, no messageId: the importer derives a stable
one from each line, ``send_batch`` a random one); it is written once into
DIR and reused by later rounds. The driver pins itself to one CPU first
(``os.sched_setaffinity``; the import's process inherits it): "on one core"
holds for every thread of the measured code; the server, in its own process,
is not pinned. Peak RSS: ``ru_maxrss`` of the import's process
(``RUSAGE_CHILDREN``) or of this one (``RUSAGE_SELF``, with the parsed
entries in it: their share is reported apart). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Final

from _measure import resident_bytes
from _payload import EVENT, WRITE_KEY, properties, user_id

#: The variants this script runs.
VARIANTS: Final = ("cio-import", "cio-import-dry", "cio-send-batch")
#: Seconds the import's process may take.
IMPORT_TIMEOUT: Final = 600.0


def bulk_file(workdir: Path, n: int) -> Path:
    """The JSON Lines file of ``n`` track messages in ``workdir``, written if missing."""
    path = workdir / f"bulk-{n}.jsonl"
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        for i in range(n):
            line = {"type": "track", "userId": user_id(i), "event": EVENT}
            line["properties"] = properties(i)
            out.write(json.dumps(line, separators=(",", ":")) + "\n")
    partial.replace(path)
    return path


def pin_to_one_cpu(cpu: int | None) -> int:
    """Keep this process (and its children) on one CPU; returns which (the last allowed)."""
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[-1] if cpu is None else cpu
    os.sched_setaffinity(0, {chosen})
    return chosen


def _import_command(path: Path, url: str, dry_run: bool) -> list[str]:
    script = Path(sys.executable).with_name("cio-analytics")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cio_analytics"]
    command += ["import", str(path), "--quiet", "--host", url]
    return [*command, "--dry-run"] if dry_run else command


def run_import(path: Path, n: int, url: str, dry_run: bool) -> dict[str, Any]:
    """Time ``cio-analytics import`` of the file in a child process; its peak RSS."""
    env = {**os.environ, "CUSTOMERIO_API_KEY": WRITE_KEY}
    env.pop("CUSTOMERIO_HOST", None)
    started = time.monotonic()
    done = subprocess.run(
        _import_command(path, url, dry_run),
        capture_output=True,
        text=True,
        timeout=IMPORT_TIMEOUT,
        env=env,
        check=False,
    )
    seconds = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"import exited with {done.returncode}: {done.stderr[-1500:]}")
    return {
        "lines_per_s": n / seconds,
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "summary": done.stderr.strip().splitlines()[-3:],
        "expected": 0 if dry_run else n,
        "refused": 0,
    }


def run_send_batch(path: Path, n: int, url: str) -> dict[str, Any]:
    """Parse the file into dicts (not timed), then time one send_batch() of all of them."""
    with path.open(encoding="utf-8") as lines:
        entries = [json.loads(line) for line in lines]
    loaded = resident_bytes()
    import cio_analytics

    client = cio_analytics.Client(write_key=WRITE_KEY, host=url)
    try:
        cpu = time.process_time()
        started = time.monotonic()
        result = client.send_batch(entries)
        seconds = time.monotonic() - started
        cpu = time.process_time() - cpu
    finally:
        client.shutdown(timeout=30.0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "lines_per_s": n / seconds,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": peak / 2**20,
        "entries_rss_mb": loaded / 2**20,
        "peak_over_entries_mb": (peak - loaded) / 2**20,
        "delivered": result.delivered,
        "failed": len(result.failed),
        "requests": result.requests,
        "expected": n,
        "refused": 0,
    }


def main(argv: list[str]) -> int:
    """Run one variant and print its JSON line; returns the exit status."""
    parser = argparse.ArgumentParser(description="One bulk path, on one core.")
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("scenario", help="the plan's name (bulk)")
    parser.add_argument("--url", required=True, help="the benchmark server's base URL")
    parser.add_argument("--n", type=int, required=True, help="lines in the file")
    parser.add_argument("--workdir", type=Path, required=True, help="where the file is kept")
    parser.add_argument("--cpu", type=int, help="the CPU to pin to (default: the last allowed)")
    args = parser.parse_args(argv)
    try:
        cpu = pin_to_one_cpu(args.cpu)
        path = bulk_file(args.workdir, args.n)
        if args.variant == "cio-send-batch":
            result = run_send_batch(path, args.n, args.url)
        else:
            result = run_import(path, args.n, args.url, args.variant == "cio-import-dry")
    except (OSError, RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    result["cpu"] = cpu
    result["file_mb"] = path.stat().st_size / 2**20
    print(json.dumps({"library": args.variant, "scenario": args.scenario, **result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
