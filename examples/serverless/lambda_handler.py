"""An AWS Lambda style handler: track during the invocation, flush before returning.

Between invocations the platform freezes the process: the library's
background thread cannot run, and the instance may never be thawed again. So
``@flush_on_return`` ends each invocation by flushing what it queued (still
in batches), for at most ``timeout`` seconds and never past the invocation's
own deadline less a margin, and a slow or failing API never raises into the
handler. The alternative, ``cio_analytics.sync_mode = True``, sends every
call before it returns, one request per call.

For API Gateway and function URL events the decorator also opens a
``cio_analytics.scope()`` with the caller's ``context.ip``,
``context.userAgent`` and ``context.page.path``.

Configuration comes from the function's environment: ``CUSTOMERIO_API_KEY``,
and ``CUSTOMERIO_REGION`` or ``CUSTOMERIO_HOST``. The client is created on the
first call and reused by later invocations of the same instance.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from typing import Any

import cio_analytics as analytics
from cio_analytics.integrations.aws_lambda import flush_on_return

logger = logging.getLogger(__name__)

#: Seconds an invocation may spend delivering, at most.
FLUSH_TIMEOUT = float(os.environ.get("CIO_FLUSH_TIMEOUT", "2.0"))


def report_failure(error: BaseException, messages: list[dict[str, Any]]) -> None:
    """Log every message that could not be delivered (the library calls this)."""
    logger.warning("Customer.io: %d message(s) not delivered: %s", len(messages), error)


analytics.on_error = report_failure


@flush_on_return(timeout=FLUSH_TIMEOUT, margin=0.5)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle an API Gateway style request: record an export (delivered before returning).

    Args:
        event: The invocation event; ``body`` is a JSON string with ``user_id``
            and an optional ``format``.
        context: The Lambda context (``get_remaining_time_in_millis``).

    Returns:
        An API Gateway style response.
    """
    try:
        body = json.loads(event.get("body") or "{}")
    except ValueError:
        body = {}
    user_id = body.get("user_id") if isinstance(body, dict) else None
    if not isinstance(user_id, str) or not user_id:
        return {"statusCode": 400, "body": json.dumps({"error": "user_id is required"})}
    export_format = body.get("format", "pdf")
    with analytics.scope(user_id=user_id):
        analytics.track(event="Report Exported", properties={"format": export_format})
        analytics.identify(traits={"last_export_at": dt.datetime.now(dt.UTC)})
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
