"""Customer.io operations on top of the core calls: people, devices, objects, metrics.

Each operation is a plain function whose first argument is where the message
goes (an :class:`~cio_analytics._wire.build.Emitter`: a ``Client``, or the
collector of a bulk send). :class:`cio_analytics.Client` binds every one of
them as a method, and the module-level API forwards to them through the
default client, so each signature is written once, here.

Every operation checks its own arguments (errors name them), then builds one
``track`` or ``group`` message with the same builder a direct call uses, so
the message is validated, encoded, queued and batched exactly like a direct
call, and the operation returns its message id. The event each one sends, its
documented property keys and their checks come from the operation's entry in
the event table (:data:`~cio_analytics._spec.table.OPERATION_EVENTS`).

Wire choices, where the API reference leaves room (``cio_api.md`` sections 4
and 6):

- Device events put ``token`` and ``type`` in ``context.device`` (merged into
  the caller's context), which is where the API requires them. They are not
  copied into ``properties.device``: the documented schema does not read them
  there, and ``properties`` carries the device attributes instead.
- ``objectTypeId`` is a string of digits in ``group`` traits, and an integer
  in the properties of ``Object Deleted`` and ``Relationship Deleted``. The
  helpers take either form and send each one as its schema wants.
- ``Object Deleted`` requires an ``anonymousId`` although no person is
  involved, and the track variants used for ``Report Delivery Event`` and
  ``Report Content Event`` need a ``userId`` or an ``anonymousId``. When the
  caller gives neither, these three use a new random UUID as the
  ``anonymousId``, so no real person's profile is touched.
- Objects without a person are sent as ``group`` calls without ``userId`` or
  ``anonymousId``, as Customer.io documents for updating an object alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

from cio_analytics._spec.table import (
    DEVICE_TOKEN,
    DEVICE_TYPE,
    OBJECT_TYPE_ID,
    OPERATION_EVENTS,
)
from cio_analytics._wire.build import Emitter, build_group, build_track
from cio_analytics._wire.checks import Timestamp, id_arg, text_arg
from cio_analytics.errors import ArgumentTypeError, MissingIdentityError, ValidationError
from cio_analytics.events import ContentAction, DeliveryMetric, DeviceType

__all__ = [
    "OPERATIONS",
    "add_device",
    "create_object",
    "create_relationship",
    "delete_device",
    "delete_object",
    "delete_relationship",
    "delete_user",
    "report_content_event",
    "report_delivery_event",
    "suppress_user",
    "unsuppress_user",
    "update_object",
]

#: The object type the signatures default to (the table's default, as group traits send it).
_DEFAULT_OBJECT_TYPE: Final = str(OBJECT_TYPE_ID.default)


# -- argument checks -------------------------------------------------------------


def _missing(name: str, operation: str) -> ValidationError:
    """The error for a required id left out or empty (MissingIdentityError for ``user_id``)."""
    error = MissingIdentityError if name == "user_id" else ValidationError
    return error(f"{operation} needs {name} (a non-empty str or int)", argument=name)


def _required_id(value: object, name: str, operation: str) -> str:
    checked = id_arg(value, name)
    if not checked:
        raise _missing(name, operation)
    return checked


def _mapping(value: object, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(f"{name} must be a dict, got {type(value).__name__}", argument=name)
    return dict(value)


def _object_type_id(value: object) -> int:
    """An object type id given as an int or a string of digits, as an int (None: the default)."""
    if value is None:
        value = OBJECT_TYPE_ID.default
    checked: int = OBJECT_TYPE_ID.kind.check(value, OBJECT_TYPE_ID.name)
    return checked


def _documented(
    operation: str, arguments: Mapping[str, object], extra: object = None
) -> dict[str, Any]:
    """The ``properties`` of an operation's event: ``extra``, then its documented keys.

    The table's entry for ``operation`` lists the keys; each one's argument
    (taken from ``arguments``, by name) is checked with its kind. An argument
    left as None takes the key's default, or is left out unless it is
    required: a required id that is missing or empty raises ValidationError
    (a required value of another kind is refused by its check).
    """
    merged = _mapping(extra, "properties") or {}
    for prop in OPERATION_EVENTS[operation].properties:
        value = arguments[prop.name]
        if value is None:
            value = prop.default
        if value is None and not prop.required:
            continue
        checked = prop.kind.check(value, prop.name)
        if prop.required and not checked:  # an id that is empty
            raise _missing(prop.name, operation)
        merged[prop.key] = checked
    return merged


def _device_context(
    context: Mapping[str, Any] | None, token: object, device_type: object
) -> dict[str, Any]:
    """The caller's context with ``device.token`` (and ``device.type``) set."""
    checked_token = text_arg(token, DEVICE_TOKEN.name, required=True)
    kind = None if device_type is None else DEVICE_TYPE.kind.check(device_type, DEVICE_TYPE.name)
    merged = _mapping(context, "context") or {}
    device = merged.get("device")
    if device is None:
        device = {}
    elif not isinstance(device, Mapping):
        raise ArgumentTypeError(
            f"context['device'] must be a dict, got {type(device).__name__}", argument="context"
        )
    device = {**device, DEVICE_TOKEN.key: checked_token}
    if kind is not None:
        device[DEVICE_TYPE.key] = kind
    merged["device"] = device
    return merged


def _anonymous(user_id: object, anonymous_id: object) -> str | int | None:
    """The caller's anonymous id, or a fresh one when no identity was given at all."""
    if anonymous_id is None and (user_id is None or user_id == ""):
        return str(uuid.uuid4())
    return anonymous_id  # type: ignore[return-value]  # checked by the track builder



# -- people ------------------------------------------------------------------

def delete_user(
    self: Emitter,
    user_id: str | int,
    *,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Delete a person from the workspace (the ``User Deleted`` event).

    Args:
        user_id: The person's id.
        properties: Extra event properties (optional).
        context, timestamp, integrations, message_id: As for ``track``.

    Example::

        client.delete_user("user_1")

    Returns:
        The message id.

    Raises:
        MissingIdentityError: ``user_id`` is missing or empty.
    """
    return self._emit(
        build_track(
            user_id=_required_id(user_id, "user_id", "delete_user"),
            event=OPERATION_EVENTS["delete_user"].name,
            properties=properties,
            context=context,
            timestamp=timestamp,
            integrations=integrations,
            message_id=message_id,
        )
    )

def suppress_user(
    self: Emitter,
    user_id: str | int,
    *,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Delete a person and suppress their id, so it cannot be added back (``User Suppressed``).

    Args:
        user_id: The person's id.
        properties: Extra event properties (optional).
        context, timestamp, integrations, message_id: As for ``track``.

    Example::

        client.suppress_user("user_1")

    Returns:
        The message id.

    Raises:
        MissingIdentityError: ``user_id`` is missing or empty.
    """
    return self._emit(
        build_track(
            user_id=_required_id(user_id, "user_id", "suppress_user"),
            event=OPERATION_EVENTS["suppress_user"].name,
            properties=properties,
            context=context,
            timestamp=timestamp,
            integrations=integrations,
            message_id=message_id,
        )
    )

def unsuppress_user(
    self: Emitter,
    user_id: str | int,
    *,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Lift a suppression, so the id can be added again (``User Unsuppressed``).

    Args:
        user_id: The suppressed person's id.
        properties: Extra event properties (optional).
        context, timestamp, integrations, message_id: As for ``track``.

    Example::

        client.unsuppress_user("user_1")

    Returns:
        The message id.

    Raises:
        MissingIdentityError: ``user_id`` is missing or empty.
    """
    return self._emit(
        build_track(
            user_id=_required_id(user_id, "user_id", "unsuppress_user"),
            event=OPERATION_EVENTS["unsuppress_user"].name,
            properties=properties,
            context=context,
            timestamp=timestamp,
            integrations=integrations,
            message_id=message_id,
        )
    )

# -- devices -----------------------------------------------------------------

def add_device(
    self: Emitter,
    user_id: str | int,
    token: str,
    device_type: DeviceType | Literal["ios", "android"] = DeviceType.IOS,
    attributes: Mapping[str, Any] | None = None,
    *,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Register a person's device for push, or update it (``Device Created or Updated``).

    The token and type go in ``context.device`` (merged with any
    ``context["device"]`` you pass); ``attributes`` become the event
    properties, which Customer.io stores on the device (``app_version``,
    ``last_used`` ...). Not copied into ``properties.device``: the API reads
    the device from the context.

    Args:
        user_id: The device owner's id.
        token: The push token (APNs or FCM).
        device_type: ``"ios"`` or ``"android"`` (any case; or a :class:`DeviceType`).
        attributes: Device attributes (optional).
        context, timestamp, integrations, message_id: As for ``track``.

    Example::

        client.add_device("user_1", "fcm-token-123", "android", {"app_version": "2.1.0"})

    Returns:
        The message id.

    Raises:
        MissingIdentityError: ``user_id`` is missing or empty.
        ValidationError: ``token`` is empty, or ``device_type`` is not ios/android.
        ArgumentTypeError: ``token`` is not a str, ``attributes`` not a dict.
    """
    uid = _required_id(user_id, "user_id", "add_device")
    device_context = _device_context(context, token, device_type)
    return self._emit(
        build_track(
            user_id=uid,
            event=OPERATION_EVENTS["add_device"].name,
            properties=_mapping(attributes, "attributes"),
            context=device_context,
            timestamp=timestamp,
            integrations=integrations,
            message_id=message_id,
        )
    )

def delete_device(
    self: Emitter,
    user_id: str | int,
    token: str,
    device_type: DeviceType | Literal["ios", "android"] | None = None,
    *,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Remove a person's device (``Device Deleted``), e.g. when they log out.

    Args:
        user_id: The device owner's id.
        token: The push token of the device to remove.
        device_type: ``"ios"`` or ``"android"`` (optional; sent when given).
        context, timestamp, integrations, message_id: As for ``track``.

    Example::

        client.delete_device("user_1", "fcm-token-123")

    Returns:
        The message id.

    Raises:
        MissingIdentityError: ``user_id`` is missing or empty.
        ValidationError: ``token`` is empty, or ``device_type`` is not ios/android.
    """
    uid = _required_id(user_id, "user_id", "delete_device")
    return self._emit(
        build_track(
            user_id=uid,
            event=OPERATION_EVENTS["delete_device"].name,
            context=_device_context(context, token, device_type),
            timestamp=timestamp,
            integrations=integrations,
            message_id=message_id,
        )
    )

# -- objects and relationships -------------------------------------------------

def create_object(
    self: Emitter,
    object_id: str | int,
    attributes: Mapping[str, Any] | None = None,
    *,
    object_type_id: str | int | None = _DEFAULT_OBJECT_TYPE,
    user_id: str | int | None = None,
    anonymous_id: str | int | None = None,
    relationship_attributes: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Create or update an object (a company, an account ...), optionally relating a person.

    Sent as a ``group`` call: ``group_id`` is the object id,
    ``traits.objectTypeId`` its type (a string), the other traits its
    attributes. With ``user_id`` (or ``anonymous_id``) the person is related
    to the object, with ``relationship_attributes`` on that relationship;
    without one, only the object is written (a group call without a
    person, as Customer.io documents for updating an object alone).
    Customer.io upserts either way: :meth:`update_object` sends the same call.

    Args:
        object_id: The object's id within its type.
        attributes: The object's attributes (optional).
        object_type_id: The object type, an int or a str of digits (default ``"1"``; None too).
        user_id: A person to relate to the object (optional).
        anonymous_id: An anonymous person to relate instead (optional).
        relationship_attributes: Attributes of the person's relationship
            (needs ``user_id`` or ``anonymous_id``).
        context, timestamp, integrations, message_id: As for ``group``.

    Example::

        client.create_object("acme", {"name": "Acme", "plan": "pro"}, user_id="user_1")

    Returns:
        The message id.

    Raises:
        ValidationError: ``object_id`` is empty, ``object_type_id`` is not a
            positive integer, or ``relationship_attributes`` is given without a person.
    """
    oid = _required_id(object_id, "object_id", "create_object")
    type_id = _object_type_id(object_type_id)
    relationship = _mapping(relationship_attributes, "relationship_attributes")
    if relationship is not None and not (user_id or anonymous_id):
        raise ValidationError(
            "relationship_attributes describe a person's relationship to the object: "
            "give user_id (or anonymous_id) too",
            argument="relationship_attributes",
        )
    return self._emit(
        build_group(
            user_id=user_id,
            group_id=oid,
            traits=_mapping(attributes, "attributes"),
            context=context,
            timestamp=timestamp,
            anonymous_id=anonymous_id,
            integrations=integrations,
            message_id=message_id,
            object_type_id=str(type_id),
            relationship_attributes=relationship,
        )
    )

def update_object(
    self: Emitter,
    object_id: str | int,
    attributes: Mapping[str, Any] | None = None,
    *,
    object_type_id: str | int | None = _DEFAULT_OBJECT_TYPE,
    user_id: str | int | None = None,
    anonymous_id: str | int | None = None,
    relationship_attributes: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Update an object's attributes; the same upsert as :meth:`create_object`.

    Args:
        object_id: The object's id within its type.
        attributes: The attributes to set.
        object_type_id: The object type, an int or a str of digits (default ``"1"``; None too).
        user_id, anonymous_id, relationship_attributes: As for :meth:`create_object`.
        context, timestamp, integrations, message_id: As for ``group``.

    Example::

        client.update_object("acme", {"plan": "enterprise"}, object_type_id=2)

    Returns:
        The message id.
    """
    return create_object(
        self,
        object_id,
        attributes,
        object_type_id=object_type_id,
        user_id=user_id,
        anonymous_id=anonymous_id,
        relationship_attributes=relationship_attributes,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )

def create_relationship(
    self: Emitter,
    user_id: str | int | None,
    object_id: str | int,
    object_type_id: str | int | None = _DEFAULT_OBJECT_TYPE,
    *,
    relationship_attributes: Mapping[str, Any] | None = None,
    anonymous_id: str | int | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Relate a person to an object (a ``group`` call without object attributes).

    Args:
        user_id: The person's id (None with ``anonymous_id``).
        object_id: The object's id within its type.
        object_type_id: The object type, an int or a str of digits (default ``"1"``; None too).
        relationship_attributes: Attributes of the relationship (``{"role": "admin"}``).
        anonymous_id: An anonymous person instead of ``user_id``.
        context, timestamp, integrations, message_id: As for ``group``.

    Example::

        client.create_relationship("user_1", "acme", relationship_attributes={"role": "admin"})

    Returns:
        The message id.

    Raises:
        MissingIdentityError: Neither ``user_id`` nor ``anonymous_id``.
        ValidationError: ``object_id`` is empty or ``object_type_id`` not a positive integer.
    """
    if not id_arg(user_id, "user_id") and not id_arg(anonymous_id, "anonymous_id"):
        raise MissingIdentityError(
            "create_relationship needs user_id (or anonymous_id): the person to relate",
            argument="user_id",
        )
    oid = _required_id(object_id, "object_id", "create_relationship")
    type_id = _object_type_id(object_type_id)
    return self._emit(
        build_group(
            user_id=user_id,
            group_id=oid,
            context=context,
            timestamp=timestamp,
            anonymous_id=anonymous_id,
            integrations=integrations,
            message_id=message_id,
            object_type_id=str(type_id),
            relationship_attributes=_mapping(relationship_attributes, "relationship_attributes"),
        )
    )

def delete_object(
    self: Emitter,
    object_id: str | int,
    object_type_id: str | int | None = _DEFAULT_OBJECT_TYPE,
    *,
    anonymous_id: str | int | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Delete an object (``Object Deleted``), with every relationship to it.

    Sends ``properties.objectId`` (a string) and ``properties.objectTypeId``
    (an integer, as this event's schema wants). The API requires an
    ``anonymousId`` on this event although no person is involved: a new
    random one is used unless you pass ``anonymous_id``.

    Args:
        object_id: The object's id within its type.
        object_type_id: The object type, an int or a str of digits (default ``"1"``; None too).
        anonymous_id: The anonymousId to send (default: a new UUID).
        context, timestamp, integrations, message_id: As for ``track``.

    Example::

        client.delete_object("acme", object_type_id=1)

    Returns:
        The message id.

    Raises:
        ValidationError: ``object_id`` is empty or ``object_type_id`` not a positive integer.
    """
    props = _documented("delete_object", locals())
    return self._emit(
        build_track(
            event=OPERATION_EVENTS["delete_object"].name,
            properties=props,
            context=context,
            timestamp=timestamp,
            anonymous_id=_anonymous(None, anonymous_id),
            integrations=integrations,
            message_id=message_id,
        )
    )

def delete_relationship(
    self: Emitter,
    user_id: str | int,
    object_id: str | int,
    object_type_id: str | int | None = _DEFAULT_OBJECT_TYPE,
    *,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Remove a person's relationship to an object (``Relationship Deleted``).

    Sends ``properties.objectId`` (a string) and ``properties.objectTypeId``
    (an integer, as this event's schema wants).

    Args:
        user_id: The person's id.
        object_id: The object's id within its type.
        object_type_id: The object type, an int or a str of digits (default ``"1"``; None too).
        context, timestamp, integrations, message_id: As for ``track``.

    Example::

        client.delete_relationship("user_1", "acme")

    Returns:
        The message id.

    Raises:
        MissingIdentityError: ``user_id`` is missing or empty.
        ValidationError: ``object_id`` is empty or ``object_type_id`` not a positive integer.
    """
    uid = _required_id(user_id, "user_id", "delete_relationship")
    props = _documented("delete_relationship", locals())
    return self._emit(
        build_track(
            user_id=uid,
            event=OPERATION_EVENTS["delete_relationship"].name,
            properties=props,
            context=context,
            timestamp=timestamp,
            integrations=integrations,
            message_id=message_id,
        )
    )

# -- message metrics ---------------------------------------------------------

def report_delivery_event(
    self: Emitter,
    delivery_id: str | int,
    metric: DeliveryMetric | Literal["delivered", "opened", "clicked", "converted"],
    recipient: str | None = None,
    reason: str | None = None,
    href: str | None = None,
    action_value: str | None = None,
    *,
    user_id: str | int | None = None,
    anonymous_id: str | int | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Report what happened to a message Customer.io sent (``Report Delivery Event``).

    Sends ``properties.deliveryId``, ``metric``, and when given
    ``recipient``, ``reason``, ``href`` and ``actionValue``. A metric is
    about a delivery, not a person: without ``user_id``/``anonymous_id`` a
    new random anonymousId is sent, because a track call needs one.

    Args:
        delivery_id: The delivery id (from the message's ``CIO-Delivery-ID``).
        metric: ``delivered``, ``opened``, ``clicked`` or ``converted`` (any
            case, or a :class:`DeliveryMetric`).
        recipient: The recipient, e.g. the device token of a push (optional).
        reason: Why, for failures (optional).
        href: The link clicked, for ``clicked`` (optional).
        action_value: The action taken, e.g. an in-app button (optional).
        user_id: The person, when known (optional).
        anonymous_id: An anonymous id instead (optional).
        properties: Extra properties; the documented ones win.
        context, timestamp, integrations, message_id: As for ``track``.

    Example::

        client.report_delivery_event("dlv_123", "opened", recipient="apns-token")

    Returns:
        The message id.

    Raises:
        ValidationError: ``delivery_id`` is empty or ``metric`` not a documented value.
        ArgumentTypeError: An argument of the wrong type.
    """
    props = _documented("report_delivery_event", locals(), properties)
    return self._emit(
        build_track(
            user_id=user_id,
            event=OPERATION_EVENTS["report_delivery_event"].name,
            properties=props,
            context=context,
            timestamp=timestamp,
            anonymous_id=_anonymous(user_id, anonymous_id),
            integrations=integrations,
            message_id=message_id,
        )
    )

def report_content_event(
    self: Emitter,
    action_type: ContentAction | Literal["viewed_content", "clicked_content"],
    content_id: int | str | None = None,
    template_id: int | str | None = None,
    *,
    user_id: str | int | None = None,
    anonymous_id: str | int | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Report a view or click of anonymous in-app content (``Report Content Event``).

    Sends ``properties.actionType``, ``contentId`` and ``templateId``
    (integers). The API's schema also names a required ``activityType``
    that it never defines; following its prose, only ``actionType`` is
    sent. Without ``user_id``/``anonymous_id`` a new random anonymousId is
    sent, because a track call needs one.

    Args:
        action_type: ``viewed_content`` or ``clicked_content`` (or a :class:`ContentAction`).
        content_id: The content's id (an int, or a str of digits).
        template_id: The template's id (an int, or a str of digits; optional).
        user_id: The person, when known (optional).
        anonymous_id: The visitor's anonymous id (optional).
        properties: Extra properties; the documented ones win.
        context, timestamp, integrations, message_id: As for ``track``.

    Example::

        client.report_content_event("viewed_content", content_id=12, anonymous_id="anon_7")

    Returns:
        The message id.

    Raises:
        ValidationError: ``action_type`` is not documented, or an id is not an integer.
    """
    props = _documented("report_content_event", locals(), properties)
    return self._emit(
        build_track(
            user_id=user_id,
            event=OPERATION_EVENTS["report_content_event"].name,
            properties=props,
            context=context,
            timestamp=timestamp,
            anonymous_id=_anonymous(user_id, anonymous_id),
            integrations=integrations,
            message_id=message_id,
        )
    )


#: Every operation by name (bulk sends and the command line look them up here).
OPERATIONS: Final[Mapping[str, Callable[..., str]]] = {
    operation.__name__: operation
    for operation in (
        delete_user,
        suppress_user,
        unsuppress_user,
        add_device,
        delete_device,
        create_object,
        update_object,
        create_relationship,
        delete_object,
        delete_relationship,
        report_delivery_event,
        report_content_event,
    )
}
