"""The Celery app of the Celery integration test: imported by the test and by the worker.

The broker is kombu's ``filesystem://`` transport in the folder named by
``CIO_TEST_QUEUE_DIR``, so neither side needs a server. In the worker
(``CIO_TEST_WORKER=1``) the library's ``upload_interval`` is a minute: the
background thread alone would deliver nothing while the test waits, so what
arrives was delivered by the signal handlers that ``setup`` connected.
"""

from __future__ import annotations

import os

from celery import Celery

import cio_analytics
from cio_analytics.integrations import celery as cio_celery

app = Celery("cio_celery_app", broker="filesystem://")
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_ignore_result=True,
    worker_hijack_root_logger=False,
    worker_enable_remote_control=False,
)


def use_queue_dir(path: str) -> None:
    """Send and receive through the message files in ``path``."""
    app.conf.broker_transport_options = {
        "data_folder_in": path,
        "data_folder_out": path,
        "control_folder": os.path.join(path, "control"),  # not ./control
        "polling_interval": 0.1,
    }


if "CIO_TEST_QUEUE_DIR" in os.environ:
    use_queue_dir(os.environ["CIO_TEST_QUEUE_DIR"])

if os.environ.get("CIO_TEST_WORKER") == "1":
    cio_analytics.upload_interval = 60.0
    cio_celery.setup(app)


@app.task
def export_report(report_format: str) -> None:
    """Track for whoever the task was sent for (the caller's scope), then for someone explicit."""
    cio_analytics.track(event="Report Exported", properties={"format": report_format})
    cio_analytics.track(
        "auditor", "Export Audited", context={"ip": "198.51.100.9", "page": {"path": "/audit"}}
    )


@app.task
def nightly_cleanup() -> None:
    """A task sent outside any scope: its calls name their user."""
    cio_analytics.track("system", "Cleanup Ran")
