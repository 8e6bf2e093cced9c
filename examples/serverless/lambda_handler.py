"""An AWS Lambda style handler: track during the invocation, flush before returning.

Between invocations the platform freezes the process: the library's
background thread cannot run, and the instance may never be thawed again. So
each invocation ends with ``cio_analytics.flush(timeout=...)``, which sends
what the invocation queued (still in batches) and returns whether it
finished. The timeout keeps a slow API from eating the function's own time
limit. The alternative, ``cio_analytics.sync_mode = True``, sends every call
before it returns, one request per call.

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

logger = logging.getLogger(__name__)

#: Seconds an invocation may spend delivering, at most.
FLUSH_TIMEOUT = float(os.environ.get("CIO_FLUSH_TIMEOUT", "2.0"))
#: Seconds kept free before the function's own deadline.
SAFETY_MARGIN = 0.5


def report_failure(error: BaseException, messages: list[dict[str, Any]]) -> None:
    """Log every message that could not be delivered (the library calls this)."""
    logger.warning("Customer.io: %d message(s) not delivered: %s", len(messages), error)


analytics.on_error = report_failure


def _flush_budget(context: Any) -> float:
    """The flush timeout: FLUSH_TIMEOUT, or less when the invocation is about to time out."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return FLUSH_TIMEOUT
    return max(0.1, min(FLUSH_TIMEOUT, remaining() / 1000 - SAFETY_MARGIN))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle an API Gateway style request: record an export, then flush.

    Args:
        event: The invocation event; ``body`` is a JSON string with ``user_id``
            and an optional ``format``.
        context: The Lambda context (``get_remaining_time_in_millis``).

    Returns:
        An API Gateway style response; ``flushed`` tells whether the flush finished.
    """
    try:
        body = json.loads(event.get("body") or "{}")
    except ValueError:
        body = {}
    user_id = body.get("user_id") if isinstance(body, dict) else None
    if not isinstance(user_id, str) or not user_id:
        return {"statusCode": 400, "body": json.dumps({"error": "user_id is required"})}
    export_format = body.get("format", "pdf")
    analytics.track(user_id, "Report Exported", {"format": export_format})
    analytics.identify(user_id, {"last_export_at": dt.datetime.now(dt.UTC)})
    # True once every queued message was delivered or reported to on_error.
    flushed = analytics.flush(timeout=_flush_budget(context))
    if not flushed:
        logger.warning("Customer.io: the flush did not finish in time")
    return {"statusCode": 200, "body": json.dumps({"ok": True, "flushed": flushed})}
