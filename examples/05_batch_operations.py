"""Batch operations: send a list of calls synchronously and see what happened to each.

Run: python examples/05_batch_operations.py
"""

from __future__ import annotations

from _support import example

import cio_analytics as analytics

with example("Batch operations"):
    entries = [
        # Calls as (name, keyword arguments) ...
        ("identify", {"user_id": "user_1", "traits": {"email": "ada@example.com"}}),
        ("identify", {"user_id": "user_2", "traits": {"email": "grace@example.com"}}),
        # ... a message in its wire shape, e.g. read from an export ...
        {"type": "track", "userId": "user_1", "event": "Imported", "properties": {"n": 1}},
        # ... an operation, and a semantic helper.
        ("add_device", {"user_id": "user_1", "token": "apns-token", "device_type": "ios"}),
        ("ecommerce.order_completed", {"user_id": "user_2", "order_id": "o-7", "total": 12.5}),
        # An invalid entry: reported in the result, while the others are sent.
        ("track", {"event": "Nobody"}),
    ]

    result = analytics.send_batch(entries, batch_size=100)
    print(f"{result.delivered} of {result.total} delivered in {result.requests} request(s)")
    for failure in result.failed:
        print(f"entry {failure.index} failed: {failure.error}")
