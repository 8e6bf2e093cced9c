"""The module-level API: functions that forward to a default Client built from module settings.

The six core calls are written out (they are the hot path, and their
signatures are the official library's). The Customer.io operations and
``send_batch`` are forwarded by :func:`_forward`, which keeps each one's
signature and docstring from its single definition, so mypy, IDEs and
``help()`` see the real keyword arguments.

The default client is created on the first call, from the module attributes
(``cio_analytics.write_key = ...`` and friends) and the environment. Assigning
a module setting afterwards applies it to that client at once (see
``cio_analytics.__init__``): it takes effect from the next call and the next
batch sent.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import threading
import types
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar, Unpack

from cio_analytics._client import Client
from cio_analytics._delivery.stats import ClientStats
from cio_analytics._process import on_fork
from cio_analytics._settings import (
    Settings,
    SettingsKeywords,
    proxy_from_mapping,
    setting_names,
)
from cio_analytics._spec import operations
from cio_analytics._wire.checks import Timestamp
from cio_analytics.errors import ArgumentTypeError, ConfigurationError

__all__ = [
    "MODULE_SETTINGS",
    "add_device",
    "alias",
    "apply_setting",
    "configure",
    "create_object",
    "create_relationship",
    "default",
    "delete_device",
    "delete_object",
    "delete_relationship",
    "delete_user",
    "flush",
    "get_client",
    "group",
    "identify",
    "install_settings_hook",
    "join",
    "page",
    "report_content_event",
    "report_delivery_event",
    "reset",
    "screen",
    "send_batch",
    "set_default_client",
    "shutdown",
    "stats",
    "suppress_user",
    "track",
    "unsuppress_user",
    "update_object",
]

#: Names that are settings when assigned on the package (``proxies``/``thread`` for compatibility).
MODULE_SETTINGS = frozenset(setting_names()) | {"proxies", "thread"}

_client: Client | None = None
_lock = threading.Lock()


def _new_lock_after_fork() -> None:
    # Another thread of the parent may have held it at fork time.
    global _lock
    _lock = threading.Lock()


on_fork(_new_lock_after_fork)


def _module_settings() -> dict[str, Any]:
    package = sys.modules["cio_analytics"]
    return {name: getattr(package, name, None) for name in MODULE_SETTINGS}


def _create() -> Client:
    global _client
    with _lock:
        if _client is None:
            values = _module_settings()
            thread = values.pop("thread", None)
            _client = Client(thread=thread, **values)
        return _client


def default() -> Client | None:
    """The default client if a call has built it, else None (nothing is built)."""
    return _client


def get_client() -> Client:
    """The default client (created from the module settings on first use)."""
    return _client or _create()


def apply_setting(name: str, value: Any) -> None:
    """Check a module setting that is being assigned, and apply it to the default client.

    Before the default client exists the value is checked with the other module
    settings, so an invalid one fails once, where it is assigned, and not at
    every later call.

    Raises:
        ConfigurationError: The value is invalid (nothing changes).
    """
    client = _client
    if client is not None:
        client.configure(**{name: value})
    else:
        _check_module_settings({**_module_settings(), name: value})


def _check_module_settings(values: dict[str, Any]) -> None:
    """Raise ConfigurationError if ``values`` (module settings) could not build a client."""
    values = dict(values)
    thread = values.pop("thread", None)
    if thread is not None and values.get("max_in_flight") is None:
        values["max_in_flight"] = thread
    proxies = values.pop("proxies", None)
    settings = Settings.resolve(**values)
    if values.get("proxy") is None and proxies is not None:
        proxy_from_mapping(proxies, settings.base_url)


def set_default_client(client: Client | None) -> None:
    """Replace the default client: None makes the next call build a fresh one.

    The client it replaces is shut down first (what it queued is delivered,
    within its ``shutdown_timeout``), so switching keys loses nothing.

    Raises:
        ArgumentTypeError: ``client`` is neither a Client nor None.
    """
    global _client
    if client is not None and not isinstance(client, Client):
        raise ArgumentTypeError(
            f"default_client must be a cio_analytics.Client or None, got "
            f"{type(client).__name__}",
            argument="default_client",
        )
    with _lock:
        old, _client = _client, client
    if old is not None and old is not client:
        old.shutdown()


class _SettingsModule(types.ModuleType):
    """The package module: assigning a setting applies it to the default client.

    It also gives the package the official library's ``default_client``
    attribute: None until the first call builds the client, and assignable
    (None makes the next call build a fresh one).
    """

    def __getattr__(self, name: str) -> Any:
        """A public name loaded on first use: a module, or ``module:attribute``.

        The package lists them in ``_LAZY``: the asyncio client and the
        semantic-event modules are not imported until someone names them, so
        ``import cio_analytics`` stays cheap for the programs that only queue.
        """
        target = self.__dict__.get("_LAZY", {}).get(name)
        if target is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        module_name, _, attribute = target.partition(":")
        module = importlib.import_module(module_name)
        value = getattr(module, attribute) if attribute else module
        self.__dict__[name] = value  # found directly from now on
        return value

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.__dict__.get("_LAZY", {})})

    def __setattr__(self, name: str, value: Any) -> None:
        if name in MODULE_SETTINGS:
            apply_setting(name, value)  # validates first: a bad value changes nothing
        super().__setattr__(name, value)

    @property
    def default_client(self) -> Client | None:
        """The default client, or None before the first call has built it."""
        return _client

    @default_client.setter
    def default_client(self, client: Client | None) -> None:
        set_default_client(client)


def install_settings_hook(package: str) -> None:
    """Make assignments to the package's settings (``cio_analytics.gzip = True``) apply."""
    sys.modules[package].__class__ = _SettingsModule


def configure(**settings: Unpack[SettingsKeywords]) -> None:
    """Set several module settings at once (same names as the ``Client`` keywords).

    Example::

        cio_analytics.configure(write_key="...", region="eu", gzip=True)

    Raises:
        ConfigurationError: An unknown setting, or an invalid value.
    """
    package = sys.modules["cio_analytics"]
    unknown = set(settings) - MODULE_SETTINGS
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigurationError(f"unknown setting {name!r}", setting=name)
    client = _client
    if client is not None:
        client.configure(**settings)  # validates before anything changes
    else:
        _check_module_settings({**_module_settings(), **settings})
    for name, value in settings.items():
        package.__dict__[name] = value  # bypass the package's __setattr__ hook


def reset() -> None:
    """Shut the default client down and forget it; the next call builds a new one.

    What it queued is delivered first (within its ``shutdown_timeout``). The
    module settings are kept: the next client is built from them (and the
    environment) again. The same as ``cio_analytics.default_client = None``.
    """
    set_default_client(None)


def identify(
    user_id: str | int | None = None,
    traits: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    anonymous_id: str | int | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Identify a person with traits on the default client; see :meth:`Client.identify`."""
    return (_client or _create()).identify(
        user_id, traits, context, timestamp, anonymous_id, integrations, message_id
    )


def track(
    user_id: str | int | None = None,
    event: str | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    anonymous_id: str | int | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Track an event on the default client; see :meth:`Client.track`."""
    return (_client or _create()).track(
        user_id, event, properties, context, timestamp, anonymous_id, integrations, message_id
    )


def page(
    user_id: str | int | None = None,
    category: str | None = None,
    name: str | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    anonymous_id: str | int | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Record a page view on the default client; see :meth:`Client.page`."""
    return (_client or _create()).page(
        user_id, category, name, properties, context, timestamp, anonymous_id, integrations,
        message_id,
    )  # fmt: skip


def screen(
    user_id: str | int | None = None,
    category: str | None = None,
    name: str | None = None,
    properties: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    anonymous_id: str | int | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Record a screen view on the default client; see :meth:`Client.screen`."""
    return (_client or _create()).screen(
        user_id, category, name, properties, context, timestamp, anonymous_id, integrations,
        message_id,
    )  # fmt: skip


def group(
    user_id: str | int | None = None,
    group_id: str | int | None = None,
    traits: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    anonymous_id: str | int | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
    *,
    object_type_id: str | int | None = None,
    relationship_attributes: Mapping[str, Any] | None = None,
) -> str:
    """Create or update an object (and a relationship) on the default client.

    See :meth:`Client.group`.
    """
    return (_client or _create()).group(
        user_id, group_id, traits, context, timestamp, anonymous_id, integrations, message_id,
        object_type_id=object_type_id, relationship_attributes=relationship_attributes,
    )  # fmt: skip


def alias(
    previous_id: str | int | None = None,
    user_id: str | int | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: Timestamp | None = None,
    integrations: Mapping[str, Any] | None = None,
    message_id: str | None = None,
) -> str:
    """Merge ``previous_id`` into ``user_id`` on the default client; see :meth:`Client.alias`."""
    return (_client or _create()).alias(
        previous_id, user_id, context, timestamp, integrations, message_id
    )


def flush(timeout: float | None = None) -> bool:
    """Wait until everything queued so far is delivered or failed; see :meth:`Client.flush`."""
    client = _client
    return True if client is None else client.flush(timeout)


def shutdown(timeout: float | None = None) -> bool:
    """Flush and stop the default client; see :meth:`Client.shutdown`. Runs at exit too."""
    client = _client
    return True if client is None else client.shutdown(timeout)


def join() -> None:
    """Compatibility with the official library: same as :func:`shutdown`."""
    shutdown()


def stats() -> ClientStats:
    """The default client's counters; see :meth:`Client.stats`."""
    return (_client or _create()).stats()


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _forward(method: Callable[Concatenate[Client, _P], _R]) -> Callable[_P, _R]:
    """``method`` as a module function that calls it on the default client.

    The forwarder carries the method's name, docstring and signature (without
    ``self``), and its static type is the method's bound type.
    """

    def forwarder(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        return method(_client or _create(), *args, **kwargs)

    functools.update_wrapper(forwarder, method)
    del forwarder.__wrapped__  # type: ignore[attr-defined]  # help() shows __signature__
    signature = inspect.signature(method)
    forwarder.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=list(signature.parameters.values())[1:]
    )
    forwarder.__module__ = "cio_analytics"
    return forwarder


delete_user = _forward(operations.delete_user)
suppress_user = _forward(operations.suppress_user)
unsuppress_user = _forward(operations.unsuppress_user)
add_device = _forward(operations.add_device)
delete_device = _forward(operations.delete_device)
create_object = _forward(operations.create_object)
update_object = _forward(operations.update_object)
create_relationship = _forward(operations.create_relationship)
delete_object = _forward(operations.delete_object)
delete_relationship = _forward(operations.delete_relationship)
report_delivery_event = _forward(operations.report_delivery_event)
report_content_event = _forward(operations.report_content_event)
send_batch = _forward(Client.send_batch)
