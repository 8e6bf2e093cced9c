"""What ``send_batch`` returns: the outcome of each entry of a bulk send.

Apart from :mod:`cio_analytics._bulk` so that the package can name these
types without importing the bulk path (and the HTTP stack under it) at import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from cio_analytics.errors import CioError, DeliveryError

__all__ = ["BulkResult", "Entry", "FailedMessage"]

#: One entry of ``send_batch``: a wire-shaped dict, or a ``(call name, kwargs)`` pair.
Entry = Mapping[str, Any] | tuple[str, Mapping[str, Any]]


@dataclasses.dataclass(frozen=True, slots=True)
class FailedMessage:
    """One entry of a bulk send that was not delivered.

    Attributes:
        index: The entry's position in the list given to ``send_batch``.
        message_id: Its message id, or None when it was invalid before one was known.
        error: Why: a :class:`~cio_analytics.errors.ValidationError` or
            :class:`~cio_analytics.errors.ArgumentTypeError` for an invalid
            entry (never sent), a :class:`~cio_analytics.errors.DeliveryError`
            for one the API did not accept.
    """

    index: int
    message_id: str | None
    error: CioError

    @property
    def invalid(self) -> bool:
        """Whether the entry was refused before sending (rather than by the API)."""
        return not isinstance(self.error, DeliveryError)


@dataclasses.dataclass(frozen=True, slots=True)
class BulkResult:
    """What a bulk send did with each entry.

    Attributes:
        total: Entries given.
        delivered: Messages the API accepted.
        failed: The entries not delivered, by index: invalid ones and rejected ones.
        requests: Batch requests the messages were split into (before retries).
        message_ids: The message id of each entry, in order (None where invalid).
        sent: False for a dry run (``send=False``): entries were only validated.
        filtered: Entries a ``before_send`` hook dropped (neither sent nor failed).

    Example::

        result = client.send_batch(entries)
        if not result.ok:
            print(f"{len(result.failed)} of {result.total} failed")
    """

    total: int
    delivered: int
    failed: list[FailedMessage]
    requests: int
    message_ids: list[str | None]
    sent: bool = True
    filtered: int = 0

    @property
    def ok(self) -> bool:
        """True when no entry failed (for a dry run: when every entry is valid)."""
        return not self.failed
