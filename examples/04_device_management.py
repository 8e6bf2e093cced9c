"""Devices: register push tokens, update them, remove them, and report push metrics.

Run: python examples/04_device_management.py
"""

from __future__ import annotations

from _support import example

import cio_analytics as analytics
from cio_analytics import DeliveryMetric, DeviceType

with example("Device management"):
    analytics.add_device("user_1", "apns-token-abc", "ios", {"app_version": "2.1.0"})
    analytics.add_device("user_1", "fcm-token-xyz", DeviceType.ANDROID)

    # Sending the same token again updates the device.
    analytics.add_device("user_1", "apns-token-abc", "ios", {"app_version": "2.2.0"})

    # A push was opened on that device.
    analytics.report_delivery_event("dlv_123", DeliveryMetric.OPENED, recipient="apns-token-abc")

    analytics.delete_device("user_1", "fcm-token-xyz", "android")

    try:
        analytics.add_device("user_1", "token", "windows-phone")
    except analytics.ValidationError as error:
        print("refused at the call:", error)
