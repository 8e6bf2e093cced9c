"""The consumer on its own: batching, settling, flush and shutdown, with a fake sender.

No sockets here: the consumer is given a sender factory whose senders record
the batches they get and settle them as each test scripts. The end-to-end
behaviour against the local server is covered in tests/core/test_pipeline.py
and tests/reliability/.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from cio_analytics._delivery.batch import ENVELOPE_BYTES, wire_size
from cio_analytics._delivery.consumer import Consumer
from cio_analytics._delivery.context import DeliveryContext
from cio_analytics._delivery.deliverer import Settle
from cio_analytics._delivery.sleeper import Sleeper
from cio_analytics._settings import Settings
from cio_analytics.errors import (
    DeliveryError,
    FailureReason,
    RejectedError,
    RetriesExhaustedError,
    ShutdownTimeoutError,
)

#: What a scripted sender does with one batch: settle it (with an error or None).
Behaviour = Callable[["FakeSender", Sequence[bytes], Settle], None]


def deliver_all(sender: FakeSender, batch: Sequence[bytes], settle: Settle) -> None:
    """Accept the whole batch."""
    settle(batch, None)


class FakeSender:
    """Records every batch and settles it as ``behaviour`` says."""

    def __init__(self, log: SenderLog, sleeper: Sleeper) -> None:
        self.log = log
        self.sleeper = sleeper
        self.closed = False

    def deliver(self, messages: Sequence[bytes], settle: Settle) -> None:
        """Record the batch, then run the scripted behaviour."""
        with self.log.lock:
            self.log.batches.append(list(messages))
        self.log.behaviour(self, messages, settle)

    def close(self) -> None:
        """Remember that the consumer closed it."""
        self.closed = True


class SenderLog:
    """The sender factory given to the consumer, and what its senders saw."""

    def __init__(self, behaviour: Behaviour = deliver_all) -> None:
        self.behaviour = behaviour
        self.batches: list[list[bytes]] = []
        self.senders: list[FakeSender] = []
        self.lock = threading.Lock()

    def __call__(self, context: DeliveryContext, sleeper: Sleeper) -> FakeSender:
        sender = FakeSender(self, sleeper)
        self.senders.append(sender)
        return sender

    def sizes(self) -> list[int]:
        """The size of every batch so far, in order."""
        with self.lock:
            return [len(b) for b in self.batches]


class Harness:
    """A consumer over a plain deque, fed the way the client's hot path feeds it."""

    def __init__(self, log: SenderLog, **settings: Any) -> None:
        self.reports: list[tuple[DeliveryError, list[dict[str, Any]]]] = []
        values = {"write_key": "k", "upload_interval": 0.05, "rate_limit": 0, **settings}
        self.context = DeliveryContext(
            Settings.resolve(on_error=lambda e, m: self.reports.append((e, m)), **values)
        )
        self.queue: collections.deque[bytes] = collections.deque()
        self.consumer = Consumer(self.queue, self.context, sender=log)

    def put(self, count: int, size: int = 20) -> None:
        """Queue ``count`` messages of about ``size`` bytes and make sure a thread runs."""
        for i in range(count):
            body = f'{{"type":"track","n":{i},"pad":"{"x" * size}","context":{{'
            self.queue.append(body.encode())
            self.context.stats.count_enqueued()
        self.consumer.ensure_started()

    def stats(self) -> Any:
        """The counters now."""
        return self.context.stats.snapshot(queue_depth=len(self.queue))


@pytest.fixture
def log() -> SenderLog:
    """A sender factory that accepts everything unless a test changes its behaviour."""
    return SenderLog()


def test_batches_are_cut_by_count(log: SenderLog) -> None:
    """150 messages with upload_size 100 (no backlog): batches of 100 and 50."""
    h = Harness(log, upload_size=100)
    h.put(150)
    assert h.consumer.flush(5.0)
    assert sum(log.sizes()) == 150
    assert max(log.sizes()) == 100
    assert h.stats().delivered == 150
    assert h.consumer.shutdown(1.0)


def test_a_backlog_is_cut_into_bigger_batches(log: SenderLog) -> None:
    """With twice upload_size waiting, batches grow past it (bounded by bytes)."""
    release = threading.Event()
    entered = threading.Event()

    def hold_first(sender: FakeSender, batch: Sequence[bytes], settle: Settle) -> None:
        entered.set()
        release.wait(5.0)
        settle(batch, None)

    log.behaviour = hold_first
    h = Harness(log, upload_size=10, max_in_flight=1)
    h.put(10)
    assert entered.wait(5.0)
    h.put(300)  # a backlog builds while the first batch is held
    release.set()
    assert h.consumer.flush(5.0)
    assert log.sizes()[0] == 10 and max(log.sizes()[1:]) > 10
    assert sum(log.sizes()) == 310
    h.consumer.shutdown(1.0)


def test_several_batches_in_flight_at_once(log: SenderLog) -> None:
    """max_in_flight=3: three batches are held by senders at the same time; all settle once."""
    in_flight = threading.Semaphore(0)
    release = threading.Event()

    def hold(sender: FakeSender, batch: Sequence[bytes], settle: Settle) -> None:
        in_flight.release()
        release.wait(5.0)
        settle(batch, None)

    log.behaviour = hold
    h = Harness(log, upload_size=5, max_in_flight=3, upload_interval=0.01)
    for _ in range(3):
        h.put(5)
        assert in_flight.acquire(timeout=5.0)  # one more delivery held at the same time
    h.put(5)
    assert not in_flight.acquire(timeout=0.3)  # no fourth while three are held
    release.set()
    assert h.consumer.flush(5.0)
    stats = h.stats()
    assert (stats.delivered, stats.failed, stats.pending) == (20, 0, 0)
    assert h.consumer.shutdown(2.0)


def test_batches_are_cut_by_bytes(log: SenderLog) -> None:
    """No batch body passes max_batch_bytes, even when upload_size would allow more."""
    limit = 40_000
    h = Harness(log, upload_size=1000, max_batch_bytes=limit)
    h.put(300, size=1000)
    assert h.consumer.flush(5.0)
    for batch in log.batches:
        assert ENVELOPE_BYTES + sum(wire_size(m) for m in batch) <= limit
    assert sum(log.sizes()) == 300
    h.consumer.shutdown(1.0)


def test_a_partial_batch_goes_after_the_interval(log: SenderLog) -> None:
    """Three messages and no flush: they are sent once upload_interval has passed."""
    h = Harness(log, upload_size=100, upload_interval=0.05)
    h.put(3)
    deadline = time.monotonic() + 5.0
    while h.stats().delivered < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert log.sizes() == [3]
    h.consumer.shutdown(1.0)


def test_the_rest_of_a_backlog_does_not_wait_another_interval() -> None:
    """upload_interval counts from when messages began to wait, not from the last batch.

    Four full batches take 1.2 s to send (longer than the 1 s interval); the
    five messages left had been waiting since the first batch was cut, so they
    go at once instead of one more interval later.
    """
    handed: list[tuple[int, float, float]] = []

    def slow(sender: FakeSender, batch: Sequence[bytes], settle: Settle) -> None:
        start = time.monotonic()
        if len(batch) == 10:
            time.sleep(0.3)
        handed.append((len(batch), start, time.monotonic()))
        settle(batch, None)

    log = SenderLog(slow)
    h = Harness(log, upload_size=10, upload_interval=1.0, max_in_flight=1, grow_batches=False)
    h.put(45)
    deadline = time.monotonic() + 10.0
    while h.stats().delivered < 45 and time.monotonic() < deadline:
        time.sleep(0.01)
    h.consumer.shutdown(1.0)
    assert [n for n, _, _ in handed] == [10, 10, 10, 10, 5]
    gap = handed[4][1] - handed[3][2]
    assert gap < 0.5, f"the last 5 waited {gap:.2f} s after the backlog (interval 1 s)"


def test_failures_are_reported_once_and_flush_ends(log: SenderLog) -> None:
    """A sender that rejects: every message reported once, with its reason, and flush returns."""

    def reject(sender: FakeSender, batch: Sequence[bytes], settle: Settle) -> None:
        settle(batch, RejectedError("no", status_code=400))

    log.behaviour = reject
    h = Harness(log, upload_size=10)
    h.put(25)
    assert h.consumer.flush(5.0)
    assert sum(len(messages) for _, messages in h.reports) == 25
    assert h.stats().failed_by_reason == {FailureReason.REJECTED.value: 25}
    assert h.stats().pending == 0
    h.consumer.shutdown(1.0)


def test_a_sender_that_raises_loses_nothing_and_the_thread_survives(log: SenderLog) -> None:
    """An exception out of the sender: its batch is reported, the next batch still goes."""
    calls = []

    def explode_once(sender: FakeSender, batch: Sequence[bytes], settle: Settle) -> None:
        calls.append(len(batch))
        if len(calls) == 1:
            raise RuntimeError("bug in delivery")
        settle(batch, None)

    log.behaviour = explode_once
    h = Harness(log, upload_size=5)
    h.put(5)
    assert h.consumer.flush(5.0)
    h.put(5)
    assert h.consumer.flush(5.0)
    stats = h.stats()
    assert stats.delivered == 5
    assert stats.failed_by_reason == {FailureReason.RETRIES_EXHAUSTED.value: 5}
    (error, messages), = h.reports
    assert isinstance(error, RetriesExhaustedError)
    assert "RuntimeError: bug in delivery" in str(error)
    assert len(messages) == 5
    h.consumer.shutdown(1.0)


def test_messages_a_sender_forgets_are_reported(log: SenderLog) -> None:
    """A sender that settles only half its batch: the other half is reported, not lost."""

    def half(sender: FakeSender, batch: Sequence[bytes], settle: Settle) -> None:
        settle(batch[: len(batch) // 2], None)

    log.behaviour = half
    h = Harness(log, upload_size=10)
    h.put(10)
    assert h.consumer.flush(5.0)
    stats = h.stats()
    assert (stats.delivered, stats.failed) == (5, 5)
    assert stats.pending == 0
    h.consumer.shutdown(1.0)


def test_shutdown_reports_a_stuck_batch_once(log: SenderLog) -> None:
    """A sender that never returns: shutdown ends near its deadline and reports the batch once.

    When the stuck sender finally settles, nothing is counted twice.
    """
    release = threading.Event()
    entered = threading.Event()

    def stuck(sender: FakeSender, batch: Sequence[bytes], settle: Settle) -> None:
        entered.set()
        release.wait(10.0)
        settle(batch, None)

    log.behaviour = stuck
    h = Harness(log, upload_size=4)
    h.put(4)
    assert entered.wait(5.0)
    started = time.monotonic()
    assert h.consumer.shutdown(0.2) is False
    assert time.monotonic() - started < 0.2 + 0.5 + 0.5  # deadline + grace + slack
    stats = h.stats()
    assert stats.failed_by_reason == {FailureReason.SHUTDOWN.value: 4}
    assert isinstance(h.reports[0][0], ShutdownTimeoutError)
    release.set()
    time.sleep(0.2)
    stats = h.stats()
    assert (stats.delivered, stats.failed) == (0, 4)


def test_a_new_generation_after_shutdown(log: SenderLog) -> None:
    """After shutdown the next message starts a new thread with a new sender; the old is closed."""
    h = Harness(log, upload_size=2)
    h.put(2)
    assert h.consumer.flush(5.0)
    assert h.consumer.shutdown(1.0)
    first = log.senders[0]
    assert first.closed
    h.put(2)
    assert h.consumer.flush(5.0)
    assert len(log.senders) >= 2
    assert log.senders[-1] is not first
    assert h.stats().delivered == 4
    assert h.consumer.shutdown(1.0)


def test_flush_times_out_while_the_sender_holds_the_batch(log: SenderLog) -> None:
    """flush(timeout) returns False while a batch is unsettled, True once it is."""
    release = threading.Event()

    def slow(sender: FakeSender, batch: Sequence[bytes], settle: Settle) -> None:
        release.wait(5.0)
        settle(batch, None)

    log.behaviour = slow
    h = Harness(log, upload_size=3)
    h.put(3)
    assert h.consumer.flush(0.1) is False
    release.set()
    assert h.consumer.flush(5.0) is True
    h.consumer.shutdown(1.0)
