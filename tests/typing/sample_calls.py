"""Calls of the generated helpers and of the operations, for mypy (see test_typing.py).

Never run and not collected by pytest: ``test_typing.py`` runs ``mypy --strict``
on this file. Each line mypy must refuse ends with a comment
``# expect: <error code> <text in the message>``; every other line must pass.
"""

from __future__ import annotations

import datetime as dt
import decimal

import cio_analytics as analytics
from cio_analytics import Client, DeliveryMetric, DeviceType
from cio_analytics.ecommerce import Product
from cio_analytics.mobile import Campaign


def helpers_accept_the_documented_types(client: Client) -> list[str]:
    """Each documented type, through a client and at module level."""
    product: Product = {"product_id": "p-1", "price": 18.99, "quantity": 2, "position": 1}
    campaign: Campaign = {"source": "Facebook", "name": "Spring"}
    return [
        client.ecommerce.order_completed(
            "user_1", order_id=1001, total=decimal.Decimal("42.50"), products=[product]
        ),
        client.ecommerce.promotion_viewed("user_1", position="home_banner_top"),
        client.ecommerce.product_added(anonymous_id="anon_1", position=3, quantity=1.5),
        client.ecommerce.products_searched("user_1", query={"text": "roses"}),
        client.ecommerce.product_reviewed("user_1", rating=5),
        client.video.ad_playing("user_1", type="mid-roll", quartile=2, content={"title": "Pilot"}),
        client.video.content_started("user_1", airdate=dt.date(2024, 3, 1), keywords=["drama"]),
        client.mobile.install_attributed("user_1", campaign=campaign),
        analytics.mobile.application_opened("user_1", from_background=True, build=1456),
        analytics.video.playback_paused("user_1", session_id="s-1", position=42.5),
    ]


def helpers_refuse_other_types(client: Client) -> None:
    """A wrong type, a value outside a documented set, an unknown keyword."""
    client.ecommerce.order_completed("user_1", total="42")  # expect: arg-type "total"
    client.ecommerce.promotion_viewed("user_1", position=3)  # expect: arg-type "position"
    analytics.ecommerce.product_added("user_1", position="3")  # expect: arg-type "position"
    client.ecommerce.checkout_step_viewed("user_1", step=2.5)  # expect: arg-type "step"
    client.ecommerce.order_completed("user_1", totl=42)  # expect: call-arg "totl"
    client.ecommerce.order_completed("user_1", "o-1")  # expect: call-arg Too many positional
    client.video.ad_started("user_1", type="banner")  # expect: arg-type "type"
    client.video.ad_playing("user_1", quartile=4)  # expect: arg-type "quartile"
    client.video.playback_started("user_1", full_screen="yes")  # expect: arg-type "full_screen"
    analytics.mobile.location_update("user_1", latitude="48.8")  # expect: arg-type "latitude"
    bad: Product = {"product_id": "p-1", "price": "cheap"}  # expect: typeddict-item "price"
    message_id: int = client.mobile.application_crashed("user_1")  # expect: assignment "str"
    print(bad, message_id)


def operations_check_their_arguments(client: Client) -> list[str]:
    """The operations, bound on Client and forwarded at module level."""
    return [
        client.add_device("user_1", "fcm-token", DeviceType.ANDROID, {"app_version": "2.1"}),
        client.report_delivery_event("dlv_1", DeliveryMetric.OPENED, recipient="token"),
        analytics.delete_object("acme", object_type_id=2),
        analytics.report_content_event("viewed_content", content_id=12),
        client.add_device("user_1", "fcm-token", device_type=3),  # expect: arg-type "device_type"
        client.add_device("user_1", "fcm-token", platform="ios"),  # expect: call-arg "platform"
        client.report_delivery_event("dlv_1", metric=None),  # expect: arg-type "metric"
        analytics.delete_relationship("user_1", object_id=1.5),  # expect: arg-type "object_id"
        analytics.delete_user(),  # expect: call-arg Too few arguments
        client.add_device("user_1", "token", "android"),
        client.add_device("user_1", "token", "windows"),  # expect: arg-type 'windows'
        client.track("user_1", "E", timestamp="2024-01-02T03:04:05Z"),
        client.track("user_1", "E", timestamp=1704164645),  # expect: arg-type "timestamp"
        analytics.track("user_1", "E", timestamp=1704164645),  # expect: arg-type "timestamp"
    ]


def settings_are_typed() -> None:
    """configure() and AsyncClient take the settings as typed keywords."""
    analytics.configure(gzip=True, upload_size=500, region="eu")
    analytics.configure(gzip="yes")  # expect: arg-type "gzip"
    analytics.configure(no_such_setting=1)  # expect: call-arg "no_such_setting"
