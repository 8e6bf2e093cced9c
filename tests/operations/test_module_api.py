"""The module-level API and the event catalogue: everything on Client is also at module level."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

import cio_analytics
from cio_analytics import (
    Client,
    ContentAction,
    CustomerIOEvent,
    DeliveryMetric,
    DeviceType,
    EcommerceEvent,
    MobileEvent,
    VideoEvent,
    ecommerce,
    mobile,
    video,
)
from cio_analytics.ecommerce import EcommerceEvents
from cio_analytics.mobile import MobileEvents
from cio_analytics.testing import LocalServer
from cio_analytics.video import VideoEvents

from ._support import delivered, wire

OPERATIONS = [
    "delete_user",
    "suppress_user",
    "unsuppress_user",
    "add_device",
    "delete_device",
    "create_object",
    "update_object",
    "create_relationship",
    "delete_object",
    "delete_relationship",
    "report_delivery_event",
    "report_content_event",
    "send_batch",
]

#: Every event name of the API reference's semantic-event section, by family.
DOCUMENTED_EVENTS = {
    CustomerIOEvent: [
        "Device Created or Updated", "Device Deleted", "User Deleted", "User Suppressed",
        "User Unsuppressed", "Relationship Deleted", "Object Deleted", "Report Delivery Event",
        "Report Content Event",
    ],
    EcommerceEvent: [
        "Products Searched", "Product List Viewed", "Product List Filtered", "Promotion Viewed",
        "Promotion Clicked", "Product Clicked", "Product Viewed", "Product Added",
        "Product Removed", "Cart Viewed", "Checkout Started", "Checkout Step Viewed",
        "Checkout Step Completed", "Payment Info Entered", "Order Completed", "Order Updated",
        "Order Cancelled", "Order Refunded", "Coupon Entered", "Coupon Applied",
        "Coupon Removed", "Coupon Denied", "Product Added to Wishlist",
        "Product Removed from Wishlist", "Wishlist Product Added to Cart", "Product Shared",
        "Cart Shared", "Product Reviewed",
    ],
    VideoEvent: [
        "Video Playback Started", "Video Playback Paused", "Video Playback Interrupted",
        "Video Playback Buffer Started", "Video Playback Buffer Completed",
        "Video Playback Seek Started", "Video Playback Seek Completed",
        "Video Playback Resumed", "Video Playback Completed", "Video Playback Exited",
        "Video Content Started", "Video Content Playing", "Video Content Completed",
        "Video Ad Started", "Video Ad Playing", "Video Ad Completed",
    ],
    MobileEvent: [
        "Application Installed", "Application Opened", "Application Backgrounded",
        "Application Foregrounded", "Application Updated", "Application Uninstalled",
        "Application Crashed", "Install Attributed", "Push Notification Received",
        "Push Notification Tapped", "Push Notification Bounced", "Deep Link Opened",
        "Deep Link Clicked", "Location Update",
    ],
}  # fmt: skip

#: The operation that sends each Customer.io event.
CUSTOMERIO_HELPERS = {
    CustomerIOEvent.DEVICE_CREATED_OR_UPDATED: "add_device",
    CustomerIOEvent.DEVICE_DELETED: "delete_device",
    CustomerIOEvent.USER_DELETED: "delete_user",
    CustomerIOEvent.USER_SUPPRESSED: "suppress_user",
    CustomerIOEvent.USER_UNSUPPRESSED: "unsuppress_user",
    CustomerIOEvent.RELATIONSHIP_DELETED: "delete_relationship",
    CustomerIOEvent.OBJECT_DELETED: "delete_object",
    CustomerIOEvent.REPORT_DELIVERY_EVENT: "report_delivery_event",
    CustomerIOEvent.REPORT_CONTENT_EVENT: "report_content_event",
}


@pytest.mark.parametrize("family", list(DOCUMENTED_EVENTS), ids=lambda f: f.__name__)
def test_every_documented_event_name_is_a_constant(family: type[Any]) -> None:
    """Each documented semantic event name is the value of exactly one member of its StrEnum."""
    assert sorted(member.value for member in family) == sorted(DOCUMENTED_EVENTS[family])
    assert all(isinstance(member, str) for member in family)


def test_every_customerio_event_has_an_operation() -> None:
    """Each CustomerIOEvent is sent by an operation available on Client and at module level."""
    assert set(CUSTOMERIO_HELPERS) == set(CustomerIOEvent)
    for name in CUSTOMERIO_HELPERS.values():
        assert callable(getattr(Client, name))
        assert callable(getattr(cio_analytics, name))


def test_value_sets_are_the_documented_ones() -> None:
    """DeliveryMetric, DeviceType and ContentAction hold the documented values."""
    assert {m.value for m in DeliveryMetric} == {"delivered", "opened", "clicked", "converted"}
    assert {m.value for m in DeviceType} == {"ios", "android"}
    assert {m.value for m in ContentAction} == {"viewed_content", "clicked_content"}


@pytest.mark.parametrize("name", OPERATIONS)
def test_module_function_mirrors_the_client_method(name: str) -> None:
    """Each module-level operation is exported and has the Client method's exact signature."""
    assert name in cio_analytics.__all__
    method = inspect.signature(getattr(Client, name))
    function = inspect.signature(getattr(cio_analytics, name))
    assert list(function.parameters.values()) == list(method.parameters.values())[1:]
    assert function.return_annotation == method.return_annotation


def test_families_are_reachable_from_client_and_package() -> None:
    """client.ecommerce/video/mobile are helpers bound to that client; the modules are exported."""
    client = Client(send=False)
    assert isinstance(client.ecommerce, EcommerceEvents)
    assert isinstance(client.video, VideoEvents)
    assert isinstance(client.mobile, MobileEvents)
    assert cio_analytics.ecommerce is ecommerce
    assert cio_analytics.video is video
    assert cio_analytics.mobile is mobile
    for name in ("ecommerce", "video", "mobile", "events", "BulkResult", "FailedMessage"):
        assert name in cio_analytics.__all__


def _public_callables() -> list[Any]:
    found = [(f"Client.{name}", getattr(Client, name)) for name in OPERATIONS]
    found += [(f"cio_analytics.{name}", getattr(cio_analytics, name)) for name in OPERATIONS]
    for module, cls in ((ecommerce, EcommerceEvents), (video, VideoEvents), (mobile, MobileEvents)):
        found += [
            (f"{module.__name__}.{name}", getattr(cls, name))
            for name in dir(cls)
            if not name.startswith("_") and callable(getattr(cls, name))
        ]
    found += [(f"Client.{p}", getattr(Client, p).fget) for p in ("ecommerce", "video", "mobile")]
    return [pytest.param(name, function, id=name) for name, function in found]


@pytest.mark.parametrize(("name", "function"), _public_callables())
def test_public_functions_document_an_example(name: str, function: Callable[..., Any]) -> None:
    """Every public operation and helper has a docstring with an example."""
    assert function.__doc__, name
    assert "Example::" in function.__doc__, name


def test_module_level_operations_use_the_default_client(
    default_client: Client, cio_server: LocalServer
) -> None:
    """Each module-level operation sends through the default client built from the settings."""
    cio_analytics.delete_user("u1")
    cio_analytics.suppress_user("u1")
    cio_analytics.unsuppress_user("u1")
    cio_analytics.add_device("u1", "tok", "android", {"app_version": "1.0"})
    cio_analytics.delete_device("u1", "tok")
    cio_analytics.create_object("acme", {"name": "Acme"})
    cio_analytics.update_object("acme", {"plan": "pro"}, user_id="u1")
    cio_analytics.create_relationship("u1", "acme", relationship_attributes={"role": "admin"})
    cio_analytics.delete_relationship("u1", "acme")
    cio_analytics.delete_object("acme", anonymous_id="job")
    cio_analytics.report_delivery_event("d1", "delivered", user_id="u1")
    cio_analytics.report_content_event("viewed_content", 5, user_id="u1")
    messages = [wire(m) for m in delivered(default_client, cio_server, 12)]
    assert [m.get("event", m["type"]) for m in messages] == [
        "User Deleted",
        "User Suppressed",
        "User Unsuppressed",
        "Device Created or Updated",
        "Device Deleted",
        "group",
        "group",
        "group",
        "Relationship Deleted",
        "Object Deleted",
        "Report Delivery Event",
        "Report Content Event",
    ]
    assert messages[6] == {
        "type": "group",
        "userId": "u1",
        "groupId": "acme",
        "traits": {"plan": "pro", "objectTypeId": "1"},
    }
