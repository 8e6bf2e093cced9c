"""What happened to every message: delivered, reported, or lost (which must never happen).

The reliability tests drive the public API against :class:`LocalServer` and then
ask, for each message id a call returned, where it ended:

- delivered: the server accepted it (exactly once, unless the case documents
  an at-least-once resend, such as a response lost after processing);
- reported: ``on_error`` received it exactly once, with a ``DeliveryError``
  whose ``reason`` says why;
- lost: neither. Always a failure.

A message both delivered and reported, or reported twice, is a broken promise
too (one outcome per message). :func:`assert_outcomes` checks all of that and
that ``client.stats()`` counts the same thing.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cio_analytics import Client
from cio_analytics.errors import DeliveryError, FailureReason
from cio_analytics.testing import LocalServer

__all__ = [
    "ErrorLog",
    "MatrixRow",
    "Outcome",
    "assert_outcomes",
    "classify",
    "server_counts",
    "wait_until",
    "write_matrix",
]


@dataclass(frozen=True, slots=True)
class Report:
    """One ``on_error`` call: the error and the ids of the messages it carried."""

    error: BaseException
    ids: tuple[str, ...]
    thread: str


class ErrorLog:
    """An ``on_error`` callback that records every call (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reports: list[Report] = []

    def __call__(self, error: BaseException, messages: list[dict[str, Any]]) -> None:
        ids = tuple(m.get("messageId", "") for m in messages)
        with self._lock:
            self.reports.append(Report(error, ids, threading.current_thread().name))

    def snapshot(self) -> list[Report]:
        """A copy of the reports so far."""
        with self._lock:
            return list(self.reports)

    def reasons(self) -> dict[str, FailureReason | None]:
        """messageId -> reason of the (last) report naming it."""
        found: dict[str, FailureReason | None] = {}
        for report in self.snapshot():
            reason = getattr(report.error, "reason", None)
            for message_id in report.ids:
                found[message_id] = reason
        return found

    def counts(self) -> collections.Counter[str]:
        """messageId -> how many times on_error received it."""
        return collections.Counter(i for report in self.snapshot() for i in report.ids)

    def errors(self) -> list[BaseException]:
        """Every error passed to on_error, in order."""
        return [report.error for report in self.snapshot()]


def server_counts(servers: LocalServer | Iterable[LocalServer]) -> collections.Counter[str]:
    """messageId -> how many times the server(s) accepted it."""
    if isinstance(servers, LocalServer):
        servers = [servers]
    counts: collections.Counter[str] = collections.Counter()
    for server in servers:
        duplicates = server.duplicates()
        for message_id in server.message_ids():
            counts[message_id] += duplicates.get(message_id, 1)
    return counts


@dataclass
class Outcome:
    """The classification of a list of message ids."""

    sent: int
    delivered: set[str] = field(default_factory=set)
    reported: dict[str, FailureReason | None] = field(default_factory=dict)
    lost: set[str] = field(default_factory=set)
    duplicated: dict[str, int] = field(default_factory=dict)
    both: set[str] = field(default_factory=set)
    reported_twice: set[str] = field(default_factory=set)

    def by_reason(self) -> dict[str, int]:
        """How many reported messages per FailureReason value."""
        counter = collections.Counter(
            (reason.value if reason is not None else "?") for reason in self.reported.values()
        )
        return dict(counter)

    def summary(self) -> str:
        """One line for assertion messages."""
        return (
            f"sent={self.sent} delivered={len(self.delivered)} reported={len(self.reported)} "
            f"lost={len(self.lost)} duplicated={len(self.duplicated)} both={len(self.both)} "
            f"reported_twice={len(self.reported_twice)} reasons={self.by_reason()}"
        )


def classify(
    ids: Sequence[str],
    servers: LocalServer | Iterable[LocalServer],
    errors: ErrorLog,
) -> Outcome:
    """Classify every id as delivered, reported or lost (also noting broken promises)."""
    on_server = server_counts(servers)
    reported_counts = errors.counts()
    reasons = errors.reasons()
    outcome = Outcome(sent=len(ids))
    for message_id in ids:
        arrived = on_server.get(message_id, 0)
        times_reported = reported_counts.get(message_id, 0)
        if arrived > 1:
            outcome.duplicated[message_id] = arrived
        if times_reported > 1:
            outcome.reported_twice.add(message_id)
        if arrived and times_reported:
            outcome.both.add(message_id)
        if arrived:
            outcome.delivered.add(message_id)
        elif times_reported:
            outcome.reported[message_id] = reasons.get(message_id)
        else:
            outcome.lost.add(message_id)
    return outcome


def assert_outcomes(
    client: Client,
    ids: Sequence[str],
    servers: LocalServer | Iterable[LocalServer],
    errors: ErrorLog,
    *,
    reasons: Iterable[FailureReason] = (),
    allow_duplicates: Iterable[str] = (),
    check_stats: bool = True,
) -> Outcome:
    """Assert one outcome per message, no loss, and that ``client.stats()`` agrees.

    Args:
        client: The client that sent ``ids`` (and nothing else, when check_stats).
        ids: Every message id the calls returned.
        servers: The server(s) the client delivered to.
        errors: The client's on_error recorder.
        reasons: The FailureReasons a reported message may carry (empty: none may be reported).
        allow_duplicates: Ids that may legitimately arrive more than once (at-least-once:
            the response to a request the server processed never reached the client).
        check_stats: Compare with ``client.stats()`` (the client sent exactly ``ids``).

    Returns:
        The outcome, for the fault-matrix table.
    """
    assert len(set(ids)) == len(ids), "the client returned the same message id twice"
    outcome = classify(ids, servers, errors)
    summary = outcome.summary()
    assert not outcome.lost, f"lost messages: {sorted(outcome.lost)[:5]} ({summary})"
    assert not outcome.both, (
        f"delivered AND reported: {sorted(outcome.both)[:5]} ({summary})"
    )
    assert not outcome.reported_twice, (
        f"reported more than once: {sorted(outcome.reported_twice)[:5]} ({summary})"
    )
    allowed_dupes = set(allow_duplicates)
    unexpected = set(outcome.duplicated) - allowed_dupes
    assert not unexpected, f"delivered more than once: {sorted(unexpected)[:5]} ({summary})"
    allowed = set(reasons)
    wrong = {i: r for i, r in outcome.reported.items() if r not in allowed}
    assert not wrong, f"reported with an unexpected reason: {list(wrong.items())[:5]} ({summary})"
    for report in errors.snapshot():
        assert isinstance(report.error, DeliveryError), (
            f"on_error got {type(report.error).__name__}, not a DeliveryError"
        )
    if check_stats:
        stats = client.stats()
        assert stats.enqueued == len(ids), (stats, summary)
        assert stats.pending == 0, (stats, summary)
        assert stats.delivered == len(outcome.delivered), (stats, summary)
        assert stats.failed == len(outcome.reported), (stats, summary)
        assert stats.failed_by_reason == outcome.by_reason(), (stats, summary)
        assert stats.queue_depth == 0 and stats.in_flight == 0, (stats, summary)
    return outcome


# -- the fault-matrix table ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One row of the fault-matrix table."""

    case: str
    sent: int
    delivered: int
    reported: int
    lost: int
    duplicates: int = 0
    note: str = ""

    @classmethod
    def of(cls, case: str, outcome: Outcome, note: str = "") -> MatrixRow:
        """The row for ``outcome``."""
        extra = sum(n - 1 for n in outcome.duplicated.values())
        return cls(
            case,
            outcome.sent,
            len(outcome.delivered),
            len(outcome.reported),
            len(outcome.lost),
            extra,
            note,
        )


#: The rows of docs/fault-matrix.md: every module of the reliability suite (and of
#: tests/servers/) appends to this list, and the conftest.py of either writes the
#: table at the end of the session when CIO_FAULT_MATRIX names the file:
#: ``CIO_FAULT_MATRIX=docs/fault-matrix.md pytest tests/reliability tests/servers``.
MATRIX_ROWS: list[MatrixRow] = []


def write_matrix(rows: Sequence[MatrixRow], path: Path) -> str:
    """Write the rows as a Markdown table to ``path``; return the text."""
    lines = [
        "# Fault matrix (written by the tests in tests/reliability/ and tests/servers/ "
        "with CIO_FAULT_MATRIX set)",
        "",
        "| case | sent | delivered | reported | lost | duplicates | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    lines.extend(
        f"| {r.case} | {r.sent} | {r.delivered} | {r.reported} | {r.lost} | {r.duplicates} "
        f"| {r.note} |"
        for r in rows
    )
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.01) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass (bounded)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        pause.wait(step)
    return True
