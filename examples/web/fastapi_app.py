"""A FastAPI app that tracks from its request handlers and flushes in its lifespan.

Configuration comes from the environment, which the library reads by itself:
``CUSTOMERIO_API_KEY`` (the write key), and ``CUSTOMERIO_REGION`` or
``CUSTOMERIO_HOST``.

The calls are safe in ``async def`` handlers: they only validate, encode and
queue (microseconds, no I/O), and a background thread delivers. Do not turn
on ``sync_mode`` in an async app: it would send on the event loop's thread.

At shutdown the lifespan calls ``cio_analytics.shutdown()``, which delivers
what is queued (bounded by ``shutdown_timeout``) before the server exits.

Run it::

    CUSTOMERIO_API_KEY=... uvicorn --app-dir examples/web fastapi_app:app
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

import cio_analytics as analytics

logger = logging.getLogger(__name__)

#: Seconds the shutdown may spend delivering what is still queued.
SHUTDOWN_TIMEOUT = 5.0


def report_failure(error: BaseException, messages: list[dict[str, Any]]) -> None:
    """Log every message that could not be delivered (the library calls this)."""
    logger.warning("Customer.io: %d message(s) not delivered: %s", len(messages), error)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Configure on start-up; deliver everything queued on shutdown."""
    analytics.on_error = report_failure
    yield
    analytics.shutdown(timeout=SHUTDOWN_TIMEOUT)


app = FastAPI(lifespan=lifespan)


class SignUp(BaseModel):
    """The sign-up form."""

    email: str
    plan: str = "free"


class NewProject(BaseModel):
    """The new-project form."""

    template: str = "blank"


@app.post("/signup", status_code=201)
async def signup(form: SignUp, request: Request) -> dict[str, str]:
    """Create an account: identify the person, then track the sign-up."""
    if "@" not in form.email:
        raise HTTPException(status_code=400, detail="an email is required")
    user_id = f"user-{uuid.uuid4().hex[:12]}"
    context = {
        "ip": request.client.host if request.client else None,
        "userAgent": request.headers.get("user-agent"),
    }
    context = {key: value for key, value in context.items() if value}
    analytics.identify(user_id, {"email": form.email, "plan": form.plan}, context=context)
    analytics.track(user_id, "Signed Up", {"plan": form.plan}, context=context)
    return {"user_id": user_id}


@app.post("/projects", status_code=201)
async def create_project(
    form: NewProject, x_user_id: str | None = Header(default=None)
) -> dict[str, str]:
    """An action of a signed-in user (the id comes from a header here, a session in life)."""
    if not x_user_id:
        raise HTTPException(status_code=401, detail="sign in first")
    project_id = f"prj-{uuid.uuid4().hex[:8]}"
    analytics.track(
        x_user_id, "Project Created", {"project_id": project_id, "template": form.template}
    )
    return {"project_id": project_id}


@app.get("/pricing", response_class=HTMLResponse)
async def pricing(request: Request, x_user_id: str | None = Header(default=None)) -> str:
    """A page view, for a known user or an anonymous visitor."""
    anonymous_id = None if x_user_id else request.cookies.get("anon_id", "anon-unknown")
    analytics.page(
        x_user_id,
        name="Pricing",
        properties={"url": str(request.url), "path": request.url.path},
        anonymous_id=anonymous_id,
    )
    return "<h1>Pricing</h1>"
