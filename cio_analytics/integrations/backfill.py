"""JSON Lines into ``send_batch`` entries, with the stable message ids backfills rely on.

Shared by ``cio-analytics import`` and :mod:`cio_analytics.integrations.dask`,
so that a file sent either way, whole or in byte-range shards, gets the same
message ids: a line without one gets ``uuid5(namespace, f"{line}\\0{text}")``
from its line number and its stripped text. Importing the same file again
(after an interruption, say) sends the same ids and Customer.io drops the
repeats.

A line is a message in its wire shape (with ``type``) or a call with its
keyword arguments (with ``call``: a core call, an operation such as
``add_device``, or a helper such as ``ecommerce.order_completed``).

Input may be gzip-compressed (recognised by its first bytes, whatever its
name). Byte-range shards (:func:`split_ranges`, :func:`shard_rows`) split a
plain file at line boundaries: a line belongs to the shard where it starts.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import os
import uuid
from collections.abc import Callable, Iterator
from typing import IO, Any, Final, cast

import msgspec

__all__ = [
    "GZIP_MAGIC",
    "NOT_UTF8",
    "NOT_UTF8_HINT",
    "Bad",
    "Entry",
    "Lines",
    "Row",
    "guess_format",
    "jsonl_entry",
    "jsonl_rows",
    "open_input",
    "shard_rows",
    "split_ranges",
    "stable_id",
]

#: The first two bytes of gzip data.
GZIP_MAGIC: Final = b"\x1f\x8b"
NOT_UTF8_HINT: Final = "save the file as UTF-8"
NOT_UTF8: Final = f"not UTF-8 text ({NOT_UTF8_HINT})"

_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/cio-analytics/import")
_NAMESPACE_BYTES: Final = _NAMESPACE.bytes
_fast_decode: Final = msgspec.json.Decoder().decode
_NEWLINE_SCAN: Final = 1 << 20

#: One entry of ``send_batch``: a wire-shaped dict or a ``(call, kwargs)`` pair.
Entry = dict[str, Any] | tuple[str, dict[str, Any]]


@dataclasses.dataclass(frozen=True, slots=True)
class Bad:
    """A line that cannot become a call, and why."""

    reason: str


#: One line's outcome: its number and its entry (None: blank; Bad: refused).
Row = tuple[int, "Entry | Bad | None"]


def stable_id(line: int | str, text: str) -> str:
    """The message id of a line without one: the same for the same line number and text.

    ``line`` may also be another position key (``"3:17"``: partition 3, element 17).
    """
    # uuid.uuid5(_NAMESPACE, name), spelled out: a third of the cost, the same ids.
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{line}\x00{text}".encode()).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest[:16].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Lines:
    """A binary file's lines, decoded as UTF-8 one by one.

    Counts the bytes read (for a progress line) and remembers the numbers of
    the lines that are not valid UTF-8: they are decoded with replacement
    characters so reading goes on, and reported as bad lines by the parsers.
    A UTF-8 byte-order mark on the first line is dropped.

    Args:
        handle: The open file.
        first: The number of its first line (a shard starts further in).
        position: Where reading is in the underlying file, in bytes (for a
            gzip file: the compressed bytes read); default: the bytes of the
            lines read.
    """

    def __init__(
        self,
        handle: IO[bytes],
        first: int = 1,
        position: Callable[[], int] | None = None,
    ) -> None:
        self._handle = handle
        self._first = first
        self._position = position
        self.consumed = 0
        self.bad_lines: set[int] = set()

    @property
    def position(self) -> int:
        """Bytes of the input read so far (compressed bytes for gzip input)."""
        if self._position is not None:
            try:
                return self._position()
            except (OSError, ValueError):
                return self.consumed
        return self.consumed

    def __iter__(self) -> Iterator[str]:
        for number, raw in enumerate(self._handle, start=self._first):
            self.consumed += len(raw)
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_lines.add(number)
                yield raw.decode("utf-8", errors="replace")


def jsonl_entry(number: int, text: str, stable_ids: bool) -> Entry | Bad | None:
    """The entry of one JSON line (already stripped); None when blank.

    Args:
        number: The line's number (for its stable id).
        text: The line, stripped of surrounding white space.
        stable_ids: Give a line without a message id its stable one.
    """
    if not text:
        return None
    try:
        value = _decode(text)
    except json.JSONDecodeError as exc:
        return Bad(f"not valid JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(value, dict):
        return Bad(f"a line must be a JSON object, got {type(value).__name__}")
    message_id = stable_id(number, text) if stable_ids else None
    if "call" in value:
        return _call_entry(value, message_id)
    if "type" in value:
        if message_id is not None and value.get("messageId") is None:
            value["messageId"] = message_id
        return value
    return Bad(
        'a line needs "type" (a message in its wire shape) or "call" '
        "(a call name and its keyword arguments)"
    )


def _decode(text: str) -> Any:
    """``json.loads(text)``, through msgspec's faster decoder when it can read the line.

    What msgspec refuses (NaN, numbers beyond a float, a lone surrogate) goes
    to :func:`json.loads`, so a line means what the json module makes of it
    and a bad line gets its message.
    """
    try:
        return _fast_decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return json.loads(text)


def _call_entry(value: dict[str, Any], message_id: str | None) -> Entry | Bad:
    """The ``(call, kwargs)`` entry of a line with ``call``."""
    if "type" in value:
        return Bad('a line has either "call" or "type", not both')
    name = value.pop("call")
    if not isinstance(name, str) or not name:
        return Bad('"call" must be a call name such as "track"')
    if message_id is not None and value.get("message_id") is None:
        value["message_id"] = message_id
    return name, value


def jsonl_rows(lines: Lines, stable_ids: bool, first: int = 1) -> Iterator[Row]:
    """(line number, entry) per line; None for a blank line, :class:`Bad` for a bad one."""
    for number, raw in enumerate(lines, start=first):
        if number in lines.bad_lines:
            yield number, Bad(NOT_UTF8)
            continue
        yield number, jsonl_entry(number, raw.strip(), stable_ids)


def open_input(path: str | os.PathLike[str]) -> tuple[IO[bytes], Callable[[], int] | None]:
    """Open a file for reading, gunzipping it when its first bytes say gzip.

    Returns:
        The readable handle and, for gzip input, a function giving the
        compressed bytes read so far (None for plain input).

    Raises:
        OSError: The file cannot be opened.
    """
    raw = open(path, "rb")  # noqa: SIM115 (returned open)
    try:
        if raw.peek(2)[:2] == GZIP_MAGIC:
            return cast(IO[bytes], _OwningGzipFile(raw)), raw.tell
    except BaseException:
        raw.close()
        raise
    return raw, None


class _OwningGzipFile(gzip.GzipFile):
    """A GzipFile that closes the file it reads when it is closed."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw

    def close(self) -> None:
        """Close the gzip stream and the file under it."""
        try:
            super().close()
        finally:
            self._raw.close()


def readable_stream(handle: IO[bytes]) -> tuple[IO[bytes], bool]:
    """A stream (standard input, say) that can be peeked at, gunzipped when it is gzip.

    Returns:
        The handle to read, and whether it was gzip.
    """
    buffered: Any = handle if hasattr(handle, "peek") else io.BufferedReader(cast(Any, handle))
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb")), True
    return buffered, False


def guess_format(handle: IO[bytes]) -> str:
    """``"jsonl"`` when the first non-blank character is ``{``, else ``"csv"`` (reads nothing).

    The handle must have ``peek`` (a buffered reader or a GzipFile).
    """
    head = handle.peek(4096)  # type: ignore[attr-defined]
    text = bytes(head).lstrip(b"\xef\xbb\xbf \t\r\n")
    return "jsonl" if text.startswith(b"{") else "csv"


def split_ranges(path: str | os.PathLike[str], parts: int) -> list[tuple[int, int, int]]:
    """Cut a plain file into about ``parts`` byte ranges, with each range's first line number.

    A line belongs to the range in which it starts, so the ranges together
    hold every line once. Counting the lines before each range takes one
    read of the file.

    Returns:
        ``(start, end, first line number)`` per range, in order; empty for an empty file.
    """
    size = os.path.getsize(path)
    if size == 0:
        return []
    parts = max(1, min(parts, size))
    bounds = [size * i // parts for i in range(parts)] + [size]
    starts = sorted({_line_start(path, bound) for bound in bounds[:-1]})
    ranges: list[tuple[int, int, int]] = []
    counted_to, line = 0, 1
    with open(path, "rb") as handle:
        for index, start in enumerate(starts):
            if start >= size:
                break
            line += _count_newlines(handle, counted_to, start)
            counted_to = start
            end = starts[index + 1] if index + 1 < len(starts) else size
            ranges.append((start, min(end, size), line))
    return ranges


def _line_start(path: str | os.PathLike[str], offset: int) -> int:
    """The offset of the first line starting at or after ``offset``."""
    if offset == 0:
        return 0
    with open(path, "rb") as handle:
        handle.seek(offset - 1)
        if handle.read(1) == b"\n":
            return offset
        handle.readline()
        return handle.tell()


def _count_newlines(handle: IO[bytes], start: int, end: int) -> int:
    handle.seek(start)
    left, count = end - start, 0
    while left > 0:
        chunk = handle.read(min(left, _NEWLINE_SCAN))
        if not chunk:
            break
        count += chunk.count(b"\n")
        left -= len(chunk)
    return count


def shard_rows(
    path: str | os.PathLike[str], start: int, end: int, first_line: int, stable_ids: bool = True
) -> Iterator[Row]:
    """The rows of the lines that start in ``[start, end)`` of a plain JSON Lines file.

    Args:
        path: The file.
        start: A line start (as :func:`split_ranges` gives).
        end: Where the shard ends (the next shard's start, or the file size).
        first_line: The number of the line at ``start``.
        stable_ids: Give lines without a message id their stable one.
    """
    with open(path, "rb") as handle:
        handle.seek(start)
        bounded = io.BufferedReader(_Window(handle, end - start))
        yield from jsonl_rows(Lines(bounded, first_line), stable_ids, first_line)


class _Window(io.RawIOBase):
    """At most ``size`` bytes of a file, from where it stands (a shard's bytes)."""

    def __init__(self, handle: IO[bytes], size: int) -> None:
        self._handle = handle
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        data = self._handle.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)
