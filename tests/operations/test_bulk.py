"""Bulk sends: send_batch validates every entry, sends the valid ones in batches, reports each."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

import cio_analytics
from cio_analytics import BulkResult, Client
from cio_analytics.errors import (
    ArgumentTypeError,
    ConfigurationError,
    MessageTooLargeError,
    MissingIdentityError,
    RejectedError,
    RetriesExhaustedError,
    ValidationError,
)
from cio_analytics.testing import LocalServer

from ._support import wire


@pytest.fixture
def reported() -> list[tuple[BaseException, list[dict[str, Any]]]]:
    """What the client passes to on_error."""
    return []


@pytest.fixture
def client(
    cio_server: LocalServer, reported: list[tuple[BaseException, list[dict[str, Any]]]]
) -> Iterator[Client]:
    """A client pointed at the local server that records its on_error calls."""
    with Client(
        write_key=cio_server.write_key,
        host=cio_server.url,
        on_error=lambda error, messages: reported.append((error, messages)),
    ) as client:
        yield client


def test_every_entry_form_is_sent_in_order(client: Client, cio_server: LocalServer) -> None:
    """Wire dicts, core calls, operations and helpers are all delivered, in the given order."""
    result = client.send_batch(
        [
            {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}},
            {"type": "track", "anonymousId": "a1", "event": "Viewed", "properties": {"n": 1}},
            {"type": "page", "userId": "u1", "name": "Pricing", "category": "Docs"},
            {"type": "screen", "userId": "u1", "name": "Home"},
            {"type": "group", "userId": "u1", "groupId": "acme",
             "traits": {"objectTypeId": "1"}},
            {"type": "alias", "previousId": "a1", "userId": "u1"},
            ("track", {"user_id": "u1", "event": "Signed Up"}),
            ("group", {"group_id": "acme", "object_type_id": 2}),
            ("delete_user", {"user_id": "u2"}),
            ("add_device", {"user_id": "u1", "token": "tok", "device_type": "android"}),
            ("delete_object", {"object_id": "acme", "anonymous_id": "job"}),
            ("report_delivery_event", {"delivery_id": "d1", "metric": "opened", "user_id": "u1"}),
            ("ecommerce.order_completed", {"user_id": "u1", "order_id": "o-1", "total": 9.5}),
            ("video.playback_started", {"user_id": "u1", "session_id": "s-1"}),
            ("mobile.application_opened", {"user_id": "u1", "from_background": True}),
        ]
    )  # fmt: skip
    assert result.ok
    assert (result.total, result.delivered, result.requests, result.sent) == (15, 15, 1, True)
    assert cio_server.rejections == []
    received = cio_server.messages
    assert [m["messageId"] for m in received] == result.message_ids
    assert [wire(m) for m in received] == [
        {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}},
        {"type": "track", "anonymousId": "a1", "event": "Viewed", "properties": {"n": 1}},
        {"type": "page", "userId": "u1", "name": "Pricing", "properties": {"category": "Docs"}},
        {"type": "screen", "userId": "u1", "name": "Home"},
        {"type": "group", "userId": "u1", "groupId": "acme", "traits": {"objectTypeId": "1"}},
        {"type": "alias", "previousId": "a1", "userId": "u1"},
        {"type": "track", "userId": "u1", "event": "Signed Up"},
        {"type": "group", "groupId": "acme", "traits": {"objectTypeId": "2"}},
        {"type": "track", "userId": "u2", "event": "User Deleted"},
        {"type": "track", "userId": "u1", "event": "Device Created or Updated",
         "context": {"device": {"token": "tok", "type": "android"}}},
        {"type": "track", "anonymousId": "job", "event": "Object Deleted",
         "properties": {"objectId": "acme", "objectTypeId": 1}},
        {"type": "track", "userId": "u1", "event": "Report Delivery Event",
         "properties": {"deliveryId": "d1", "metric": "opened"}},
        {"type": "track", "userId": "u1", "event": "Order Completed",
         "properties": {"order_id": "o-1", "total": 9.5}},
        {"type": "track", "userId": "u1", "event": "Video Playback Started",
         "properties": {"session_id": "s-1"}},
        {"type": "track", "userId": "u1", "event": "Application Opened",
         "properties": {"from_background": True}},
    ]  # fmt: skip


def test_wire_dicts_keep_their_message_id_and_timestamp(
    client: Client, cio_server: LocalServer
) -> None:
    """A wire dict's messageId and timestamp are sent as given; server-set keys are dropped."""
    result = client.send_batch(
        [
            {
                "type": "track",
                "userId": "u1",
                "event": "Imported",
                "messageId": "legacy-1",
                "timestamp": "2023-02-03T04:05:06Z",
                "sentAt": "2023-02-03T04:05:07Z",
                "receivedAt": "2023-02-03T04:05:08Z",
            },
            {"type": "track", "userId": "u1", "event": "Old",
             "originalTimestamp": "2022-01-01T00:00:00+00:00"},
        ]
    )  # fmt: skip
    assert result.ok
    first, second = cio_server.messages
    assert first["messageId"] == "legacy-1"
    assert first["timestamp"] == "2023-02-03T04:05:06.000+00:00"
    assert "receivedAt" not in first
    assert second["timestamp"] == "2022-01-01T00:00:00.000+00:00"


def test_invalid_entries_are_reported_and_valid_ones_still_go(
    client: Client, cio_server: LocalServer
) -> None:
    """Invalid entries are listed with their index and error; the rest is delivered."""
    result = client.send_batch(
        [
            ("track", {"user_id": "u1", "event": "Good 1"}),
            ("track", {"event": "No identity", "message_id": "m-2"}),
            {"type": "track", "userId": "u1", "event": "Bad", "propertis": {}},
            {"userId": "u1", "event": "No type"},
            ("launch_rocket", {}),
            ("track", {"user_id": "u1", "evnt": "Typo"}),
            ("add_device", {"user_id": "u1", "token": "t", "device_type": "windows"}),
            ("ecommerce.order_completed", {"user_id": "u1", "total": "many"}),
            42,
            ("track", {"user_id": "u1", "event": "x", "properties": {"blob": "x" * 40_000}}),
            ("track", {"user_id": "u1", "event": "Good 2"}),
        ]
    )
    assert not result.ok
    assert (result.total, result.delivered, result.requests) == (11, 2, 1)
    assert [e["event"] for e in cio_server.messages] == ["Good 1", "Good 2"]
    failures = {f.index: f for f in result.failed}
    assert sorted(failures) == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    expected = {
        1: (MissingIdentityError, "user_id"),
        2: (ValidationError, "propertis"),
        3: (ValidationError, "messages[3]"),
        4: (ValidationError, "messages[4]"),
        5: (ArgumentTypeError, "messages[5]"),
        6: (ValidationError, "device_type"),
        7: (ArgumentTypeError, "total"),
        8: (ArgumentTypeError, "messages[8]"),
        9: (MessageTooLargeError, "properties"),
    }
    for index, (error, argument) in expected.items():
        failure = failures[index]
        assert isinstance(failure.error, error), (index, failure.error)
        assert failure.error.argument == argument  # type: ignore[attr-defined]
        assert failure.invalid
    assert failures[1].message_id == "m-2"
    assert result.message_ids[0] is not None
    assert result.message_ids[1] is None


def test_large_backfills_are_split_under_the_batch_limit(
    client: Client, cio_server: LocalServer
) -> None:
    """Messages totalling well over 500 KB go in several requests, each under the limit."""
    entries = [
        ("track", {"user_id": f"u{i}", "event": "Imported", "properties": {"blob": "x" * 20_000}})
        for i in range(60)
    ]
    result = client.send_batch(entries, batch_size=1000)
    assert result.ok
    assert result.delivered == 60
    assert result.requests == len(cio_server.requests) >= 3
    assert all(request.body_size < 500_000 for request in cio_server.requests)
    assert [m["userId"] for m in cio_server.messages] == [f"u{i}" for i in range(60)]


def test_batch_size_bounds_messages_per_request(client: Client, cio_server: LocalServer) -> None:
    """batch_size caps how many messages each request carries."""
    entries = [("track", {"user_id": "u1", "event": f"E{i}"}) for i in range(10)]
    result = client.send_batch(entries, batch_size=3)
    assert (result.delivered, result.requests) == (10, 4)
    assert [r.message_count for r in cio_server.requests] == [3, 3, 3, 1]


def test_rejected_messages_are_isolated_and_reported(
    client: Client,
    cio_server: LocalServer,
    reported: list[tuple[BaseException, list[dict[str, Any]]]],
) -> None:
    """Messages the API rejects fail alone (the batch is split); on_error and stats see them."""
    cio_server.reject_messages(lambda m: "refused" if m.get("userId") == "bad" else None)
    entries = [("track", {"user_id": "bad" if i in (2, 5) else "ok", "event": "E"})
               for i in range(8)]  # fmt: skip
    result = client.send_batch(entries)
    assert result.delivered == 6
    assert [f.index for f in result.failed] == [2, 5]
    for failure in result.failed:
        assert isinstance(failure.error, RejectedError)
        assert not failure.invalid
        assert failure.message_id == result.message_ids[failure.index]
    assert sorted(m["userId"] for _, batch in reported for m in batch) == ["bad", "bad"]
    stats = client.stats()
    assert (stats.enqueued, stats.delivered, stats.failed) == (8, 6, 2)


def test_transient_failures_are_retried(client: Client, cio_server: LocalServer) -> None:
    """A 503 answer is retried and the messages are delivered."""
    cio_server.fail_next(1, 503)
    result = client.send_batch([("track", {"user_id": "u1", "event": "E"})])
    assert result.ok
    assert result.delivered == 1
    assert client.stats().retries == 1


def test_timeout_reports_what_was_not_delivered(client: Client, cio_server: LocalServer) -> None:
    """Messages still undelivered when the timeout passes are reported as failed."""
    cio_server.fail_next(1000, 503)
    result = client.send_batch([("track", {"user_id": "u1", "event": "E"})], timeout=0.2)
    [failure] = result.failed
    assert isinstance(failure.error, RetriesExhaustedError)
    assert "timeout" in str(failure.error)
    assert result.delivered == 0


def test_dry_run_validates_without_sending(cio_server: LocalServer) -> None:
    """With send=False entries are validated and nothing is sent."""
    with Client(send=False, host=cio_server.url) as client:
        result = client.send_batch(
            [("track", {"user_id": "u1", "event": "E"}), ("track", {"event": "E"})]
        )
    assert isinstance(result, BulkResult)
    assert (result.sent, result.delivered, result.requests) == (False, 0, 0)
    assert [f.index for f in result.failed] == [1]
    assert cio_server.requests == []


def test_defaults_for_context_and_integrations(client: Client, cio_server: LocalServer) -> None:
    """context and integrations apply to entries without their own; an entry's keys win."""
    result = client.send_batch(
        [
            ("track", {"user_id": "u1", "event": "A"}),
            ("track", {"user_id": "u1", "event": "B", "context": {"ip": "10.0.0.2"},
                       "integrations": {"All": True}}),
        ],
        context={"ip": "10.0.0.1", "source": "backfill"},
        integrations={"All": False},
    )  # fmt: skip
    assert result.ok
    first, second = (wire(m) for m in cio_server.messages)
    assert first["context"] == {"ip": "10.0.0.1", "source": "backfill"}
    assert first["integrations"] == {"All": False}
    assert second["context"] == {"ip": "10.0.0.2", "source": "backfill"}
    assert second["integrations"] == {"All": True}


def test_bad_arguments_raise(client: Client) -> None:
    """A messages value that is not a list, or a bad option, raises at the call."""
    with pytest.raises(ArgumentTypeError) as info:
        client.send_batch({"type": "track"})  # type: ignore[arg-type]
    assert info.value.argument == "messages"
    with pytest.raises(ValidationError) as info:
        client.send_batch([], batch_size=0)
    assert info.value.argument == "batch_size"
    with pytest.raises(ValidationError) as info:
        client.send_batch([], timeout=-1)
    assert info.value.argument == "timeout"
    with pytest.raises(ArgumentTypeError) as info:
        client.send_batch([], context="ctx")  # type: ignore[arg-type]
    assert info.value.argument == "context"


def test_missing_write_key_is_a_configuration_error(cio_server: LocalServer) -> None:
    """Sending without a write key raises ConfigurationError before anything is built."""
    with Client("k", host=cio_server.url) as client:
        client.configure(write_key=None)  # a client without a key cannot be built at all
        with pytest.raises(ConfigurationError):
            client.send_batch([("track", {"user_id": "u1", "event": "E"})])
    assert cio_server.message_count == 0


def test_empty_list_sends_nothing(client: Client, cio_server: LocalServer) -> None:
    """An empty list is a successful no-op."""
    result = client.send_batch([])
    assert result.ok
    assert (result.total, result.requests) == (0, 0)
    assert cio_server.requests == []


def test_module_level_send_batch(default_client: Client, cio_server: LocalServer) -> None:
    """cio_analytics.send_batch sends through the default client."""
    result = cio_analytics.send_batch([("identify", {"user_id": "u1", "traits": {"a": 1}})])
    assert result.ok
    assert [m["type"] for m in cio_server.messages] == ["identify"]


def test_requests_go_out_while_later_entries_are_built(cio_server: LocalServer) -> None:
    """The first request reaches the server before the last entries are validated.

    A before_send hook stands in for slow validation: when it sees the last
    entry, it waits (bounded) for the server to have the first request, which
    can only happen if send_batch sent it while still building.
    """
    seen_at_last: list[int] = []

    def watch(message: Any) -> Any:
        if message["userId"] == "u-last":
            for _ in range(500):  # at most 5 s
                if cio_server.request_count:
                    break
                time.sleep(0.01)
            seen_at_last.append(cio_server.request_count)
        return message

    entries = [("track", {"user_id": f"u{i}", "event": "E"}) for i in range(30)]
    entries.append(("track", {"user_id": "u-last", "event": "E"}))
    with Client(write_key=cio_server.write_key, host=cio_server.url, before_send=watch) as client:
        result = client.send_batch(entries, batch_size=10)
    assert result.ok
    assert seen_at_last and seen_at_last[0] >= 1
    assert [m["userId"] for m in cio_server.messages] == [e[1]["user_id"] for e in entries]


def test_requests_are_as_big_as_the_byte_limit_allows_by_default(
    client: Client, cio_server: LocalServer
) -> None:
    """Without batch_size a bulk send cuts requests by bytes, not by upload_size (100)."""
    entries = [("track", {"user_id": f"u{i}", "event": "E"}) for i in range(1200)]
    result = client.send_batch(entries)
    assert (result.delivered, result.requests) == (1200, 1)
    with Client(write_key=cio_server.write_key, host=cio_server.url, grow_batches=False) as small:
        assert small.send_batch(entries).requests == 12


def test_an_interrupted_send_settles_every_message_it_took(
    client: Client, cio_server: LocalServer
) -> None:
    """Ctrl-C while building: the batches already handed over each get one outcome."""

    def interrupt(message: Any) -> Any:
        if message["userId"] == "u25":
            raise KeyboardInterrupt
        return message

    entries = [("track", {"user_id": f"u{i}", "event": "E"}) for i in range(40)]
    with (
        Client(write_key=cio_server.write_key, host=cio_server.url, before_send=interrupt) as c,
        pytest.raises(KeyboardInterrupt),
    ):
        c.send_batch(entries, batch_size=10)
    stats = c.stats()
    assert stats.enqueued == 20  # two batches handed over before u25
    assert stats.delivered + stats.failed == 20
    assert cio_server.duplicate_count == 0
