"""LocalServer over real HTTP: auth, limits, gzip, modes, recording, control paths, lifecycle."""

from __future__ import annotations

import base64
import gzip
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import msgspec
import pytest

from cio_analytics.testing import LocalServer, RecordedMessage, Rejection

if TYPE_CHECKING:
    from conftest import Api

TRACK = {"type": "track", "userId": "u1", "event": "Signed Up", "messageId": "m1"}
MAX_CALL = 32 * 1024
MAX_BATCH = 500_000


def _sized_call(size: int) -> bytes:
    """A valid track body of exactly ``size`` bytes."""
    empty = msgspec.json.encode({"userId": "u1", "event": "E", "properties": {"pad": ""}})
    return msgspec.json.encode(
        {"userId": "u1", "event": "E", "properties": {"pad": "x" * (size - len(empty))}}
    )


def _sized_item(size: int, **extra: Any) -> dict[str, Any]:
    """A valid batch item encoding to exactly ``size`` bytes."""
    item: dict[str, Any] = {"type": "track", "userId": "u1", "event": "E", **extra}
    item["properties"] = {"pad": ""}
    pad = size - len(msgspec.json.encode(item))
    item["properties"] = {"pad": "x" * pad}
    assert len(msgspec.json.encode(item)) == size
    return item


class TestBasics:
    """Binding, the URL, the success answer."""

    def test_url_port_and_key(self, server: LocalServer) -> None:
        """The server binds 127.0.0.1 on a free port and exposes its base URL."""
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.write_key == "test-key"
        assert server.running
        assert "running" in repr(server)

    @pytest.mark.parametrize(
        "endpoint", ["identify", "track", "page", "screen", "group", "alias", "batch"]
    )
    def test_every_endpoint_answers_200_empty_object(self, api: Api, endpoint: str) -> None:
        """Each of the seven endpoints answers a valid call with 200 and ``{}``."""
        messages = {
            "identify": {"userId": "u1"},
            "track": {"userId": "u1", "event": "E"},
            "page": {"userId": "u1"},
            "screen": {"userId": "u1"},
            "group": {"groupId": "g1"},
            "alias": {"previousId": "a1", "userId": "u1"},
            "batch": {"batch": [TRACK]},
        }
        response = api.post(f"/v1/{endpoint}", messages[endpoint])
        assert response.status_code == 200
        assert response.content == b"{}"
        assert response.headers["content-type"] == "application/json"
        assert api.server.message_count == 1

    def test_keep_alive_serves_several_requests_on_one_connection(
        self, server: LocalServer
    ) -> None:
        """HTTP/1.1 keep-alive: two requests, one socket, two answers."""
        body = msgspec.json.encode({"batch": [TRACK]})
        auth = base64.b64encode(b"test-key:").decode()
        request = (
            f"POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Authorization: Basic {auth}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            reader = sock.makefile("rb")
            for _ in range(2):
                sock.sendall(request)
                assert reader.readline().startswith(b"HTTP/1.1 200")
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                assert reader.read(length) == b"{}"
            reader.close()
        assert server.request_count == 2

    def test_chunked_body_is_read(self, api: Api) -> None:
        """A body sent with chunked transfer encoding is accepted."""
        body = msgspec.json.encode({"batch": [TRACK, {**TRACK, "messageId": "m2"}]})
        response = api.http.post(
            "/v1/batch",
            content=iter([body[:10], body[10:]]),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 200
        assert api.server.message_ids() == ["m1", "m2"]

    def test_unknown_path_is_404(self, api: Api) -> None:
        """A path that is not an endpoint gets 404 with an error body."""
        response = api.post("/v1/purchase", {"userId": "u1"})
        assert response.status_code == 404
        assert response.json() == {"meta": {"errors": ["not found: /v1/purchase"]}}

    @pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
    def test_wrong_method_is_405(self, api: Api, method: str) -> None:
        """Endpoints accept POST only."""
        response = api.http.request(method, "/v1/batch")
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"


class TestAuth:
    """Basic auth against the configured key."""

    def test_missing_key_is_401(self, api: Api) -> None:
        """No Authorization header: 401 with a JSON error body, nothing recorded."""
        response = api.http.post("/v1/batch", json={"batch": [TRACK]}, auth=None)
        assert response.status_code == 401
        (error,) = response.json()["meta"]["errors"]
        assert error.startswith("unauthorized: missing Authorization")
        assert api.server.message_count == 0

    @pytest.mark.parametrize("strict", [True, False])
    def test_wrong_key_is_401_in_both_modes(self, api: Api, strict: bool) -> None:
        """A wrong key is refused even in permissive mode."""
        response = api.post("/v1/batch", {"batch": [TRACK]}, strict=strict, auth=("nope", ""))
        assert response.status_code == 401
        assert response.json() == {
            "meta": {"errors": ["unauthorized: the write key does not match"]}
        }
        assert api.server.requests[0].status == 401

    @pytest.mark.parametrize(
        "header",
        ["Basic !!!", "Digest abc", "Bearer wrong"],
    )
    def test_malformed_or_foreign_credentials(self, api: Api, header: str) -> None:
        """Unreadable credentials and other schemes are refused."""
        response = api.post("/v1/track", {}, headers={"Authorization": header}, auth=None)
        assert response.status_code == 401

    def test_bearer_key_is_accepted(self, api: Api) -> None:
        """``Bearer <key>`` (what the official library sends for pk_/sk_ keys) is accepted."""
        response = api.post(
            "/v1/batch", {"batch": [TRACK]}, headers={"Authorization": "Bearer test-key"}, auth=None
        )
        assert response.status_code == 200

    def test_no_key_configured_accepts_anything(self, http: httpx.Client) -> None:
        """write_key=None disables the check."""
        with LocalServer(None) as server:
            response = http.post(f"{server.url}/v1/batch", json={"batch": [TRACK]})
            assert response.status_code == 200
            assert server.write_key is None


class TestModes:
    """Strict and permissive mode."""

    def test_header_decides_by_default(self, api: Api) -> None:
        """Without a forced mode, X-Strict-Mode: 1 gives 400 and its absence 200."""
        invalid = {"batch": [{"type": "track", "userId": "u1"}]}
        assert api.post("/v1/batch", invalid, strict=True).status_code == 400
        assert api.post("/v1/batch", invalid, strict=False).status_code == 200
        other = api.post("/v1/batch", invalid, strict=False, headers={"X-Strict-Mode": "yes"})
        assert other.status_code == 200

    @pytest.mark.parametrize(("forced", "status"), [(True, 400), (False, 200)])
    def test_forced_mode_ignores_the_header(
        self, api_for: Callable[[LocalServer], Api], forced: bool, status: int
    ) -> None:
        """strict=True or False overrides the request header."""
        with LocalServer(strict=forced) as server:
            api = api_for(server)
            invalid = {"batch": [{"type": "track", "userId": "u1"}]}
            assert api.post("/v1/batch", invalid, strict=not forced).status_code == status

    def test_strict_rejects_the_whole_request(self, api: Api) -> None:
        """One invalid message makes a strict batch a 400; its valid messages are not recorded."""
        batch = [TRACK, {"type": "track", "userId": "u2"}, {**TRACK, "messageId": "m3"}]
        response = api.post("/v1/batch", {"batch": batch})
        assert response.json() == {
            "meta": {"errors": ['batch[1]: track requires a non-empty "event"']}
        }
        assert api.server.messages == []
        (rejection,) = api.server.rejections
        assert rejection == Rejection(
            "/v1/batch", 1, 'track requires a non-empty "event"', batch[1]
        )

    def test_permissive_keeps_the_valid_messages(self, api: Api) -> None:
        """A permissive batch records its valid messages and each invalid one as a rejection."""
        batch = [TRACK, {"type": "track", "userId": "u2"}, {**TRACK, "messageId": "m3"}]
        assert api.post("/v1/batch", {"batch": batch}, strict=False).status_code == 200
        assert api.server.message_ids() == ["m1", "m3"]
        assert [r.index for r in api.server.rejections] == [1]
        assert api.server.requests[0].message_count == 2

    def test_many_errors_are_capped(self, api: Api) -> None:
        """A 400 lists at most 100 problems and says how many more there were."""
        response = api.post("/v1/batch", {"batch": [{"type": "track"}] * 60})
        errors = response.json()["meta"]["errors"]
        assert len(errors) == 101
        assert errors[-1] == "... and 20 more"


class TestBodies:
    """Gzip, non-JSON bodies and the size limits."""

    def test_gzip_body_is_accepted_and_flagged(self, api: Api) -> None:
        """A gzip body is decompressed; the recorded request says it was gzipped."""
        response = api.post("/v1/batch", {"batch": [TRACK]}, gzip=True)
        assert response.status_code == 200
        (record,) = api.server.records
        assert record.request.gzip
        assert record.message == TRACK
        assert record.request.body_size < len(msgspec.json.encode({"batch": [TRACK]})) + 40

    def test_multi_member_gzip(self, api: Api) -> None:
        """Concatenated gzip members are read as one body."""
        body = msgspec.json.encode({"batch": [TRACK]})
        data = gzip.compress(body[:5]) + gzip.compress(body[5:])
        response = api.post("/v1/batch", content=data, headers={"Content-Encoding": "gzip"})
        assert response.status_code == 200

    @pytest.mark.parametrize("strict", [True, False])
    @pytest.mark.parametrize(
        ("content", "encoding", "problem"),
        [
            (b"not json", None, "the body is not valid JSON"),
            (b"", None, "the body is not valid JSON"),
            (b"not gzip", "gzip", "not valid gzip"),
            (gzip.compress(b'{"batch": []}')[:-6], "gzip", "truncated"),
            (b"{}", "br", "unsupported Content-Encoding 'br'"),
        ],
        ids=["garbage", "empty", "bad-gzip", "truncated-gzip", "brotli"],
    )
    def test_unreadable_body_is_400_in_both_modes(
        self, api: Api, strict: bool, content: bytes, encoding: str | None, problem: str
    ) -> None:
        """A body that cannot be read gets 400 whatever the mode, and is recorded as a rejection."""
        headers = {"Content-Encoding": encoding} if encoding else {}
        response = api.post("/v1/batch", content=content, headers=headers, strict=strict)
        assert response.status_code == 400
        assert problem in response.json()["meta"]["errors"][0]
        (rejection,) = api.server.rejections
        assert (rejection.index, rejection.message) == (None, None)

    def test_array_body_for_a_single_call(self, api: Api) -> None:
        """A single call whose body is not an object is an invalid payload."""
        response = api.post("/v1/track", [1])
        assert response.status_code == 400
        assert "the body must be a JSON object" in response.json()["meta"]["errors"][0]
        assert api.post("/v1/track", [1], strict=False).status_code == 200

    def test_single_call_at_the_limit_is_accepted(self, api: Api) -> None:
        """A single call of exactly 32768 bytes is accepted."""
        response = api.post("/v1/track", content=_sized_call(MAX_CALL))
        assert response.status_code == 200

    def test_single_call_over_the_limit(self, api: Api) -> None:
        """A single call over 32 KB gets 400 in strict mode, a rejection in permissive mode."""
        body = _sized_call(MAX_CALL + 1)
        strict = api.post("/v1/track", content=body)
        assert strict.status_code == 400
        assert "one call may be at most 32,768" in strict.json()["meta"]["errors"][0]
        permissive = api.post("/v1/track", content=body, strict=False)
        assert permissive.status_code == 200
        assert api.server.message_count == 0
        rejection = api.server.rejections[-1]
        assert rejection.message is not None
        assert rejection.message["event"] == "E"

    def test_batch_item_over_the_limit(self, api: Api) -> None:
        """A message over 32 KB inside a batch is invalid; its neighbours are not."""
        batch = [_sized_item(MAX_CALL, messageId="ok"), _sized_item(MAX_CALL + 1, messageId="big")]
        strict = api.post("/v1/batch", {"batch": batch})
        assert strict.status_code == 400
        (error,) = strict.json()["meta"]["errors"]
        assert error.startswith("batch[1]: the message is 32,769 bytes")
        assert api.post("/v1/batch", {"batch": batch}, strict=False).status_code == 200
        assert api.server.message_ids() == ["ok"]
        assert api.server.rejections[-1].index == 1

    def test_batch_over_500_kb(self, api: Api) -> None:
        """A batch body over 500,000 bytes: 413 in strict mode, 200 and a rejection otherwise."""
        items = [_sized_item(30_000, messageId=str(i)) for i in range(17)]
        body = msgspec.json.encode({"batch": items})
        assert len(body) > MAX_BATCH
        strict = api.post("/v1/batch", content=body)
        assert strict.status_code == 413
        assert "the limit is 500,000" in strict.json()["meta"]["errors"][0]
        permissive = api.post("/v1/batch", content=body, strict=False)
        assert permissive.status_code == 200
        assert api.server.message_count == 0
        assert [(r.index, r.message) for r in api.server.rejections] == [(None, None)] * 2

    def test_batch_limit_is_measured_decompressed(self, api: Api) -> None:
        """A small gzip body that inflates over 500 KB is still too large."""
        items = [_sized_item(30_000, messageId=str(i)) for i in range(17)]
        response = api.post("/v1/batch", {"batch": items}, gzip=True)
        assert int(response.request.headers["content-length"]) < MAX_CALL
        assert response.status_code == 413

    def test_batch_just_under_500_kb_is_accepted(self, api: Api) -> None:
        """A batch body of 500,000 bytes or less is accepted."""
        items = [_sized_item(30_000, messageId=str(i)) for i in range(16)]
        body = msgspec.json.encode({"batch": items})
        assert MAX_CALL < len(body) <= MAX_BATCH
        assert api.post("/v1/batch", content=body).status_code == 200
        assert api.server.message_count == 16


class TestRecording:
    """What is recorded and how it is queried."""

    def _send_mix(self, api: Api) -> None:
        batch = [
            {"type": "identify", "userId": "u1", "messageId": "a"},
            {"type": "track", "userId": "u1", "event": "Signed Up", "messageId": "b"},
            {"type": "track", "anonymousId": "x", "event": "Viewed", "messageId": "c"},
            {"type": "track", "userId": "u2", "event": "Signed Up", "messageId": "d"},
        ]
        assert api.post("/v1/batch", {"batch": batch}).status_code == 200
        page = {"userId": "u2", "name": "Home", "messageId": "e"}
        assert api.post("/v1/page", page, gzip=True).status_code == 200

    def test_messages_in_arrival_order(self, api: Api) -> None:
        """messages lists what was accepted, decoded, in order."""
        self._send_mix(api)
        assert [m["messageId"] for m in api.server.messages] == ["a", "b", "c", "d", "e"]
        assert api.server.message_count == 5

    def test_queries(self, api: Api) -> None:
        """Messages can be selected by type, event name and userId."""
        self._send_mix(api)
        server = api.server
        assert [m["messageId"] for m in server.messages_of_type("track")] == ["b", "c", "d"]
        assert [m["messageId"] for m in server.events()] == ["b", "c", "d"]
        assert [m["messageId"] for m in server.events("Signed Up")] == ["b", "d"]
        assert server.events("Nothing") == []
        assert [m["messageId"] for m in server.messages_for_user("u2")] == ["d", "e"]
        assert server.message_ids() == ["a", "b", "c", "d", "e"]

    def test_records_carry_their_request(self, api: Api) -> None:
        """Each accepted message comes with the request it arrived in."""
        self._send_mix(api)
        records = api.server.records
        assert all(isinstance(r, RecordedMessage) for r in records)
        assert [r.request.path for r in records] == ["/v1/batch"] * 4 + ["/v1/page"]
        assert [r.request.gzip for r in records] == [False] * 4 + [True]
        batch_request, page_request = api.server.requests
        assert records[0].request is batch_request
        assert batch_request.method == "POST"
        assert batch_request.status == 200
        assert batch_request.message_count == 4
        assert batch_request.headers["x-strict-mode"] == "1"
        assert batch_request.headers["authorization"].startswith("Basic ")
        assert page_request.received_at >= batch_request.received_at

    def test_duplicates_are_accepted_and_counted(self, api: Api) -> None:
        """A repeated messageId is accepted, and counted as a duplicate."""
        for _ in range(3):
            assert api.post("/v1/track", TRACK).status_code == 200
        api.post("/v1/batch", {"batch": [{**TRACK, "messageId": "m2"}] * 2})
        server = api.server
        assert server.message_count == 5
        assert server.duplicate_count == 3
        assert server.duplicates() == {"m1": 3, "m2": 2}
        assert server.message_ids() == ["m1", "m2"]

    def test_clear_and_reset(self, api: Api) -> None:
        """clear() forgets recordings; reset() also forgets faults."""
        self._send_mix(api)
        api.server.fail_next(5, 503)
        api.server.clear()
        assert api.server.messages == []
        assert api.server.requests == []
        assert api.server.message_count == api.server.duplicate_count == 0
        assert api.post("/v1/track", TRACK).status_code == 503
        api.server.reset()
        assert api.server.pending_faults == 0
        assert api.post("/v1/track", TRACK).status_code == 200
        assert api.server.message_ids() == ["m1"]

    def test_waiting(self, api: Api) -> None:
        """wait_for_messages/wait_for_requests return True when reached, False on timeout."""
        assert api.server.wait_for_messages(1, timeout=0.01) is False
        sender = threading.Thread(target=api.post, args=("/v1/track", TRACK))
        sender.start()
        assert api.server.wait_for_messages(1, timeout=5)
        assert api.server.wait_for_requests(1, timeout=5)
        sender.join(5)
        assert api.server.wait_for_requests(2, timeout=0.01) is False

    def test_lists_are_copies(self, api: Api) -> None:
        """Mutating a returned list does not change the recording."""
        api.post("/v1/track", TRACK)
        api.server.messages.clear()
        api.server.requests.clear()
        assert api.server.message_count == 1
        assert len(api.server.messages) == 1

    def test_keep_messages_false_keeps_counts_only(
        self, api_for: Callable[[LocalServer], Api]
    ) -> None:
        """keep_messages=False keeps counts, ids and duplicates, but no messages or requests."""
        with LocalServer(keep_messages=False) as server:
            api = api_for(server)
            api.post("/v1/batch", {"batch": [TRACK, TRACK, {**TRACK, "messageId": "m2"}]})
            api.post("/v1/batch", {"batch": [{"type": "track"}]}, strict=False)
            assert server.message_count == 3
            assert server.request_count == 2
            assert server.duplicate_count == 1
            assert server.message_ids() == ["m1", "m2"]
            assert server.messages == server.requests == server.rejections == []
            assert server.stats()["rejections"] == 1
            assert server.wait_for_messages(3, timeout=1)

    def test_jsonl_file_gets_every_message(
        self, tmp_path: Path, api_for: Callable[[LocalServer], Api]
    ) -> None:
        """The record file gets one JSON line per message received, accepted or not."""
        path = tmp_path / "received.jsonl"
        path.write_text('{"earlier": true}\n')
        with LocalServer(record_file=path) as server:
            api = api_for(server)
            api.post("/v1/batch", {"batch": [TRACK, {"type": "alias"}]}, strict=False)
            api.post("/v1/identify", {"userId": "u9"})
            server.clear()
            api.post("/v1/batch", content=b"garbage")
        lines = [msgspec.json.decode(line) for line in path.read_text().splitlines()]
        assert lines[0] == {"earlier": True}
        first, second, third, fourth = lines[1:]
        assert first["accepted"] is True
        assert first["message"] == TRACK
        assert (first["path"], first["status"]) == ("/v1/batch", 200)
        assert first["receivedAt"].endswith("+00:00")
        assert second["accepted"] is False
        assert (second["index"], second["message"]) == (1, {"type": "alias"})
        assert 'alias requires a non-empty "previousId"' in second["reason"]
        assert (third["path"], third["message"]) == (
            "/v1/identify",
            {"type": "identify", "userId": "u9"},
        )
        assert (fourth["accepted"], fourth["status"], fourth["message"]) == (False, 400, None)

    def test_on_receive_sees_every_message(self, api_for: Callable[[LocalServer], Api]) -> None:
        """on_receive is called with each accepted message and each rejection."""
        seen: list[RecordedMessage | Rejection] = []
        with LocalServer(on_receive=seen.append) as server:
            api_for(server).post("/v1/batch", {"batch": [TRACK, {"type": "x"}]}, strict=False)
        accepted, rejected = seen
        assert isinstance(accepted, RecordedMessage)
        assert accepted.message == TRACK
        assert isinstance(rejected, Rejection)
        assert rejected.index == 1


class TestControlPaths:
    """The /__cio__/ paths drive a server from another process."""

    def test_stats(self, api: Api) -> None:
        """GET /__cio__/stats returns the counts."""
        api.post("/v1/batch", {"batch": [TRACK, TRACK]})
        api.post("/v1/batch", {"batch": [{"type": "track"}]})
        stats = api.http.get("/__cio__/stats").json()
        first, last = stats.pop("first_accepted_at"), stats.pop("last_accepted_at")
        assert stats == {
            "message_count": 2,
            "unique_message_ids": 1,
            "duplicate_count": 1,
            "requests": 2,
            "status_counts": {"200": 1, "400": 1},
            "rejections": 1,
            "accepted_by_type": {"track": 2},
            "rejected_by_rule": {
                'track requires "userId" or "anonymousId"': 1,
                'track requires a non-empty "event"': 1,
            },
        }
        # Both on the monotonic clock, set by the one request that was accepted.
        assert 0 < first == last <= time.monotonic()

    def test_messages_with_filters(self, api: Api) -> None:
        """GET /__cio__/messages lists messages, filtered by type, event and user_id."""
        batch = [
            TRACK,
            {"type": "identify", "userId": "u2", "messageId": "i"},
            {**TRACK, "userId": "u2", "messageId": "t2"},
        ]
        api.post("/v1/batch", {"batch": batch})

        def ids(query: str) -> list[str]:
            response = api.http.get(f"/__cio__/messages{query}")
            return [m["messageId"] for m in response.json()]

        assert ids("") == ["m1", "i", "t2"]
        assert ids("?type=identify") == ["i"]
        assert ids("?event=Signed+Up") == ["m1", "t2"]
        assert ids("?user_id=u2") == ["i", "t2"]
        assert ids("?type=track&user_id=u2") == ["t2"]

    def test_rejections(self, api: Api) -> None:
        """GET /__cio__/rejections lists what was refused."""
        api.post("/v1/track", {"userId": "u1"}, strict=False)
        (rejection,) = api.http.get("/__cio__/rejections").json()
        assert rejection == {
            "path": "/v1/track",
            "index": None,
            "reason": 'track requires a non-empty "event"',
            "message": {"userId": "u1"},
        }

    def test_reset_and_clear(self, api: Api) -> None:
        """POST /__cio__/reset forgets messages and faults; /__cio__/clear only messages."""
        api.post("/v1/track", TRACK)
        api.server.fail_next(3)
        assert api.http.post("/__cio__/clear").status_code == 200
        assert api.server.message_count == 0
        assert api.server.pending_faults == 3
        assert api.http.post("/__cio__/reset").json() == {}
        assert api.server.pending_faults == 0

    def test_faults(self, api: Api) -> None:
        """POST /__cio__/faults injects faults described as JSON."""
        spec = {"fail_next": {"n": 1, "status": 503}, "rate_limit_next": {"retry_after": "7"}}
        assert api.http.post("/__cio__/faults", json=spec).status_code == 200
        assert api.post("/v1/track", TRACK).status_code == 503
        limited = api.post("/v1/track", TRACK)
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "7")
        api.http.post("/__cio__/faults", json={"script": [500, [429, "2"], 200]})
        assert [api.post("/v1/track", TRACK).status_code for _ in range(4)] == [500, 429, 200, 200]
        api.http.post("/__cio__/faults", json={"fail_for": {"seconds": 60, "status": 502}})
        assert api.post("/v1/track", TRACK).status_code == 502
        api.http.post("/__cio__/faults", json={"clear_faults": True})
        assert api.post("/v1/track", TRACK).status_code == 200

    def test_stall_and_release_over_http(self, api: Api) -> None:
        """{"stall": true} holds requests until {"release": true}."""
        api.http.post("/__cio__/faults", json={"stall": True})
        results: list[int] = []
        sender = threading.Thread(
            target=lambda: results.append(api.post("/v1/track", TRACK).status_code)
        )
        sender.start()
        assert api.server.wait_for_stalled(1, timeout=5)
        assert api.server.request_count == 0
        release = api.http.post("/__cio__/faults", json={"release": True}, auth=None)
        assert release.status_code == 200
        sender.join(10)
        assert results == [200]

    @pytest.mark.parametrize(
        "spec",
        [
            {"explode": True},
            {"fail_next": {"n": 1, "status": 99}},
            {"fail_next": {"count": 1}},
            {"fail_next": 3},
            {"script": ["nope"]},
        ],
    )
    def test_invalid_faults_are_400(self, api: Api, spec: dict[str, Any]) -> None:
        """An unknown fault or bad arguments get 400 with the reason."""
        response = api.http.post("/__cio__/faults", json=spec)
        assert response.status_code == 400
        assert response.json()["meta"]["errors"]

    def test_faults_body_must_be_an_object(self, api: Api) -> None:
        """A faults body that is not a JSON object gets 400."""
        assert api.http.post("/__cio__/faults", content=b"[1]").status_code == 400
        assert api.http.post("/__cio__/faults", content=b"{").status_code == 400

    def test_unknown_control_path_and_method(self, api: Api) -> None:
        """Unknown control paths get 404; a wrong method gets 405."""
        assert api.http.get("/__cio__/nothing").status_code == 404
        assert api.http.post("/__cio__/stats").status_code == 405

    def test_control_paths_need_no_key_and_are_not_recorded(self, api: Api) -> None:
        """Control requests work without auth and are not API requests."""
        assert api.http.get("/__cio__/stats", auth=None).status_code == 200
        assert api.server.requests == []


class TestLifecycle:
    """Starting and stopping."""

    def test_stop_is_idempotent_and_final(self) -> None:
        """stop() twice is fine; a stopped server cannot start again."""
        server = LocalServer().start()
        assert server.start() is server
        assert server.stop() is True
        assert server.stop() is True
        assert not server.running
        assert "stopped" in repr(server)
        with pytest.raises(RuntimeError):
            server.start()

    def test_stop_closes_idle_keep_alive_connections(self, http: httpx.Client) -> None:
        """Open keep-alive connections are closed by stop() and every server thread ends."""
        server = LocalServer().start()
        url = f"{server.url}/v1/track"
        response = http.post(url, json={"userId": "u", "event": "E"}, auth=("test-key", ""))
        assert response.status_code == 200
        assert server.stop(timeout=5) is True  # True: the connection threads have ended
        names = {thread.name for thread in threading.enumerate()}
        assert f"cio-local-server-{server.port}" not in names

    def test_port_is_released(self) -> None:
        """After stop() the same port can be bound again."""
        with LocalServer() as first:
            port = first.port
        with LocalServer(port=port) as second:
            assert second.port == port

    def test_not_started(self) -> None:
        """A server that never started can be stopped."""
        server = LocalServer()
        assert "not started" in repr(server)
        assert server.stop() is True

    def test_invalid_write_key_type(self) -> None:
        """A write key that is not a string is a TypeError."""
        with pytest.raises(TypeError):
            LocalServer(123)  # type: ignore[arg-type]

    def test_ipv6_loopback(self, http: httpx.Client) -> None:
        """Binding ::1 gives a bracketed URL (skipped without IPv6)."""
        if not socket.has_ipv6:
            pytest.skip("no IPv6")
        try:
            server = LocalServer(host="::1").start()
        except OSError:
            pytest.skip("::1 cannot be bound here")
        with server:
            assert server.url == f"http://[::1]:{server.port}"
            response = http.post(
                f"{server.url}/v1/track", json={"userId": "u", "event": "E"}, auth=("test-key", "")
            )
            assert response.status_code == 200

    def test_thread_refused_falls_back_to_inline(
        self, api: Api, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """When no thread can be started the request is answered in the accept loop."""

        def refuse(self: threading.Thread) -> None:
            raise RuntimeError("can't create new thread at interpreter shutdown")

        monkeypatch.setattr(threading.Thread, "start", refuse)
        response = api.http.post("/v1/track", json=TRACK)
        monkeypatch.undo()
        assert response.status_code == 200
        assert response.headers["connection"] == "close"
        assert api.server.message_count == 1
