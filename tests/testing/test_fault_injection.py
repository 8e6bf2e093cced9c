"""Fault injection over real HTTP, and a real cio_analytics.Client living through the faults."""

from __future__ import annotations

import threading
import types
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from cio_analytics import Client
from cio_analytics.testing import LocalServer, _faults
from cio_analytics.testing._faults import Action, FaultPlan, parse_step

if TYPE_CHECKING:
    from conftest import Api

TRACK = {"userId": "u1", "event": "E", "messageId": "m1"}


def _status(api: Api) -> int:
    return api.post("/v1/track", TRACK).status_code


class TestFailures:
    """fail_next, rate_limit_next and fail_for."""

    def test_fail_next(self, api: Api) -> None:
        """The next n requests get the status, unprocessed; later ones are normal."""
        api.server.fail_next(2, 503)
        assert [_status(api) for _ in range(3)] == [503, 503, 200]
        assert [r.status for r in api.server.requests] == [503, 503, 200]
        assert [r.message_count for r in api.server.requests] == [0, 0, 1]
        assert api.server.message_count == 1
        assert api.server.rejections == []

    def test_fail_next_default_body(self, api: Api) -> None:
        """An injected failure has a JSON error body saying it was injected."""
        api.server.fail_next()
        response = api.post("/v1/track", TRACK)
        assert response.status_code == 500
        assert "injected fault: HTTP 500" in response.json()["meta"]["errors"][0]

    @pytest.mark.parametrize(
        ("body", "expected"),
        [(b"raw bytes", b"raw bytes"), ("text", b"text"), ({"code": 7}, b'{"code":7}')],
    )
    def test_fail_next_custom_body_and_headers(self, api: Api, body: Any, expected: bytes) -> None:
        """The body and extra headers of an injected failure can be chosen."""
        api.server.fail_next(1, 400, body=body, headers={"X-Reason": "test"})
        response = api.post("/v1/track", TRACK)
        assert (response.status_code, response.content) == (400, expected)
        assert response.headers["x-reason"] == "test"

    def test_faults_come_before_auth(self, api: Api) -> None:
        """A fault answers even a request with a wrong key (a proxy in front of the API)."""
        api.server.fail_next(1, 502)
        assert api.post("/v1/track", TRACK, auth=("wrong", "")).status_code == 502

    @pytest.mark.parametrize("value", ["2", 1.5, "Wed, 21 Oct 2015 07:28:00 GMT"])
    def test_rate_limit_next(self, api: Api, value: Any) -> None:
        """429 with the given Retry-After (seconds or an HTTP-date)."""
        api.server.rate_limit_next(1, retry_after=value)
        response = api.post("/v1/track", TRACK)
        assert response.status_code == 429
        assert response.headers["retry-after"] == str(value)
        assert "rate limited" in response.json()["meta"]["errors"][0]
        assert _status(api) == 200

    def test_fail_for_window(self, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
        """Every request fails during the window, then requests succeed again."""
        now = [1000.0]
        monkeypatch.setattr(_faults, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
        api.server.fail_next(1, 418)
        api.server.fail_for(2.0, status=503)
        assert [_status(api) for _ in range(3)] == [503, 503, 503]
        now[0] += 2.5
        assert [_status(api) for _ in range(2)] == [418, 200]

    def test_fail_for_window_with_retry_after(
        self, api: Api, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A rate-limit window: every answer in it is 429 with the Retry-After given."""
        now = [1000.0]
        monkeypatch.setattr(_faults, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
        api.post("/__cio__/faults", {"fail_for": {"seconds": 3, "status": 429, "retry_after": 1}})
        for _ in range(3):
            response = api.post("/v1/track", TRACK)
            assert response.status_code == 429
            assert response.headers["retry-after"] == "1"
            now[0] += 1.0
        assert _status(api) == 200

    def test_clear_faults(self, api: Api) -> None:
        """clear_faults forgets queued faults, the window and the delay."""
        api.server.fail_next(3)
        api.server.fail_for(60)
        api.server.set_delay(30)
        api.server.clear_faults()
        assert _status(api) == 200

    @pytest.mark.parametrize(
        "call",
        [
            lambda s: s.fail_next(1, 700),
            lambda s: s.fail_next(1, True),
            lambda s: s.fail_next(-1),
            lambda s: s.delay_next(1, -1),
            lambda s: s.set_delay(61),
            lambda s: s.fail_for(1e6),
        ],
        ids=[
            "status-700",
            "status-bool",
            "negative-n",
            "negative-delay",
            "long-delay",
            "long-window",
        ],
    )
    def test_invalid_arguments(self, server: LocalServer, call: Any) -> None:
        """Out-of-range arguments are a ValueError and queue nothing."""
        with pytest.raises(ValueError):
            call(server)
        assert server.pending_faults == 0


class TestDelaysAndDrops:
    """delay_next, set_delay and drop_next."""

    def test_delay_next_then_normal(self, api: Api) -> None:
        """A delayed request is answered normally after the delay."""
        api.server.delay_next(1, 0.05)
        assert api.server.pending_faults == 1
        assert _status(api) == 200
        assert api.server.pending_faults == 0
        assert api.server.message_count == 1

    def test_set_delay_applies_to_every_request(self, api: Api) -> None:
        """set_delay slows every request down until set back to 0."""
        api.server.set_delay(0.02)
        assert [_status(api) for _ in range(2)] == [200, 200]
        api.server.set_delay(0)
        assert _status(api) == 200

    def test_drop_next(self, api: Api) -> None:
        """A dropped request gets no answer and nothing is recorded."""
        api.server.drop_next()
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/v1/track", TRACK)
        assert api.server.message_count == 0
        (request,) = api.server.requests
        assert request.status == 0
        assert _status(api) == 200

    def test_drop_after_processing_records_then_drops(self, api: Api) -> None:
        """after_processing records the messages, then drops: a resend is a duplicate."""
        api.server.drop_next(1, after_processing=True)
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/v1/track", TRACK)
        assert api.server.message_ids() == ["m1"]
        assert api.server.requests[0].message_count == 1
        assert _status(api) == 200
        assert api.server.duplicate_count == 1

    def test_drop_after_processing_of_an_invalid_request(self, api: Api) -> None:
        """An invalid strict request dropped after processing records no message."""
        api.server.drop_next(1, after_processing=True)
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/v1/track", {"userId": "u1"})
        assert api.server.message_count == 0
        assert len(api.server.rejections) == 1


class TestStall:
    """stall and release."""

    def _send_in_background(self, api: Api) -> tuple[threading.Thread, list[Any]]:
        results: list[Any] = []

        def send() -> None:
            try:
                results.append(api.post("/v1/track", TRACK).status_code)
            except httpx.HTTPError as exc:
                results.append(type(exc))

        sender = threading.Thread(target=send)
        sender.start()
        return sender, results

    def test_stall_holds_until_release(self, api: Api) -> None:
        """A stalled request is answered normally once released."""
        api.server.stall()
        sender, results = self._send_in_background(api)
        assert api.server.wait_for_stalled(1, timeout=5)
        assert api.server.stalled == 1
        assert api.server.request_count == 0
        api.server.release()
        sender.join(10)
        assert results == [200]
        assert api.server.stalled == 0
        assert api.server.message_count == 1

    def test_requests_after_release_are_not_held(self, api: Api) -> None:
        """release ends the stall for later requests too."""
        api.server.stall()
        api.server.release()
        assert _status(api) == 200

    def test_stop_drops_a_stalled_request(self, http: httpx.Client) -> None:
        """Stopping the server ends a stall at once: the request is dropped, stop() is clean."""
        server = LocalServer().start()
        server.stall()
        results: list[Any] = []

        def send() -> None:
            try:
                url = f"{server.url}/v1/track"
                results.append(http.post(url, json=TRACK, auth=("test-key", "")).status_code)
            except httpx.HTTPError as exc:
                results.append(type(exc))

        sender = threading.Thread(target=send)
        sender.start()
        try:
            assert server.wait_for_stalled(1, timeout=5)
            assert server.stop(timeout=5) is True
        finally:
            server.stop()
            sender.join(10)
        assert results == [httpx.RemoteProtocolError]
        assert server.message_count == 0

    def test_wait_for_stalled_times_out(self, server: LocalServer) -> None:
        """wait_for_stalled returns False when nothing is held."""
        assert server.wait_for_stalled(1, timeout=0.01) is False


class TestScript:
    """Scripted sequences."""

    def test_sequence_then_normal(self, api: Api) -> None:
        """Each step answers one request, in order; then requests are normal again."""
        api.server.script([500, "503", (429, "2"), 200, "ok", 400])
        responses = [api.post("/v1/track", TRACK) for _ in range(7)]
        assert [r.status_code for r in responses] == [500, 503, 429, 200, 200, 400, 200]
        assert responses[2].headers["retry-after"] == "2"
        assert api.server.message_count == 3

    def test_drops_and_delays_in_a_script(self, api: Api) -> None:
        """Script steps can drop (before or after processing) and delay."""
        api.server.script(["drop", "drop_after", ("delay", 0.01)])
        for _ in range(2):
            with pytest.raises(httpx.RemoteProtocolError):
                api.post("/v1/track", TRACK)
        assert _status(api) == 200
        assert api.server.duplicate_count == 1

    def test_script_follows_earlier_faults(self, api: Api) -> None:
        """One-shot faults are consumed in the order they were added."""
        api.server.fail_next(1, 502)
        api.server.script([503])
        api.server.rate_limit_next()
        assert [_status(api) for _ in range(4)] == [502, 503, 429, 200]

    @pytest.mark.parametrize("step", ["explode", (1, 2, 3), ("delay", -1), 99, 3.5])
    def test_invalid_step(self, server: LocalServer, step: Any) -> None:
        """An unknown step is a ValueError and the script queues nothing."""
        with pytest.raises(ValueError):
            server.script([500, step])
        assert server.pending_faults == 0

    def test_parse_step(self) -> None:
        """Steps become actions."""
        assert parse_step(200) == Action()
        assert parse_step("drop") == Action(drop=True)
        assert parse_step("drop_after_processing") == Action(drop=True, after_processing=True)
        assert parse_step(["delay", 1]) == Action(delay=1.0)
        assert parse_step(("429", 5)).headers == (("Retry-After", "5"),)


class TestRejectMessages:
    """reject_messages poisons chosen messages."""

    def test_strict_request_gets_400(self, api: Api) -> None:
        """In strict mode the whole request is refused with the reason."""
        api.server.reject_messages(lambda m: "poisoned" if m.get("event") == "Poison" else None)
        batch = [{"type": "track", **TRACK}, {"type": "track", "userId": "u", "event": "Poison"}]
        response = api.post("/v1/batch", {"batch": batch})
        assert response.status_code == 400
        assert response.json()["meta"]["errors"] == ["batch[1]: poisoned"]
        assert api.server.message_count == 0

    def test_permissive_records_a_rejection(self, api: Api) -> None:
        """In permissive mode the message becomes a rejection; the others are kept."""
        api.server.reject_messages(lambda m: "no" if m["userId"] == "bad" else None)
        batch = [{"type": "track", **TRACK}, {"type": "track", "userId": "bad", "event": "E"}]
        assert api.post("/v1/batch", {"batch": batch}, strict=False).status_code == 200
        assert api.server.message_ids() == ["m1"]
        assert [(r.index, r.reason) for r in api.server.rejections] == [(1, "no")]
        api.server.reject_messages(None)
        assert api.post("/v1/batch", {"batch": batch}).status_code == 200


class TestConfigureFaults:
    """The JSON form of the fault API (shared by POST /__cio__/faults)."""

    def test_every_key(self) -> None:
        """Each documented key maps to its method."""
        plan = FaultPlan()
        plan.configure_faults(
            {
                "fail_next": {"n": 2, "status": 503},
                "rate_limit_next": {"n": 1, "retry_after": "1"},
                "delay_next": {"n": 1, "seconds": 0.1},
                "drop_next": {"n": 1, "after_processing": True},
                "script": [500, [429, "2"]],
                "set_delay": {"seconds": 0},
                "stall": True,
                "release": True,
                "fail_for": {"seconds": 0},
                "clear_faults": False,
            }
        )
        assert plan.pending_faults == 7
        plan.configure_faults({"clear_faults": True})
        assert plan.pending_faults == 0


class TestClientThroughFaults:
    """A real cio_analytics.Client delivers everything through injected faults."""

    def _client(self, server: LocalServer, **settings: Any) -> Client:
        return Client(
            write_key=server.write_key,
            host=server.url,
            upload_interval=0.01,
            max_retries=5,
            **settings,
        )

    def test_retries_500_500_200(self, server: LocalServer) -> None:
        """Two 5xx answers are retried and the message arrives once."""
        server.script([500, 500, 200])
        with self._client(server) as client:
            message_id = client.track("u1", "Retried")
            assert client.flush(timeout=20)
        assert [r.status for r in server.requests] == [500, 500, 200]
        assert server.message_ids() == [message_id]

    def test_lost_response_gives_a_duplicate(self, server: LocalServer) -> None:
        """A response lost after processing makes the client resend: one duplicate, no loss."""
        server.drop_next(1, after_processing=True)
        with self._client(server) as client:
            message_id = client.track("u1", "Twice")
            assert client.flush(timeout=20)
        assert server.duplicates() == {message_id: 2}
