"""Devices: add_device and delete_device put the token in context.device."""

from __future__ import annotations

from typing import Any

import pytest

from cio_analytics import Client, DeviceType
from cio_analytics.errors import ArgumentTypeError, MissingIdentityError, ValidationError
from cio_analytics.testing import LocalServer

from ._support import delivered, delivered_one, nothing_sent


def test_add_device_defaults_to_ios(cio_client: Client, cio_server: LocalServer) -> None:
    """add_device sends "Device Created or Updated" with context.device token and type ios."""
    cio_client.add_device("user_1", "apns-token")
    assert delivered_one(cio_client, cio_server) == {
        "type": "track",
        "userId": "user_1",
        "event": "Device Created or Updated",
        "context": {"device": {"token": "apns-token", "type": "ios"}},
    }


def test_add_device_sends_attributes_as_properties(
    cio_client: Client, cio_server: LocalServer
) -> None:
    """Device attributes become the event properties; the type is normalised to lower case."""
    cio_client.add_device("user_1", "fcm-token", "Android", {"app_version": "2.1.0"})
    assert delivered_one(cio_client, cio_server) == {
        "type": "track",
        "userId": "user_1",
        "event": "Device Created or Updated",
        "properties": {"app_version": "2.1.0"},
        "context": {"device": {"token": "fcm-token", "type": "android"}},
    }


def test_add_device_merges_the_callers_context(cio_client: Client, cio_server: LocalServer) -> None:
    """The caller's context and context.device keys are kept next to token and type."""
    context = {"ip": "203.0.113.5", "device": {"model": "Pixel 8", "token": "stale"}}
    cio_client.add_device("user_1", "fresh", DeviceType.ANDROID, context=context)
    assert delivered_one(cio_client, cio_server)["context"] == {
        "ip": "203.0.113.5",
        "device": {"model": "Pixel 8", "token": "fresh", "type": "android"},
    }
    assert context["device"] == {"model": "Pixel 8", "token": "stale"}  # not mutated


def test_delete_device_sends_token_and_optional_type(
    cio_client: Client, cio_server: LocalServer
) -> None:
    """delete_device sends "Device Deleted" with the token, and the type only when given."""
    cio_client.delete_device("user_1", "token-a")
    cio_client.delete_device("user_1", "token-b", "ios")
    first, second = delivered(cio_client, cio_server, 2)
    assert first["event"] == second["event"] == "Device Deleted"
    assert first["userId"] == second["userId"] == "user_1"
    assert first["context"]["device"] == {"token": "token-a"}
    assert second["context"]["device"] == {"token": "token-b", "type": "ios"}
    assert "properties" not in first


@pytest.mark.parametrize("device_type", ["windows", "", "iPhone"])
def test_unknown_device_type_is_a_validation_error(
    cio_client: Client, cio_server: LocalServer, device_type: str
) -> None:
    """A device type other than ios/android raises ValidationError naming device_type."""
    with pytest.raises(ValidationError, match="'ios', 'android'") as info:
        cio_client.add_device("user_1", "token", device_type)
    assert info.value.argument == "device_type"
    with pytest.raises(ValidationError) as info:
        cio_client.delete_device("user_1", "token", device_type)
    assert info.value.argument == "device_type"
    assert nothing_sent(cio_client, cio_server)


@pytest.mark.parametrize(
    ("kwargs", "error", "argument"),
    [
        ({"token": ""}, ValidationError, "token"),
        ({"token": None}, ValidationError, "token"),
        ({"token": 123}, ArgumentTypeError, "token"),
        ({"device_type": 3}, ArgumentTypeError, "device_type"),
        ({"attributes": ["x"]}, ArgumentTypeError, "attributes"),
        ({"context": {"device": "phone"}}, ArgumentTypeError, "context"),
        ({"context": "ctx"}, ArgumentTypeError, "context"),
        ({"user_id": None}, MissingIdentityError, "user_id"),
    ],
)
def test_add_device_argument_errors(
    cio_client: Client,
    cio_server: LocalServer,
    kwargs: dict[str, Any],
    error: type[Exception],
    argument: str,
) -> None:
    """Each bad argument raises its error class naming the argument, and nothing is sent."""
    arguments: dict[str, Any] = {"user_id": "user_1", "token": "token", **kwargs}
    with pytest.raises(error) as info:
        cio_client.add_device(**arguments)
    assert info.value.argument == argument  # type: ignore[attr-defined]
    assert nothing_sent(cio_client, cio_server)
