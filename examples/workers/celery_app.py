"""A Celery app whose tasks track, hooked to the worker by one call.

``cio_analytics.integrations.celery.setup(app)`` runs wherever this module is
imported, in the worker and in the code that sends tasks:

- in the worker's processes it shuts the library down when a prefork child
  ends (``worker_process_shutdown``: children end with ``os._exit``, which
  skips exit hooks, whenever ``max_tasks_per_child`` replaces them), and,
  with ``CIO_FLUSH_AFTER_TASK=1``, flushes after every task;
- on the sending side it puts the caller's ``cio_analytics.scope()`` (the
  request's ip, user agent and page, opened by a web integration) in the task's
  headers, and the worker opens it again around the task.

Configuration comes from the environment: ``CUSTOMERIO_API_KEY`` and
``CUSTOMERIO_REGION`` or ``CUSTOMERIO_HOST`` for the library;
``CELERY_BROKER_URL`` for Celery (by default kombu's ``filesystem://``
transport in ``CELERY_QUEUE_DIR``, so the example needs no broker server).

Run it::

    export CUSTOMERIO_API_KEY=... CELERY_QUEUE_DIR=/tmp/celery-queue
    mkdir -p $CELERY_QUEUE_DIR
    python examples/workers/celery_app.py ada@example.com      # sends one task
    celery --workdir examples/workers -A celery_app worker --pool=prefork \\
        --concurrency=2 --max-tasks-per-child=100
"""

from __future__ import annotations

import os
import sys
import uuid

from celery import Celery

import cio_analytics as analytics
from cio_analytics.integrations import celery as cio_celery

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
QUEUE_DIR = os.environ.get("CELERY_QUEUE_DIR", "celery-queue")

app = Celery("celery_app", broker=BROKER_URL)
app.conf.update(task_ignore_result=True, broker_connection_retry_on_startup=True)
if BROKER_URL.startswith("filesystem://"):
    app.conf.broker_transport_options = {
        "data_folder_in": QUEUE_DIR,
        "data_folder_out": QUEUE_DIR,
        "control_folder": os.path.join(QUEUE_DIR, "control"),
        "polling_interval": 0.2,
    }

cio_celery.setup(app, flush_after_task=os.environ.get("CIO_FLUSH_AFTER_TASK") == "1")


@app.task
def send_welcome_email(user_id: str, email: str) -> None:
    """Send the welcome email, then track it.

    The call names its user; ``context.ip``, ``context.userAgent`` and
    ``context.page`` come from the scope the task was sent from.
    """
    # ... render and send the email here ...
    analytics.track(user_id, "Welcome Email Sent", {"email_domain": email.rpartition("@")[2]})


def sign_up(email: str, ip: str, user_agent: str) -> str:
    """What a sign-up view does: create the user, then queue the email in the request's scope.

    A web integration opens this scope for you; it is written out here so the
    example runs on its own.
    """
    user_id = f"user-{uuid.uuid4().hex[:12]}"
    with analytics.scope(ip=ip, user_agent=user_agent, page={"path": "/signup"}):
        analytics.identify(user_id, {"email": email})
        send_welcome_email.delay(user_id, email)
    return user_id


if __name__ == "__main__":
    os.makedirs(QUEUE_DIR, exist_ok=True)
    print(sign_up(sys.argv[1] if len(sys.argv) > 1 else "ada@example.com", "127.0.0.1", "cli"))
