"""Backfills past one machine: send a Dask bag or dataframe partition by partition.

Install with ``pip install 'cio-analytics[dask]'``. Dask is imported only
inside the functions that need it, so :func:`send_entries` (the part that
runs on a worker) also serves other engines, such as Spark's
``foreachPartition``, without Dask installed.

How it works:

- Each partition becomes one task that builds a :class:`cio_analytics.Client`
  and sends the partition's entries through ``send_batch`` in chunks (the
  client's validation, batching under 500 KB, retries and rate limiter).
- The workspace's rate limit (Customer.io: 3,000 requests per 3 s, so 1,000
  per second) is split across the cluster: each task's client gets
  ``rate_limit / slots``, where ``slots`` is the number of worker threads
  when the work is submitted, so all the tasks running at once stay under
  the limit together.
- Each task returns a :class:`PartitionResult` (entries read, sent,
  delivered, invalid, failed, with the reasons); :func:`send_collection`
  gathers them into a :class:`SendReport`.
- Reruns are idempotent: an entry without a message id gets a stable one
  (from the partition number, its position and its content; for files, from
  its line number and text exactly as ``cio-analytics import`` derives it),
  so a partition sent again (a worker died, the job was restarted) carries
  the same ids and Customer.io drops the repeats. When a worker dies,
  Dask runs its tasks again on another worker.

Example::

    import dask.bag as db
    from cio_analytics.integrations.dask import send_collection

    bag = db.read_text("s3://bucket/events-*.jsonl")     # one JSON object per line
    report = send_collection(bag, write_key="...", rate_limit=1000)
    print(report.delivered, report.failed, report.reasons)
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from cio_analytics._client import Client
from cio_analytics.errors import FailureReason
from cio_analytics.integrations.backfill import (
    Bad,
    Entry,
    Lines,
    Row,
    jsonl_entry,
    jsonl_rows,
    open_input,
    shard_rows,
    stable_id,
)

__all__ = [
    "DEFAULT_CHUNK",
    "PartitionResult",
    "SendConfig",
    "SendReport",
    "cluster_slots",
    "send_collection",
    "send_entries",
    "send_file",
    "send_partition",
    "send_shard",
]

#: Entries sent per ``send_batch`` call inside a partition.
DEFAULT_CHUNK: Final = 1000
#: Failure examples kept per partition.
_EXAMPLES: Final = 5
#: The position send_batch puts before an entry's error (meaningless across chunks).
_INDEX_PREFIX: Final = re.compile(r"^messages\[\d+\]:?\s*")


@dataclasses.dataclass(frozen=True, slots=True)
class SendConfig:
    """What every partition task needs to send (picklable: it travels to the workers).

    Attributes:
        write_key: The API key (None: ``CUSTOMERIO_API_KEY`` on the worker).
        host: The API's base URL (None: the region's, or ``CUSTOMERIO_HOST``).
        region: ``"us"`` or ``"eu"`` (None: ``CUSTOMERIO_REGION``, else us).
        rate_limit: Requests per second for one task's client (0: no limit).
        batch_size: Messages per request at most (None: 100).
        chunk_size: Entries per ``send_batch`` call.
        timeout: Seconds one chunk may take, retries included (None: the retry settings).
        stable_ids: Give entries without a message id a stable one.
        dry_run: Only validate (``send=False``).
    """

    write_key: str | None = None
    host: str | None = None
    region: str | None = None
    rate_limit: float = 1000.0
    batch_size: int | None = None
    chunk_size: int = DEFAULT_CHUNK
    timeout: float | None = None
    stable_ids: bool = True
    dry_run: bool = False

    def client(self) -> Client:
        """A client with these settings (one per task)."""
        return Client(
            write_key=self.write_key,
            host=self.host,
            region=self.region,
            rate_limit=self.rate_limit,
            send=not self.dry_run,
            shutdown_timeout=5.0,
        )


@dataclasses.dataclass(slots=True)
class PartitionResult:
    """What one partition's task did.

    Attributes:
        partition: The partition's number, or ``FILE:START-END`` for a file shard.
        read: Entries (or lines) read, blank lines included.
        sent: Valid entries handed to the API.
        delivered: Entries the API accepted.
        invalid: Entries refused before sending (reported in ``reasons``).
        failed: Entries not delivered.
        reasons: Reason -> how many entries it stood for (invalid and failed).
        examples: ``(position or line, reason)`` of the first few problems.
        worker: Which process ran it (``host:pid``).
        seconds: How long the task took.
        rate_limit: The requests per second this task's client was allowed.
        stopped: Why the task stopped early (the key was refused), or None.
    """

    partition: int | str
    read: int = 0
    sent: int = 0
    delivered: int = 0
    invalid: int = 0
    failed: int = 0
    reasons: dict[str, int] = dataclasses.field(default_factory=dict)
    examples: list[tuple[int | str, str]] = dataclasses.field(default_factory=list)
    worker: str = ""
    seconds: float = 0.0
    rate_limit: float = 0.0
    stopped: str | None = None

    def _problem(self, where: int | str, reason: str) -> None:
        reason = _INDEX_PREFIX.sub("", " ".join(reason.split()))
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if len(self.examples) < _EXAMPLES:
            self.examples.append((where, reason))


@dataclasses.dataclass(slots=True)
class SendReport:
    """The results of every partition, and their totals."""

    partitions: list[PartitionResult]

    def _total(self, name: str) -> int:
        return sum(int(getattr(result, name)) for result in self.partitions)

    @property
    def read(self) -> int:
        """Entries read in all."""
        return self._total("read")

    @property
    def sent(self) -> int:
        """Entries sent in all."""
        return self._total("sent")

    @property
    def delivered(self) -> int:
        """Entries delivered in all."""
        return self._total("delivered")

    @property
    def invalid(self) -> int:
        """Entries refused before sending, in all."""
        return self._total("invalid")

    @property
    def failed(self) -> int:
        """Entries not delivered, in all."""
        return self._total("failed")

    @property
    def reasons(self) -> dict[str, int]:
        """Every partition's reasons, added up, most frequent first."""
        summed: dict[str, int] = {}
        for result in self.partitions:
            for reason, count in result.reasons.items():
                summed[reason] = summed.get(reason, 0) + count
        return dict(sorted(summed.items(), key=lambda item: -item[1]))

    @property
    def ok(self) -> bool:
        """True when every entry was delivered (or, in a dry run, valid)."""
        return self.invalid == 0 and self.failed == 0 and not any(
            result.stopped for result in self.partitions
        )


def _worker_name() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"


def send_entries(
    rows: Iterable[Row], config: SendConfig, partition: int | str = 0
) -> PartitionResult:
    """Send numbered entries in chunks through one client; the engine-neutral part of a task.

    Works in any worker process (Dask, Spark's ``foreachPartition``, a pool):
    it needs only cio-analytics.

    Args:
        rows: ``(position, entry)`` pairs; an entry may be None (skipped) or a
            :class:`~cio_analytics.integrations.backfill.Bad` (counted invalid).
        config: The settings; ``config.rate_limit`` is this task's share.
        partition: How the result names this partition.

    Returns:
        What happened to the entries. A refused key stops the task at once
        (``stopped`` says so) instead of failing every chunk.
    """
    started = time.monotonic()
    result = PartitionResult(partition, worker=_worker_name(), rate_limit=config.rate_limit)
    client = config.client()
    try:
        chunk: list[tuple[int | str, Entry]] = []
        for where, item in rows:
            result.read += 1
            if item is None:
                continue
            if isinstance(item, Bad):
                result.invalid += 1
                result._problem(where, item.reason)
                continue
            chunk.append((where, item))
            if len(chunk) >= config.chunk_size:
                if not _send_chunk(client, chunk, config, result):
                    break
                chunk = []
        else:
            _send_chunk(client, chunk, config, result)
    finally:
        client.shutdown(timeout=5.0)
        result.seconds = time.monotonic() - started
    return result


def _send_chunk(
    client: Client,
    chunk: list[tuple[int | str, Entry]],
    config: SendConfig,
    result: PartitionResult,
) -> bool:
    """Send one chunk and add it to ``result``; False when the key was refused."""
    if not chunk:
        return True
    outcome = client.send_batch(
        [entry for _, entry in chunk], batch_size=config.batch_size, timeout=config.timeout
    )
    invalid = 0
    for failure in outcome.failed:
        where = chunk[failure.index][0]
        if failure.invalid:
            invalid += 1
            result.invalid += 1
        else:
            result.failed += 1
            if getattr(failure.error, "reason", None) == FailureReason.UNAUTHORIZED:
                result.stopped = f"the API refused the write key: {failure.error}"
        result._problem(where, str(failure.error))
    result.sent += len(chunk) - invalid
    result.delivered += outcome.delivered
    return result.stopped is None


# -- partitions of a bag or a dataframe ------------------------------------------------


def _with_id(entry: Entry, key: str, stable_ids: bool) -> Entry:
    """The entry with a stable message id derived from ``key`` and its content, if it has none."""
    if not stable_ids:
        return entry
    if isinstance(entry, tuple):
        name, kwargs = entry
        if kwargs.get("message_id") is None:
            text = json.dumps([name, kwargs], sort_keys=True, default=str)
            kwargs = {**kwargs, "message_id": stable_id(key, text)}
        return name, kwargs
    if entry.get("messageId") is None:
        text = json.dumps(entry, sort_keys=True, default=str)
        entry = {**entry, "messageId": stable_id(key, text)}
    return entry


def _entry_of(item: Any, key: str, stable_ids: bool) -> Entry | Bad | None:
    """One element of a partition as an entry: a dict, a (call, kwargs) pair or a JSON line."""
    if isinstance(item, str | bytes):
        text = (item.decode("utf-8", "replace") if isinstance(item, bytes) else item).strip()
        entry = jsonl_entry(0, text, stable_ids=False)
    elif isinstance(item, Mapping):
        plain = {k: v for k, v in item.items() if not _missing(v)}
        entry = jsonl_entry(0, "{}", False) if not plain else _from_mapping(plain)
    elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
        entry = (item[0], dict(item[1] or {}))
    else:
        entry = Bad(f"an entry must be a dict, a (call, kwargs) pair or a JSON line, got {item!r}")
    if entry is None or isinstance(entry, Bad):
        return entry
    return _with_id(entry, key, stable_ids)


def _missing(value: Any) -> bool:
    """A dataframe's empty cell: None, NaN, pandas' NA or NaT."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def _from_mapping(item: dict[str, Any]) -> Entry | Bad:
    if "call" in item:
        name = item.pop("call")
        if not isinstance(name, str) or not name:
            return Bad('"call" must be a call name such as "track"')
        return name, item
    if "type" in item:
        return item
    return Bad('an entry needs "type" (a message in its wire shape) or "call" (a call name)')


def _partition_items(partition: Any) -> Iterator[Any]:
    """The elements of a bag partition (a list) or the rows of a pandas partition (dicts)."""
    to_dict = getattr(partition, "to_dict", None)
    if callable(to_dict) and hasattr(partition, "columns"):
        yield from to_dict(orient="records")
    else:
        yield from partition


def send_partition(partition: Any, index: int, config: SendConfig) -> PartitionResult:
    """Send one partition of a bag (a list) or a dataframe (a pandas DataFrame).

    Each element is a wire-shaped dict (``type``), a call dict (``call`` and
    its keyword arguments), a ``(call, kwargs)`` pair or a JSON line; a
    dataframe row is a dict whose empty cells are left out. An element
    without a message id gets one from ``(index, position, content)``, the
    same on every run over the same partitioning.
    """
    rows = (
        (position, _entry_of(item, f"{index}:{position}", config.stable_ids))
        for position, item in enumerate(_partition_items(partition))
    )
    return send_entries(rows, config, index)


def send_shard(
    path: str, start: int, end: int, first_line: int, config: SendConfig
) -> PartitionResult:
    """Send the JSON lines that start in ``[start, end)`` of a file (``import --dask``).

    Line numbers and message ids are those ``cio-analytics import`` gives the
    same lines, so the two kinds of import of one file agree.
    """
    rows = shard_rows(path, start, end, first_line, config.stable_ids)
    return send_entries(rows, config, f"{path}:{start}-{end}")


def send_file(path: str, config: SendConfig) -> PartitionResult:
    """Send a whole JSON Lines file, gzip or not, as one task (a gzip file cannot be cut)."""
    handle, position = open_input(path)
    try:
        rows = jsonl_rows(Lines(handle, position=position), config.stable_ids)
        return send_entries(rows, config, path)
    finally:
        handle.close()


def cluster_slots(client: Any | None = None) -> int:
    """Worker threads of the cluster (the distributed client's, else this machine's cores)."""
    if client is None:
        try:
            from distributed import default_client  # noqa: PLC0415 (optional dependency)

            client = default_client()  # type: ignore[no-untyped-call]
        except (ImportError, ValueError):
            return os.cpu_count() or 1
    threads: dict[str, int] = client.nthreads()
    return max(1, sum(threads.values()))


def send_collection(
    collection: Any,
    *,
    write_key: str | None = None,
    host: str | None = None,
    region: str | None = None,
    rate_limit: float = 1000.0,
    batch_size: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    timeout: float | None = None,
    stable_ids: bool = True,
    client: Any | None = None,
) -> SendReport:
    """Send a Dask bag or dataframe to Customer.io, partition by partition, on the cluster.

    Args:
        collection: A ``dask.bag.Bag`` or ``dask.dataframe.DataFrame``.
        write_key: The API key (None: ``CUSTOMERIO_API_KEY`` on the workers).
        host: The API's base URL (None: the region's).
        region: ``"us"`` or ``"eu"``.
        rate_limit: Requests per second for the whole cluster (the workspace's
            limit is 1,000 on average); each task's client gets its share.
        batch_size: Messages per request at most.
        chunk_size: Entries per ``send_batch`` call in a task.
        timeout: Seconds one chunk may take, retries included.
        stable_ids: Give entries without a message id a stable one (reruns
            send the same ids).
        client: A ``distributed.Client`` (default: the current one, if any;
            else Dask's local scheduler).

    Returns:
        A :class:`SendReport` with one :class:`PartitionResult` per partition.
    """
    from dask.base import compute  # noqa: PLC0415 (optional dependency)
    from dask.delayed import delayed  # noqa: PLC0415

    slots = cluster_slots(client)
    config = SendConfig(
        write_key, host, region, (rate_limit / slots) if rate_limit else 0.0,
        batch_size, chunk_size, timeout, stable_ids,
    )  # fmt: skip
    tasks = [
        delayed(send_partition, pure=False)(part, index, config)
        for index, part in enumerate(collection.to_delayed())
    ]
    if client is not None:
        results = client.gather(client.compute(tasks))
    else:
        results = compute(*tasks)  # type: ignore[no-untyped-call]
    return SendReport(list(results))
