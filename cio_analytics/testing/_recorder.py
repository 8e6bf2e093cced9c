"""Thread-safe recording of what a test server received, and the queries over it."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

import msgspec

__all__ = ["Listener", "RecordedMessage", "RecordedRequest", "Recorder", "Rejection"]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One API request as the server saw it.

    Attributes:
        method: The HTTP method (``POST``).
        path: The request path (``/v1/batch``).
        headers: The request headers, names in lower case.
        gzip: Whether the body was gzip-compressed.
        body_size: Bytes of body received (compressed size when gzipped).
        status: The status answered; 0 when the connection was dropped unanswered.
        message_count: How many messages of it were accepted (recorded).
        received_at: When it arrived (``time.time()``).
    """

    method: str
    path: str
    headers: dict[str, str]
    gzip: bool
    body_size: int
    status: int
    message_count: int
    received_at: float


@dataclass(frozen=True, slots=True)
class RecordedMessage:
    """An accepted message with the request it came in."""

    message: dict[str, Any]
    request: RecordedRequest


@dataclass(frozen=True, slots=True)
class Rejection:
    """A message (or a whole body) the server refused.

    Attributes:
        path: The request path.
        index: The message's position in the batch; None for a single call or
            a problem of the whole body.
        reason: Why it was refused.
        message: The message as decoded; None when the body could not be read.
    """

    path: str
    index: int | None
    reason: str
    message: dict[str, Any] | None


#: Called for every message received: a RecordedMessage when accepted, else a Rejection.
Listener = Callable[[RecordedMessage | Rejection], object]

_encode: Final = msgspec.json.Encoder().encode


class Recorder:
    """What a test server received: accepted messages, rejections, requests.

    Every method is thread-safe; the lists returned are copies. With
    ``keep_messages=False`` only counts and messageIds are kept (for
    benchmarks sending millions of messages): the message, request and
    rejection lists stay empty but every count, :meth:`message_ids` and the
    duplicate detection keep working.

    Args:
        keep_messages: Keep the decoded messages and requests.
        record_file: Append every message received (accepted or not) to this
            JSON Lines file, one object per line.
        on_receive: Called, outside any lock, for every message received.
    """

    def __init__(
        self,
        *,
        keep_messages: bool = True,
        record_file: str | os.PathLike[str] | None = None,
        on_receive: Listener | None = None,
    ) -> None:
        self._rec_cond = threading.Condition()
        self._keep = keep_messages
        self._records: list[RecordedMessage] = []
        self._requests: list[RecordedRequest] = []
        self._rejections: list[Rejection] = []
        self._ids: dict[str, int] = {}
        self._message_count = 0
        self._request_count = 0
        self._rejection_count = 0
        self._duplicate_count = 0
        # time.monotonic() of the first and the latest accepted message (0.0: none
        # yet). On Linux every process shares that clock, so a benchmark in
        # another process can date the arrival of its last message exactly.
        self._first_accepted_at = 0.0
        self._last_accepted_at = 0.0
        self._status_counts: dict[int, int] = {}
        self._record_path = None if record_file is None else os.fspath(record_file)
        self._record_fh: IO[bytes] | None = None
        self._on_receive = on_receive

    # -- recording ---------------------------------------------------------------

    def _needs_dicts(self) -> bool:
        """Whether accepted messages must be kept whole (else counts and ids are enough)."""
        return self._keep or self._on_receive is not None or self._record_path is not None

    def _record(
        self,
        request: RecordedRequest,
        accepted: Sequence[dict[str, Any]],
        rejections: Sequence[Rejection],
    ) -> None:
        """Record one request with its accepted messages and rejections, atomically."""
        listener = self._on_receive
        wanted = self._needs_dicts()
        records = [RecordedMessage(message, request) for message in accepted] if wanted else []
        with self._rec_cond:
            ids = self._ids
            for message in accepted:
                mid = message.get("messageId")
                if mid.__class__ is str:
                    seen = ids.get(mid, 0)
                    if seen:
                        self._duplicate_count += 1
                    ids[mid] = seen + 1
            if accepted:
                now = time.monotonic()
                self._last_accepted_at = now
                if not self._first_accepted_at:
                    self._first_accepted_at = now
            self._message_count += len(accepted)
            self._request_count += 1
            self._rejection_count += len(rejections)
            self._status_counts[request.status] = self._status_counts.get(request.status, 0) + 1
            if self._keep:
                self._records.extend(records)
                self._requests.append(request)
                self._rejections.extend(rejections)
            if self._record_path is not None:
                self._write_lines(request, records, rejections)
            self._rec_cond.notify_all()
        if listener is not None:
            for record in records:
                listener(record)
            for rejection in rejections:
                listener(rejection)

    def _write_lines(
        self,
        request: RecordedRequest,
        records: Sequence[RecordedMessage],
        rejections: Sequence[Rejection],
    ) -> None:
        # Called with the lock held, so lines keep the arrival order.
        if self._record_fh is None:
            assert self._record_path is not None
            self._record_fh = open(self._record_path, "ab")  # noqa: SIM115 (kept open)
        when = dt.datetime.fromtimestamp(request.received_at, dt.UTC).isoformat(
            timespec="milliseconds"
        )
        common = {"receivedAt": when, "path": request.path, "status": request.status}
        lines = [
            _encode({**common, "accepted": True, "message": record.message}) for record in records
        ]
        lines.extend(
            _encode(
                {
                    **common,
                    "accepted": False,
                    "index": rejection.index,
                    "reason": rejection.reason,
                    "message": rejection.message,
                }
            )
            for rejection in rejections
        )
        if lines:
            self._record_fh.write(b"\n".join(lines) + b"\n")
            self._record_fh.flush()

    def _close_record_file(self) -> None:
        with self._rec_cond:
            fh, self._record_fh = self._record_fh, None
        if fh is not None:
            fh.close()

    # -- queries -----------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Accepted messages, decoded, in arrival order."""
        with self._rec_cond:
            return [record.message for record in self._records]

    @property
    def records(self) -> list[RecordedMessage]:
        """Accepted messages with the request each came in, in arrival order."""
        with self._rec_cond:
            return list(self._records)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request received, in the order they were answered."""
        with self._rec_cond:
            return list(self._requests)

    @property
    def rejections(self) -> list[Rejection]:
        """Every message (or body) refused, in arrival order."""
        with self._rec_cond:
            return list(self._rejections)

    @property
    def message_count(self) -> int:
        """How many messages were accepted (counted even with ``keep_messages=False``)."""
        with self._rec_cond:
            return self._message_count

    @property
    def request_count(self) -> int:
        """How many API requests were answered (or dropped)."""
        with self._rec_cond:
            return self._request_count

    @property
    def duplicate_count(self) -> int:
        """How many accepted messages repeated a messageId seen before."""
        with self._rec_cond:
            return self._duplicate_count

    def messages_of_type(self, type: str) -> list[dict[str, Any]]:
        """Accepted messages of one type (``"track"``, ``"identify"`` ...)."""
        with self._rec_cond:
            return [r.message for r in self._records if r.message.get("type") == type]

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """Accepted track messages, optionally only those whose ``event`` is ``name``."""
        with self._rec_cond:
            return [
                r.message
                for r in self._records
                if r.message.get("type") == "track"
                and (name is None or r.message.get("event") == name)
            ]

    def messages_for_user(self, user_id: str) -> list[dict[str, Any]]:
        """Accepted messages whose ``userId`` is ``user_id``."""
        with self._rec_cond:
            return [r.message for r in self._records if r.message.get("userId") == user_id]

    def message_ids(self) -> list[str]:
        """The distinct messageIds accepted, in first-seen order."""
        with self._rec_cond:
            return list(self._ids)

    def duplicates(self) -> dict[str, int]:
        """messageId -> times accepted, for the ids accepted more than once."""
        with self._rec_cond:
            return {mid: n for mid, n in self._ids.items() if n > 1}

    def stats(self) -> dict[str, Any]:
        """Counts, as ``GET /__cio__/stats`` returns them."""
        with self._rec_cond:
            return {
                "message_count": self._message_count,
                "unique_message_ids": len(self._ids),
                "duplicate_count": self._duplicate_count,
                "requests": self._request_count,
                "status_counts": {str(k): v for k, v in sorted(self._status_counts.items())},
                "rejections": self._rejection_count,
                "first_accepted_at": self._first_accepted_at,
                "last_accepted_at": self._last_accepted_at,
            }

    def wait_for_messages(self, n: int, timeout: float = 5.0) -> bool:
        """Block until at least ``n`` messages have been accepted in total.

        Returns:
            True when they have, False when ``timeout`` seconds passed first.
        """
        with self._rec_cond:
            return self._rec_cond.wait_for(lambda: self._message_count >= n, timeout)

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> bool:
        """Block until at least ``n`` API requests have been answered (or dropped).

        Returns:
            True when they have, False when ``timeout`` seconds passed first.
        """
        with self._rec_cond:
            return self._rec_cond.wait_for(lambda: self._request_count >= n, timeout)

    def clear(self) -> None:
        """Forget everything recorded (the JSON Lines file is left as it is)."""
        with self._rec_cond:
            self._records.clear()
            self._requests.clear()
            self._rejections.clear()
            self._ids.clear()
            self._message_count = 0
            self._request_count = 0
            self._rejection_count = 0
            self._duplicate_count = 0
            self._first_accepted_at = 0.0
            self._last_accepted_at = 0.0
            self._status_counts.clear()
            self._rec_cond.notify_all()
