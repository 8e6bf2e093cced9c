"""Django: the app config and middleware, driven by Django's test clients in a process of its own.

Django's settings can be configured once per process, and the example app of
tests/examples configures its own; so the site here (``django_site/``: a
settings module, views, a driver) runs in a fresh interpreter, started the
way a deployment starts Django (``DJANGO_SETTINGS_MODULE``, ``django.setup()``,
``AppConfig.ready()``). That also tests the end of the process: the driver
exits without flushing, with an upload interval of a minute, so what arrives
was delivered by the library's exit hook, which the integration relies on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _integration_support import assert_exactly_once, kinds

from cio_analytics.testing import LocalServer

pytest.importorskip("django")

SITE = Path(__file__).resolve().parent / "django_site"
#: Seconds the driver may take: start Django, migrate a SQLite file, four requests, exit.
RUN_TIMEOUT = 120.0
AGENT = "integration-test/1.0"


def _drive(
    server: LocalServer, tmp_path: Path, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CUSTOMERIO_API_KEY": str(server.write_key),
        "CUSTOMERIO_HOST": server.url,
        "DJANGO_SETTINGS_MODULE": "settings",
        "CIO_TEST_DB": str(tmp_path / "db.sqlite3"),
        "PYTHONPATH": os.pathsep.join([str(SITE), os.environ.get("PYTHONPATH", "")]),
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, str(SITE / "drive.py")],
        cwd=SITE,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def test_requests_get_their_scope_and_arrive_at_process_exit(
    cio_server: LocalServer, tmp_path: Path
) -> None:
    """ip, userAgent, page and the signed-in user's pk (sync and async); once each, at exit."""
    result = _drive(cio_server, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "UNDELIVERED" not in result.stderr
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["statuses"] == {
        "anonymous": 200,
        "other_host": 200,
        "signed_in": 201,
        "async": 200,
    }
    assert report["pending"] == 5  # nothing was sent while the driver ran
    assert report["on_error_from_settings"] is True  # a dotted path in CIO_ANALYTICS
    # The library's own SIGTERM handler is in place: the integration installed none over it.
    assert report["library_sigterm_handler"] is True

    assert_exactly_once(cio_server, 5)
    assert kinds(cio_server) == [
        ("page", "Pricing"),
        ("page", "Pricing"),
        ("track", "Async Export"),
        ("track", "Invited"),
        ("track", "Project Created"),
    ]
    user_id = str(report["user_pk"])
    anonymous, other_host = cio_server.messages_of_type("page")
    assert "userId" not in anonymous
    assert anonymous["anonymousId"] == "anon-1"
    assert anonymous["context"]["ip"] == "192.0.2.10"
    assert anonymous["context"]["userAgent"] == AGENT
    assert anonymous["context"]["page"] == {
        "path": "/pricing",
        "url": "http://testserver/pricing",  # no query string
        "referrer": "https://ref.example/a",
    }
    assert other_host["context"]["page"] == {"path": "/pricing"}  # host not allowed: no url

    (project,) = cio_server.events("Project Created")
    assert project["userId"] == user_id
    assert project["context"]["ip"] == "203.0.113.7"  # one trusted proxy, from settings
    assert project["context"]["page"]["path"] == "/projects"

    (invited,) = cio_server.events("Invited")
    assert invited["userId"] == "someone-else"
    assert invited["context"]["ip"] == "198.51.100.9"
    assert invited["context"]["page"] == {"path": "/given"}
    assert invited["context"]["userAgent"] == AGENT

    (export,) = cio_server.events("Async Export")
    assert export["userId"] == user_id
    assert export["context"]["page"]["path"] == "/export"


def test_an_unknown_setting_stops_django_at_start_up(
    cio_server: LocalServer, tmp_path: Path
) -> None:
    """A misspelt key in CIO_ANALYTICS raises ImproperlyConfigured from AppConfig.ready()."""
    result = _drive(cio_server, tmp_path, CIO_TEST_BAD_SETTING="1")
    assert result.returncode != 0
    assert "ImproperlyConfigured: CIO_ANALYTICS: unknown setting 'uplaod_interval'" in (
        result.stderr
    )
    assert cio_server.messages == []
