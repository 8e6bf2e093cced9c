"""Video helpers: playback, content and ad events, one helper per VideoEvent."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import pytest

from cio_analytics import Client, VideoEvent, video
from cio_analytics._spec.table import SEMANTIC_EVENTS
from cio_analytics.errors import ArgumentTypeError, ValidationError
from cio_analytics.testing import LocalServer
from cio_analytics.video import VideoEvents

from ._support import delivered, delivered_one, nothing_sent

_COMMON = {"self", "user_id", "anonymous_id", "properties", "context", "timestamp",
           "integrations", "message_id"}  # fmt: skip


@pytest.mark.parametrize("event", list(VideoEvent), ids=lambda e: e.name)
def test_every_event_has_a_helper(event: VideoEvent) -> None:
    """Each VideoEvent has a method of the same name, and a module-level function."""
    name = event.name.lower()
    assert callable(getattr(VideoEvents, name))
    assert getattr(video, name) == getattr(video.default, name)
    assert name in video.__all__


@pytest.mark.parametrize("event", list(VideoEvent), ids=lambda e: e.name)
def test_helper_sends_its_event(
    cio_client: Client, cio_server: LocalServer, event: VideoEvent
) -> None:
    """Called with a session id, each helper sends a track call named after its event."""
    getattr(cio_client.video, event.name.lower())("user_1", session_id="s-1")
    assert delivered_one(cio_client, cio_server) == {
        "type": "track",
        "userId": "user_1",
        "event": event.value,
        "properties": {"session_id": "s-1"},
    }


@pytest.mark.parametrize("event", list(VideoEvent), ids=lambda e: e.name)
def test_documented_keys_are_keyword_only(event: VideoEvent) -> None:
    """Every documented property is a keyword-only argument with a None default and a check."""
    signature = inspect.signature(getattr(VideoEvents, event.name.lower()))
    documented = [p for p in signature.parameters.values() if p.name not in _COMMON]
    assert "session_id" in {p.name for p in documented}
    for parameter in documented:
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default is None
        assert parameter.name in {p.name for p in SEMANTIC_EVENTS[event].properties}


def test_playback_started_uses_plural_asset_ids(
    cio_client: Client, cio_server: LocalServer
) -> None:
    """Video Playback Started takes content_asset_ids and content_pod_ids lists, as documented."""
    parameters = inspect.signature(VideoEvents.playback_started).parameters
    assert "content_asset_ids" in parameters
    assert "content_asset_id" not in parameters
    cio_client.video.playback_started(
        "user_1",
        session_id="s-1",
        content_asset_ids=("v-1", "v-2"),
        content_pod_ids=["pod-1"],
        ad_type="pre-roll",
        position=0,
        total_length=392.5,
        sound=88,
        full_screen=False,
        livestream=False,
        video_player="html5",
    )
    assert delivered_one(cio_client, cio_server)["properties"] == {
        "session_id": "s-1",
        "content_asset_ids": ["v-1", "v-2"],
        "content_pod_ids": ["pod-1"],
        "ad_type": "pre-roll",
        "position": 0,
        "total_length": 392.5,
        "sound": 88,
        "full_screen": False,
        "livestream": False,
        "video_player": "html5",
    }


def test_content_and_ad_payloads(cio_client: Client, cio_server: LocalServer) -> None:
    """Content keywords, season and airdate, and an ad's type, quartile and content are sent."""
    cio_client.video.content_playing(
        "user_1",
        session_id="s-1",
        asset_id=42,
        title="Pilot",
        keywords=["drama", "mystery"],
        season=1,
        episode="7",
        airdate=dt.date(2024, 3, 1),
        full_episode=True,
        position=30,
    )
    cio_client.video.ad_playing(
        "user_1",
        session_id="s-1",
        asset_id="ad-1",
        type="mid-roll",
        load_type="dynamic",
        quartile=2,
        content={"asset_id": "42", "title": "Pilot"},
    )
    content, ad = delivered(cio_client, cio_server, 2)
    assert content["properties"] == {
        "session_id": "s-1",
        "asset_id": "42",
        "title": "Pilot",
        "keywords": ["drama", "mystery"],
        "season": "1",
        "episode": "7",
        "airdate": "2024-03-01",
        "full_episode": True,
        "position": 30,
    }
    assert ad["event"] == "Video Ad Playing"
    assert ad["properties"] == {
        "session_id": "s-1",
        "asset_id": "ad-1",
        "type": "mid-roll",
        "load_type": "dynamic",
        "quartile": 2,
        "content": {"asset_id": "42", "title": "Pilot"},
    }


@pytest.mark.parametrize(
    ("helper", "kwargs", "error", "argument"),
    [
        ("playback_paused", {"ad_type": "half-roll"}, ValidationError, "ad_type"),
        ("ad_started", {"type": "banner"}, ValidationError, "type"),
        ("ad_started", {"load_type": "static"}, ValidationError, "load_type"),
        ("ad_playing", {"quartile": 4}, ValidationError, "quartile"),
        ("ad_playing", {"quartile": "2"}, ArgumentTypeError, "quartile"),
        ("content_started", {"airdate": "yesterday"}, ValidationError, "airdate"),
        ("content_started", {"keywords": "drama"}, ArgumentTypeError, "keywords"),
        ("content_started", {"keywords": ["drama", 3]}, ArgumentTypeError, "keywords"),
        ("playback_paused", {"position": "42"}, ArgumentTypeError, "position"),
        ("playback_paused", {"full_screen": 1}, ArgumentTypeError, "full_screen"),
        ("playback_started", {"content_asset_ids": "v-1"}, ArgumentTypeError, "content_asset_ids"),
    ],
)
def test_bad_values_are_refused_at_the_call(
    cio_client: Client,
    cio_server: LocalServer,
    helper: str,
    kwargs: dict[str, Any],
    error: type[Exception],
    argument: str,
) -> None:
    """A documented value of the wrong type or outside its set raises an error naming it."""
    with pytest.raises(error) as info:
        getattr(cio_client.video, helper)("user_1", **kwargs)
    assert info.value.argument == argument  # type: ignore[attr-defined]
    assert nothing_sent(cio_client, cio_server)


def test_module_level_helpers_use_the_default_client(
    default_client: Client, cio_server: LocalServer
) -> None:
    """cio_analytics.video.<helper> sends through the default client."""
    video.playback_completed("user_1", session_id="s-9", position=600, total_length=600)
    assert delivered_one(default_client, cio_server) == {
        "type": "track",
        "userId": "user_1",
        "event": "Video Playback Completed",
        "properties": {"session_id": "s-9", "position": 600, "total_length": 600},
    }
