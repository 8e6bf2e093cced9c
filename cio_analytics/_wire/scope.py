"""A request or task scope: who the calls inside it are about, and context they share.

``with cio_analytics.scope(user_id="u1", ip="1.2.3.4"):`` sets, for every call
made inside the block (in this thread or task, across ``await``, and in
threads started with ``contextvars.copy_context()``), the default
``user_id``/``anonymous_id`` and context fields such as the IP address and the
user agent. Arguments a call gives always win: a call's own ``user_id`` is
kept, and its own ``context`` keys replace the scope's. Scopes nest; an inner
one adds to the outer one.

The state is a :class:`contextvars.ContextVar`. Until the first scope is
entered the builders do not even read it (one flag), so applications that
never use a scope pay nothing for it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Scope", "apply", "current", "scope"]


@dataclass(frozen=True, slots=True)
class Scope:
    """The defaults of the innermost scope (inner ones already merged over outer ones)."""

    user_id: str | int | None = None
    anonymous_id: str | int | None = None
    context: Mapping[str, Any] = field(default_factory=dict)


_current: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "cio_analytics_scope", default=None
)

#: True once any scope has been entered in this process (the builders check it first).
active = False


def current() -> Scope | None:
    """The scope the calling code runs in, or None (``cio_analytics.current_scope()``).

    Integrations that carry a scope elsewhere (a task's headers) read it here.
    """
    return _current.get()


@contextlib.contextmanager
def scope(
    user_id: str | int | None = None,
    anonymous_id: str | int | None = None,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    page: Mapping[str, Any] | None = None,
    locale: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> Iterator[Scope]:
    """Give every call inside the block default ids and context fields.

    Args:
        user_id: The default ``user_id`` of calls that give none.
        anonymous_id: The default ``anonymous_id`` of calls that give none.
        ip: ``context.ip``.
        user_agent: ``context.userAgent``.
        page: ``context.page`` (``{"path": ..., "url": ..., "referrer": ...}``).
        locale: ``context.locale``.
        context: More context fields.

    Example::

        with cio_analytics.scope(user_id=user.id, ip=request.remote_addr):
            cio_analytics.track(event="Checkout Started")   # user_id and context.ip set

    Yields:
        The scope now in force (merged with any scope around it).
    """
    global active
    active = True
    outer = _current.get() or Scope()
    fields: dict[str, Any] = dict(outer.context)
    if context is not None:
        fields.update(context)
    named = (("ip", ip), ("userAgent", user_agent), ("page", page), ("locale", locale))
    fields.update({key: value for key, value in named if value is not None})
    inner = Scope(
        user_id=outer.user_id if user_id is None else user_id,
        anonymous_id=outer.anonymous_id if anonymous_id is None else anonymous_id,
        context=fields,
    )
    token = _current.set(inner)
    try:
        yield inner
    finally:
        _current.reset(token)


def apply(
    user_id: object, anonymous_id: object, context: Mapping[str, Any] | None
) -> tuple[Any, Any, Mapping[str, Any] | None]:
    """A call's ids and context with the current scope's defaults filled in."""
    found = _current.get()
    if found is None:
        return user_id, anonymous_id, context
    if user_id is None:
        user_id = found.user_id
    if anonymous_id is None:
        anonymous_id = found.anonymous_id
    if found.context and (context is None or isinstance(context, Mapping)):
        context = dict(found.context) if context is None else {**found.context, **context}
    return user_id, anonymous_id, context
