"""People: identify with Customer.io's reserved traits, suppress, unsuppress and delete.

Run: python examples/01_people_management.py
"""

from __future__ import annotations

import datetime as dt

from _support import example

import cio_analytics as analytics

with example("People management"):
    analytics.identify(
        "user_1",
        {
            "email": "ada@example.com",  # reserved: the person's email
            "createdAt": dt.datetime(2024, 1, 15, 9, 30, tzinfo=dt.UTC),  # reserved
            "unsubscribed": False,  # reserved: global unsubscribe
            "cio_subscription_preferences": {"topics": {"topic_1": True}},
            "plan": "pro",  # any other trait is a custom attribute
        },
    )
    # A partial update of subscription preferences uses a dotted key.
    analytics.identify("user_1", {"cio_subscription_preferences.topics.topic_2": False})

    analytics.identify("user_2", {"email": "grace@example.com"})
    analytics.suppress_user("user_2")  # delete and keep the id from coming back
    analytics.unsuppress_user("user_2")  # allow it again

    analytics.delete_user("user_3")  # "User Deleted"
