"""What the integrations share: no framework imported at import, request fields, settings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import cio_analytics
from cio_analytics.errors import ConfigurationError
from cio_analytics.integrations._request import (
    apply_settings,
    client_ip,
    request_fields,
    trusted_proxy_count,
    without_query,
)

FRAMEWORKS = ("django", "flask", "celery", "kombu", "starlette", "fastapi", "werkzeug")


def test_importing_the_package_imports_no_framework() -> None:
    """``cio_analytics``, the integrations package, asgi and aws_lambda import no framework."""
    code = (
        "import json, sys\n"
        "import cio_analytics, cio_analytics.integrations\n"
        "import cio_analytics.integrations.asgi, cio_analytics.integrations.aws_lambda\n"
        f"print(json.dumps([m for m in {FRAMEWORKS!r} if m in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout) == []


def test_client_ip_reads_forwarded_for_only_behind_trusted_proxies() -> None:
    """The n-th address from the right behind n proxies; the peer otherwise or when too short."""
    header = ["198.51.100.1, 203.0.113.5", "203.0.113.9"]  # two headers, joined in order
    assert client_ip("192.0.2.1", header, 0) == "192.0.2.1"
    assert client_ip("192.0.2.1", header, 1) == "203.0.113.9"
    assert client_ip("192.0.2.1", header, 3) == "198.51.100.1"
    assert client_ip("192.0.2.1", header, 4) == "192.0.2.1"
    assert client_ip(None, [], 1) is None


def test_request_fields_leave_out_queries_and_unknowns() -> None:
    """Query strings and fragments never reach context.page; empty values are left out."""
    assert without_query("/a?token=1#top") == "/a"
    assert without_query("") is None
    fields = request_fields(
        peer="192.0.2.1",
        forwarded_for=[],
        trusted_proxies=0,
        user_agent="",
        path="/a?x=1",
        url="https://example.com/a?x=1",
        referrer=None,
    )
    assert fields == {"ip": "192.0.2.1", "page": {"path": "/a", "url": "https://example.com/a"}}


def test_trusted_proxies_must_be_a_count() -> None:
    """True means one proxy; negative numbers and other types are refused."""
    assert trusted_proxy_count(True) == 1
    assert trusted_proxy_count(2) == 2
    for bad in (-1, "1", 1.0):
        with pytest.raises(ConfigurationError, match="trusted_proxies"):
            trusted_proxy_count(bad)


def _failure_report(error: BaseException, messages: list[dict[str, object]]) -> None:
    """An ``on_error`` named by its dotted path in the test below."""


def test_apply_settings_configures_the_library_and_returns_the_options() -> None:
    """Library settings are applied (dotted paths imported); integration options come back."""
    options = apply_settings(
        {
            "upload_size": 11,
            "on_error": f"{__name__}._failure_report",
            "trusted_proxies": 1,
            "request_user": False,
        },
        source="CIO_ANALYTICS",
    )
    assert options == {"trusted_proxies": 1, "request_user": False}
    assert cio_analytics.upload_size == 11
    assert cio_analytics.on_error is _failure_report
    with pytest.raises(ConfigurationError, match=r"cannot import 'nowhere\.at_all'"):
        apply_settings({"on_error": "nowhere.at_all"}, source="CIO_ANALYTICS")
    with pytest.raises(ConfigurationError, match="must be a dict"):
        apply_settings(["upload_size"], source="CIO_ANALYTICS")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="request_user"):
        apply_settings({"request_user": "yes"}, source="CIO_ANALYTICS")
    with pytest.raises(ConfigurationError, match="unknown setting 'request_user'"):
        apply_settings({"request_user": True}, source="FLASK", options=frozenset())
