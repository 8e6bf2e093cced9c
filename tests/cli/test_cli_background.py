"""The one-call-at-a-time background runner of ``cio-analytics import``."""

from __future__ import annotations

import threading

import pytest

from cio_analytics.cli.background import Background


def test_the_result_comes_back_and_the_call_ran_on_another_thread() -> None:
    runner = Background("test-send")
    assert not runner.busy
    runner.start(lambda a, b=0: (a + b, threading.current_thread().name), 2, b=3)
    assert runner.busy
    assert runner.result() == (5, "test-send")
    assert not runner.busy


def test_an_exception_is_raised_again_on_the_waiting_thread() -> None:
    runner = Background("test-send")

    def fail() -> None:
        raise KeyboardInterrupt  # what a monkeypatched send may raise: not only Exceptions

    runner.start(fail)
    with pytest.raises(KeyboardInterrupt):
        runner.result()
    assert not runner.busy
    runner.start(lambda: "again")  # usable after a failure
    assert runner.result() == "again"


def test_tick_runs_while_waiting_and_one_call_at_a_time() -> None:
    runner = Background("test-send")
    release = threading.Event()
    runner.start(release.wait, 10.0)
    with pytest.raises(RuntimeError, match="still running"):
        runner.start(lambda: None)
    ticks: list[int] = []

    def tick() -> None:
        ticks.append(1)
        if len(ticks) == 3:
            release.set()

    assert runner.result(tick, period=0.01) is True
    assert len(ticks) >= 3


def test_result_without_a_call_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="no call"):
        Background("test-send").result()
