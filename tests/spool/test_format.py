"""The segment format as pure functions: records, acks, torn and damaged bytes (no I/O)."""

from __future__ import annotations

import random

from cio_analytics._delivery.spool_format import (
    DATA_HEADER,
    ack_record,
    data_record,
    index_ranges,
    parse,
    payloads,
)

MESSAGES = [f'{{"type":"track","event":"E","properties":{{"i":{i}}}'.encode() for i in range(20)]


def _segment(messages: list[bytes], acked: tuple[int, ...] = ()) -> bytes:
    body = b"".join(data_record(i, m) for i, m in enumerate(messages))
    return body + (ack_record(acked) if acked else b"")


class TestRecords:
    def test_every_record_reads_back_in_order(self) -> None:
        """Each message comes back byte for byte, with its index and offset."""
        buf = _segment(MESSAGES)
        parsed = parse(buf)
        assert [r.index for r in parsed.records] == list(range(20))
        assert payloads(buf, parsed.records) == MESSAGES
        assert parsed.bad == []

    def test_acks_retire_records(self) -> None:
        """Acknowledged indexes, given in any order, are not pending any more."""
        buf = _segment(MESSAGES, acked=(3, 1, 2, 7, 19))
        pending = [r.index for r in parse(buf).unacked]
        assert pending == [0, 4, 5, 6, *range(8, 19)]

    def test_ranges_are_compact(self) -> None:
        """A batch of consecutive indexes is one range: 8 bytes on disk, not one per message."""
        assert index_ranges([5, 3, 4, 9, 10]) == [(3, 3), (9, 2)]
        assert len(ack_record(range(100))) == 8 + 8 + 1

    def test_header_is_twelve_bytes(self) -> None:
        """A message costs its bytes plus a 12-byte header on disk."""
        assert len(data_record(0, b"x" * 100)) == 100 + DATA_HEADER == 112


class TestDamage:
    def test_torn_tail_is_set_aside(self) -> None:
        """A record cut short at the end (a crash mid-write) is a bad range; the rest is good."""
        buf = _segment(MESSAGES)
        torn = data_record(20, b'{"cut":"short"}')[:9]
        parsed = parse(buf + torn)
        assert len(parsed.records) == 20
        assert parsed.bad == [(len(buf), len(buf) + len(torn))]
        assert parsed.bad_bytes == len(torn)

    def test_damaged_record_is_skipped_and_the_next_ones_kept(self) -> None:
        """A flipped byte inside one record loses that record only: reading resumes after it."""
        buf = bytearray(_segment(MESSAGES))
        third = len(data_record(0, MESSAGES[0])) * 2  # offset of record 2 (same lengths)
        buf[third + DATA_HEADER + 3] ^= 0xFF
        parsed = parse(bytes(buf))
        assert [r.index for r in parsed.records] == [0, 1, *range(3, 20)]
        assert len(parsed.bad) == 1 and parsed.bad[0][0] == third

    def test_damaged_ack_means_resend_not_loss(self) -> None:
        """A damaged ack record is ignored: its messages are replayed (at least once)."""
        buf = bytearray(_segment(MESSAGES, acked=(0, 1, 2)))
        buf[-1] ^= 0xFF
        parsed = parse(bytes(buf))
        assert len(parsed.unacked) == 20

    def test_zeros_after_the_records_are_free_space(self) -> None:
        """A segment is allocated at its full size: the zeros after its records are not damage."""
        buf = _segment(MESSAGES, acked=(0,)) + bytes(4096)
        parsed = parse(buf)
        assert parsed.bad == [] and len(parsed.unacked) == 19

    def test_garbage_never_loops_or_raises(self) -> None:
        """Random bytes, with record markers sprinkled in, parse in one bounded pass."""
        rng = random.Random(14)
        for _ in range(200):
            size = rng.randrange(0, 3000)
            junk = bytearray(rng.randbytes(size))
            for _ in range(rng.randrange(0, 20)):
                at = rng.randrange(0, max(1, size))
                junk[at : at + 2] = rng.choice([b"\xc1\x0d", b"\xc1\x0a"])
            good = data_record(0, b'{"ok":1}')
            buf = bytes(junk) + good
            parsed = parse(buf)
            covered = parsed.bad_bytes + sum(DATA_HEADER + r.length for r in parsed.records)
            assert covered <= len(buf) + 16 * len(parsed.acked)
            assert any(p == b'{"ok":1}' for p in payloads(buf, parsed.records))
