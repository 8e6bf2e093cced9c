"""An in-memory httpx transport that answers like the Data Pipelines API, without sockets."""

from __future__ import annotations

import os
from collections.abc import Iterable

import httpx

from cio_analytics.testing._endpoint import ApiEndpoint
from cio_analytics.testing._faults import ScriptStep
from cio_analytics.testing._recorder import Listener

__all__ = ["CaptureTransport"]


class CaptureTransport(httpx.BaseTransport, ApiEndpoint):
    """An ``httpx`` transport that checks, records and answers requests in memory.

    Give it to a client to capture what it sends without opening a socket;
    requests are validated by the same rules as :class:`LocalServer` and the
    same queries and faults are available::

        capture = CaptureTransport()
        client = cio_analytics.Client(write_key="k", transport=capture)
        client.track("user_1", "Signed Up")
        client.flush()
        assert capture.events("Signed Up")

    Faults run in the calling thread: a drop raises
    ``httpx.RemoteProtocolError`` (after recording, with
    ``after_processing``), delays and stalls block the caller (bounded).

    Args:
        write_key: The key requests must carry; None (the default) accepts any.
        responses: A script of answers, one per request, then normal answers:
            e.g. ``[500, 200]`` or ``[(429, "1"), "drop", 200]`` (see
            :meth:`script`).
        strict: True/False forces strict/permissive mode; None follows the
            request's ``X-Strict-Mode`` header.
        keep_messages: False keeps only counts and messageIds.
        record_file: Append every message received to this JSON Lines file.
        on_receive: Called for every message received (accepted or rejected).
    """

    def __init__(
        self,
        write_key: str | None = None,
        *,
        responses: Iterable[ScriptStep] | None = None,
        strict: bool | None = None,
        keep_messages: bool = True,
        record_file: str | os.PathLike[str] | None = None,
        on_receive: Listener | None = None,
    ) -> None:
        ApiEndpoint.__init__(
            self,
            write_key,
            strict=strict,
            keep_messages=keep_messages,
            record_file=record_file,
            on_receive=on_receive,
        )
        if responses is not None:
            self.script(responses)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as the API would.

        Raises:
            httpx.RemoteProtocolError: A ``drop`` fault was injected.
        """
        body = request.read()
        headers = {name.lower(): value for name, value in request.headers.items()}
        target = request.url.raw_path.decode("ascii", "replace")
        reply = self._serve(request.method, target, headers, body)
        if reply.status == 0:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response (injected drop).",
                request=request,
            )
        return httpx.Response(
            reply.status,
            headers=[("Content-Type", "application/json"), *reply.headers],
            content=reply.body,
            request=request,
        )

    def close(self) -> None:
        """Close the JSON Lines file, if any; the recordings stay readable."""
        self._close_record_file()
