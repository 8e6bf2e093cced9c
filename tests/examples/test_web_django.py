"""The Django example tracks inside the integration's request scope (Django's test client)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

import cio_analytics
from cio_analytics.testing import LocalServer

pytest.importorskip("django")

FLUSH_TIMEOUT = 5.0


@pytest.fixture
def django_app(load_example: Callable[[str, str], ModuleType]) -> ModuleType:
    """The example project (settings configured once per process, at import)."""
    return load_example("web", "django_app")


def test_views_track(cio_env: LocalServer, django_app: ModuleType) -> None:
    """Sign-up sends identify and "Signed Up"; an action and a page view follow for that user."""
    from django.test import Client

    client = Client(HTTP_USER_AGENT="example-test/1.0")
    response = client.post(
        "/signup", {"email": "ada@example.com", "plan": "pro"}, content_type="application/json"
    )
    assert response.status_code == 201
    user_id = response.json()["user_id"]
    assert client.post(
        "/projects", {"template": "kanban"}, content_type="application/json",
        headers={"X-User-Id": user_id},
    ).status_code == 201  # fmt: skip
    assert client.get("/pricing", headers={"X-User-Id": user_id}).status_code == 200
    assert cio_analytics.flush(timeout=FLUSH_TIMEOUT)

    messages = cio_env.messages_for_user(user_id)
    assert [(m["type"], m.get("event") or m.get("name")) for m in messages] == [
        ("identify", None),
        ("track", "Signed Up"),
        ("track", "Project Created"),
        ("page", "Pricing"),
    ]
    assert messages[0]["traits"] == {"email": "ada@example.com", "plan": "pro"}
    assert messages[3]["context"]["page"] == {
        "path": "/pricing",
        "url": "http://testserver/pricing",
    }
    for message in messages:  # the request's scope, not the view, gave these
        assert message["context"]["ip"] == "127.0.0.1"
        assert message["context"]["userAgent"] == "example-test/1.0"
    assert cio_env.rejections == []


def test_wrong_method_and_bad_input_send_nothing(
    cio_env: LocalServer, django_app: ModuleType
) -> None:
    """A GET on a POST view, a bad email and a missing user send nothing."""
    from django.test import Client

    client = Client()
    assert client.get("/signup").status_code == 405
    assert (
        client.post("/signup", {"email": "x"}, content_type="application/json").status_code == 400
    )
    assert client.post("/projects", {}, content_type="application/json").status_code == 401
    assert cio_analytics.flush(timeout=FLUSH_TIMEOUT)
    assert cio_env.messages == []
