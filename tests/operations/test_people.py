"""People: identify with Customer.io's reserved traits, delete, suppress and unsuppress."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cio_analytics import Client, CustomerIOEvent
from cio_analytics.errors import ArgumentTypeError, MissingIdentityError
from cio_analytics.testing import LocalServer

from ._support import delivered, delivered_one, nothing_sent, wire


def test_identify_sends_reserved_traits_as_documented(
    cio_client: Client, cio_server: LocalServer
) -> None:
    """identify sends email, createdAt, unsubscribed and subscription preferences unchanged."""
    cio_client.identify(
        "user_1",
        {
            "email": "ada@example.com",
            "createdAt": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            "unsubscribed": False,
            "cio_subscription_preferences": {
                "topics": {"topic_1": True, "topic_2": False},
                "channels": {"email": True, "sms": False},
            },
            "cio_subscription_preferences.topics.topic_3": True,
        },
    )
    assert delivered_one(cio_client, cio_server) == {
        "type": "identify",
        "userId": "user_1",
        "traits": {
            "email": "ada@example.com",
            "createdAt": "2024-01-02T03:04:05Z",
            "unsubscribed": False,
            "cio_subscription_preferences": {
                "topics": {"topic_1": True, "topic_2": False},
                "channels": {"email": True, "sms": False},
            },
            "cio_subscription_preferences.topics.topic_3": True,
        },
    }


def test_identify_by_email_alone(cio_client: Client, cio_server: LocalServer) -> None:
    """An empty user_id with an email trait identifies the person by email, as documented."""
    cio_client.identify("", {"email": "ada@example.com"})
    assert delivered_one(cio_client, cio_server) == {
        "type": "identify",
        "userId": "",
        "traits": {"email": "ada@example.com"},
    }


@pytest.mark.parametrize(
    ("operation", "event"),
    [
        ("delete_user", CustomerIOEvent.USER_DELETED),
        ("suppress_user", CustomerIOEvent.USER_SUPPRESSED),
        ("unsuppress_user", CustomerIOEvent.USER_UNSUPPRESSED),
    ],
)
def test_person_operation_sends_its_semantic_event(
    cio_client: Client, cio_server: LocalServer, operation: str, event: str
) -> None:
    """Each person operation sends a track call with its event name and the userId."""
    message_id = getattr(cio_client, operation)("user_1")
    [message] = delivered(cio_client, cio_server)
    assert message["messageId"] == message_id
    assert {k: message[k] for k in ("type", "userId", "event")} == {
        "type": "track",
        "userId": "user_1",
        "event": event,
    }
    assert "properties" not in message
    assert "anonymousId" not in message


def test_person_operation_passes_properties_timestamp_and_ids(
    cio_client: Client, cio_server: LocalServer
) -> None:
    """Properties, timestamp, integrations and message_id reach the wire; an int id is a str."""
    when = dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=dt.UTC)
    cio_client.suppress_user(
        42,
        properties={"reason": "gdpr"},
        timestamp=when,
        integrations={"All": True},
        message_id="mid-1",
    )
    [message] = delivered(cio_client, cio_server)
    assert message["timestamp"] == "2024-05-06T07:08:09.123+00:00"
    assert message["messageId"] == "mid-1"
    assert wire(message) == {
        "type": "track",
        "userId": "42",
        "event": "User Suppressed",
        "properties": {"reason": "gdpr"},
        "integrations": {"All": True},
    }


@pytest.mark.parametrize("operation", ["delete_user", "suppress_user", "unsuppress_user"])
@pytest.mark.parametrize("user_id", [None, ""])
def test_person_operation_needs_a_user_id(
    cio_client: Client, cio_server: LocalServer, operation: str, user_id: Any
) -> None:
    """A missing or empty user_id raises MissingIdentityError naming user_id, and sends nothing."""
    with pytest.raises(MissingIdentityError) as info:
        getattr(cio_client, operation)(user_id)
    assert info.value.argument == "user_id"
    assert nothing_sent(cio_client, cio_server)


def test_person_operation_rejects_wrong_types(cio_client: Client, cio_server: LocalServer) -> None:
    """A user_id or properties of the wrong type raises ArgumentTypeError naming the argument."""
    with pytest.raises(ArgumentTypeError) as info:
        cio_client.delete_user(1.5)  # type: ignore[arg-type]
    assert info.value.argument == "user_id"
    with pytest.raises(ArgumentTypeError) as info:
        cio_client.delete_user("user_1", properties=["not", "a", "dict"])  # type: ignore[arg-type]
    assert info.value.argument == "properties"
    assert nothing_sent(cio_client, cio_server)
