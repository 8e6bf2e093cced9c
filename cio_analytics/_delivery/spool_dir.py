"""Where a spool lives on disk, made safe: a per-user folder, a folder per key and host.

``spool_dir`` is a parent the user names (``/var/spool/myapp``, or even
``/tmp``). Under it the library uses ``user-<uid>/<key folder>/``:

- ``user-<uid>`` keeps users apart, so a shared directory such as ``/tmp``
  works for every user instead of only the first one;
- the key folder is named by a hash of the write key and the host, so two
  keys never mix and the key itself is never written to disk.

Both folders are created with mode 0700. A folder there that is a symbolic
link, is not a directory, or belongs to another user is refused (someone may
have put it there to read or redirect the data); one that is ours but open
to others is closed to 0700. ``spool_dir`` itself may not be a symbolic link
either, and when any user may write to it, it must have the sticky bit (as
``/tmp`` has), so nobody else can rename our folder away.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import stat
from typing import Final

__all__ = ["SpoolUnavailable", "key_folder", "prepare", "user_folder"]

#: Hex digits of the key-and-host hash naming a key folder.
_HASH_DIGITS: Final = 16


class SpoolUnavailable(Exception):
    """The spool directory cannot be used safely; the message says why."""


def user_folder() -> str:
    """The name of this user's folder under ``spool_dir``."""
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        return f"user-{getuid()}"
    return "user-" + "".join(c for c in getpass.getuser() if c.isalnum() or c in "-_.")


def key_folder(write_key: str, base_url: str) -> str:
    """The name of the folder of one write key and host (a hash: the key is never on disk)."""
    digest = hashlib.sha256(f"cio-analytics spool\n{write_key}\n{base_url}".encode())
    return digest.hexdigest()[:_HASH_DIGITS]


def _uid() -> int | None:
    getuid = getattr(os, "getuid", None)
    return None if getuid is None else int(getuid())


def _directory(path: str, link_note: str) -> os.stat_result:
    """``path``'s own status (not a link's target); refused unless it is a real directory."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise SpoolUnavailable(f"{path} is a symbolic link{link_note}")
    if not stat.S_ISDIR(info.st_mode):
        raise SpoolUnavailable(f"{path} is not a directory")
    return info


def _check_parent(path: str) -> None:
    """``spool_dir`` itself: made if missing; no symlink; if anyone may write to it, sticky."""
    if not os.path.lexists(path):
        try:
            os.makedirs(path, mode=0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise SpoolUnavailable(f"cannot create {path}: {exc.strerror or exc}") from exc
    info = _directory(path, "; give the real directory")
    uid = _uid()
    others_write = info.st_mode & stat.S_IWOTH
    if uid is not None and info.st_uid not in (uid, 0) and not info.st_mode & stat.S_ISVTX:
        raise SpoolUnavailable(f"{path} belongs to another user (uid {info.st_uid})")
    if others_write and not info.st_mode & stat.S_ISVTX:
        raise SpoolUnavailable(
            f"{path} is writable by other users and has no sticky bit: they could replace "
            "the spool's folders"
        )


def _own_folder(path: str) -> None:
    """A folder of ours: created 0700 if missing; refused if a link or someone else's."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise SpoolUnavailable(f"cannot create {path}: {exc.strerror or exc}") from exc
    info = _directory(path, " (refused: it may point anywhere)")
    uid = _uid()
    if uid is not None and info.st_uid != uid:
        raise SpoolUnavailable(f"{path} belongs to another user (uid {info.st_uid}); refused")
    if info.st_mode & 0o077:
        try:
            os.chmod(path, 0o700)
        except OSError as exc:
            raise SpoolUnavailable(f"cannot restrict {path} to its owner: {exc}") from exc


def prepare(spool_dir: str, write_key: str, base_url: str) -> str:
    """Make (or check) the folder of this key and host under ``spool_dir``; return its path.

    Raises:
        SpoolUnavailable: The directory cannot be used safely, or at all.
    """
    parent = os.path.abspath(spool_dir)
    _check_parent(parent)
    mine = os.path.join(parent, user_folder())
    _own_folder(mine)
    folder = os.path.join(mine, key_folder(write_key, base_url))
    _own_folder(folder)
    return folder
