"""Django: settings from ``settings.py``, and a request scope with the signed-in user's id.

Install with the ``django`` extra (``pip install 'cio-analytics[django]'``), then
in ``settings.py``::

    INSTALLED_APPS = [
        ...,
        "cio_analytics.integrations.django.CioAnalyticsConfig",
    ]
    MIDDLEWARE = [
        ...,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "cio_analytics.integrations.django.RequestScopeMiddleware",  # after authentication
        ...,
    ]
    CIO_ANALYTICS = {                 # optional; the environment is read as usual
        "region": "eu",
        "on_error": "myproject.analytics.report_failure",   # a callable or a dotted path
        "trusted_proxies": 1,         # one reverse proxy appends to X-Forwarded-For
    }

``CIO_ANALYTICS`` is one dict: its keys are the keyword names of
``cio_analytics.configure()`` (``write_key``, ``region``, ``host``,
``on_error``, ``before_send``, ``shutdown_timeout`` ...), plus two options of
the middleware: ``trusted_proxies`` (default 0: ``X-Forwarded-For`` is
ignored) and ``request_user`` (default True: ``request.user.pk`` of a signed-in
user becomes the scope's ``user_id``). The app config applies it when Django
starts (``AppConfig.ready()``); an unknown key or an invalid value raises
``ImproperlyConfigured`` there.

Delivery at exit: this integration registers nothing of its own. It relies on
what the library does in every process: an exit hook that delivers what is
queued (within ``shutdown_timeout``) when the interpreter exits normally
(``runserver``, management commands, gunicorn's sync and threaded workers), and
a SIGTERM handler, installed only while SIGTERM has the default disposition,
that delivers and then ends the process as SIGTERM would (a server that
installs its own handler, as gunicorn does, exits normally and runs the exit
hook). Under an ASGI server that re-raises SIGTERM after its own shutdown
(uvicorn), wrap the application so that its lifespan shutdown delivers:
``application = cio_analytics.integrations.asgi.with_lifespan(get_asgi_application())``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import DisallowedHost, ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase

from cio_analytics._logging import logger
from cio_analytics._wire.scope import scope as open_scope
from cio_analytics.errors import ConfigurationError
from cio_analytics.integrations._request import apply_settings, request_fields, user_id_from

__all__ = ["SETTING", "CioAnalyticsConfig", "RequestScopeMiddleware", "load_settings"]

#: The name of the settings.py dict read at start-up.
SETTING: Final = "CIO_ANALYTICS"

#: The middleware's options, set by :func:`load_settings`.
_options: dict[str, Any] = {"trusted_proxies": 0, "request_user": True}
_loaded = False


def load_settings() -> None:
    """Apply ``settings.CIO_ANALYTICS``: library settings to the library, options to the middleware.

    Called by :meth:`CioAnalyticsConfig.ready`, and by the middleware when the
    app config is not installed.

    Raises:
        django.core.exceptions.ImproperlyConfigured: An unknown key or an invalid value.
    """
    global _loaded
    try:
        found = apply_settings(getattr(settings, SETTING, None) or {}, source=SETTING)
    except ConfigurationError as exc:
        raise ImproperlyConfigured(str(exc)) from exc
    _options.update({"trusted_proxies": 0, "request_user": True, **found})
    _loaded = True


class CioAnalyticsConfig(AppConfig):
    """The Django app: reads ``settings.CIO_ANALYTICS`` when Django starts.

    Add ``"cio_analytics.integrations.django.CioAnalyticsConfig"`` to
    ``INSTALLED_APPS`` (the class path: this module is not a package, so
    Django would not find the config from the module path alone). It has no
    models, no migrations and no URLs.
    """

    name = "cio_analytics.integrations.django"
    label = "cio_analytics"
    verbose_name = "cio-analytics"

    def ready(self) -> None:
        """Apply ``settings.CIO_ANALYTICS``."""
        load_settings()


def _user_id(request: HttpRequest) -> str | None:
    """``str(request.user.pk)`` when ``AuthenticationMiddleware`` ran and the user is signed in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return str(user.pk)


async def _auser_id(request: HttpRequest) -> str | int | None:
    """:func:`_user_id` in async code (``request.auser()``, or the sync version in a thread)."""
    auser = getattr(request, "auser", None)
    if auser is None:
        return await sync_to_async(user_id_from)(_user_id, request)
    try:
        user = await auser()
    except Exception:
        logger.exception("cio_analytics: request.auser() raised; the scope has no user id")
        return None
    return str(user.pk) if user.is_authenticated else None


def _fields(request: HttpRequest) -> dict[str, Any]:
    """The request's ``cio_analytics.scope()`` keywords (ip, user agent, page)."""
    meta = request.META
    try:
        url: str | None = request.build_absolute_uri(request.path)
    except DisallowedHost:  # the host is not in ALLOWED_HOSTS: Django answers 400 anyway
        url = None
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    return request_fields(
        peer=meta.get("REMOTE_ADDR"),
        forwarded_for=[forwarded] if forwarded else [],
        trusted_proxies=_options["trusted_proxies"],
        user_agent=meta.get("HTTP_USER_AGENT"),
        path=request.path,
        url=url,
        referrer=meta.get("HTTP_REFERER"),
    )


class RequestScopeMiddleware:
    """Open a ``cio_analytics.scope()`` around each request, sync or async.

    Every call made while the request is handled gets ``context.ip``,
    ``context.userAgent`` and ``context.page`` (path, URL and referrer,
    without query strings), and, when ``AuthenticationMiddleware`` comes
    before this one and the user is signed in, ``user_id=str(request.user.pk)``.
    A call's own arguments still win. Reading ``request.user`` loads the
    session's user; set ``"request_user": False`` in ``CIO_ANALYTICS`` to skip it.
    """

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        if not _loaded:
            load_settings()

    def __call__(self, request: HttpRequest) -> Any:
        """Handle one request inside its scope (a coroutine in async mode)."""
        if self.async_mode:
            return self._acall(request)
        user = user_id_from(_user_id, request) if _options["request_user"] else None
        with open_scope(user_id=user, **_fields(request)):
            return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> Any:
        user = await _auser_id(request) if _options["request_user"] else None
        with open_scope(user_id=user, **_fields(request)):
            return await self.get_response(request)  # type: ignore[misc]
