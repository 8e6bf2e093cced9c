"""Event names with a meaning to Customer.io, as ``StrEnum`` constants.

Every member's value is the exact ``event`` string that goes on the wire, so a
member can be passed wherever an event name is expected::

    import cio_analytics as analytics
    from cio_analytics.events import EcommerceEvent

    analytics.track("user_1", EcommerceEvent.ORDER_COMPLETED, {"order_id": "o-1"})

The families:

- :class:`CustomerIOEvent`: events that perform an action in Customer.io
  (delete a person, register a device ...). Send them with the dedicated
  helpers (:meth:`cio_analytics.Client.delete_user` and friends), which build
  the payload each one requires.
- :class:`EcommerceEvent`, :class:`VideoEvent`, :class:`MobileEvent`: the
  semantic event specs Customer.io inherits from Segment. Each member has a
  helper of the same name in lower case in :mod:`cio_analytics.ecommerce`,
  :mod:`cio_analytics.video` and :mod:`cio_analytics.mobile`
  (``EcommerceEvent.ORDER_COMPLETED`` -> ``ecommerce.order_completed``).

The value sets used by those helpers are here too: :class:`DeliveryMetric`,
:class:`DeviceType` and :class:`ContentAction`.
"""

from __future__ import annotations

import enum

__all__ = [
    "ContentAction",
    "CustomerIOEvent",
    "DeliveryMetric",
    "DeviceType",
    "EcommerceEvent",
    "MobileEvent",
    "VideoEvent",
]


class CustomerIOEvent(enum.StrEnum):
    """Events that make Customer.io act on people, devices, objects and messages.

    Example::

        client.track("user_1", CustomerIOEvent.USER_DELETED)  # same as client.delete_user("user_1")
    """

    #: Create the device with ``context.device.token``, or update it (see ``add_device``).
    DEVICE_CREATED_OR_UPDATED = "Device Created or Updated"
    #: Remove a person's device (see ``delete_device``).
    DEVICE_DELETED = "Device Deleted"
    #: Delete a person (see ``delete_user``).
    USER_DELETED = "User Deleted"
    #: Delete a person and suppress their identifier (see ``suppress_user``).
    USER_SUPPRESSED = "User Suppressed"
    #: Allow a suppressed identifier back (see ``unsuppress_user``).
    USER_UNSUPPRESSED = "User Unsuppressed"
    #: Remove a person's relationship to an object (see ``delete_relationship``).
    RELATIONSHIP_DELETED = "Relationship Deleted"
    #: Delete an object (see ``delete_object``).
    OBJECT_DELETED = "Object Deleted"
    #: Report a message metric: delivered, opened ... (see ``report_delivery_event``).
    REPORT_DELIVERY_EVENT = "Report Delivery Event"
    #: Report a view or click of anonymous in-app content (see ``report_content_event``).
    REPORT_CONTENT_EVENT = "Report Content Event"


class EcommerceEvent(enum.StrEnum):
    """The e-commerce semantic events (helpers in :mod:`cio_analytics.ecommerce`).

    Example::

        client.track("user_1", EcommerceEvent.PRODUCT_VIEWED, {"product_id": "sku-1"})
    """

    PRODUCTS_SEARCHED = "Products Searched"
    PRODUCT_LIST_VIEWED = "Product List Viewed"
    PRODUCT_LIST_FILTERED = "Product List Filtered"
    PROMOTION_VIEWED = "Promotion Viewed"
    PROMOTION_CLICKED = "Promotion Clicked"
    PRODUCT_CLICKED = "Product Clicked"
    PRODUCT_VIEWED = "Product Viewed"
    PRODUCT_ADDED = "Product Added"
    PRODUCT_REMOVED = "Product Removed"
    CART_VIEWED = "Cart Viewed"
    CHECKOUT_STARTED = "Checkout Started"
    CHECKOUT_STEP_VIEWED = "Checkout Step Viewed"
    CHECKOUT_STEP_COMPLETED = "Checkout Step Completed"
    PAYMENT_INFO_ENTERED = "Payment Info Entered"
    ORDER_COMPLETED = "Order Completed"
    ORDER_UPDATED = "Order Updated"
    ORDER_CANCELLED = "Order Cancelled"
    ORDER_REFUNDED = "Order Refunded"
    COUPON_ENTERED = "Coupon Entered"
    COUPON_APPLIED = "Coupon Applied"
    COUPON_REMOVED = "Coupon Removed"
    COUPON_DENIED = "Coupon Denied"
    PRODUCT_ADDED_TO_WISHLIST = "Product Added to Wishlist"
    PRODUCT_REMOVED_FROM_WISHLIST = "Product Removed from Wishlist"
    WISHLIST_PRODUCT_ADDED_TO_CART = "Wishlist Product Added to Cart"
    PRODUCT_SHARED = "Product Shared"
    CART_SHARED = "Cart Shared"
    PRODUCT_REVIEWED = "Product Reviewed"


class VideoEvent(enum.StrEnum):
    """The video semantic events: playback, content and ad (helpers in :mod:`cio_analytics.video`).

    Example::

        client.track("user_1", VideoEvent.PLAYBACK_STARTED, {"session_id": "s-1"})
    """

    # Playback: the player itself.
    PLAYBACK_STARTED = "Video Playback Started"
    PLAYBACK_PAUSED = "Video Playback Paused"
    PLAYBACK_INTERRUPTED = "Video Playback Interrupted"
    PLAYBACK_BUFFER_STARTED = "Video Playback Buffer Started"
    PLAYBACK_BUFFER_COMPLETED = "Video Playback Buffer Completed"
    PLAYBACK_SEEK_STARTED = "Video Playback Seek Started"
    PLAYBACK_SEEK_COMPLETED = "Video Playback Seek Completed"
    PLAYBACK_RESUMED = "Video Playback Resumed"
    PLAYBACK_COMPLETED = "Video Playback Completed"
    PLAYBACK_EXITED = "Video Playback Exited"
    # Content: the programme being watched.
    CONTENT_STARTED = "Video Content Started"
    CONTENT_PLAYING = "Video Content Playing"
    CONTENT_COMPLETED = "Video Content Completed"
    # Ads shown during playback.
    AD_STARTED = "Video Ad Started"
    AD_PLAYING = "Video Ad Playing"
    AD_COMPLETED = "Video Ad Completed"


class MobileEvent(enum.StrEnum):
    """The mobile application events (helpers in :mod:`cio_analytics.mobile`).

    The lifecycle events are the ones Customer.io documents (``Application
    Foregrounded`` is Customer.io's own addition). The campaign events come
    from Segment's mobile spec, which Customer.io's is derived from, and
    ``Location Update`` is what Customer.io's Android SDK sends with a
    location.

    Example::

        client.track("user_1", MobileEvent.APPLICATION_OPENED, {"from_background": True})
    """

    # Lifecycle.
    APPLICATION_INSTALLED = "Application Installed"
    APPLICATION_OPENED = "Application Opened"
    APPLICATION_BACKGROUNDED = "Application Backgrounded"
    APPLICATION_FOREGROUNDED = "Application Foregrounded"
    APPLICATION_UPDATED = "Application Updated"
    APPLICATION_UNINSTALLED = "Application Uninstalled"
    APPLICATION_CRASHED = "Application Crashed"
    # Campaigns and referrals.
    INSTALL_ATTRIBUTED = "Install Attributed"
    PUSH_NOTIFICATION_RECEIVED = "Push Notification Received"
    PUSH_NOTIFICATION_TAPPED = "Push Notification Tapped"
    PUSH_NOTIFICATION_BOUNCED = "Push Notification Bounced"
    DEEP_LINK_OPENED = "Deep Link Opened"
    DEEP_LINK_CLICKED = "Deep Link Clicked"
    # Sent by Customer.io's Android SDK.
    LOCATION_UPDATE = "Location Update"


class DeliveryMetric(enum.StrEnum):
    """The ``metric`` values of ``Report Delivery Event``.

    Example::

        client.report_delivery_event("dlv_123", DeliveryMetric.OPENED)
    """

    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    CONVERTED = "converted"


class DeviceType(enum.StrEnum):
    """The ``context.device.type`` values of the device events.

    Example::

        client.add_device("user_1", "fcm-token", DeviceType.ANDROID)
    """

    IOS = "ios"
    ANDROID = "android"


class ContentAction(enum.StrEnum):
    """The ``actionType`` values of ``Report Content Event``.

    Example::

        client.report_content_event(ContentAction.VIEWED, content_id=12)
    """

    VIEWED = "viewed_content"
    CLICKED = "clicked_content"
