"""Exceptions raised or reported by cio_analytics.

Every exception the library raises or passes to ``on_error`` derives from
:class:`CioError`. Errors about the caller's arguments are also ``ValueError``
or ``TypeError`` subclasses, so code written for the official library's
``AssertionError``/``TypeError`` can catch them with the builtin it expects::

    CioError
    +-- ConfigurationError (ValueError)   a setting is missing or invalid
    +-- ValidationError (ValueError)      an argument has a bad value
    |   +-- MissingIdentityError          no user_id / anonymous_id (or group_id ...)
    |   +-- MessageTooLargeError          the encoded message is over 32 KB
    |   +-- InvalidValueError             NaN, lone surrogate, cycle ... at a key path
    +-- ArgumentTypeError (TypeError)     an argument has the wrong type
    |   +-- UnsupportedValueError         bytes, arbitrary objects ... at a key path
    +-- DeliveryError                     not delivered (passed to on_error)
        +-- QueueFullError                dropped at the call: the queue was full
        +-- RejectedError                 the API answered 400 for this message
        +-- AuthenticationError           the API answered 401/403: wrong write key
        +-- PayloadTooLargeError          the API answered 413 for this message alone
        +-- RetriesExhaustedError         transient failures outlasted the retry budget
        +-- ConnectionSetupError          certificate or host name failure: a setup problem
        +-- ShutdownTimeoutError          undelivered when shutdown's deadline passed
        +-- BeforeSendError               a before_send hook raised: dropped at the call
        +-- KeptOnDiskError               not delivered yet: kept in the disk spool for replay
        +-- EvictedError                  removed from the disk spool by its size or age bound

``DeliveryError`` instances never carry the write key: their messages name the
setting (``write_key``) instead.
"""

from __future__ import annotations

import enum

__all__ = [
    "ArgumentTypeError",
    "AuthenticationError",
    "BeforeSendError",
    "CioError",
    "ConfigurationError",
    "ConnectionSetupError",
    "DeliveryError",
    "EvictedError",
    "FailureReason",
    "InvalidValueError",
    "KeptOnDiskError",
    "MessageTooLargeError",
    "MissingIdentityError",
    "PayloadTooLargeError",
    "QueueFullError",
    "RejectedError",
    "RetriesExhaustedError",
    "ShutdownTimeoutError",
    "UnsupportedValueError",
    "ValidationError",
]


class CioError(Exception):
    """Base class of every error raised or reported by cio_analytics."""


class ConfigurationError(CioError, ValueError):
    """A setting is missing or invalid.

    Attributes:
        setting: The name of the setting (``write_key``, ``region`` ...).
        env_var: The environment variable that can provide it, if any.
    """

    def __init__(self, message: str, *, setting: str, env_var: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting
        self.env_var = env_var


class ValidationError(CioError, ValueError):
    """An argument of a call has an invalid value.

    Attributes:
        argument: The name of the offending argument (``user_id``, ``properties`` ...).
    """

    def __init__(self, message: str, *, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


class MissingIdentityError(ValidationError):
    """The call names nobody: neither ``user_id`` nor ``anonymous_id`` was given."""


class MessageTooLargeError(ValidationError):
    """The encoded message is larger than the API's 32 KB per-call limit.

    Attributes:
        size: The encoded size in bytes.
        limit: The limit in bytes.
    """

    def __init__(self, message: str, *, argument: str, size: int, limit: int) -> None:
        super().__init__(message, argument=argument)
        self.size = size
        self.limit = limit


class InvalidValueError(ValidationError):
    """A value cannot be sent unchanged (NaN, infinity, an int out of range ...).

    Attributes:
        path: Where the value is, as ``properties["cart"]["total"]``.
    """

    def __init__(self, message: str, *, argument: str, path: str) -> None:
        super().__init__(message, argument=argument)
        self.path = path


class ArgumentTypeError(CioError, TypeError):
    """An argument of a call has the wrong type.

    Attributes:
        argument: The name of the offending argument.
    """

    def __init__(self, message: str, *, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


class UnsupportedValueError(ArgumentTypeError):
    """A value has a type JSON cannot carry faithfully (bytes, arbitrary objects ...).

    Attributes:
        path: Where the value is, as ``properties["items"][2]``.
    """

    def __init__(self, message: str, *, argument: str, path: str) -> None:
        super().__init__(message, argument=argument)
        self.path = path


class FailureReason(enum.StrEnum):
    """Why a message was not delivered (``DeliveryError.reason``)."""

    QUEUE_FULL = "queue_full"
    REJECTED = "rejected"
    UNAUTHORIZED = "unauthorized"
    TOO_LARGE = "too_large"
    RETRIES_EXHAUSTED = "retries_exhausted"
    SHUTDOWN = "shutdown"
    BEFORE_SEND = "before_send"
    CONNECTION_SETUP = "connection_setup"
    KEPT_ON_DISK = "kept_on_disk"
    EVICTED = "evicted"


class DeliveryError(CioError):
    """Some messages could not be delivered; passed to ``on_error(error, messages)``.

    Attributes:
        reason: A :class:`FailureReason`.
        status_code: The last HTTP status received, or None (no response, or never sent).
        attempts: How many requests were made for these messages.
        detail: The server's explanation (its error body, shortened), if any.
    """

    reason: FailureReason = FailureReason.RETRIES_EXHAUSTED

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        attempts: int = 0,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.attempts = attempts
        self.detail = detail

    def __str__(self) -> str:
        """The message, with the last HTTP status and the server's explanation when known."""
        text = super().__str__()
        cause = []
        if self.status_code and f"HTTP {self.status_code}" not in text:
            cause.append(f"HTTP {self.status_code}")
        if self.detail and self.detail not in text:
            cause.append(self.detail if len(self.detail) <= 200 else self.detail[:197] + "...")
        return f"{text} ({'; '.join(cause)})" if cause else text


class QueueFullError(DeliveryError):
    """The message was dropped at the call because the queue was full."""

    reason = FailureReason.QUEUE_FULL


class RejectedError(DeliveryError):
    """The API rejected the message as invalid (HTTP 400); it is not retried."""

    reason = FailureReason.REJECTED


class AuthenticationError(DeliveryError):
    """The API refused the write key (HTTP 401 or 403); nothing is retried."""

    reason = FailureReason.UNAUTHORIZED


class PayloadTooLargeError(DeliveryError):
    """The API answered 413 for a request holding this message alone."""

    reason = FailureReason.TOO_LARGE


class RetriesExhaustedError(DeliveryError):
    """Transient failures (5xx, 429, timeouts, connection errors) outlasted the retry budget."""

    reason = FailureReason.RETRIES_EXHAUSTED


class ShutdownTimeoutError(DeliveryError):
    """The message was still undelivered when shutdown's deadline passed."""

    reason = FailureReason.SHUTDOWN


class BeforeSendError(DeliveryError):
    """A ``before_send`` hook raised (or returned an invalid message): the message was dropped.

    Attributes:
        hook: The name of the hook.
    """

    reason = FailureReason.BEFORE_SEND

    def __init__(self, message: str, *, hook: str, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.hook = hook


class ConnectionSetupError(DeliveryError):
    """No connection could be set up for a reason that waiting will not cure.

    The server's TLS certificate could not be verified, or the host name (of the
    API or of the proxy) does not resolve. Both come from the configuration or
    the machine (a wrong host or region, a proxy, a TLS-intercepting corporate
    proxy, missing CA certificates), so the messages are reported after a few
    quick tries instead of being retried for the whole retry budget.

    Attributes:
        host: The host that could not be reached.
        kind: ``tls`` (certificate verification failed) or ``dns`` (name resolution failed).
    """

    reason = FailureReason.CONNECTION_SETUP

    def __init__(
        self,
        message: str,
        *,
        host: str,
        kind: str,
        status_code: int | None = None,
        attempts: int = 0,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, attempts=attempts, detail=detail)
        self.host = host
        self.kind = kind


class KeptOnDiskError(DeliveryError):
    """Not delivered yet, and not lost: kept in the disk spool (``spool_dir``) for replay.

    Passed to ``on_error`` once per message when its delivery failed for a
    reason that may pass (retries ran out, shutdown's deadline, a connection
    set-up failure) while the spool holds it. The message is replayed, with
    the same ``messageId`` and ``timestamp``, when delivery works again, by
    this process or by the next one that starts with the same ``spool_dir``
    and key. It is counted in ``stats().kept``, not in ``failed``.

    Attributes:
        cause: The :class:`FailureReason` of the failed attempt.
    """

    reason = FailureReason.KEPT_ON_DISK

    def __init__(
        self,
        message: str,
        *,
        cause: FailureReason,
        status_code: int | None = None,
        attempts: int = 0,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, attempts=attempts, detail=detail)
        self.cause = cause


class EvictedError(DeliveryError):
    """Removed from the disk spool undelivered: ``spool_max_bytes`` or ``spool_max_age`` reached.

    The oldest messages go first. Counted in ``stats().evicted``.

    Attributes:
        bound: ``spool_max_bytes`` or ``spool_max_age``.
    """

    reason = FailureReason.EVICTED

    def __init__(self, message: str, *, bound: str) -> None:
        super().__init__(message)
        self.bound = bound
