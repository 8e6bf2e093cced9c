"""The FastAPI example tracks inside the request scope and delivers in its lifespan."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

import cio_analytics
from cio_analytics.testing import LocalServer

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient


@pytest.fixture
def fastapi_app(load_example: Callable[[str, str], ModuleType]) -> ModuleType:
    """The example module."""
    return load_example("web", "fastapi_app")


def test_requests_are_tracked_and_delivered_at_shutdown(
    cio_env: LocalServer, fastapi_app: ModuleType
) -> None:
    """Sign-up, action and page view arrive once the app shuts down, with no explicit flush."""
    with TestClient(fastapi_app.app, headers={"User-Agent": "example-test/1.0"}) as client:
        response = client.post("/signup", json={"email": "ada@example.com", "plan": "pro"})
        assert response.status_code == 201
        user_id = response.json()["user_id"]
        action = client.post(
            "/projects", json={"template": "kanban"}, headers={"X-User-Id": user_id}
        )
        assert action.status_code == 201
        client.cookies.set("anon_id", "anon-42")
        assert client.get("/pricing").status_code == 200
    # Leaving the block ran the lifespan's shutdown, which delivered the queue.
    assert cio_analytics.stats().pending == 0

    kinds = [(m["type"], m.get("event") or m.get("name")) for m in cio_env.messages]
    assert sorted(kinds, key=str) == sorted(
        [
            ("identify", None),
            ("track", "Signed Up"),
            ("track", "Project Created"),
            ("page", "Pricing"),
        ],
        key=str,
    )
    (identify,) = cio_env.messages_of_type("identify")
    assert identify["userId"] == user_id
    assert identify["traits"] == {"email": "ada@example.com", "plan": "pro"}
    (page,) = cio_env.messages_of_type("page")
    assert page["anonymousId"] == "anon-42"
    assert page["context"]["page"] == {"path": "/pricing", "url": "http://testserver/pricing"}
    (project,) = cio_env.events("Project Created")
    assert project["userId"] == user_id  # from the request's scope
    for message in cio_env.messages:
        assert message["context"]["userAgent"] == "example-test/1.0"
        assert message["context"]["ip"] == "testclient"  # what Starlette's TestClient reports
    assert cio_env.rejections == []


def test_invalid_requests_send_nothing(cio_env: LocalServer, fastapi_app: ModuleType) -> None:
    """A bad email and a missing user are refused by the handlers and nothing is tracked."""
    with TestClient(fastapi_app.app) as client:
        assert client.post("/signup", json={"email": "nobody"}).status_code == 400
        assert client.post("/projects", json={}).status_code == 401
    assert cio_env.messages == []
