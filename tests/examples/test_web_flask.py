"""The Flask example tracks from its handlers, inside the extension's request scope."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

import cio_analytics
from cio_analytics.testing import LocalServer

pytest.importorskip("flask")

FLUSH_TIMEOUT = 5.0


@pytest.fixture
def flask_app(load_example: Callable[[str, str], ModuleType]) -> ModuleType:
    """The example module (its ``app`` is built at import)."""
    return load_example("web", "flask_app")


def test_signup_identifies_and_tracks(cio_env: LocalServer, flask_app: ModuleType) -> None:
    """A sign-up sends identify with the email and plan, then "Signed Up", with the request's IP."""
    client = flask_app.create_app().test_client()
    response = client.post(
        "/signup",
        json={"email": "ada@example.com", "plan": "pro"},
        headers={"User-Agent": "example-test/1.0"},
    )
    assert response.status_code == 201
    user_id = response.get_json()["user_id"]
    assert cio_analytics.flush(timeout=FLUSH_TIMEOUT)

    identify, track = cio_env.messages_for_user(user_id)
    assert identify["type"] == "identify"
    assert identify["traits"] == {"email": "ada@example.com", "plan": "pro"}
    assert track["event"] == "Signed Up"
    assert track["properties"] == {"plan": "pro"}
    for message in (identify, track):  # the request's scope, not the handler, gave these
        assert message["context"]["ip"] == "127.0.0.1"
        assert message["context"]["userAgent"] == "example-test/1.0"
        assert message["context"]["page"]["path"] == "/signup"
    assert cio_env.rejections == []


def test_action_and_page_view(cio_env: LocalServer, flask_app: ModuleType) -> None:
    """A signed-in action gets the user from the scope; a page view works for anonymous visitors."""
    client = flask_app.create_app().test_client()
    assert (
        client.post(
            "/projects", json={"template": "kanban"}, headers={"X-User-Id": "u7"}
        ).status_code
        == 201
    )
    client.set_cookie("anon_id", "anon-42")
    assert client.get("/pricing").status_code == 200
    assert cio_analytics.flush(timeout=FLUSH_TIMEOUT)

    (project,) = cio_env.events("Project Created")
    assert project["userId"] == "u7"
    assert project["properties"]["template"] == "kanban"
    (page,) = cio_env.messages_of_type("page")
    assert page["anonymousId"] == "anon-42"
    assert page["name"] == "Pricing"
    assert "userId" not in page
    assert page["context"]["page"] == {"path": "/pricing", "url": "http://localhost/pricing"}


def test_bad_signup_sends_nothing(cio_env: LocalServer, flask_app: ModuleType) -> None:
    """A sign-up without a valid email is refused and nothing is tracked."""
    client = flask_app.create_app().test_client()
    assert client.post("/signup", json={"plan": "pro"}).status_code == 400
    assert client.post("/projects", json={}).status_code == 401
    assert cio_analytics.flush(timeout=FLUSH_TIMEOUT)
    assert cio_env.messages == []
