"""The Celery example: a task sent inside a request's scope tracks with that scope in a worker.

The worker is Celery's embedded test worker (``start_worker``: the solo pool
in a thread of this process) on kombu's filesystem transport. A new thread
does not inherit the sender's context variables, so the scope can only reach
the task through the message header the integration adds. The prefork pool
and ``worker_process_shutdown`` are covered in tests/integrations with a real
worker process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from cio_analytics.testing import LocalServer

pytest.importorskip("celery")
from celery.contrib.testing.worker import start_worker

#: Seconds to wait for the task's message (the worker polls the queue folder).
DELIVERY_TIMEOUT = 20.0


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Give the root logger back its level and handlers (the embedded worker sets its own)."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        yield
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers


@pytest.fixture
def celery_example(
    load_example: Callable[[str, str], ModuleType],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> ModuleType:
    """The example module, its queue folder under ``tmp_path`` (read once, at the first import)."""
    monkeypatch.setenv("CELERY_QUEUE_DIR", str(tmp_path))
    return load_example("workers", "celery_app")


def test_a_task_tracks_with_the_scope_it_was_sent_from(
    cio_env: LocalServer, celery_example: ModuleType, root_logging: None
) -> None:
    """identify from the sign-up, then the task's track: same user, the request's context."""
    with start_worker(celery_example.app, pool="solo", perform_ping_check=False):
        user_id = celery_example.sign_up("ada@example.com", "203.0.113.7", "example-test/1.0")
        assert cio_env.wait_for_messages(2, timeout=DELIVERY_TIMEOUT), cio_env.messages

    identify, sent = cio_env.messages_for_user(user_id)
    assert identify["type"] == "identify"
    assert sent["event"] == "Welcome Email Sent"
    assert sent["properties"] == {"email_domain": "example.com"}
    for message in (identify, sent):
        assert message["context"]["ip"] == "203.0.113.7"
        assert message["context"]["userAgent"] == "example-test/1.0"
        assert message["context"]["page"] == {"path": "/signup"}
    assert cio_env.duplicate_count == 0
    assert cio_env.rejections == []
