"""Micro-benchmarks of batch assembly: queued message bytes to one request body.

``BatchBody(messages).render(sent_at)`` is what the consumer does once per
request; it splices ``context.library`` into each message without
re-encoding. 100 messages is the like-for-like batch size, 1,000 the
library's best setting (cut by bytes under 500 KB).
"""

from __future__ import annotations

from typing import Any

import pytest
from _payload import EVENT, properties, user_id
from _quiet import Runner

from cio_analytics._delivery.batch import BatchBody
from cio_analytics._wire.build import build_track, encode_message

SENT_AT = "2026-01-02T03:04:05.678+00:00"


def queued_messages(count: int) -> list[bytes]:
    """``count`` track messages as the client queues them."""
    return [encode_message(build_track(user_id(i), EVENT, properties(i))) for i in range(count)]


def assemble(messages: list[bytes], sent_at: str) -> bytes:
    """One request body, as the consumer builds it."""
    return BatchBody(messages).render(sent_at)


@pytest.mark.benchmark(group="batch")
@pytest.mark.parametrize("count", [100, 1000])
def test_batch_assembly(hot: Runner, count: int) -> None:
    """``BatchBody(count queued messages).render(ts)``."""
    messages = queued_messages(count)
    body: Any = assemble(messages, SENT_AT)
    assert len(body) < 500_000  # the API's limit: the setup itself must be realistic
    hot(assemble, (messages, SENT_AT))
