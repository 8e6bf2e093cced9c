"""Mobile application semantic events: lifecycle, campaign and location helpers.

Each helper sends one ``track`` call named after its event (see
:class:`~cio_analytics.events.MobileEvent`), so it is validated, queued and
batched like any other call. A server sends these for apps whose events pass
through it (an app backend relaying lifecycle events, a push provider's
webhook ...). Use the helpers through a client, or at module level, where they
send through the default client::

    import cio_analytics as analytics

    analytics.mobile.application_installed("user_1", version="1.2.3", build="1234")

    with analytics.Client(write_key="...") as client:
        client.mobile.application_opened("user_1", from_background=True)

The documented property keys are keyword-only arguments with their wire names
(snake_case); arguments left as None are not sent; ``properties`` carries any
other keys, and a documented argument wins over the same key in it.

The lifecycle event names are the ones Customer.io's mobile spec lists
(``Application Foregrounded`` is its own); their keys and the campaign events
follow Segment's mobile spec, which it is derived from. ``Location Update``
(``latitude``, ``longitude``) is what Customer.io's Android SDK sends. Choices
where the specs are loose: ``version`` and ``build`` are documented as strings,
so ints are sent as strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypedDict

from cio_analytics._spec.family import (
    Check,
    EventFamily,
    Number,
    boolean,
    identifier,
    mapping,
    number,
    text,
)
from cio_analytics.events import MobileEvent

__all__ = ["Campaign", "MobileEvents"]


class Campaign(TypedDict, total=False):
    """The ``campaign`` of the campaign events (every key optional).

    Example::

        campaign: Campaign = {"source": "Facebook", "name": "Spring", "medium": "Push"}
    """

    source: str
    name: str
    medium: str
    content: str
    ad_creative: str
    ad_group: str


class MobileEvents(EventFamily):
    """The mobile helpers, sending through the client that ``client()`` returns.

    ``Client.mobile`` is an instance bound to that client; this module's
    functions are the methods of :data:`default`, bound to the default client.

    Args:
        client: A zero-argument callable returning the client to send through.

    Example::

        app = MobileEvents(lambda: my_client)
        app.application_backgrounded("user_1")
    """

    __slots__ = ()

    CHECKS: ClassVar[Mapping[str, Check]] = {
        "version": identifier,
        "build": identifier,
        "from_background": boolean,
        "url": text,
        "referring_application": text,
        "previous_version": identifier,
        "previous_build": identifier,
        "provider": text,
        "campaign": mapping,
        "action": text,
        "latitude": number,
        "longitude": number,
    }

    def application_installed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        version: str | int | None = None,
        build: str | int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Application Installed``: the app was opened for the first time after install.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            version: The app version (sent as a str, as documented).
            build: The app build (sent as a str, as documented).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.application_installed("user_1", version="1.2.3", build="1234")

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.APPLICATION_INSTALLED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            version=version,
            build=build,
        )

    def application_opened(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        from_background: bool | None = None,
        url: str | None = None,
        referring_application: str | None = None,
        version: str | int | None = None,
        build: str | int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Application Opened``: the app was launched or brought to the foreground.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            from_background: Whether the app came from the background (rather than a
                cold start).
            url: The URL the app was opened with.
            referring_application: The application that opened this one.
            version: The app version (sent as a str, as documented).
            build: The app build (sent as a str, as documented).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.application_opened(
                "user_1", from_background=False, version="1.2.3"
            )

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.APPLICATION_OPENED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            from_background=from_background,
            url=url,
            referring_application=referring_application,
            version=version,
            build=build,
        )

    def application_backgrounded(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Application Backgrounded``: the app went to the background.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.application_backgrounded("user_1")

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.APPLICATION_BACKGROUNDED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
        )

    def application_foregrounded(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Application Foregrounded``: the app came back to the foreground.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.application_foregrounded("user_1")

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.APPLICATION_FOREGROUNDED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
        )

    def application_updated(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        previous_version: str | int | None = None,
        previous_build: str | int | None = None,
        version: str | int | None = None,
        build: str | int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Application Updated``: the app was updated.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            previous_version: The version before the update (sent as a str).
            previous_build: The build before the update (sent as a str).
            version: The app version (sent as a str, as documented).
            build: The app build (sent as a str, as documented).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.application_updated(
                "user_1", previous_version="1.1.0", version="1.2.0"
            )

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.APPLICATION_UPDATED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            previous_version=previous_version,
            previous_build=previous_build,
            version=version,
            build=build,
        )

    def application_uninstalled(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Application Uninstalled``: the app was uninstalled.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.application_uninstalled("user_1")

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.APPLICATION_UNINSTALLED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
        )

    def application_crashed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Application Crashed``: the app crashed.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.application_crashed("user_1")

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.APPLICATION_CRASHED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
        )

    def install_attributed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        provider: str | None = None,
        campaign: Campaign | Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Install Attributed``: an install was attributed to a campaign.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            provider: The attribution or deep link provider.
            campaign: The campaign, as a :class:`Campaign` dict.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.install_attributed(
                "user_1", provider="Branch", campaign={"source": "Facebook", "name": "Spring"}
            )

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.INSTALL_ATTRIBUTED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            provider=provider,
            campaign=campaign,
        )

    def push_notification_received(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        campaign: Campaign | Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Push Notification Received``: a push notification arrived.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            campaign: The campaign, as a :class:`Campaign` dict.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.push_notification_received(
                "user_1", campaign={"medium": "Push", "name": "Welcome"}
            )

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.PUSH_NOTIFICATION_RECEIVED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            campaign=campaign,
        )

    def push_notification_tapped(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        action: str | None = None,
        campaign: Campaign | Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Push Notification Tapped``: the person tapped a push notification.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            action: The notification action tapped (the spec's default is ``Open``).
            campaign: The campaign, as a :class:`Campaign` dict.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.push_notification_tapped(
                "user_1", action="Open", campaign={"name": "Welcome"}
            )

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.PUSH_NOTIFICATION_TAPPED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            action=action,
            campaign=campaign,
        )

    def push_notification_bounced(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        action: str | None = None,
        campaign: Campaign | Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Push Notification Bounced``: a push notification bounced.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            action: The notification action tapped (the spec's default is ``Open``).
            campaign: The campaign, as a :class:`Campaign` dict.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.push_notification_bounced("user_1", campaign={"name": "Welcome"})

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.PUSH_NOTIFICATION_BOUNCED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            action=action,
            campaign=campaign,
        )

    def deep_link_opened(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        provider: str | None = None,
        url: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Deep Link Opened``: the app was opened from a deep link.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            provider: The attribution or deep link provider.
            url: The URL the app was opened with.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.deep_link_opened("user_1", provider="Branch", url="app://landing")

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.DEEP_LINK_OPENED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            provider=provider,
            url=url,
        )

    def deep_link_clicked(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        provider: str | None = None,
        url: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Deep Link Clicked``: a deep link was clicked.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            provider: The attribution or deep link provider.
            url: The URL the app was opened with.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.deep_link_clicked(
                "user_1", provider="Branch", url="https://example.app.link/x"
            )

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.DEEP_LINK_CLICKED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            provider=provider,
            url=url,
        )

    def location_update(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        latitude: Number | None = None,
        longitude: Number | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Location Update``: the device reported a new location.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            latitude: The latitude, in degrees.
            longitude: The longitude, in degrees.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.mobile.location_update("user_1", latitude=48.8566, longitude=2.3522)

        Returns:
            The message id.
        """
        return self._send(
            MobileEvent.LOCATION_UPDATE,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            latitude=latitude,
            longitude=longitude,
        )


#: The helpers bound to the default client (``cio_analytics.get_client()``).
