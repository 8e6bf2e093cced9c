"""ASGI servers and frameworks (uvicorn, Starlette, FastAPI): deliver before the process ends.

uvicorn installs its own SIGTERM handler, and after its graceful shutdown it
restores the default disposition and raises SIGTERM again, so the process
dies without running exit hooks. The library never replaces a handler someone
else installed; instead, the application's lifespan shuts the library down,
off the event loop, when the server stops::

    from fastapi import FastAPI
    from cio_analytics.integrations.asgi import lifespan

    app = FastAPI(lifespan=lifespan)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from cio_analytics import _api

__all__ = ["lifespan"]


@contextlib.asynccontextmanager
async def lifespan(app: object) -> AsyncIterator[None]:
    """A lifespan for Starlette/FastAPI: on shutdown, deliver what is queued, then stop.

    The default client's ``shutdown()`` (bounded by its ``shutdown_timeout``)
    runs in a worker thread, so the event loop is never blocked.

    Example::

        app = FastAPI(lifespan=lifespan)
    """
    yield
    await asyncio.to_thread(_api.shutdown)
