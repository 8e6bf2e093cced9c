"""AWS Lambda and other freeze-between-calls runtimes: deliver before the handler returns.

Between invocations the platform freezes the process: the library's
background thread cannot run, and the instance may never be thawed again. So
whatever an invocation queued must be delivered before the handler returns.
:func:`flush_on_return` does that, within a bounded time::

    from cio_analytics.integrations.aws_lambda import flush_on_return

    @flush_on_return(timeout=2.0)
    def handler(event, context):
        cio_analytics.track(event="Report Exported", properties={"format": "pdf"})
        return {"statusCode": 200}

No third-party package is needed. The flush waits at most ``timeout``
seconds, and never past the invocation's own deadline less ``margin``
(``context.get_remaining_time_in_millis()``). A delivery problem never
raises into the handler: it is logged, and the messages concerned are
reported to ``on_error`` as always. The handler's own exceptions propagate,
after what it queued has been flushed.

For API Gateway (REST and HTTP APIs), function URL and ALB events the
decorator also opens a ``cio_analytics.scope()`` with the caller's
``context.ip``, ``context.userAgent`` and ``context.page.path``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Final, ParamSpec, TypeVar, cast, overload

from cio_analytics import _api
from cio_analytics._async import AsyncClient, aflush
from cio_analytics._client import Client
from cio_analytics._logging import logger
from cio_analytics._wire.scope import scope as open_scope
from cio_analytics.integrations._request import request_fields, user_id_from

__all__ = ["event_fields", "flush_on_return"]

#: Seconds the flush may take at most, by default.
DEFAULT_TIMEOUT: Final = 2.0
#: Seconds kept free before the invocation's deadline, by default.
DEFAULT_MARGIN: Final = 0.5

_P = ParamSpec("_P")
_R = TypeVar("_R")


@overload
def flush_on_return(handler: Callable[_P, _R], /) -> Callable[_P, _R]: ...


@overload
def flush_on_return(
    *,
    timeout: float = DEFAULT_TIMEOUT,
    margin: float = DEFAULT_MARGIN,
    client: Client | None = None,
    request_scope: bool = True,
    user_id: Callable[[Mapping[str, Any]], object] | None = None,
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...


def flush_on_return(
    handler: Callable[..., Any] | None = None,
    /,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    margin: float = DEFAULT_MARGIN,
    client: Client | None = None,
    request_scope: bool = True,
    user_id: Callable[[Mapping[str, Any]], object] | None = None,
) -> Any:
    """Decorate a handler ``(event, context)`` so that it flushes before it returns.

    Works on plain and ``async def`` handlers, with or without arguments
    (``@flush_on_return`` or ``@flush_on_return(timeout=1.0)``).

    Args:
        handler: The handler, when used without arguments.
        timeout: Seconds the flush may take at most.
        margin: Seconds kept free before the invocation's deadline (read from
            ``context.get_remaining_time_in_millis()`` when the context has it).
        client: The client to flush; None flushes the default client.
        request_scope: For HTTP events (API Gateway, function URLs, ALB), open
            a scope with the caller's ip, user agent and path.
        user_id: A function of the event that returns the user id of the
            scope (a Cognito ``sub`` claim, say), or None.

    Returns:
        The decorated handler (or, with arguments, the decorator).
    """
    options = _Options(timeout, margin, client, request_scope, user_id)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(func):
            return _async_wrapper(func, options)
        return _sync_wrapper(func, options)

    return decorate if handler is None else decorate(handler)


class _Options:
    """What one decorator was given."""

    __slots__ = ("client", "margin", "request_scope", "timeout", "user_id")

    def __init__(
        self,
        timeout: float,
        margin: float,
        client: Client | None,
        request_scope: bool,
        user_id: Callable[[Mapping[str, Any]], object] | None,
    ) -> None:
        self.timeout = timeout
        self.margin = margin
        self.client = client
        self.request_scope = request_scope
        self.user_id = user_id

    def budget(self, context: object) -> float:
        """The flush timeout: ``timeout``, less when the invocation is about to time out."""
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if not callable(remaining):
            return self.timeout
        try:
            left = float(remaining()) / 1000.0 - self.margin
        except (TypeError, ValueError):
            return self.timeout
        return max(0.0, min(self.timeout, left))

    @contextlib.contextmanager
    def scope(self, event: object) -> Iterator[None]:
        """The invocation's scope (none for events that are not HTTP requests)."""
        if not self.request_scope or not isinstance(event, Mapping):
            yield
            return
        fields = event_fields(event)
        user = None if self.user_id is None else user_id_from(self.user_id, event)
        if not fields and user is None:
            yield
            return
        with open_scope(user_id=user, **fields):
            yield

    def flushed(self, finished: bool, budget: float) -> None:
        if not finished:
            logger.warning(
                "cio_analytics: the flush before the handler returned did not finish in %g s",
                budget,
            )


def _sync_wrapper(func: Callable[..., Any], options: _Options) -> Callable[..., Any]:
    @functools.wraps(func)
    def handler(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        with options.scope(event):
            try:
                return func(event, context, *args, **kwargs)
            finally:
                budget = options.budget(context)
                try:
                    client = options.client
                    finished = _api.flush(budget) if client is None else client.flush(budget)
                    options.flushed(finished, budget)
                except Exception:  # delivery never raises into the handler
                    logger.exception("cio_analytics: error while flushing before returning")

    return handler


def _async_wrapper(func: Callable[..., Any], options: _Options) -> Callable[..., Any]:
    run = cast("Callable[..., Awaitable[Any]]", func)

    @functools.wraps(func)
    async def handler(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        with options.scope(event):
            try:
                return await run(event, context, *args, **kwargs)
            finally:
                budget = options.budget(context)
                try:
                    client = options.client
                    if client is None:
                        finished = await aflush(budget)
                    else:
                        finished = await AsyncClient(client=client).flush(budget)
                    options.flushed(finished, budget)
                except Exception:
                    logger.exception("cio_analytics: error while flushing before returning")

    return handler


def _header(headers: object, name: str) -> str | None:
    """A header of an event, whatever the case of its name (API Gateway keeps the client's)."""
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name and isinstance(value, str):
            return value
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def event_fields(event: Mapping[str, Any]) -> dict[str, Any]:
    """The ``cio_analytics.scope()`` keywords of an HTTP event; {} for other events.

    API Gateway REST (payload 1.0) and HTTP APIs (2.0) and function URLs give
    the caller's address in ``requestContext``; behind an ALB it is the last
    ``X-Forwarded-For`` entry (the one the balancer appended).
    """
    request = _mapping(event.get("requestContext"))
    headers = event.get("headers")
    http = _mapping(request.get("http"))
    identity = _mapping(request.get("identity"))
    path = event.get("rawPath") or event.get("path") or http.get("path")
    if not isinstance(path, str):
        return {}  # not an HTTP event
    peer = http.get("sourceIp") or identity.get("sourceIp")
    behind_alb = "elb" in request
    forwarded = _header(headers, "x-forwarded-for")
    return request_fields(
        peer=peer if isinstance(peer, str) else None,
        forwarded_for=[forwarded] if forwarded and behind_alb else [],
        trusted_proxies=1 if behind_alb else 0,
        user_agent=_header(headers, "user-agent") or http.get("userAgent"),
        path=path,
        referrer=_header(headers, "referer"),
    )
