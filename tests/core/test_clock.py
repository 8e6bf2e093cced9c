"""Timestamps and message ids made on the caller's thread."""

from __future__ import annotations

import datetime as dt
import re

from freezegun import freeze_time

from cio_analytics._wire.clock import format_timestamp, new_message_id, now_timestamp

_ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")
_UUID8 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class TestTimestamps:
    """ISO-8601 with milliseconds and an explicit offset."""

    def test_now_has_milliseconds_and_offset(self) -> None:
        """The current time is formatted with three fraction digits and +00:00."""
        assert _ISO_MS.match(now_timestamp())

    def test_now_follows_a_frozen_clock(self) -> None:
        """now_timestamp reads the wall clock at each call (freezegun controls it)."""
        with freeze_time("2024-02-29 23:59:59.987654"):
            assert now_timestamp() == "2024-02-29T23:59:59.987+00:00"
        with freeze_time("2024-03-01 00:00:00.001"):
            assert now_timestamp() == "2024-03-01T00:00:00.001+00:00"

    def test_naive_datetime_is_utc(self) -> None:
        """A naive datetime is taken as UTC."""
        assert format_timestamp(dt.datetime(2024, 1, 2, 3, 4, 5, 678901)) == (
            "2024-01-02T03:04:05.678+00:00"
        )

    def test_aware_datetime_keeps_its_offset(self) -> None:
        """An aware datetime keeps its own offset."""
        tz = dt.timezone(dt.timedelta(hours=-5))
        assert format_timestamp(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=tz)) == (
            "2024-01-02T03:04:05.000-05:00"
        )


class TestMessageIds:
    """Unique, UUID-shaped message ids."""

    def test_shape_is_uuid_version_8(self) -> None:
        """Ids look like RFC 9562 version-8 UUIDs."""
        assert _UUID8.match(new_message_id())

    def test_ids_are_unique(self) -> None:
        """Many ids in a row never repeat."""
        ids = {new_message_id() for _ in range(50_000)}
        assert len(ids) == 50_000
