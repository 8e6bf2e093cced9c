"""Helpers shared by the command-line subcommands: options, settings, errors, progress.

Nothing here prints the write key: :func:`key_source` says where a key came
from, never what it is.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, Final, TextIO

from cio_analytics._settings import ENV_API_KEY, ENV_HOST, ENV_REGION, Settings
from cio_analytics.errors import ConfigurationError

__all__ = [
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_USAGE",
    "Progress",
    "UsageError",
    "add_connection_options",
    "error",
    "host_source",
    "key_source",
    "parse_json_object",
    "resolve_settings",
]

#: Everything worked.
EXIT_OK: Final = 0
#: The work ran but something was not delivered (or a check failed).
EXIT_FAILURE: Final = 1
#: Bad input: options, arguments, files, configuration. Nothing was sent.
EXIT_USAGE: Final = 2


class UsageError(Exception):
    """Bad input from the user; the message is printed as one line (exit status 2)."""


def error(command: str, message: str, stream: TextIO | None = None) -> None:
    """Print ``cio-analytics COMMAND: error: MESSAGE`` on one line to stderr.

    Args:
        command: The subcommand (``send``, ``import`` ...).
        message: What went wrong, in one sentence.
        stream: Where to write (stderr by default).
    """
    text = " ".join(message.split())  # one line, whatever the message held
    print(f"cio-analytics {command}: error: {text}", file=stream or sys.stderr)


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--write-key``, ``--host`` and ``--region`` (each defaulting to its env var).

    Args:
        parser: The subcommand's parser.
    """
    group = parser.add_argument_group("connection (defaults from the environment)")
    group.add_argument(
        "--write-key",
        metavar="KEY",
        default=None,
        help=f"the API key (default: ${ENV_API_KEY}; prefer the variable, since "
        "command lines are visible to other users of the machine)",
    )
    group.add_argument(
        "--host",
        metavar="URL",
        default=None,
        help=f"base URL of the API, e.g. https://cdp-eu.customer.io (default: ${ENV_HOST}, "
        "else the region's host)",
    )
    group.add_argument(
        "--region",
        choices=("us", "eu"),
        default=None,
        help=f"us or eu (default: ${ENV_REGION}, else us)",
    )


def resolve_settings(args: argparse.Namespace, **values: Any) -> Settings:
    """The settings the options and the environment give, validated.

    Args:
        args: Parsed options with ``write_key``, ``host`` and ``region``.
        **values: Further settings.

    Returns:
        The resolved settings.

    Raises:
        UsageError: A setting is invalid (the message names it, never the key).
    """
    try:
        return Settings.resolve(
            write_key=args.write_key, host=args.host, region=args.region, **values
        )
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None


def key_source(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> str | None:
    """Where the write key comes from (``--write-key`` or the env var), or None when unset.

    Args:
        args: Parsed options with ``write_key``.
        environ: The environment (``os.environ`` by default).
    """
    env = os.environ if environ is None else environ
    if args.write_key is not None and args.write_key.strip():
        return "--write-key"
    if env.get(ENV_API_KEY, "").strip():
        return ENV_API_KEY
    return None


def host_source(args: argparse.Namespace, settings: Settings) -> str:
    """A few words on where the host comes from: ``--host``, the env var, or the region."""
    if args.host is not None:
        return "from --host"
    if os.environ.get(ENV_HOST):
        return f"from {ENV_HOST}"
    if args.region is not None:
        return f"default for --region {settings.region}"
    if os.environ.get(ENV_REGION):
        return f"default for {ENV_REGION}={settings.region}"
    return f"default for region {settings.region}"


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    """Parse an option's JSON object.

    Args:
        text: The option's value.
        what: The option, for the message (``--properties``).

    Returns:
        The object.

    Raises:
        UsageError: Not valid JSON, or not an object.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{what} is not valid JSON: {exc.msg} at character {exc.pos}") from None
    if not isinstance(value, dict):
        raise UsageError(f"{what} must be a JSON object ({{...}}), got {type(value).__name__}")
    return value


class Progress:
    """A one-line progress display on a terminal, redrawn with ``\\r``; silent otherwise.

    Args:
        stream: Where to draw (stderr by default).
        enabled: Force it on or off; None draws only when ``stream`` is a terminal.
        interval: Seconds between two redraws at most.
    """

    def __init__(
        self, stream: TextIO | None = None, *, enabled: bool | None = None, interval: float = 0.1
    ) -> None:
        self._stream = stream or sys.stderr
        if enabled is None:
            isatty = getattr(self._stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._interval = interval
        self._last = 0.0
        self._width = 0
        self._lock = threading.Lock()  # guards _last, _width and the writes (two threads draw)

    def update(self, text: str, *, force: bool = False) -> None:
        """Redraw the line with ``text`` (at most every ``interval`` seconds unless ``force``)."""
        if not self.enabled:
            return
        with self._lock:
            now = time.monotonic()
            if not force and now - self._last < self._interval:
                return
            self._last = now
            padding = " " * max(0, self._width - len(text))
            self._width = len(text)
            self._stream.write("\r" + text + padding)
            self._stream.flush()

    def clear(self) -> None:
        """Erase the line, so that normal output can follow."""
        with self._lock:
            if self.enabled and self._width:
                self._stream.write("\r" + " " * self._width + "\r")
                self._stream.flush()
                self._width = 0
