"""ASGI: the request-scope middleware and the lifespans, driven by Starlette's TestClient.

The app is a real FastAPI app; the TestClient runs its lifespan when used as a
context manager, so leaving the block is the server shutting down. No test
flushes by hand: what arrives was delivered by the lifespan's shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import pytest
from _integration_support import assert_exactly_once, kinds

import cio_analytics
from cio_analytics._wire.scope import current
from cio_analytics.integrations.asgi import RequestScopeMiddleware, lifespan, with_lifespan
from cio_analytics.testing import LocalServer

pytest.importorskip("fastapi")
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

#: The address the test client connects from (a documentation range, never dialled).
PEER = ("192.0.2.10", 50000)
AGENT = "integration-test/1.0"


def _user_from_header(scope: MutableMapping[str, Any]) -> str | None:
    """What an authentication layer would give: the user id, here from a header."""
    for name, value in scope.get("headers", ()):
        if name == b"x-user-id":
            return str(value.decode("latin-1"))
    return None


def _app(trusted_proxies: int = 0) -> FastAPI:
    app = FastAPI(lifespan=lifespan)
    app.add_middleware(
        RequestScopeMiddleware, trusted_proxies=trusted_proxies, user_id=_user_from_header
    )

    @app.post("/projects")
    async def create_project() -> dict[str, str]:
        cio_analytics.track(event="Project Created", properties={"template": "kanban"})
        return {"ok": "yes"}

    @app.get("/pricing")
    def pricing() -> dict[str, str]:  # a sync handler: Starlette runs it in its thread pool
        cio_analytics.page(anonymous_id="anon-7", name="Pricing")
        return {"ok": "yes"}

    @app.post("/explicit")
    async def explicit(request: Request) -> dict[str, str]:
        cio_analytics.track(
            "someone-else",
            "Invited",
            context={"ip": "198.51.100.9", "page": {"path": "/given"}},
        )
        return {"ok": "yes"}

    return app


def test_calls_in_a_request_get_its_scope_and_arrive_at_shutdown(cio_env: LocalServer) -> None:
    """Async and thread-pool handlers get ip, userAgent, page and the user id; once each."""
    with TestClient(_app(), client=PEER, headers={"User-Agent": AGENT}) as client:
        assert client.post("/projects", headers={"X-User-Id": "u-1"}).status_code == 200
        assert (
            client.get("/pricing?token=secret", headers={"Referer": "https://ref.example/a?b=c"})
        ).status_code == 200
        assert current() is None  # nothing leaks into the caller
    # Leaving the block ran the lifespan: the library delivered and stopped.
    assert_exactly_once(cio_env, 2)
    assert kinds(cio_env) == [("page", "Pricing"), ("track", "Project Created")]

    (event,) = cio_env.events("Project Created")
    assert event["userId"] == "u-1"
    assert event["context"]["ip"] == "192.0.2.10"
    assert event["context"]["userAgent"] == AGENT
    assert event["context"]["page"] == {"path": "/projects", "url": "http://testserver/projects"}

    (page,) = cio_env.messages_of_type("page")
    assert page["anonymousId"] == "anon-7"
    assert "userId" not in page  # no user header: no user id
    assert page["context"]["page"] == {
        "path": "/pricing",
        "url": "http://testserver/pricing",  # no query string: it can carry tokens
        "referrer": "https://ref.example/a",
    }
    assert page["context"]["ip"] == "192.0.2.10"


def test_explicit_arguments_override_the_scope(cio_env: LocalServer) -> None:
    """A call's own user_id and context keys win; the scope fills only the rest."""
    with TestClient(_app(), client=PEER, headers={"User-Agent": AGENT}) as client:
        assert client.post("/explicit", headers={"X-User-Id": "u-1"}).status_code == 200
    assert_exactly_once(cio_env, 1)
    (event,) = cio_env.events("Invited")
    assert event["userId"] == "someone-else"
    assert event["context"]["ip"] == "198.51.100.9"
    assert event["context"]["page"] == {"path": "/given"}
    assert event["context"]["userAgent"] == AGENT  # not given: from the scope


def test_forwarded_for_is_read_only_behind_trusted_proxies(cio_env: LocalServer) -> None:
    """X-Forwarded-For is ignored by default, and read from the right behind N proxies."""
    forwarded = {"X-Forwarded-For": "203.0.113.66, 203.0.113.7", "X-User-Id": "u-1"}
    with TestClient(_app(), client=PEER) as client:
        assert client.post("/projects", headers=forwarded).status_code == 200
    with TestClient(_app(trusted_proxies=1), client=PEER) as client:
        assert client.post("/projects", headers=forwarded).status_code == 200
    with TestClient(_app(trusted_proxies=2), client=PEER) as client:
        assert client.post("/projects", headers=forwarded).status_code == 200
    ips = [m["context"]["ip"] for m in cio_env.events("Project Created")]
    assert ips == ["192.0.2.10", "203.0.113.7", "203.0.113.66"]
    assert_exactly_once(cio_env, 3)


def test_with_lifespan_delivers_for_an_app_without_a_lifespan(cio_env: LocalServer) -> None:
    """A plain ASGI app that refuses lifespan events (as Django's does) still delivers at exit."""

    async def plain_app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError("this app only handles HTTP")  # what Django's ASGIHandler does
        cio_analytics.track(event="Plain Request")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = with_lifespan(RequestScopeMiddleware(plain_app, user_id=_user_from_header))
    with TestClient(app, client=PEER) as client:
        assert client.get("/plain", headers={"X-User-Id": "u-9"}).status_code == 204
    assert_exactly_once(cio_env, 1)
    (event,) = cio_env.events("Plain Request")
    assert event["userId"] == "u-9"
    assert event["context"]["page"]["path"] == "/plain"


def test_a_failing_user_id_function_does_not_fail_the_request(
    cio_env: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The application's user_id function raising is logged; the request and the scope go on."""

    def broken(scope: MutableMapping[str, Any]) -> str:
        raise RuntimeError("session store down")

    app = FastAPI(lifespan=lifespan)
    app.add_middleware(RequestScopeMiddleware, user_id=broken)

    @app.get("/")
    async def home() -> dict[str, str]:
        cio_analytics.track("u-2", "Home Viewed")
        return {}

    with (
        caplog.at_level(logging.ERROR, logger="cio_analytics"),
        TestClient(app, client=PEER) as client,
    ):
        assert client.get("/").status_code == 200
    (event,) = cio_env.events("Home Viewed")
    assert event["context"]["ip"] == "192.0.2.10"
    assert "session store down" in caplog.text
