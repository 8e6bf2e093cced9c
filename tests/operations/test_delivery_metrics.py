"""Message metrics: Report Delivery Event and Report Content Event."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from cio_analytics import Client, ContentAction, DeliveryMetric
from cio_analytics.errors import ArgumentTypeError, ValidationError
from cio_analytics.testing import LocalServer

from ._support import delivered, delivered_one, nothing_sent


def test_report_delivery_event_sends_every_documented_property(
    cio_client: Client, cio_server: LocalServer
) -> None:
    """All documented properties are sent with their camelCase wire names."""
    cio_client.report_delivery_event(
        "dlv_1", "clicked", recipient="apns-token", reason="n/a",
        href="https://example.com/a", action_value="Buy",
    )  # fmt: skip
    message = delivered_one(cio_client, cio_server)
    assert uuid.UUID(message.pop("anonymousId")).version == 4
    assert message == {
        "type": "track",
        "event": "Report Delivery Event",
        "properties": {
            "deliveryId": "dlv_1",
            "metric": "clicked",
            "recipient": "apns-token",
            "reason": "n/a",
            "href": "https://example.com/a",
            "actionValue": "Buy",
        },
    }


@pytest.mark.parametrize("metric", list(DeliveryMetric))
def test_every_documented_metric_is_accepted(
    cio_client: Client, cio_server: LocalServer, metric: DeliveryMetric
) -> None:
    """Each documented metric passes the server's strict validation."""
    cio_client.report_delivery_event("dlv_1", metric)
    assert delivered_one(cio_client, cio_server)["properties"] == {
        "deliveryId": "dlv_1",
        "metric": metric.value,
    }


def test_metric_case_and_identity(cio_client: Client, cio_server: LocalServer) -> None:
    """A metric in any case is sent in lower case; a given user_id replaces the anonymousId."""
    cio_client.report_delivery_event(123, "OPENED", user_id="user_1", properties={"x": 1})
    assert delivered_one(cio_client, cio_server) == {
        "type": "track",
        "userId": "user_1",
        "event": "Report Delivery Event",
        "properties": {"x": 1, "deliveryId": "123", "metric": "opened"},
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "argument"),
    [
        ({"metric": "bounced"}, ValidationError, "metric"),
        ({"metric": 1}, ArgumentTypeError, "metric"),
        ({"delivery_id": ""}, ValidationError, "delivery_id"),
        ({"delivery_id": None}, ValidationError, "delivery_id"),
        ({"delivery_id": 1.5}, ArgumentTypeError, "delivery_id"),
        ({"href": 5}, ArgumentTypeError, "href"),
        ({"recipient": ["a"]}, ArgumentTypeError, "recipient"),
        ({"properties": "x"}, ArgumentTypeError, "properties"),
    ],
)
def test_report_delivery_event_argument_errors(
    cio_client: Client,
    cio_server: LocalServer,
    kwargs: dict[str, Any],
    error: type[Exception],
    argument: str,
) -> None:
    """Each bad argument raises its error class naming the argument, and nothing is sent."""
    arguments: dict[str, Any] = {"delivery_id": "dlv_1", "metric": "opened", **kwargs}
    with pytest.raises(error) as info:
        cio_client.report_delivery_event(**arguments)
    assert info.value.argument == argument  # type: ignore[attr-defined]
    assert nothing_sent(cio_client, cio_server)


def test_unknown_metric_error_lists_the_documented_values(cio_client: Client) -> None:
    """The error for an unknown metric names the values that are accepted."""
    with pytest.raises(ValidationError, match="'delivered', 'opened', 'clicked', 'converted'"):
        cio_client.report_delivery_event("dlv_1", "bounced")


def test_report_content_event(cio_client: Client, cio_server: LocalServer) -> None:
    """Report Content Event sends actionType and integer contentId/templateId."""
    cio_client.report_content_event(
        ContentAction.CLICKED, content_id="12", template_id=7, anonymous_id="visitor_1"
    )
    cio_client.report_content_event("viewed_content", 13)
    clicked, viewed = delivered(cio_client, cio_server, 2)
    assert clicked["anonymousId"] == "visitor_1"
    assert clicked["event"] == "Report Content Event"
    assert clicked["properties"] == {
        "actionType": "clicked_content",
        "contentId": 12,
        "templateId": 7,
    }
    assert viewed["properties"] == {"actionType": "viewed_content", "contentId": 13}
    assert uuid.UUID(viewed["anonymousId"]).version == 4


@pytest.mark.parametrize(
    ("kwargs", "error", "argument"),
    [
        ({"action_type": "viewed"}, ValidationError, "action_type"),
        ({"action_type": None}, ArgumentTypeError, "action_type"),
        ({"content_id": "twelve"}, ValidationError, "content_id"),
        ({"template_id": 1.5}, ArgumentTypeError, "template_id"),
    ],
)
def test_report_content_event_argument_errors(
    cio_client: Client,
    cio_server: LocalServer,
    kwargs: dict[str, Any],
    error: type[Exception],
    argument: str,
) -> None:
    """Each bad argument raises its error class naming the argument, and nothing is sent."""
    arguments: dict[str, Any] = {"action_type": "viewed_content", "content_id": 1, **kwargs}
    with pytest.raises(error) as info:
        cio_client.report_content_event(**arguments)
    assert info.value.argument == argument  # type: ignore[attr-defined]
    assert nothing_sent(cio_client, cio_server)
