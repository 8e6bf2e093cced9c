"""A few sends to the real Customer.io API; skipped unless CUSTOMERIO_API_KEY is set.

Each test uses fresh random ids and deletes what it created. Run with::

    CUSTOMERIO_API_KEY=... [CUSTOMERIO_REGION=eu] .venv/bin/pytest tests/integration -m integration
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from cio_analytics import Client

# Read at import: the suite's autouse fixture removes the variables around each test.
API_KEY = os.environ.get("CUSTOMERIO_API_KEY")
REGION = os.environ.get("CUSTOMERIO_REGION") or None
HOST = os.environ.get("CUSTOMERIO_HOST") or None

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not API_KEY, reason="needs CUSTOMERIO_API_KEY (the real API)"),
]


@pytest.fixture
def client() -> Iterator[Client]:
    """A client for the real API that sends each call before returning (errors raise)."""
    with Client(write_key=API_KEY, region=REGION, host=HOST, sync_mode=True, timeout=30) as client:
        yield client


@pytest.fixture
def user_id(client: Client) -> Iterator[str]:
    """A new person's id, identified first and deleted afterwards."""
    uid = f"cio-analytics-test-{uuid.uuid4()}"
    client.identify(uid, {"email": f"{uid}@example.com", "cio_analytics_test": True})
    yield uid
    client.delete_user(uid)


def test_people_and_events_are_accepted(client: Client, user_id: str) -> None:
    """identify, track, suppress and unsuppress are accepted by the real API in strict mode."""
    client.track(user_id, "cio-analytics integration test", {"n": 1})
    client.ecommerce.order_completed(user_id, order_id=str(uuid.uuid4()), total=1.0)
    client.suppress_user(user_id)
    client.unsuppress_user(user_id)
    assert client.stats().failed == 0


def test_devices_are_accepted(client: Client, user_id: str) -> None:
    """A device can be added and deleted."""
    token = f"test-token-{uuid.uuid4()}"
    client.add_device(user_id, token, "android", {"app_version": "0.0.0"})
    client.delete_device(user_id, token, "android")
    assert client.stats().failed == 0


def test_objects_and_relationships_are_accepted(client: Client, user_id: str) -> None:
    """An object can be created with a relationship, unrelated and deleted."""
    object_id = f"cio-analytics-test-{uuid.uuid4()}"
    client.create_object(
        object_id, {"name": "Test object"}, user_id=user_id,
        relationship_attributes={"role": "tester"},
    )  # fmt: skip
    client.delete_relationship(user_id, object_id)
    client.delete_object(object_id)
    assert client.stats().failed == 0


def test_send_batch_is_accepted(client: Client, user_id: str) -> None:
    """A bulk send delivers every entry."""
    result = client.send_batch(
        [
            ("track", {"user_id": user_id, "event": "cio-analytics bulk test"}),
            {"type": "identify", "userId": user_id, "traits": {"bulk": True}},
        ]
    )
    assert result.ok, result.failed
    assert result.delivered == 2
