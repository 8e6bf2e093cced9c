"""E-commerce semantic events: one typed helper per event of the e-commerce spec.

Each helper sends one ``track`` call named after its event (see
:class:`~cio_analytics.events.EcommerceEvent`), so it is validated, queued and
batched like any other call. Use the helpers through a client, or at module
level, where they send through the default client (the one the module-level
``cio_analytics.track`` uses)::

    import cio_analytics as analytics

    analytics.ecommerce.order_completed("user_1", order_id="o-1", total=42.5, currency="USD")

    with analytics.Client(write_key="...") as client:
        client.ecommerce.product_viewed("user_1", product_id="p-1", price=18.99)

The documented property keys are keyword-only arguments with their wire names
(snake_case). Arguments left as None are not sent; ``properties`` carries any
other keys, and a documented argument wins over the same key in it. Values
are checked at the call: ids (``order_id``, ``product_id`` ...) are str or int
and sent as strings, amounts are numbers (``Decimal`` is sent as a JSON
number), ``products`` is a list of :class:`Product` dicts.

Customer.io's e-commerce page lists these event names (and ``query``); the
property keys and types follow Segment's e-commerce v2 spec, which Customer.io's
semantic events are derived from.
"""

from cio_analytics._api import get_client
from cio_analytics._spec.ecommerce import EcommerceEvents, ListFilter, ListSort, Product

__all__ = [
    "EcommerceEvents",
    "ListFilter",
    "ListSort",
    "Product",
    "cart_shared",
    "cart_viewed",
    "checkout_started",
    "checkout_step_completed",
    "checkout_step_viewed",
    "coupon_applied",
    "coupon_denied",
    "coupon_entered",
    "coupon_removed",
    "default",
    "order_cancelled",
    "order_completed",
    "order_refunded",
    "order_updated",
    "payment_info_entered",
    "product_added",
    "product_added_to_wishlist",
    "product_clicked",
    "product_list_filtered",
    "product_list_viewed",
    "product_removed",
    "product_removed_from_wishlist",
    "product_reviewed",
    "product_shared",
    "product_viewed",
    "products_searched",
    "promotion_clicked",
    "promotion_viewed",
    "wishlist_product_added_to_cart",
]

#: The helpers bound to the default client (the one ``cio_analytics.track`` uses).
default = EcommerceEvents(get_client)

products_searched = default.products_searched
product_list_viewed = default.product_list_viewed
product_list_filtered = default.product_list_filtered
promotion_viewed = default.promotion_viewed
promotion_clicked = default.promotion_clicked
product_clicked = default.product_clicked
product_viewed = default.product_viewed
product_added = default.product_added
product_removed = default.product_removed
cart_viewed = default.cart_viewed
checkout_started = default.checkout_started
checkout_step_viewed = default.checkout_step_viewed
checkout_step_completed = default.checkout_step_completed
payment_info_entered = default.payment_info_entered
order_completed = default.order_completed
order_updated = default.order_updated
order_cancelled = default.order_cancelled
order_refunded = default.order_refunded
coupon_entered = default.coupon_entered
coupon_applied = default.coupon_applied
coupon_removed = default.coupon_removed
coupon_denied = default.coupon_denied
product_added_to_wishlist = default.product_added_to_wishlist
product_removed_from_wishlist = default.product_removed_from_wishlist
wishlist_product_added_to_cart = default.wishlist_product_added_to_cart
product_shared = default.product_shared
cart_shared = default.cart_shared
product_reviewed = default.product_reviewed
