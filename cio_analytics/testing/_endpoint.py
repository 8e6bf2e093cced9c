"""The API's behaviour for one request, independent of how the request arrived.

:class:`ApiEndpoint` joins the wire rules, the recorder and the fault plan:
given a method, a path, headers and a body, it decides the answer (or that
the connection is to be dropped) and records what was received. The HTTP
server and the in-memory httpx transport both build on it, so they answer
alike.

Choices where the API documentation is silent or unverified:

- A wrong or missing key gets 401 in both modes (permissive mode might
  answer 200 on the real API; a test wants to see the mistake).
- A body that is not JSON (or not gzip when it says so) gets 400 in both
  modes: nothing in it can be processed.
- A batch body over 500 KB (decompressed) gets 413 in strict mode and 200
  plus a rejection in permissive mode.
- ``Authorization: Bearer <key>`` is accepted besides Basic, because the
  official Python library 1.1.0 sends it for ``pk_``/``sk_`` keys.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import msgspec

from cio_analytics.testing._fastcheck import fast_batch_check
from cio_analytics.testing._faults import Action, FaultPlan
from cio_analytics.testing._recorder import Listener, RecordedRequest, Recorder, Rejection
from cio_analytics.testing._rules import MAX_BATCH_BYTES, PayloadCheck, check_payload

__all__ = ["API_PATHS", "ApiEndpoint", "Reply", "decompress"]

#: Request path -> endpoint name.
API_PATHS: Final[Mapping[str, str]] = {
    f"/v1/{name}": name
    for name in ("identify", "track", "page", "screen", "group", "alias", "batch")
}
#: A gzip body may expand to at most this many bytes (anything over the batch
#: limit is refused anyway; the cap keeps a gzip bomb harmless).
_INFLATE_LIMIT: Final = MAX_BATCH_BYTES + 1
#: At most this many problems are listed in a 400 body.
_MAX_ERRORS: Final = 100

_OK_BODY: Final = b"{}"
_encode: Final = msgspec.json.encode


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to one request.

    Attributes:
        status: The HTTP status; 0 means: close the connection without answering.
        body: The JSON body.
        headers: Extra headers (``Content-Type`` is always application/json).
    """

    status: int
    body: bytes = _OK_BODY
    headers: tuple[tuple[str, str], ...] = ()


_DROP: Final = Reply(0, b"")


def error_body(*errors: str) -> bytes:
    """The API's error body: ``{"meta": {"errors": [...]}}``."""
    listed = list(errors[:_MAX_ERRORS])
    if len(errors) > _MAX_ERRORS:
        listed.append(f"... and {len(errors) - _MAX_ERRORS} more")
    return _encode({"meta": {"errors": listed}})


def decompress(data: bytes, limit: int = _INFLATE_LIMIT) -> bytes:
    """Gunzip ``data``, stopping at ``limit`` bytes of output.

    Returns:
        The decompressed bytes; when they would exceed ``limit`` the result is
        ``limit`` bytes long (the caller only needs to know it is too big).

    Raises:
        ValueError: ``data`` is not complete gzip data.
    """
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, limit - len(out))
        except zlib.error as exc:
            raise ValueError(f"the body is not valid gzip data ({exc})") from None
        if len(out) >= limit:
            return bytes(out)
        if not inflater.eof:
            raise ValueError("the gzip data is truncated")
        data = inflater.unused_data  # a further gzip member, if any
    return bytes(out)


class ApiEndpoint(Recorder, FaultPlan):
    """The seven Data Pipelines endpoints, with recording and fault injection.

    Args:
        write_key: The key requests must carry; None accepts any (or none).
        strict: True or False forces strict or permissive mode; None lets the
            request's ``X-Strict-Mode: 1`` header decide, like the real API.
        keep: How many of the newest messages to keep (None: all; 0: counts only).
        keep_messages: False is ``keep=0``.
        record_file: Append every message received to this JSON Lines file.
        on_receive: Called for every message received (accepted or rejected).
    """

    def __init__(
        self,
        write_key: str | None = "test-key",
        *,
        strict: bool | None = None,
        keep: int | None = None,
        keep_messages: bool = True,
        record_file: str | os.PathLike[str] | None = None,
        on_receive: Listener | None = None,
    ) -> None:
        Recorder.__init__(
            self,
            keep=keep,
            keep_messages=keep_messages,
            record_file=record_file,
            on_receive=on_receive,
        )
        FaultPlan.__init__(self)
        if write_key is not None and not isinstance(write_key, str):
            raise TypeError(f"write_key must be a str or None, got {type(write_key).__name__}")
        self.write_key = write_key
        self.strict = strict
        self._basic = (
            None
            if write_key is None
            else "Basic " + base64.b64encode(f"{write_key}:".encode()).decode("ascii")
        )

    def reset(self) -> None:
        """Forget every recording and every fault (between two tests); the latency stays."""
        self.clear()
        self.clear_faults()

    def _auth_problem(self, header: str | None) -> str | None:
        """Why ``header`` does not authorize a request, or None when it does."""
        if self.write_key is None or header == self._basic:
            return None
        if not header:
            return "unauthorized: missing Authorization header (Basic base64(write_key + ':'))"
        scheme, _, credentials = header.strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return "unauthorized: the Basic credentials are not valid base64"
            key = decoded.partition(":")[0]
        elif scheme.lower() == "bearer":
            key = credentials
        else:
            return f"unauthorized: unsupported authorization scheme {scheme!r}"
        if hmac.compare_digest(key.encode(), self.write_key.encode()):
            return None
        return "unauthorized: the write key does not match"

    def _serve(self, method: str, target: str, headers: Mapping[str, str], raw: bytes) -> Reply:
        """Answer one API request and record it.

        Args:
            method: The HTTP method.
            target: The request target (path, possibly with a query string).
            headers: The request headers, names in lower case.
            raw: The body as received.

        Returns:
            The reply; status 0 means the connection must be dropped.
        """
        received_at = time.time()
        path = target.partition("?")[0]
        endpoint = API_PATHS.get(path)
        check: PayloadCheck | None = None
        accept = False
        if endpoint is None:
            reply = Reply(404, error_body(f"not found: {path}"))
        elif method != "POST":
            reply = Reply(405, error_body(f"{method} is not allowed"), (("Allow", "POST"),))
        else:
            reply, check, accept = self._process(endpoint, headers, raw)
        accepted = check.accepted if check is not None and accept else []
        rejections = (
            [
                Rejection(target, i, reason, msg, rules)
                for (i, reason, msg), rules in zip(check.rejected, check.problems, strict=True)
            ]
            if check is not None
            else []
        )
        refused = method == "POST" and reply.status != 200 and not rejections
        refusal = _refusal(reply) if refused else None
        gzip = headers.get("content-encoding", "").strip().lower() == "gzip"
        request = RecordedRequest(
            method, target, dict(headers), gzip, len(raw), reply.status,
            len(accepted), received_at,
        )  # fmt: skip
        self._record(request, accepted, rejections, refusal)
        return reply

    def _process(
        self, endpoint: str, headers: Mapping[str, str], raw: bytes
    ) -> tuple[Reply, PayloadCheck | None, bool]:
        """Answer a POST to an API path: (reply, the body's check or None, whether accepted)."""
        action = self._next_action()
        early = self._fault_reply(action)
        if early is not None:
            return early, None, False
        problem = self._auth_problem(headers.get("authorization"))
        if problem is not None:
            return Reply(401, error_body(problem)), None, False
        strict = self.strict
        if strict is None:
            strict = headers.get("x-strict-mode", "").strip() == "1"
        check = self._check(endpoint, headers, raw)
        reply = _verdict(check, strict)
        # A drop after processing records what a 200 would have: the response is lost.
        return (_DROP if action.drop else reply), check, reply.status == 200

    def _fault_reply(self, action: Action) -> Reply | None:
        """After the fault's stall or delay: the reply it gives instead of processing, or None."""
        if not self._wait(action):
            return _DROP  # the server is stopping
        if action.status is not None:
            return Reply(action.status, action.body, action.headers)
        if action.drop and not action.after_processing:
            return _DROP
        return None

    def _check(self, endpoint: str, headers: Mapping[str, str], raw: bytes) -> PayloadCheck:
        encoding = headers.get("content-encoding", "").strip().lower()
        data = raw
        if encoding == "gzip":
            try:
                data = decompress(raw)
            except ValueError as exc:
                return _unreadable(str(exc))
        elif encoding not in ("", "identity"):
            return _unreadable(f"unsupported Content-Encoding {encoding!r}")
        reject = self._message_check_now()
        if endpoint == "batch" and reject is None and not self._needs_dicts():
            fast = fast_batch_check(data)
            if fast is not None:
                return fast
        return check_payload(endpoint, data, reject)


def _refusal(reply: Reply) -> str:
    """Why a request was refused whole, from its reply (for the inspector's feed)."""
    if reply.status == 0:
        return "the connection was dropped without an answer (injected fault)"
    try:
        errors = msgspec.json.decode(reply.body).get("meta", {}).get("errors") or []
    except (msgspec.DecodeError, AttributeError):
        errors = []
    first = str(errors[0]) if errors else "no reason given"
    return f"HTTP {reply.status}: {first}"


def _unreadable(problem: str) -> PayloadCheck:
    check = PayloadCheck(unreadable=True)
    check.reject_body(problem)
    return check


def _verdict(check: PayloadCheck, strict: bool) -> Reply:
    """The status for a checked body: strict mode refuses, permissive mode records."""
    if check.unreadable:
        return Reply(400, error_body(*check.errors))
    if not check.errors or not strict:
        return Reply(200)
    if check.too_large:
        return Reply(413, error_body(*check.errors))
    return Reply(400, error_body(*check.errors))
