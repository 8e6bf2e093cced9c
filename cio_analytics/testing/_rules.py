"""The wire rules of the Data Pipelines API, as pure functions over decoded JSON.

Each check returns a list of problem strings (empty when the payload is
valid), so the rules can be tested without sockets and reused by every
transport in :mod:`cio_analytics.testing`. The rules come from the API
reference (``cio_api.md`` sections 1-4 and 6):

- every message has a ``type`` (taken from the path for single calls);
- identify/track/page/screen carry ``userId`` or ``anonymousId`` (track may
  carry ``groupId`` instead, the documented third variant); group carries
  ``groupId``; alias carries ``previousId`` and ``userId``; track carries a
  non-empty ``event``;
- ``traits``, ``properties``, ``context`` and ``integrations`` are objects;
  ``timestamp``, ``originalTimestamp`` and ``sentAt`` are ISO-8601
  date-times;
- the Customer.io semantic events have extra required fields
  (:data:`SEMANTIC_RULES`);
- one call is at most 32 KB of JSON and one batch body at most 500 KB.

JSON ``null`` in an optional field counts as absent, with the two exceptions
the API's schema makes (``cio_api.md`` section 6): an identify that has a
``userId`` must not carry ``"anonymousId": null``, and a page or screen must
not carry ``"name": null``. The official Python library sends both, so in
strict mode its identify calls (and its unnamed page and screen calls) are
refused, and in permissive mode they are accepted and recorded as rejections,
as Customer.io's schema would judge them. Extra keys are allowed, as the
OpenAPI description allows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec

from cio_analytics._settings import MAX_BATCH_BYTES, MAX_MESSAGE_BYTES

__all__ = [
    "CONTENT_ACTIONS",
    "DEVICE_TYPES",
    "ENDPOINT_TYPES",
    "MAX_BATCH_BYTES",
    "MAX_MESSAGE_BYTES",
    "METRICS",
    "SEMANTIC_RULES",
    "BatchEnvelope",
    "PayloadCheck",
    "check_batch_envelope",
    "check_message",
    "check_payload",
    "is_datetime",
    "json_type",
]

#: Message types, which are also the single-call endpoint names (``/v1/<type>``).
ENDPOINT_TYPES: Final = frozenset({"identify", "track", "page", "screen", "group", "alias"})
#: Allowed ``context.device.type`` values of the device events.
DEVICE_TYPES: Final = frozenset({"ios", "android"})
#: Allowed ``properties.metric`` values of ``Report Delivery Event``.
METRICS: Final = frozenset({"delivered", "opened", "clicked", "converted"})
#: Allowed ``properties.actionType`` values of ``Report Content Event``.
CONTENT_ACTIONS: Final = frozenset({"viewed_content", "clicked_content"})

class _DateTime:
    """Marks the fields that hold an ISO-8601 date-time string.

    A marker of its own, not ``datetime.datetime``: a test that freezes time
    (freezegun) replaces ``datetime.datetime`` in every loaded module, and the
    rules must not change with it.
    """


#: What each known top-level field must hold when present (null counts as absent):
#: a string, an object, or an ISO-8601 date-time string.
_EXPECTED: Final[Mapping[str, type]] = {
    "userId": str,
    "anonymousId": str,
    "groupId": str,
    "previousId": str,
    "messageId": str,
    "event": str,
    "name": str,
    "category": str,
    "traits": dict,
    "properties": dict,
    "context": dict,
    "integrations": dict,
    "timestamp": _DateTime,
    "originalTimestamp": _DateTime,
    "sentAt": _DateTime,
}
_WHAT: Final[Mapping[type, str]] = {str: "a string", dict: "an object"}

# Per type: groups of fields of which at least one must be a non-empty string,
# each with the problem reported when none is.
_REQUIRED: Final[Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]] = {
    "identify": ((("userId", "anonymousId"), 'identify requires "userId" or "anonymousId"'),),
    "track": (
        (("userId", "anonymousId", "groupId"), 'track requires "userId" or "anonymousId"'),
        (("event",), 'track requires a non-empty "event"'),
    ),
    "page": ((("userId", "anonymousId"), 'page requires "userId" or "anonymousId"'),),
    "screen": ((("userId", "anonymousId"), 'screen requires "userId" or "anonymousId"'),),
    "group": ((("groupId",), 'group requires a non-empty "groupId"'),),
    "alias": (
        (("previousId",), 'alias requires a non-empty "previousId"'),
        (("userId",), 'alias requires a non-empty "userId"'),
    ),
}

_JSON_TYPES: Final[Mapping[type, str]] = {
    dict: "object",
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type (``object``, ``array``, ``string`` ...)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def is_datetime(value: str) -> bool:
    """Whether ``value`` is an ISO-8601 date-time (a date alone is not enough)."""
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    # fromisoformat also takes a bare date; the API wants a date and a time.
    return len(value) > 10


def _filled(message: Mapping[str, Any], key: str) -> bool:
    value = message.get(key)
    return value.__class__ is str and value != ""


def _get_path(message: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a dotted path, or None when any step is missing or not an object."""
    value: Any = message
    for key in path:
        if value.__class__ is not dict:
            return None
        value = value.get(key)
    return value


def _is_integer_id(value: object) -> bool:
    """An integer, or a string of digits (object type ids are stringified integers)."""
    if value.__class__ is int:
        return True
    return value.__class__ is str and value.isascii() and value.isdigit()


# -- semantic events ------------------------------------------------------------
# Each check takes the message and returns a problem string, or None.

_Check = Callable[[Mapping[str, Any]], "str | None"]


def _needs_user_id(event: str) -> _Check:
    def check(message: Mapping[str, Any]) -> str | None:
        if _filled(message, "userId"):
            return None
        return f'"{event}" requires "userId"'

    return check


def _needs_person(event: str) -> _Check:
    # The SPEC requires anonymousId for Object Deleted (no person is involved);
    # a userId is accepted as well, since every track call may carry either.
    def check(message: Mapping[str, Any]) -> str | None:
        if _filled(message, "anonymousId") or _filled(message, "userId"):
            return None
        return f'"{event}" requires "anonymousId" (or "userId")'

    return check


def _needs_string(event: str, *path: str) -> _Check:
    where = ".".join(path)

    def check(message: Mapping[str, Any]) -> str | None:
        value = _get_path(message, path)
        if value.__class__ is str and value:
            return None
        if value is None:
            return f'"{event}" requires {where} (a non-empty string)'
        return f'"{event}": {where} must be a non-empty string, got {json_type(value)}'

    return check


def _needs_object(event: str, *path: str) -> _Check:
    where = ".".join(path)

    def check(message: Mapping[str, Any]) -> str | None:
        value = _get_path(message, path)
        if value.__class__ is dict:
            return None
        if value is None:
            return f'"{event}" requires {where} (an object)'
        return f'"{event}": {where} must be an object, got {json_type(value)}'

    return check


def _one_of(event: str, allowed: frozenset[str], *path: str, required: bool) -> _Check:
    where = ".".join(path)
    choices = ", ".join(sorted(allowed))

    def check(message: Mapping[str, Any]) -> str | None:
        value = _get_path(message, path)
        if value is None and not required:
            return None
        if value.__class__ is str and value in allowed:
            return None
        if value is None:
            return f'"{event}" requires {where} (one of {choices})'
        return f'"{event}": {where} must be one of {choices}, got {value!r}'

    return check


def _integer_id(event: str, *path: str) -> _Check:
    where = ".".join(path)

    def check(message: Mapping[str, Any]) -> str | None:
        value = _get_path(message, path)
        if value is None or _is_integer_id(value):
            return None
        return f'"{event}": {where} must be an integer (or a string of digits), got {value!r}'

    return check


def _integer(event: str, *path: str) -> _Check:
    where = ".".join(path)

    def check(message: Mapping[str, Any]) -> str | None:
        value = _get_path(message, path)
        if value is None or value.__class__ is int:
            return None
        return f'"{event}": {where} must be an integer, got {json_type(value)}'

    return check


def _device_event(event: str) -> tuple[_Check, ...]:
    return (
        _needs_user_id(event),
        _needs_string(event, "context", "device", "token"),
        _one_of(event, DEVICE_TYPES, "context", "device", "type", required=False),
    )


def _object_event(event: str, identity: _Check) -> tuple[_Check, ...]:
    return (
        identity,
        _needs_string(event, "properties", "objectId"),
        _integer_id(event, "properties", "objectTypeId"),
    )


#: The Customer.io semantic events (``cio_api.md`` section 4.1): event name ->
#: the checks a track message with that name must pass.
SEMANTIC_RULES: Final[Mapping[str, tuple[_Check, ...]]] = {
    "Device Created or Updated": _device_event("Device Created or Updated"),
    "Device Deleted": _device_event("Device Deleted"),
    "User Deleted": (_needs_user_id("User Deleted"),),
    "User Suppressed": (_needs_user_id("User Suppressed"),),
    "User Unsuppressed": (_needs_user_id("User Unsuppressed"),),
    "Relationship Deleted": _object_event(
        "Relationship Deleted", _needs_user_id("Relationship Deleted")
    ),
    "Object Deleted": _object_event("Object Deleted", _needs_person("Object Deleted")),
    "Report Delivery Event": (
        _needs_string("Report Delivery Event", "properties", "deliveryId"),
        _one_of("Report Delivery Event", METRICS, "properties", "metric", required=True),
    ),
    # The SPEC marks "activityType" required but only defines "actionType";
    # following its prose, actionType is checked when present and nothing more.
    "Report Content Event": (
        _needs_object("Report Content Event", "properties"),
        _one_of(
            "Report Content Event", CONTENT_ACTIONS, "properties", "actionType", required=False
        ),
        _integer("Report Content Event", "properties", "contentId"),
        _integer("Report Content Event", "properties", "templateId"),
    ),
}


def _check_group_traits(traits: Mapping[str, Any], problems: list[str]) -> None:
    """Add the problems of a group's object type id and relationship attributes."""
    for key in ("objectTypeId", "object_type_id"):
        value = traits.get(key)
        if value is not None and not _is_integer_id(value):
            problems.append(
                f"group traits.{key} must be a string of digits (or an integer), got {value!r}"
            )
    relationship = traits.get("relationshipAttributes")
    if relationship is not None and relationship.__class__ is not dict:
        problems.append(
            f"group traits.relationshipAttributes must be an object, got {json_type(relationship)}"
        )


def _check_group(message: Mapping[str, Any], problems: list[str]) -> None:
    """Add the problems of a group message's traits (when they are an object)."""
    traits = message.get("traits")
    if traits.__class__ is dict:
        _check_group_traits(traits, problems)


def _check_semantic_event(message: Mapping[str, Any], problems: list[str]) -> None:
    """Add the problems of a track message against its event's SEMANTIC_RULES, if any."""
    event = message.get("event")
    rules = SEMANTIC_RULES.get(event) if event.__class__ is str else None
    if rules is not None:
        for rule in rules:
            found = rule(message)
            if found is not None:
                problems.append(found)


def _check_identify(message: Mapping[str, Any], problems: list[str]) -> None:
    """Add a problem for ``"anonymousId": null`` beside a userId (the schema refuses it)."""
    if message.get("userId") and "anonymousId" in message and message["anonymousId"] is None:
        problems.append(
            '"anonymousId" is null; an identify with a "userId" must leave it out or '
            "give a string (the API's schema refuses null here)"
        )


def _check_named_view(message: Mapping[str, Any], problems: list[str]) -> None:
    """Add a problem for ``"name": null`` on a page or screen (the schema refuses it)."""
    if "name" in message and message["name"] is None:
        problems.append(
            '"name" is null; leave it out or give a string (the API\'s schema refuses '
            "null here)"
        )


#: The rules of a message type beyond its field types and required fields:
#: type -> the check that adds the problems it finds.
_TYPE_RULES: Final[Mapping[str, Callable[[Mapping[str, Any], list[str]], None]]] = {
    "track": _check_semantic_event,
    "group": _check_group,
    "identify": _check_identify,
    "page": _check_named_view,
    "screen": _check_named_view,
}


def _batch_item_type_problem(kind: object) -> str:
    """Why a batch item's ``type`` (missing, or not a message type) is refused."""
    if kind is None:
        return 'a batch item requires "type"'
    return f'"type" must be one of {", ".join(sorted(ENDPOINT_TYPES))}, got {kind!r}'


def _check_field_types(message: Mapping[str, Any], problems: list[str]) -> None:
    """Add a problem for each known top-level field holding the wrong type (_EXPECTED)."""
    # Written for speed: this runs for every message the full check sees.
    for key, value in message.items():
        expected = _EXPECTED.get(key)
        if expected is None or value is None or value.__class__ is expected:
            continue
        if expected is _DateTime:
            if value.__class__ is str and is_datetime(value):
                continue
            problems.append(f'"{key}" must be an ISO-8601 date-time, got {value!r}')
        else:
            problems.append(f'"{key}" must be {_WHAT[expected]}, got {json_type(value)}')


def _check_required(message: Mapping[str, Any], kind: str, problems: list[str]) -> None:
    """Add the problem of each group of _REQUIRED[kind] that has no non-empty string."""
    get = message.get
    for fields, problem in _REQUIRED[kind]:
        for name in fields:
            value = get(name)
            if value.__class__ is str and value:
                break
        else:
            traits = get("traits")
            if kind == "identify" and traits.__class__ is dict and _filled(traits, "email"):
                # "you can pass an empty userId or anonymousId, and identify
                # people by their email trait" (SPEC, identify).
                continue
            problems.append(problem)


def check_message(message: Any, endpoint: str | None = None) -> list[str]:
    """Check one message against the wire rules.

    Args:
        message: The decoded message (a dict when it is valid).
        endpoint: The single-call endpoint it came through (``"track"`` for
            ``/v1/track``), or None for an item of a batch, which must then
            carry its own ``type``.

    Returns:
        The problems found, in readable English; empty when the message is valid.
    """
    if message.__class__ is not dict:
        return [f"a message must be an object, got {json_type(message)}"]
    problems: list[str] = []
    kind = message.get("type")
    if endpoint is None:
        if kind.__class__ is not str or kind not in ENDPOINT_TYPES:
            return [_batch_item_type_problem(kind)]
    else:
        if kind is not None and kind != endpoint:
            problems.append(f'"type" is {kind!r} but the endpoint is /v1/{endpoint}')
        kind = endpoint
    _check_field_types(message, problems)
    _check_required(message, kind, problems)
    type_rules = _TYPE_RULES.get(kind)
    if type_rules is not None:
        type_rules(message, problems)
    return problems


class BatchEnvelope(msgspec.Struct, rename="camel"):
    """The body of ``POST /v1/batch``: the messages and the keys shared by all of them.

    On the wire the keys are ``batch``, ``sentAt``, ``context``,
    ``integrations``, ``messageId`` and ``writeKey`` (which Segment's library
    adds). Other keys are ignored, as the OpenAPI description does not forbid
    them.
    """

    batch: list[Any]
    sent_at: str | None = None
    context: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    message_id: str | None = None
    write_key: str | None = None


def check_batch_envelope(envelope: BatchEnvelope) -> list[str]:
    """Check what msgspec's typed decoding cannot: the envelope's ``sentAt``.

    Returns:
        The problems found; empty when the envelope is valid.
    """
    if envelope.sent_at is not None and not is_datetime(envelope.sent_at):
        return [f'"sentAt" must be an ISO-8601 date-time, got {envelope.sent_at!r}']
    return []


class _RawBatch(msgspec.Struct, rename="camel"):
    """The envelope with its messages as undecoded slices of the body (exact sizes)."""

    batch: list[msgspec.Raw]
    sent_at: str | None = None
    context: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    message_id: str | None = None
    write_key: str | None = None


_batch_decoder: Final = msgspec.json.Decoder(BatchEnvelope)
_raw_batch_decoder: Final = msgspec.json.Decoder(_RawBatch)
_call_decoder: Final = msgspec.json.Decoder(dict[str, Any])
_any_decoder: Final = msgspec.json.Decoder()


@dataclass(slots=True)
class PayloadCheck:
    """The verdict on one request body.

    Attributes:
        accepted: Valid messages, in order.
        rejected: ``(index, reason, message)`` for each invalid message; the
            index is the position in the batch (None for a single call), the
            message None when the problem concerns the whole body.
        problems: The separate problems of each ``rejected`` entry, in the same
            order (``reason`` is them joined with ``"; "``).
        errors: Every problem, as the strict-mode error body lists them.
        unreadable: The body is not JSON at all (a 400 in every mode).
        too_large: A batch body over the 500 KB limit (a 413 in strict mode).
    """

    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[int | None, str, dict[str, Any] | None]] = field(default_factory=list)
    problems: list[tuple[str, ...]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unreadable: bool = False
    too_large: bool = False

    def reject_body(self, problem: str, message: dict[str, Any] | None = None) -> None:
        """Record a problem that sinks the whole body."""
        self.errors.append(problem)
        self.rejected.append((None, problem, message))
        self.problems.append((problem,))

    def reject(self, index: int | None, problems: list[str], message: dict[str, Any]) -> None:
        """Record an invalid message: its position, its problems, the message."""
        self.rejected.append((index, "; ".join(problems), message))
        self.problems.append(tuple(problems))


#: An extra per-message check of check_payload: a reason to refuse, or None.
_Reject = Callable[[dict[str, Any]], "str | None"]


def check_payload(
    endpoint: str,
    data: bytes,
    reject: Callable[[dict[str, Any]], str | None] | None = None,
) -> PayloadCheck:
    """Decode a (decompressed) request body with msgspec and check every message in it.

    Args:
        endpoint: ``"batch"`` or a message type (``"track"`` for ``/v1/track`` ...).
        data: The JSON body, already gunzipped.
        reject: An extra per-message check (a fault injected by a test):
            returns a reason to refuse the message, or None.

    Returns:
        The accepted messages and the problems found. An accepted single call
        without a ``type`` gets the one its path implies, as the API does.
    """
    if endpoint == "batch":
        return _check_batch(data, reject)
    return _check_call(endpoint, data, reject)


def _check_batch(data: bytes, reject: _Reject | None) -> PayloadCheck:
    """The verdict on a ``/v1/batch`` body: its size, its envelope, then each message."""
    result = PayloadCheck()
    if len(data) > MAX_BATCH_BYTES:
        result.too_large = True
        result.reject_body(
            f"the batch body is {len(data):,} bytes; the limit is {MAX_BATCH_BYTES:,}"
        )
        return result
    decoded = _decode_batch(data, result)
    if decoded is None:
        return result
    envelope, sizes = decoded
    envelope_problems = check_batch_envelope(envelope)
    if envelope_problems:
        for problem in envelope_problems:
            result.reject_body(problem)
        return result
    _check_batch_messages(envelope.batch, sizes, reject, result)
    return result


def _decode_batch(
    data: bytes, result: PayloadCheck
) -> tuple[BatchEnvelope, list[int] | None] | None:
    """The envelope and, for a big body, each message's size; None once ``result`` says why not."""
    big = len(data) > MAX_MESSAGE_BYTES  # else no message in it can be over the limit
    try:
        if big:
            # Slices first (exact per-message sizes), then each slice decoded:
            # one pass over the body instead of two.
            raw_envelope = _raw_batch_decoder.decode(data)
            sizes: list[int] | None = [len(raw) for raw in raw_envelope.batch]
            envelope = BatchEnvelope(
                batch=[_any_decoder.decode(raw) for raw in raw_envelope.batch],
                sent_at=raw_envelope.sent_at,
            )
        else:
            sizes = None
            envelope = _batch_decoder.decode(data)
    except msgspec.ValidationError as exc:
        result.reject_body(f"invalid batch body: {exc}")
        return None
    except msgspec.DecodeError as exc:
        result.unreadable = True
        result.reject_body(f"the body is not valid JSON: {exc}")
        return None
    return envelope, sizes


def _check_batch_messages(
    messages: list[Any], sizes: list[int] | None, reject: _Reject | None, result: PayloadCheck
) -> None:
    """Check each message of a batch and record it in ``result`` as accepted or rejected."""
    for index, message in enumerate(messages):
        problems = check_message(message)
        if sizes is not None and not problems:
            size = sizes[index]
            if size > MAX_MESSAGE_BYTES:
                problems.append(
                    f"the message is {size:,} bytes; one call may be at most {MAX_MESSAGE_BYTES:,}"
                )
        if not problems and reject is not None:
            reason = reject(message)
            if reason is not None:
                problems.append(reason)
        if problems:
            result.errors.extend(f"batch[{index}]: {p}" for p in problems)
            result.reject(index, problems, message)
        else:
            result.accepted.append(message)


def _check_call(endpoint: str, data: bytes, reject: _Reject | None) -> PayloadCheck:
    """The verdict on a single call's body (``/v1/track`` ...)."""
    result = PayloadCheck()
    try:
        message = _call_decoder.decode(data)
    except msgspec.ValidationError as exc:
        result.reject_body(f"the body must be a JSON object: {exc}")
        return result
    except msgspec.DecodeError as exc:
        result.unreadable = True
        result.reject_body(f"the body is not valid JSON: {exc}")
        return result
    if len(data) > MAX_MESSAGE_BYTES:
        result.reject_body(
            f"the body is {len(data):,} bytes; one call may be at most {MAX_MESSAGE_BYTES:,}",
            message,
        )
        return result
    problems = check_message(message, endpoint)
    if not problems and reject is not None:
        reason = reject(message)
        if reason is not None:
            problems.append(reason)
    if problems:
        result.errors.extend(problems)
        result.reject(None, problems, message)
    else:
        if message.get("type") is None:
            message["type"] = endpoint  # what the API does: the path sets the type
        result.accepted.append(message)
    return result
