"""The libraries under comparison, each configured with the same settings.

Like-for-like settings for every library: batches of 100 messages, an upload
interval of 0.5 s (their default), a queue large enough that nothing is
dropped, the same write key, ``host`` = the local server's URL. Both
reference clients take ``host`` without ``/v1`` and post to
``host + "/v1/batch"``, as cio_analytics does.

Two more subjects run cio_analytics with its best settings for throughput:
batches of up to 1,000 messages cut by bytes under the API's 500 KB, with
gzip off and on. And one runs cio_analytics like-for-like with the disk spool on
(``spool_dir`` in a fresh temporary directory, ``spool_fsync="never"``), to
show what the spool costs the caller and the delivery rate.

The latency scenarios use each library's defaults instead (``defaults=True``):
only the write key, ``host``, ``on_error`` (a counter) and a queue large
enough for the burst (``max_queue_size``, in every library) are set; the
subject ``cdp-thread4`` adds ``thread=4``, customerio-cdp-analytics' own
option for four consumer threads.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from _payload import WRITE_KEY

__all__ = [
    "BEST_VARIANTS",
    "ENVIRONMENTS",
    "LABELS",
    "LATENCY_SUBJECTS",
    "LIBRARIES",
    "REFERENCE",
    "SPOOL_VARIANTS",
    "Subject",
    "make_subject",
]

#: The like-for-like subjects, in the order rounds alternate.
LIBRARIES: Final = ("cio", "cdp", "segment")
#: cio_analytics with its best throughput settings (end-to-end scenario only).
BEST_VARIANTS: Final = ("cio-best", "cio-best-gzip")
#: The subjects of the latency scenarios (each library's defaults).
LATENCY_SUBJECTS: Final = ("cio", "cdp", "cdp-thread4", "segment")
#: Consumer threads of the ``cdp-thread4`` subject.
CDP_THREADS: Final = 4
#: cio_analytics like-for-like with the disk spool on (burst and end-to-end scenarios).
SPOOL_VARIANTS: Final = ("cio-spool",)
#: Environment added to a subject's workload process.
ENVIRONMENTS: Final[dict[str, dict[str, str]]] = {}
#: The subject every ratio is computed against.
REFERENCE: Final = "cdp"
#: Subject -> (distribution name, what the tables call it).
LABELS: Final[dict[str, tuple[str, str]]] = {
    "cio": ("cio-analytics", "cio-analytics"),
    "cdp": ("customerio-cdp-analytics", "customerio-cdp-analytics"),
    "segment": ("segment-analytics-python", "segment-analytics-python"),
    "cio-best": ("cio-analytics", "cio-analytics, best (1000/batch by bytes, gzip off)"),
    "cio-best-gzip": ("cio-analytics", "cio-analytics, best (1000/batch by bytes, gzip on)"),
    "cdp-thread4": ("customerio-cdp-analytics", "customerio-cdp-analytics, thread=4"),
    "cio-import": ("cio-analytics", "cio-analytics import FILE"),
    "cio-import-dry": ("cio-analytics", "cio-analytics import FILE --dry-run"),
    "cio-send-batch": ("cio-analytics", "Client.send_batch(entries)"),
    "cio-spool": ("cio-analytics", "cio-analytics, disk spool on"),
}

#: Messages per batch in the like-for-like comparison.
UPLOAD_SIZE: Final = 100
#: Seconds a partial batch waits (every library's default).
UPLOAD_INTERVAL: Final = 0.5
#: The API's limit of one request body, in bytes.
MAX_BATCH_BYTES: Final = 500_000


@dataclass
class Subject:
    """A configured client and how to read the result of its track()."""

    key: str
    client: Any
    track: Callable[..., Any]
    accepted: Callable[[Any], bool]
    failures: list[str] = field(default_factory=list)
    failed_messages: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on_error(self, error: BaseException, messages: Any) -> None:
        """The libraries' ``on_error(error, messages)``: count what was given up."""
        with self._lock:
            self.failed_messages += len(messages)
            if len(self.failures) < 20:
                self.failures.append(f"{type(error).__name__}: {error}"[:300])


def _reference_accepted(result: Any) -> bool:
    # The reference clients return (success, message); success is False when the
    # queue was full and the message dropped.
    return bool(result[0])


def _cio_accepted(result: Any) -> bool:
    # A dropped message is reported to on_error; the call still returns its id.
    return isinstance(result, str)


def _make_cio(key: str, url: str, queue_size: int, subject: Subject, defaults: bool) -> Any:
    import cio_analytics

    if defaults:
        return cio_analytics.Client(
            write_key=WRITE_KEY, host=url, max_queue_size=queue_size, on_error=subject.on_error
        )
    options: dict[str, Any] = {"upload_size": UPLOAD_SIZE}
    if key in BEST_VARIANTS:
        options = {"upload_size": 1000, "max_batch_bytes": MAX_BATCH_BYTES}
        options["gzip"] = key == "cio-best-gzip"
    if key in SPOOL_VARIANTS:
        # A fresh directory per workload process (removed with the machine's temp files).
        options["spool_dir"] = tempfile.mkdtemp(prefix="cio-bench-spool-")
    return cio_analytics.Client(
        write_key=WRITE_KEY,
        host=url,
        upload_interval=UPLOAD_INTERVAL,
        max_queue_size=queue_size,
        on_error=subject.on_error,
        **options,
    )


def _make_reference(
    key: str, url: str, queue_size: int, subject: Subject, defaults: bool
) -> Any:
    if key in ("cdp", "cdp-thread4"):
        from customerio.analytics import Client
    else:
        from segment.analytics import Client
    if defaults:
        threads = {"thread": CDP_THREADS} if key == "cdp-thread4" else {}
        return Client(
            WRITE_KEY, host=url, max_queue_size=queue_size, on_error=subject.on_error, **threads
        )
    if key == "cdp-thread4":
        raise ValueError("cdp-thread4 runs with the defaults only (the latency scenarios)")
    return Client(
        WRITE_KEY,
        host=url,
        upload_size=UPLOAD_SIZE,
        upload_interval=UPLOAD_INTERVAL,
        max_queue_size=queue_size,
        on_error=subject.on_error,
    )


def make_subject(key: str, url: str, queue_size: int, defaults: bool = False) -> Subject:
    """A client of library ``key`` delivering to ``url``, holding up to ``queue_size`` messages.

    Args:
        key: The subject (``cio``, ``cdp``, ``cdp-thread4``, ``segment``, ``cio-best`` ...).
        url: The server's base URL.
        queue_size: ``max_queue_size``, in every library.
        defaults: The library's own defaults for everything else (the latency
            scenarios) instead of the like-for-like settings.
    """
    if key not in LABELS:
        raise ValueError(f"unknown library {key!r}; known: {', '.join(LABELS)}")
    subject = Subject(key=key, client=None, track=lambda *a: None, accepted=_cio_accepted)
    if key in ("cdp", "cdp-thread4", "segment"):
        subject.client = _make_reference(key, url, queue_size, subject, defaults)
        subject.accepted = _reference_accepted
    else:
        subject.client = _make_cio(key, url, queue_size, subject, defaults)
    subject.track = subject.client.track
    return subject
