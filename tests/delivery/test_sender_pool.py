"""The sender pool frees its owner without the cycle collector once it is closed."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator

import pytest

from cio_analytics._delivery.senders import SenderPool


class _Owner:
    """Holds a pool whose deliver is its own bound method: the shape BulkPipeline has."""

    def __init__(self) -> None:
        self.delivered: list[list[bytes]] = []
        self.pool = SenderPool(1, self.deliver, "test-senders")

    def deliver(self, batch: list[bytes]) -> None:
        self.delivered.append(batch)


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _wait_for_no_threads(pool: SenderPool) -> None:
    deadline = time.monotonic() + 10.0
    while pool.threads and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not pool.threads


@pytest.mark.usefixtures("collector_off")
def test_a_closed_pool_lets_its_owner_go_by_reference_counting() -> None:
    """A bulk send's pipeline and pool are freed as soon as the send returns."""
    owner = _Owner()
    assert owner.pool.submit([b"a"], abort=lambda: False)
    ended = threading.Event()
    owner.pool.close(after=ended.set)
    assert ended.wait(10.0)
    _wait_for_no_threads(owner.pool)
    assert owner.delivered == [[b"a"]]
    gone = weakref.ref(owner)
    del owner
    assert gone() is None  # the collector is off: only reference counting freed it


@pytest.mark.usefixtures("collector_off")
def test_a_pool_closed_before_any_thread_ran_lets_go_too() -> None:
    owner = _Owner()
    owner.pool.close()
    gone = weakref.ref(owner)
    del owner
    assert gone() is None


def test_a_closed_pool_refuses_to_deliver() -> None:
    owner = _Owner()
    pool = owner.pool
    pool.close()
    with pytest.raises(RuntimeError, match="closed"):
        pool._deliver([b"late"])
