"""``cio-analytics import --dask SCHEDULER FILES...``: a backfill sent from a Dask cluster.

Each plain JSON Lines file is cut into byte ranges at line boundaries
(:func:`cio_analytics.integrations.backfill.split_ranges`); a gzip file is
one task. Every range is one task on the cluster
(:func:`cio_analytics.integrations.dask.send_shard`), which sends its lines
through ``send_batch`` with the ``--rate`` divided by the cluster's worker
threads, and returns what happened. Line numbers and message ids are those a
plain ``import`` of the same file gives, so a rerun (or a task Dask runs
again after a worker died) sends the same ids and Customer.io drops the
repeats. Progress, a summary with the reasons of the failures, and the exit
statuses follow the plain import's.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from typing import Any, Final

from cio_analytics.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Progress,
    UsageError,
    error,
    resolve_settings,
)
from cio_analytics.cli.import_report import progress_text
from cio_analytics.cli.importer import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    Terminated,
    check_options,
    sigterm_as_interrupt,
)
from cio_analytics.errors import ConfigurationError
from cio_analytics.integrations.backfill import GZIP_MAGIC, split_ranges

__all__ = ["SHARD_BYTES", "run_dask_import"]

#: Each file gets at least one shard per this many bytes.
SHARD_BYTES: Final = 64 * 1024 * 1024
#: Reasons listed in the summary at most.
_REASONS: Final = 10


def _is_gzip(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def _check(args: argparse.Namespace) -> None:
    """Refuse what --dask cannot do (raises UsageError)."""
    check_options(args)
    if args.start_line != 1:
        raise UsageError("--start-line does not apply with --dask (rerun: the ids are stable)")
    if args.format == "csv":
        raise UsageError("--dask reads JSON Lines files only")
    if args.shards is not None and args.shards < 1:
        raise UsageError(f"--shards must be >= 1, got {args.shards}")
    for path in args.files:
        if path == "-":
            raise UsageError("--dask reads files the workers can open, not standard input")
        if not os.path.isfile(path):
            raise UsageError(f"no such file: {path}")
        name = path[:-3] if path.lower().endswith(".gz") else path
        if name.lower().endswith(".csv"):
            raise UsageError(f"{path}: --dask reads JSON Lines files only")


def _shards(path: str, count: int | None, slots: int) -> list[tuple[int, int, int]]:
    """The byte ranges of one file: ``--shards``, or two per worker thread and one per 64 MiB."""
    size = os.path.getsize(path)
    wanted = count or max(2 * slots, math.ceil(size / SHARD_BYTES))
    return split_ranges(path, wanted)


def _connect(address: str) -> Any:
    try:
        from distributed import Client as DaskClient  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise UsageError("--dask needs Dask: pip install 'cio-analytics[dask]'") from None
    try:
        return DaskClient(address, timeout="20s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _submit(dask: Any, args: argparse.Namespace, slots: int) -> tuple[list[Any], int]:
    """Submit one task per shard; returns the futures and the total bytes."""
    from cio_analytics.integrations.dask import (  # noqa: PLC0415 (optional dependency)
        SendConfig,
        send_file,
        send_shard,
    )

    settings = resolve_settings(args)
    rate = 1000.0 if args.rate is None else args.rate
    config = SendConfig(
        settings.write_key, settings.host, settings.region, rate / slots if rate else 0.0,
        args.batch_size, args.chunk_size, args.timeout, not args.random_ids, args.dry_run,
    )  # fmt: skip
    futures, total = [], 0
    for path in args.files:
        absolute = os.path.abspath(path)
        total += os.path.getsize(absolute)
        if _is_gzip(absolute):
            futures.append(dask.submit(send_file, absolute, config, pure=False))
            continue
        for start, end, line in _shards(absolute, args.shards, slots):
            futures.append(
                dask.submit(send_shard, absolute, start, end, line, config, pure=False)
            )
    return futures, total


class _Tally:
    """The shards' results as they come back."""

    def __init__(self, total_bytes: int, shards: int) -> None:
        self.results: list[Any] = []
        self.total_bytes = total_bytes
        self.shards = shards
        self.started = time.perf_counter()

    def add(self, result: Any) -> None:
        """Count one shard's result."""
        self.results.append(result)

    def sum(self, name: str) -> int:
        """The total of one counter over the shards done."""
        return sum(int(getattr(result, name)) for result in self.results)

    def progress(self) -> str:
        """The progress line."""
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        done = len(self.results) / self.shards if self.shards else 1.0
        eta = elapsed * (1 - done) / done if done else None
        return progress_text(
            line=self.sum("read"), verb="delivered", done=self.sum("delivered"),
            invalid=self.sum("invalid"), failed=self.sum("failed"),
            lines_per_second=self.sum("read") / elapsed, fraction=done, eta=eta,
            retrying=f"shards {len(self.results)}/{self.shards}",
        )  # fmt: skip


def _gather(dask: Any, futures: list[Any], tally: _Tally, progress: Progress) -> str | None:
    """Collect the results as they complete; why the run stopped early, if it did."""
    from distributed import as_completed  # noqa: PLC0415 (optional dependency)

    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        result = future.result()
        tally.add(result)
        progress.update(tally.progress(), force=True)
        if result.stopped:
            dask.cancel(futures)
            return str(result.stopped)
    return None


def _print_summary(args: argparse.Namespace, tally: _Tally, outcome: str, workers: int) -> None:
    elapsed = time.perf_counter() - tally.started
    read = tally.sum("read")
    print(f"import --dask {args.dask} ({len(args.files)} file(s)): {outcome}")
    rows = [
        ("shards", len(tally.results), f"of {tally.shards}, on {workers} worker(s)"),
        ("lines read", read, ""),
        ("invalid", tally.sum("invalid"), ""),
        ("sent", tally.sum("sent"), ""),
        ("delivered", tally.sum("delivered"), ""),
        ("failed", tally.sum("failed"), ""),
    ]
    for label, value, note in rows:
        text = f"  {label:<12}{value:>10,}"
        print(f"{text}   {note}" if note else text)
    rate = read / elapsed if elapsed > 0 else 0.0
    print(f"  {'elapsed':<12}{elapsed:>8.2f} s   {rate:,.0f} lines/s")
    _print_reasons(tally)
    if outcome != "done":
        print(
            "  resume by running the same command again: the lines keep their message ids, "
            "so Customer.io drops the ones already delivered"
        )


def _print_reasons(tally: _Tally) -> None:
    reasons: dict[str, int] = {}
    examples: dict[str, str] = {}
    for result in tally.results:
        for reason, count in result.reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
        for where, reason in result.examples:
            path = str(result.partition).rsplit(":", 1)[0]
            examples.setdefault(reason, f"{path}:{where}")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1])[:_REASONS]:
        print(f"  {count:>10,}  {reason} (first: {examples.get(reason, '?')})")


def run_dask_import(args: argparse.Namespace) -> int:
    """Import JSON Lines files from the workers of the Dask cluster at ``args.dask``.

    Returns:
        The exit status, as the plain import's.
    """
    try:
        _check(args)
        if not args.dry_run and resolve_settings(args).write_key is None:
            raise UsageError("no write key: set CUSTOMERIO_API_KEY or pass --write-key")
        dask = _connect(args.dask)
    except (UsageError, ConfigurationError) as exc:
        error("import", str(exc))
        return EXIT_USAGE
    try:
        return _run(args, dask)
    finally:
        dask.close()


def _run(args: argparse.Namespace, dask: Any) -> int:
    progress = Progress(enabled=False if args.quiet else None)
    workers = len(dask.scheduler_info().get("workers", {}))
    slots = max(1, sum(dask.nthreads().values()))
    futures, total = _submit(dask, args, slots)
    tally = _Tally(total, len(futures))
    outcome, status, stopped = "done", EXIT_OK, None
    try:
        with sigterm_as_interrupt():
            stopped = _gather(dask, futures, tally, progress)
    except KeyboardInterrupt as exc:
        dask.cancel(futures)
        terminated = isinstance(exc, Terminated)
        outcome = "terminated (SIGTERM)" if terminated else "interrupted"
        status = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    progress.clear()
    if stopped:
        error("import", f"{stopped}. Stopped: the other shards were cancelled.")
        outcome, status = "stopped", EXIT_FAILURE
    _print_summary(args, tally, outcome, workers)
    complete = tally.sum("invalid") == 0 and tally.sum("failed") == 0
    if status == EXIT_OK and not complete:
        status = EXIT_FAILURE
    return status
