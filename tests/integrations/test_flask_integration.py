"""Flask: the extension's request scope, driven by Flask's test client against the local server."""

from __future__ import annotations

import pytest
from _integration_support import assert_exactly_once, kinds

import cio_analytics
from cio_analytics._wire.scope import current
from cio_analytics.errors import ConfigurationError
from cio_analytics.testing import LocalServer

pytest.importorskip("flask")
from flask import Flask, request

from cio_analytics.integrations.flask import CioAnalytics

FLUSH_TIMEOUT = 5.0
#: The proxy's address (a documentation range, never dialled), and what it forwards.
PROXY = {"REMOTE_ADDR": "192.0.2.10"}
AGENT = "integration-test/1.0"


def _create_app(config: dict[str, object] | None = None) -> Flask:
    """An app factory, the way Flask extensions are meant to be used."""
    app = Flask(__name__)
    app.config["CIO_ANALYTICS"] = config if config is not None else {"trusted_proxies": 1}
    analytics = CioAnalytics(user_id=lambda req: req.headers.get("X-User-Id"))
    analytics.init_app(app)

    @app.before_request
    def count_visit() -> None:  # the app's own hook runs inside the scope too
        if request.path == "/pricing":
            cio_analytics.track(event="Visit Counted", anonymous_id="anon-3")

    @app.post("/projects")
    def create_project() -> dict[str, str]:
        cio_analytics.track(event="Project Created", properties={"template": "kanban"})
        cio_analytics.track(
            "someone-else", "Invited", context={"ip": "198.51.100.9", "page": {"path": "/given"}}
        )
        return {"ok": "yes"}

    @app.get("/pricing")
    def pricing() -> str:
        cio_analytics.page(anonymous_id="anon-3", name="Pricing")
        return "<h1>Pricing</h1>"

    @app.get("/broken")
    def broken() -> str:
        cio_analytics.track(event="Before Failure")
        raise RuntimeError("view failed")

    return app


def test_requests_get_their_scope_and_explicit_arguments_win(cio_env: LocalServer) -> None:
    """ip (behind one proxy), userAgent, page and the user id; a call's own values override."""
    client = _create_app().test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.66, 203.0.113.7", "User-Agent": AGENT}
    response = client.post(
        "/projects", headers={**forwarded, "X-User-Id": "u-1"}, environ_base=PROXY
    )
    assert response.status_code == 200
    assert current() is None  # the teardown closed the scope
    assert client.get("/pricing?ref=mail", headers=forwarded, environ_base=PROXY).status_code == 200
    assert cio_analytics.flush(timeout=FLUSH_TIMEOUT)

    assert_exactly_once(cio_env, 4)
    assert kinds(cio_env) == [
        ("page", "Pricing"),
        ("track", "Invited"),
        ("track", "Project Created"),
        ("track", "Visit Counted"),
    ]
    (project,) = cio_env.events("Project Created")
    assert project["userId"] == "u-1"
    assert project["context"]["ip"] == "203.0.113.7"
    assert project["context"]["userAgent"] == AGENT
    assert project["context"]["page"] == {"path": "/projects", "url": "http://localhost/projects"}

    (invited,) = cio_env.events("Invited")
    assert invited["userId"] == "someone-else"
    assert invited["context"]["ip"] == "198.51.100.9"
    assert invited["context"]["page"] == {"path": "/given"}
    assert invited["context"]["userAgent"] == AGENT

    (visit,) = cio_env.events("Visit Counted")
    (page,) = cio_env.messages_of_type("page")
    for message in (visit, page):
        assert message["anonymousId"] == "anon-3"
        assert "userId" not in message
        assert message["context"]["page"]["path"] == "/pricing"  # no query string


def test_forwarded_for_is_ignored_without_trusted_proxies(cio_env: LocalServer) -> None:
    """With no proxy configured the header is the client's word: the connection's address wins."""
    client = _create_app(config={}).test_client()
    headers = {"X-Forwarded-For": "203.0.113.66", "X-User-Id": "u-1"}
    assert client.post("/projects", headers=headers, environ_base=PROXY).status_code == 200
    assert cio_analytics.flush(timeout=FLUSH_TIMEOUT)
    (project,) = cio_env.events("Project Created")
    assert project["context"]["ip"] == "192.0.2.10"


def test_the_scope_closes_when_a_view_raises(cio_env: LocalServer) -> None:
    """A failing view gets a 500; what it tracked first is sent, and no scope is left open."""
    client = _create_app().test_client()
    assert client.get("/broken", headers={"X-User-Id": "u-5"}).status_code == 500
    assert current() is None
    assert cio_analytics.flush(timeout=FLUSH_TIMEOUT)
    (event,) = cio_env.events("Before Failure")
    assert event["userId"] == "u-5"
    assert_exactly_once(cio_env, 1)


def test_config_is_applied_and_checked(cio_env: LocalServer) -> None:
    """app.config["CIO_ANALYTICS"] sets the library's settings; an unknown key fails init_app."""
    _create_app(config={"upload_size": 7, "trusted_proxies": 0})
    assert cio_analytics.get_client().settings.upload_size == 7
    with pytest.raises(ConfigurationError, match="unknown setting 'uplaod_size'"):
        _create_app(config={"uplaod_size": 7})
    with pytest.raises(ConfigurationError, match="trusted_proxies"):
        _create_app(config={"trusted_proxies": -1})


def test_init_app_twice_opens_one_scope(cio_env: LocalServer) -> None:
    """Setting an app up again changes its options, not the number of scopes per request."""
    app = _create_app()
    CioAnalytics(app, trusted_proxies=0, user_id=lambda req: "u-second")
    client = app.test_client()
    headers = {"X-Forwarded-For": "203.0.113.66", "X-User-Id": "u-1"}
    assert client.post("/projects", headers=headers, environ_base=PROXY).status_code == 200
    assert current() is None
    assert cio_analytics.flush(timeout=FLUSH_TIMEOUT)
    (project,) = cio_env.events("Project Created")
    assert project["context"]["ip"] == "192.0.2.10"  # the second set-up's trusted_proxies=0
    assert project["userId"] == "u-second"  # ... and its user_id function
