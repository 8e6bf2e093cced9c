"""A single-file Django project that tracks from its views, with the Django integration.

Configuration comes from the environment, which the library reads by itself:
``CUSTOMERIO_API_KEY`` (the write key), and ``CUSTOMERIO_REGION`` or
``CUSTOMERIO_HOST``. More settings go in the ``CIO_ANALYTICS`` dict of the
settings (the keyword names of ``cio_analytics.configure()``), which the app
config ``CioAnalyticsConfig`` applies when Django starts.

``RequestScopeMiddleware`` opens a ``cio_analytics.scope()`` around every
request: the views' calls carry ``context.ip``, ``context.userAgent`` and
``context.page`` without passing them. In a project with
``django.contrib.auth`` (and the middleware after ``AuthenticationMiddleware``)
the signed-in user's ``pk`` becomes the default ``user_id`` too; this
single-file example has no database, so its views name the user.

Flushing at shutdown: Django has no shutdown hook, and needs none here. The
library registers an ``atexit`` hook that delivers what is queued (bounded by
``shutdown_timeout``) when the process exits: runserver, gunicorn and uwsgi
workers, and management commands all end that way. Views only queue, so a
request never waits for Customer.io.

Run it::

    CUSTOMERIO_API_KEY=... python examples/web/django_app.py runserver
"""

from __future__ import annotations

import json
import logging
import os
import sys
import uuid
from typing import Any

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

import cio_analytics as analytics

logger = logging.getLogger(__name__)


def report_failure(error: BaseException, messages: list[dict[str, Any]]) -> None:
    """Log every message that could not be delivered (the library calls this)."""
    logger.warning("Customer.io: %d message(s) not delivered: %s", len(messages), error)


if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "example-only-not-a-secret"),
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["localhost", "127.0.0.1", "testserver"],
        INSTALLED_APPS=["cio_analytics.integrations.django.CioAnalyticsConfig"],
        MIDDLEWARE=["cio_analytics.integrations.django.RequestScopeMiddleware"],
        # A settings.py module names on_error by a dotted path ("myproject.analytics.report").
        CIO_ANALYTICS={"on_error": report_failure, "trusted_proxies": 0},
        USE_TZ=True,
    )
    django.setup()


def _json(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@require_POST
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account: identify the person, then track the sign-up."""
    body = _json(request)
    email = body.get("email")
    if not isinstance(email, str) or "@" not in email:
        return JsonResponse({"error": "an email is required"}, status=400)
    user_id = f"user-{uuid.uuid4().hex[:12]}"
    plan = body.get("plan", "free")
    analytics.identify(user_id, {"email": email, "plan": plan})  # ip, userAgent: the scope's
    analytics.track(user_id, "Signed Up", {"plan": plan})
    return JsonResponse({"user_id": user_id}, status=201)


@require_POST
def create_project(request: HttpRequest) -> HttpResponse:
    """An action of a signed-in user (``request.user.pk`` in a real project)."""
    user_id = request.headers.get("X-User-Id")
    if not user_id:
        return JsonResponse({"error": "sign in first"}, status=401)
    project_id = f"prj-{uuid.uuid4().hex[:8]}"
    template = _json(request).get("template", "blank")
    analytics.track(user_id, "Project Created", {"project_id": project_id, "template": template})
    return JsonResponse({"project_id": project_id}, status=201)


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    """A page view, for a known user or an anonymous visitor."""
    user_id = request.headers.get("X-User-Id")
    anonymous_id = None if user_id else request.COOKIES.get("anon_id", "anon-unknown")
    analytics.page(user_id, name="Pricing", anonymous_id=anonymous_id)  # context.page: the scope
    return HttpResponse("<h1>Pricing</h1>")


urlpatterns = [
    path("signup", signup),
    path("projects", create_project),
    path("pricing", pricing),
]


#: The WSGI entry point (``gunicorn --chdir examples/web django_app:application``).
application = get_wsgi_application()


if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
