"""Build and encode one message per call: validation, wire Struct, JSON bytes, size check.

One builder per call type, shared by the Client methods (the hot path) and by
bulk sends. Builders raise at the call site, naming the argument, and never
touch the queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol

from cio_analytics._settings import MAX_MESSAGE_BYTES
from cio_analytics._wire import scope as _scope
from cio_analytics._wire.checks import (
    Timestamp,
    context_arg,
    id_arg,
    identity,
    mapping_arg,
    message_id_arg,
    text_arg,
    timestamp_arg,
)
from cio_analytics._wire.clock import new_message_id, now_timestamp
from cio_analytics._wire.diagnose import diagnose
from cio_analytics._wire.messages import (
    EMPTY_CONTEXT,
    LIBRARY_CLOSE,
    Alias,
    Group,
    Identify,
    Page,
    Screen,
    Track,
)
from cio_analytics._wire.values import ENCODER, scan_dict
from cio_analytics.errors import (
    MessageTooLargeError,
    MissingIdentityError,
    UnsupportedValueError,
    ValidationError,
)

__all__ = [
    "BUILDERS",
    "Emitter",
    "WireMessage",
    "build_alias",
    "build_group",
    "build_identify",
    "build_page",
    "build_screen",
    "build_track",
    "encode_message",
]

WireMessage = Identify | Track | Page | Screen | Group | Alias


class Emitter(Protocol):
    """Where a built message goes: a client queues it, a bulk send collects it.

    The operations and the semantic helpers build their message and hand it
    to ``_emit``, which returns the message id. One method is the whole seam,
    so neither needs a client, only somewhere to put a message.
    """

    def _emit(self, message: WireMessage) -> str: ...

_str = str
_dict = dict
_encode = ENCODER.encode
#: What closing the open message adds (``"library":{...}}}``) minus the ``}`` the encoder drops.
_CLOSE_EXTRA: Final = len(LIBRARY_CLOSE) - 1
_SIZE_GUARD: Final = MAX_MESSAGE_BYTES - _CLOSE_EXTRA
_ENCODE_ERRORS: Final = (TypeError, ValueError, UnicodeEncodeError, RecursionError, OverflowError)


def encode_message(message: WireMessage) -> bytes:
    """The message as queued bytes (open, see ``_messages``); raises if it cannot be sent.

    Raises:
        UnsupportedValueError / InvalidValueError: A value msgspec could not encode
            faithfully, with its key path.
        MessageTooLargeError: Over the API's 32 KB per call.
    """
    try:
        data = _encode(message)
    except _ENCODE_ERRORS as exc:
        raise _encoding_error(message, exc) from None
    if len(data) > _SIZE_GUARD:
        _check_size(message, data)
    # Drop the Struct's closing brace: the message now ends inside its context.
    return data[:-1]


def build_identify(
    user_id: str | int | None = None,
    traits: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    anonymous_id: str | int | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> Identify:
    """Validate identify arguments and build the wire message."""
    if _scope.active:
        user_id, anonymous_id, context = _scope.apply(user_id, anonymous_id, context)
    if traits is not None and (traits.__class__ is not _dict or not scan_dict(traits, 1)):
        traits = mapping_arg(traits, "traits")
    if user_id == "" and anonymous_id is None and traits and traits.get("email"):
        # Customer.io can identify a person by the email trait alone.
        uid: str | None = ""
        aid: str | None = None
    else:
        uid, aid = identity(user_id, anonymous_id)
    return Identify(
        user_id=uid,
        anonymous_id=aid,
        traits=traits,
        integrations=None if integrations is None else mapping_arg(integrations, "integrations"),
        timestamp=now_timestamp() if timestamp is None else timestamp_arg(timestamp),
        message_id=new_message_id() if message_id is None else message_id_arg(message_id),
        context=EMPTY_CONTEXT if context is None else context_arg(context),
    )


def build_track(
    user_id: str | int | None = None,
    event: str | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    anonymous_id: str | int | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> Track:
    """Validate track arguments and build the wire message."""
    if _scope.active:
        user_id, anonymous_id, context = _scope.apply(user_id, anonymous_id, context)
    uid: str | None
    aid: str | None
    if user_id.__class__ is _str and user_id and anonymous_id is None:
        uid, aid = user_id, None  # the common case, without a call
    else:
        uid, aid = identity(user_id, anonymous_id)
    if event.__class__ is not _str or not event:
        event = text_arg(event, "event", required=True)
    if properties is not None and (
        properties.__class__ is not _dict or not scan_dict(properties, 1)
    ):
        properties = mapping_arg(properties, "properties")
    return Track(
        user_id=uid,
        anonymous_id=aid,
        event=event,  # type: ignore[arg-type]
        properties=properties,
        integrations=None if integrations is None else mapping_arg(integrations, "integrations"),
        timestamp=now_timestamp() if timestamp is None else timestamp_arg(timestamp),
        message_id=new_message_id() if message_id is None else message_id_arg(message_id),
        context=EMPTY_CONTEXT if context is None else context_arg(context),
    )


def _page_or_screen(
    cls: type[Page] | type[Screen],
    user_id: str | int | None,
    category: str | None,
    name: str | None,
    properties: Mapping[str, Any] | None,
    context: Mapping[str, Any] | None,
    timestamp: Timestamp | None,
    anonymous_id: str | int | None,
    integrations: Mapping[str, Any] | None,
    message_id: str | None,
) -> Page | Screen:
    if _scope.active:
        user_id, anonymous_id, context = _scope.apply(user_id, anonymous_id, context)
    uid, aid = identity(user_id, anonymous_id)
    props = mapping_arg(properties, "properties")
    checked_category = text_arg(category, "category")
    if checked_category is not None:
        # The API documents category as a property; the official library's
        # top-level "category" field is not in the spec.
        props = {**(props or {}), "category": checked_category}
    return cls(
        user_id=uid,
        anonymous_id=aid,
        name=text_arg(name, "name"),
        properties=props,
        integrations=None if integrations is None else mapping_arg(integrations, "integrations"),
        timestamp=now_timestamp() if timestamp is None else timestamp_arg(timestamp),
        message_id=new_message_id() if message_id is None else message_id_arg(message_id),
        context=EMPTY_CONTEXT if context is None else context_arg(context),
    )


def build_page(
    user_id: str | int | None = None,
    category: str | None = None,
    name: str | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    anonymous_id: str | int | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> Page:
    """Validate page arguments and build the wire message."""
    return _page_or_screen(  # type: ignore[return-value]
        Page, user_id, category, name, properties, context, timestamp, anonymous_id,
        integrations, message_id,
    )  # fmt: skip


def build_screen(
    user_id: str | int | None = None,
    category: str | None = None,
    name: str | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    anonymous_id: str | int | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> Screen:
    """Validate screen arguments and build the wire message."""
    return _page_or_screen(  # type: ignore[return-value]
        Screen, user_id, category, name, properties, context, timestamp, anonymous_id,
        integrations, message_id,
    )  # fmt: skip


def build_group(
    user_id: str | int | None = None,
    group_id: str | int | None = None,
    traits: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    anonymous_id: str | int | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
    *,
    object_type_id: str | int | None = None,
    relationship_attributes: Mapping[str, Any] | None = None,
) -> Group:
    """Validate group arguments and build the wire message.

    ``object_type_id`` goes to ``traits.objectTypeId`` (a string) and
    ``relationship_attributes`` to ``traits.relationshipAttributes``.
    """
    if _scope.active:
        user_id, anonymous_id, context = _scope.apply(user_id, anonymous_id, context)
    gid = id_arg(group_id, "group_id")
    if not gid:
        raise ValidationError("group_id is required (a non-empty str or int)", argument="group_id")
    uid = id_arg(user_id, "user_id")
    aid = id_arg(anonymous_id, "anonymous_id")
    data = mapping_arg(traits, "traits")
    if object_type_id is not None or relationship_attributes is not None:
        data = dict(data or {})
        if object_type_id is not None:
            type_id = id_arg(object_type_id, "object_type_id")
            if not type_id or not type_id.isdigit():
                raise ValidationError(
                    "object_type_id must be a positive integer (or a string of digits), "
                    f"got {object_type_id!r}",
                    argument="object_type_id",
                )
            data["objectTypeId"] = type_id
        if relationship_attributes is not None:
            data["relationshipAttributes"] = mapping_arg(
                relationship_attributes, "relationship_attributes"
            )
    return Group(
        user_id=uid or None,
        anonymous_id=aid or None,
        group_id=gid,
        traits=data,
        integrations=None if integrations is None else mapping_arg(integrations, "integrations"),
        timestamp=now_timestamp() if timestamp is None else timestamp_arg(timestamp),
        message_id=new_message_id() if message_id is None else message_id_arg(message_id),
        context=EMPTY_CONTEXT if context is None else context_arg(context),
    )


def build_alias(
    previous_id: str | int | None = None,
    user_id: str | int | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> Alias:
    """Validate alias arguments and build the wire message."""
    if _scope.active:
        user_id, _, context = _scope.apply(user_id, None, context)
    prev = id_arg(previous_id, "previous_id")
    if not prev:
        raise MissingIdentityError(
            "alias needs previous_id (the id to merge from)", argument="previous_id"
        )
    uid = id_arg(user_id, "user_id")
    if not uid:
        raise MissingIdentityError("alias needs user_id (the id to keep)", argument="user_id")
    return Alias(
        previous_id=prev,
        user_id=uid,
        integrations=None if integrations is None else mapping_arg(integrations, "integrations"),
        timestamp=now_timestamp() if timestamp is None else timestamp_arg(timestamp),
        message_id=new_message_id() if message_id is None else message_id_arg(message_id),
        context=EMPTY_CONTEXT if context is None else context_arg(context),
    )


#: The builder for each call name.
BUILDERS: Final[Mapping[str, Callable[..., WireMessage]]] = {
    "identify": build_identify,
    "track": build_track,
    "page": build_page,
    "screen": build_screen,
    "group": build_group,
    "alias": build_alias,
}


def _encoding_error(message: WireMessage, exc: BaseException) -> Exception:
    """The precise error for a message msgspec could not encode (slow path)."""
    for name in ("properties", "traits", "integrations"):
        value = getattr(message, name, None)
        if value is not None:
            diagnose(value, name)
    for name in ("event", "name", "user_id", "anonymous_id", "group_id", "previous_id"):
        value = getattr(message, name, None)
        if value is not None:
            diagnose(value, name)
    return UnsupportedValueError(
        f"the message cannot be encoded as JSON ({exc})", argument="message", path="message"
    )


def _check_size(message: WireMessage, data: bytes) -> None:
    """Raise MessageTooLargeError, naming the largest part, if the message is over 32 KB."""
    size = len(data) + _CLOSE_EXTRA
    if size <= MAX_MESSAGE_BYTES:
        return
    parts = {
        name: len(ENCODER.encode(getattr(message, name)))
        for name in ("properties", "traits", "context", "integrations")
        if getattr(message, name, None) is not None
    }
    largest = max(parts, key=parts.__getitem__) if parts else "message"
    raise MessageTooLargeError(
        f"the message is {size:,} bytes encoded; Customer.io accepts at most "
        f"{MAX_MESSAGE_BYTES:,} bytes per call ({largest} is {parts.get(largest, size):,} bytes)",
        argument=largest,
        size=size,
        limit=MAX_MESSAGE_BYTES,
    )
