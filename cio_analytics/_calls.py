"""The calls every client front has: the six core calls, the operations, the families.

:class:`Calls` defines each call once, in terms of one method, ``_emit``,
which takes a built message and returns its id: :class:`~cio_analytics.Client`
queues it (the hot path), :class:`~cio_analytics.AsyncClient` hands it to the
client it fronts. The Customer.io operations are the functions of
:mod:`cio_analytics._spec.operations`, bound here as methods; the semantic
helper families are properties.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cio_analytics._spec import operations
from cio_analytics._wire.build import (
    WireMessage,
    build_alias,
    build_group,
    build_identify,
    build_page,
    build_screen,
    build_track,
)
from cio_analytics._wire.checks import Timestamp

if TYPE_CHECKING:
    from cio_analytics._spec.ecommerce import EcommerceEvents
    from cio_analytics._spec.mobile import MobileEvents
    from cio_analytics._spec.video import VideoEvents

__all__ = ["Calls"]


class Calls:
    """The calls of a client, each ending in ``self._emit(message)``."""

    __slots__ = ()

    def _emit(self, message: WireMessage) -> str:
        """Send ``message`` on its way; return its id (a client front defines this)."""
        raise NotImplementedError

    def identify(
        self,
        user_id: str | int | None = None,
        traits: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Timestamp | None = None,
        anonymous_id: str | int | None = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Say who a person is and set their attributes (traits).

        Customer.io reserves some traits: ``email`` (str), ``createdAt``
        (ISO-8601 or datetime), ``unsubscribed`` (bool) and
        ``cio_subscription_preferences`` (``{"topics": {"topic_1": True}}``, or
        dot keys such as ``"cio_subscription_preferences.topics.topic_1"`` for
        partial updates).

        Example::

            client.identify("user_1", {"email": "ada@example.com", "plan": "pro"})

        Returns:
            The message id.

        Raises:
            MissingIdentityError: Neither user_id nor anonymous_id (an email trait
                alone is enough when user_id is "").
            ArgumentTypeError: An argument of the wrong type.
            InvalidValueError / UnsupportedValueError: A value JSON cannot carry.
            MessageTooLargeError: The message is over 32 KB.
            ConfigurationError: No write key (unless send=False).
        """
        return self._emit(
            build_identify(
                user_id, traits, context, timestamp, anonymous_id, integrations, message_id
            )
        )


    def track(
        self,
        user_id: str | int | None = None,
        event: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Timestamp | None = None,
        anonymous_id: str | int | None = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Record that a person did something (an event, with properties).

        Example::

            client.track("user_1", "Order Completed", {"order_id": "o-9", "total": 42.5})

        Returns:
            The message id.

        Raises:
            MissingIdentityError: Neither user_id nor anonymous_id.
            ValidationError: ``event`` is missing or empty.
            ArgumentTypeError: An argument of the wrong type.
            InvalidValueError / UnsupportedValueError: A value JSON cannot carry.
            MessageTooLargeError: The message is over 32 KB.
            ConfigurationError: No write key (unless send=False).
        """
        return self._emit(
            build_track(
                user_id, event, properties, context, timestamp, anonymous_id, integrations,
                message_id,
            )
        )


    def page(
        self,
        user_id: str | int | None = None,
        category: str | None = None,
        name: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Timestamp | None = None,
        anonymous_id: str | int | None = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Record a web page view.

        ``category`` is sent as ``properties.category``, where the API documents
        it. Documented properties: ``url``, ``title``, ``referrer``, ``path``,
        ``search``.

        Example::

            client.page("user_1", name="Pricing", properties={"url": "https://example.com/pricing"})

        Returns:
            The message id.
        """
        return self._emit(
            build_page(
                user_id, category, name, properties, context, timestamp, anonymous_id,
                integrations, message_id,
            )
        )


    def screen(
        self,
        user_id: str | int | None = None,
        category: str | None = None,
        name: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Timestamp | None = None,
        anonymous_id: str | int | None = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Record a mobile app screen view (same shape as :meth:`page`).

        Example::

            client.screen("user_1", name="Home", properties={"tab": "feed"})

        Returns:
            The message id.
        """
        return self._emit(
            build_screen(
                user_id, category, name, properties, context, timestamp, anonymous_id,
                integrations, message_id,
            )
        )


    def group(
        self,
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
    ) -> str:
        """Create or update an object (a "group"), and relate a person to it.

        Customer.io treats a group as an object: ``group_id`` is its id,
        ``object_type_id`` its type (sent as ``traits.objectTypeId``, a string;
        Customer.io assumes ``"1"`` when absent), other traits its attributes,
        and ``relationship_attributes`` (``traits.relationshipAttributes``)
        describe the person's relationship to it. Without user_id and
        anonymous_id only the object is updated.

        Example::

            client.group("user_1", "acme", {"name": "Acme"}, object_type_id="1",
                         relationship_attributes={"role": "admin"})

        Returns:
            The message id.
        """
        return self._emit(
            build_group(
                user_id, group_id, traits, context, timestamp, anonymous_id, integrations,
                message_id, object_type_id=object_type_id,
                relationship_attributes=relationship_attributes,
            )
        )


    def alias(
        self,
        previous_id: str | int | None = None,
        user_id: str | int | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Timestamp | None = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Merge two identities: ``previous_id`` (an anonymous or old id) into ``user_id``.

        Example::

            client.alias("anon_42", "user_1")

        Returns:
            The message id.
        """
        return self._emit(
            build_alias(previous_id, user_id, context, timestamp, integrations, message_id)
        )


    # -- Customer.io operations (one definition each, in _spec/operations.py) ---

    delete_user = operations.delete_user
    suppress_user = operations.suppress_user
    unsuppress_user = operations.unsuppress_user
    add_device = operations.add_device
    delete_device = operations.delete_device
    create_object = operations.create_object
    update_object = operations.update_object
    create_relationship = operations.create_relationship
    delete_object = operations.delete_object
    delete_relationship = operations.delete_relationship
    report_delivery_event = operations.report_delivery_event
    report_content_event = operations.report_content_event

    # -- semantic event families -------------------------------------------------

    @property
    def ecommerce(self) -> EcommerceEvents:
        """The e-commerce event helpers, sending through this client.

        Example::

            client.ecommerce.order_completed("user_1", order_id="o-1", total=42.5)
        """
        from cio_analytics._spec.ecommerce import EcommerceEvents  # noqa: PLC0415 (loaded on first use)

        return EcommerceEvents(lambda: self)

    @property
    def video(self) -> VideoEvents:
        """The video event helpers (playback, content, ad), sending through this client.

        Example::

            client.video.playback_started("user_1", session_id="s-1")
        """
        from cio_analytics._spec.video import VideoEvents  # noqa: PLC0415 (loaded on first use)

        return VideoEvents(lambda: self)

    @property
    def mobile(self) -> MobileEvents:
        """The mobile application event helpers, sending through this client.

        Example::

            client.mobile.application_opened("user_1", from_background=True)
        """
        from cio_analytics._spec.mobile import MobileEvents  # noqa: PLC0415 (loaded on first use)

        return MobileEvents(lambda: self)

