"""Adapters between cio-analytics and the programs and frameworks around an application.

Each module imports its framework only inside itself (importing
``cio_analytics`` never imports a framework) and is installed through an extra
when it needs one:

- :mod:`cio_analytics.integrations.asgi`: uvicorn, Starlette, FastAPI (no extra);
- :mod:`cio_analytics.integrations.dask`: send a Dask bag or dataframe
  partition by partition, with the workspace's rate limit split across the
  cluster (extra ``dask``); also the shard reader behind
  ``cio-analytics import --dask``.
- :mod:`cio_analytics.integrations.backfill`: JSON Lines into ``send_batch``
  entries with stable message ids, shared by ``cio-analytics import`` and the
  Dask module (no extra).

Nothing here imports :mod:`cio_analytics.testing` or :mod:`cio_analytics.cli`.
"""
