"""before_send hooks: applied at the call site, counted, never raising into the caller."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import cio_analytics
from cio_analytics import Client, hooks
from cio_analytics.errors import BeforeSendError, ConfigurationError, FailureReason
from cio_analytics.testing import LocalServer


@pytest.fixture
def server() -> Any:
    """A local server for these tests."""
    with LocalServer() as running:
        yield running


def _client(server: LocalServer, **settings: Any) -> Client:
    return Client(server.write_key, host=server.url, upload_interval=0.01, **settings)


def test_a_hook_sees_the_wire_shape_and_may_change_it(server: LocalServer) -> None:
    """The hook gets camelCase keys (context.library included); what it returns is sent."""
    seen: list[dict[str, Any]] = []

    def tag(message: dict[str, Any]) -> dict[str, Any]:
        seen.append(dict(message))
        message.setdefault("properties", {})["tagged"] = True
        return message

    with _client(server, before_send=tag) as client:
        message_id = client.track("u1", "Signed Up", {"plan": "pro"})
    assert seen[0]["userId"] == "u1" and seen[0]["messageId"] == message_id
    assert seen[0]["context"]["library"]["name"] == "cio-analytics"
    (arrived,) = server.messages
    assert arrived["properties"] == {"plan": "pro", "tagged": True}
    assert arrived["messageId"] == message_id


def test_none_drops_and_counts_as_filtered(server: LocalServer) -> None:
    """A hook returning None drops the message: counted as filtered, not as an error."""
    errors: list[Any] = []
    with _client(
        server, before_send=hooks.drop_events("Debug"), on_error=lambda e, m: errors.append(e)
    ) as client:
        client.track("u1", "Debug")
        client.track("u1", "Kept")
        client.identify("u1", {"plan": "pro"})
        stats = client.stats()
    assert [m.get("event") for m in server.messages] == ["Kept", None]
    assert (stats.filtered, stats.failed, stats.hook_errors) == (1, 0, 0)
    assert errors == []


def test_hooks_run_in_order(server: LocalServer) -> None:
    """A list of hooks is applied in order, each seeing the previous one's result."""
    order: list[str] = []

    def first(message: dict[str, Any]) -> dict[str, Any]:
        order.append("first")
        message["properties"] = {"step": 1}
        return message

    def second(message: dict[str, Any]) -> dict[str, Any]:
        order.append("second")
        message["properties"]["step"] += 1
        return message

    with _client(server, before_send=[first, second]) as client:
        client.track("u1", "E")
    assert order == ["first", "second"]
    assert server.messages[0]["properties"] == {"step": 2}


def test_a_failing_hook_drops_logs_once_and_reports(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """An exception in a hook: dropped, one warning per hook, counted, on_error told; no raise."""
    reported: list[tuple[BaseException, list[dict[str, Any]]]] = []

    def broken(message: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("oops")

    with caplog.at_level(logging.WARNING, logger="cio_analytics"), _client(
        server, before_send=broken, on_error=lambda e, m: reported.append((e, m))
    ) as client:
        for _ in range(5):
            client.track("u1", "E")  # never raises
        stats = client.stats()
    assert stats.hook_errors == 5 and stats.failed == 0 and stats.enqueued == 0
    assert len([r for r in caplog.records if "before_send hook" in r.message]) == 1
    assert len(reported) == 5
    error, messages = reported[0]
    assert isinstance(error, BeforeSendError) and error.reason is FailureReason.BEFORE_SEND
    assert "broken" in error.hook and "KeyError" in str(error)
    assert messages[0]["event"] == "E"
    assert server.message_count == 0


def test_a_hook_cannot_smuggle_an_invalid_message(server: LocalServer) -> None:
    """What a hook returns is checked like a call: NaN is refused, the message dropped."""

    def nan(message: dict[str, Any]) -> dict[str, Any]:
        message["properties"] = {"x": float("nan")}
        return message

    with _client(server, before_send=nan) as client:
        client.track("u1", "E")
        assert client.stats().hook_errors == 1
    assert server.message_count == 0


def test_module_level_before_send_is_applied(server: LocalServer) -> None:
    """The module setting reaches the default client (before and after it exists)."""
    cio_analytics.configure(write_key=server.write_key, host=server.url, upload_interval=0.01)
    cio_analytics.before_send = hooks.drop_events("Gone")
    cio_analytics.track("u1", "Gone")
    cio_analytics.track("u1", "Stays")
    cio_analytics.before_send = None
    cio_analytics.track("u1", "Gone")
    assert cio_analytics.flush(10)
    assert [m["event"] for m in server.messages] == ["Stays", "Gone"]


def test_send_batch_applies_hooks(server: LocalServer) -> None:
    """Bulk entries go through the hooks too: scrubbed, dropped ones counted in the result."""
    with _client(server, before_send=[hooks.scrub(), hooks.drop_events("Skip")]) as client:
        result = client.send_batch(
            [
                ("track", {"user_id": "u1", "event": "Login", "properties": {"password": "x"}}),
                ("track", {"user_id": "u1", "event": "Skip"}),
            ]
        )
    assert (result.delivered, result.filtered, len(result.failed)) == (1, 1, 0)
    assert server.messages[0]["properties"] == {"password": "[FILTERED]"}


def test_no_hook_no_cost_path() -> None:
    """Without hooks the client keeps no hook (the hot path skips them on one check)."""
    assert Client("k", send=False)._hooks == ()


def test_invalid_hook_settings_are_refused() -> None:
    """A non-callable hook fails where it is set."""
    with pytest.raises(ConfigurationError, match="before_send"):
        Client("k", send=False, before_send=["not callable"])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match="before_send"):
        cio_analytics.before_send = 42  # type: ignore[assignment]


class TestBuiltins:
    """The built-in hooks, as pure functions of a wire-shaped message."""

    def test_scrub_defaults_keys_and_patterns_at_any_depth(self) -> None:
        """Default keys, extra keys and patterns are replaced anywhere in the payload."""
        scrub = hooks.scrub(keys={"SSN"}, patterns=[r"_pin$"])
        message = {
            "type": "track",
            "userId": "u1",
            "properties": {
                "Password": "p",
                "list": [{"api-key": "k", "ok": 1}],
                "card_pin": "1234",
                "ssn": "000",
                "plain": "kept",
            },
            "context": {"headers": {"Authorization": "Bearer x"}, "ip": "1.2.3.4"},
        }
        out = scrub(message)
        assert out is not None
        props = out["properties"]
        assert props["Password"] == props["card_pin"] == props["ssn"] == "[FILTERED]"
        assert props["list"] == [{"api-key": "[FILTERED]", "ok": 1}]
        assert props["plain"] == "kept"
        assert out["context"] == {"headers": {"Authorization": "[FILTERED]"}, "ip": "1.2.3.4"}
        assert out["userId"] == "u1"

    def test_default_context_merges_under_the_call(self) -> None:
        """Defaults fill in; the call's own keys (and object keys) win."""
        hook = hooks.default_context(app={"name": "shop", "version": "1"}, locale="en-GB")
        out = hook({"type": "track", "context": {"app": {"version": "2"}, "ip": "1.1.1.1"}})
        assert out is not None
        assert out["context"] == {
            "app": {"name": "shop", "version": "2"},
            "locale": "en-GB",
            "ip": "1.1.1.1",
        }

    def test_sample_keeps_a_share_of_named_track_events_only(self) -> None:
        """About the rate is kept, deterministically by messageId; other calls always pass."""
        hook = hooks.sample(0.25, events={"Scrolled"})
        kept = sum(
            hook({"type": "track", "event": "Scrolled", "messageId": f"id-{i}"}) is not None
            for i in range(4000)
        )
        assert 800 < kept < 1200
        again = [hook({"type": "track", "event": "Scrolled", "messageId": "x"}) for _ in range(3)]
        assert again[0] == again[1] == again[2]
        assert hook({"type": "track", "event": "Other", "messageId": "y"}) is not None
        assert hook({"type": "identify", "messageId": "z"}) is not None
        with pytest.raises(ConfigurationError):
            hooks.sample(1.5)

    def test_drop_events_only_drops_named_tracks(self) -> None:
        """Named track events are dropped; a page with the same name is not."""
        hook = hooks.drop_events("Ping")
        assert hook({"type": "track", "event": "Ping"}) is None
        assert hook({"type": "track", "event": "Pong"}) is not None
        assert hook({"type": "page", "name": "Ping"}) is not None
