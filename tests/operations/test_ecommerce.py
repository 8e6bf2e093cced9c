"""E-commerce helpers: one per EcommerceEvent, documented keys as keyword arguments."""

from __future__ import annotations

import decimal
import inspect
from typing import Any

import pytest

from cio_analytics import Client, EcommerceEvent, ecommerce
from cio_analytics._spec.table import SEMANTIC_EVENTS
from cio_analytics.ecommerce import EcommerceEvents
from cio_analytics.errors import ArgumentTypeError
from cio_analytics.testing import LocalServer

from ._support import delivered, delivered_one, nothing_sent

_COMMON = {"self", "user_id", "anonymous_id", "properties", "context", "timestamp",
           "integrations", "message_id"}  # fmt: skip


@pytest.mark.parametrize("event", list(EcommerceEvent), ids=lambda e: e.name)
def test_every_event_has_a_helper(event: EcommerceEvent) -> None:
    """Each EcommerceEvent has a method of the same name, and a module-level function."""
    name = event.name.lower()
    assert callable(getattr(EcommerceEvents, name))
    assert getattr(ecommerce, name) == getattr(ecommerce.default, name)
    assert name in ecommerce.__all__


@pytest.mark.parametrize("event", list(EcommerceEvent), ids=lambda e: e.name)
def test_helper_sends_its_event(
    cio_client: Client, cio_server: LocalServer, event: EcommerceEvent
) -> None:
    """Called with only a user, each helper sends a track call named after its event."""
    message_id = getattr(cio_client.ecommerce, event.name.lower())("user_1")
    [message] = delivered(cio_client, cio_server)
    assert message["messageId"] == message_id
    assert message["event"] == event.value
    assert message["userId"] == "user_1"
    assert "properties" not in message


@pytest.mark.parametrize("event", list(EcommerceEvent), ids=lambda e: e.name)
def test_documented_keys_are_keyword_only(event: EcommerceEvent) -> None:
    """Every documented property is a keyword-only argument with a None default and a check."""
    signature = inspect.signature(getattr(EcommerceEvents, event.name.lower()))
    documented = [p for p in signature.parameters.values() if p.name not in _COMMON]
    assert documented, "each e-commerce event documents at least one property"
    for parameter in documented:
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default is None
        assert parameter.name in {p.name for p in SEMANTIC_EVENTS[event].properties}


def test_order_completed_payload(cio_client: Client, cio_server: LocalServer) -> None:
    """order_completed sends the documented keys, extra properties, and no None values."""
    cio_client.ecommerce.order_completed(
        "user_1",
        order_id=1001,
        checkout_id="k-1",
        total=decimal.Decimal("42.50"),
        revenue=40,
        currency="USD",
        coupon=None,
        products=[
            {"product_id": "p-1", "sku": "G-32", "price": 18.99, "quantity": 2},
            {"product_id": "p-2", "name": "Uno", "price": 4.52, "quantity": 1},
        ],
        properties={"channel": "web", "currency": "EUR"},
    )
    assert delivered_one(cio_client, cio_server) == {
        "type": "track",
        "userId": "user_1",
        "event": "Order Completed",
        "properties": {
            "channel": "web",
            "currency": "USD",
            "order_id": "1001",
            "checkout_id": "k-1",
            "total": 42.5,
            "revenue": 40,
            "products": [
                {"product_id": "p-1", "sku": "G-32", "price": 18.99, "quantity": 2},
                {"product_id": "p-2", "name": "Uno", "price": 4.52, "quantity": 1},
            ],
        },
    }


def test_product_and_promotion_payloads(cio_client: Client, cio_server: LocalServer) -> None:
    """Product keys are flat properties; a promotion's position is a string."""
    cio_client.ecommerce.product_added(
        anonymous_id="anon_1", cart_id="c-1", product_id="p-1", price=9.5, quantity=1, position=3
    )
    cio_client.ecommerce.promotion_viewed(
        "user_1", promotion_id="promo_1", name="Spring sale", position="home_banner_top"
    )
    cio_client.ecommerce.products_searched("user_1", query={"text": "roses", "color": "blue"})
    added, promotion, search = delivered(cio_client, cio_server, 3)
    assert added["anonymousId"] == "anon_1"
    assert added["properties"] == {
        "cart_id": "c-1", "product_id": "p-1", "price": 9.5, "quantity": 1, "position": 3,
    }  # fmt: skip
    assert promotion["properties"] == {
        "promotion_id": "promo_1", "name": "Spring sale", "position": "home_banner_top",
    }  # fmt: skip
    assert search["properties"] == {"query": {"text": "roses", "color": "blue"}}


def test_list_filtered_payload(cio_client: Client, cio_server: LocalServer) -> None:
    """Filters and sorts are lists of {type, value} objects, sent in order."""
    cio_client.ecommerce.product_list_filtered(
        "user_1",
        list_id="deals",
        filters=[{"type": "price", "value": "under-25"}],
        sorts=({"type": "price", "value": "desc"},),
    )
    assert delivered_one(cio_client, cio_server)["properties"] == {
        "list_id": "deals",
        "filters": [{"type": "price", "value": "under-25"}],
        "sorts": [{"type": "price", "value": "desc"}],
    }


@pytest.mark.parametrize(
    ("helper", "kwargs", "argument"),
    [
        ("order_completed", {"total": "42"}, "total"),
        ("order_completed", {"total": True}, "total"),
        ("order_completed", {"products": "p-1"}, "products"),
        ("order_completed", {"products": [1]}, "products"),
        ("order_completed", {"products": {"product_id": "p"}}, "products"),
        ("order_completed", {"order_id": 1.5}, "order_id"),
        ("checkout_step_viewed", {"step": "2"}, "step"),
        ("product_viewed", {"currency": 840}, "currency"),
        ("products_searched", {"query": 5}, "query"),
        ("product_reviewed", {"rating": [5]}, "rating"),
        ("promotion_viewed", {"position": 3}, "position"),  # a promotion's position is a str
        ("product_added", {"position": "3"}, "position"),  # a product's is an int
        ("product_clicked", {"position": 2.5}, "position"),
        ("cart_viewed", {"properties": ["x"]}, "properties"),
    ],
)
def test_wrong_types_are_refused_at_the_call(
    cio_client: Client, cio_server: LocalServer, helper: str, kwargs: dict[str, Any], argument: str
) -> None:
    """A documented argument of the wrong type raises ArgumentTypeError naming it."""
    with pytest.raises(ArgumentTypeError) as info:
        getattr(cio_client.ecommerce, helper)("user_1", **kwargs)
    assert info.value.argument == argument
    assert nothing_sent(cio_client, cio_server)


def test_module_level_helpers_use_the_default_client(
    default_client: Client, cio_server: LocalServer
) -> None:
    """cio_analytics.ecommerce.<helper> sends through the default client."""
    ecommerce.checkout_started("user_1", order_id="o-1", value=30, currency="USD")
    assert delivered_one(default_client, cio_server) == {
        "type": "track",
        "userId": "user_1",
        "event": "Checkout Started",
        "properties": {"order_id": "o-1", "value": 30, "currency": "USD"},
    }
