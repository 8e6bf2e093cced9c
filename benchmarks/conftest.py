"""Fixtures of the micro-benchmarks: clients whose consumer never sends while measured.

Run them with ``make bench`` (``.venv/bin/pytest benchmarks --benchmark-only
-p no:cacheprovider``). The test suite (``pytest`` from the repository root)
never collects this directory: ``testpaths`` is ``tests``.

What a caller pays is validate + encode + enqueue. To measure exactly that,
the clients here point at a port nothing listens on, with an upload size and
an upload interval so large that the consumer thread never takes a batch; the
queue is emptied after every round (outside the timing) so it stays small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final

import pytest
from _payload import EVENT, properties, traits, user_id
from _quiet import QUIET_SETTINGS, Runner, drop_queued

import cio_analytics

#: Rounds x iterations of every hot-path benchmark (about 50,000 calls each).
ROUNDS: Final = 100
ITERATIONS: Final = 500
WARMUP_ROUNDS: Final = 10


@pytest.fixture
def quiet_client() -> Iterator[cio_analytics.Client]:
    """A Client that validates, encodes and queues, but never sends while measured."""
    client = cio_analytics.Client(**QUIET_SETTINGS)
    try:
        yield client
    finally:
        drop_queued(client)
        client.shutdown(timeout=1.0)


@pytest.fixture
def spooled_client(tmp_path: Any) -> Iterator[cio_analytics.Client]:
    """:func:`quiet_client` with the disk spool on: every call also writes its message to disk."""
    client = cio_analytics.Client(**QUIET_SETTINGS, spool_dir=str(tmp_path / "spool"))
    try:
        yield client
    finally:
        drop_queued(client)
        client.shutdown(timeout=1.0)


@pytest.fixture
def quiet_default_client() -> Iterator[cio_analytics.Client]:
    """The module-level API's default client, configured like :func:`quiet_client`."""
    cio_analytics.reset()
    cio_analytics.configure(**QUIET_SETTINGS)
    client = cio_analytics.get_client()
    try:
        yield client
    finally:
        drop_queued(client)
        cio_analytics.reset()
        cio_analytics.configure(**dict.fromkeys(QUIET_SETTINGS))


@pytest.fixture
def track_args() -> tuple[str, str, dict[str, Any]]:
    """user_id, event and a 10-property dict, as a track() call receives them."""
    return user_id(7), EVENT, properties(7)


@pytest.fixture
def identify_args() -> tuple[str, dict[str, Any]]:
    """user_id and a 10-trait dict, as an identify() call receives them."""
    return user_id(7), traits(7)


@pytest.fixture
def hot(benchmark: Any) -> Runner:
    """Benchmark ``target(*args)`` over fixed rounds; ``after_round`` runs untimed after each."""

    def run(
        target: Callable[..., Any],
        args: tuple[Any, ...] = (),
        after_round: Callable[[], None] | None = None,
    ) -> Any:
        def teardown(*_: Any) -> None:
            if after_round is not None:
                after_round()

        return benchmark.pedantic(
            target,
            args=args,
            teardown=teardown,
            rounds=ROUNDS,
            iterations=ITERATIONS,
            warmup_rounds=WARMUP_ROUNDS,
        )

    return run
