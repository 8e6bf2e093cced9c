"""Celery: deliver from worker processes, and carry the caller's scope into its tasks.

Install with the ``celery`` extra (``pip install 'cio-analytics[celery]'``), then,
where the Celery app is defined (so that the workers and the code that sends
tasks both run it)::

    from celery import Celery
    from cio_analytics.integrations import celery as cio_celery

    app = Celery("proj")
    cio_celery.setup(app)                      # flush_after_task=True for short-lived workers

What :func:`setup` connects (Celery's signals are process-wide):

- ``worker_process_shutdown``: a prefork child shuts the library down (it
  delivers what the child queued, within ``shutdown_timeout``). The pool's
  children end with ``os._exit``, which skips exit hooks, whenever they are
  replaced: ``max_tasks_per_child``, ``max_memory_per_child``, and at warm
  shutdown. ``worker_shutdown`` does the same in the main worker process
  (solo and threads pools).
- ``before_task_publish``: when a task is sent from inside a
  ``cio_analytics.scope()`` (a web request opened by one of the web
  integrations, say), the scope's user id, anonymous id and context go with
  the task in a message header (JSON text, so any task serializer carries it).
- ``task_prerun``/``task_postrun``: the worker opens that scope around the
  task, so the task's calls get the same defaults (a call's own arguments
  still win), and closes it after; with ``flush_after_task=True`` it then
  waits (at most ``flush_timeout`` seconds) until what the task queued is
  delivered.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeAlias

from celery import Celery, Task, signals

from cio_analytics import _api
from cio_analytics._logging import logger
from cio_analytics._wire.scope import Scope, current
from cio_analytics._wire.scope import scope as open_scope

__all__ = ["HEADER", "setup"]

_AnyTask: TypeAlias = "Task[Any, Any]"

#: The message header that carries the caller's scope to the worker.
HEADER: Final = "cio_analytics_scope"

_install_lock = threading.Lock()
_uninstall: Callable[[], None] | None = None


def setup(
    app: Celery,
    *,
    flush_after_task: bool = False,
    flush_timeout: float = 5.0,
    propagate_scope: bool = True,
) -> Callable[[], None]:
    """Connect the library to Celery's signals (once per process; a second call replaces the first).

    Args:
        app: The Celery app whose tasks get the caller's scope and the flush
            after each task. (Process shutdown is handled whatever the app.)
        flush_after_task: Wait after each task until what it queued has been
            delivered (or reported to ``on_error``). For workers that may be
            stopped or frozen between tasks; a long-running worker delivers
            in the background without it.
        flush_timeout: Seconds each of those flushes may take at most.
        propagate_scope: Carry the caller's ``cio_analytics.scope()`` into the task.

    Returns:
        A function that disconnects everything this call connected.

    Example::

        app = Celery("proj")
        cio_analytics.integrations.celery.setup(app, flush_after_task=True)
    """
    global _uninstall
    hooks = _Hooks(app, flush_after_task, flush_timeout)
    connections: list[tuple[Any, Callable[..., None]]] = [
        (signals.worker_process_shutdown, hooks.shut_down),
        (signals.worker_shutdown, hooks.shut_down),
        (signals.task_postrun, hooks.after_task),
    ]
    if propagate_scope:
        connections += [
            (signals.before_task_publish, hooks.before_publish),
            (signals.task_prerun, hooks.before_task),
        ]

    def uninstall() -> None:
        for signal, receiver in connections:
            signal.disconnect(receiver)

    with _install_lock:
        if _uninstall is not None:
            _uninstall()
        for signal, receiver in connections:
            signal.connect(receiver, weak=False)
        _uninstall = uninstall
    return uninstall


class _Hooks:
    """The signal receivers of one :func:`setup` call."""

    def __init__(self, app: Celery, flush_after_task: bool, flush_timeout: float) -> None:
        self.app = getattr(app, "_get_current_object", lambda: app)()  # a proxy: the app
        self.flush_after_task = flush_after_task
        self.flush_timeout = flush_timeout
        # Scopes opened by task_prerun, by task id, until task_postrun closes them.
        self.open: dict[str, contextlib.ExitStack[bool | None]] = {}

    def owns(self, task: _AnyTask | None) -> bool:
        return task is not None and getattr(task, "app", None) is self.app

    def shut_down(self, **_: Any) -> None:
        """worker_process_shutdown / worker_shutdown: deliver, then stop."""
        try:
            _api.shutdown()
        except Exception:  # the process is ending: log, never raise into Celery
            logger.exception("cio_analytics: error while shutting down in a Celery worker")

    def before_publish(self, headers: dict[str, Any] | None = None, **_: Any) -> None:
        """before_task_publish: put the caller's scope in the message headers."""
        if headers is None or HEADER in headers:
            return
        encoded = encode_scope(current())
        if encoded is not None:
            headers[HEADER] = encoded

    def before_task(
        self, task_id: str | None = None, task: _AnyTask | None = None, **_: Any
    ) -> None:
        """task_prerun: open the scope the task was sent with."""
        if task_id is None or not self.owns(task):
            return
        fields = decode_scope(_header_of(task))
        if fields is None:
            return
        stack = contextlib.ExitStack()
        stack.enter_context(open_scope(**fields))
        self.open[task_id] = stack

    def after_task(
        self, task_id: str | None = None, task: _AnyTask | None = None, **_: Any
    ) -> None:
        """task_postrun: close the task's scope; flush when asked."""
        stack = self.open.pop(task_id, None) if task_id is not None else None
        if stack is not None:
            try:
                stack.close()
            except ValueError:  # reset in another context: the thread's context was replaced
                logger.debug("cio_analytics: a task's scope was closed in another context")
        if self.flush_after_task and self.owns(task):
            try:
                if not _api.flush(timeout=self.flush_timeout):
                    logger.warning(
                        "cio_analytics: the flush after a task did not finish in %g s",
                        self.flush_timeout,
                    )
            except Exception:
                logger.exception("cio_analytics: error while flushing after a task")


def _header_of(task: _AnyTask | None) -> object:
    """The scope header of the task being run (a message header becomes a request attribute)."""
    request = getattr(task, "request", None)
    if request is None:
        return None
    found = getattr(request, HEADER, None)
    if found is None:  # apply_async(headers=...) nests them under "headers" in some versions
        nested = getattr(request, "headers", None)
        if isinstance(nested, Mapping):
            found = nested.get(HEADER)
    return found


def encode_scope(found: Scope | None) -> str | None:
    """A scope as the JSON text of the task header, or None when there is nothing to carry.

    A scope whose values JSON cannot carry is left behind (logged at WARNING):
    the task is still sent.
    """
    if found is None:
        return None
    payload: dict[str, Any] = {}
    if found.user_id is not None:
        payload["user_id"] = found.user_id
    if found.anonymous_id is not None:
        payload["anonymous_id"] = found.anonymous_id
    if found.context:
        payload["context"] = dict(found.context)
    if not payload:
        return None
    try:
        return json.dumps(payload, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        logger.warning("cio_analytics: the scope cannot travel with the task (%s)", exc)
        return None


def decode_scope(header: object) -> dict[str, Any] | None:
    """The ``cio_analytics.scope()`` keywords a task header carries, or None."""
    if not isinstance(header, str):
        return None
    try:
        payload = json.loads(header)
    except ValueError:
        logger.warning("cio_analytics: a task's %s header is not JSON; ignored", HEADER)
        return None
    if not isinstance(payload, dict):
        return None
    fields: dict[str, Any] = {}
    for key in ("user_id", "anonymous_id"):
        value = payload.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            fields[key] = value
    if isinstance(payload.get("context"), dict):
        fields["context"] = payload["context"]
    return fields or None
