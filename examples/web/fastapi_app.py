"""A FastAPI app that tracks from its handlers, with the ASGI request scope and lifespan.

Configuration comes from the environment, which the library reads by itself:
``CUSTOMERIO_API_KEY`` (the write key), and ``CUSTOMERIO_REGION`` or
``CUSTOMERIO_HOST``.

The calls are safe in ``async def`` handlers: they only validate, encode and
queue (microseconds, no I/O), and a background thread delivers. Do not turn
on ``sync_mode`` in an async app: it would send on the event loop's thread.

``RequestScopeMiddleware`` opens a ``cio_analytics.scope()`` around every
request: the handlers' calls carry ``context.ip``, ``context.userAgent`` and
``context.page`` without passing them, and the signed-in user's id (here from
a header; from your authentication in a real app) when a call gives none.

At shutdown the integration's ``lifespan`` runs ``cio_analytics.shutdown()``
in a worker thread: what is queued is delivered (bounded by
``shutdown_timeout``) before the server exits. This matters under uvicorn,
which ends the process with SIGTERM after its own shutdown, skipping exit hooks.

Run it::

    CUSTOMERIO_API_KEY=... uvicorn --app-dir examples/web fastapi_app:app
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

import cio_analytics as analytics
from cio_analytics.integrations.asgi import RequestScopeMiddleware, lifespan

logger = logging.getLogger(__name__)


def report_failure(error: BaseException, messages: list[dict[str, Any]]) -> None:
    """Log every message that could not be delivered (the library calls this)."""
    logger.warning("Customer.io: %d message(s) not delivered: %s", len(messages), error)


def signed_in_user(scope: MutableMapping[str, Any]) -> str | None:
    """The signed-in user's id from the ASGI scope (a header here; a session or token in life)."""
    for name, value in scope.get("headers", ()):
        if name == b"x-user-id":
            return str(value.decode("latin-1"))
    return None


analytics.on_error = report_failure
app = FastAPI(lifespan=lifespan)
# trusted_proxies=1 behind one reverse proxy that appends to X-Forwarded-For.
app.add_middleware(RequestScopeMiddleware, user_id=signed_in_user)


class SignUp(BaseModel):
    """The sign-up form."""

    email: str
    plan: str = "free"


class NewProject(BaseModel):
    """The new-project form."""

    template: str = "blank"


@app.post("/signup", status_code=201)
async def signup(form: SignUp) -> dict[str, str]:
    """Create an account: identify the new person, then track the sign-up."""
    if "@" not in form.email:
        raise HTTPException(status_code=400, detail="an email is required")
    user_id = f"user-{uuid.uuid4().hex[:12]}"
    analytics.identify(user_id, {"email": form.email, "plan": form.plan})  # ip etc.: the scope's
    analytics.track(user_id, "Signed Up", {"plan": form.plan})
    return {"user_id": user_id}


@app.post("/projects", status_code=201)
async def create_project(
    form: NewProject, x_user_id: str | None = Header(default=None)
) -> dict[str, str]:
    """An action of the signed-in user: the scope gives the user id."""
    if not x_user_id:
        raise HTTPException(status_code=401, detail="sign in first")
    project_id = f"prj-{uuid.uuid4().hex[:8]}"
    properties = {"project_id": project_id, "template": form.template}
    analytics.track(event="Project Created", properties=properties)
    return {"project_id": project_id}


@app.get("/pricing", response_class=HTMLResponse)
async def pricing(request: Request, x_user_id: str | None = Header(default=None)) -> str:
    """A page view, for a known user or an anonymous visitor (context.page from the scope)."""
    anonymous_id = None if x_user_id else request.cookies.get("anon_id", "anon-unknown")
    analytics.page(name="Pricing", anonymous_id=anonymous_id)
    return "<h1>Pricing</h1>"
