"""The pytest plugin: fixtures used directly, and loaded through the entry point by pytester."""

from __future__ import annotations

import pytest

from cio_analytics import Client
from cio_analytics.testing import LocalServer

pytest_plugins = ["pytester"]


def test_two_line_assertion(cio_client: Client, cio_server: LocalServer) -> None:
    """cio_client delivers to cio_server, so a test asserts what it sent in two lines."""
    cio_client.track("user_1", "Signed Up", {"plan": "pro"})
    cio_client.flush(timeout=10)
    assert cio_server.events("Signed Up")[0]["properties"] == {"plan": "pro"}


def test_cio_server_is_running_with_the_default_key(cio_server: LocalServer) -> None:
    """cio_server is started, on loopback, with the key "test-key"."""
    assert cio_server.running
    assert cio_server.url.startswith("http://127.0.0.1:")
    assert cio_server.write_key == "test-key"


def test_entry_point_loads_the_fixtures(pytester: pytest.Pytester) -> None:
    """An application's suite gets the fixtures with no setup; each server stops after its test."""
    pytester.makepyfile(
        test_app="""
        import httpx
        import pytest

        import cio_analytics

        URLS = []

        def signup(analytics, user_id):
            analytics.identify(user_id, {"email": "ada@example.com"})
            analytics.track(user_id, "Signed Up")

        def test_signup(cio_client, cio_server):
            URLS.append(cio_server.url)
            signup(cio_client, "u1")
            assert cio_client.flush(timeout=10)
            assert [m["type"] for m in cio_server.messages_for_user("u1")] == ["identify", "track"]
            assert cio_server.rejections == []

        def test_fresh_server_per_test(cio_server):
            assert cio_server.message_count == 0
            assert cio_server.url not in URLS

        def test_previous_server_is_stopped():
            with pytest.raises(httpx.ConnectError):
                httpx.get(URLS[0] + "/__cio__/stats", timeout=5)

        def test_capture(cio_capture):
            with cio_analytics.Client(write_key="k", transport=cio_capture) as client:
                client.track("u1", "Captured")
                assert client.flush(timeout=10)
            assert cio_capture.events("Captured")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=4)
