"""The base class of the semantic event helpers: one send, driven by the event table.

A generated helper (``EcommerceEvents.order_completed`` ...) hands its event
and its arguments to :meth:`EventFamily._send`, which looks the event up in
:data:`~cio_analytics._spec.table.SEMANTIC_EVENTS`, drops the documented
arguments left as None, checks each other one with its property's kind (the
kind the helper's annotation was generated from), lays them over the caller's
extra ``properties`` and sends one ``track`` call through the client the
family is bound to. The checks raise the library's usual errors
(:class:`~cio_analytics.errors.ArgumentTypeError` for a wrong type,
:class:`~cio_analytics.errors.ValidationError` for a value outside a
documented set), naming the keyword argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from cio_analytics._spec.table import SEMANTIC_EVENTS, Property
from cio_analytics._wire.build import Emitter, build_track
from cio_analytics.errors import ArgumentTypeError

__all__ = ["EventFamily", "merge_properties"]


def merge_properties(
    properties: Mapping[str, Any] | None,
    documented: Iterable[Property],
    arguments: Mapping[str, Any],
) -> dict[str, Any] | None:
    """The ``properties`` of a semantic event: the caller's extras under the documented keys.

    Each documented property's value is ``arguments[property.name]``. Values
    that are None are left out; the others are checked with the property's
    kind and win over the same key in ``properties``.

    Returns:
        The merged properties, or None when there are none.

    Raises:
        ArgumentTypeError: ``properties`` is not a mapping, or a documented
            value has the wrong type.
        ValidationError: A documented value is outside its documented set.
    """
    if properties is None:
        merged: dict[str, Any] = {}
    elif isinstance(properties, Mapping):
        merged = dict(properties)
    else:
        raise ArgumentTypeError(
            f"properties must be a dict, got {type(properties).__name__}", argument="properties"
        )
    for prop in documented:
        value = arguments[prop.name]
        if value is not None:
            merged[prop.key] = prop.kind.check(value, prop.name)
    return merged or None


class EventFamily:
    """Base of the helper classes: sends each event through the client ``client()`` returns.

    Args:
        client: A zero-argument callable returning the client to send through
            (``lambda: my_client``, or :func:`cio_analytics.get_client` for the
            default client). It is called on every send, so it may return a
            different client over time. Anything with the client's ``_emit``
            will do (a bulk send passes its collector).
    """

    __slots__ = ("_client",)

    def __init__(self, client: Callable[[], Emitter]) -> None:
        if not callable(client):
            raise ArgumentTypeError(
                "client must be a zero-argument callable returning a client, got "
                f"{type(client).__name__}",
                argument="client",
            )
        self._client: Final = client

    def _send(self, event: str, arguments: Mapping[str, Any], /) -> str:
        """Send ``event`` built from a helper's ``arguments`` (its ``locals()``); the message id.

        ``arguments`` holds the helper's parameters by name: the identity and
        message options every helper takes, and one per documented property
        of the event in the table.
        """
        documented = SEMANTIC_EVENTS[event].properties
        message = build_track(
            arguments["user_id"],
            event,
            merge_properties(arguments["properties"], documented, arguments),
            arguments["context"],
            arguments["timestamp"],
            arguments["anonymous_id"],
            arguments["integrations"],
            arguments["message_id"],
        )
        return self._client()._emit(message)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__}>"
