"""A Flask app that tracks from its request handlers.

Configuration comes from the environment, which the library reads by itself:
``CUSTOMERIO_API_KEY`` (the write key), and ``CUSTOMERIO_REGION`` or
``CUSTOMERIO_HOST``. Nothing is sent while a request waits: each call
validates, encodes and queues in microseconds, and a background thread
delivers in batches.

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

from flask import Flask, Response, jsonify, request

import cio_analytics as analytics

logger = logging.getLogger(__name__)


def report_failure(error: BaseException, messages: list[dict[str, Any]]) -> None:
    """Log every message that could not be delivered (the library calls this)."""
    logger.warning("Customer.io: %d message(s) not delivered: %s", len(messages), error)


def create_app() -> Flask:
    """Build the app; the library needs no set-up beyond the environment."""
    analytics.on_error = report_failure
    app = Flask(__name__)

    @app.post("/signup")
    def signup() -> tuple[Response, int]:
        """Create an account: identify the person, then track the sign-up."""
        body = request.get_json(silent=True) or {}
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email:
            return jsonify(error="an email is required"), 400
        user_id = f"user-{uuid.uuid4().hex[:12]}"
        plan = body.get("plan", "free")
        context = {"ip": request.remote_addr, "userAgent": request.user_agent.string}
        analytics.identify(user_id, {"email": email, "plan": plan}, context=context)
        analytics.track(user_id, "Signed Up", {"plan": plan}, context=context)
        return jsonify(user_id=user_id), 201

    @app.post("/projects")
    def create_project() -> tuple[Response, int]:
        """An action of a signed-in user (the id comes from a header here, a session in life)."""
        user_id = request.headers.get("X-User-Id")
        if not user_id:
            return jsonify(error="sign in first"), 401
        body = request.get_json(silent=True) or {}
        project_id = f"prj-{uuid.uuid4().hex[:8]}"
        analytics.track(
            user_id,
            "Project Created",
            {"project_id": project_id, "template": body.get("template", "blank")},
        )
        return jsonify(project_id=project_id), 201

    @app.get("/pricing")
    def pricing() -> str:
        """A page view, for a known user or an anonymous visitor."""
        user_id = request.headers.get("X-User-Id")
        anonymous_id = None if user_id else request.cookies.get("anon_id", "anon-unknown")
        analytics.page(
            user_id,
            name="Pricing",
            properties={"url": request.url, "path": request.path},
            anonymous_id=anonymous_id,
        )
        return "<h1>Pricing</h1>"

    return app


app = create_app()

if __name__ == "__main__":
    app.run(debug=False)
