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

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from cio_analytics._spec.family import (
    Check,
    EventFamily,
    Number,
    boolean,
    date_time,
    identifier,
    integer,
    mapping,
    number,
    one_of,
    text,
    text_list,
)
from cio_analytics.events import VideoEvent

__all__ = ["VideoEvents"]

_AD_TYPE: Final = one_of(("pre-roll", "mid-roll", "post-roll"))
_LOAD_TYPE: Final = one_of(("linear", "dynamic"))
_QUARTILE: Final = one_of((1, 2, 3), integer)


class VideoEvents(EventFamily):
    """The video helpers, sending through the client that ``client()`` returns.

    ``Client.video`` is an instance bound to that client; this module's
    functions are the methods of :data:`default`, bound to the default client.

    Args:
        client: A zero-argument callable returning the client to send through.

    Example::

        player = VideoEvents(lambda: my_client)
        player.playback_paused("user_1", session_id="s-1", position=42)
    """

    __slots__ = ()

    CHECKS: ClassVar[Mapping[str, Check]] = {
        "session_id": identifier,
        "content_asset_id": identifier,
        "content_asset_ids": text_list,
        "content_pod_id": identifier,
        "content_pod_ids": text_list,
        "ad_asset_id": identifier,
        "ad_pod_id": identifier,
        "ad_type": _AD_TYPE,
        "position": number,
        "total_length": number,
        "bitrate": number,
        "framerate": number,
        "video_player": text,
        "sound": number,
        "full_screen": boolean,
        "ad_enabled": boolean,
        "quality": text,
        "livestream": boolean,
        "seek_position": number,
        "method": text,
        "asset_id": identifier,
        "pod_id": identifier,
        "title": text,
        "description": text,
        "keywords": text_list,
        "season": identifier,
        "episode": identifier,
        "genre": text,
        "program": text,
        "publisher": text,
        "channel": text,
        "full_episode": boolean,
        "airdate": date_time,
        "pod_position": integer,
        "pod_length": integer,
        "type": _AD_TYPE,
        "load_type": _LOAD_TYPE,
        "content": mapping,
        "quartile": _QUARTILE,
    }

    def playback_started(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        content_asset_ids: Sequence[str] | None = None,
        content_pod_ids: Sequence[str] | None = None,
        ad_asset_id: str | int | None = None,
        ad_pod_id: str | int | None = None,
        ad_type: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        video_player: str | None = None,
        sound: Number | None = None,
        full_screen: bool | None = None,
        ad_enabled: bool | None = None,
        quality: str | None = None,
        livestream: bool | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Playback Started``: the person pressed play (a playback session began).

        This event takes the plural ``content_asset_ids`` and ``content_pod_ids``
        (everything the session will play), where the other playback events take the
        singular ids.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            content_asset_ids: The ids of the content assets the session will play.
            content_pod_ids: The ids of the content pods the session will play.
            ad_asset_id: The id of the ad playing, if any.
            ad_pod_id: The id of the ad pod (break), if any.
            ad_type: ``pre-roll``, ``mid-roll`` or ``post-roll``.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            video_player: The player's name (``youtube``, ``vimeo`` ...).
            sound: The volume, from 0 to 100.
            full_screen: Whether the player is full screen.
            ad_enabled: Whether ads are enabled (False with an ad blocker).
            quality: The quality (``hd1080``, ``720p`` ...).
            livestream: Whether it is a live stream.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.playback_started(
                "user_1", session_id="s-1", content_asset_ids=["v-1"], video_player="html5"
            )

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.PLAYBACK_STARTED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            content_asset_ids=content_asset_ids,
            content_pod_ids=content_pod_ids,
            ad_asset_id=ad_asset_id,
            ad_pod_id=ad_pod_id,
            ad_type=ad_type,
            position=position,
            total_length=total_length,
            bitrate=bitrate,
            framerate=framerate,
            video_player=video_player,
            sound=sound,
            full_screen=full_screen,
            ad_enabled=ad_enabled,
            quality=quality,
            livestream=livestream,
        )

    def playback_paused(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        content_asset_id: str | int | None = None,
        content_pod_id: str | int | None = None,
        ad_asset_id: str | int | None = None,
        ad_pod_id: str | int | None = None,
        ad_type: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        video_player: str | None = None,
        sound: Number | None = None,
        full_screen: bool | None = None,
        ad_enabled: bool | None = None,
        quality: str | None = None,
        livestream: bool | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Playback Paused``: playback was paused.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            content_asset_id: The id of the content playing.
            content_pod_id: The id of the content pod (segment) playing.
            ad_asset_id: The id of the ad playing, if any.
            ad_pod_id: The id of the ad pod (break), if any.
            ad_type: ``pre-roll``, ``mid-roll`` or ``post-roll``.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            video_player: The player's name (``youtube``, ``vimeo`` ...).
            sound: The volume, from 0 to 100.
            full_screen: Whether the player is full screen.
            ad_enabled: Whether ads are enabled (False with an ad blocker).
            quality: The quality (``hd1080``, ``720p`` ...).
            livestream: Whether it is a live stream.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.playback_paused("user_1", session_id="s-1", position=42)

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.PLAYBACK_PAUSED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            content_asset_id=content_asset_id,
            content_pod_id=content_pod_id,
            ad_asset_id=ad_asset_id,
            ad_pod_id=ad_pod_id,
            ad_type=ad_type,
            position=position,
            total_length=total_length,
            bitrate=bitrate,
            framerate=framerate,
            video_player=video_player,
            sound=sound,
            full_screen=full_screen,
            ad_enabled=ad_enabled,
            quality=quality,
            livestream=livestream,
        )

    def playback_interrupted(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        content_asset_id: str | int | None = None,
        content_pod_id: str | int | None = None,
        ad_asset_id: str | int | None = None,
        ad_pod_id: str | int | None = None,
        ad_type: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        video_player: str | None = None,
        sound: Number | None = None,
        full_screen: bool | None = None,
        ad_enabled: bool | None = None,
        quality: str | None = None,
        livestream: bool | None = None,
        method: str | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Playback Interrupted``: playback stopped unexpectedly.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            content_asset_id: The id of the content playing.
            content_pod_id: The id of the content pod (segment) playing.
            ad_asset_id: The id of the ad playing, if any.
            ad_pod_id: The id of the ad pod (break), if any.
            ad_type: ``pre-roll``, ``mid-roll`` or ``post-roll``.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            video_player: The player's name (``youtube``, ``vimeo`` ...).
            sound: The volume, from 0 to 100.
            full_screen: Whether the player is full screen.
            ad_enabled: Whether ads are enabled (False with an ad blocker).
            quality: The quality (``hd1080``, ``720p`` ...).
            livestream: Whether it is a live stream.
            method: Why playback was interrupted (``browser redirect`` ...).
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.playback_interrupted(
                "user_1", session_id="s-1", method="network error"
            )

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.PLAYBACK_INTERRUPTED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            content_asset_id=content_asset_id,
            content_pod_id=content_pod_id,
            ad_asset_id=ad_asset_id,
            ad_pod_id=ad_pod_id,
            ad_type=ad_type,
            position=position,
            total_length=total_length,
            bitrate=bitrate,
            framerate=framerate,
            video_player=video_player,
            sound=sound,
            full_screen=full_screen,
            ad_enabled=ad_enabled,
            quality=quality,
            livestream=livestream,
            method=method,
        )

    def playback_buffer_started(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        content_asset_id: str | int | None = None,
        content_pod_id: str | int | None = None,
        ad_asset_id: str | int | None = None,
        ad_pod_id: str | int | None = None,
        ad_type: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        video_player: str | None = None,
        sound: Number | None = None,
        full_screen: bool | None = None,
        ad_enabled: bool | None = None,
        quality: str | None = None,
        livestream: bool | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Playback Buffer Started``: playback started buffering.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            content_asset_id: The id of the content playing.
            content_pod_id: The id of the content pod (segment) playing.
            ad_asset_id: The id of the ad playing, if any.
            ad_pod_id: The id of the ad pod (break), if any.
            ad_type: ``pre-roll``, ``mid-roll`` or ``post-roll``.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            video_player: The player's name (``youtube``, ``vimeo`` ...).
            sound: The volume, from 0 to 100.
            full_screen: Whether the player is full screen.
            ad_enabled: Whether ads are enabled (False with an ad blocker).
            quality: The quality (``hd1080``, ``720p`` ...).
            livestream: Whether it is a live stream.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.playback_buffer_started("user_1", session_id="s-1", position=42)

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.PLAYBACK_BUFFER_STARTED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            content_asset_id=content_asset_id,
            content_pod_id=content_pod_id,
            ad_asset_id=ad_asset_id,
            ad_pod_id=ad_pod_id,
            ad_type=ad_type,
            position=position,
            total_length=total_length,
            bitrate=bitrate,
            framerate=framerate,
            video_player=video_player,
            sound=sound,
            full_screen=full_screen,
            ad_enabled=ad_enabled,
            quality=quality,
            livestream=livestream,
        )

    def playback_buffer_completed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        content_asset_id: str | int | None = None,
        content_pod_id: str | int | None = None,
        ad_asset_id: str | int | None = None,
        ad_pod_id: str | int | None = None,
        ad_type: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        video_player: str | None = None,
        sound: Number | None = None,
        full_screen: bool | None = None,
        ad_enabled: bool | None = None,
        quality: str | None = None,
        livestream: bool | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Playback Buffer Completed``: buffering finished.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            content_asset_id: The id of the content playing.
            content_pod_id: The id of the content pod (segment) playing.
            ad_asset_id: The id of the ad playing, if any.
            ad_pod_id: The id of the ad pod (break), if any.
            ad_type: ``pre-roll``, ``mid-roll`` or ``post-roll``.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            video_player: The player's name (``youtube``, ``vimeo`` ...).
            sound: The volume, from 0 to 100.
            full_screen: Whether the player is full screen.
            ad_enabled: Whether ads are enabled (False with an ad blocker).
            quality: The quality (``hd1080``, ``720p`` ...).
            livestream: Whether it is a live stream.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.playback_buffer_completed("user_1", session_id="s-1", position=42)

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.PLAYBACK_BUFFER_COMPLETED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            content_asset_id=content_asset_id,
            content_pod_id=content_pod_id,
            ad_asset_id=ad_asset_id,
            ad_pod_id=ad_pod_id,
            ad_type=ad_type,
            position=position,
            total_length=total_length,
            bitrate=bitrate,
            framerate=framerate,
            video_player=video_player,
            sound=sound,
            full_screen=full_screen,
            ad_enabled=ad_enabled,
            quality=quality,
            livestream=livestream,
        )

    def playback_seek_started(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        content_asset_id: str | int | None = None,
        content_pod_id: str | int | None = None,
        ad_asset_id: str | int | None = None,
        ad_pod_id: str | int | None = None,
        ad_type: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        video_player: str | None = None,
        sound: Number | None = None,
        full_screen: bool | None = None,
        ad_enabled: bool | None = None,
        quality: str | None = None,
        livestream: bool | None = None,
        seek_position: Number | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Playback Seek Started``: the person started seeking.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            content_asset_id: The id of the content playing.
            content_pod_id: The id of the content pod (segment) playing.
            ad_asset_id: The id of the ad playing, if any.
            ad_pod_id: The id of the ad pod (break), if any.
            ad_type: ``pre-roll``, ``mid-roll`` or ``post-roll``.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            video_player: The player's name (``youtube``, ``vimeo`` ...).
            sound: The volume, from 0 to 100.
            full_screen: Whether the player is full screen.
            ad_enabled: Whether ads are enabled (False with an ad blocker).
            quality: The quality (``hd1080``, ``720p`` ...).
            livestream: Whether it is a live stream.
            seek_position: The position, in seconds, being sought to.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.playback_seek_started(
                "user_1", session_id="s-1", position=42, seek_position=120
            )

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.PLAYBACK_SEEK_STARTED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            content_asset_id=content_asset_id,
            content_pod_id=content_pod_id,
            ad_asset_id=ad_asset_id,
            ad_pod_id=ad_pod_id,
            ad_type=ad_type,
            position=position,
            total_length=total_length,
            bitrate=bitrate,
            framerate=framerate,
            video_player=video_player,
            sound=sound,
            full_screen=full_screen,
            ad_enabled=ad_enabled,
            quality=quality,
            livestream=livestream,
            seek_position=seek_position,
        )

    def playback_seek_completed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        content_asset_id: str | int | None = None,
        content_pod_id: str | int | None = None,
        ad_asset_id: str | int | None = None,
        ad_pod_id: str | int | None = None,
        ad_type: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        video_player: str | None = None,
        sound: Number | None = None,
        full_screen: bool | None = None,
        ad_enabled: bool | None = None,
        quality: str | None = None,
        livestream: bool | None = None,
        seek_position: Number | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Playback Seek Completed``: seeking finished.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            content_asset_id: The id of the content playing.
            content_pod_id: The id of the content pod (segment) playing.
            ad_asset_id: The id of the ad playing, if any.
            ad_pod_id: The id of the ad pod (break), if any.
            ad_type: ``pre-roll``, ``mid-roll`` or ``post-roll``.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            video_player: The player's name (``youtube``, ``vimeo`` ...).
            sound: The volume, from 0 to 100.
            full_screen: Whether the player is full screen.
            ad_enabled: Whether ads are enabled (False with an ad blocker).
            quality: The quality (``hd1080``, ``720p`` ...).
            livestream: Whether it is a live stream.
            seek_position: The position, in seconds, being sought to.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.playback_seek_completed(
                "user_1", session_id="s-1", seek_position=120
            )

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.PLAYBACK_SEEK_COMPLETED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            content_asset_id=content_asset_id,
            content_pod_id=content_pod_id,
            ad_asset_id=ad_asset_id,
            ad_pod_id=ad_pod_id,
            ad_type=ad_type,
            position=position,
            total_length=total_length,
            bitrate=bitrate,
            framerate=framerate,
            video_player=video_player,
            sound=sound,
            full_screen=full_screen,
            ad_enabled=ad_enabled,
            quality=quality,
            livestream=livestream,
            seek_position=seek_position,
        )

    def playback_resumed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        content_asset_id: str | int | None = None,
        content_pod_id: str | int | None = None,
        ad_asset_id: str | int | None = None,
        ad_pod_id: str | int | None = None,
        ad_type: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        video_player: str | None = None,
        sound: Number | None = None,
        full_screen: bool | None = None,
        ad_enabled: bool | None = None,
        quality: str | None = None,
        livestream: bool | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Playback Resumed``: playback resumed after a pause.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            content_asset_id: The id of the content playing.
            content_pod_id: The id of the content pod (segment) playing.
            ad_asset_id: The id of the ad playing, if any.
            ad_pod_id: The id of the ad pod (break), if any.
            ad_type: ``pre-roll``, ``mid-roll`` or ``post-roll``.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            video_player: The player's name (``youtube``, ``vimeo`` ...).
            sound: The volume, from 0 to 100.
            full_screen: Whether the player is full screen.
            ad_enabled: Whether ads are enabled (False with an ad blocker).
            quality: The quality (``hd1080``, ``720p`` ...).
            livestream: Whether it is a live stream.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.playback_resumed("user_1", session_id="s-1", position=42)

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.PLAYBACK_RESUMED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            content_asset_id=content_asset_id,
            content_pod_id=content_pod_id,
            ad_asset_id=ad_asset_id,
            ad_pod_id=ad_pod_id,
            ad_type=ad_type,
            position=position,
            total_length=total_length,
            bitrate=bitrate,
            framerate=framerate,
            video_player=video_player,
            sound=sound,
            full_screen=full_screen,
            ad_enabled=ad_enabled,
            quality=quality,
            livestream=livestream,
        )

    def playback_completed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        content_asset_id: str | int | None = None,
        content_pod_id: str | int | None = None,
        ad_asset_id: str | int | None = None,
        ad_pod_id: str | int | None = None,
        ad_type: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        video_player: str | None = None,
        sound: Number | None = None,
        full_screen: bool | None = None,
        ad_enabled: bool | None = None,
        quality: str | None = None,
        livestream: bool | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Playback Completed``: playback reached the end.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            content_asset_id: The id of the content playing.
            content_pod_id: The id of the content pod (segment) playing.
            ad_asset_id: The id of the ad playing, if any.
            ad_pod_id: The id of the ad pod (break), if any.
            ad_type: ``pre-roll``, ``mid-roll`` or ``post-roll``.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            video_player: The player's name (``youtube``, ``vimeo`` ...).
            sound: The volume, from 0 to 100.
            full_screen: Whether the player is full screen.
            ad_enabled: Whether ads are enabled (False with an ad blocker).
            quality: The quality (``hd1080``, ``720p`` ...).
            livestream: Whether it is a live stream.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.playback_completed("user_1", session_id="s-1", position=600)

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.PLAYBACK_COMPLETED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            content_asset_id=content_asset_id,
            content_pod_id=content_pod_id,
            ad_asset_id=ad_asset_id,
            ad_pod_id=ad_pod_id,
            ad_type=ad_type,
            position=position,
            total_length=total_length,
            bitrate=bitrate,
            framerate=framerate,
            video_player=video_player,
            sound=sound,
            full_screen=full_screen,
            ad_enabled=ad_enabled,
            quality=quality,
            livestream=livestream,
        )

    def playback_exited(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        content_asset_id: str | int | None = None,
        content_pod_id: str | int | None = None,
        ad_asset_id: str | int | None = None,
        ad_pod_id: str | int | None = None,
        ad_type: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        video_player: str | None = None,
        sound: Number | None = None,
        full_screen: bool | None = None,
        ad_enabled: bool | None = None,
        quality: str | None = None,
        livestream: bool | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Playback Exited``: the person left playback (closed the player or page).

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            content_asset_id: The id of the content playing.
            content_pod_id: The id of the content pod (segment) playing.
            ad_asset_id: The id of the ad playing, if any.
            ad_pod_id: The id of the ad pod (break), if any.
            ad_type: ``pre-roll``, ``mid-roll`` or ``post-roll``.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            video_player: The player's name (``youtube``, ``vimeo`` ...).
            sound: The volume, from 0 to 100.
            full_screen: Whether the player is full screen.
            ad_enabled: Whether ads are enabled (False with an ad blocker).
            quality: The quality (``hd1080``, ``720p`` ...).
            livestream: Whether it is a live stream.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.playback_exited("user_1", session_id="s-1", position=300)

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.PLAYBACK_EXITED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            content_asset_id=content_asset_id,
            content_pod_id=content_pod_id,
            ad_asset_id=ad_asset_id,
            ad_pod_id=ad_pod_id,
            ad_type=ad_type,
            position=position,
            total_length=total_length,
            bitrate=bitrate,
            framerate=framerate,
            video_player=video_player,
            sound=sound,
            full_screen=full_screen,
            ad_enabled=ad_enabled,
            quality=quality,
            livestream=livestream,
        )

    def content_started(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        asset_id: str | int | None = None,
        pod_id: str | int | None = None,
        title: str | None = None,
        description: str | None = None,
        keywords: Sequence[str] | None = None,
        season: str | int | None = None,
        episode: str | int | None = None,
        genre: str | None = None,
        program: str | None = None,
        publisher: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        channel: str | None = None,
        full_episode: bool | None = None,
        livestream: bool | None = None,
        airdate: str | dt.date | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Content Started``: a content segment started playing.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            asset_id: The content's id.
            pod_id: The pod's (segment's) id.
            title: The title.
            description: A short description.
            keywords: Keywords describing the content.
            season: The season (sent as a str, as documented).
            episode: The episode (sent as a str, as documented).
            genre: The genre.
            program: The program or show.
            publisher: The publisher.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            channel: The channel it is shown on.
            full_episode: Whether it is a full episode (rather than a clip).
            livestream: Whether it is a live stream.
            airdate: When it first aired (a date, datetime or ISO-8601 str; sent as
                ISO-8601).
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.content_started(
                "user_1", session_id="s-1", asset_id="v-1", title="Pilot"
            )

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.CONTENT_STARTED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            asset_id=asset_id,
            pod_id=pod_id,
            title=title,
            description=description,
            keywords=keywords,
            season=season,
            episode=episode,
            genre=genre,
            program=program,
            publisher=publisher,
            position=position,
            total_length=total_length,
            channel=channel,
            full_episode=full_episode,
            livestream=livestream,
            airdate=airdate,
            bitrate=bitrate,
            framerate=framerate,
        )

    def content_playing(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        asset_id: str | int | None = None,
        pod_id: str | int | None = None,
        title: str | None = None,
        description: str | None = None,
        keywords: Sequence[str] | None = None,
        season: str | int | None = None,
        episode: str | int | None = None,
        genre: str | None = None,
        program: str | None = None,
        publisher: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        channel: str | None = None,
        full_episode: bool | None = None,
        livestream: bool | None = None,
        airdate: str | dt.date | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Content Playing``: content is playing (a periodic heartbeat).

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            asset_id: The content's id.
            pod_id: The pod's (segment's) id.
            title: The title.
            description: A short description.
            keywords: Keywords describing the content.
            season: The season (sent as a str, as documented).
            episode: The episode (sent as a str, as documented).
            genre: The genre.
            program: The program or show.
            publisher: The publisher.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            channel: The channel it is shown on.
            full_episode: Whether it is a full episode (rather than a clip).
            livestream: Whether it is a live stream.
            airdate: When it first aired (a date, datetime or ISO-8601 str; sent as
                ISO-8601).
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.content_playing(
                "user_1", session_id="s-1", asset_id="v-1", position=30
            )

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.CONTENT_PLAYING,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            asset_id=asset_id,
            pod_id=pod_id,
            title=title,
            description=description,
            keywords=keywords,
            season=season,
            episode=episode,
            genre=genre,
            program=program,
            publisher=publisher,
            position=position,
            total_length=total_length,
            channel=channel,
            full_episode=full_episode,
            livestream=livestream,
            airdate=airdate,
            bitrate=bitrate,
            framerate=framerate,
        )

    def content_completed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        asset_id: str | int | None = None,
        pod_id: str | int | None = None,
        title: str | None = None,
        description: str | None = None,
        keywords: Sequence[str] | None = None,
        season: str | int | None = None,
        episode: str | int | None = None,
        genre: str | None = None,
        program: str | None = None,
        publisher: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        channel: str | None = None,
        full_episode: bool | None = None,
        livestream: bool | None = None,
        airdate: str | dt.date | None = None,
        bitrate: Number | None = None,
        framerate: Number | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Content Completed``: a content segment finished.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            asset_id: The content's id.
            pod_id: The pod's (segment's) id.
            title: The title.
            description: A short description.
            keywords: Keywords describing the content.
            season: The season (sent as a str, as documented).
            episode: The episode (sent as a str, as documented).
            genre: The genre.
            program: The program or show.
            publisher: The publisher.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            channel: The channel it is shown on.
            full_episode: Whether it is a full episode (rather than a clip).
            livestream: Whether it is a live stream.
            airdate: When it first aired (a date, datetime or ISO-8601 str; sent as
                ISO-8601).
            bitrate: The bitrate, in kbps.
            framerate: The frame rate, in frames per second.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.content_completed(
                "user_1", session_id="s-1", asset_id="v-1", position=600
            )

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.CONTENT_COMPLETED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            asset_id=asset_id,
            pod_id=pod_id,
            title=title,
            description=description,
            keywords=keywords,
            season=season,
            episode=episode,
            genre=genre,
            program=program,
            publisher=publisher,
            position=position,
            total_length=total_length,
            channel=channel,
            full_episode=full_episode,
            livestream=livestream,
            airdate=airdate,
            bitrate=bitrate,
            framerate=framerate,
        )

    def ad_started(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        asset_id: str | int | None = None,
        pod_id: str | int | None = None,
        pod_position: int | None = None,
        pod_length: int | None = None,
        type: str | None = None,
        title: str | None = None,
        publisher: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        load_type: str | None = None,
        content: Mapping[str, Any] | None = None,
        quartile: int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Ad Started``: an ad started playing.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            asset_id: The content's id.
            pod_id: The pod's (segment's) id.
            pod_position: The ad's position in its pod (1-based).
            pod_length: How many ads the pod holds.
            type: The ad type (``pre-roll``, ``mid-roll``, ``post-roll``).
            title: The title.
            publisher: The publisher.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            load_type: ``linear`` (same ad for everyone) or ``dynamic`` (targeted).
            content: The content the ad plays in (content event properties).
            quartile: The quartile reached: 1, 2 or 3.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.ad_started(
                "user_1", session_id="s-1", asset_id="ad-1", type="pre-roll"
            )

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.AD_STARTED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            asset_id=asset_id,
            pod_id=pod_id,
            pod_position=pod_position,
            pod_length=pod_length,
            type=type,
            title=title,
            publisher=publisher,
            position=position,
            total_length=total_length,
            load_type=load_type,
            content=content,
            quartile=quartile,
        )

    def ad_playing(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        asset_id: str | int | None = None,
        pod_id: str | int | None = None,
        pod_position: int | None = None,
        pod_length: int | None = None,
        type: str | None = None,
        title: str | None = None,
        publisher: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        load_type: str | None = None,
        content: Mapping[str, Any] | None = None,
        quartile: int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Ad Playing``: an ad is playing (a heartbeat, or a quartile reached).

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            asset_id: The content's id.
            pod_id: The pod's (segment's) id.
            pod_position: The ad's position in its pod (1-based).
            pod_length: How many ads the pod holds.
            type: The ad type (``pre-roll``, ``mid-roll``, ``post-roll``).
            title: The title.
            publisher: The publisher.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            load_type: ``linear`` (same ad for everyone) or ``dynamic`` (targeted).
            content: The content the ad plays in (content event properties).
            quartile: The quartile reached: 1, 2 or 3.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.ad_playing("user_1", session_id="s-1", asset_id="ad-1", quartile=2)

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.AD_PLAYING,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            asset_id=asset_id,
            pod_id=pod_id,
            pod_position=pod_position,
            pod_length=pod_length,
            type=type,
            title=title,
            publisher=publisher,
            position=position,
            total_length=total_length,
            load_type=load_type,
            content=content,
            quartile=quartile,
        )

    def ad_completed(
        self,
        user_id: str | int | None = None,
        *,
        anonymous_id: str | int | None = None,
        session_id: str | int | None = None,
        asset_id: str | int | None = None,
        pod_id: str | int | None = None,
        pod_position: int | None = None,
        pod_length: int | None = None,
        type: str | None = None,
        title: str | None = None,
        publisher: str | None = None,
        position: Number | None = None,
        total_length: Number | None = None,
        load_type: str | None = None,
        content: Mapping[str, Any] | None = None,
        quartile: int | None = None,
        properties: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        timestamp: Any = None,
        integrations: Mapping[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        """Track ``Video Ad Completed``: an ad finished.

        Args:
            user_id: The person's id (or give ``anonymous_id``).
            session_id: Ties together every event of one playback session.
            asset_id: The content's id.
            pod_id: The pod's (segment's) id.
            pod_position: The ad's position in its pod (1-based).
            pod_length: How many ads the pod holds.
            type: The ad type (``pre-roll``, ``mid-roll``, ``post-roll``).
            title: The title.
            publisher: The publisher.
            position: The playhead position, in seconds.
            total_length: The total length, in seconds.
            load_type: ``linear`` (same ad for everyone) or ``dynamic`` (targeted).
            content: The content the ad plays in (content event properties).
            quartile: The quartile reached: 1, 2 or 3.
            properties: More properties, sent alongside the documented ones.
            anonymous_id, context, timestamp, integrations, message_id: As for
                :meth:`cio_analytics.Client.track`.

        Example::

            analytics.video.ad_completed("user_1", session_id="s-1", asset_id="ad-1")

        Returns:
            The message id.
        """
        return self._send(
            VideoEvent.AD_COMPLETED,
            user_id,
            anonymous_id,
            properties,
            context,
            timestamp,
            integrations,
            message_id,
            session_id=session_id,
            asset_id=asset_id,
            pod_id=pod_id,
            pod_position=pod_position,
            pod_length=pod_length,
            type=type,
            title=title,
            publisher=publisher,
            position=position,
            total_length=total_length,
            load_type=load_type,
            content=content,
            quartile=quartile,
        )


#: The helpers bound to the default client (``cio_analytics.get_client()``).
