"""Thread-safe recording of what a test server received, and the queries over it.

What is kept is bounded by ``keep``: the newest ``keep`` messages, requests and
rejections (a ring each), and a feed of the newest items for the inspector
page, each with a sequence number, its duplicate mark and the rules it broke.
Counts (by type, by rule, duplicates) cover everything ever received.
Duplicate detection remembers the newest :data:`ID_MEMORY` distinct
messageIds (or ``keep`` of them, if more) when ``keep`` is set, every one when
it is None.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Final

import msgspec

__all__ = [
    "FEED_LIMIT",
    "ID_MEMORY",
    "FeedItem",
    "Listener",
    "RecordedMessage",
    "RecordedRequest",
    "Recorder",
    "Rejection",
    "rule_of",
]

#: The feed (what the inspector page reads) holds at most this many items when
#: ``keep`` is None; with ``keep`` set it holds ``keep`` items.
FEED_LIMIT: Final = 10_000
#: With ``keep`` set, duplicates are detected among this many newest distinct ids
#: at least (about 120 MB for a million UUID-shaped ids).
ID_MEMORY: Final = 1_000_000


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
        rules: Each problem on its own (``reason`` joins them); not compared.
    """

    path: str
    index: int | None
    reason: str
    message: dict[str, Any] | None
    rules: tuple[str, ...] = field(default=(), compare=False)


_NUMBER: Final = re.compile(r"(?<![\w-])\d[\d,]*(?![\w-])")


def rule_of(problem: str) -> str:
    """The rule a problem string reports, without the values that vary.

    ``'"timestamp" must be an ISO-8601 date-time, got 'x''`` becomes
    ``'"timestamp" must be an ISO-8601 date-time'``; numbers become ``N``. Used
    to count rejections by rule.
    """
    return _NUMBER.sub("N", problem.split(", got ", 1)[0]).strip()


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One thing the server received, as the inspector page shows it.

    Attributes:
        seq: Its position in the feed (1, 2, ...; restarts after ``clear()``).
        kind: ``"accepted"``, ``"rejected"`` (a message that broke a rule) or
            ``"refused"`` (a request refused whole: a wrong key, an unreadable
            body, an injected fault).
        request: The request it came in.
        message: The message (None when the body could not be read).
        index: Its position in the batch (None for a single call or a whole body).
        reason: Why it was rejected or refused.
        rules: The rules it broke, one string each.
        duplicate: An accepted message whose messageId was accepted before.
    """

    seq: int
    kind: str
    request: RecordedRequest
    message: dict[str, Any] | None = None
    index: int | None = None
    reason: str | None = None
    rules: tuple[str, ...] = ()
    duplicate: bool = False

    def to_json(self) -> dict[str, Any]:
        """The item as the inspector's feed sends it (a JSON object)."""
        request = self.request
        return {
            "seq": self.seq,
            "kind": self.kind,
            "at": round(request.received_at * 1000),
            "path": request.path,
            "status": request.status,
            "index": self.index,
            "reason": self.reason,
            "rules": list(self.rules),
            "duplicate": self.duplicate,
            "message": self.message,
        }


#: Called for every message received: a RecordedMessage when accepted, else a Rejection.
Listener = Callable[[RecordedMessage | Rejection], object]

_encode: Final = msgspec.json.Encoder().encode


class Recorder:
    """What a test server received: accepted messages, rejections, requests.

    Every method is thread-safe; the lists returned are copies. ``keep``
    bounds what is kept: the newest ``keep`` messages, requests and rejections
    (older ones are forgotten; counts still cover them). ``keep=0`` keeps only
    counts and messageIds (benchmarks sending millions of messages): the
    message, request and rejection lists stay empty but every count,
    :meth:`message_ids` and the duplicate detection keep working.

    Args:
        keep: How many of the newest messages (and requests, rejections, feed
            items) to keep; None keeps everything (the feed keeps
            :data:`FEED_LIMIT`).
        keep_messages: False is ``keep=0`` (the older spelling).
        record_file: Append every message received (accepted or not) to this
            JSON Lines file, one object per line.
        on_receive: Called, outside any lock, for every message received.
    """

    def __init__(
        self,
        *,
        keep: int | None = None,
        keep_messages: bool = True,
        record_file: str | os.PathLike[str] | None = None,
        on_receive: Listener | None = None,
    ) -> None:
        if keep is not None and (isinstance(keep, bool) or not isinstance(keep, int) or keep < 0):
            raise ValueError(f"keep must be an int >= 0 or None, got {keep!r}")
        if not keep_messages:
            keep = 0
        self._rec_cond = threading.Condition()
        self._keep = keep
        self._records: deque[RecordedMessage] = deque(maxlen=keep)
        self._requests: deque[RecordedRequest] = deque(maxlen=keep)
        self._rejections: deque[Rejection] = deque(maxlen=keep)
        self._feed: deque[FeedItem] = deque(maxlen=FEED_LIMIT if keep is None else keep)
        self._feed_seq = 0
        self._feed_generation = 0
        self._feed_closed = False
        self._ids: dict[str, int] = {}
        self._id_limit = None if keep is None else max(keep, ID_MEMORY)
        self._id_order: deque[str] = deque()
        self._message_count = 0
        self._request_count = 0
        self._rejection_count = 0
        self._duplicate_count = 0
        self._type_counts: dict[str, int] = {}
        self._rule_counts: dict[str, int] = {}
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

    @property
    def keep(self) -> int | None:
        """How many of the newest messages are kept (None: all)."""
        return self._keep

    def _needs_dicts(self) -> bool:
        """Whether accepted messages must be kept whole (else counts and ids are enough)."""
        return self._keep != 0 or self._on_receive is not None or self._record_path is not None

    def _record(
        self,
        request: RecordedRequest,
        accepted: Sequence[dict[str, Any]],
        rejections: Sequence[Rejection],
        refusal: str | None = None,
    ) -> None:
        """Record one request with its accepted messages and rejections, atomically.

        ``refusal`` is why a request with no message examined was refused (a
        wrong key, an injected fault); it goes to the feed only.
        """
        listener = self._on_receive
        wanted = self._needs_dicts()
        records = [RecordedMessage(message, request) for message in accepted] if wanted else []
        with self._rec_cond:
            duplicates = self._count_ids(accepted)
            self._count(request, accepted, rejections)
            if self._keep != 0:
                self._records.extend(records)
                self._requests.append(request)
                self._rejections.extend(rejections)
                self._add_to_feed(request, records, duplicates, rejections, refusal)
            if self._record_path is not None:
                self._write_lines(request, records, rejections)
            self._rec_cond.notify_all()
        if listener is not None:
            for record in records:
                listener(record)
            for rejection in rejections:
                listener(rejection)

    def _count_ids(self, accepted: Sequence[dict[str, Any]]) -> list[bool]:
        """Count each accepted message's id; whether each was a duplicate (lock held)."""
        ids = self._ids
        limit = self._id_limit
        marks: list[bool] = []
        for message in accepted:
            mid = message.get("messageId")
            seen = 0
            if mid.__class__ is str:
                seen = ids.get(mid, 0)
                if seen:
                    self._duplicate_count += 1
                elif limit is not None:
                    self._id_order.append(mid)
                    if len(self._id_order) > limit:
                        del ids[self._id_order.popleft()]
                ids[mid] = seen + 1
            marks.append(bool(seen))
        return marks

    def _count(
        self,
        request: RecordedRequest,
        accepted: Sequence[dict[str, Any]],
        rejections: Sequence[Rejection],
    ) -> None:
        """Add one request to the counts (lock held)."""
        if accepted:
            now = time.monotonic()
            self._last_accepted_at = now
            if not self._first_accepted_at:
                self._first_accepted_at = now
            types = self._type_counts
            for message in accepted:
                kind = message.get("type")
                if kind.__class__ is str:
                    types[kind] = types.get(kind, 0) + 1
        for rejection in rejections:
            for problem in rejection.rules or (rejection.reason,):
                rule = rule_of(problem)
                self._rule_counts[rule] = self._rule_counts.get(rule, 0) + 1
        self._message_count += len(accepted)
        self._request_count += 1
        self._rejection_count += len(rejections)
        self._status_counts[request.status] = self._status_counts.get(request.status, 0) + 1

    def _add_to_feed(
        self,
        request: RecordedRequest,
        records: Sequence[RecordedMessage],
        duplicates: Sequence[bool],
        rejections: Sequence[Rejection],
        refusal: str | None,
    ) -> None:
        """Append what one request brought to the inspector's feed (lock held)."""
        feed = self._feed
        seq = self._feed_seq
        for record, duplicate in zip(records, duplicates, strict=False):
            seq += 1
            feed.append(FeedItem(seq, "accepted", request, record.message, duplicate=duplicate))
        for rejection in rejections:
            seq += 1
            feed.append(
                FeedItem(
                    seq, "rejected", request, rejection.message, rejection.index,
                    rejection.reason, rejection.rules or (rejection.reason,),
                )
            )  # fmt: skip
        if refusal is not None and not records and not rejections:
            seq += 1
            feed.append(FeedItem(seq, "refused", request, None, None, refusal, (refusal,)))
        self._feed_seq = seq

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
                "accepted_by_type": dict(sorted(self._type_counts.items())),
                "rejected_by_rule": dict(
                    sorted(self._rule_counts.items(), key=lambda item: (-item[1], item[0]))
                ),
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
            self._id_order.clear()
            self._duplicate_count = 0
            self._type_counts.clear()
            self._rule_counts.clear()
            self._first_accepted_at = 0.0
            self._last_accepted_at = 0.0
            self._status_counts.clear()
            self._feed.clear()
            self._feed_seq = 0
            self._feed_generation += 1
            self._rec_cond.notify_all()

    # -- the inspector's feed ----------------------------------------------------------

    def feed_since(self, seq: int, generation: int, limit: int) -> tuple[list[FeedItem], int, int]:
        """The feed items after ``seq`` (at most the newest ``limit``), for the inspector.

        Args:
            seq: The last sequence number the reader has (0: none).
            generation: The feed generation the reader knows; after a
                :meth:`clear` every item counts as new.
            limit: At most this many items, the newest.

        Returns:
            ``(items, last seq, generation)``, oldest item first.
        """
        with self._rec_cond:
            if generation != self._feed_generation:
                seq = 0
            feed = self._feed
            fresh = self._feed_seq - seq
            count = min(fresh, limit, len(feed))
            items = [feed[i] for i in range(len(feed) - count, len(feed))] if count > 0 else []
            return items, self._feed_seq, self._feed_generation

    def wait_for_feed(self, seq: int, generation: int, timeout: float) -> bool:
        """Block until the feed has an item after ``seq`` or was cleared, at most ``timeout`` s."""
        with self._rec_cond:
            return self._rec_cond.wait_for(
                lambda: self._feed_seq > seq
                or self._feed_generation != generation
                or self._feed_closed,
                timeout,
            )

    def _close_feed(self) -> None:
        """Wake every feed reader for good (the server is stopping)."""
        with self._rec_cond:
            self._feed_closed = True
            self._rec_cond.notify_all()
