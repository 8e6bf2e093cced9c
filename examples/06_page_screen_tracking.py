"""Page and screen views: web pages and mobile app screens.

Run: python examples/06_page_screen_tracking.py
"""

from __future__ import annotations

from _support import example

import cio_analytics as analytics

with example("Page and screen tracking"):
    analytics.page(
        "user_1",
        category="Docs",
        name="Pricing",
        properties={
            "url": "https://example.com/pricing",
            "title": "Pricing",
            "referrer": "https://www.google.com/",
            "path": "/pricing",
        },
    )
    analytics.page(anonymous_id="anon_42", name="Home", properties={"url": "https://example.com/"})
    analytics.screen("user_1", name="Settings", properties={"tab": "notifications"})
    analytics.screen(
        "user_1",
        name="Checkout",
        context={"app": {"name": "Shop", "version": "2.1.0"}, "os": {"name": "iOS"}},
    )
