"""Who holds which spool segment: a kernel record lock, and claims by atomic rename.

A segment file is held by the one live process that holds a POSIX record lock
on it (``fcntl.lockf``). The kernel drops every lock of a process when it
ends, however it ends (SIGKILL, an OOM kill, ``os._exit``, a crash in C), so
a dead process holds nothing and no lease has to wait for a clock to expire:
a segment whose writer is gone can be taken at once, and a live holder's
segment is never taken, whatever the clocks of the machines say. That is the
lease; its expiry is the holder's death, which the kernel notices.

Taking a segment (``claim``): open it, take its lock without waiting, and
rename it to a name that records the new holder. The lock makes the claim
exclusive among live processes; the rename (atomic in one directory) tells
others it changed hands and lets ``cio-analytics spool ls`` say who holds it.

Names, in the folder of one write key and host::

    <stem>.seg            written by its creator; stem = <time_ns>-<pid>-<nonce>-<seq>
    <stem>~<holder>.seg   claimed for replay by <holder> (<pid>-<nonce>)
    <stem>.tmp            being created: locked first, then renamed to .seg,
                          so nobody can claim it between creation and lock

The time at the front of every stem orders segments oldest first. It is only
an order: nothing waits on it, so a skewed clock can reorder replay but never
block a claim or steal a segment.

POSIX record locks have two traps, both avoided here. A process never
conflicts with itself, so this process's segments are kept in a process-wide
registry and never probed. And closing any descriptor of a file drops the
process's locks on it, so each segment is opened once per process, and only
after the registry says it is not ours. Record locks are not inherited by a
forked child: a child holds none of its parent's segments (the registry is
emptied in the child).

Locks: ``_lock`` guards ``_held``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
import time
from dataclasses import dataclass
from typing import Final

from cio_analytics._process import on_fork

try:
    import fcntl
except ImportError:  # Windows: no POSIX record locks, so no spool
    SUPPORTED = False
else:
    SUPPORTED = True

__all__ = [
    "SUPPORTED",
    "Held",
    "claim",
    "create",
    "forget_inherited",
    "holder_of",
    "is_held_elsewhere",
    "new_owner",
    "orphans",
    "release",
    "segment_names",
    "stem_of",
]

_SUFFIX: Final = ".seg"
_TMP: Final = ".tmp"
_OPEN_FLAGS: Final = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
#: Bytes of zeros written at a time where posix_fallocate is missing.
_ZEROS: Final = bytes(64 * 1024)

_held: set[str] = set()
_lock = threading.Lock()


def _after_fork() -> None:
    global _lock
    _lock = threading.Lock()
    _held.clear()  # record locks are not inherited: the child holds nothing


on_fork(_after_fork)


@dataclass(slots=True)
class Held:
    """A segment this process holds: its open descriptor (which carries the lock) and name."""

    fd: int
    path: str
    stem: str


def new_owner() -> str:
    """A name for this process's writer: its pid and a random nonce."""
    return f"{os.getpid()}-{os.urandom(3).hex()}"


def stem_of(name: str) -> str:
    """The stem of a segment file name (what orders it, and what stays across claims)."""
    base = name[: -len(_SUFFIX)] if name.endswith(_SUFFIX) else name
    return base.split("~", 1)[0]


def holder_of(name: str) -> str | None:
    """The holder a claimed segment's name records, or None for one still with its writer."""
    base = name[: -len(_SUFFIX)] if name.endswith(_SUFFIX) else name
    return base.split("~", 1)[1] if "~" in base else None


def segment_names(folder: str) -> list[str]:
    """Every segment file in ``folder``, oldest first."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted((n for n in names if n.endswith(_SUFFIX)), key=stem_of)


def _register(path: str) -> None:
    with _lock:
        _held.add(path)


def _is_ours(path: str) -> bool:
    with _lock:
        return path in _held


def _lock_now(fd: int) -> bool:
    """Take the record lock on ``fd`` without waiting; False if a live process holds it."""
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _allocate(fd: int, size: int) -> None:
    """Give the file ``size`` bytes of real disk now: a full disk fails here, not later.

    (A write through a file mapping into space the disk cannot provide would
    be a SIGBUS, not an error.)
    """
    fallocate = getattr(os, "posix_fallocate", None)
    if fallocate is not None:
        try:
            fallocate(fd, 0, size)
            return
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                raise
    offset = 0
    while offset < size:
        offset += os.pwrite(fd, _ZEROS[: size - offset], offset)


def create(folder: str, owner: str, seq: int, size: int) -> Held:
    """Create, allocate, lock and publish a new segment of ``size`` bytes for this process.

    Raises:
        OSError: The folder cannot hold a new file (full, read-only, gone ...).
    """
    stem = f"{time.time_ns():020d}-{owner}-{seq:06d}"
    tmp = os.path.join(folder, stem + _TMP)
    path = os.path.join(folder, stem + _SUFFIX)
    _register(path)
    try:
        fd = os.open(tmp, _OPEN_FLAGS | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        _forget(path)
        raise
    try:
        if not _lock_now(fd):
            raise OSError(f"cannot lock {tmp}")
        _allocate(fd, size)
        os.rename(tmp, path)
    except OSError:
        _forget(path)
        os.close(fd)
        _unlink(tmp)
        raise
    return Held(fd, path, stem)


def orphans(folder: str) -> list[str]:
    """Segment names in ``folder`` that this process does not hold, oldest first.

    Whether their holder is alive is only known by trying to claim them.
    """
    return [n for n in segment_names(folder) if not _is_ours(os.path.join(folder, n))]


def claim(folder: str, name: str, owner: str) -> Held | None:
    """Take segment ``name`` if no live process holds it; None if one does (or it is gone)."""
    path = os.path.join(folder, name)
    stem = stem_of(name)
    new_path = os.path.join(folder, f"{stem}~{owner}{_SUFFIX}")
    if _is_ours(path) or _is_ours(new_path):
        return None
    _register(path)  # before opening: no other client of this process may probe it now
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        _forget(path)
        return None
    if not _lock_now(fd):
        os.close(fd)  # we held no lock on it: closing drops nothing of anyone's
        _forget(path)
        return None
    _register(new_path)
    try:
        os.rename(path, new_path)
    except OSError:
        # Gone since (someone claimed and deleted it before we locked): leave it.
        _forget(new_path)
        _forget(path)
        os.close(fd)
        return None
    _forget(path)
    return Held(fd, new_path, stem)


def release(held: Held, *, delete: bool) -> None:
    """Let go of ``held``: delete it first when its messages are all done, then unlock."""
    if delete:
        _unlink(held.path)
    with contextlib.suppress(OSError):
        os.close(held.fd)  # drops the lock: another process may claim what is left
    _forget(held.path)


def forget_inherited(held: Held) -> None:
    """In a forked child: close the descriptor inherited from the parent (holding no lock)."""
    with contextlib.suppress(OSError):
        os.close(held.fd)


def is_held_elsewhere(path: str) -> bool:
    """Whether a live process (other than this one) holds the segment at ``path``.

    For the command line: it takes the lock for an instant when it is free.
    """
    if _is_ours(path):
        return False
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return False
    try:
        return not _lock_now(fd)
    finally:
        os.close(fd)


def _forget(path: str) -> None:
    with _lock:
        _held.discard(path)


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
