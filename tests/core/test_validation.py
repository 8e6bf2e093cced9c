"""Bad input gets a clear error at the call site, naming the argument."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import msgspec
import pytest

import cio_analytics
from cio_analytics import Client
from cio_analytics._wire.messages import decode_message
from cio_analytics.errors import (
    ArgumentTypeError,
    CioError,
    ConfigurationError,
    InvalidValueError,
    MessageTooLargeError,
    MissingIdentityError,
    UnsupportedValueError,
    ValidationError,
)


@pytest.fixture(name="client")
def fixture_client() -> Client:
    """A client that validates and encodes but never sends."""
    return Client(write_key="test", send=False)


class TestIdentity:
    """Every call must name someone."""

    @pytest.mark.parametrize("call", ["identify", "track", "page", "screen"])
    def test_missing_identity(self, client: Client, call: str) -> None:
        """No user_id and no anonymous_id is a MissingIdentityError (a ValueError)."""
        kwargs: dict[str, Any] = {"event": "E"} if call == "track" else {}
        with pytest.raises(MissingIdentityError) as info:
            getattr(client, call)(**kwargs)
        assert info.value.argument == "user_id"
        assert isinstance(info.value, ValueError)

    def test_wrong_id_type(self, client: Client) -> None:
        """A user_id that is neither str nor int is an ArgumentTypeError (a TypeError)."""
        with pytest.raises(ArgumentTypeError) as info:
            client.track(["u"], "E")  # type: ignore[arg-type]
        assert info.value.argument == "user_id"
        assert isinstance(info.value, TypeError)

    def test_int_ids_are_sent_as_strings(self, client: Client) -> None:
        """An int user_id is accepted (and sent as a string, as the official library does)."""
        assert client.track(42, "E")

    def test_group_needs_group_id(self, client: Client) -> None:
        """group without group_id names group_id."""
        with pytest.raises(ValidationError) as info:
            client.group("u1")
        assert info.value.argument == "group_id"

    def test_alias_needs_both_ids(self, client: Client) -> None:
        """alias needs previous_id and user_id."""
        with pytest.raises(MissingIdentityError, match="previous_id"):
            client.alias(None, "u1")
        with pytest.raises(MissingIdentityError, match="user_id"):
            client.alias("anon", None)

    def test_identify_by_email_alone(self, client: Client) -> None:
        """identify with user_id "" and an email trait is allowed (Customer.io matches email)."""
        assert client.identify("", {"email": "a@example.com"})


class TestArguments:
    """Types and values of the other arguments."""

    @pytest.mark.parametrize("event", [None, ""])
    def test_event_required(self, client: Client, event: str | None) -> None:
        """track needs a non-empty event name."""
        with pytest.raises(ValidationError) as info:
            client.track("u1", event)
        assert info.value.argument == "event"

    def test_event_type(self, client: Client) -> None:
        """A non-str event is a TypeError naming event."""
        with pytest.raises(ArgumentTypeError, match="event"):
            client.track("u1", 7)  # type: ignore[arg-type]

    @pytest.mark.parametrize("name", ["properties", "context", "integrations"])
    def test_mapping_arguments(self, client: Client, name: str) -> None:
        """properties, context and integrations must be dicts."""
        with pytest.raises(ArgumentTypeError) as info:
            client.track("u1", "E", **{name: ["not", "a", "dict"]})
        assert info.value.argument == name

    def test_traits_must_be_a_dict(self, client: Client) -> None:
        """identify traits must be a dict."""
        with pytest.raises(ArgumentTypeError, match="traits"):
            client.identify("u1", "email=a@b.c")  # type: ignore[arg-type]

    def test_timestamp(self, client: Client) -> None:
        """timestamp accepts datetimes and ISO strings; anything else is an error."""
        assert client.track("u1", "E", timestamp=dt.datetime(2024, 1, 1))
        assert client.track("u1", "E", timestamp="2024-01-01T10:00:00Z")
        with pytest.raises(ValidationError, match="ISO-8601"):
            client.track("u1", "E", timestamp="yesterday")
        with pytest.raises(ArgumentTypeError, match="timestamp"):
            client.track("u1", "E", timestamp=1700000000)

    def test_value_errors_name_the_key_path(self, client: Client) -> None:
        """A NaN deep in properties is reported with its path."""
        with pytest.raises(InvalidValueError) as info:
            client.track("u1", "E", {"order": {"lines": [{"price": math.nan}]}})
        assert info.value.path == "properties['order']['lines'][0]['price']"
        assert info.value.argument == "properties"

    def test_unsupported_value_in_context(self, client: Client) -> None:
        """An unsupported value in context is reported under context."""
        with pytest.raises(UnsupportedValueError, match=r"context\['blob'\]"):
            client.track("u1", "E", context={"blob": b"\x00"})

    def test_too_large(self, client: Client) -> None:
        """A message over 32 KB is refused, naming the largest argument."""
        with pytest.raises(MessageTooLargeError) as info:
            client.track("u1", "E", {"text": "x" * 33_000})
        assert info.value.argument == "properties"
        assert info.value.size > info.value.limit == 32 * 1024

    def test_just_under_the_limit(self, client: Client) -> None:
        """A message just under 32 KB, library context included, is accepted."""
        base = len(msgspec.json.encode({"text": ""}))
        assert client.track("u1", "E", {"text": "x" * (32 * 1024 - 400 - base)})

    def test_every_error_is_a_cio_error(self, client: Client) -> None:
        """Callers can catch every validation problem with CioError."""
        for call in (
            lambda: client.track(None, "E"),
            lambda: client.track("u", "E", [1]),  # type: ignore[arg-type]
            lambda: client.track("u", "E", {"x": math.inf}),
        ):
            with pytest.raises(CioError):
                call()


class TestSnapshot:
    """The queue holds bytes: later mutation of the caller's dicts changes nothing."""

    def test_mutation_after_the_call(self) -> None:
        """Mutating properties after track() does not alter the queued message."""
        client = Client(write_key="k", host="http://127.0.0.1:9", upload_interval=60)
        try:
            props: dict[str, Any] = {"items": [1, 2]}
            client.track("u1", "E", props)
            props["items"].append(3)
            props["new"] = True
            queued = decode_message(client._queue[0])
            assert queued["properties"] == {"items": [1, 2]}
        finally:
            client._queue.clear()
            client.shutdown(0)


class TestWriteKey:
    """A missing key is reported once: when the client is built (or at the first call)."""

    def test_no_key_fails_at_construction(self) -> None:
        """Client() with sending on and no key raises, naming the setting and the env var."""
        with pytest.raises(ConfigurationError) as info:
            Client()
        assert info.value.setting == "write_key"
        assert info.value.env_var == "CUSTOMERIO_API_KEY"
        assert "CUSTOMERIO_API_KEY" in str(info.value)

    def test_key_removed_later_raises_at_the_next_send(self) -> None:
        """A key taken away by configure() makes the next call raise the same error."""
        client = Client("k")
        client.configure(write_key=None)
        with pytest.raises(ConfigurationError) as info:
            client.track("u1", "E")
        assert info.value.setting == "write_key"
        assert info.value.env_var == "CUSTOMERIO_API_KEY"

    def test_module_level_without_key(self) -> None:
        """The module-level API raises the same error, not at import."""
        with pytest.raises(ConfigurationError, match="write_key"):
            cio_analytics.track("u1", "E")

    def test_send_false_needs_no_key(self) -> None:
        """send=False validates and encodes without a key."""
        assert Client(send=False).track("u1", "E")
