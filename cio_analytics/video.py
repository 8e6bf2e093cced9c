"""Video semantic events: playback, content and ad helpers, one per event.

Each helper sends one ``track`` call named after its event (see
:class:`~cio_analytics.events.VideoEvent`), so it is validated, queued and
batched like any other call. Use the helpers through a client, or at module
level, where they send through the default client::

    import cio_analytics as analytics

    analytics.video.playback_started("user_1", session_id="s-1", content_asset_ids=["v-1"])

    with analytics.Client(write_key="...") as client:
        client.video.content_playing("user_1", session_id="s-1", asset_id="v-1", position=30)

The three families share ``session_id``, which ties every event of one playback
together. Playback events describe the player, content events the programme,
ad events the ads. The documented property keys are keyword-only arguments
with their wire names (snake_case); arguments left as None are not sent;
``properties`` carries any other keys, and a documented argument wins over the
same key in it.

Customer.io documents that its video spec covers playback, content and ad
events (with ``Video Playback Started`` as its example); the other names, the
keys and their types follow Segment's video spec, which it is derived from.
Choices where that spec is loose: positions and lengths are numbers of seconds
(floats allowed); ``season`` and ``episode`` are sent as strings;
``airdate`` accepts a date or datetime and is sent as ISO-8601; ``ad_type``,
``type``, ``load_type`` and ``quartile`` are checked against their documented
values.
"""

from cio_analytics._api import get_client
from cio_analytics._spec.video import VideoEvents

__all__ = [
    "VideoEvents",
    "ad_completed",
    "ad_playing",
    "ad_started",
    "content_completed",
    "content_playing",
    "content_started",
    "default",
    "playback_buffer_completed",
    "playback_buffer_started",
    "playback_completed",
    "playback_exited",
    "playback_interrupted",
    "playback_paused",
    "playback_resumed",
    "playback_seek_completed",
    "playback_seek_started",
    "playback_started",
]

#: The helpers bound to the default client (the one ``cio_analytics.track`` uses).
default = VideoEvents(get_client)

playback_started = default.playback_started
playback_paused = default.playback_paused
playback_interrupted = default.playback_interrupted
playback_buffer_started = default.playback_buffer_started
playback_buffer_completed = default.playback_buffer_completed
playback_seek_started = default.playback_seek_started
playback_seek_completed = default.playback_seek_completed
playback_resumed = default.playback_resumed
playback_completed = default.playback_completed
playback_exited = default.playback_exited
content_started = default.content_started
content_playing = default.content_playing
content_completed = default.content_completed
ad_started = default.ad_started
ad_playing = default.ad_playing
ad_completed = default.ad_completed
