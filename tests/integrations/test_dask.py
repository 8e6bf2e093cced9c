"""Backfills on Dask: a LocalCluster of worker processes sending to a LocalServer on 127.0.0.1.

The cluster (two worker processes, one thread each) is shared by the module's
tests. What is checked is what the server received: every line delivered
(unique message ids equal the lines), the same ids as a plain import, reruns
recognised as repeats, and a worker killed mid-run costing nothing.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cio_analytics.cli import main
from cio_analytics.integrations.backfill import stable_id
from cio_analytics.testing import LocalServer

distributed = pytest.importorskip("distributed", reason="Dask is not installed (extra: dask)")
dask_bag = pytest.importorskip("dask.bag")

from cio_analytics.integrations.dask import cluster_slots, send_collection  # noqa: E402

WAIT = 60.0  # every wait here is bounded by this many seconds


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two worker processes with one thread each (and their nannies)."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as running:
        yield running


@pytest.fixture
def dask_client(cluster: Any) -> Iterator[Any]:
    """A distributed client connected to the cluster."""
    with distributed.Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=WAIT)
        yield client


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """A server that counts (and keeps nothing but ids); its key and URL in the environment."""
    with LocalServer(keep=0) as running:
        monkeypatch.setenv("CUSTOMERIO_API_KEY", str(running.write_key))
        monkeypatch.setenv("CUSTOMERIO_HOST", running.url)
        yield running


def _lines(count: int) -> list[str]:
    return [
        json.dumps(
            {"type": "track", "userId": f"u{n}", "event": "Imported", "properties": {"n": n}}
        )
        for n in range(count)
    ]


def _write(tmp_path: Path, lines: list[str], name: str = "events.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _expected_ids(lines: list[str]) -> set[str]:
    """The ids a plain import gives these lines (line numbers from 1)."""
    return {stable_id(number, text) for number, text in enumerate(lines, start=1)}


def test_import_dask_delivers_every_line_once(
    cluster: Any, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every line arrives, with the ids a plain import gives; a rerun repeats them exactly."""
    lines = _lines(3000)
    path = _write(tmp_path, lines)
    assert main(["import", "--dask", cluster.scheduler_address, str(path), "--shards", "5"]) == 0
    assert set(server.message_ids()) == _expected_ids(lines)
    assert server.message_count == 3000
    out = capsys.readouterr().out
    assert "shards               5   of 5, on 2 worker(s)" in out
    assert main(["import", "--dask", cluster.scheduler_address, str(path)]) == 0
    assert server.message_count == 6000
    assert server.duplicate_count == 3000  # the same ids: Customer.io drops the repeats
    assert len(server.message_ids()) == 3000


def test_import_dask_several_files_gzip_and_bad_lines(
    cluster: Any, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Several files, one of them gzip; bad lines are counted with their reason; exit 1."""
    plain = _write(tmp_path, [*_lines(200), '{"call": "track", "user_id": "x"}'])
    zipped = tmp_path / "more.jsonl.gz"
    zipped.write_bytes(gzip.compress("".join(f"{line}\n" for line in _lines(100)).encode()))
    code = main(["import", "--dask", cluster.scheduler_address, str(plain), str(zipped)])
    assert code == 1
    out = capsys.readouterr().out
    assert server.message_count == 300
    assert "invalid              1" in out
    assert f"event is required (a non-empty str) (first: {plain}:201)" in out


def test_worker_killed_mid_run_loses_nothing(
    cluster: Any, dask_client: Any, server: LocalServer, tmp_path: Path
) -> None:
    """A worker killed while sending: Dask runs its shard again; every line arrives."""
    lines = _lines(4000)
    path = _write(tmp_path, lines)
    server.set_delay(0.03)  # slow enough that the kill lands mid-run
    codes: list[int] = []
    argv = ["import", "--dask", cluster.scheduler_address, str(path), "--batch-size", "50"]
    runner = threading.Thread(target=lambda: codes.append(main([*argv, "--shards", "4"])))
    runner.start()
    victim = 0
    try:
        assert server.wait_for_messages(500, timeout=WAIT)
        victim = _busy_worker_pid(dask_client)
        os.kill(victim, signal.SIGKILL)
    finally:
        runner.join(WAIT * 2)
        server.set_delay(0)
    assert codes == [0]
    assert victim not in dask_client.run(os.getpid).values()  # it really died
    assert set(server.message_ids()) == _expected_ids(lines)  # nothing lost
    assert server.message_count >= 4000  # the rerun shard's lines may arrive twice


def _busy_worker_pid(dask_client: Any) -> int:
    """The process id of a worker that is running a task right now."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        busy = [address for address, keys in dask_client.processing().items() if keys]
        if busy:
            pids: dict[str, int] = dask_client.run(os.getpid, workers=busy[:1])
            return next(iter(pids.values()))
        time.sleep(0.05)
    raise AssertionError("no worker was running a task")


def test_send_collection_bag(dask_client: Any, server: LocalServer) -> None:
    """A bag of dicts, calls and JSON lines, partition by partition, with the rate split."""
    entries: list[Any] = [
        {"type": "identify", "userId": f"u{n}", "traits": {"n": n}} for n in range(40)
    ]
    entries += [("track", {"user_id": f"u{n}", "event": "Bagged"}) for n in range(40)]
    entries += [json.dumps({"call": "delete_user", "user_id": "u0"}), {"call": "track"}]
    bag = dask_bag.from_sequence(entries, npartitions=4)
    report = send_collection(bag, write_key=server.write_key, host=server.url, client=dask_client)
    assert cluster_slots(dask_client) == 2
    assert len(report.partitions) == 4
    assert {result.rate_limit for result in report.partitions} == {500.0}
    assert (report.read, report.delivered, report.invalid) == (82, 81, 1)
    assert not report.ok
    ((reason, count),) = report.reasons.items()
    assert count == 1
    assert reason == "the call needs user_id or anonymous_id (a non-empty str or int); got neither"
    assert server.message_count == 81
    again = send_collection(bag, write_key=server.write_key, host=server.url, client=dask_client)
    assert again.delivered == 81
    assert server.duplicate_count == 81  # stable ids from partition, position and content


def test_send_collection_dataframe(dask_client: Any, server: LocalServer) -> None:
    """A dataframe's rows are messages; empty cells are left out."""
    pandas = pytest.importorskip("pandas")
    dask_frame = pytest.importorskip("dask.dataframe")
    frame = pandas.DataFrame(
        {
            "type": ["track"] * 6,
            "userId": [f"u{n}" for n in range(6)],
            "event": ["Framed"] * 6,
            "anonymousId": [None, "a1", None, None, None, None],
        }
    )
    collection = dask_frame.from_pandas(frame, npartitions=2)
    report = send_collection(
        collection, write_key=server.write_key, host=server.url, client=dask_client
    )
    assert report.ok
    assert report.delivered == 6
    assert server.message_count == 6
