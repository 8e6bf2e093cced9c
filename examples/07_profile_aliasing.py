"""Profile aliasing: merge an anonymous visitor's history into a known person.

Run: python examples/07_profile_aliasing.py
"""

from __future__ import annotations

from _support import example

import cio_analytics as analytics

with example("Profile aliasing"):
    # Before sign-up the visitor only has an anonymous id.
    analytics.page(anonymous_id="anon_42", name="Landing")
    analytics.track(anonymous_id="anon_42", event="Newsletter Form Viewed")

    # At sign-up: identify with both ids, and alias the anonymous id to the user id.
    analytics.identify("user_42", {"email": "new@example.com"}, anonymous_id="anon_42")
    analytics.alias("anon_42", "user_42")

    analytics.track("user_42", "Signed Up")
