"""Setup and configuration: settings, a first identify and track, flush and counters.

Run: python examples/00_setup_and_configuration.py
(Uses CUSTOMERIO_API_KEY when it is set, else a local Customer.io-compatible server.)
"""

from __future__ import annotations

from typing import Any

from _support import example

import cio_analytics as analytics


def report_failure(error: BaseException, messages: list[dict[str, Any]]) -> None:
    """Called for every message that could not be delivered."""
    print(f"not delivered ({error}): {len(messages)} message(s)")


with example("Setup and configuration"):
    # The write key comes from CUSTOMERIO_API_KEY (or analytics.write_key = "...");
    # the region from CUSTOMERIO_REGION ("us" or "eu"), or analytics.region = "eu".
    analytics.on_error = report_failure
    analytics.gzip = True  # compress request bodies

    analytics.identify("user_1", {"email": "ada@example.com", "name": "Ada"})
    message_id = analytics.track("user_1", "Signed Up", {"plan": "pro"})
    print("queued track call", message_id)

    analytics.flush(timeout=10)  # block until everything queued so far is sent
    stats = analytics.stats()
    print(f"delivered={stats.delivered} failed={stats.failed} requests={stats.requests}")
