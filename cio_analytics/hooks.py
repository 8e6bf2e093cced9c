"""Built-in ``before_send`` hooks: scrub secrets, add default context, sample, drop.

A hook is called at the call site with each message in its wire shape (a dict
with the API's camelCase keys) and returns the dict to send, or None to drop
the message. Set hooks as a module setting or a client keyword, one or a list
applied in order::

    import cio_analytics
    from cio_analytics import hooks

    cio_analytics.before_send = [
        hooks.scrub(keys={"ssn"}),
        hooks.default_context(app={"name": "shop", "version": "4.2"}),
        hooks.sample(0.1, events={"Page Scrolled"}),
        hooks.drop_events("Debug Ping"),
    ]

A message a hook drops is counted in ``stats().filtered``. A hook that raises
drops that message too: it is counted in ``stats().hook_errors``, logged once
per hook and reported to ``on_error`` (``BeforeSendError``); the call itself
never raises because of a hook. With no hook set, calls pay nothing for them.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

from cio_analytics._settings import Hook
from cio_analytics.errors import ConfigurationError

__all__ = ["DEFAULT_SECRET_KEYS", "Hook", "default_context", "drop_events", "sample", "scrub"]

#: Keys :func:`scrub` replaces by default, compared without case, ``-`` or spaces.
DEFAULT_SECRET_KEYS: Final = frozenset(
    {
        "password", "passwd", "pwd", "secret", "client_secret", "token", "access_token",
        "refresh_token", "id_token", "api_key", "apikey", "authorization", "auth", "cookie",
        "set_cookie", "session", "session_id", "sessionid", "private_key", "credit_card",
        "card_number", "cvv", "cvc", "ssn",
    }
)  # fmt: skip
#: The parts of a message :func:`scrub` looks into.
_SCRUBBED_FIELDS: Final = ("properties", "traits", "context", "integrations")
#: The message types :func:`sample` and :func:`drop_events` act on.
_EVENTS_ONLY: Final = "track"


def _normal(key: str) -> str:
    return key.lower().replace("-", "_").replace(" ", "_")


def scrub(
    keys: Iterable[str] = (),
    patterns: Iterable[str] = (),
    *,
    defaults: bool = True,
    replacement: str = "[FILTERED]",
) -> Hook:
    """A hook that replaces the values of secret-looking keys, at any depth.

    It looks into ``properties``, ``traits``, ``context`` and ``integrations``.

    Args:
        keys: More key names to scrub (compared without case, ``-`` or spaces).
        patterns: Regular expressions; a key any of them matches (``re.search``,
            without case) is scrubbed too.
        defaults: Also scrub :data:`DEFAULT_SECRET_KEYS`.
        replacement: What replaces each value.

    Example::

        cio_analytics.before_send = hooks.scrub(keys={"ssn"}, patterns=[r"_token$"])
    """
    names = {_normal(k) for k in keys} | (set(DEFAULT_SECRET_KEYS) if defaults else set())
    try:
        compiled = [re.compile(p, re.IGNORECASE) for p in patterns]
    except (re.error, TypeError) as exc:
        raise ConfigurationError(
            f"scrub: a pattern is invalid ({exc})", setting="before_send"
        ) from exc

    def secret(key: str) -> bool:
        return _normal(key) in names or any(p.search(key) for p in compiled)

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: replacement if secret(k) else clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    def scrub_secrets(message: dict[str, Any]) -> dict[str, Any]:
        for field in _SCRUBBED_FIELDS:
            if isinstance(message.get(field), dict):
                message[field] = clean(message[field])
        return message

    return scrub_secrets


def default_context(**fields: Any) -> Hook:
    """A hook that adds context fields under what each call gives (the call wins).

    An object field (``app``, ``device`` ...) is merged key by key: the call's
    keys win, the defaults fill the rest.

    Args:
        **fields: Context fields, as the API names them (``ip``, ``locale``,
            ``app={"name": ..., "version": ...}``, ``userAgent`` ...).

    Example::

        cio_analytics.before_send = hooks.default_context(app={"name": "shop"}, locale="en-GB")
    """
    defaults = dict(fields)

    def add_default_context(message: dict[str, Any]) -> dict[str, Any]:
        given = message.get("context")
        given = given if isinstance(given, dict) else {}
        merged = dict(defaults)
        for key, value in given.items():
            base = merged.get(key)
            if isinstance(base, Mapping) and isinstance(value, Mapping):
                merged[key] = {**base, **value}
            else:
                merged[key] = value
        message["context"] = merged
        return message

    return add_default_context


def sample(rate: float, events: Collection[str] | None = None) -> Hook:
    """A hook that keeps a share ``rate`` of ``track`` calls (of ``events``, or of all events).

    identify, page, screen, group and alias calls always pass. The choice is a
    function of the message id, so a message is kept or dropped the same way
    wherever it is evaluated (and a retried backfill line too).

    Args:
        rate: The share to keep, from 0.0 (none) to 1.0 (all).
        events: The event names sampled; None samples every track call.

    Example::

        cio_analytics.before_send = hooks.sample(0.05, events={"Page Scrolled"})
    """
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.0 <= rate <= 1.0:
        raise ConfigurationError(
            f"sample: rate must be a number from 0.0 to 1.0, got {rate!r}", setting="before_send"
        )
    names = None if events is None else frozenset(events)
    threshold = int(rate * 2**32)

    def keep_a_sample(message: dict[str, Any]) -> dict[str, Any] | None:
        if message.get("type") != _EVENTS_ONLY or (
            names is not None and message.get("event") not in names
        ):
            return message
        key = str(message.get("messageId", "")).encode("utf-8")
        return message if zlib.crc32(key) < threshold else None

    return keep_a_sample


def drop_events(*names: str) -> Hook:
    """A hook that drops ``track`` calls of the named events.

    Example::

        cio_analytics.before_send = hooks.drop_events("Debug Ping", "Heartbeat")
    """
    dropped = frozenset(names)

    def drop_named_events(message: dict[str, Any]) -> dict[str, Any] | None:
        if message.get("type") == _EVENTS_ONLY and message.get("event") in dropped:
            return None
        return message

    return drop_named_events

