"""Bulk sends: validate a list of calls, then deliver them synchronously in batches.

``send_batch`` is for backfills and scripts that want to know, before moving
on, what happened to every message. It runs on the caller's thread with the
client's settings, rate limiter and retry policy, but not through its queue:

1. Every entry is turned into a wire message by the same builder its call
   uses (so the same checks apply). An invalid entry becomes a
   :class:`FailedMessage` and the others go on.
2. The encoded messages are grouped, in order, into requests under the
   client's ``max_batch_bytes`` (500 KB at most) and ``batch_size``.
3. Each request is delivered with retries; a 400 splits it to isolate the
   rejected messages. Every message ends delivered or failed, and failures
   also go through the client's usual reporting (counters and ``on_error``).

An entry is one of:

- a message in its wire shape, a dict with ``type`` and camelCase keys:
  ``{"type": "track", "userId": "u1", "event": "Signed Up", "properties": {...}}``;
- a call, as a ``(name, kwargs)`` pair: ``("track", {"user_id": "u1", "event":
  "Signed Up"})``. ``name`` is a core call (``identify``, ``track``, ``page``,
  ``screen``, ``group``, ``alias``), an operation of the client
  (``delete_user``, ``add_device``, ``create_object``, ``report_delivery_event``
  ...) or a semantic helper as ``family.helper``
  (``"ecommerce.order_completed"``, ``"video.playback_started"``,
  ``"mobile.application_opened"``).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from cio_analytics._bulk_result import BulkResult, Entry, FailedMessage
from cio_analytics._delivery.batch import split_batches
from cio_analytics._delivery.context import DeliveryContext
from cio_analytics._delivery.deliverer import Deliverer
from cio_analytics._delivery.sleeper import Sleeper
from cio_analytics._settings import Hook, missing_key_error
from cio_analytics._spec.ecommerce import EcommerceEvents
from cio_analytics._spec.family import EventFamily
from cio_analytics._spec.mobile import MobileEvents
from cio_analytics._spec.operations import OPERATIONS
from cio_analytics._spec.video import VideoEvents
from cio_analytics._wire.build import BUILDERS, WireMessage, encode_message
from cio_analytics._wire.from_wire import wire_call
from cio_analytics._wire.hooks import HookFailure, hook_name, run_hooks
from cio_analytics.errors import (
    ArgumentTypeError,
    BeforeSendError,
    CioError,
    DeliveryError,
    RetriesExhaustedError,
    ShutdownTimeoutError,
    ValidationError,
)

__all__ = ["send_batch"]

_FAMILIES: Final[Mapping[str, type[EventFamily]]] = {
    "ecommerce": EcommerceEvents,
    "video": VideoEvents,
    "mobile": MobileEvents,
}

class _Collector:
    """Where the operations and helpers of a bulk entry put their message (an Emitter)."""

    __slots__ = ("messages",)

    def __init__(self) -> None:
        self.messages: list[WireMessage] = []

    def _emit(self, message: WireMessage) -> str:
        self.messages.append(message)
        return message.message_id


def _merge_defaults(
    kwargs: dict[str, Any],
    context: Mapping[str, Any] | None,
    integrations: Mapping[str, Any] | None,
) -> None:
    if context:
        own = kwargs.get("context")
        kwargs["context"] = {**context, **own} if isinstance(own, Mapping) else own or context
    if integrations and kwargs.get("integrations") is None:
        kwargs["integrations"] = integrations


def _entry_id(kwargs: Mapping[str, Any]) -> str | None:
    value = kwargs.get("message_id")
    return value if isinstance(value, str) and value else None


def _where(index: int) -> str:
    return f"messages[{index}]"


def _resolve(name: str, collector: _Collector) -> Callable[..., Any] | None:
    """What an entry's call name refers to, emitting to ``collector``; None if unknown."""
    if name in BUILDERS:
        return BUILDERS[name]
    operation = OPERATIONS.get(name)
    if operation is not None:
        return lambda **kwargs: operation(collector, **kwargs)
    family, _, helper = name.partition(".")
    cls = _FAMILIES.get(family)
    if cls is None or not helper.isidentifier() or helper.startswith("_"):
        return None
    bound = getattr(cls(lambda: collector), helper, None)
    return bound if callable(bound) else None


def _call_of(index: int, entry: object) -> tuple[str, dict[str, Any]]:
    """The call name and keyword arguments an entry stands for."""
    if isinstance(entry, Mapping):
        return wire_call(entry, _where(index))
    if (
        isinstance(entry, Sequence)
        and not isinstance(entry, str | bytes)
        and len(entry) == 2
        and isinstance(entry[0], str)
    ):
        name, raw = entry[0], entry[1]
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ArgumentTypeError(
                f"{_where(index)}: the arguments of {name!r} must be a dict of keyword "
                f"arguments, got {type(raw).__name__}",
                argument=_where(index),
            )
        return name, dict(raw)
    raise ArgumentTypeError(
        f"{_where(index)} must be a wire-shaped dict or a (call, kwargs) pair, got "
        f"{type(entry).__name__}",
        argument=_where(index),
    )


def _build(
    index: int,
    name: str,
    kwargs: dict[str, Any],
    context: Mapping[str, Any] | None,
    integrations: Mapping[str, Any] | None,
) -> WireMessage:
    """The wire message of one call (raises a CioError naming what is wrong)."""
    collector = _Collector()
    call = _resolve(name, collector)
    if call is None:
        raise ValidationError(
            f"{_where(index)}: unknown call {name!r}; use a call ({', '.join(sorted(BUILDERS))}),"
            f" an operation ({', '.join(sorted(OPERATIONS))}) or a helper as 'family.helper' "
            f"({', '.join(sorted(_FAMILIES))})",
            argument=_where(index),
        )
    _merge_defaults(kwargs, context, integrations)
    try:
        result = call(**kwargs)
    except CioError:
        raise
    except TypeError as exc:  # an unknown or missing keyword (checked by Python itself)
        raise ArgumentTypeError(
            f"{_where(index)}: {name}(): {exc}", argument=_where(index)
        ) from None
    if name in BUILDERS:
        return result  # type: ignore[no-any-return]
    if len(collector.messages) != 1:  # pragma: no cover - every operation sends one message
        raise ValidationError(f"{_where(index)}: {name} made no message", argument=_where(index))
    return collector.messages[0]


def _check_options(batch_size: object, timeout: object) -> None:
    if batch_size is not None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            raise ArgumentTypeError(
                f"batch_size must be an int, got {type(batch_size).__name__}",
                argument="batch_size",
            )
        if batch_size < 1:
            raise ValidationError(
                f"batch_size must be >= 1, got {batch_size}", argument="batch_size"
            )
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise ArgumentTypeError(
                f"timeout must be a number of seconds, got {type(timeout).__name__}",
                argument="timeout",
            )
        if not timeout > 0 or math.isnan(timeout):
            raise ValidationError(f"timeout must be > 0, got {timeout}", argument="timeout")


def send_batch(
    delivery: DeliveryContext,
    messages: Sequence[Entry],
    *,
    batch_size: int | None = None,
    timeout: float | None = None,
    context: Mapping[str, Any] | None = None,
    integrations: Mapping[str, Any] | None = None,
) -> BulkResult:
    """Validate ``messages`` and deliver the valid ones now, in batches; report each outcome.

    See :meth:`cio_analytics.Client.send_batch` for the entry formats.

    Example::

        result = send_batch(delivery, [("track", {"user_id": "u1", "event": "Imported"})])
        assert result.ok

    Returns:
        A :class:`BulkResult`.

    Raises:
        ConfigurationError: No write key (unless ``send=False``).
        ArgumentTypeError / ValidationError: ``messages`` is not a list, or a
            bad ``batch_size``, ``timeout``, ``context`` or ``integrations``.
    """
    _check_arguments(messages, batch_size, timeout, context, integrations)
    settings = delivery.settings
    if settings.send and settings.write_key is None:
        raise missing_key_error()
    entries = _Encoded.of(messages, context, integrations, settings.before_send)
    if entries.filtered:
        delivery.stats.add(filtered=entries.filtered)
    if not settings.send or not entries.data:
        return BulkResult(
            total=len(messages),
            delivered=0,
            failed=entries.failed,
            requests=0,
            message_ids=entries.message_ids,
            sent=settings.send,
            filtered=entries.filtered,
        )
    batches = split_batches(
        entries.data, batch_size or settings.upload_size, settings.max_batch_bytes
    )
    delivered = _BulkDelivery(delivery, entries, timeout).run(batches)
    entries.failed.sort(key=lambda failure: failure.index)
    return BulkResult(
        total=len(messages),
        delivered=delivered,
        failed=entries.failed,
        requests=len(batches),
        message_ids=entries.message_ids,
        filtered=entries.filtered,
    )


def _check_arguments(
    messages: object,
    batch_size: object,
    timeout: object,
    context: object,
    integrations: object,
) -> None:
    if isinstance(messages, str | bytes | Mapping) or not isinstance(messages, Sequence):
        raise ArgumentTypeError(
            f"messages must be a list of entries, got {type(messages).__name__}",
            argument="messages",
        )
    _check_options(batch_size, timeout)
    for name, value in (("context", context), ("integrations", integrations)):
        if value is not None and not isinstance(value, Mapping):
            raise ArgumentTypeError(
                f"{name} must be a dict, got {type(value).__name__}", argument=name
            )


@dataclasses.dataclass
class _Encoded:
    """The entries of one bulk send, built and encoded; invalid ones already failed."""

    data: list[bytes]
    message_ids: list[str | None]
    failed: list[FailedMessage]
    #: id() of each encoded message -> its entry's index.
    index_of: dict[int, int]
    #: Entries a before_send hook dropped.
    filtered: int = 0

    @classmethod
    def of(
        cls,
        messages: Sequence[Entry],
        context: Mapping[str, Any] | None,
        integrations: Mapping[str, Any] | None,
        hooks: Sequence[Hook] = (),
    ) -> _Encoded:
        """Build and encode every entry; an invalid one becomes a FailedMessage."""
        encoded = cls([], [], [], {})
        for index, entry in enumerate(messages):
            known_id: str | None = None
            try:
                name, kwargs = _call_of(index, entry)
                known_id = _entry_id(kwargs)
                message = _build(index, name, kwargs, context, integrations)
                known_id = message.message_id
                hooked = _hooked(message, hooks) if hooks else message
                if hooked is None:
                    encoded.filtered += 1
                    encoded.message_ids.append(known_id)
                    continue
                message = hooked
                data = encode_message(message)
            except CioError as exc:
                encoded.failed.append(FailedMessage(index, known_id, exc))
                encoded.message_ids.append(None)
                continue
            encoded.message_ids.append(message.message_id)
            encoded.index_of[id(data)] = index
            encoded.data.append(data)
        return encoded


def _hooked(message: WireMessage, hooks: Sequence[Hook]) -> WireMessage | None:
    """What the before_send hooks make of one entry's message (None: dropped by a hook)."""
    try:
        return run_hooks(hooks, message)
    except HookFailure as failure:
        name = hook_name(failure.hook)
        raise BeforeSendError(
            f"before_send hook {name} failed ({type(failure.cause).__name__}: {failure.cause})",
            hook=name,
            detail=str(failure.cause),
        ) from failure


class _BulkDelivery:
    """Delivers the batches of one bulk send and settles every message exactly once."""

    def __init__(
        self, delivery: DeliveryContext, entries: _Encoded, timeout: float | None
    ) -> None:
        self._delivery = delivery
        self._entries = entries
        self._timeout = timeout
        self._settled: set[int] = set()
        self.delivered = 0

    def run(self, batches: list[list[bytes]]) -> int:
        """Deliver ``batches`` in order; return how many messages were delivered."""
        stats = self._delivery.stats
        stats.add_enqueued(len(self._entries.data))
        sleeper = Sleeper()
        if self._timeout is not None:
            sleeper.set_deadline(time.monotonic() + self._timeout)
        deliverer = Deliverer(self._delivery, sleeper)
        try:
            for batch in batches:
                stats.add(batches=1)
                deliverer.deliver(batch, self.settle)
        except BaseException as exc:
            # Interrupted (Ctrl-C in a backfill, say): every accepted message still
            # gets one outcome, then the interruption goes on to the caller.
            left = [data for data in self._entries.data if id(data) not in self._settled]
            if left:
                self.settle(
                    left,
                    RetriesExhaustedError(
                        f"{len(left)} message(s) not delivered: send_batch was interrupted "
                        f"({type(exc).__name__})"
                    ),
                )
            raise
        finally:
            deliverer.close()
        return self.delivered

    def settle(self, batch: Sequence[bytes], error: DeliveryError | None) -> None:
        """Count ``batch`` as delivered, or report it and record each entry's failure."""
        self._settled.update(map(id, batch))
        if error is None:
            self._delivery.stats.add(delivered=len(batch))
            self.delivered += len(batch)
            return
        timeout = self._timeout
        if timeout is not None and isinstance(error, ShutdownTimeoutError):
            error = RetriesExhaustedError(
                f"{len(batch)} message(s) not delivered within send_batch's timeout of "
                f"{timeout:g} s",
                status_code=error.status_code,
                attempts=error.attempts,
                detail=error.detail,
            )
        self._delivery.report(error, batch)
        entries = self._entries
        for data in batch:
            index = entries.index_of[id(data)]
            entries.failed.append(FailedMessage(index, entries.message_ids[index], error))
