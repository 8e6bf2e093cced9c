"""Mobile helpers: application lifecycle, campaign and location events, one per MobileEvent."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from cio_analytics import Client, MobileEvent, mobile
from cio_analytics._spec.table import SEMANTIC_EVENTS
from cio_analytics.errors import ArgumentTypeError
from cio_analytics.mobile import MobileEvents
from cio_analytics.testing import LocalServer

from ._support import delivered, delivered_one, nothing_sent

_COMMON = {"self", "user_id", "anonymous_id", "properties", "context", "timestamp",
           "integrations", "message_id"}  # fmt: skip


@pytest.mark.parametrize("event", list(MobileEvent), ids=lambda e: e.name)
def test_every_event_has_a_helper(event: MobileEvent) -> None:
    """Each MobileEvent has a method of the same name, and a module-level function."""
    name = event.name.lower()
    assert callable(getattr(MobileEvents, name))
    assert getattr(mobile, name) == getattr(mobile.default, name)
    assert name in mobile.__all__


@pytest.mark.parametrize("event", list(MobileEvent), ids=lambda e: e.name)
def test_helper_sends_its_event(
    cio_client: Client, cio_server: LocalServer, event: MobileEvent
) -> None:
    """Called with only a user, each helper sends a track call named after its event."""
    getattr(cio_client.mobile, event.name.lower())("user_1")
    assert delivered_one(cio_client, cio_server) == {
        "type": "track",
        "userId": "user_1",
        "event": event.value,
    }


@pytest.mark.parametrize("event", list(MobileEvent), ids=lambda e: e.name)
def test_documented_keys_are_keyword_only(event: MobileEvent) -> None:
    """Every documented property is a keyword-only argument with a None default and a check."""
    signature = inspect.signature(getattr(MobileEvents, event.name.lower()))
    for parameter in signature.parameters.values():
        if parameter.name in _COMMON:
            continue
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default is None
        assert parameter.name in {p.name for p in SEMANTIC_EVENTS[event].properties}


def test_lifecycle_payloads(cio_client: Client, cio_server: LocalServer) -> None:
    """Versions and builds are sent as strings; from_background stays a bool."""
    cio_client.mobile.application_updated(
        "user_1", previous_version="1.1.0", previous_build=1234, version="1.2.0", build=1456
    )
    cio_client.mobile.application_opened(
        "user_1", from_background=False, url="app://home", referring_application="Mail"
    )
    updated, opened = delivered(cio_client, cio_server, 2)
    assert updated["properties"] == {
        "previous_version": "1.1.0",
        "previous_build": "1234",
        "version": "1.2.0",
        "build": "1456",
    }
    assert opened["properties"] == {
        "from_background": False,
        "url": "app://home",
        "referring_application": "Mail",
    }


def test_campaign_and_location_payloads(cio_client: Client, cio_server: LocalServer) -> None:
    """Campaign objects and coordinates are sent as given."""
    campaign = {"medium": "Push", "source": "Customer.io", "name": "Welcome"}
    cio_client.mobile.push_notification_tapped("user_1", action="Open", campaign=campaign)
    cio_client.mobile.location_update("user_1", latitude=48.8566, longitude=2.3522)
    tapped, location = delivered(cio_client, cio_server, 2)
    assert tapped["event"] == "Push Notification Tapped"
    assert tapped["properties"] == {"action": "Open", "campaign": campaign}
    assert location["event"] == "Location Update"
    assert location["properties"] == {"latitude": 48.8566, "longitude": 2.3522}


@pytest.mark.parametrize(
    ("helper", "kwargs", "argument"),
    [
        ("application_opened", {"from_background": "no"}, "from_background"),
        ("application_installed", {"version": 1.2}, "version"),
        ("install_attributed", {"campaign": "spring"}, "campaign"),
        ("location_update", {"latitude": "48.8"}, "latitude"),
    ],
)
def test_wrong_types_are_refused_at_the_call(
    cio_client: Client, cio_server: LocalServer, helper: str, kwargs: dict[str, Any], argument: str
) -> None:
    """A documented argument of the wrong type raises ArgumentTypeError naming it."""
    with pytest.raises(ArgumentTypeError) as info:
        getattr(cio_client.mobile, helper)("user_1", **kwargs)
    assert info.value.argument == argument
    assert nothing_sent(cio_client, cio_server)


def test_module_level_helpers_use_the_default_client(
    default_client: Client, cio_server: LocalServer
) -> None:
    """cio_analytics.mobile.<helper> sends through the default client."""
    mobile.application_installed("user_1", version="1.2.3", build="1234")
    assert delivered_one(default_client, cio_server) == {
        "type": "track",
        "userId": "user_1",
        "event": "Application Installed",
        "properties": {"version": "1.2.3", "build": "1234"},
    }
