"""uvicorn: SIGTERM with the library's lifespan delivers everything; without it, see the matrix.

uvicorn installs its own SIGTERM handler (the library leaves it alone), shuts
down gracefully (the lifespan's shutdown runs then), restores the default
disposition and raises SIGTERM again: the process dies of the signal, and no
exit hook runs. ``upload_interval`` is 60 s here, so every message is still
queued when SIGTERM arrives. With ``cio_analytics.integrations.asgi.lifespan``
the shutdown delivers them all. Without it, what happens is recorded in the
fault matrix (nothing is asserted about the loss: it is uvicorn's documented
behaviour, and the reason the lifespan exists).
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from reliability._outcomes import MATRIX_ROWS

from cio_analytics.testing import LocalServer

from ._harness import APPS, Program, free_port, get_all, matrix_row, program_path, server_env

pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")

REQUESTS = 60


def _run(app: str, server: LocalServer, tmp_path: Path) -> tuple[list[str], int, str]:
    """Serve REQUESTS requests under uvicorn, then SIGTERM; return the ids, status and log."""
    port = free_port()
    argv = [
        program_path("uvicorn"), "--app-dir", str(APPS), "--host", "127.0.0.1",
        "--port", str(port), f"asgi_tracker:{app}",
    ]  # fmt: skip
    env = server_env(server, APP_UPLOAD_INTERVAL="60")
    with Program(argv, env, tmp_path / "uvicorn.log") as uvicorn:
        uvicorn.wait_until(lambda: "Uvicorn running on" in uvicorn.log(), "serving")
        urls = [f"http://127.0.0.1:{port}/track?n={n}" for n in range(REQUESTS)]
        answers = get_all(urls, concurrency=4)
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers][:3]
        status = uvicorn.stop(signal.SIGTERM)
        log = uvicorn.log()
    assert "Traceback" not in log, log[-3000:]
    ids = [str(a.json()["message_id"]) for a in answers]
    assert len(set(ids)) == len(ids)
    return ids, status, log


def test_uvicorn_with_the_lifespan_delivers_everything_at_sigterm(
    cio_server: LocalServer, tmp_path: Path
) -> None:
    """Every message exactly once; uvicorn still ends by SIGTERM, as without the library."""
    ids, status, log = _run("with_lifespan", cio_server, tmp_path)
    assert status == -signal.SIGTERM, log[-3000:]
    delivered = [m["messageId"] for m in cio_server.messages]
    assert sorted(delivered) == sorted(ids)
    assert cio_server.duplicate_count == 0
    assert cio_server.rejections == []
    MATRIX_ROWS.append(
        matrix_row(
            "uvicorn with the asgi lifespan, SIGTERM",
            ids,
            cio_server,
            "upload_interval=60: all delivered by the lifespan's shutdown",
        )
    )


def test_uvicorn_without_the_lifespan_is_recorded(cio_server: LocalServer, tmp_path: Path) -> None:
    """Without the lifespan: recorded in the fault matrix (no exit hook runs after uvicorn)."""
    ids, status, log = _run("without_lifespan", cio_server, tmp_path)
    assert status == -signal.SIGTERM, log[-3000:]
    assert set(cio_server.message_ids()) <= set(ids)  # nothing else, nothing twice
    assert cio_server.duplicate_count == 0
    MATRIX_ROWS.append(
        matrix_row(
            "uvicorn without the lifespan, SIGTERM (not supported: use the lifespan)",
            ids,
            cio_server,
            "upload_interval=60: uvicorn re-raises SIGTERM with the default disposition "
            "after its shutdown; the queue dies with the process",
        )
    )
