"""Micro-benchmarks of what one call costs the caller, beside the bare floor.

Group ``track``: the floor (Struct + encode + deque append), the builder and
encoder alone, ``Client.track`` and the module-level ``cio_analytics.track``.
Group ``identify``: the same for identify. Group ``encoder``: encoding a
message that is already built. Every target gets the same 10-property
payload. Timing lives here, never in test assertions.
"""

from __future__ import annotations

from typing import Any

import pytest
from _floor import Floor
from _quiet import Runner, drop_queued

import cio_analytics
from cio_analytics._wire.build import build_identify, build_track, encode_message


@pytest.mark.benchmark(group="track")
def test_floor_struct_encode_append(hot: Runner, track_args: tuple[Any, ...]) -> None:
    """The bare floor: a msgspec Struct, encoded, appended to a deque."""
    floor = Floor()
    hot(floor.track, track_args, after_round=floor.queue.clear)


@pytest.mark.benchmark(group="track")
def test_build_and_encode_track(hot: Runner, track_args: tuple[Any, ...]) -> None:
    """Validation and encoding without the queue: ``encode_message(build_track(...))``."""

    def build_and_encode(uid: str, event: str, props: dict[str, Any]) -> bytes:
        return encode_message(build_track(uid, event, props))

    hot(build_and_encode, track_args)


@pytest.mark.benchmark(group="track")
def test_client_track(
    hot: Runner, quiet_client: cio_analytics.Client, track_args: tuple[Any, ...]
) -> None:
    """``Client.track``: validate + encode + enqueue, what a request handler pays."""
    hot(quiet_client.track, track_args, after_round=lambda: drop_queued(quiet_client))


@pytest.mark.benchmark(group="track")
def test_client_track_spooled(
    hot: Runner, spooled_client: cio_analytics.Client, track_args: tuple[Any, ...]
) -> None:
    """``Client.track`` with the disk spool on: the same, plus one ``os.write`` of the message."""
    hot(spooled_client.track, track_args, after_round=lambda: drop_queued(spooled_client))


@pytest.mark.benchmark(group="track")
def test_module_track(
    hot: Runner, quiet_default_client: cio_analytics.Client, track_args: tuple[Any, ...]
) -> None:
    """``cio_analytics.track``: the same call through the module-level API."""
    hot(cio_analytics.track, track_args, after_round=lambda: drop_queued(quiet_default_client))


@pytest.mark.benchmark(group="identify")
def test_build_and_encode_identify(hot: Runner, identify_args: tuple[Any, ...]) -> None:
    """Validation and encoding of identify without the queue."""

    def build_and_encode(uid: str, traits: dict[str, Any]) -> bytes:
        return encode_message(build_identify(uid, traits))

    hot(build_and_encode, identify_args)


@pytest.mark.benchmark(group="identify")
def test_client_identify(
    hot: Runner, quiet_client: cio_analytics.Client, identify_args: tuple[Any, ...]
) -> None:
    """``Client.identify`` with 10 traits: validate + encode + enqueue."""
    hot(quiet_client.identify, identify_args, after_round=lambda: drop_queued(quiet_client))


@pytest.mark.benchmark(group="encoder")
def test_encode_built_track(hot: Runner, track_args: tuple[Any, ...]) -> None:
    """The encoder alone: ``encode_message`` of a Track already built."""
    message = build_track(*track_args)
    hot(encode_message, (message,))


@pytest.mark.benchmark(group="encoder")
def test_encode_built_identify(hot: Runner, identify_args: tuple[Any, ...]) -> None:
    """The encoder alone: ``encode_message`` of an Identify already built."""
    message = build_identify(*identify_args)
    hot(encode_message, (message,))
