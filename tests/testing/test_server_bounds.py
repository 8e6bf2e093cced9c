"""The local server's bounds and guards: what it keeps, connections, bodies, deadlines, Host.

Everything here talks HTTP (or raw TCP) to a real LocalServer on 127.0.0.1.
"""

from __future__ import annotations

import base64
import re
import socket
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import msgspec
import pytest

from cio_analytics.testing import LocalServer, _recorder

if TYPE_CHECKING:
    from conftest import Api

AUTH = ("test-key", "")
MakeApi = Callable[[LocalServer], "Api"]


def plain_client(**options: Any) -> httpx.Client:
    """An httpx client for plain-http loopback URLs (no CA bundle to load)."""
    options.setdefault("timeout", 10.0)
    return httpx.Client(verify=False, **options)


def track(n: int, message_id: str | None = None) -> dict[str, object]:
    """A valid track message for user ``u<n>``."""
    return {
        "type": "track",
        "userId": f"u{n}",
        "event": "E",
        "messageId": message_id or f"m{n}",
    }


def _raw_request(port: int, head: str, body: bytes = b"") -> bytes:
    """Send one raw request and read the whole answer (the server closes the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


class TestKeep:
    """keep=N holds the newest N; counts cover everything."""

    def test_ring_of_the_newest(self, api_for: MakeApi) -> None:
        """Five messages with keep=3: the last three are kept, all five counted."""
        with LocalServer(keep=3) as server:
            api = api_for(server)
            for n in range(5):
                assert api.batch([track(n)]).status_code == 200
            assert [m["userId"] for m in server.messages] == ["u2", "u3", "u4"]
            assert len(server.requests) == 3
            assert server.message_count == 5
            assert server.stats()["accepted_by_type"] == {"track": 5}

    def test_duplicates_detected_within_the_id_memory(
        self, api_for: MakeApi, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With keep set, ids are remembered up to the id memory: older repeats go unnoticed."""
        monkeypatch.setattr(_recorder, "ID_MEMORY", 2)
        with LocalServer(keep=1) as server:
            api = api_for(server)
            api.batch([track(1), track(2), track(2)])
            assert server.duplicate_count == 1
            api.batch([track(3), track(1)])  # m1 was forgotten when m3 came
            assert server.duplicate_count == 1
            assert server.message_ids() == ["m3", "m1"]

    def test_keep_must_be_a_count(self) -> None:
        """A negative or non-int keep is refused at construction."""
        with pytest.raises(ValueError, match="keep"):
            LocalServer(keep=-1)

    def test_rejections_counted_by_rule(self, api: Api) -> None:
        """Rejections are counted by rule, values left out."""
        api.batch(
            [
                {"type": "track", "userId": "u1", "event": "E", "timestamp": "yesterday"},
                {"type": "track", "userId": "u1", "event": "E", "timestamp": "soon"},
            ],
            strict=False,
        )
        rules = api.server.stats()["rejected_by_rule"]
        assert rules == {'"timestamp" must be an ISO-8601 date-time': 2}


class TestConnectionsAndBodies:
    """Connections over the cap get 503; big bodies 413; slow requests 408."""

    def test_connections_over_the_limit_get_503(self) -> None:
        """Two connections held open fill a server limited to two; the third gets 503."""
        with LocalServer(max_connections=2) as server:
            held = [plain_client(base_url=server.url) for _ in range(2)]
            try:
                for client in held:  # each keeps its connection open (keep-alive)
                    assert client.get("/__cio__/stats").status_code == 200
                with plain_client() as extra:
                    response = extra.get(f"{server.url}/__cio__/stats")
                assert response.status_code == 503
                assert response.headers["Retry-After"] == "1"
                assert "limit" in response.json()["meta"]["errors"][0]
                assert server.refused_connections == 1
            finally:
                for client in held:
                    client.close()
            deadline = time.monotonic() + 10
            status = 0
            while time.monotonic() < deadline:  # the freed connections end their threads
                with plain_client() as again:
                    status = again.get(f"{server.url}/__cio__/stats").status_code
                if status == 200:
                    break
                time.sleep(0.05)
            assert status == 200

    def test_body_over_the_limit_gets_413(self) -> None:
        """A body over max_body is answered 413, and the client reads the answer."""
        with LocalServer(max_body=1000) as server, plain_client() as http:
            response = http.post(f"{server.url}/v1/batch", content=b"x" * 50_000, auth=AUTH)
            assert response.status_code == 413
            assert "1,000" in response.json()["meta"]["errors"][0]
            assert server.request_count == 0

    def test_default_body_limit_is_one_mebibyte(self, server: LocalServer) -> None:
        """The default cap is 1 MiB (a permissive 600 KB batch still arrives)."""
        assert server.max_body == 1024 * 1024

    def test_request_that_does_not_arrive_in_time_gets_408(self) -> None:
        """A body that stops short is answered 408 once the read deadline passes."""
        with LocalServer(read_deadline=0.5) as server:
            auth = base64.b64encode(b"test-key:").decode()
            head = (
                f"POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                f"Authorization: Basic {auth}\r\nContent-Length: 100\r\n\r\n"
            )
            answer = _raw_request(server.port, head, b'{"batch": [')
            assert answer.startswith(b"HTTP/1.1 408")
            assert b"read deadline" in answer
            assert server.request_count == 0

    def test_limits_are_checked(self) -> None:
        """Limits that are not positive are refused at construction."""
        for kwargs in ({"max_connections": 0}, {"max_body": 0}, {"read_deadline": 0}):
            with pytest.raises(ValueError):
                LocalServer(**kwargs)  # type: ignore[arg-type]


class TestHostAndOrigin:
    """DNS rebinding and cross-site requests are refused with 403."""

    def test_foreign_host_is_refused(self, server: LocalServer) -> None:
        """A Host naming another site is refused, on the page and on the API."""
        with plain_client() as http:
            for path in ("/", "/__cio__/messages", "/v1/batch"):
                response = http.get(f"{server.url}{path}", headers={"Host": "evil.example"})
                assert response.status_code == 403, path
                assert "DNS rebinding" in response.json()["meta"]["errors"][0]

    @pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "LOCALHOST"])
    def test_own_names_are_answered(self, server: LocalServer, name: str) -> None:
        """localhost and the bound address, with the port, are this server."""
        with plain_client() as http:
            response = http.get(
                f"{server.url}/__cio__/stats", headers={"Host": f"{name}:{server.port}"}
            )
            assert response.status_code == 200

    def test_wrong_port_or_missing_host_is_refused(self, server: LocalServer) -> None:
        """The port must be this server's; a request without Host is refused."""
        with plain_client() as http:
            response = http.get(f"{server.url}/", headers={"Host": "localhost:1"})
            assert response.status_code == 403
        answer = _raw_request(server.port, "GET / HTTP/1.0\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 403")

    def test_allowed_hosts(self) -> None:
        """allowed_hosts adds names (for a server reached by another name)."""
        with LocalServer(allowed_hosts=["dev.internal"]) as server, plain_client() as http:
            response = http.get(f"{server.url}/__cio__/stats", headers={"Host": "dev.internal"})
            assert response.status_code == 200

    def test_cross_origin_state_change_is_refused(self, api: Api) -> None:
        """A POST from another origin's page cannot clear the recordings or send messages."""
        api.batch([track(1)])
        server = api.server
        for path, body in (("/__cio__/clear", b""), ("/v1/batch", b'{"batch": []}')):
            response = api.http.post(
                path, content=body, headers={"Origin": "http://evil.example"}
            )
            assert response.status_code == 403, path
            assert "another origin" in response.json()["meta"]["errors"][0]
        null = api.http.post("/__cio__/clear", headers={"Origin": "null"})
        assert null.status_code == 403
        assert server.message_count == 1
        own = api.http.post("/__cio__/clear", headers={"Origin": server.url})
        assert own.status_code == 200
        assert server.message_count == 0

    def test_cross_site_fetch_is_refused_but_navigation_is_not(self, server: LocalServer) -> None:
        """Sec-Fetch-Site cross-site reads are refused; following a link to the page works."""
        with plain_client() as http:
            read = http.get(
                f"{server.url}/__cio__/messages",
                headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"},
            )
            assert read.status_code == 403
            page = http.get(
                f"{server.url}/",
                headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
            )
            assert page.status_code == 200


class TestInspectorFiles:
    """The page and its files, and the headers that keep it safe."""

    def test_page_files_and_headers(self, server: LocalServer) -> None:
        """/ is HTML with a CSP forbidding inline script and other origins; files are served."""
        with plain_client() as http:
            page = http.get(server.inspector_url)
            assert page.status_code == 200
            assert page.headers["Content-Type"].startswith("text/html")
            csp = page.headers["Content-Security-Policy"]
            assert "default-src 'none'" in csp
            assert "script-src 'self';" in csp
            assert "unsafe-inline" not in csp
            assert page.headers["X-Frame-Options"] == "DENY"
            for name, kind in (("inspector.js", "javascript"), ("inspector.css", "css")):
                response = http.get(f"{server.url}/{name}")
                assert response.status_code == 200
                assert kind in response.headers["Content-Type"]
            html = page.text
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/inspector.js" defer>']
        assert "<style" not in html
        assert not re.search(r"\son\w+=", html)  # no inline event handlers

    def test_api_answers_carry_the_headers_too(self, api: Api) -> None:
        """Every answer has the CSP and nosniff (a JSON answer cannot become a page)."""
        response = api.batch([track(1)])
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in response.headers


def _events(lines: Iterator[str], count: int) -> Iterator[tuple[str, dict[str, object]]]:
    """The next ``count`` server-sent events at most (name, decoded data), as they come."""
    name = ""
    seen = 0
    for line in lines:
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            yield name, msgspec.json.decode(line[len("data: ") :])
            seen += 1
            if seen == count:
                return


class TestFeed:
    """The inspector's event stream."""

    def test_backlog_then_new_items(self, api: Api) -> None:
        """A page gets the backlog, then accepted, duplicate, rejected and refused items."""
        server = api.server
        api.batch([track(1)])
        with plain_client() as http, http.stream("GET", f"{server.url}/__cio__/feed") as stream:
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            ((name, reset),) = list(_events(lines, 1))
            assert name == "reset"
            assert [item["message"]["userId"] for item in reset["items"]] == ["u1"]  # type: ignore[index]
            api.batch([track(1)])
            api.batch([track(2), {"type": "track", "userId": "u2"}], strict=True)
            api.batch([track(2)], auth=("wrong", ""))
            items: list[dict[str, object]] = []
            for name, data in _events(lines, 20):
                if name == "items":
                    items.extend(data["items"])  # type: ignore[arg-type]
                if len(items) >= 3:
                    break
        duplicate, rejected, refused = items
        assert (duplicate["kind"], duplicate["duplicate"]) == ("accepted", True)
        assert rejected["kind"] == "rejected"
        assert rejected["status"] == 400
        assert rejected["rules"] == ['track requires a non-empty "event"']
        assert refused["kind"] == "refused"
        assert refused["status"] == 401
        assert "write key" in str(refused["reason"])

    def test_duplicate_marked(self, api: Api) -> None:
        """An accepted message whose id came before is marked as a duplicate in the feed."""
        api.batch([track(1), track(1)])
        items, _, _ = api.server.feed_since(0, -1, 10)
        assert [item.duplicate for item in items] == [False, True]
