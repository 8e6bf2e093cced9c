"""``cio-analytics send CALL``: one call from the shell, delivered before the command returns.

CALL is a core call (identify, track, page, screen, group, alias), an
operation (``add_device``, ``delete_user`` ...) or a semantic helper
(``ecommerce.order_completed`` ...): every call ``import`` accepts. The
options of operations and helpers come from their signatures
(:mod:`cio_analytics.cli.send_calls`).

The call is made on a :class:`~cio_analytics.Client` in ``sync_mode``, so it
is validated, sent and retried on this thread; the message id is printed on
success. Exit status: 0 delivered, 1 not delivered (the API refused it or
retries ran out), 2 bad input (an option, its JSON, or a value the library
refuses; nothing was sent).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Mapping
from typing import Any, Final

from cio_analytics._client import Client
from cio_analytics._settings import ENV_API_KEY, Settings
from cio_analytics._wire.build import BUILDERS, encode_message
from cio_analytics._wire.messages import decode_message
from cio_analytics.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    error,
    parse_json_object,
    resolve_settings,
)
from cio_analytics.cli.send_calls import EXTRA_CALLS, generated_kwargs
from cio_analytics.errors import (
    ArgumentTypeError,
    ConfigurationError,
    DeliveryError,
    ValidationError,
)

__all__ = ["CALL_OPTIONS", "DEFAULT_TIMEOUT", "add_call_options", "run_send"]

#: Seconds a send may take, retries included, unless ``--timeout`` says otherwise.
DEFAULT_TIMEOUT: Final = 30.0

#: The options of each call besides the common ones, as argument names.
CALL_OPTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "identify": ("user_id", "anonymous_id", "traits"),
    "track": ("user_id", "anonymous_id", "event", "properties"),
    "page": ("user_id", "anonymous_id", "name", "category", "properties"),
    "screen": ("user_id", "anonymous_id", "name", "category", "properties"),
    "group": (
        "user_id",
        "anonymous_id",
        "group_id",
        "traits",
        "object_type_id",
        "relationship_attributes",
    ),
    "alias": ("previous_id", "user_id"),
}
_COMMON: Final = ("context", "integrations", "timestamp", "message_id")
#: Options whose value is a JSON object.
_JSON_OPTIONS: Final = frozenset(
    {"traits", "properties", "context", "integrations", "relationship_attributes"}
)
_HELP: Final[Mapping[str, str]] = {
    "user_id": "the person's id",
    "anonymous_id": "an anonymous visitor's id (instead of, or besides, --user-id)",
    "event": "the event name, e.g. 'Signed Up'",
    "name": "the page or screen name",
    "category": "the page or screen category (sent as properties.category)",
    "group_id": "the object's (group's) id",
    "previous_id": "the id to merge into --user-id",
    "object_type_id": "the object type, a positive integer (Customer.io assumes 1)",
    "traits": 'traits as a JSON object, e.g. \'{"email": "a@example.com"}\'',
    "properties": 'properties as a JSON object, e.g. \'{"plan": "pro"}\'',
    "relationship_attributes": "attributes of the person's relationship, as a JSON object",
    "context": 'context as a JSON object, e.g. \'{"ip": "203.0.113.7"}\'',
    "integrations": "integrations as a JSON object, e.g. '{\"All\": true}'",
    "timestamp": "when it happened, ISO-8601 (default: now; no offset means UTC)",
    "message_id": "the message id (default: a new unique one); reuse it to deduplicate",
}
_CALL_HELP: Final[Mapping[str, str]] = {
    "identify": "say who a person is and set their traits",
    "track": "record an event a person did",
    "page": "record a web page view",
    "screen": "record a mobile screen view",
    "group": "create or update an object and relate a person to it",
    "alias": "merge --previous-id into --user-id",
}


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_call_options(parser: argparse.ArgumentParser, call: str) -> None:
    """Register the options of ``call`` (and the common ones) on ``parser``.

    Args:
        parser: The ``send CALL`` parser.
        call: ``identify``, ``track``, ``page``, ``screen``, ``group`` or ``alias``.
    """
    for name in (*CALL_OPTIONS[call], *_COMMON):
        metavar = "JSON" if name in _JSON_OPTIONS else name.upper().split("_")[-1]
        parser.add_argument(_option(name), dest=name, metavar=metavar, help=_HELP[name])


def call_help(call: str) -> str:
    """The one-line description of a call, for ``send --help``."""
    return _CALL_HELP[call]


def _kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The call's keyword arguments from the options given (JSON options parsed)."""
    if args.call in EXTRA_CALLS:
        return generated_kwargs(args, args.call)
    kwargs: dict[str, Any] = {}
    for name in (*CALL_OPTIONS[args.call], *_COMMON):
        value = getattr(args, name, None)
        if value is None:
            continue
        kwargs[name] = parse_json_object(value, _option(name)) if name in _JSON_OPTIONS else value
    return kwargs


def _explain(exc: ValidationError | ArgumentTypeError, call: str) -> str:
    """The library's message, plus the option to fix when the argument is one."""
    argument = exc.argument
    known = CALL_OPTIONS.get(call, ())
    if argument and (argument in (*known, *_COMMON) or call in EXTRA_CALLS):
        return f"{exc} (option {_option(argument)})"
    return str(exc)


def run_send(args: argparse.Namespace) -> int:
    """Make one call and wait for its delivery.

    Args:
        args: The parsed ``send CALL`` options.

    Returns:
        0 delivered (the message id is printed), 1 not delivered, 2 bad input.
    """
    call: str = args.call
    try:
        kwargs, timeout, settings = _prepare(args)
    except UsageError as exc:
        error("send", str(exc))
        return EXIT_USAGE
    if args.dry_run:
        return _print_message(call, kwargs)
    return _deliver(call, kwargs, settings, timeout)


def _prepare(args: argparse.Namespace) -> tuple[dict[str, Any], float, Settings]:
    """The call's arguments, the timeout and the settings (raises UsageError)."""
    if args.timeout is not None and not args.timeout > 0:
        raise UsageError(f"--timeout must be > 0, got {args.timeout:g}")
    kwargs = _kwargs(args)
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    settings = resolve_settings(args)
    if not args.dry_run and settings.write_key is None:
        raise UsageError(
            f"no write key: set the {ENV_API_KEY} environment variable or pass "
            "--write-key (or use --dry-run to only validate)"
        )
    return kwargs, timeout, settings


def _print_message(call: str, kwargs: dict[str, Any]) -> int:
    """--dry-run: build and validate the message, print it as JSON; returns the exit status."""
    try:
        if call in EXTRA_CALLS:
            message = _built_by_client(call, kwargs)
        else:
            message = decode_message(encode_message(BUILDERS[call](**kwargs)))
    except (ValidationError, ArgumentTypeError) as exc:
        error("send", _explain(exc, call))
        return EXIT_USAGE
    except TypeError as exc:
        error("send", f"{call}: {exc}")
        return EXIT_USAGE
    print(json.dumps(message, indent=2, sort_keys=True))
    return EXIT_OK


def _built_by_client(call: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The message an operation or helper builds, as JSON, sent to an in-memory capture only.

    The call runs on a sync-mode client whose transport is a
    :class:`~cio_analytics.testing.CaptureTransport` in permissive mode, so
    nothing leaves the process; ``context.library``, which the client adds
    to every message it sends, is left out as it is for the core calls.
    """
    # Deferred: only a dry run of an operation needs the in-memory transport (and httpx).
    from cio_analytics.testing import CaptureTransport  # noqa: PLC0415

    capture = CaptureTransport(strict=False)
    client = Client(
        write_key="dry-run", transport=capture, sync_mode=True, shutdown_timeout=1.0
    )
    try:
        _bound(client, call)(**kwargs)
    finally:
        client.shutdown(timeout=1.0)
    received = [*capture.messages, *(r.message for r in capture.rejections if r.message)]
    message = dict(received[0])
    context = dict(message.get("context") or {})
    context.pop("library", None)
    if context:
        message["context"] = context
    else:
        message.pop("context", None)
    return message


def _bound(client: Client, call: str) -> Any:
    """The client's method for ``call`` (``"track"``, ``"add_device"``, ``"ecommerce.x"``)."""
    return functools.reduce(getattr, call.split("."), client)


def _deliver(call: str, kwargs: dict[str, Any], settings: Settings, timeout: float) -> int:
    """Make the call in sync mode, print its message id; returns the exit status."""
    try:
        client = Client(
            write_key=settings.write_key,
            host=settings.host,
            region=settings.region,
            sync_mode=True,
            timeout=min(timeout, 15.0),
            retry_deadline=timeout,
            shutdown_timeout=1.0,
        )
    except ConfigurationError as exc:  # pragma: no cover - resolve_settings checked them
        error("send", str(exc))
        return EXIT_USAGE
    try:
        message_id = _bound(client, call)(**kwargs)
    except (ValidationError, ArgumentTypeError) as exc:
        error("send", _explain(exc, call))
        return EXIT_USAGE
    except DeliveryError as exc:
        detail = f" ({exc.detail})" if exc.detail and exc.detail not in str(exc) else ""
        error("send", f"not delivered: {exc}{detail}")
        return EXIT_FAILURE
    finally:
        client.shutdown(timeout=1.0)
    print(message_id, file=sys.stdout)
    return EXIT_OK
