"""The example scripts run against the local server and deliver what they describe."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
from typing import Any

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
#: Seconds one example may take, start to exit (a bound, never an expectation).
RUN_TIMEOUT = 60

#: For each script: what the local server must have accepted, as (type, event or name) in order.
EXPECTED: dict[str, list[tuple[str, str | None]]] = {
    "00_setup_and_configuration.py": [("identify", None), ("track", "Signed Up")],
    "01_people_management.py": [
        ("identify", None),
        ("identify", None),
        ("identify", None),
        ("track", "User Suppressed"),
        ("track", "User Unsuppressed"),
        ("track", "User Deleted"),
    ],
    "02_event_tracking.py": [
        ("track", "Purchase Completed"),
        ("track", "Product Viewed"),
        ("track", "Product Added"),
        ("track", "Order Completed"),
        ("track", "Video Playback Started"),
        ("track", "Video Content Completed"),
        ("track", "Application Opened"),
    ],
    "03_objects_and_relationships.py": [
        ("group", None),
        ("group", None),
        ("group", None),
        ("group", None),
        ("group", None),
        ("track", "Relationship Deleted"),
        ("track", "Object Deleted"),
    ],
    "04_device_management.py": [
        ("track", "Device Created or Updated"),
        ("track", "Device Created or Updated"),
        ("track", "Device Created or Updated"),
        ("track", "Report Delivery Event"),
        ("track", "Device Deleted"),
    ],
    "05_batch_operations.py": [
        ("identify", None),
        ("identify", None),
        ("track", "Imported"),
        ("track", "Device Created or Updated"),
        ("track", "Order Completed"),
    ],
    "06_page_screen_tracking.py": [
        ("page", "Pricing"),
        ("page", "Home"),
        ("screen", "Settings"),
        ("screen", "Checkout"),
    ],
    "07_profile_aliasing.py": [
        ("page", "Landing"),
        ("track", "Newsletter Form Viewed"),
        ("identify", None),
        ("alias", None),
        ("track", "Signed Up"),
    ],
}

_SUMMARY = re.compile(r"^SUMMARY accepted=(\d+) rejected=(\d+)$", re.MULTILINE)


def _run(script: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMERIO_")}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        env=env,
        cwd=EXAMPLES.parent,
        check=False,
    )


def _received(output: str) -> list[dict[str, Any]]:
    prefix = "RECEIVED "
    return [
        json.loads(line[len(prefix) :]) for line in output.splitlines() if line.startswith(prefix)
    ]


def test_every_numbered_example_has_expectations() -> None:
    """Each numbered example script is covered by this test, and each covered one exists."""
    scripts = {path.name for path in EXAMPLES.glob("[0-9][0-9]_*.py")}
    assert scripts == set(EXPECTED)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_delivers_to_the_local_server(script: str) -> None:
    """Without CUSTOMERIO_API_KEY the example runs, and the server accepted what it describes."""
    result = _run(script)
    assert result.returncode == 0, result.stderr
    summary = _SUMMARY.findall(result.stdout)
    assert summary == [(str(len(EXPECTED[script])), "0")], result.stdout
    received = _received(result.stdout)
    assert [(m["type"], m.get("event", m.get("name"))) for m in received] == EXPECTED[script]
    assert "Traceback" not in result.stderr
