"""Drive the Django site with Django's test clients, in a process of its own.

Run by the test as ``python drive.py`` with ``DJANGO_SETTINGS_MODULE=settings``.
It prints one JSON line (the user's pk, the status codes, what the library
holds) and exits without flushing: the library's exit hook must deliver.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import django
import urls
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import AsyncClient, Client

import cio_analytics
from cio_analytics import _process

AGENT = "integration-test/1.0"
PEER = "192.0.2.10"


async def _async_request(user: Any) -> int:
    client = AsyncClient(REMOTE_ADDR=PEER, HTTP_USER_AGENT=AGENT)
    await client.aforce_login(user)
    response = await client.get("/export")
    return int(response.status_code)


def main() -> None:
    """Make the requests, print what the test asserts on, and exit without flushing."""
    django.setup()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("ada")
    client = Client(REMOTE_ADDR=PEER, HTTP_USER_AGENT=AGENT)
    statuses = {
        "anonymous": client.get("/pricing?token=secret", HTTP_REFERER="https://ref.example/a?b=c"),
        "other_host": client.get("/pricing", HTTP_HOST="not-allowed.example"),
    }
    client.force_login(user)
    statuses["signed_in"] = client.post(
        "/projects", HTTP_X_FORWARDED_FOR="203.0.113.66, 203.0.113.7"
    )
    codes = {name: response.status_code for name, response in statuses.items()}
    codes["async"] = asyncio.run(_async_request(user))
    print(
        json.dumps(
            {
                "user_pk": user.pk,
                "statuses": codes,
                "pending": cio_analytics.stats().pending,
                "on_error_from_settings": cio_analytics.get_client().settings.on_error
                is urls.report_failure,
                "library_sigterm_handler": _process.sigterm_guarded(),
            }
        )
    )


if __name__ == "__main__":
    main()
