"""What the web integrations share: a request's scope fields, and settings from a mapping.

Each web integration (ASGI, Django, Flask) reads the same four things from a
request, in its framework's terms, and hands them to :func:`request_fields`:

- the client's address, from the connection, or from ``X-Forwarded-For`` when
  the application says how many reverse proxies it runs behind
  (``trusted_proxies``); the header is never read otherwise, since any client
  can send it;
- the ``User-Agent`` header;
- the path, the URL and the ``Referer`` header, each without its query string
  or fragment (a query string can carry tokens: password-reset links, signed
  URLs), sent as ``context.page``.

No framework is imported here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from cio_analytics import _api
from cio_analytics._logging import logger
from cio_analytics.errors import ConfigurationError

__all__ = [
    "INTEGRATION_OPTIONS",
    "apply_settings",
    "client_ip",
    "import_string",
    "request_fields",
    "trusted_proxy_count",
    "user_id_from",
    "without_query",
]

#: Options the web integrations accept beside the library's own settings.
INTEGRATION_OPTIONS: Final = frozenset({"trusted_proxies", "request_user"})

#: Library settings that may be given as a dotted path to a callable (settings files).
_CALLABLE_SETTINGS: Final = frozenset({"on_error", "before_send"})


def trusted_proxy_count(value: object, *, setting: str = "trusted_proxies") -> int:
    """Check ``trusted_proxies``: a count of reverse proxies (True means one, False none).

    Raises:
        ConfigurationError: Not a count from 0 up.
    """
    if isinstance(value, bool):
        return int(value)
    if not isinstance(value, int) or value < 0:
        raise ConfigurationError(
            f"{setting} must be the number of reverse proxies in front of the app "
            f"(0 to ignore X-Forwarded-For), got {value!r}",
            setting=setting,
        )
    return value


def client_ip(peer: str | None, forwarded_for: Iterable[str], trusted_proxies: int) -> str | None:
    """The client's address.

    Each reverse proxy appends the address it received the request from to
    ``X-Forwarded-For``. Behind ``n`` trusted proxies the client is the
    ``n``-th address from the right; anything further left was sent by the
    client and proves nothing.

    Args:
        peer: The address of the connection (the nearest proxy, if there is one).
        forwarded_for: The values of every ``X-Forwarded-For`` header, in order.
        trusted_proxies: How many proxies in front of the app append to the header.

    Returns:
        The address, or None when none is known. With a header shorter than
        ``trusted_proxies`` the connection's address is kept.
    """
    if trusted_proxies > 0:
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return peer or None


def without_query(url: str | None) -> str | None:
    """``url`` without its query string and fragment (None and "" give None)."""
    if not url:
        return None
    for mark in ("?", "#"):
        url = url.split(mark, 1)[0]
    return url or None


def request_fields(
    *,
    peer: str | None,
    forwarded_for: Iterable[str],
    trusted_proxies: int,
    user_agent: str | None,
    path: str | None,
    url: str | None = None,
    referrer: str | None = None,
) -> dict[str, Any]:
    """The keyword arguments of ``cio_analytics.scope()`` for one request.

    Fields that are unknown or empty are left out.
    """
    page = {
        key: value
        for key, value in (
            ("path", without_query(path)),
            ("url", without_query(url)),
            ("referrer", without_query(referrer)),
        )
        if value
    }
    fields: dict[str, Any] = {
        "ip": client_ip(peer, forwarded_for, trusted_proxies),
        "user_agent": user_agent or None,
        "page": page or None,
    }
    return {key: value for key, value in fields.items() if value is not None}


def user_id_from(find: Callable[[Any], object], request: Any) -> str | int | None:
    """The user id ``find(request)`` gives, as a str or int; None when it gives none or raises.

    An application's function that raises must not fail the request: the
    error is logged (logger ``cio_analytics``) and the scope has no user id.
    """
    try:
        value = find(request)
    except Exception:
        logger.exception("cio_analytics: the user_id function raised; the scope has no user id")
        return None
    if value is None or value == "":
        return None
    if isinstance(value, str | int) and not isinstance(value, bool):
        return value
    return str(value)


def import_string(path: str, *, setting: str) -> Any:
    """The object a dotted path names (``"myapp.analytics.report_failure"``).

    Raises:
        ConfigurationError: The path does not name an importable object.
    """
    module_name, _, attribute = path.rpartition(".")
    try:
        if not module_name:
            raise ImportError(f"{path!r} is not a dotted path")
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(
            f"{setting}: cannot import {path!r} ({exc})", setting=setting
        ) from exc


def _resolve(name: str, value: Any) -> Any:
    """Dotted paths of ``on_error`` and ``before_send`` (one or a list) made into callables."""
    if name not in _CALLABLE_SETTINGS:
        return value
    if isinstance(value, str):
        return import_string(value, setting=name)
    if name == "before_send" and isinstance(value, list | tuple):
        return [import_string(v, setting=name) if isinstance(v, str) else v for v in value]
    return value


def apply_settings(
    settings: Mapping[str, Any],
    *,
    source: str,
    options: frozenset[str] = INTEGRATION_OPTIONS,
) -> dict[str, Any]:
    """Apply the library settings in ``settings``; return the integration options in it.

    Keys are the keyword names of ``cio_analytics.configure()`` (``write_key``,
    ``region``, ``on_error`` ...), plus the integration's ``options``.
    ``on_error`` and ``before_send`` may be dotted paths. The library settings
    are module settings: they apply to the default client of the process.

    Args:
        settings: The mapping (Django's ``CIO_ANALYTICS``, Flask's ``app.config`` entry).
        source: Its name, for error messages.
        options: The integration's own keys (a subset of :data:`INTEGRATION_OPTIONS`).

    Raises:
        ConfigurationError: ``settings`` is not a mapping, has an unknown key or
            an invalid value (nothing is applied then).
    """
    if not isinstance(settings, Mapping):
        raise ConfigurationError(
            f"{source} must be a dict of settings, got {type(settings).__name__}", setting=source
        )
    unknown = sorted(str(key) for key in settings if key not in _api.MODULE_SETTINGS | options)
    if unknown:
        raise ConfigurationError(
            f"{source}: unknown setting {unknown[0]!r} (the keys are the keyword names of "
            f"cio_analytics.configure(), plus {', '.join(sorted(options))})",
            setting=unknown[0],
        )
    found = {key: settings[key] for key in options if key in settings}
    if "trusted_proxies" in found:
        found["trusted_proxies"] = trusted_proxy_count(found["trusted_proxies"])
    if "request_user" in found and not isinstance(found["request_user"], bool):
        raise ConfigurationError(
            f"{source}: request_user must be True or False", setting="request_user"
        )
    library = {key: _resolve(key, value) for key, value in settings.items() if key not in found}
    if library:
        _api.configure(**library)
    return found
