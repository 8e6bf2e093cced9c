"""Fault injection: what the next requests should suffer instead of a normal answer.

A :class:`FaultPlan` is consulted once per API request, in arrival order, and
answers with an :class:`Action`. One-shot faults (``fail_next``,
``rate_limit_next``, ``delay_next``, ``drop_next``, ``script``) wait in one
queue and are consumed one per request, in the order they were added. A
``fail_for`` window, a ``set_delay`` and a ``stall`` apply to every request
while they last. A latency (``set_latency``) is not a fault but the network:
every request waits it out on top of any fault, concurrently with the others,
and it stays through :meth:`FaultPlan.clear_faults`. Every wait is bounded
and ends early when the server stops.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import msgspec

__all__ = [
    "STALL_LIMIT",
    "Action",
    "FaultPlan",
    "Latency",
    "MessageCheck",
    "ScriptStep",
    "check_latency",
    "parse_step",
]

#: A stalled request is released after this many seconds even without release().
STALL_LIMIT: Final = 60.0
#: A single injected delay is capped at this many seconds.
DELAY_LIMIT: Final = 60.0
#: A latency setting is at most this many seconds.
LATENCY_LIMIT: Final = 60.0

#: A latency: fixed seconds, or ``(low, high)``: drawn uniformly for each request.
Latency = float | tuple[float, float]

#: A test's extra check of each message: a reason to refuse it, or None.
MessageCheck = Callable[[dict[str, Any]], "str | None"]
#: One step of :meth:`FaultPlan.script`: ``200`` (answer normally), another status,
#: ``"drop"``, ``"drop_after"``, ``(status, retry_after)`` or ``("delay", seconds)``.
ScriptStep = int | str | tuple[Any, Any] | list[Any]


@dataclass(frozen=True, slots=True)
class Action:
    """What to do with one request.

    Attributes:
        status: Answer with this status without processing the body (None: process it).
        body: The body of that answer.
        headers: Extra headers of that answer.
        drop: Close the connection without answering.
        after_processing: With ``drop``, record the messages first (a lost response).
        delay: Seconds to wait before answering.
        stall: The release generation to wait past (None: no stall).
    """

    status: int | None = None
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False
    after_processing: bool = False
    delay: float = 0.0
    stall: int | None = None


_NORMAL: Final = Action()
_encode: Final = msgspec.json.encode


def _error_body(status: int, text: str) -> bytes:
    return _encode({"meta": {"errors": [f"{text} (injected fault: HTTP {status})"]}})


def _status(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise ValueError(f"an HTTP status must be an int from 100 to 599, got {value!r}")
    return value


def _seconds(value: object, name: str, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= limit:
        raise ValueError(f"{name} must be a number of seconds from 0 to {limit}, got {value!r}")
    return float(value)


def check_latency(value: object) -> Latency | None:
    """Check a latency setting and return it in its normal form.

    Args:
        value: Seconds (a number), a ``(low, high)`` pair of seconds (a list
            from JSON is taken too), or None. 0 and ``(0, 0)`` mean none.

    Returns:
        A float, a ``(low, high)`` tuple of floats with ``low < high``, or None
        for no latency (a pair with ``low == high`` becomes that float).

    Raises:
        ValueError: Not a number or a pair, negative, over 60 s, or ``low > high``.
    """
    if value is None:
        return None
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError(f"a latency range is a pair (low, high), got {value!r}")
        low = _seconds(value[0], "the latency's low bound", LATENCY_LIMIT)
        high = _seconds(value[1], "the latency's high bound", LATENCY_LIMIT)
        if low > high:
            raise ValueError(f"a latency range needs low <= high, got {low} > {high}")
        if low != high:
            return (low, high)
        value = low
    seconds = _seconds(value, "latency", LATENCY_LIMIT)
    return seconds or None


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"n must be an int >= 0, got {value!r}")
    return value


def _failure(status: int, body: Any = None, headers: Mapping[str, str] | None = None) -> Action:
    if body is None:
        data = _error_body(status, "rate limited" if status == 429 else "failure")
    elif isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = _encode(body)
    return Action(status=status, body=data, headers=tuple((headers or {}).items()))


def _rate_limited(retry_after: object) -> Action:
    return _failure(429, headers={"Retry-After": str(retry_after)})


def parse_step(step: ScriptStep) -> Action:
    """Turn one script step into an :class:`Action`.

    Args:
        step: ``200`` (or ``"ok"``) answers normally; any other status answers
            with it; ``"drop"`` closes the connection unanswered;
            ``"drop_after"`` records the messages, then drops; ``(429, "2")``
            answers a status with ``Retry-After: 2``; ``("delay", 0.5)`` waits,
            then answers normally.

    Returns:
        The action.

    Raises:
        ValueError: The step is not one of these forms.
    """
    if isinstance(step, list | tuple):
        if len(step) == 2 and step[0] == "delay":
            return Action(delay=_seconds(step[1], "delay", DELAY_LIMIT))
        if len(step) == 2:
            status = _status(step[0])
            return _failure(status, headers={"Retry-After": str(step[1])})
        raise ValueError(f"a script step pair is (status, retry_after) or ('delay', s): {step!r}")
    if step == "ok":
        return _NORMAL
    if step == "drop":
        return Action(drop=True)
    if step in ("drop_after", "drop_after_processing"):
        return Action(drop=True, after_processing=True)
    status = _status(step)
    return _NORMAL if status == 200 else _failure(status)


class FaultPlan:
    """Faults to inject into the next requests; every method is thread-safe.

    Subclasses (the local server, the capture transport) call
    :meth:`_next_action` once per request and :meth:`_wait` to perform its
    stall and delay.
    """

    def __init__(self) -> None:
        self._fault_cond = threading.Condition()
        self._pending: deque[Action] = deque()
        self._fail_until = 0.0
        self._fail_action = _failure(500)
        self._delay = 0.0
        self._stalled = False
        self._release_gen = 0
        self._waiting = 0
        self._interrupted = False
        self._message_check: MessageCheck | None = None
        self._latency: Latency | None = None
        self._delayed = 0
        self._random = random.Random()

    # -- configuring faults ------------------------------------------------------

    def _add(self, action: Action, n: int) -> None:
        with self._fault_cond:
            self._pending.extend([action] * _count(n))

    def fail_next(
        self,
        n: int = 1,
        status: int = 500,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``n`` requests with ``status`` instead of processing them.

        Args:
            n: How many requests.
            status: The HTTP status (500, 503, 400, 401 ...).
            body: The answer's body: bytes, str, or a JSON-able value (default:
                a ``{"meta": {"errors": [...]}}`` object).
            headers: Extra response headers.

        Raises:
            ValueError: ``n`` or ``status`` is out of range.
        """
        self._add(_failure(_status(status), body, headers), n)

    def rate_limit_next(self, n: int = 1, retry_after: str | float = "1") -> None:
        """Answer the next ``n`` requests with 429 and a ``Retry-After`` header.

        Args:
            n: How many requests.
            retry_after: The header's value: seconds, or an HTTP-date string.
        """
        self._add(_rate_limited(retry_after), n)

    def delay_next(self, n: int, seconds: float) -> None:
        """Wait ``seconds`` before answering each of the next ``n`` requests (normally).

        Raises:
            ValueError: ``seconds`` is negative or over 60.
        """
        self._add(Action(delay=_seconds(seconds, "seconds", DELAY_LIMIT)), n)

    def set_delay(self, seconds: float) -> None:
        """Wait ``seconds`` before answering every request from now on (0 turns it off).

        Raises:
            ValueError: ``seconds`` is negative or over 60.
        """
        with self._fault_cond:
            self._delay = _seconds(seconds, "seconds", DELAY_LIMIT)

    def set_latency(self, seconds: float | Sequence[float] | None) -> None:
        """Wait this long before answering every API request from now on, as a network would.

        The wait comes on top of any fault (a failure or a delay is answered
        that much later too), requests wait it out concurrently, and it stays
        through :meth:`clear_faults` and ``reset()``: it is the network, not an
        event. Control paths (``/__cio__/``) are not delayed.

        Args:
            seconds: Seconds for every request; a ``(low, high)`` pair draws
                each request's latency uniformly from that range; None or 0
                turns it off.

        Raises:
            ValueError: Negative, over 60 s, or a range with ``low > high``.
        """
        latency = check_latency(seconds)
        with self._fault_cond:
            self._latency = latency

    @property
    def latency(self) -> Latency | None:
        """The latency every request waits: seconds, a ``(low, high)`` range, or None."""
        with self._fault_cond:
            return self._latency

    def drop_next(self, n: int = 1, *, after_processing: bool = False) -> None:
        """Close the connection without an answer for the next ``n`` requests.

        Args:
            n: How many requests.
            after_processing: Record the request's messages first, as if the
                response were lost on the way back; a client that retries then
                delivers them twice (a duplicate messageId).
        """
        self._add(Action(drop=True, after_processing=after_processing), n)

    def fail_for(
        self, seconds: float, status: int = 500, retry_after: str | float | None = None
    ) -> None:
        """Answer every request with ``status`` for the next ``seconds`` of wall-clock time.

        The window does not consume the queued one-shot faults. With
        ``retry_after`` every answer in the window carries that ``Retry-After``
        header: ``fail_for(3, 429, retry_after=1)`` is a rate limiter that stays
        closed for 3 s however often it is asked, as real ones do.

        Raises:
            ValueError: ``seconds`` is negative or over 3600, or ``status`` out of range.
        """
        status = _status(status)
        seconds = _seconds(seconds, "seconds", 3600.0)
        action = (
            _failure(status)
            if retry_after is None
            else _failure(status, headers={"Retry-After": str(retry_after)})
        )
        with self._fault_cond:
            self._fail_action = action
            self._fail_until = time.monotonic() + seconds

    def stall(self) -> None:
        """Hold every request that arrives from now on until :meth:`release`.

        A held request waits at most 60 seconds, and is dropped unanswered if
        the server stops meanwhile.
        """
        with self._fault_cond:
            self._stalled = True

    def release(self) -> None:
        """Let the held requests continue (they are then answered normally)."""
        with self._fault_cond:
            self._stalled = False
            self._release_gen += 1
            self._fault_cond.notify_all()

    def script(self, steps: Iterable[ScriptStep]) -> None:
        """Queue one step per request, then answer normally again.

        Example: ``script([500, 500, 200])``, ``script(["drop", (429, "2"), 200])``.
        See :func:`parse_step` for the forms of a step.

        Raises:
            ValueError: A step is not understood (nothing is queued then).
        """
        actions = [parse_step(step) for step in steps]
        with self._fault_cond:
            self._pending.extend(actions)

    def reject_messages(self, check: MessageCheck | None) -> None:
        """Refuse every message for which ``check(message)`` returns a reason.

        In strict mode the whole request then gets a 400, like any invalid
        payload; in permissive mode the message is recorded as a rejection.
        None removes the check.
        """
        with self._fault_cond:
            self._message_check = check

    def clear_faults(self) -> None:
        """Forget every fault: queued steps, window, delay, message check; release stalls.

        The latency (:meth:`set_latency`) stays: it is the network, not a fault.
        """
        with self._fault_cond:
            self._pending.clear()
            self._fail_until = 0.0
            self._delay = 0.0
            self._message_check = None
            self._stalled = False
            self._release_gen += 1
            self._fault_cond.notify_all()

    @property
    def pending_faults(self) -> int:
        """How many one-shot faults are still queued."""
        with self._fault_cond:
            return len(self._pending)

    @property
    def stalled(self) -> int:
        """How many requests are being held by a stall right now."""
        with self._fault_cond:
            return self._waiting

    @property
    def delayed(self) -> int:
        """How many requests are waiting out a delay or the latency right now."""
        with self._fault_cond:
            return self._delayed

    def wait_for_delayed(self, n: int = 1, timeout: float = 5.0) -> bool:
        """Block until at least ``n`` requests are waiting out a delay or the latency at once.

        Returns:
            True when they are, False when ``timeout`` seconds passed first.
        """
        with self._fault_cond:
            return self._fault_cond.wait_for(lambda: self._delayed >= n, timeout)

    def wait_for_stalled(self, n: int = 1, timeout: float = 5.0) -> bool:
        """Block until at least ``n`` requests are held by a stall.

        Returns:
            True when they are, False when ``timeout`` seconds passed first.
        """
        with self._fault_cond:
            return self._fault_cond.wait_for(lambda: self._waiting >= n, timeout)

    def configure_faults(self, spec: Mapping[str, Any]) -> None:
        """Apply faults described as JSON, as ``POST /__cio__/faults`` receives them.

        Each key names a method and its value gives the arguments: an object of
        keyword arguments, ``true`` for no arguments, or a list for
        ``script``. Keys are applied in order. Example::

            {"fail_next": {"n": 3, "status": 503}, "rate_limit_next": {"retry_after": "2"}}
            {"stall": true}   {"release": true}   {"script": [500, 500, 200]}
            {"set_latency": {"seconds": 0.1}}   {"set_latency": {"seconds": [0.05, 0.2]}}

        Raises:
            ValueError: An unknown key or invalid arguments.
        """
        methods: dict[str, Callable[..., None]] = {
            "fail_next": self.fail_next,
            "rate_limit_next": self.rate_limit_next,
            "delay_next": self.delay_next,
            "set_delay": self.set_delay,
            "set_latency": self.set_latency,
            "drop_next": self.drop_next,
            "fail_for": self.fail_for,
            "stall": self.stall,
            "release": self.release,
            "script": self.script,
            "clear_faults": self.clear_faults,
        }
        for name, args in spec.items():
            method = methods.get(name)
            if method is None:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(methods))}")
            try:
                if name == "script":
                    method(args)
                elif isinstance(args, dict):
                    method(**args)
                elif args is True:
                    method()
                elif args is False or args is None:
                    continue
                else:
                    raise ValueError(f"{name}: give an object of arguments or true, got {args!r}")
            except TypeError as exc:
                raise ValueError(f"{name}: {exc}") from None

    # -- consulted by the transports -----------------------------------------------

    def _message_check_now(self) -> MessageCheck | None:
        return self._message_check

    def _next_action(self) -> Action:
        """The action for the request arriving now (consumes a queued fault)."""
        with self._fault_cond:
            if self._fail_until and time.monotonic() < self._fail_until:
                action = self._fail_action
            elif self._pending:
                action = self._pending.popleft()
            else:
                action = _NORMAL
            if self._delay and not action.delay:
                action = replace(action, delay=self._delay)
            latency = self._latency
            if latency is not None:
                extra = self._random.uniform(*latency) if isinstance(latency, tuple) else latency
                action = replace(action, delay=action.delay + extra)
            if self._stalled:
                action = replace(action, stall=self._release_gen)
            return action

    def _wait(self, action: Action) -> bool:
        """Perform the action's stall, then its delay.

        Returns:
            False when the wait was cut short by :meth:`_interrupt_waits` (the
            server is stopping): the request should be dropped.
        """
        if action.stall is None and not action.delay:
            return True
        with self._fault_cond:
            if action.stall is not None:
                gen = action.stall
                self._waiting += 1
                self._fault_cond.notify_all()
                try:
                    self._fault_cond.wait_for(
                        lambda: self._release_gen != gen or self._interrupted, STALL_LIMIT
                    )
                finally:
                    self._waiting -= 1
            if action.delay and not self._interrupted:
                self._delayed += 1
                self._fault_cond.notify_all()
                try:
                    # wait_for releases the lock while waiting: requests wait concurrently.
                    self._fault_cond.wait_for(lambda: self._interrupted, action.delay)
                finally:
                    self._delayed -= 1
            return not self._interrupted

    def _interrupt_waits(self) -> None:
        """End every stall and delay now (the server is stopping)."""
        with self._fault_cond:
            self._interrupted = True
            self._fault_cond.notify_all()
