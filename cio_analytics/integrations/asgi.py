"""ASGI servers and frameworks (uvicorn, Starlette, FastAPI): a request scope, and delivery at exit.

Two pieces, neither of which imports a framework:

- :class:`RequestScopeMiddleware`, a pure ASGI middleware: every call made
  while a request is handled (in ``async def`` handlers, and in the sync
  handlers Starlette runs in its thread pool) gets the request's
  ``context.ip``, ``context.userAgent`` and ``context.page`` (path, URL and
  referrer, without query strings), and optionally a user id.
- :func:`lifespan` (or :func:`with_lifespan` around an application that
  has no lifespan of its own, such as Django's): uvicorn installs its own
  SIGTERM handler, and after its graceful shutdown it restores the default
  disposition and raises SIGTERM again, so the process dies without running
  exit hooks. The library never replaces a handler someone else installed;
  instead, the application's lifespan shuts the library down, off the event
  loop, when the server stops.

::

    from fastapi import FastAPI
    from cio_analytics.integrations.asgi import RequestScopeMiddleware, lifespan

    app = FastAPI(lifespan=lifespan)
    app.add_middleware(RequestScopeMiddleware, trusted_proxies=1)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from typing import Any, Final

from cio_analytics import _api
from cio_analytics._wire.scope import scope as open_scope
from cio_analytics.integrations._request import (
    request_fields,
    trusted_proxy_count,
    user_id_from,
)

__all__ = ["RequestScopeMiddleware", "lifespan", "scope_fields", "with_lifespan"]

#: An ASGI connection scope, and the receive/send channels and application around it.
ASGIScope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[ASGIScope, Receive, Send], Awaitable[None]]

#: The connection types that are requests (lifespan events pass straight through).
_REQUEST_TYPES: Final = frozenset({"http", "websocket"})


class RequestScopeMiddleware:
    """Open a ``cio_analytics.scope()`` around each HTTP request and WebSocket connection.

    The scope gives every call inside the request ``context.ip`` (the client's
    address), ``context.userAgent`` and ``context.page`` (``path``, ``url``,
    ``referrer``; query strings and fragments are left out). A call's own
    arguments still win: its ``user_id``, and the ``context`` keys it gives.

    Args:
        app: The ASGI application to wrap.
        trusted_proxies: How many reverse proxies in front of the app append
            to ``X-Forwarded-For``: the client's address is then that many
            entries from the right. 0 (the default) ignores the header, which
            any client can send. Leave it 0 when the server already rewrites
            the client address (uvicorn's ``--proxy-headers``).
        user_id: A function of the ASGI scope that returns the signed-in
            user's id, or None. It runs when the request starts, so it sees
            what middleware outside this one set (``scope["user"]`` of
            Starlette's ``AuthenticationMiddleware`` when that wraps this
            one). If it raises, the error is logged and the request goes on.

    Example::

        app = FastAPI(lifespan=lifespan)
        app.add_middleware(RequestScopeMiddleware, trusted_proxies=1)
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted_proxies: int = 0,
        user_id: Callable[[ASGIScope], object] | None = None,
    ) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxy_count(trusted_proxies)
        self.user_id = user_id

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        """Handle one connection: inside the request's scope for requests, as is otherwise."""
        if scope.get("type") not in _REQUEST_TYPES:
            await self.app(scope, receive, send)
            return
        with self._scope_of(scope):
            await self.app(scope, receive, send)

    @contextlib.contextmanager
    def _scope_of(self, scope: ASGIScope) -> Iterator[None]:
        user = None if self.user_id is None else user_id_from(self.user_id, scope)
        with open_scope(user_id=user, **scope_fields(scope, self.trusted_proxies)):
            yield


def _headers(scope: ASGIScope) -> dict[str, list[str]]:
    """The request's headers by lower-case name (ASGI gives bytes; latin-1 never fails)."""
    found: dict[str, list[str]] = {}
    for name, value in scope.get("headers") or ():
        found.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return found


def scope_fields(scope: ASGIScope, trusted_proxies: int = 0) -> dict[str, Any]:
    """The ``cio_analytics.scope()`` keywords for one ASGI connection scope.

    Args:
        scope: The ASGI connection scope (``type`` ``http`` or ``websocket``).
        trusted_proxies: See :class:`RequestScopeMiddleware`.
    """
    headers = _headers(scope)
    client = scope.get("client")
    path = scope.get("path") or "/"
    root = scope.get("root_path") or ""
    if root and not path.startswith(root):  # servers differ on whether path includes it
        path = root + path
    host = next(iter(headers.get("host", ())), None)
    server = scope.get("server")
    if host is None and server:
        host = f"{server[0]}:{server[1]}" if server[1] is not None else str(server[0])
    url = f"{scope.get('scheme', 'http')}://{host}{path}" if host else None
    return request_fields(
        peer=str(client[0]) if client else None,
        forwarded_for=headers.get("x-forwarded-for", ()),
        trusted_proxies=trusted_proxies,
        user_agent=next(iter(headers.get("user-agent", ())), None),
        path=path,
        url=url,
        referrer=next(iter(headers.get("referer", ())), None),
    )


@contextlib.asynccontextmanager
async def lifespan(app: object) -> AsyncIterator[None]:
    """A lifespan for Starlette/FastAPI: on shutdown, deliver what is queued, then stop.

    The default client's ``shutdown()`` (bounded by its ``shutdown_timeout``)
    runs in a worker thread, so the event loop is never blocked. An
    application with a lifespan of its own ends it with
    ``await cio_analytics.ashutdown()`` instead.

    Example::

        app = FastAPI(lifespan=lifespan)
    """
    yield
    await asyncio.to_thread(_api.shutdown)


def with_lifespan(app: ASGIApp) -> ASGIApp:
    """``app`` with a lifespan that delivers what is queued when the server shuts down.

    For ASGI applications without a lifespan of their own (Django's
    ``get_asgi_application()``, plain ASGI apps): the returned application
    answers the server's lifespan events itself (startup completes at once;
    shutdown runs the default client's ``shutdown()`` in a worker thread) and
    passes every other connection to ``app``. Starlette and FastAPI apps take
    :func:`lifespan` instead, so that their own lifespan keeps running.

    Example::

        application = with_lifespan(get_asgi_application())
    """

    async def application(scope: ASGIScope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "lifespan":
            await _answer_lifespan(receive, send)
        else:
            await app(scope, receive, send)

    return application


async def _answer_lifespan(receive: Receive, send: Send) -> None:
    """The lifespan protocol: one startup event, then one shutdown event."""
    for expected in ("lifespan.startup", "lifespan.shutdown"):
        message = await receive()
        if message.get("type") != expected:
            return  # not the protocol this answers: leave the connection
        if expected == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
            continue
        try:
            await asyncio.to_thread(_api.shutdown)
        except Exception as exc:  # reported to the server, which logs it
            await send({"type": "lifespan.shutdown.failed", "message": repr(exc)})
        else:
            await send({"type": "lifespan.shutdown.complete"})
