"""Settings: one frozen value object, validated field by field, with env-var defaults.

Durations are seconds, as floats, everywhere in the package.
"""

from __future__ import annotations

import dataclasses
import math
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypedDict

from cio_analytics.errors import ConfigurationError

if TYPE_CHECKING:
    from urllib.parse import SplitResult

    import httpx

__all__ = [
    "DEFAULT_HOSTS",
    "DEFAULT_MAX_QUEUE_BYTES",
    "ENV_API_KEY",
    "ENV_HOST",
    "ENV_REGION",
    "ENV_SPOOL_DIR",
    "MAX_BATCH_BYTES",
    "MAX_IN_FLIGHT",
    "MAX_MESSAGE_BYTES",
    "Hook",
    "OnError",
    "Settings",
    "SettingsKeywords",
    "missing_key_error",
    "redact_url",
]


#: Environment variable holding the write (API) key.
ENV_API_KEY: Final = "CUSTOMERIO_API_KEY"
#: Environment variable holding the region, ``us`` or ``eu``.
ENV_REGION: Final = "CUSTOMERIO_REGION"
#: Environment variable holding an explicit host (wins over the region).
ENV_HOST: Final = "CUSTOMERIO_HOST"
#: Environment variable holding the disk spool's directory (``spool_dir``).
ENV_SPOOL_DIR: Final = "CUSTOMERIO_SPOOL_DIR"

#: The values of ``spool_fsync``: when the spool's writes are forced to the disk.
SPOOL_FSYNC: Final = ("never", "batch", "message")
#: The smallest ``spool_max_bytes`` (a few segments).
MIN_SPOOL_BYTES: Final = 64 * 1024

#: Base URL per region, without the ``/v1`` path (the client appends ``/v1/batch``).
DEFAULT_HOSTS: Final[Mapping[str, str]] = {
    "us": "https://cdp.customer.io",
    "eu": "https://cdp-eu.customer.io",
}

#: The API's limit for one call, in bytes of JSON.
MAX_MESSAGE_BYTES: Final = 32 * 1024
#: The API's limit for one batch request, in bytes of JSON (500 KB).
MAX_BATCH_BYTES: Final = 500 * 1000
#: The most batches a client may have in flight at once (``max_in_flight``).
MAX_IN_FLIGHT: Final = 16
#: Default bound of the encoded bytes a client's queue holds (32 MiB).
DEFAULT_MAX_QUEUE_BYTES: Final = 32 * 1024 * 1024

#: A ``before_send`` hook: the message in its wire shape in; a dict to send, or None to drop.
Hook = Callable[[dict[str, Any]], "dict[str, Any] | None"]

#: ``on_error(error, messages)``: ``error`` is a :class:`~cio_analytics.errors.DeliveryError`,
#: ``messages`` the undelivered messages as dicts in their wire shape.
OnError = Callable[[BaseException, list[dict[str, Any]]], object]

_LOOPBACK_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_PROXY_SCHEMES: Final = frozenset({"http", "https", "socks5", "socks5h"})


def urlsplit(url: str) -> SplitResult:
    """``urllib.parse.urlsplit``, imported on first use.

    At the package's import it would add to every cold start; the HTTP stack,
    imported on the caller's thread before any delivery thread starts, loads it
    anyway, so no background thread imports it first.
    """
    from urllib.parse import urlsplit as split  # noqa: PLC0415

    return split(url)


def _positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(
            f"{name} must be a number, got {type(value).__name__}", setting=name
        )
    if value < 0 or (value == 0 and not allow_zero) or math.isnan(value):
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigurationError(f"{name} must be {bound}, got {value!r}", setting=name)


def _whole(name: str, value: int, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(f"{name} must be an int, got {type(value).__name__}", setting=name)
    if value < minimum:
        raise ConfigurationError(f"{name} must be >= {minimum}, got {value}", setting=name)


def _hooks(value: object) -> tuple[Hook, ...]:
    """``before_send`` as a tuple of callables (it may be given as one, or as a list)."""
    if value is None:
        return ()
    hooks = (value,) if callable(value) else value
    if isinstance(hooks, str | bytes) or not isinstance(hooks, Sequence):
        raise ConfigurationError(
            f"before_send must be a callable or a list of callables, got {type(value).__name__}",
            setting="before_send",
        )
    for hook in hooks:
        if not callable(hook):
            raise ConfigurationError(
                f"before_send: every hook must be callable, got {type(hook).__name__}",
                setting="before_send",
            )
    return tuple(hooks)


def _check_queue_size(value: int) -> None:
    if value == 0 and not isinstance(value, bool):
        raise ConfigurationError(
            "max_queue_size must be >= 1, got 0. customerio-cdp-analytics reads 0 as "
            "'unbounded'; cio-analytics always bounds its queue, so that an outage cannot "
            "grow memory without limit. Set a large bound instead, such as 100_000 "
            "(about 40 MB of typical messages).",
            setting="max_queue_size",
        )
    _whole("max_queue_size", value, minimum=1)


def normalize_host(host: str) -> str:
    """Return ``host`` as ``scheme://netloc[/prefix]`` without a trailing ``/`` or ``/v1``.

    Raises:
        ConfigurationError: ``host`` is not an http(s) URL.
    """
    if not isinstance(host, str) or not host.strip():
        raise ConfigurationError("host must be a non-empty URL string", setting="host")
    host = host.strip().rstrip("/")
    if "://" not in host:
        host = "https://" + host
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"host must be an http:// or https:// URL, got {host!r}",
            setting="host",
            env_var=ENV_HOST,
        )
    if host.endswith("/v1"):
        host = host[: -len("/v1")]
    return host


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` points at this machine: ``localhost``, or a loopback IP address.

    Only literal addresses count: a DNS name such as ``127.0.0.1.example.com``
    may resolve anywhere.
    """
    hostname = urlsplit(url).hostname or ""
    if hostname in _LOOPBACK_HOSTS:
        return True
    import ipaddress  # noqa: PLC0415 (only here: it would add to the package's import time)

    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything a :class:`~cio_analytics.Client` is configured with.

    Build it with :meth:`resolve`, which applies the environment-variable
    defaults; the constructor itself only validates. ``repr()`` never shows the
    write key.
    """

    write_key: str | None = field(default=None, repr=False)
    region: str = "us"
    host: str | None = None
    on_error: OnError | None = None
    debug: bool = False
    send: bool = True
    sync_mode: bool = False
    max_queue_size: int = 10_000
    upload_size: int = 100
    upload_interval: float = 0.5
    max_batch_bytes: int = MAX_BATCH_BYTES
    gzip: bool = False
    timeout: float = 15.0
    max_retries: int = 10
    retry_deadline: float = 120.0
    strict: bool = True
    shutdown_timeout: float = 10.0
    rate_limit: float | None = 1000.0
    proxy: str | None = None
    transport: httpx.BaseTransport | None = None
    log_payloads: bool = False
    max_queue_bytes: int = DEFAULT_MAX_QUEUE_BYTES
    max_queue_wait: float = 0.0
    handle_sigterm: bool = True
    stall_warning: float = 60.0
    before_send: tuple[Hook, ...] = ()
    log_handled_failures: bool = False
    max_in_flight: int = 4
    grow_batches: bool = True
    spool_dir: str | None = None
    spool_max_bytes: int = 1024 * 1024 * 1024
    spool_max_age: float = 7 * 24 * 3600.0
    spool_fsync: str = "never"

    def __post_init__(self) -> None:
        self._normalize_identity()
        on_error: object = self.on_error
        if on_error is not None and not callable(on_error):
            if on_error:
                raise ConfigurationError(
                    f"on_error must be callable or None, got {type(on_error).__name__}",
                    setting="on_error",
                )
            # False, 0, "" ...: "no callback", as customerio-cdp-analytics reads it.
            object.__setattr__(self, "on_error", None)
        for name in (
            "debug", "send", "sync_mode", "gzip", "strict", "log_payloads", "handle_sigterm",
            "log_handled_failures", "grow_batches",
        ):  # fmt: skip
            if not isinstance(getattr(self, name), bool):
                raise ConfigurationError(
                    f"{name} must be a bool, got {getattr(self, name)!r}", setting=name
                )
        self._check_numbers()
        self._check_spool()
        object.__setattr__(self, "before_send", _hooks(self.before_send))
        if self.proxy is not None:
            scheme = urlsplit(self.proxy).scheme if isinstance(self.proxy, str) else ""
            if scheme not in _PROXY_SCHEMES:
                raise ConfigurationError(
                    f"proxy must be an http://, https:// or socks5:// URL, got {self.proxy!r}",
                    setting="proxy",
                )

    def _normalize_identity(self) -> None:
        """Check and normalise write_key, region and host."""
        if self.write_key is not None:
            if not isinstance(self.write_key, str):
                raise ConfigurationError(
                    f"write_key must be a str, got {type(self.write_key).__name__}",
                    setting="write_key",
                    env_var=ENV_API_KEY,
                )
            # Keys pasted from files often carry a trailing newline.
            stripped = self.write_key.strip()
            object.__setattr__(self, "write_key", stripped or None)
        if not isinstance(self.region, str) or self.region.lower() not in DEFAULT_HOSTS:
            raise ConfigurationError(
                f"region must be one of {sorted(DEFAULT_HOSTS)}, got {self.region!r}",
                setting="region",
                env_var=ENV_REGION,
            )
        object.__setattr__(self, "region", self.region.lower())
        if self.host is not None:
            object.__setattr__(self, "host", normalize_host(self.host))

    def _check_numbers(self) -> None:
        """Check every count, size and duration."""
        _check_queue_size(self.max_queue_size)
        _whole("max_queue_bytes", self.max_queue_bytes, minimum=MAX_MESSAGE_BYTES)
        _whole("max_in_flight", self.max_in_flight, minimum=1)
        if self.max_in_flight > MAX_IN_FLIGHT:
            raise ConfigurationError(
                f"max_in_flight must be <= {MAX_IN_FLIGHT}, got {self.max_in_flight}",
                setting="max_in_flight",
            )
        _positive("stall_warning", self.stall_warning, allow_zero=True)
        _positive("max_queue_wait", self.max_queue_wait, allow_zero=True)
        _whole("upload_size", self.upload_size, minimum=1)
        _whole("max_batch_bytes", self.max_batch_bytes, minimum=MAX_MESSAGE_BYTES + 1024)
        if self.max_batch_bytes > MAX_BATCH_BYTES:
            raise ConfigurationError(
                f"max_batch_bytes must be <= {MAX_BATCH_BYTES} (the API's batch limit), "
                f"got {self.max_batch_bytes}",
                setting="max_batch_bytes",
            )
        _whole("max_retries", self.max_retries, minimum=0)
        _positive("upload_interval", self.upload_interval, allow_zero=True)
        _positive("timeout", self.timeout)
        _positive("retry_deadline", self.retry_deadline)
        _positive("shutdown_timeout", self.shutdown_timeout, allow_zero=True)
        if self.rate_limit is not None:
            _positive("rate_limit", self.rate_limit)

    def _check_spool(self) -> None:
        """Check and normalise spool_dir, spool_max_bytes, spool_max_age and spool_fsync."""
        spool_dir: object = self.spool_dir
        if spool_dir is not None:
            if isinstance(spool_dir, os.PathLike):
                spool_dir = os.fspath(spool_dir)
            if not isinstance(spool_dir, str):
                raise ConfigurationError(
                    f"spool_dir must be a path (str) or None, got {type(spool_dir).__name__}",
                    setting="spool_dir",
                    env_var=ENV_SPOOL_DIR,
                )
            if "\0" in spool_dir:
                raise ConfigurationError(
                    "spool_dir must not contain a NUL character", setting="spool_dir"
                )
            object.__setattr__(self, "spool_dir", spool_dir.strip() or None)
        _whole("spool_max_bytes", self.spool_max_bytes, minimum=MIN_SPOOL_BYTES)
        _positive("spool_max_age", self.spool_max_age)
        if self.spool_fsync not in SPOOL_FSYNC:
            raise ConfigurationError(
                f"spool_fsync must be one of {', '.join(SPOOL_FSYNC)}, got {self.spool_fsync!r}",
                setting="spool_fsync",
            )

    def __repr__(self) -> str:
        shown = []
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if item.name == "write_key":
                shown.append(f"write_key={'<set>' if value else None}")
            elif item.name == "proxy" and value is not None:
                shown.append(f"proxy={redact_url(value)!r}")
            else:
                shown.append(f"{item.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @property
    def base_url(self) -> str:
        """The host requests go to: ``host`` when set, else the region's default."""
        return self.host if self.host is not None else DEFAULT_HOSTS[self.region]

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied and validated."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            name = sorted(unknown)[0]
            raise ConfigurationError(f"unknown setting {name!r}", setting=name)
        return dataclasses.replace(self, **changes)

    @classmethod
    def resolve(cls, environ: Mapping[str, str] | None = None, **values: Any) -> Settings:
        """Build settings from ``values``; None for write_key/region/host means "use the env var".

        Args:
            environ: The environment to read (``os.environ`` by default).
            **values: Setting names and values; a value of None means "the default".
        """
        env = os.environ if environ is None else environ
        given = {k: v for k, v in values.items() if v is not None}
        if "write_key" not in given and env.get(ENV_API_KEY):
            given["write_key"] = env[ENV_API_KEY]
        if "region" not in given and env.get(ENV_REGION):
            given["region"] = env[ENV_REGION]
        if "host" not in given and env.get(ENV_HOST):
            given["host"] = env[ENV_HOST]
        if "spool_dir" not in given and env.get(ENV_SPOOL_DIR):
            given["spool_dir"] = env[ENV_SPOOL_DIR]
        # rate_limit=None is meaningful (no limit) only when passed explicitly as 0.
        if values.get("rate_limit", 1) == 0:
            given["rate_limit"] = None
        settings = cls().replace(**given)
        settings.warn_if_insecure()
        return settings

    def warn_if_insecure(self) -> None:
        """Warn once when data would travel in clear text to a host that is not loopback."""
        url = self.base_url
        if url.startswith("http://") and not is_loopback_url(url):
            warnings.warn(
                f"cio_analytics: host {url!r} uses plain http; the write key and every "
                "message would cross the network unencrypted. Use https.",
                RuntimeWarning,
                stacklevel=4,
            )


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for logs and reprs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{user}:***@{host}{port}").geturl()


def proxy_from_mapping(proxies: Mapping[str, str] | str | None, base_url: str) -> str | None:
    """The proxy for ``base_url`` from a requests-style ``proxies`` value, as requests picks it.

    A mapping is searched for ``scheme://host``, then ``scheme``, then
    ``all://host``, then ``all`` (requests' order); a proxy without a scheme
    gets ``http://``, as requests gives it. None when no key applies.
    """
    if proxies is None:
        return None
    if isinstance(proxies, str):
        return _with_scheme(proxies)
    if not isinstance(proxies, Mapping):
        raise ConfigurationError(
            f"proxies must be a URL or a mapping like {{'https': url}}, got "
            f"{type(proxies).__name__}",
            setting="proxies",
        )
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    for key in (f"{parts.scheme}://{host}", parts.scheme, f"all://{host}", "all"):
        proxy = proxies.get(key)
        if proxy:
            return _with_scheme(proxy)
    return None


def _with_scheme(proxy: str) -> str:
    if not isinstance(proxy, str):
        raise ConfigurationError(
            f"a proxy must be a URL string, got {type(proxy).__name__}", setting="proxies"
        )
    proxy = proxy.strip()
    return proxy if "://" in proxy else f"http://{proxy}"


def missing_key_error() -> ConfigurationError:
    """The error for sending without a write key: it names the setting and the variable."""
    return ConfigurationError(
        "no write key: set cio_analytics.write_key (or Client(write_key=...)) or the "
        f"{ENV_API_KEY} environment variable; or send=False for a dry run",
        setting="write_key",
        env_var=ENV_API_KEY,
    )


class SettingsKeywords(TypedDict, total=False):
    """Every setting as a keyword argument: ``configure(**settings)``, ``AsyncClient(**settings)``.

    The names and meanings are those of :class:`Settings` (None restores a
    default), plus the official library's ``proxies`` and ``thread``. A test
    keeps this list equal to the fields of :class:`Settings`.
    """

    write_key: str | None
    region: str | None
    host: str | None
    on_error: OnError | None
    debug: bool | None
    send: bool | None
    sync_mode: bool | None
    max_queue_size: int | None
    upload_size: int | None
    upload_interval: float | None
    max_batch_bytes: int | None
    gzip: bool | None
    timeout: float | None
    max_retries: int | None
    retry_deadline: float | None
    strict: bool | None
    shutdown_timeout: float | None
    rate_limit: float | None
    proxy: str | None
    transport: httpx.BaseTransport | None
    log_payloads: bool | None
    max_queue_bytes: int | None
    max_queue_wait: float | None
    handle_sigterm: bool | None
    stall_warning: float | None
    before_send: Hook | Sequence[Hook] | None
    log_handled_failures: bool | None
    max_in_flight: int | None
    grow_batches: bool | None
    spool_dir: str | os.PathLike[str] | None
    spool_max_bytes: int | None
    spool_max_age: float | None
    spool_fsync: str | None
    proxies: Mapping[str, str] | str | None
    thread: int | None


def setting_names() -> Sequence[str]:
    """The names of every setting, in declaration order."""
    return [f.name for f in dataclasses.fields(Settings)]
