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

import math
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

from cio_analytics._bulk_result import BulkResult, Entry, FailedMessage
from cio_analytics._delivery.batch import BatchCutter, request_size
from cio_analytics._delivery.context import DeliveryContext
from cio_analytics._delivery.pipeline import BulkPipeline
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

    See :meth:`cio_analytics.Client.send_batch` for the entry formats. Each
    batch is sent as soon as it is cut, while the next ones are built (up to
    ``max_in_flight`` requests at once).

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
    outcome = _Outcome(delivery, timeout)
    encoded = _encode_all(messages, context, integrations, settings.before_send, outcome)
    requests = 0
    if settings.send:
        cutter = BatchCutter(
            batch_size or request_size(settings.upload_size, settings.grow_batches),
            settings.max_batch_bytes,
        )
        with BulkPipeline(delivery, outcome.settle, timeout) as pipeline:
            for data in encoded:
                full = cutter.add(data)
                if full:
                    pipeline.submit(full)
            rest = cutter.rest()
            if rest:
                pipeline.submit(rest)
        requests = pipeline.requests
    else:
        for _ in encoded:  # a dry run: validate everything, send nothing
            pass
    if outcome.filtered:
        delivery.stats.add(filtered=outcome.filtered)
    outcome.failed.sort(key=lambda failure: failure.index)
    return BulkResult(
        total=len(messages),
        delivered=outcome.delivered,
        failed=outcome.failed,
        requests=requests,
        message_ids=outcome.message_ids,
        sent=settings.send,
        filtered=outcome.filtered,
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


class _Outcome:
    """What became of each entry of one bulk send (settled from any sender thread)."""

    def __init__(self, delivery: DeliveryContext, timeout: float | None) -> None:
        self._delivery = delivery
        self._timeout = timeout
        self._lock = threading.Lock()
        self.message_ids: list[str | None] = []
        self.failed: list[FailedMessage] = []
        #: id() of each encoded message -> its entry's index.
        self.index_of: dict[int, int] = {}
        self.delivered = 0
        #: Entries a before_send hook dropped.
        self.filtered = 0

    def refuse(self, index: int, known_id: str | None, error: CioError) -> None:
        """Entry ``index`` is invalid (never sent)."""
        with self._lock:
            self.failed.append(FailedMessage(index, known_id, error))
        self.message_ids.append(None)

    def settle(self, batch: Sequence[bytes], error: DeliveryError | None) -> None:
        """Count ``batch`` as delivered, or report it and record each entry's failure."""
        if error is None:
            self._delivery.stats.add(delivered=len(batch))
            with self._lock:
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
        with self._lock:
            for data in batch:
                index = self.index_of[id(data)]
                self.failed.append(FailedMessage(index, self.message_ids[index], error))


def _encode_all(
    messages: Sequence[Entry],
    context: Mapping[str, Any] | None,
    integrations: Mapping[str, Any] | None,
    hooks: Sequence[Hook],
    outcome: _Outcome,
) -> Iterator[bytes]:
    """Build and encode each entry, in order; an invalid one becomes a FailedMessage."""
    for index, entry in enumerate(messages):
        known_id: str | None = None
        try:
            name, kwargs = _call_of(index, entry)
            known_id = _entry_id(kwargs)
            message = _build(index, name, kwargs, context, integrations)
            known_id = message.message_id
            hooked = _hooked(message, hooks) if hooks else message
            if hooked is None:
                outcome.filtered += 1
                outcome.message_ids.append(known_id)
                continue
            data = encode_message(hooked)
        except CioError as exc:
            outcome.refuse(index, known_id, exc)
            continue
        outcome.message_ids.append(hooked.message_id)
        outcome.index_of[id(data)] = index
        yield data


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
