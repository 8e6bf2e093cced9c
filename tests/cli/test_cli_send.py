"""``cio-analytics send CALL``: one call from the shell, with exit statuses for every outcome."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import pytest

from cio_analytics.cli import main
from cio_analytics.testing import LocalServer


@pytest.fixture
def env(cio_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """The key and host of ``cio_server`` in the environment, as a shell user would set them."""
    monkeypatch.setenv("CUSTOMERIO_API_KEY", str(cio_server.write_key))
    monkeypatch.setenv("CUSTOMERIO_HOST", cio_server.url)
    return cio_server


def test_track_prints_the_message_id(env: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's example sends the event before returning and prints its message id."""
    code = main(
        [
            "send",
            "track",
            "--user-id",
            "u1",
            "--event",
            "Signed Up",
            "--properties",
            '{"plan":"pro"}',
        ]
    )
    assert code == 0
    out = capsys.readouterr()
    (message,) = env.messages
    assert out.out.strip() == message["messageId"]
    assert out.err == ""
    assert message["type"] == "track"
    assert message["userId"] == "u1"
    assert message["event"] == "Signed Up"
    assert message["properties"] == {"plan": "pro"}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["identify", "--user-id", "u1", "--traits", '{"email": "a@example.com"}'],
            {"type": "identify", "userId": "u1", "traits": {"email": "a@example.com"}},
        ),
        (
            ["page", "--anonymous-id", "anon-1", "--name", "Pricing", "--category", "Docs"],
            {"type": "page", "anonymousId": "anon-1", "name": "Pricing",
             "properties": {"category": "Docs"}},
        ),
        (
            ["screen", "--user-id", "u1", "--name", "Home", "--properties", '{"tab": "feed"}'],
            {"type": "screen", "userId": "u1", "name": "Home", "properties": {"tab": "feed"}},
        ),
        (
            ["group", "--user-id", "u1", "--group-id", "acme", "--traits", '{"name": "Acme"}',
             "--object-type-id", "2", "--relationship-attributes", '{"role": "admin"}'],
            {"type": "group", "userId": "u1", "groupId": "acme",
             "traits": {"name": "Acme", "objectTypeId": "2",
                        "relationshipAttributes": {"role": "admin"}}},
        ),
        (
            ["alias", "--previous-id", "anon-1", "--user-id", "u1"],
            {"type": "alias", "previousId": "anon-1", "userId": "u1"},
        ),
    ],
)  # fmt: skip
def test_every_call_arrives(
    env: LocalServer,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: dict[str, object],
) -> None:
    """identify, page, screen, group and alias arrive with the fields their options give."""
    assert main(["send", *argv]) == 0
    (message,) = env.messages
    assert {key: message.get(key) for key in expected} == expected
    assert capsys.readouterr().out.strip() == message["messageId"]


def test_common_options(env: LocalServer) -> None:
    """--timestamp, --message-id, --context and --integrations reach the message."""
    code = main(
        [
            "send", "track", "--user-id", "u1", "--event", "Imported",
            "--timestamp", "2025-01-02T03:04:05Z", "--message-id", "msg-1",
            "--context", '{"ip": "203.0.113.7"}', "--integrations", '{"All": true}',
        ]
    )  # fmt: skip
    assert code == 0
    (message,) = env.messages
    assert message["timestamp"] == "2025-01-02T03:04:05.000+00:00"
    assert message["messageId"] == "msg-1"
    assert message["context"]["ip"] == "203.0.113.7"
    assert message["integrations"] == {"All": True}


def test_options_instead_of_environment(
    cio_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--write-key and --host work without the environment variables."""
    argv = ["send", "track", "--user-id", "u1", "--event", "E"]
    assert main([*argv, "--write-key", str(cio_server.write_key), "--host", cio_server.url]) == 0
    assert len(cio_server.messages) == 1


def test_retries_a_transient_failure(env: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    """A 503 is retried within the send, which still succeeds."""
    env.fail_next(1, 503, headers={"Retry-After": "0"})
    assert main(["send", "track", "--user-id", "u1", "--event", "E"]) == 0
    assert len(env.messages) == 1
    assert env.request_count == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--properties", '{"plan":'], "--properties is not valid JSON"),
        (["--properties", "[1, 2]"], "--properties must be a JSON object"),
        (["--timestamp", "yesterday"], "timestamp must be an ISO-8601 date-time"),
    ],
)
def test_bad_input_exits_2(
    env: LocalServer, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Invalid JSON or values give exit 2 and one line naming the problem; nothing is sent."""
    assert main(["send", "track", "--user-id", "u1", "--event", "E", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cio-analytics send: error: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert env.request_count == 0


def test_missing_argument_names_the_option(
    env: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A call without its event says which option to give."""
    assert main(["send", "track", "--user-id", "u1"]) == 2
    err = capsys.readouterr().err
    assert "event is required" in err
    assert "(option --event)" in err
    assert "Traceback" not in err


def test_option_of_another_call_is_a_usage_error(
    env: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """identify has no --event: argparse refuses it with exit 2."""
    assert main(["send", "identify", "--user-id", "u1", "--event", "E"]) == 2
    assert "unrecognized arguments: --event E" in capsys.readouterr().err


def test_no_key_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a key nothing is attempted and the message says how to set one."""
    assert main(["send", "track", "--user-id", "u1", "--event", "E"]) == 2
    assert "set the CUSTOMERIO_API_KEY environment variable" in capsys.readouterr().err


def test_refused_key_exits_1_without_printing_it(
    cio_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 401 is a delivery failure (exit 1), reported in one line that does not show the key."""
    argv = ["send", "track", "--user-id", "u1", "--event", "E"]
    assert main([*argv, "--write-key", "secret-key-42", "--host", cio_server.url]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("cio-analytics send: error: not delivered: ")
    assert len(captured.err.strip().splitlines()) == 1
    assert "secret-key-42" not in captured.err


def test_unreachable_host_is_bounded_by_timeout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With nothing listening, the send gives up after --timeout seconds with exit 1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("CUSTOMERIO_API_KEY", "k")
    started = time.monotonic()
    code = main(
        ["send", "track", "--user-id", "u1", "--event", "E", "--host", closed, "--timeout", "0.5"]
    )
    assert code == 1
    assert time.monotonic() - started < 5.0
    assert "not delivered" in capsys.readouterr().err


def test_dry_run_prints_the_message(
    cio_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run needs no key, prints the wire message as JSON and sends nothing."""
    argv = ["send", "track", "--user-id", "u1", "--event", "E", "--properties", '{"n": 1}']
    assert main([*argv, "--dry-run", "--host", cio_server.url]) == 0
    message = json.loads(capsys.readouterr().out)
    assert message["type"] == "track"
    assert message["properties"] == {"n": 1}
    assert message["context"]["library"]["name"] == "cio-analytics"
    assert cio_server.request_count == 0


@pytest.mark.parametrize(
    ("argv", "check"),
    [
        (
            ["add_device", "--user-id", "u1", "--token", "fcm-1", "--device-type", "android"],
            lambda m: m["event"] == "Device Created or Updated"
            and m["context"]["device"] == {"token": "fcm-1", "type": "android"},
        ),
        (
            ["delete_user", "--user-id", "u9"],
            lambda m: (m["event"], m["userId"]) == ("User Deleted", "u9"),
        ),
        (
            ["ecommerce.order_completed", "--user-id", "u1", "--order-id", "o-1",
             "--total", "9.5", "--products", '[{"product_id": "p-1", "price": 9.5}]'],
            lambda m: m["event"] == "Order Completed"
            and m["properties"]["total"] == 9.5
            and m["properties"]["products"] == [{"product_id": "p-1", "price": 9.5}],
        ),
        (
            ["mobile.application_opened", "--user-id", "u1", "--from-background", "false"],
            lambda m: m["event"] == "Application Opened"
            and m["properties"]["from_background"] is False,
        ),
    ],
    ids=["operation", "operation-people", "ecommerce-helper", "mobile-helper"],
)  # fmt: skip
def test_operations_and_helpers_arrive(
    env: LocalServer, capsys: pytest.CaptureFixture[str], argv: list[str], check: Any
) -> None:
    """Every call import accepts can be sent: operations and helpers, options from signatures."""
    assert main(["send", *argv]) == 0, capsys.readouterr().err
    (message,) = env.messages
    assert capsys.readouterr().out.strip() == message["messageId"]
    assert check(message)


def test_helper_dry_run_and_bad_values(
    cio_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A helper's --dry-run prints its message; a bad number or a missing option is exit 2."""
    argv = ["send", "video.playback_started", "--user-id", "u1", "--position", "12"]
    assert main([*argv, "--dry-run"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["event"] == "Video Playback Started"
    assert printed["properties"]["position"] == 12
    assert "context" not in printed
    assert main(["send", "ecommerce.order_completed", "--total", "lots", "--dry-run"]) == 2
    assert "--total must be a number" in capsys.readouterr().err
    assert main(["send", "add_device", "--user-id", "u1", "--dry-run"]) == 2
    assert "--token" in capsys.readouterr().err
    assert cio_server.request_count == 0
