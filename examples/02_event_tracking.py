"""Event tracking: custom events, event constants and the semantic event helpers.

Run: python examples/02_event_tracking.py
"""

from __future__ import annotations

from _support import example

import cio_analytics as analytics
from cio_analytics import EcommerceEvent

with example("Event tracking"):
    analytics.track("user_1", "Purchase Completed", {"amount": 99.99, "currency": "USD"})

    # Event names with a meaning to Customer.io are constants ...
    analytics.track("user_1", EcommerceEvent.PRODUCT_VIEWED, {"product_id": "p-1"})

    # ... and every one has a typed helper whose keywords are the documented keys.
    analytics.ecommerce.product_added("user_1", cart_id="c-1", product_id="p-1", price=18.99)
    analytics.ecommerce.order_completed(
        "user_1",
        order_id="o-1",
        total=37.98,
        currency="USD",
        products=[{"product_id": "p-1", "price": 18.99, "quantity": 2}],
        properties={"gift": True},  # extra properties ride along
    )
    analytics.video.playback_started("user_1", session_id="s-1", content_asset_ids=["v-1"])
    analytics.video.content_completed("user_1", session_id="s-1", asset_id="v-1", position=600)
    analytics.mobile.application_opened("user_1", from_background=True, version="2.1.0")
