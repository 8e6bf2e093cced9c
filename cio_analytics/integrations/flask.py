"""Flask: an extension that opens a request scope around every request.

Install with the ``flask`` extra (``pip install 'cio-analytics[flask]'``)::

    from flask import Flask
    from cio_analytics.integrations.flask import CioAnalytics

    app = Flask(__name__)
    app.config["CIO_ANALYTICS"] = {"region": "eu", "trusted_proxies": 1}
    CioAnalytics(app)            # or, with an app factory: analytics.init_app(app)

Every call made while a request is handled (in the view, and in the
``before_request``/``after_request`` functions of the app) then gets the
request's ``context.ip``, ``context.userAgent`` and ``context.page`` (path,
URL, referrer; without query strings), and the signed-in user's id when a
``user_id`` function is given. A call's own arguments still win.

Delivery at exit needs nothing from Flask: the library's exit hook delivers
what is queued when the process ends (the development server, gunicorn and
uwsgi workers alike; see ``examples/web/gunicorn_prefork.md``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import flask

from cio_analytics._wire.scope import scope as open_scope
from cio_analytics.integrations._request import (
    apply_settings,
    request_fields,
    trusted_proxy_count,
    user_id_from,
)

__all__ = ["CONFIG_KEY", "CioAnalytics"]

#: The ``app.config`` key read by :meth:`CioAnalytics.init_app`.
CONFIG_KEY: Final = "CIO_ANALYTICS"
#: Where the app's options live in ``app.extensions``, and the open scope in ``flask.g``.
_EXTENSION: Final = "cio_analytics"
_G_SCOPE: Final = "_cio_analytics_scope"


@dataclass(frozen=True, slots=True)
class _AppOptions:
    trusted_proxies: int
    user_id: Callable[[flask.Request], object] | None


class CioAnalytics:
    """The Flask extension: settings from ``app.config``, and a scope per request.

    ``app.config["CIO_ANALYTICS"]``, when present, is a dict whose keys are the
    keyword names of ``cio_analytics.configure()`` (``write_key``, ``region``,
    ``on_error`` ...; ``on_error`` and ``before_send`` may be dotted paths),
    plus ``trusted_proxies``. The library settings are process-wide module
    settings; without them the environment (``CUSTOMERIO_API_KEY`` ...) is used.

    Args:
        app: The app to set up now; None to call :meth:`init_app` later.
        trusted_proxies: How many reverse proxies in front of the app append
            to ``X-Forwarded-For`` (the client's address is that many entries
            from the right); 0 ignores the header. Leave it 0 when werkzeug's
            ``ProxyFix`` already rewrites ``request.remote_addr``. Wins over
            the config key.
        user_id: A function of the request that returns the signed-in user's
            id or None (``lambda request: current_user.get_id()`` with
            Flask-Login). If it raises, the error is logged and the request
            goes on without a user id.
    """

    def __init__(
        self,
        app: flask.Flask | None = None,
        *,
        trusted_proxies: int | None = None,
        user_id: Callable[[flask.Request], object] | None = None,
    ) -> None:
        self.trusted_proxies = (
            None if trusted_proxies is None else trusted_proxy_count(trusted_proxies)
        )
        self.user_id = user_id
        if app is not None:
            self.init_app(app)

    def init_app(self, app: flask.Flask) -> None:
        """Apply the app's ``CIO_ANALYTICS`` settings and open a scope around its requests.

        The scope opens before the app's other ``before_request`` functions
        and closes after its other ``teardown_request`` functions.

        Raises:
            cio_analytics.ConfigurationError: An unknown key or an invalid value
                in ``app.config["CIO_ANALYTICS"]``.
        """
        options = apply_settings(
            app.config.get(CONFIG_KEY) or {},
            source=f"app.config[{CONFIG_KEY!r}]",
            options=frozenset({"trusted_proxies"}),
        )
        trusted = self.trusted_proxies
        if trusted is None:
            trusted = options.get("trusted_proxies", 0)
        first = _EXTENSION not in app.extensions
        app.extensions[_EXTENSION] = _AppOptions(trusted_proxies=trusted, user_id=self.user_id)
        if not first:
            return  # set up before: new options, the same two functions
        app.before_request_funcs.setdefault(None, []).insert(0, _open_scope)
        # Teardown functions run in reverse order: first in the list is last to run.
        app.teardown_request_funcs.setdefault(None, []).insert(0, _close_scope)


def _open_scope() -> None:
    """Enter the request's scope (a ``before_request`` function)."""
    options: _AppOptions | None = flask.current_app.extensions.get(_EXTENSION)
    if options is None:
        return
    request = flask.request
    user = None if options.user_id is None else user_id_from(options.user_id, request)
    fields: dict[str, Any] = request_fields(
        peer=request.remote_addr,
        forwarded_for=request.headers.getlist("X-Forwarded-For"),
        trusted_proxies=options.trusted_proxies,
        user_agent=request.headers.get("User-Agent"),
        path=request.path,
        url=request.base_url,
        referrer=request.referrer,
    )
    stack = contextlib.ExitStack()
    stack.enter_context(open_scope(user_id=user, **fields))
    setattr(flask.g, _G_SCOPE, stack)


def _close_scope(exc: BaseException | None) -> None:
    """Leave the request's scope (a ``teardown_request`` function)."""
    stack: contextlib.ExitStack[bool | None] | None = flask.g.pop(_G_SCOPE, None)
    if stack is not None:
        stack.close()
