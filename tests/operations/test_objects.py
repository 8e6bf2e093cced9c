"""Objects and relationships: group calls with objectTypeId, and the two delete events."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from cio_analytics import Client
from cio_analytics.errors import ArgumentTypeError, MissingIdentityError, ValidationError
from cio_analytics.testing import LocalServer

from ._support import delivered, delivered_one, nothing_sent, wire


def test_group_sends_object_type_and_relationship_attributes(
    cio_client: Client, cio_server: LocalServer
) -> None:
    """group() puts object_type_id (a string) and relationship_attributes in the traits."""
    cio_client.group(
        "user_1", "acme", {"name": "Acme"}, object_type_id=2,
        relationship_attributes={"role": "admin"},
    )  # fmt: skip
    assert delivered_one(cio_client, cio_server) == {
        "type": "group",
        "userId": "user_1",
        "groupId": "acme",
        "traits": {
            "name": "Acme",
            "objectTypeId": "2",
            "relationshipAttributes": {"role": "admin"},
        },
    }


def test_create_object_with_a_person(cio_client: Client, cio_server: LocalServer) -> None:
    """create_object with user_id relates the person, with the default object type "1"."""
    cio_client.create_object(
        "acme", {"name": "Acme", "plan": "pro"}, user_id="user_1",
        relationship_attributes={"role": "owner"},
    )  # fmt: skip
    assert delivered_one(cio_client, cio_server) == {
        "type": "group",
        "userId": "user_1",
        "groupId": "acme",
        "traits": {
            "name": "Acme",
            "plan": "pro",
            "objectTypeId": "1",
            "relationshipAttributes": {"role": "owner"},
        },
    }


def test_create_object_without_a_person(cio_client: Client, cio_server: LocalServer) -> None:
    """create_object without a person sends a group call with neither userId nor anonymousId."""
    cio_client.create_object(1234, {"name": "Acme"}, object_type_id="3")
    assert delivered_one(cio_client, cio_server) == {
        "type": "group",
        "groupId": "1234",
        "traits": {"name": "Acme", "objectTypeId": "3"},
    }


def test_update_object_is_the_same_upsert(cio_client: Client, cio_server: LocalServer) -> None:
    """update_object sends exactly what create_object sends."""
    cio_client.create_object("acme", {"plan": "pro"}, object_type_id=2, anonymous_id="anon_1")
    cio_client.update_object("acme", {"plan": "pro"}, object_type_id=2, anonymous_id="anon_1")
    first, second = (wire(m) for m in delivered(cio_client, cio_server, 2))
    assert first == second
    assert first == {
        "type": "group",
        "anonymousId": "anon_1",
        "groupId": "acme",
        "traits": {"plan": "pro", "objectTypeId": "2"},
    }


def test_create_relationship(cio_client: Client, cio_server: LocalServer) -> None:
    """create_relationship sends a group call with only the type and relationship attributes."""
    cio_client.create_relationship("user_1", "acme", relationship_attributes={"role": "admin"})
    assert delivered_one(cio_client, cio_server) == {
        "type": "group",
        "userId": "user_1",
        "groupId": "acme",
        "traits": {"objectTypeId": "1", "relationshipAttributes": {"role": "admin"}},
    }


def test_delete_object_sends_an_integer_type_and_an_anonymous_id(
    cio_client: Client, cio_server: LocalServer
) -> None:
    """delete_object sends "Object Deleted" with objectTypeId as an int and a random anonymousId."""
    cio_client.delete_object("acme", "2")
    message = delivered_one(cio_client, cio_server)
    anonymous_id = message.pop("anonymousId")
    assert uuid.UUID(anonymous_id).version == 4
    assert message == {
        "type": "track",
        "event": "Object Deleted",
        "properties": {"objectId": "acme", "objectTypeId": 2},
    }


def test_delete_object_uses_a_given_anonymous_id(
    cio_client: Client, cio_server: LocalServer
) -> None:
    """An explicit anonymous_id is sent as given, and the default object type is 1."""
    cio_client.delete_object(77, anonymous_id="cleanup-job")
    assert delivered_one(cio_client, cio_server) == {
        "type": "track",
        "anonymousId": "cleanup-job",
        "event": "Object Deleted",
        "properties": {"objectId": "77", "objectTypeId": 1},
    }


def test_delete_relationship(cio_client: Client, cio_server: LocalServer) -> None:
    """delete_relationship sends "Relationship Deleted" for the person with an int type id."""
    cio_client.delete_relationship("user_1", "acme", object_type_id=4)
    assert delivered_one(cio_client, cio_server) == {
        "type": "track",
        "userId": "user_1",
        "event": "Relationship Deleted",
        "properties": {"objectId": "acme", "objectTypeId": 4},
    }


@pytest.mark.parametrize(
    ("value", "error"),
    [("abc", ValidationError), ("0", ValidationError), (-1, ValidationError),
     ("", ValidationError), (1.5, ArgumentTypeError), (True, ArgumentTypeError)],
)  # fmt: skip
@pytest.mark.parametrize("operation", ["create_object", "delete_object", "delete_relationship"])
def test_object_type_id_must_be_a_positive_integer(
    cio_client: Client, cio_server: LocalServer, operation: str, value: Any, error: type[Exception]
) -> None:
    """An object_type_id that is not a positive integer (int or digits) is refused at the call."""
    call = {
        "create_object": lambda: cio_client.create_object("acme", object_type_id=value),
        "delete_object": lambda: cio_client.delete_object("acme", value),
        "delete_relationship": lambda: cio_client.delete_relationship("u", "acme", value),
    }[operation]
    with pytest.raises(error) as info:
        call()
    assert info.value.argument == "object_type_id"  # type: ignore[attr-defined]
    assert nothing_sent(cio_client, cio_server)


def test_object_type_id_none_means_the_default(cio_client: Client, cio_server: LocalServer) -> None:
    """object_type_id=None is the default type 1 (a string in group, an int in deletes)."""
    cio_client.create_object("acme", object_type_id=None)
    cio_client.delete_relationship("user_1", "acme", None)
    group, delete = delivered(cio_client, cio_server, 2)
    assert group["traits"] == {"objectTypeId": "1"}
    assert delete["properties"] == {"objectId": "acme", "objectTypeId": 1}


@pytest.mark.parametrize("object_id", ["", None])
def test_object_id_is_required(cio_client: Client, cio_server: LocalServer, object_id: Any) -> None:
    """A missing or empty object_id raises ValidationError naming object_id."""
    for call in (
        lambda: cio_client.create_object(object_id),
        lambda: cio_client.delete_object(object_id),
        lambda: cio_client.delete_relationship("user_1", object_id),
        lambda: cio_client.create_relationship("user_1", object_id),
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.argument == "object_id"
    assert nothing_sent(cio_client, cio_server)


def test_relationship_calls_need_a_person(cio_client: Client, cio_server: LocalServer) -> None:
    """Relationship operations without a person raise a clear error naming the argument."""
    with pytest.raises(MissingIdentityError) as info:
        cio_client.create_relationship(None, "acme")
    assert info.value.argument == "user_id"
    with pytest.raises(MissingIdentityError) as info:
        cio_client.delete_relationship("", "acme")
    assert info.value.argument == "user_id"
    with pytest.raises(ValidationError) as info:
        cio_client.create_object("acme", relationship_attributes={"role": "admin"})
    assert info.value.argument == "relationship_attributes"
    with pytest.raises(ArgumentTypeError) as info:
        cio_client.create_object("acme", attributes=["name"])  # type: ignore[arg-type]
    assert info.value.argument == "attributes"
    assert nothing_sent(cio_client, cio_server)
