"""Module-level Customer.io operations: each forwards to the default client.

The default client is the one the module-level ``cio_analytics.track`` uses,
built from the module settings on first use (see :mod:`cio_analytics._api`).
Each function has the signature of the :class:`~cio_analytics.Client` method
of the same name, which documents it::

    import cio_analytics as analytics

    analytics.write_key = "..."
    analytics.add_device("user_1", "apns-token", "ios")
    analytics.delete_object("acme", object_type_id=1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cio_analytics._api import get_client
from cio_analytics.events import ContentAction, DeliveryMetric, DeviceType

if TYPE_CHECKING:
    from cio_analytics._bulk import BulkResult, Entry

__all__ = [
    "add_device",
    "create_object",
    "create_relationship",
    "delete_device",
    "delete_object",
    "delete_relationship",
    "delete_user",
    "report_content_event",
    "report_delivery_event",
    "send_batch",
    "suppress_user",
    "unsuppress_user",
    "update_object",
]

_DEFAULT_OBJECT_TYPE = "1"


def delete_user(
    user_id: str | int,
    *,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Delete a person (``User Deleted``) through the default client.

    See :meth:`cio_analytics.Client.delete_user` for the arguments.

    Example::

        cio_analytics.delete_user("user_1")

    Returns:
        The message id.
    """
    return get_client().delete_user(
        user_id,
        properties=properties,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )


def suppress_user(
    user_id: str | int,
    *,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Delete and suppress a person (``User Suppressed``) through the default client.

    See :meth:`cio_analytics.Client.suppress_user` for the arguments.

    Example::

        cio_analytics.suppress_user("user_1")

    Returns:
        The message id.
    """
    return get_client().suppress_user(
        user_id,
        properties=properties,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )


def unsuppress_user(
    user_id: str | int,
    *,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Lift a person's suppression (``User Unsuppressed``) through the default client.

    See :meth:`cio_analytics.Client.unsuppress_user` for the arguments.

    Example::

        cio_analytics.unsuppress_user("user_1")

    Returns:
        The message id.
    """
    return get_client().unsuppress_user(
        user_id,
        properties=properties,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )


def add_device(
    user_id: str | int,
    token: str,
    device_type: DeviceType | str = DeviceType.IOS,
    attributes: Mapping[str, Any] | None = None,
    *,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Add or update a person's device (``Device Created or Updated``), default client.

    See :meth:`cio_analytics.Client.add_device` for the arguments.

    Example::

        cio_analytics.add_device("user_1", "fcm-token-123", "android", {"app_version": "2.1.0"})

    Returns:
        The message id.
    """
    return get_client().add_device(
        user_id,
        token,
        device_type,
        attributes,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )


def delete_device(
    user_id: str | int,
    token: str,
    device_type: DeviceType | str | None = None,
    *,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Remove a person's device (``Device Deleted``) through the default client.

    See :meth:`cio_analytics.Client.delete_device` for the arguments.

    Example::

        cio_analytics.delete_device("user_1", "fcm-token-123")

    Returns:
        The message id.
    """
    return get_client().delete_device(
        user_id,
        token,
        device_type,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )


def create_object(
    object_id: str | int,
    attributes: Mapping[str, Any] | None = None,
    *,
    object_type_id: str | int | None = _DEFAULT_OBJECT_TYPE,
    user_id: str | int | None = None,
    anonymous_id: str | int | None = None,
    relationship_attributes: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Create or update an object (a group call) through the default client.

    See :meth:`cio_analytics.Client.create_object` for the arguments.

    Example::

        cio_analytics.create_object("acme", {"name": "Acme", "plan": "pro"}, user_id="user_1")

    Returns:
        The message id.
    """
    return get_client().create_object(
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


def update_object(
    object_id: str | int,
    attributes: Mapping[str, Any] | None = None,
    *,
    object_type_id: str | int | None = _DEFAULT_OBJECT_TYPE,
    user_id: str | int | None = None,
    anonymous_id: str | int | None = None,
    relationship_attributes: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Update an object's attributes (a group call) through the default client.

    See :meth:`cio_analytics.Client.update_object` for the arguments.

    Example::

        cio_analytics.update_object("acme", {"plan": "enterprise"}, object_type_id=2)

    Returns:
        The message id.
    """
    return get_client().update_object(
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
    user_id: str | int | None,
    object_id: str | int,
    object_type_id: str | int | None = _DEFAULT_OBJECT_TYPE,
    *,
    relationship_attributes: Mapping[str, Any] | None = None,
    anonymous_id: str | int | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Relate a person to an object (a group call) through the default client.

    See :meth:`cio_analytics.Client.create_relationship` for the arguments.

    Example::

        cio_analytics.create_relationship(
            "user_1", "acme", relationship_attributes={"role": "admin"}
        )

    Returns:
        The message id.
    """
    return get_client().create_relationship(
        user_id,
        object_id,
        object_type_id,
        relationship_attributes=relationship_attributes,
        anonymous_id=anonymous_id,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )


def delete_object(
    object_id: str | int,
    object_type_id: str | int | None = _DEFAULT_OBJECT_TYPE,
    *,
    anonymous_id: str | int | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Delete an object (``Object Deleted``) through the default client.

    See :meth:`cio_analytics.Client.delete_object` for the arguments.

    Example::

        cio_analytics.delete_object("acme", object_type_id=1)

    Returns:
        The message id.
    """
    return get_client().delete_object(
        object_id,
        object_type_id,
        anonymous_id=anonymous_id,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )


def delete_relationship(
    user_id: str | int,
    object_id: str | int,
    object_type_id: str | int | None = _DEFAULT_OBJECT_TYPE,
    *,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Remove a person-object relationship (``Relationship Deleted``), default client.

    See :meth:`cio_analytics.Client.delete_relationship` for the arguments.

    Example::

        cio_analytics.delete_relationship("user_1", "acme")

    Returns:
        The message id.
    """
    return get_client().delete_relationship(
        user_id,
        object_id,
        object_type_id,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )


def report_delivery_event(
    delivery_id: str | int,
    metric: DeliveryMetric | str,
    recipient: str | None = None,
    reason: str | None = None,
    href: str | None = None,
    action_value: str | None = None,
    *,
    user_id: str | int | None = None,
    anonymous_id: str | int | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Report a message metric (``Report Delivery Event``) through the default client.

    See :meth:`cio_analytics.Client.report_delivery_event` for the arguments.

    Example::

        cio_analytics.report_delivery_event("dlv_123", "opened", recipient="apns-token")

    Returns:
        The message id.
    """
    return get_client().report_delivery_event(
        delivery_id,
        metric,
        recipient,
        reason,
        href,
        action_value,
        user_id=user_id,
        anonymous_id=anonymous_id,
        properties=properties,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )


def report_content_event(
    action_type: ContentAction | str,
    content_id: int | str | None = None,
    template_id: int | str | None = None,
    *,
    user_id: str | int | None = None,
    anonymous_id: str | int | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Any = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Report in-app content activity (``Report Content Event``), default client.

    See :meth:`cio_analytics.Client.report_content_event` for the arguments.

    Example::

        cio_analytics.report_content_event("viewed_content", content_id=12, anonymous_id="anon_7")

    Returns:
        The message id.
    """
    return get_client().report_content_event(
        action_type,
        content_id,
        template_id,
        user_id=user_id,
        anonymous_id=anonymous_id,
        properties=properties,
        context=context,
        timestamp=timestamp,
        integrations=integrations,
        message_id=message_id,
    )


def send_batch(
    messages: Sequence[Entry],
    *,
    batch_size: int | None = None,
    timeout: float | None = None,
    context: Mapping[str, Any] | None = None,
    integrations: Mapping[str, Any] | None = None,
) -> BulkResult:
    """Send a list of calls now, in batches, through the default client.

    See :meth:`cio_analytics.Client.send_batch` for the arguments.

    Example::

        result = cio_analytics.send_batch([("track", {"user_id": "u1", "event": "Imported"})])

    Returns:
        A BulkResult.
    """
    return get_client().send_batch(
        messages, batch_size=batch_size, timeout=timeout, context=context, integrations=integrations
    )
