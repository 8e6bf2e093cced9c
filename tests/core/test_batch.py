"""Batch bodies assembled from queued bytes."""

from __future__ import annotations

import msgspec

from cio_analytics._delivery.batch import ENVELOPE_BYTES, BatchBody, wire_size
from cio_analytics._wire.build import build_identify, build_track, encode_message
from cio_analytics._wire.messages import LIBRARY, complete_message, decode_message


def _queued(with_context: bool) -> bytes:
    context = {"ip": "10.1.2.3"} if with_context else None
    return encode_message(build_track("u1", "Signed Up", {"plan": "pro"}, context=context))


class TestBatchBody:
    """The envelope and the library context splice."""

    def test_every_message_gets_context_library(self) -> None:
        """Messages queued with and without a context both carry context.library."""
        messages = [_queued(False), _queued(True), _queued(False)]
        body = msgspec.json.decode(BatchBody(messages).render("2024-01-01T00:00:00.000+00:00"))
        assert body["sentAt"] == "2024-01-01T00:00:00.000+00:00"
        assert [m["context"]["library"] for m in body["batch"]] == [LIBRARY] * 3
        assert body["batch"][1]["context"]["ip"] == "10.1.2.3"

    def test_messages_are_not_reencoded(self) -> None:
        """The body holds each queued message's bytes as they were queued, then closed."""
        message = _queued(False)
        rendered = BatchBody([message]).render("2024-01-01T00:00:00.000+00:00")
        assert complete_message(message) in rendered
        assert complete_message(message).startswith(message)

    def test_callers_library_key_is_replaced(self) -> None:
        """A library given in the caller's context is replaced by this library's."""
        message = encode_message(
            build_track("u1", "E", context={"library": {"name": "x"}, "locale": "fr-FR"})
        )
        decoded = decode_message(message)
        assert decoded["context"] == {"locale": "fr-FR", "library": LIBRARY}

    def test_sizes_add_up(self) -> None:
        """wire_size and ENVELOPE_BYTES bound the rendered body from above."""
        messages = [_queued(i % 2 == 0) for i in range(7)]
        rendered = BatchBody(messages).render("2024-01-01T00:00:00.000+00:00")
        assert len(rendered) <= ENVELOPE_BYTES + sum(wire_size(m) for m in messages)
        assert len(rendered) >= sum(wire_size(m) for m in messages)

    def test_decode_message_is_the_wire_shape(self) -> None:
        """decode_message returns the message as sent, camelCase keys and type first."""
        decoded = decode_message(encode_message(build_identify("u7", {"email": "a@b.c"})))
        assert list(decoded)[0] == "type"
        assert decoded["type"] == "identify"
        assert decoded["userId"] == "u7"
        assert decoded["traits"] == {"email": "a@b.c"}
        assert "anonymousId" not in decoded
        assert decoded["context"] == {"library": LIBRARY}
