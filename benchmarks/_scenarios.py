"""The scenarios, as run inside one workload process against the benchmark server.

Each function takes a factory of the subject (so a scenario decides when the
client is created), the server's control client and the parameters, and
returns a dict of plain numbers. ``expected`` is always the number of
messages the library accepted, which the orchestrator compares with the
server's counters to check exactly-once delivery.

Times across processes use ``time.monotonic()``, which Linux shares between
processes; ``last_accepted_at`` in the server's stats uses the same clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from _control import ServerControl
from _floor import Floor
from _libraries import Subject
from _measure import resident_bytes, summarize_ns, time_calls
from _payload import EVENT, properties, user_id

__all__ = ["SCENARIOS", "Params"]

#: Messages sent (and waited for) before the measured part of some scenarios, so
#: that the consumer thread and the connection exist and are idle.
WARMUP: Final = 20
#: Seconds to wait after the server reached N, before reading when it did.
SETTLE: Final = 0.05

Make = Callable[[], Subject]


@dataclass(frozen=True)
class Params:
    """What a scenario may be told from the command line."""

    n: int
    wait_seconds: float = 60.0
    spacing_ms: float = 5.0
    fail_seconds: float = 2.0
    retry_after: str = "1"
    limited_requests: int = 3
    limited_seconds: float = 3.0


def _args(i: int) -> tuple[Any, ...]:
    return user_id(i), EVENT, properties(i)


def _track_all(subject: Subject, n: int, start: int = 0) -> int:
    """Track ``n`` messages as fast as possible; returns how many were accepted."""
    track, accepted, ok = subject.track, subject.accepted, 0
    for i in range(start, start + n):
        if accepted(track(*_args(i))):
            ok += 1
    return ok


def _arrival(control: ServerControl, n: int, timeout: float) -> tuple[dict[str, Any], float | None]:
    """Wait for ``n`` messages at the server; returns its stats and when the last one came."""
    stats = control.wait_for_messages(n, timeout)
    if stats["message_count"] < n:
        return stats, None
    time.sleep(SETTLE)  # the arrival time is noted just after the count moves
    stats = control.stats()
    return stats, float(stats["last_accepted_at"])


def _warm_up(subject: Subject, control: ServerControl) -> int:
    """Send a few messages and wait for them: the thread and the connection now exist."""
    ok = _track_all(subject, WARMUP, start=10**7)
    control.wait_for_messages(ok, 30.0)
    time.sleep(0.6)  # longer than the upload interval: the consumer is idle again
    return ok


def _outcome(
    subject: Subject, attempted: int, expected: int, stats: dict[str, Any]
) -> dict[str, Any]:
    """What every scenario reports: calls made, messages accepted, what the server holds."""
    return {
        "expected": expected,
        "refused": attempted - expected,
        "received_during_run": stats["message_count"],
        "failed_messages": subject.failed_messages,
        "failures": subject.failures,
    }


def burst(make: Make, control: ServerControl, p: Params) -> dict[str, Any]:
    """Caller cost of each of N calls in a burst (the consumer live), and the floor beside it."""
    floor = Floor()
    floor_samples, _ = time_calls(p.n, floor.track, _args, lambda _: True)
    floor.queue.clear()
    subject = make()
    started = time.monotonic()
    samples, refused = time_calls(p.n, subject.track, _args, subject.accepted)
    burst_seconds = time.monotonic() - started
    stats, _ = _arrival(control, p.n - refused, p.wait_seconds)
    return {
        **summarize_ns(samples),
        "floor": summarize_ns(floor_samples),
        "burst_seconds": burst_seconds,
        **_outcome(subject, p.n, p.n - refused, stats),
    }


def _spaced(
    n: int, spacing_ms: float, call: Callable[..., Any], accepted: Callable[[Any], bool]
) -> tuple[list[int], int]:
    """Time ``n`` calls, sleeping ``spacing_ms`` before each; returns samples and accepted."""
    clock, samples, ok = time.perf_counter_ns, [], 0
    for i in range(n):
        args = _args(i)
        time.sleep(spacing_ms / 1000.0)
        start = clock()
        result = call(*args)
        samples.append(clock() - start)
        ok += accepted(result)
    return samples, ok


def idle(make: Make, control: ServerControl, p: Params) -> dict[str, Any]:
    """Cost of single calls spaced ``spacing_ms`` apart, the consumer idle in between.

    The floor runs first, spaced the same way: after a sleep, caches and the CPU
    are cold, and that costs every call the same.
    """
    floor_samples, _ = _spaced(p.n, p.spacing_ms, Floor().track, lambda _: True)
    subject = make()
    warm = _warm_up(subject, control)
    samples, accepted = _spaced(p.n, p.spacing_ms, subject.track, subject.accepted)
    stats, _ = _arrival(control, warm + accepted, p.wait_seconds)
    return {
        **summarize_ns(samples),
        "floor": summarize_ns(floor_samples),
        **_outcome(subject, WARMUP + p.n, warm + accepted, stats),
    }


def end_to_end(make: Make, control: ServerControl, p: Params) -> dict[str, Any]:
    """N calls as fast as possible; time from the first call until the server holds all N."""
    subject = make()
    started = time.monotonic()
    expected = _track_all(subject, p.n)
    enqueued = time.monotonic()
    sent_during_calls = control.stats()["message_count"]
    stats, finished = _arrival(control, expected, p.wait_seconds)
    elapsed = None if finished is None else finished - started
    return {
        "msgs_per_s": None if not elapsed else expected / elapsed,
        "seconds": elapsed,
        "enqueue_seconds": enqueued - started,
        "sent_during_calls": sent_during_calls,
        "requests": stats["requests"],
        "messages_per_request": stats["message_count"] / max(1, stats["requests"]),
        # Refused by a full queue, or given up and passed to on_error.
        "dropped": p.n - expected + subject.failed_messages,
        **_outcome(subject, p.n, expected, stats),
    }


def memory(make: Make, control: ServerControl, p: Params) -> dict[str, Any]:
    """Resident memory growth per queued message while the server holds every request."""
    subject = make()
    warm = _warm_up(subject, control)
    control.faults({"stall": True})
    try:
        before = resident_bytes()
        accepted = _track_all(subject, p.n)
        after = resident_bytes()
    finally:
        control.faults({"release": True})
    stats, _ = _arrival(control, warm + accepted, p.wait_seconds)
    return {
        "bytes_per_message": (after - before) / p.n,
        "rss_before": before,
        "rss_after": after,
        **_outcome(subject, WARMUP + p.n, warm + accepted, stats),
    }


def exit_without_flush(make: Make, control: ServerControl, p: Params) -> dict[str, Any]:
    """Enqueue N and return; the workload then ends without flush or shutdown."""
    subject = make()
    started = time.monotonic()
    expected = _track_all(subject, p.n)
    return {
        "expected": expected,
        "refused": p.n - expected,
        "started_at": started,
        "enqueued_at": time.monotonic(),
        "received_before_exit": control.stats()["message_count"],
        "failed_messages": subject.failed_messages,
    }


def _under_fault(
    make: Make, control: ServerControl, p: Params, fault: dict[str, Any]
) -> dict[str, Any]:
    subject = make()
    warm = _warm_up(subject, control)
    started = time.monotonic()
    control.faults(fault)
    expected = warm + _track_all(subject, p.n)
    stats, finished = _arrival(control, expected, p.wait_seconds)
    statuses = stats["status_counts"]
    return {
        "seconds": None if finished is None else finished - started,
        "delivered": stats["message_count"] - warm,
        "failed_requests": sum(count for code, count in statuses.items() if code != "200"),
        "status_counts": statuses,
        **_outcome(subject, WARMUP + p.n, expected, stats),
    }


def outage(make: Make, control: ServerControl, p: Params) -> dict[str, Any]:
    """Every request fails with 500 for ``fail_seconds``; N calls at its start."""
    return _under_fault(make, control, p, {"fail_for": {"seconds": p.fail_seconds, "status": 500}})


def rate_limited(make: Make, control: ServerControl, p: Params) -> dict[str, Any]:
    """The first ``limited_requests`` requests get 429 with Retry-After; N calls at its start."""
    fault = {"rate_limit_next": {"n": p.limited_requests, "retry_after": p.retry_after}}
    return _under_fault(make, control, p, fault)


def rate_limit_window(make: Make, control: ServerControl, p: Params) -> dict[str, Any]:
    """Every request gets 429 with Retry-After for ``limited_seconds``; N calls at its start.

    A rate limiter stays closed for its window however often it is asked; the
    count-based ``429`` scenario instead opens after a fixed number of answers,
    which rewards a client that retries before ``Retry-After``.
    """
    fault = {
        "fail_for": {"seconds": p.limited_seconds, "status": 429, "retry_after": p.retry_after}
    }
    return _under_fault(make, control, p, fault)


#: Scenario name -> function.
SCENARIOS: Final[dict[str, Callable[[Make, ServerControl, Params], dict[str, Any]]]] = {
    "burst": burst,
    "idle": idle,
    "e2e": end_to_end,
    "memory": memory,
    "exit": exit_without_flush,
    "outage": outage,
    "429": rate_limited,
    "429-window": rate_limit_window,
}
