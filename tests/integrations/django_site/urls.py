"""The views of the Django site the Django integration test drives."""

from __future__ import annotations

import sys
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path

import cio_analytics


def report_failure(error: BaseException, messages: list[dict[str, Any]]) -> None:
    """``on_error``, named by a dotted path in settings.CIO_ANALYTICS."""
    print(f"UNDELIVERED {len(messages)}: {error}", file=sys.stderr)


def pricing(request: HttpRequest) -> HttpResponse:
    """A page view of an anonymous visitor."""
    cio_analytics.page(anonymous_id="anon-1", name="Pricing")
    return HttpResponse("<h1>Pricing</h1>")


def create_project(request: HttpRequest) -> HttpResponse:
    """An action of the signed-in user, and a call that names its own user and context."""
    cio_analytics.track(event="Project Created", properties={"template": "kanban"})
    cio_analytics.track(
        "someone-else", "Invited", context={"ip": "198.51.100.9", "page": {"path": "/given"}}
    )
    return HttpResponse(status=201)


async def export(request: HttpRequest) -> HttpResponse:
    """An async view: the middleware runs in async mode."""
    cio_analytics.track(event="Async Export")
    return HttpResponse("ok")


urlpatterns = [
    path("pricing", pricing),
    path("projects", create_project),
    path("export", export),
]
