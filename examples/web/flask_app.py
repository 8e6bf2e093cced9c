"""A Flask app that tracks from its request handlers, with the request scope of the Flask extension.

Configuration comes from the environment, which the library reads by itself:
``CUSTOMERIO_API_KEY`` (the write key), and ``CUSTOMERIO_REGION`` or
``CUSTOMERIO_HOST``; more settings can go in ``app.config["CIO_ANALYTICS"]``.
Nothing is sent while a request waits: each call validates, encodes and
queues in microseconds, and a background thread delivers in batches.

``CioAnalytics(app)`` opens a ``cio_analytics.scope()`` around every request,
so the handlers' calls carry ``context.ip``, ``context.userAgent`` and
``context.page`` without passing them, and the signed-in user's id (here from
a header; from the session in a real app) when a call gives none.

Flushing at shutdown: the library registers an ``atexit`` hook that flushes
the queue (bounded by ``shutdown_timeout``) when the process exits, which is
how a Flask process ends (the development server, gunicorn and uwsgi workers
alike). For gunicorn see ``gunicorn.conf.py`` and ``gunicorn_prefork.md``
beside this file.

Run it::

    CUSTOMERIO_API_KEY=... flask --app examples/web/flask_app.py run

    curl -X POST localhost:5000/signup -H 'Content-Type: application/json' \\
         -d '{"email": "ada@example.com", "plan": "pro"}'
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Flask, Request, Response, jsonify, request

import cio_analytics as analytics
from cio_analytics.integrations.flask import CioAnalytics

logger = logging.getLogger(__name__)


def report_failure(error: BaseException, messages: list[dict[str, Any]]) -> None:
    """Log every message that could not be delivered (the library calls this)."""
    logger.warning("Customer.io: %d message(s) not delivered: %s", len(messages), error)


def signed_in_user(req: Request) -> str | None:
    """The signed-in user's id (a header here; ``current_user.get_id()`` with Flask-Login)."""
    return req.headers.get("X-User-Id")


def create_app() -> Flask:
    """Build the app: settings in ``app.config``, the extension, the handlers."""
    app = Flask(__name__)
    # The keys are cio_analytics.configure()'s; trusted_proxies=1 behind one reverse proxy.
    app.config["CIO_ANALYTICS"] = {"on_error": report_failure}
    CioAnalytics(app, user_id=signed_in_user)

    @app.post("/signup")
    def signup() -> tuple[Response, int]:
        """Create an account: identify the new person, then track the sign-up."""
        body = request.get_json(silent=True) or {}
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email:
            return jsonify(error="an email is required"), 400
        user_id = f"user-{uuid.uuid4().hex[:12]}"
        plan = body.get("plan", "free")
        analytics.identify(user_id, {"email": email, "plan": plan})  # ip, userAgent: the scope's
        analytics.track(user_id, "Signed Up", {"plan": plan})
        return jsonify(user_id=user_id), 201

    @app.post("/projects")
    def create_project() -> tuple[Response, int]:
        """An action of the signed-in user: the scope gives the user id."""
        if signed_in_user(request) is None:
            return jsonify(error="sign in first"), 401
        body = request.get_json(silent=True) or {}
        project_id = f"prj-{uuid.uuid4().hex[:8]}"
        template = body.get("template", "blank")
        properties = {"project_id": project_id, "template": template}
        analytics.track(event="Project Created", properties=properties)
        return jsonify(project_id=project_id), 201

    @app.get("/pricing")
    def pricing() -> str:
        """A page view, for a known user or an anonymous visitor (context.page from the scope)."""
        anonymous_id = None if signed_in_user(request) else request.cookies.get("anon_id", "anon")
        analytics.page(name="Pricing", anonymous_id=anonymous_id)
        return "<h1>Pricing</h1>"

    return app


app = create_app()

if __name__ == "__main__":
    app.run(debug=False)
