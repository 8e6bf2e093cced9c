"""The spool's segment format: message records, acknowledgement records, and reading them back.

A segment is an append-only file of records, each one written by a single
``os.write`` so that a process killed at any instant leaves at most one torn
record, at the end. Two kinds of record, both checked by a CRC-32:

``data``  ``C1 0D`` | payload length (u16) | index (u32) | crc (u32) | payload
          One encoded message, exactly the bytes the queue holds. ``index``
          numbers the segment's messages from 0; the crc is the payload's
          CRC-32 mixed with the index (:func:`seal`), so a damaged index is
          caught too, and the payload's part can be computed before the
          index is known.
``ack``   ``C1 0A`` | range count (u16) | crc (u32) | ranges | ``A5``
          Messages of this segment that reached their final outcome
          (delivered, or refused for good), as ``(first index, count)`` pairs
          of u32; the crc covers the ranges.

A segment file is allocated at its full size when it is made, so it ends
with zero bytes after its last record; neither kind of record ends with a
zero byte (a payload is JSON, an ack ends with ``A5``), so the zeros at the
end are free space, not damage.

All integers are little-endian. :func:`parse` reads a whole segment and never
raises or loops on bad bytes: a record whose checksum fails, or a tail cut
short, is set aside as a bad range (with the offset where good records start
again, found by looking for the next record that checks out), and every good
record before and after it is kept.

Pure functions: no I/O here.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "DATA_HEADER",
    "MAX_PAYLOAD",
    "Parsed",
    "Record",
    "ack_record",
    "data_header",
    "data_record",
    "index_ranges",
    "parse",
    "payloads",
    "seal",
    "used_length",
]

_MAGIC_DATA: Final = b"\xc1\x0d"
_MAGIC_ACK: Final = b"\xc1\x0a"
_DATA: Final = struct.Struct("<2sHII")
_ACK: Final = struct.Struct("<2sHI")
_RANGE: Final = struct.Struct("<II")
#: Bytes before a message's payload in its data record.
DATA_HEADER: Final = _DATA.size
#: The largest payload a data record can hold (a message is at most 32 KB).
MAX_PAYLOAD: Final = 0xFFFF
#: Ranges one ack record holds at most (its count is a u16).
_MAX_RANGES: Final = 0xFFFF
#: The last byte of an ack record (never zero: zeros after the records are free space).
_ACK_END: Final = b"\xa5"
_pack_data = _DATA.pack
_crc32 = zlib.crc32


def seal(index: int, payload_crc: int) -> int:
    """The crc field of a data record: the payload's CRC-32 mixed with its index.

    Multiplying by an odd constant modulo 2**32 is a bijection, so a different
    index always gives a different field.
    """
    return payload_crc ^ ((index * 0x9E3779B1) & 0xFFFFFFFF)


def data_header(index: int, payload: bytes, payload_crc: int) -> bytes:
    """The 12 bytes before ``payload`` in its data record (``payload_crc``: its CRC-32)."""
    return _pack_data(_MAGIC_DATA, len(payload), index, seal(index, payload_crc))


def data_record(index: int, payload: bytes) -> bytes:
    """The bytes of the data record holding ``payload`` as message ``index`` of its segment."""
    return data_header(index, payload, _crc32(payload)) + payload


def index_ranges(indexes: Iterable[int]) -> list[tuple[int, int]]:
    """``indexes`` as sorted ``(first, count)`` runs: ``[3, 1, 2, 7]`` -> ``[(1, 3), (7, 1)]``."""
    runs: list[tuple[int, int]] = []
    for index in sorted(set(indexes)):
        if runs and runs[-1][0] + runs[-1][1] == index:
            first, count = runs[-1]
            runs[-1] = (first, count + 1)
        else:
            runs.append((index, 1))
    return runs


def ack_record(indexes: Iterable[int]) -> bytes:
    """The bytes of ack record(s) saying messages ``indexes`` of this segment are done."""
    runs = index_ranges(indexes)
    out = []
    for start in range(0, len(runs), _MAX_RANGES):
        chunk = runs[start : start + _MAX_RANGES]
        body = b"".join(_RANGE.pack(first, count) for first, count in chunk)
        out.append(_ACK.pack(_MAGIC_ACK, len(chunk), _crc32(body)) + body + _ACK_END)
    return b"".join(out)


@dataclass(frozen=True, slots=True)
class Record:
    """One message record found in a segment.

    Attributes:
        index: Its number in the segment.
        offset: Where its record starts in the file.
        length: Its payload's length in bytes.
    """

    index: int
    offset: int
    length: int


@dataclass(slots=True)
class Parsed:
    """What a segment holds.

    Attributes:
        records: Every good message record, in file order (acknowledged or not).
        acked: The indexes acknowledged as done.
        bad: ``(start, end)`` byte ranges that are no good record: damaged
            records and a torn tail.
    """

    records: list[Record] = field(default_factory=list)
    acked: set[int] = field(default_factory=set)
    bad: list[tuple[int, int]] = field(default_factory=list)

    @property
    def unacked(self) -> list[Record]:
        """The message records still waiting for an outcome, in file order."""
        acked = self.acked
        return [r for r in self.records if r.index not in acked]

    @property
    def bad_bytes(self) -> int:
        """How many bytes are in the bad ranges."""
        return sum(end - start for start, end in self.bad)


def _data_at(buf: bytes, pos: int, parsed: Parsed | None) -> int:
    """The end of the good data record at ``pos`` (noted in ``parsed``); -1 if none."""
    if len(buf) - pos < _DATA.size:
        return -1
    length: int
    index: int
    crc: int
    _, length, index, crc = _DATA.unpack_from(buf, pos)
    end = pos + _DATA.size + length
    if end > len(buf) or seal(index, _crc32(buf[pos + _DATA.size : end])) != crc:
        return -1
    if parsed is not None:
        parsed.records.append(Record(index, pos, length))
    return end


def _ack_at(buf: bytes, pos: int, parsed: Parsed | None) -> int:
    """The end of the good ack record at ``pos`` (noted in ``parsed``); -1 if none."""
    if len(buf) - pos < _ACK.size:
        return -1
    count: int
    crc: int
    _, count, crc = _ACK.unpack_from(buf, pos)
    end = pos + _ACK.size + count * _RANGE.size
    if end >= len(buf) or buf[end : end + 1] != _ACK_END:
        return -1
    if _crc32(buf[pos + _ACK.size : end]) != crc:
        return -1
    if parsed is not None:
        for i in range(count):
            first, n = _RANGE.unpack_from(buf, pos + _ACK.size + i * _RANGE.size)
            parsed.acked.update(range(first, first + n))
    return end + 1


def _record_at(buf: bytes, pos: int, parsed: Parsed | None) -> int:
    """The end of the good record at ``pos`` (noted in ``parsed`` when given); -1 if none."""
    magic = buf[pos : pos + 2]
    if magic == _MAGIC_DATA:
        return _data_at(buf, pos, parsed)
    if magic == _MAGIC_ACK:
        return _ack_at(buf, pos, parsed)
    return -1


def _resync(buf: bytes, start: int) -> int:
    """The offset of the next good record at or after ``start``, or ``len(buf)`` if none.

    Every candidate is a later offset holding a record marker; each is tried
    once, so this ends after at most one pass over the buffer.
    """
    pos = start
    while True:
        found = [i for i in (buf.find(_MAGIC_DATA, pos), buf.find(_MAGIC_ACK, pos)) if i >= 0]
        if not found:
            return len(buf)
        candidate = min(found)
        if _record_at(buf, candidate, None) >= 0:
            return candidate
        pos = candidate + 1


def used_length(buf: bytes) -> int:
    """Where a segment's records end: the zero bytes after them are unused space."""
    return len(buf.rstrip(b"\x00"))


def parse(buf: bytes) -> Parsed:
    """Read every record of a segment; damaged and torn bytes become bad ranges."""
    parsed = Parsed()
    pos = 0
    size = used_length(buf)
    buf = buf[:size]
    while pos < size:
        end = _record_at(buf, pos, parsed)
        if end >= 0:
            pos = end
            continue
        good = _resync(buf, pos + 1)
        parsed.bad.append((pos, good))
        pos = good
    return parsed


def payloads(buf: bytes, records: Sequence[Record]) -> list[bytes]:
    """The payloads of ``records`` out of the segment's bytes ``buf``."""
    return [buf[r.offset + _DATA.size : r.offset + _DATA.size + r.length] for r in records]
