"""cio_analytics: the fast, lossless Python client for the Customer.io Data Pipelines API.

Quick start::

    import cio_analytics as analytics

    analytics.write_key = "..."          # or the CUSTOMERIO_API_KEY environment variable
    analytics.identify("user_1", {"email": "ada@example.com"})
    analytics.track("user_1", "Order Completed", {"total": 42.5})
    analytics.flush()                    # optional: shutdown also runs at exit

Module settings (``write_key``, ``region``, ``host``, ``on_error``, ``debug``,
``send``, ``sync_mode``, ``max_queue_size``, ``upload_size``,
``upload_interval``, ``max_batch_bytes``, ``gzip``, ``timeout``,
``max_retries``, ``retry_deadline``, ``strict``, ``shutdown_timeout``,
``rate_limit``, ``proxy``, ``transport``, ``log_payloads``) are read when the
default client is built on the first call. Assigning one later applies it to
that client immediately: it takes effect from the next call and the next batch
sent (including messages already queued).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cio_analytics import ecommerce, errors, events, mobile, video
from cio_analytics._api import (
    MODULE_SETTINGS,
    alias,
    apply_setting,
    configure,
    flush,
    get_client,
    group,
    identify,
    join,
    page,
    reset,
    screen,
    shutdown,
    stats,
    track,
)
from cio_analytics._bulk import BulkResult, FailedMessage
from cio_analytics._client import Client
from cio_analytics._default_operations import (
    add_device,
    create_object,
    create_relationship,
    delete_device,
    delete_object,
    delete_relationship,
    delete_user,
    report_content_event,
    report_delivery_event,
    send_batch,
    suppress_user,
    unsuppress_user,
    update_object,
)
from cio_analytics._delivery.stats import ClientStats
from cio_analytics._settings import Settings
from cio_analytics._version import __version__
from cio_analytics.errors import (
    CioError,
    ConfigurationError,
    DeliveryError,
    FailureReason,
    ValidationError,
)
from cio_analytics.events import (
    ContentAction,
    CustomerIOEvent,
    DeliveryMetric,
    DeviceType,
    EcommerceEvent,
    MobileEvent,
    VideoEvent,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "BulkResult",
    "CioError",
    "Client",
    "ClientStats",
    "ConfigurationError",
    "ContentAction",
    "CustomerIOEvent",
    "DeliveryError",
    "DeliveryMetric",
    "DeviceType",
    "EcommerceEvent",
    "FailedMessage",
    "FailureReason",
    "MobileEvent",
    "Settings",
    "ValidationError",
    "VideoEvent",
    "__version__",
    "add_device",
    "alias",
    "configure",
    "create_object",
    "create_relationship",
    "delete_device",
    "delete_object",
    "delete_relationship",
    "delete_user",
    "ecommerce",
    "errors",
    "events",
    "flush",
    "get_client",
    "group",
    "identify",
    "join",
    "mobile",
    "page",
    "report_content_event",
    "report_delivery_event",
    "reset",
    "screen",
    "send_batch",
    "shutdown",
    "stats",
    "suppress_user",
    "track",
    "unsuppress_user",
    "update_object",
    "video",
]

# Module settings. None means "the default" (or the environment variable for
# write_key, region and host). Assigning one is applied to the default client.
write_key: str | None = None
region: str | None = None
host: str | None = None
on_error: Callable[[BaseException, list[dict[str, Any]]], object] | None = None
debug: bool | None = None
send: bool | None = None
sync_mode: bool | None = None
max_queue_size: int | None = None
upload_size: int | None = None
upload_interval: float | None = None
max_batch_bytes: int | None = None
gzip: bool | None = None
timeout: float | None = None
max_retries: int | None = None
retry_deadline: float | None = None
strict: bool | None = None
shutdown_timeout: float | None = None
rate_limit: float | None = None
proxy: str | None = None
proxies: Mapping[str, str] | str | None = None
transport: httpx.BaseTransport | None = None
log_payloads: bool | None = None
thread: int | None = None


class _SettingsModule(types.ModuleType):
    """The package module: assigning a setting applies it to the default client."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in MODULE_SETTINGS:
            apply_setting(name, value)  # validates first: a bad value changes nothing
        super().__setattr__(name, value)


for _obj in (Client, Settings, ClientStats, BulkResult, FailedMessage):
    _obj.__module__ = "cio_analytics"
del _obj

sys.modules[__name__].__class__ = _SettingsModule
