"""The local server's latency: every answer waits, concurrently, as over a real network."""

from __future__ import annotations

import argparse
import threading
import time

import httpx
import pytest

from cio_analytics.cli import build_parser
from cio_analytics.cli.serve import describe_latency, parse_latency
from cio_analytics.testing import LocalServer
from cio_analytics.testing._faults import FaultPlan, check_latency

BATCH = {"batch": [{"type": "track", "userId": "u1", "event": "E"}]}
#: Generous: a wait is never much shorter than asked, and the bounds above are loose.
EARLY = 0.9


def _post(http: httpx.Client, server: LocalServer) -> tuple[int, float]:
    started = time.monotonic()
    response = http.post(f"{server.url}/v1/batch", json=BATCH, auth=(server.write_key or "", ""))
    return response.status_code, time.monotonic() - started


class TestFixedLatency:
    """LocalServer(latency=seconds)."""

    def test_every_answer_waits_at_least_the_latency(self, http: httpx.Client) -> None:
        """Two requests in a row each take the latency; the messages are recorded."""
        with LocalServer(latency=0.2) as server:
            for _ in range(2):
                status, elapsed = _post(http, server)
                assert status == 200
                assert EARLY * 0.2 <= elapsed < 10.0
            assert server.message_count == 2
            assert server.latency == 0.2

    def test_control_paths_are_not_delayed(self, http: httpx.Client) -> None:
        """Stats and the other control paths answer without the latency."""
        with LocalServer(latency=30.0) as server:
            response = http.get(f"{server.url}/__cio__/stats")
            assert response.status_code == 200
            assert server.latency == 30.0

    def test_concurrent_requests_wait_at_the_same_time(self) -> None:
        """Six requests on six connections are all inside their wait together.

        Proven by the server's count of waiting requests, not by a clock: with a
        30 s latency, six waits at once can only be concurrent ones. Stopping the
        server ends the waits (the requests are dropped unanswered).
        """
        outcomes: list[str] = []
        with LocalServer(latency=30.0) as server:

            def one() -> None:
                with httpx.Client(verify=False, timeout=60.0) as client:
                    try:
                        client.post(f"{server.url}/v1/batch", json=BATCH, auth=("test-key", ""))
                        outcomes.append("answered")
                    except httpx.HTTPError:
                        outcomes.append("dropped")

            threads = [threading.Thread(target=one, daemon=True) for _ in range(6)]
            for thread in threads:
                thread.start()
            assert server.wait_for_delayed(6, timeout=20.0)
            assert server.delayed == 6
            assert server.message_count == 0
        for thread in threads:
            thread.join(20.0)
        assert outcomes == ["dropped"] * 6
        assert server.delayed == 0

    def test_faults_are_answered_after_the_latency(self, http: httpx.Client) -> None:
        """An injected failure still waits out the latency (the network delays it too)."""
        with LocalServer(latency=0.2) as server:
            server.fail_next(1, 503)
            status, elapsed = _post(http, server)
            assert status == 503
            assert elapsed >= EARLY * 0.2


class TestRandomLatency:
    """LocalServer(latency=(low, high)): drawn uniformly for each request."""

    def test_each_draw_is_inside_the_range(self) -> None:
        """The delay of every action lies in [low, high], and the draws differ."""
        plan = FaultPlan()
        plan.set_latency((0.05, 0.2))
        delays = [plan._next_action().delay for _ in range(500)]
        assert all(0.05 <= delay <= 0.2 for delay in delays)
        assert len(set(delays)) > 100
        assert min(delays) < 0.08 and max(delays) > 0.17

    def test_latency_adds_to_an_injected_delay(self) -> None:
        """delay_next and set_delay come on top of the latency."""
        plan = FaultPlan()
        plan.set_latency(0.1)
        plan.delay_next(1, 0.5)
        assert plan._next_action().delay == pytest.approx(0.6)
        assert plan._next_action().delay == pytest.approx(0.1)

    def test_over_http_the_range_is_respected(self, http: httpx.Client) -> None:
        """Each request takes at least the range's low bound."""
        with LocalServer(latency=(0.05, 0.15)) as server:
            for _ in range(5):
                status, elapsed = _post(http, server)
                assert status == 200
                assert elapsed >= EARLY * 0.05
            assert server.latency == (0.05, 0.15)


class TestSetting:
    """Checks of the value, changing it on a running server, and reset."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [(0.1, 0.1), (0, None), (None, None), ((0.05, 0.2), (0.05, 0.2)),
         ([0.05, 0.2], (0.05, 0.2)), ((0.1, 0.1), 0.1), ((0, 0), None)],
    )  # fmt: skip
    def test_check_latency_normalises(self, value: object, expected: object) -> None:
        """Numbers and pairs (lists from JSON) are taken; zero means none."""
        assert check_latency(value) == expected

    @pytest.mark.parametrize(
        "value", [-0.1, 61, float("nan"), "0.1", True, (0.2, 0.1), (0.1,), (0.1, 0.2, 0.3)]
    )
    def test_check_latency_refuses(self, value: object) -> None:
        """Negative, over 60 s, not a number, low over high, or not a pair: ValueError."""
        with pytest.raises(ValueError, match="latency"):
            check_latency(value)

    def test_constructor_refuses_a_bad_latency(self) -> None:
        """LocalServer(latency=-1) fails before binding anything."""
        with pytest.raises(ValueError, match="latency"):
            LocalServer(latency=-1.0)

    def test_set_through_the_control_path_and_kept_by_reset(self, http: httpx.Client) -> None:
        """POST /__cio__/faults {"set_latency": ...} sets it; reset keeps it; 0 turns it off."""
        with LocalServer() as server:
            faults = f"{server.url}/__cio__/faults"
            assert http.post(faults, json={"set_latency": {"seconds": [0.1, 0.3]}}).is_success
            assert server.latency == (0.1, 0.3)
            assert http.post(f"{server.url}/__cio__/reset").is_success
            assert server.latency == (0.1, 0.3)
            assert http.post(faults, json={"clear_faults": True}).is_success
            status, elapsed = _post(http, server)
            assert (status, elapsed >= EARLY * 0.1) == (200, True)
            refused = http.post(faults, json={"set_latency": {"seconds": -1}})
            assert refused.status_code == 400
            assert "latency" in refused.json()["meta"]["errors"][0]
            assert http.post(faults, json={"set_latency": {"seconds": 0}}).is_success
            assert server.latency is None


class TestCommandLine:
    """cio-analytics serve --latency."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [("0.1", 0.1), ("0", None), ("0.05:0.2", (0.05, 0.2)), ("0.2:0.2", 0.2)],
    )
    def test_parse(self, text: str, expected: object) -> None:
        """SECONDS or LOW:HIGH."""
        assert parse_latency(text) == expected

    @pytest.mark.parametrize("text", ["x", "-1", "0.2:0.1", "1:2:3", "", "61", "nan"])
    def test_parse_refuses(self, text: str) -> None:
        """Anything else is a usage error naming the value."""
        with pytest.raises(argparse.ArgumentTypeError, match="invalid latency"):
            parse_latency(text)

    def test_option_reaches_the_parser(self) -> None:
        """The serve subcommand takes --latency; without it there is none."""
        parser = build_parser()
        assert parser.parse_args(["serve", "--latency", "0.05:0.2"]).latency == (0.05, 0.2)
        assert parser.parse_args(["serve"]).latency is None

    def test_describe(self) -> None:
        """How the serve banner names the latency."""
        assert describe_latency(0.1) == "100 ms"
        assert describe_latency((0.05, 0.2)) == "50 to 200 ms"
        assert describe_latency(None) == "none"
