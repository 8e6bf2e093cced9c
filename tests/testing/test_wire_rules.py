"""The wire rules: unit tests of the pure checks, and the same cases over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from cio_analytics.testing import LocalServer, check_message
from cio_analytics.testing._rules import check_payload

if TYPE_CHECKING:
    from conftest import Api


@dataclass(frozen=True)
class Case:
    """A message for one endpoint and the problem it must produce (None: valid)."""

    id: str
    endpoint: str
    message: dict[str, Any]
    problem: str | None = None


def _device(event: str, **overrides: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "userId": "u1",
        "event": event,
        "context": {"device": {"token": "tok-1", "type": "ios"}},
    }
    message.update(overrides)
    return message


VALID = [
    Case("identify", "identify", {"userId": "u1", "traits": {"email": "a@example.com"}}),
    Case("identify-anonymous", "identify", {"anonymousId": "a1"}),
    Case("identify-by-email", "identify", {"userId": "", "traits": {"email": "a@example.com"}}),
    Case("identify-null-traits", "identify", {"userId": "u1", "traits": None, "context": None}),
    Case("identify-anonymous-null-user", "identify", {"userId": None, "anonymousId": "a1"}),
    Case("track", "track", {"userId": "u1", "event": "Signed Up", "properties": {"plan": "pro"}}),
    Case("track-group", "track", {"groupId": "g1", "event": "Renewed"}),
    Case(
        "track-z-time", "track", {"userId": "u1", "event": "E", "timestamp": "2024-01-02T03:04:05Z"}
    ),
    Case("page", "page", {"anonymousId": "a1", "name": "Pricing", "properties": {"url": "/p"}}),
    Case("page-null-category", "page", {"userId": "u1", "name": "Home", "category": None}),
    Case("screen", "screen", {"userId": "u1", "name": "Home"}),
    Case("group", "group", {"groupId": "acme", "traits": {"name": "Acme", "objectTypeId": "1"}}),
    Case(
        "group-relationship",
        "group",
        {
            "userId": "u1",
            "groupId": "acme",
            "traits": {"objectTypeId": 2, "relationshipAttributes": {"role": "admin"}},
        },
    ),
    Case("alias", "alias", {"previousId": "a1", "userId": "u1"}),
    Case(
        "all-common-fields",
        "track",
        {
            "userId": "u1",
            "event": "E",
            "messageId": "m1",
            "timestamp": "2024-01-02T03:04:05.678+00:00",
            "originalTimestamp": "2024-01-02T03:04:05+02:00",
            "sentAt": "2024-01-02T03:04:06.000000+00:00",
            "context": {"ip": "1.2.3.4"},
            "integrations": {"All": True},
            "extra": [1, 2],
        },
    ),
]

INVALID = [
    # The two nulls the API's schema refuses (cio_api.md section 6).
    Case(
        "identify-null-anonymous-id",
        "identify",
        {"userId": "u1", "anonymousId": None, "traits": None},
        '"anonymousId" is null; an identify with a "userId" must leave it out',
    ),
    Case(
        "page-null-name",
        "page",
        {"userId": "u1", "name": None, "category": None},
        '"name" is null; leave it out or give a string',
    ),
    Case("screen-null-name", "screen", {"userId": "u1", "name": None}, '"name" is null'),
    Case(
        "identify-no-id",
        "identify",
        {"traits": {"plan": "pro"}},
        'identify requires "userId" or "anonymousId"',
    ),
    Case(
        "identify-empty-id",
        "identify",
        {"userId": ""},
        'identify requires "userId" or "anonymousId"',
    ),
    Case(
        "identify-traits-array",
        "identify",
        {"userId": "u1", "traits": [1]},
        '"traits" must be an object, got array',
    ),
    Case(
        "identify-user-number", "identify", {"userId": 42}, '"userId" must be a string, got number'
    ),
    Case("track-no-event", "track", {"userId": "u1"}, 'track requires a non-empty "event"'),
    Case(
        "track-empty-event",
        "track",
        {"userId": "u1", "event": ""},
        'track requires a non-empty "event"',
    ),
    Case(
        "track-event-number",
        "track",
        {"userId": "u1", "event": 3},
        '"event" must be a string, got number',
    ),
    Case("track-no-id", "track", {"event": "E"}, 'track requires "userId" or "anonymousId"'),
    Case(
        "track-properties-string",
        "track",
        {"userId": "u1", "event": "E", "properties": "x"},
        '"properties" must be an object',
    ),
    Case(
        "track-bad-timestamp",
        "track",
        {"userId": "u1", "event": "E", "timestamp": "yesterday"},
        '"timestamp" must be an ISO-8601 date-time',
    ),
    Case(
        "track-date-only",
        "track",
        {"userId": "u1", "event": "E", "timestamp": "2024-01-02"},
        '"timestamp" must be an ISO-8601 date-time',
    ),
    Case(
        "track-numeric-timestamp",
        "track",
        {"userId": "u1", "event": "E", "timestamp": 1700000000},
        '"timestamp" must be an ISO-8601 date-time',
    ),
    Case(
        "track-context-list",
        "track",
        {"userId": "u1", "event": "E", "context": []},
        '"context" must be an object',
    ),
    Case(
        "track-integrations-bool",
        "track",
        {"userId": "u1", "event": "E", "integrations": True},
        '"integrations" must be an object',
    ),
    Case(
        "track-bad-sent-at",
        "track",
        {"userId": "u1", "event": "E", "sentAt": "now"},
        '"sentAt" must be an ISO-8601',
    ),
    Case(
        "track-bad-original",
        "track",
        {"userId": "u1", "event": "E", "originalTimestamp": "x"},
        '"originalTimestamp" must be',
    ),
    Case("page-no-id", "page", {"name": "Home"}, 'page requires "userId" or "anonymousId"'),
    Case(
        "page-properties-list",
        "page",
        {"userId": "u1", "properties": []},
        '"properties" must be an object',
    ),
    Case("screen-no-id", "screen", {"name": "Home"}, 'screen requires "userId" or "anonymousId"'),
    Case("screen-name-number", "screen", {"userId": "u1", "name": 1}, '"name" must be a string'),
    Case("group-no-group-id", "group", {"userId": "u1"}, 'group requires a non-empty "groupId"'),
    Case(
        "group-object-type-word",
        "group",
        {"groupId": "g", "traits": {"objectTypeId": "company"}},
        "traits.objectTypeId must be a string of digits",
    ),
    Case(
        "group-relationship-list",
        "group",
        {"groupId": "g", "traits": {"relationshipAttributes": []}},
        "traits.relationshipAttributes must be an object",
    ),
    Case("alias-no-previous", "alias", {"userId": "u1"}, 'alias requires a non-empty "previousId"'),
    Case("alias-no-user", "alias", {"previousId": "a1"}, 'alias requires a non-empty "userId"'),
]

SEMANTIC_VALID = [
    Case("device-created", "track", _device("Device Created or Updated")),
    Case(
        "device-created-android-no-type",
        "track",
        _device("Device Created or Updated", context={"device": {"token": "t"}}),
    ),
    Case(
        "device-deleted",
        "track",
        _device("Device Deleted", context={"device": {"token": "t", "type": "android"}}),
    ),
    Case("user-deleted", "track", {"userId": "u1", "event": "User Deleted"}),
    Case(
        "user-suppressed", "track", {"userId": "u1", "event": "User Suppressed", "properties": {}}
    ),
    Case("user-unsuppressed", "track", {"userId": "u1", "event": "User Unsuppressed"}),
    Case(
        "relationship-deleted",
        "track",
        {
            "userId": "u1",
            "event": "Relationship Deleted",
            "properties": {"objectId": "acme", "objectTypeId": 1},
        },
    ),
    Case(
        "object-deleted",
        "track",
        {
            "anonymousId": "a1",
            "event": "Object Deleted",
            "properties": {"objectId": "acme", "objectTypeId": "2"},
        },
    ),
    Case(
        "object-deleted-by-user",
        "track",
        {"userId": "u1", "event": "Object Deleted", "properties": {"objectId": "acme"}},
    ),
    Case(
        "delivery-opened",
        "track",
        {
            "anonymousId": "a1",
            "event": "Report Delivery Event",
            "properties": {"deliveryId": "d1", "metric": "opened"},
        },
    ),
    Case(
        "content-viewed",
        "track",
        {
            "anonymousId": "a1",
            "event": "Report Content Event",
            "properties": {"actionType": "viewed_content", "contentId": 3, "templateId": 4},
        },
    ),
]

SEMANTIC_INVALID = [
    Case(
        "device-no-token",
        "track",
        _device("Device Created or Updated", context={"device": {"type": "ios"}}),
        '"Device Created or Updated" requires context.device.token',
    ),
    Case(
        "device-token-in-properties",
        "track",
        _device("Device Created or Updated", context=None, properties={"device": {"token": "t"}}),
        "requires context.device.token",
    ),
    Case(
        "device-token-number",
        "track",
        _device("Device Created or Updated", context={"device": {"token": 5}}),
        "context.device.token must be a non-empty string",
    ),
    Case(
        "device-bad-type",
        "track",
        _device("Device Created or Updated", context={"device": {"token": "t", "type": "windows"}}),
        "context.device.type must be one of android, ios",
    ),
    Case(
        "device-anonymous",
        "track",
        _device("Device Created or Updated", userId=None, anonymousId="a1"),
        '"Device Created or Updated" requires "userId"',
    ),
    Case(
        "device-deleted-no-token",
        "track",
        _device("Device Deleted", context={}),
        '"Device Deleted" requires context.device.token',
    ),
    Case(
        "user-deleted-anonymous",
        "track",
        {"anonymousId": "a1", "event": "User Deleted"},
        '"User Deleted" requires "userId"',
    ),
    Case(
        "user-suppressed-anonymous",
        "track",
        {"anonymousId": "a1", "event": "User Suppressed"},
        '"User Suppressed" requires "userId"',
    ),
    Case(
        "user-unsuppressed-anonymous",
        "track",
        {"anonymousId": "a1", "event": "User Unsuppressed"},
        '"User Unsuppressed" requires "userId"',
    ),
    Case(
        "relationship-no-object",
        "track",
        {"userId": "u1", "event": "Relationship Deleted", "properties": {}},
        '"Relationship Deleted" requires properties.objectId',
    ),
    Case(
        "relationship-anonymous",
        "track",
        {"anonymousId": "a1", "event": "Relationship Deleted", "properties": {"objectId": "o"}},
        '"Relationship Deleted" requires "userId"',
    ),
    Case(
        "relationship-bad-type-id",
        "track",
        {
            "userId": "u1",
            "event": "Relationship Deleted",
            "properties": {"objectId": "o", "objectTypeId": "one"},
        },
        "properties.objectTypeId must be an integer",
    ),
    Case(
        "object-no-object-id",
        "track",
        {"anonymousId": "a1", "event": "Object Deleted"},
        '"Object Deleted" requires properties.objectId',
    ),
    Case(
        "object-bad-type-id",
        "track",
        {
            "anonymousId": "a1",
            "event": "Object Deleted",
            "properties": {"objectId": "o", "objectTypeId": 1.5},
        },
        "properties.objectTypeId must be an integer",
    ),
    Case(
        "delivery-bad-metric",
        "track",
        {
            "anonymousId": "a1",
            "event": "Report Delivery Event",
            "properties": {"deliveryId": "d1", "metric": "bounced"},
        },
        "properties.metric must be one of clicked, converted, delivered, opened",
    ),
    Case(
        "delivery-no-id",
        "track",
        {"anonymousId": "a1", "event": "Report Delivery Event", "properties": {"metric": "opened"}},
        '"Report Delivery Event" requires properties.deliveryId',
    ),
    Case(
        "delivery-no-properties",
        "track",
        {"anonymousId": "a1", "event": "Report Delivery Event"},
        "requires properties.deliveryId",
    ),
    Case(
        "content-bad-action",
        "track",
        {
            "anonymousId": "a1",
            "event": "Report Content Event",
            "properties": {"actionType": "liked"},
        },
        "properties.actionType must be one of",
    ),
    Case(
        "content-id-string",
        "track",
        {"anonymousId": "a1", "event": "Report Content Event", "properties": {"contentId": "3"}},
        "properties.contentId must be an integer",
    ),
    Case(
        "content-no-properties",
        "track",
        {"anonymousId": "a1", "event": "Report Content Event"},
        '"Report Content Event" requires properties (an object)',
    ),
]

ALL_VALID = VALID + SEMANTIC_VALID
ALL_INVALID = INVALID + SEMANTIC_INVALID


def _ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]


def _as_item(case: Case) -> dict[str, Any]:
    return {"type": case.endpoint, **case.message}


class TestCheckMessage:
    """check_message as a pure function, without sockets."""

    @pytest.mark.parametrize("case", ALL_VALID, ids=_ids(ALL_VALID))
    def test_valid_single_call(self, case: Case) -> None:
        """A valid message has no problem at its endpoint."""
        assert check_message(case.message, case.endpoint) == []

    @pytest.mark.parametrize("case", ALL_VALID, ids=_ids(ALL_VALID))
    def test_valid_batch_item(self, case: Case) -> None:
        """A valid message with its type has no problem as a batch item."""
        assert check_message(_as_item(case)) == []

    @pytest.mark.parametrize("case", ALL_INVALID, ids=_ids(ALL_INVALID))
    def test_invalid(self, case: Case) -> None:
        """An invalid message produces a problem naming what is wrong."""
        problems = check_message(case.message, case.endpoint)
        assert case.problem is not None
        assert any(case.problem in p for p in problems), problems
        assert check_message(_as_item(case)) == problems

    def test_several_problems_are_all_listed(self) -> None:
        """Every problem of a message is reported, not only the first."""
        problems = check_message({"type": "track", "traits": [], "timestamp": "x"})
        assert len(problems) == 4, problems

    @pytest.mark.parametrize(
        ("message", "problem"),
        [
            ({"userId": "u1", "event": "E"}, 'a batch item requires "type"'),
            ({"type": "purchase", "userId": "u1"}, '"type" must be one of'),
            ({"type": ["track"], "userId": "u1"}, '"type" must be one of'),
            ([1, 2], "a message must be an object, got array"),
            ("text", "a message must be an object, got string"),
        ],
    )
    def test_batch_item_shape(self, message: Any, problem: str) -> None:
        """A batch item must be an object with a known type."""
        (found,) = check_message(message)
        assert problem in found

    def test_type_must_match_the_endpoint(self) -> None:
        """A single call whose "type" contradicts its path is invalid."""
        problems = check_message({"type": "identify", "userId": "u1", "event": "E"}, "track")
        assert problems == ["\"type\" is 'identify' but the endpoint is /v1/track"]

    def test_unhashable_event_is_reported_not_raised(self) -> None:
        """A list as event name is a problem, not a crash."""
        assert check_message({"userId": "u1", "event": ["x"]}, "track") == [
            '"event" must be a string, got array',
            'track requires a non-empty "event"',
        ]


class TestCheckPayload:
    """check_payload: decoding a body and checking every message in it."""

    def test_batch_accepts_valid_and_lists_invalid(self) -> None:
        """Valid items are accepted and invalid ones rejected with their index."""
        body = msgspec.json.encode(
            {"batch": [{"type": "track", "userId": "u", "event": "E"}, {"type": "track"}]}
        )
        result = check_payload("batch", body)
        assert [m["event"] for m in result.accepted] == ["E"]
        assert [(i, m) for i, _, m in result.rejected] == [(1, {"type": "track"})]
        assert result.errors == [
            'batch[1]: track requires "userId" or "anonymousId"',
            'batch[1]: track requires a non-empty "event"',
        ]

    def test_not_json(self) -> None:
        """A body that is not JSON is unreadable."""
        result = check_payload("track", b"{nope")
        assert result.unreadable
        assert "not valid JSON" in result.errors[0]

    @pytest.mark.parametrize(
        ("body", "problem"),
        [
            (b"{}", "Object missing required field `batch`"),
            (b"[]", "Expected `object`, got `array`"),
            (b'{"batch": {}}', "Expected `array`, got `object` - at `$.batch`"),
            (b'{"batch": [], "context": 1}', "Expected `object | null`, got `int`"),
            (b'{"batch": [], "sentAt": "soon"}', '"sentAt" must be an ISO-8601'),
        ],
    )
    def test_invalid_envelope(self, body: bytes, problem: str) -> None:
        """An envelope of the wrong shape sinks the whole batch."""
        result = check_payload("batch", body)
        assert not result.unreadable
        assert result.accepted == []
        assert problem in result.errors[0]
        assert result.rejected[0][0] is None

    def test_envelope_keys_are_accepted(self) -> None:
        """sentAt, context, integrations, messageId, writeKey and unknown keys are fine."""
        body = msgspec.json.encode(
            {
                "batch": [{"type": "identify", "userId": "u"}],
                "sentAt": "2024-01-02T03:04:05.123456+00:00",
                "context": {"ip": "1.1.1.1"},
                "integrations": {},
                "messageId": "env-1",
                "writeKey": "k",
                "somethingElse": True,
            }
        )
        assert check_payload("batch", body).errors == []

    def test_reject_hook(self) -> None:
        """An extra check can refuse a message that the rules accept."""
        body = msgspec.json.encode({"userId": "u", "event": "E"})
        result = check_payload("track", body, lambda m: "poisoned" if m["event"] == "E" else None)
        assert result.errors == ["poisoned"]


@pytest.fixture(name="shared", scope="module")
def fixture_shared() -> Iterator[LocalServer]:
    """One server for the many HTTP cases of this module (reset before each use)."""
    with LocalServer() as server:
        yield server


@pytest.fixture(name="shared_api")
def fixture_shared_api(shared: LocalServer, api_for: Callable[[LocalServer], Api]) -> Api:
    """An HTTP helper for the shared server, which starts each test empty."""
    shared.reset()
    return api_for(shared)


class TestOverHttp:
    """The same cases posted to the server, single calls and batches, both modes."""

    @pytest.mark.parametrize("case", ALL_VALID, ids=_ids(ALL_VALID))
    def test_valid_is_accepted_everywhere(self, case: Case, shared_api: Api) -> None:
        """A valid message gets 200 {} at its endpoint and in a batch, and is recorded."""
        single = shared_api.call(case.endpoint, case.message)
        assert (single.status_code, single.content) == (200, b"{}")
        assert single.headers["content-type"] == "application/json"
        batch = shared_api.batch([_as_item(case)])
        assert batch.status_code == 200
        server = shared_api.server
        # A single call's message is recorded with the type its path gives it.
        assert server.messages == [_as_item(case), _as_item(case)]
        assert server.rejections == []

    @pytest.mark.parametrize("case", ALL_INVALID, ids=_ids(ALL_INVALID))
    def test_invalid_strict(self, case: Case, shared_api: Api) -> None:
        """In strict mode an invalid message gets 400 naming the problem; nothing is recorded."""
        single = shared_api.call(case.endpoint, case.message)
        assert single.status_code == 400
        assert any(case.problem in e for e in single.json()["meta"]["errors"])
        valid = {"type": "identify", "userId": "ok"}
        batch = shared_api.batch([valid, _as_item(case)])
        assert batch.status_code == 400
        errors = batch.json()["meta"]["errors"]
        assert all(e.startswith("batch[1]: ") for e in errors)
        assert any(case.problem in e for e in errors)
        assert shared_api.server.messages == []

    @pytest.mark.parametrize("case", ALL_INVALID, ids=_ids(ALL_INVALID))
    def test_invalid_permissive(self, case: Case, shared_api: Api) -> None:
        """In permissive mode: 200, valid messages kept, the invalid one recorded as a rejection."""
        single = shared_api.call(case.endpoint, case.message, strict=False)
        assert single.status_code == 200
        valid = {"type": "identify", "userId": "ok"}
        batch = shared_api.batch([valid, _as_item(case)], strict=False)
        assert batch.status_code == 200
        server = shared_api.server
        assert server.messages == [valid]
        single_rejection, batch_rejection = server.rejections
        assert (single_rejection.path, single_rejection.index) == (f"/v1/{case.endpoint}", None)
        assert single_rejection.message == case.message
        assert (batch_rejection.path, batch_rejection.index) == ("/v1/batch", 1)
        assert case.problem is not None
        assert case.problem in batch_rejection.reason
