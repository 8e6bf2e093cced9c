"""The fast batch verdict used when messages are only counted agrees with the full check."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from cio_analytics.testing._fastcheck import fast_batch_check
from cio_analytics.testing._rules import check_payload

_TS = "2026-01-02T03:04:05.678+00:00"


def _body(*messages: dict[str, Any], sent_at: str = _TS) -> bytes:
    return msgspec.json.encode({"batch": list(messages), "sentAt": sent_at})


def _track(**extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "track",
        "userId": "u1",
        "event": "Order Completed",
        "properties": {"total": 1.5, "items": [1, 2]},
        "context": {"library": {"name": "x", "version": "1"}},
        "timestamp": _TS,
        "messageId": "m1",
    }
    message.update(extra)
    return message


VALID = [
    _body(_track()),
    _body(_track(), _track(messageId="m2", userId=None, anonymousId="a1")),
    _body({"type": "identify", "userId": "u1", "traits": {"email": "a@b.c"}, "messageId": "m3"}),
    _body({"type": "page", "anonymousId": "a1", "name": "Home", "messageId": "m4"}),
    _body({"type": "alias", "previousId": "a1", "userId": "u1", "messageId": "m5"}),
    _body(_track(properties=None, integrations={"All": True})),
    _body(*[_track(messageId=f"m{i}", properties={"text": "x" * 500}) for i in range(80)]),
]

INVALID_OR_SPECIAL = [
    _body(_track(event="")),
    _body(_track(userId=None)),
    _body(_track(userId=5)),
    _body(_track(properties=[1, 2])),
    _body(_track(context="ctx")),
    _body(_track(timestamp="yesterday")),
    _body(_track(), sent_at="soon"),
    _body({"type": "screen", "messageId": "m6"}),
    _body({"type": "alias", "userId": "u1"}),
    _body({"type": "unknown", "userId": "u1"}),
    _body({"userId": "u1", "event": "E"}),
    _body(_track(event="Device Created or Updated")),
    _body({"type": "group", "groupId": "g1", "userId": "u1"}),
    _body({"type": "identify", "userId": "", "traits": {"email": "a@b.c"}}),
    _body(_track(properties={"text": "y" * 40_000})),
    b'{"batch": [',
    b"[]",
]


class TestFastBatchCheck:
    """fast_batch_check either agrees with check_payload or steps aside."""

    @pytest.mark.parametrize("body", VALID)
    def test_valid_batches_are_accepted_alike(self, body: bytes) -> None:
        """Ordinary valid batches get the same accepted message ids from both checks."""
        fast = fast_batch_check(body)
        full = check_payload("batch", body)
        assert fast is not None
        assert not full.errors
        assert [m["messageId"] for m in fast.accepted] == [m["messageId"] for m in full.accepted]

    @pytest.mark.parametrize("body", INVALID_OR_SPECIAL)
    def test_anything_else_goes_to_the_full_check(self, body: bytes) -> None:
        """Invalid items, semantic events, groups and odd bodies are left to the full check."""
        assert fast_batch_check(body) is None
