"""A FastAPI app for uvicorn, built twice: with the library's lifespan and without it.

``with_lifespan`` uses :func:`cio_analytics.integrations.asgi.lifespan`, which
shuts the library down (delivering what is queued) when uvicorn stops;
``without_lifespan`` is the same app without it. uvicorn installs its own
SIGTERM handler and, after its graceful shutdown, restores the default
disposition and raises SIGTERM again: the process then dies without running
exit hooks, so only the lifespan can deliver what is still queued.

``APP_UPLOAD_INTERVAL`` sets the library's ``upload_interval`` (60 keeps every
message queued until the app stops).
"""

from __future__ import annotations

import os

from fastapi import FastAPI

import cio_analytics as analytics
from cio_analytics.integrations.asgi import lifespan

analytics.upload_interval = float(os.environ.get("APP_UPLOAD_INTERVAL", "0.5"))


def build(*, with_the_lifespan: bool) -> FastAPI:
    """The app, with or without the library's lifespan."""
    app = FastAPI(lifespan=lifespan) if with_the_lifespan else FastAPI()

    @app.get("/track")
    async def track(n: int) -> dict[str, object]:
        """Track one message; answer the process id and the message id."""
        message_id = analytics.track(f"visitor-{n}", "Page Served", {"n": n})
        return {"pid": os.getpid(), "message_id": message_id, "n": n}

    return app


with_lifespan = build(with_the_lifespan=True)
without_lifespan = build(with_the_lifespan=False)
