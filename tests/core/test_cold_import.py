"""What ``import cio_analytics`` loads, and where the deferred parts load later.

The HTTP stack (httpx, httpcore, ssl, tenacity), asyncio, the disk spool and the semantic-event
vocabularies are most of what an import would cost, and a call only queues, so
they load on first use. Fork safety decides *where*: the HTTP stack must be
imported on the thread that makes the first call, before the consumer thread
starts, never by a background thread while another thread may fork.

Each check runs in a fresh interpreter (the test process has imported
everything already).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from cio_analytics.testing import LocalServer

#: Modules the package must not load at import.
DEFERRED = (
    "httpx",
    "httpcore",
    "h11",
    "ssl",
    "tenacity",
    "asyncio",
    "cio_analytics._bulk",
    "cio_analytics._delivery.spool",
    "cio_analytics._delivery.lease",
    "json",
    "urllib.parse",
)


def _run(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; it prints one JSON object."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_import_loads_no_http_stack_no_asyncio_no_vocabularies() -> None:
    """After the import none of the deferred modules is loaded; the names still resolve."""
    result = _run(
        f"""
        import sys
        import cio_analytics
        before = [m for m in {DEFERRED!r} if m in sys.modules]
        import json
        families = [m for m in sys.modules if m.startswith("cio_analytics._spec.")
                    and m.rsplit(".", 1)[1] in ("ecommerce", "video", "mobile")]
        names = [cio_analytics.AsyncClient.__name__, cio_analytics.ecommerce.__name__,
                 cio_analytics.hooks.__name__, cio_analytics.aflush.__name__]
        print(json.dumps({{"before": before, "families": families, "names": names,
                          "module": cio_analytics.AsyncClient.__module__,
                          "dir": "AsyncClient" in dir(cio_analytics)}}))
        """
    )
    assert result["before"] == []
    assert result["families"] == []
    assert result["names"] == ["AsyncClient", "cio_analytics.ecommerce", "cio_analytics.hooks",
                               "aflush"]  # fmt: skip
    assert result["module"] == "cio_analytics"
    assert result["dir"] is True


def test_unknown_package_attribute_still_raises() -> None:
    """The lazy lookup answers only for its own names."""
    result = _run(
        """
        import json
        import cio_analytics
        try:
            cio_analytics.no_such_name
        except AttributeError as exc:
            print(json.dumps({"error": str(exc)}))
        """
    )
    assert result["error"] == "module 'cio_analytics' has no attribute 'no_such_name'"


def test_http_stack_loads_on_the_calling_thread_before_the_consumer_starts(
    cio_server: LocalServer,
) -> None:
    """The first call imports httpx on the caller's thread; no consumer thread exists yet then."""
    result = _run(
        f"""
        import builtins, json, sys, threading
        seen = []
        real_import = builtins.__import__

        def spy(name, *args, **kwargs):
            if name == "httpx" and "httpx" not in sys.modules:
                seen.append({{"thread": threading.current_thread().name,
                              "threads": sorted(t.name for t in threading.enumerate())}})
            return real_import(name, *args, **kwargs)

        builtins.__import__ = spy
        import cio_analytics
        client = cio_analytics.Client(write_key={cio_server.write_key!r}, host={cio_server.url!r})
        after_construction = "httpx" in sys.modules
        client.track("user-1", "Cold Start")
        assert client.flush(30)
        stats = client.stats()
        print(json.dumps({{"seen": seen, "after_construction": after_construction,
                          "delivered": stats.delivered, "failed": stats.failed}}))
        """
    )
    assert result["after_construction"] is False  # building a client loads nothing either
    assert result["seen"] == [{"thread": "MainThread", "threads": ["MainThread"]}]
    assert (result["delivered"], result["failed"]) == (1, 0)
    assert len(cio_server.events("Cold Start")) == 1
