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

from cio_analytics._api import get_client
from cio_analytics._spec.mobile import Campaign, MobileEvents

__all__ = [
    "Campaign",
    "MobileEvents",
    "application_backgrounded",
    "application_crashed",
    "application_foregrounded",
    "application_installed",
    "application_opened",
    "application_uninstalled",
    "application_updated",
    "deep_link_clicked",
    "deep_link_opened",
    "default",
    "install_attributed",
    "location_update",
    "push_notification_bounced",
    "push_notification_received",
    "push_notification_tapped",
]

#: The helpers bound to the default client (the one ``cio_analytics.track`` uses).
default = MobileEvents(get_client)

application_installed = default.application_installed
application_opened = default.application_opened
application_backgrounded = default.application_backgrounded
application_foregrounded = default.application_foregrounded
application_updated = default.application_updated
application_uninstalled = default.application_uninstalled
application_crashed = default.application_crashed
install_attributed = default.install_attributed
push_notification_received = default.push_notification_received
push_notification_tapped = default.push_notification_tapped
push_notification_bounced = default.push_notification_bounced
deep_link_opened = default.deep_link_opened
deep_link_clicked = default.deep_link_clicked
location_update = default.location_update
