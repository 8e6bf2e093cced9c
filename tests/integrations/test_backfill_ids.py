"""The stable ids of imported lines: the same as uuid5 always gave (resumes across versions)."""

from __future__ import annotations

import uuid

import pytest

from cio_analytics.integrations.backfill import stable_id

#: The namespace every cio-analytics version has derived line ids in.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/cio-analytics/import")


@pytest.mark.parametrize(
    ("line", "text"),
    [
        (1, '{"type":"track","userId":"u1","event":"Signed Up"}'),
        (10**9, "x" * 5000),
        ("3:17", "caf\u00e9 \u2028 \U0001f600"),
        (0, ""),
    ],
)
def test_stable_id_is_uuid5_of_line_and_text(line: int | str, text: str) -> None:
    """The fast spelling gives exactly uuid.uuid5(namespace, f"{line}\\x00{text}")."""
    assert stable_id(line, text) == str(uuid.uuid5(NAMESPACE, f"{line}\x00{text}"))


def test_a_known_id_never_changes() -> None:
    """A fixed line keeps the id earlier versions sent (Customer.io deduplicates on it)."""
    assert stable_id(7, '{"type":"track"}') == "cb42b209-adae-55d6-b39a-87e976239e3e"
