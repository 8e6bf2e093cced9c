"""The disk spool of one client: write-ahead segments, acknowledgements, replay, bounds.

With ``spool_dir`` set, every message the client accepts is first appended to
this process's current segment file (:meth:`Spool.append`, on the caller's
thread), then queued in memory as before. The segment is allocated on disk
at its full size when it is made and mapped into memory (``MAP_SHARED``), so
appending is a copy into the kernel's page cache for that file, with no
system call: once ``track()`` returns, the record belongs to the kernel and
survives the death of the process (SIGKILL, an OOM kill, ``os._exit``, a crash
in C) exactly as a ``write()`` would. Allocating first matters: a full disk
then fails when a segment is made, as an error, instead of as a SIGBUS when a
page of the mapping is first touched. The spool remembers where each queued
message lies on disk (its segment and index) until the consumer settles it:

- delivered, or refused for good (a 400, 401, 413): :meth:`Spool.done` appends
  an ack record to its segment; a segment no longer written to whose messages
  are all done is deleted, so the spool does not grow in normal operation;
- not delivered for a reason that may pass (retries ran out, shutdown's
  deadline, a connection set-up failure): :meth:`Spool.keep` leaves it on disk
  for replay instead of losing it;
- the in-memory queue was full: :meth:`Spool.spill` leaves it on disk only.

Messages left on disk, and those of segments claimed from processes that
died (:meth:`Spool.claim_one`), are read back oldest first by
:meth:`Spool.take`, which the replay thread feeds to the queue. The bytes read
back are the bytes written: same ``messageId``, same ``timestamp``.

``spool_max_bytes`` and ``spool_max_age`` bound what is on disk:
:meth:`Spool.tick` evicts the oldest segments that hold only messages waiting
on disk, and returns their messages so they can be counted and reported.

A write that fails (a full disk, a read-only file system, a directory gone)
turns the spool off (:attr:`Spool.off_reason`); the client then queues in
memory only, as without a spool. Nothing raises at the call site.

Locks: ``_lock`` guards ``_active``, ``_segments``, ``_seq``, every
:class:`Segment`'s fields and the counters; ``_where`` is a dict whose single
operations are atomic, and each entry is written and removed under the lock.
No lock is held while logging.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from cio_analytics._delivery import lease
from cio_analytics._delivery.spool_format import (
    DATA_HEADER,
    Parsed,
    ack_record,
    data_header,
    parse,
    used_length,
)
from cio_analytics._logging import logger
from cio_analytics._process import check_fork

__all__ = ["FSYNC_POLICIES", "Eviction", "Segment", "Spool"]

#: The values of the ``spool_fsync`` setting.
FSYNC_POLICIES: Final = ("never", "batch", "message")
#: A segment is rotated once it holds this many bytes at most ...
_ROTATE_MAX: Final = 4 * 1024 * 1024
#: ... and no fewer than this (when ``spool_max_bytes`` is small).
_ROTATE_MIN: Final = 16 * 1024
#: Seconds a segment is written to at most, so acknowledged ones can be deleted.
_ROTATE_AGE: Final = 30.0
#: Records read back per call of :meth:`Spool.take` at most.
_TAKE_MAX: Final = 1000
_crc32: Final = zlib.crc32
#: Subfolder of the key folder where bad bytes are moved.
QUARANTINE: Final = "bad"

#: Where a queued message lies on disk: segment, index, offset, the bytes, read back?
_Token = tuple["Segment", int, int, bytes, bool]


@dataclass(slots=True, eq=False)
class Segment:
    """One segment file this process holds (written here, or claimed for replay).

    Attributes:
        held: Its descriptor (carrying the lock) and path; None once let go.
        mm: Its mapping, for a segment this process writes (None for a claimed one).
        capacity: The bytes allocated (and mapped) when it was made.
        next_index: The index of the next message written to it.
        size: Bytes of records in it (where the next record goes).
        outstanding: Its messages without a final outcome (in memory or on disk).
        pending: ``(index, offset, length)`` of its messages waiting on disk for replay.
        closed: No message will be written to it any more.
        written_at: Wall-clock time of its last message (for ``spool_max_age``).
    """

    held: lease.Held | None
    stem: str
    mm: mmap.mmap | None = None
    capacity: int = 0
    next_index: int = 0
    size: int = 0
    outstanding: int = 0
    pending: list[tuple[int, int, int]] = field(default_factory=list)
    closed: bool = False
    written_at: float = field(default_factory=time.time)
    opened_at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True, slots=True)
class Eviction:
    """Messages the spool's bounds removed from disk (to count and report)."""

    why: str
    messages: list[bytes]


class Spool:
    """The spool of one client in one process, in the folder of its key and host.

    Args:
        folder: The key folder (see :func:`~cio_analytics._delivery.spool_dir.prepare`).
        max_bytes: ``spool_max_bytes``.
        max_age: ``spool_max_age`` (seconds).
        fsync: ``spool_fsync``: ``never``, ``batch`` or ``message``.
    """

    def __init__(self, folder: str, max_bytes: int, max_age: float, fsync: str) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._owner = lease.new_owner()
        self._seq = 0
        self._active: Segment | None = None
        #: The next segment, made ahead by the replay thread (so a caller never waits for it).
        self._standby: Segment | None = None
        self._segments: dict[str, Segment] = {}
        self._where: dict[int, _Token] = {}
        self._dirty = False
        self.max_bytes = max_bytes
        self.max_age = max_age
        self.fsync = fsync
        self._fsync_each = fsync == "message"
        self._rotate_bytes = _rotate_bytes(max_bytes)
        #: Why the spool turned itself off (None while it works).
        self.off_reason: str | None = None
        self.spooled = 0
        self.corrupt_bytes = 0
        #: Messages read back by take() and still in memory.
        self.replaying = 0

    def configure(self, max_bytes: int, max_age: float, fsync: str) -> None:
        """Apply changed bounds and fsync policy (from the next message on)."""
        self.max_bytes = max_bytes
        self.max_age = max_age
        self.fsync = fsync
        self._fsync_each = fsync == "message"
        self._rotate_bytes = _rotate_bytes(max_bytes)

    # -- the caller's thread -----------------------------------------------------

    def append(self, data: bytes) -> bool:
        """Write ``data`` to the current segment; False when the spool is off (or just failed)."""
        if self.off_reason is not None:
            return False
        if os.getpid() != self._pid:
            check_fork()  # a fork in C not noticed yet: never write to the parent's file
            return False
        checksum = _crc32(data)  # outside the lock: callers on other threads wait on it
        size = len(data)
        failure: OSError | None = None
        with self._lock:
            segment = self._active
            if segment is None or segment.size + DATA_HEADER + size > segment.capacity:
                segment, failure = self._rotate(DATA_HEADER + size)
            mapped = None if segment is None else segment.mm
            if segment is not None and mapped is not None:
                index = segment.next_index
                start = segment.size
                try:
                    mapped[start : start + DATA_HEADER] = data_header(index, data, checksum)
                    mapped[start + DATA_HEADER : start + DATA_HEADER + size] = data
                    if self._fsync_each:
                        mapped.flush()
                except (OSError, ValueError) as exc:
                    failure = OSError(str(exc))
                else:
                    self._where[id(data)] = (segment, index, start, data, False)
                    segment.next_index = index + 1
                    segment.size = start + DATA_HEADER + size
                    segment.outstanding += 1
                    self.spooled += 1
                    self._dirty = True
                    return True
        if failure is not None:
            self.turn_off(failure)
        return False

    def spill(self, data: bytes) -> bool:
        """``data`` found the in-memory queue full: if it is on disk, it waits there only.

        Returns:
            Whether ``data`` was on disk (False: it was not appended, the spool being off).
        """
        with self._lock:
            token = self._where.pop(id(data), None)
            if token is None:
                return False
            if token[3] is not data:  # another object at a recycled id: not ours
                self._where[id(token[3])] = token
                return False
            token[0].pending.append((token[1], token[2], len(data)))
            return True

    # -- the consumer's threads --------------------------------------------------

    def sync(self) -> None:
        """``spool_fsync="batch"``: make what was written so far survive a power loss."""
        if self.fsync != "batch" or not self._dirty:
            return
        with self._lock:
            segment = self._active
            self._dirty = False
            if segment is None or segment.mm is None:
                return
            with contextlib.suppress(OSError, ValueError):  # a failing disk shows elsewhere
                segment.mm.flush()

    def _tokens(self, messages: Sequence[bytes]) -> list[_Token]:
        where = self._where
        found = []
        for message in messages:
            token = where.pop(id(message), None)
            if token is not None:
                if token[3] is message:
                    found.append(token)
                else:  # another object at a recycled id: not ours to take
                    where[id(token[3])] = token
        return found

    def done(self, messages: Sequence[bytes]) -> None:
        """``messages`` reached their final outcome: acknowledge them on disk."""
        # Sorted out before taking the lock: callers of append() wait on it.
        groups: dict[Segment, list[int]] = {}
        replayed = 0
        where = self._where
        pop = where.pop
        last: Segment | None = None
        indexes: list[int] = []
        for message in messages:
            token = pop(id(message), None)
            if token is None:
                continue
            if token[3] is not message:  # another object at a recycled id: not ours
                where[id(token[3])] = token
                continue
            if token[0] is not last:
                last = token[0]
                indexes = groups.setdefault(last, [])
            indexes.append(token[1])
            replayed += token[4]
        if not groups:
            return
        records = {segment: ack_record(indexes) for segment, indexes in groups.items()}
        failure: OSError | None = None
        with self._lock:
            self.replaying -= replayed
            for segment, indexes in groups.items():
                segment.outstanding -= len(indexes)
                if segment.held is None:
                    continue
                if segment.closed and segment.outstanding <= 0:
                    self._drop(segment)
                    continue
                try:
                    _put(segment, records[segment])
                except OSError as exc:  # the acks are lost: at worst a resend after a crash
                    failure = exc
        if failure is not None:
            self.turn_off(failure)

    def keep(self, messages: Sequence[bytes]) -> tuple[list[bytes], list[bytes], list[bytes]]:
        """Leave ``messages`` on disk for replay (delivery failed for now).

        Returns:
            The messages kept for the first time, those kept again (read back
            from disk, failed again), and those not in the spool (to report).
        """
        first: list[bytes] = []
        again: list[bytes] = []
        tokens = self._tokens(messages)
        with self._lock:
            for segment, index, offset, data, replayed in tokens:
                if segment.held is not None:
                    segment.pending.append((index, offset, len(data)))
                if replayed:
                    self.replaying -= 1
                    again.append(data)
                else:
                    first.append(data)
        kept = {id(m) for m in first} | {id(m) for m in again}
        return first, again, [m for m in messages if id(m) not in kept]

    # -- the replay thread -------------------------------------------------------

    @property
    def pending(self) -> int:
        """Messages waiting on disk for replay in the segments this process holds."""
        with self._lock:
            return sum(len(s.pending) for s in self._segments.values())

    def take(self, limit: int) -> list[bytes]:
        """Read back up to ``limit`` messages waiting on disk, oldest first."""
        out: list[bytes] = []
        limit = min(limit, _TAKE_MAX)
        with self._lock:
            for stem in sorted(self._segments):
                segment = self._segments[stem]
                if not segment.pending or segment.held is None:
                    continue
                segment.pending.sort()
                chunk = segment.pending[: limit - len(out)]
                del segment.pending[: len(chunk)]
                for index, offset, length in chunk:
                    data = _read(segment.held.fd, offset, length)
                    if data is None:
                        segment.outstanding -= 1  # unreadable: counted with corrupt bytes
                        self.corrupt_bytes += length
                        continue
                    self._where[id(data)] = (segment, index, offset, data, True)
                    out.append(data)
                if len(out) >= limit:
                    break
            self.replaying += len(out)
        return out

    def claim_one(self) -> int:
        """Claim the oldest segment whose holder is gone; return its messages to replay."""
        if self.off_reason is not None:
            return 0
        for name in lease.orphans(self.folder):
            held = lease.claim(self.folder, name, self._owner)
            if held is None:
                continue
            gained = self._adopt(held)
            if gained:
                return gained
        return 0

    def _adopt(self, held: lease.Held) -> int:
        """Read a claimed segment: its messages not yet done become pending; bad bytes go aside."""
        try:
            buf = _read_all(held.fd)
            written_at = os.fstat(held.fd).st_mtime
        except OSError:
            lease.release(held, delete=False)
            return 0
        parsed = parse(buf)
        if parsed.bad:
            self._quarantine(held, buf, parsed)
        todo = parsed.unacked
        if not todo:
            lease.release(held, delete=True)
            return 0
        segment = Segment(
            held, held.stem, size=used_length(buf), closed=True, written_at=written_at
        )
        segment.pending = [(r.index, r.offset, r.length) for r in todo]
        segment.outstanding = len(todo)
        with self._lock:
            self._segments[held.stem] = segment
        return len(todo)

    def _quarantine(self, held: lease.Held, buf: bytes, parsed: Parsed) -> None:
        """Copy a segment's bad bytes into the quarantine folder, count them, warn once."""
        bad = parsed.bad_bytes
        with self._lock:
            self.corrupt_bytes += bad
        where = os.path.join(self.folder, QUARANTINE)
        try:
            os.makedirs(where, mode=0o700, exist_ok=True)
            for start, end in parsed.bad:
                target = os.path.join(where, f"{held.stem}.{start}.bad")
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
                try:
                    os.write(fd, buf[start:end])
                finally:
                    os.close(fd)
        except OSError as exc:
            logger.debug("cio_analytics: could not keep the bad bytes of a segment: %s", exc)
        logger.warning(
            "cio_analytics: spool segment %s had %d bad byte(s) (a torn or damaged record); "
            "its good messages are replayed, the bad bytes were moved to %s",
            held.stem,
            bad,
            where,
        )

    def tick(self) -> list[Eviction]:
        """Rotate a segment written to for long; evict what the bounds no longer allow."""
        evictions: list[Eviction] = []
        with self._lock:
            active = self._active
            if (
                active is not None
                and active.next_index
                and time.monotonic() - active.opened_at >= _ROTATE_AGE
            ):
                self._close_active()
            cutoff = time.time() - self.max_age
            for stem in sorted(self._segments):
                segment = self._segments[stem]
                if segment.written_at < cutoff and self._evictable(segment):
                    evictions.append(self._evict(segment, "spool_max_age"))
        over = self.disk_bytes() - self.max_bytes
        while over > 0:
            with self._lock:
                victim = next(
                    (self._segments[s] for s in sorted(self._segments)
                     if self._evictable(self._segments[s])),
                    None,
                )  # fmt: skip
                if victim is None:
                    break  # what is left is in memory too: delivery retires it
                over -= victim.size
                evictions.append(self._evict(victim, "spool_max_bytes"))
        return [e for e in evictions if e.messages]

    def _evictable(self, segment: Segment) -> bool:
        """Whether ``segment`` holds only messages waiting on disk (none in memory)."""
        return (
            segment.closed
            and segment.held is not None
            and segment.outstanding == len(segment.pending)
        )

    def _evict(self, segment: Segment, why: str) -> Eviction:
        """Remove ``segment`` (under the lock); return its waiting messages."""
        held = segment.held
        messages = []
        if held is not None:
            for _, offset, length in sorted(segment.pending):
                data = _read(held.fd, offset, length)
                if data is not None:
                    messages.append(data)
        segment.pending.clear()
        segment.outstanding = 0
        self._drop(segment)
        return Eviction(why, messages)

    # -- state -------------------------------------------------------------------

    def disk_bytes(self) -> int:
        """Bytes of every segment in this key's folder (this process's and others')."""
        total = 0
        for name in lease.segment_names(self.folder):
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(self.folder, name)).st_size
        return total

    def prepare(self) -> None:
        """Make the next segment ahead of need (on the replay thread), once half of one is used.

        A caller that fills a segment then switches to it at once instead of
        allocating, mapping and touching a new file on its own thread.
        """
        with self._lock:
            active = self._active
            if (
                self._standby is not None
                or self.off_reason is not None
                or active is None  # nothing written yet: no segment ahead of need
                or active.size < active.capacity // 2
            ):
                return
            self._standby, _ = self._new_segment(self._rotate_bytes)

    def _rotate(self, needed: int) -> tuple[Segment | None, OSError | None]:
        """Start a new segment with room for ``needed`` bytes (under the lock); close the old."""
        self._close_active()
        standby, self._standby = self._standby, None
        if standby is not None and standby.capacity >= needed:
            self._segments[standby.stem] = standby
            self._active = standby
            return standby, None
        if standby is not None:
            self._drop(standby)
        segment, failure = self._new_segment(max(self._rotate_bytes, needed + 1024))
        if segment is not None:
            self._segments[segment.stem] = segment
            self._active = segment
        return segment, failure

    def _new_segment(self, capacity: int) -> tuple[Segment | None, OSError | None]:
        """Allocate, lock, map and touch a new segment file (under the lock)."""
        self._seq += 1
        try:
            held = lease.create(self.folder, self._owner, self._seq, capacity)
        except OSError as exc:
            return None, exc
        try:
            # MAP_POPULATE (Linux): the pages are faulted in now, once, not one
            # fault every few messages on the callers' threads.
            flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
            mapped = mmap.mmap(held.fd, capacity, flags=flags)
        except (OSError, ValueError) as exc:
            lease.release(held, delete=True)
            return None, OSError(str(exc))
        if self.fsync != "never":
            _sync_folder(self.folder)  # the new name survives a power loss too
        with contextlib.suppress(OSError, ValueError):
            # Write every page once now: the first write to a page of a shared
            # file mapping faults (the kernel marks it dirty), and those faults
            # belong here, not on the callers' threads.
            mapped[:capacity] = bytes(capacity)
        return Segment(held, held.stem, mm=mapped, capacity=capacity), None

    def _close_active(self) -> None:
        segment, self._active = self._active, None
        if segment is not None:
            segment.closed = True
            segment.written_at = time.time()  # its last message is at most this old
            if segment.outstanding <= 0:
                self._drop(segment)

    def _drop(self, segment: Segment) -> None:
        """Delete a segment whose messages are all done (under the lock)."""
        held, segment.held = segment.held, None
        self._segments.pop(segment.stem, None)
        _unmap(segment)
        if held is not None:
            lease.release(held, delete=True)

    def turn_off(self, failure: OSError | str) -> None:
        """Stop writing to disk after a failure; warn once. Queued messages go on in memory."""
        reason = failure if isinstance(failure, str) else (failure.strerror or str(failure))
        with self._lock:
            if self.off_reason is not None:
                return
            self.off_reason = reason
            self._close_active()
            standby, self._standby = self._standby, None
            if standby is not None:
                self._drop(standby)
        logger.warning(
            "cio_analytics: the disk spool in %s is off (%s); messages are kept in memory "
            "only from now on, as without spool_dir. What is already on disk stays there "
            "for the next process that starts with this spool_dir.",
            self.folder,
            reason,
        )

    def release(self) -> None:
        """Let go of every segment: done ones are deleted, the rest stay for a later replay.

        The spool can be written to again afterwards (a new segment is made).
        """
        with self._lock:
            self._close_active()
            standby, self._standby = self._standby, None
            if standby is not None:
                self._drop(standby)
            for segment in list(self._segments.values()):
                held, segment.held = segment.held, None
                segment.pending.clear()
                mapped = segment.mm is not None
                _unmap(segment)
                if held is not None:
                    done = segment.outstanding <= 0
                    if mapped and not done:
                        with contextlib.suppress(OSError):  # give back the unused space
                            os.ftruncate(held.fd, segment.size)
                    lease.release(held, delete=done)
            self._segments.clear()
            self.replaying = 0

    def forget_after_fork(self) -> None:
        """In a forked child: close the parent's descriptors, touch none of its files."""
        for segment in list(self._segments.values()):
            held, segment.held = segment.held, None
            _unmap(segment)  # the child's view only: the parent's mapping is its own
            if held is not None:
                lease.forget_inherited(held)
        standby, self._standby = self._standby, None
        if standby is not None and standby.held is not None:
            _unmap(standby)
            lease.forget_inherited(standby.held)
        self._segments = {}
        self._active = None
        self._where = {}
        self.off_reason = "forked: the parent's spool"


def _put(segment: Segment, record: bytes) -> None:
    """Append ``record`` to a segment (through its mapping while there is room)."""
    size = segment.size
    end = size + len(record)
    if segment.mm is not None and end <= segment.capacity:
        segment.mm[size:end] = record
    elif segment.held is not None:
        os.pwrite(segment.held.fd, record, size)
    segment.size = end


def _unmap(segment: Segment) -> None:
    mapped, segment.mm = segment.mm, None
    if mapped is not None:
        with contextlib.suppress(OSError, ValueError, BufferError):
            mapped.close()


def _sync_folder(folder: str) -> None:
    """fsync a directory, so the names in it survive a power loss (where that is possible)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _rotate_bytes(max_bytes: int) -> int:
    """Segment size: a sixteenth of the bound, between 16 KiB and 4 MiB."""
    return max(_ROTATE_MIN, min(_ROTATE_MAX, max_bytes // 16))


def _read(fd: int, offset: int, length: int) -> bytes | None:
    """The payload of the data record at ``offset`` (None if it cannot be read)."""
    try:
        raw = os.pread(fd, DATA_HEADER + length, offset)
    except OSError:
        return None
    if len(raw) != DATA_HEADER + length:
        return None
    return raw[DATA_HEADER:]


def _read_all(fd: int) -> bytes:
    """The whole file behind ``fd``."""
    size = os.fstat(fd).st_size
    chunks = []
    offset = 0
    while offset < size:
        chunk = os.pread(fd, size - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)
