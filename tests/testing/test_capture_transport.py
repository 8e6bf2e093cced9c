"""CaptureTransport: the same rules, recording and faults in memory, with a real Client."""

from __future__ import annotations

import gzip
import threading
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from cio_analytics import Client
from cio_analytics.errors import AuthenticationError, DeliveryError
from cio_analytics.testing import CaptureTransport


def _client(transport: CaptureTransport, **settings: Any) -> Client:
    settings.setdefault("write_key", "k")
    return Client(transport=transport, upload_interval=0.01, max_retries=3, **settings)


class TestWithClient:
    """A cio_analytics.Client delivering into a CaptureTransport."""

    def test_records_what_the_client_sends(self) -> None:
        """Every call arrives decoded, queryable like on the server."""
        capture = CaptureTransport()
        with _client(capture) as client:
            client.identify("u1", {"email": "a@example.com"})
            client.track("u1", "Signed Up", {"plan": "pro"})
            client.page("u1", name="Pricing")
            assert client.flush(timeout=10)
        assert [m["type"] for m in capture.messages] == ["identify", "track", "page"]
        (event,) = capture.events("Signed Up")
        assert event["properties"] == {"plan": "pro"}
        assert [m["type"] for m in capture.messages_of_type("page")] == ["page"]
        assert len(capture.messages_for_user("u1")) == 3
        (request,) = capture.requests
        assert request.path == "/v1/batch"
        assert request.headers["x-strict-mode"] == "1"
        assert capture.rejections == []

    def test_scripted_responses_are_retried(self) -> None:
        """responses=[500, 200]: the client retries and the message arrives once."""
        capture = CaptureTransport(responses=[500, 200])
        with _client(capture) as client:
            message_id = client.track("u1", "E")
            assert client.flush(timeout=20)
        assert [r.status for r in capture.requests] == [500, 200]
        assert capture.message_ids() == [message_id]

    def test_drop_raises_a_connection_error_and_is_retried(self) -> None:
        """A drop after processing reaches the client as an error; the resend is a duplicate."""
        capture = CaptureTransport(responses=["drop_after"])
        with _client(capture) as client:
            message_id = client.track("u1", "E")
            assert client.flush(timeout=20)
        assert capture.duplicates() == {message_id: 2}

    def test_key_is_checked_when_given(self) -> None:
        """With write_key set, a client using another key gets 401 and reports it."""
        failures: list[BaseException] = []
        capture = CaptureTransport("right")
        client = _client(capture, write_key="wrong", on_error=lambda e, m: failures.append(e))
        with client:
            client.track("u1", "E")
            assert client.flush(timeout=10)
        assert [type(e) for e in failures] == [AuthenticationError]
        assert capture.messages == []
        assert [r.status for r in capture.requests] == [401]

    def test_invalid_message_is_reported(self) -> None:
        """A message the rules refuse makes the client's strict request fail with 400."""
        failures: list[DeliveryError] = []
        capture = CaptureTransport()
        capture.reject_messages(lambda m: "refused by the test")
        client = _client(capture, on_error=lambda e, m: failures.append(e))
        with client:
            client.track("u1", "E")
            assert client.flush(timeout=10)
        assert [e.status_code for e in failures] == [400]
        assert capture.rejections[0].reason == "refused by the test"

    def test_stall_blocks_the_caller_until_release(self) -> None:
        """A stall holds the sending thread until release()."""
        capture = CaptureTransport()
        capture.stall()
        with _client(capture) as client:
            client.track("u1", "E")
            assert capture.wait_for_stalled(1, timeout=5)
            assert client.flush(timeout=0.05) is False
            capture.release()
            assert client.flush(timeout=10)
        assert capture.message_count == 1


class TestDirect:
    """CaptureTransport under a bare httpx.Client."""

    def test_strict_and_permissive(self) -> None:
        """The X-Strict-Mode header decides, as on the server."""
        capture = CaptureTransport()
        with httpx.Client(transport=capture, base_url="https://cdp.customer.io") as http:
            strict = http.post("/v1/track", json={"userId": "u1"}, headers={"X-Strict-Mode": "1"})
            permissive = http.post("/v1/track", json={"userId": "u1"})
        assert strict.status_code == 400
        assert strict.json() == {"meta": {"errors": ['track requires a non-empty "event"']}}
        assert permissive.status_code == 200
        assert len(capture.rejections) == 2

    def test_paths_methods_and_retry_after(self) -> None:
        """Unknown paths are 404, other methods 405, and 429 carries Retry-After."""
        capture = CaptureTransport(responses=[(429, "3")])
        with httpx.Client(transport=capture, base_url="https://cdp.customer.io") as http:
            limited = http.post("/v1/batch", json={"batch": []})
            assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")
            assert http.post("/v2/batch", json={}).status_code == 404
            assert http.get("/v1/batch").status_code == 405

    def test_gzip(self) -> None:
        """Gzip bodies are decompressed and flagged."""
        capture = CaptureTransport()
        body = gzip.compress(msgspec.json.encode({"batch": [{"type": "identify", "userId": "u"}]}))
        with httpx.Client(transport=capture) as http:
            response = http.post(
                "https://cdp.customer.io/v1/batch",
                content=body,
                headers={"Content-Encoding": "gzip"},
            )
        assert response.status_code == 200
        assert capture.requests[0].gzip
        assert capture.messages == [{"type": "identify", "userId": "u"}]

    def test_record_file_and_close(self, tmp_path: Path) -> None:
        """The JSON Lines file is written and closed by close()."""
        path = tmp_path / "capture.jsonl"
        capture = CaptureTransport(record_file=path)
        with httpx.Client(transport=capture) as http:
            http.post("https://h/v1/identify", json={"userId": "u"})
        lines = path.read_text().splitlines()
        assert msgspec.json.decode(lines[0])["message"] == {"type": "identify", "userId": "u"}

    def test_thread_safe(self) -> None:
        """Concurrent requests are all recorded."""
        capture = CaptureTransport()

        def send(n: int) -> None:
            with httpx.Client(transport=capture) as http:
                for i in range(20):
                    http.post(
                        "https://h/v1/track",
                        json={"userId": "u", "event": "E", "messageId": f"{n}-{i}"},
                    )

        threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert capture.message_count == 80
        assert capture.duplicate_count == 0

    def test_cio_capture_fixture(self, cio_capture: CaptureTransport) -> None:
        """The cio_capture fixture gives a fresh transport."""
        with Client(write_key="k", transport=cio_capture, upload_interval=0.01) as client:
            client.track("u1", "From Fixture")
            assert client.flush(timeout=10)
        assert cio_capture.events("From Fixture")


@pytest.mark.parametrize("responses", [["explode"], [(1, 2, 3)]])
def test_invalid_responses(responses: list[Any]) -> None:
    """An invalid script is refused when the transport is made."""
    with pytest.raises(ValueError):
        CaptureTransport(responses=responses)
