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
``rate_limit``, ``proxy``, ``transport``, ``log_payloads``, ``max_queue_bytes``,
``max_queue_wait``, ``handle_sigterm``, ``stall_warning``, ``before_send``,
``log_handled_failures``, ``max_in_flight``, ``grow_batches``, ``spool_dir``,
``spool_max_bytes``, ``spool_max_age``, ``spool_fsync``) are read when the
default client is built on the first call. Assigning one later applies it to
that client immediately: it takes effect from the next call and the next batch
sent (including messages already queued).
"""

# No ``from __future__ import annotations`` and only underscore names besides
# the public ones: the package namespace is exactly ``__all__`` plus the module
# settings (tests/core/test_public_api.py holds it to that).
import typing as _typing

from cio_analytics import _api, errors, events
from cio_analytics._api import (
    add_device,
    alias,
    configure,
    create_object,
    create_relationship,
    delete_device,
    delete_object,
    delete_relationship,
    delete_user,
    flush,
    get_client,
    group,
    identify,
    join,
    page,
    report_content_event,
    report_delivery_event,
    reset,
    screen,
    send_batch,
    shutdown,
    stats,
    suppress_user,
    track,
    unsuppress_user,
    update_object,
)
from cio_analytics._bulk_result import BulkResult, FailedMessage
from cio_analytics._client import Client
from cio_analytics._delivery.stats import ClientStats
from cio_analytics._settings import Hook as _Hook
from cio_analytics._settings import OnError as _OnError
from cio_analytics._settings import Settings
from cio_analytics._version import __version__
from cio_analytics._wire.scope import Scope, scope
from cio_analytics._wire.scope import current as current_scope
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

if _typing.TYPE_CHECKING:
    import httpx as _httpx

    from cio_analytics import ecommerce, hooks, mobile, video
    from cio_analytics._async import AsyncClient, aflush, ashutdown

    #: The default client (None until the first call builds it); assignable, as in
    #: customerio-cdp-analytics: None makes the next call build a fresh client.
    #: Provided at run time by the package's module class (see ``_api``).
    default_client: Client | None

__all__ = [
    "VERSION",
    "AsyncClient",
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
    "Scope",
    "Settings",
    "ValidationError",
    "VideoEvent",
    "__version__",
    "add_device",
    "aflush",
    "alias",
    "ashutdown",
    "configure",
    "create_object",
    "create_relationship",
    "current_scope",
    "default_client",
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
    "hooks",
    "identify",
    "join",
    "mobile",
    "page",
    "report_content_event",
    "report_delivery_event",
    "reset",
    "scope",
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

#: The version, under the name customerio-cdp-analytics exports it.
VERSION: str = __version__

# Module settings. None means "the default" (or the environment variable for
# write_key, region, host and spool_dir). Assigning one is applied to the default client.
write_key: str | None = None
region: str | None = None
host: str | None = None
on_error: _OnError | None = None
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
proxies: "_typing.Mapping[str, str] | str | None" = None
transport: "_httpx.BaseTransport | None" = None
log_payloads: bool | None = None
max_queue_bytes: int | None = None
max_queue_wait: float | None = None
handle_sigterm: bool | None = None
stall_warning: float | None = None
before_send: "_Hook | _typing.Sequence[_Hook] | None" = None
log_handled_failures: bool | None = None
max_in_flight: int | None = None
grow_batches: bool | None = None
spool_dir: "str | _typing.Any | None" = None
spool_max_bytes: int | None = None
spool_max_age: float | None = None
spool_fsync: str | None = None
thread: int | None = None

#: Public names imported on first use, not at ``import cio_analytics``: asyncio
#: and the semantic-event vocabularies are most of what an import would load,
#: and a program that only queues calls needs neither.
_LAZY = {
    "AsyncClient": "cio_analytics._async:AsyncClient",
    "aflush": "cio_analytics._async:aflush",
    "ashutdown": "cio_analytics._async:ashutdown",
    "ecommerce": "cio_analytics.ecommerce",
    "hooks": "cio_analytics.hooks",
    "mobile": "cio_analytics.mobile",
    "video": "cio_analytics.video",
}

for _public in (Client, Settings, ClientStats, BulkResult, FailedMessage):
    _public.__module__ = "cio_analytics"
del _public

_api.install_settings_hook(__name__)
