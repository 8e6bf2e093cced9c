"""``cio-analytics spool ls|replay|purge DIR``: inspect and drive a disk spool from the shell.

``DIR`` is the ``spool_dir`` an application uses (the parent: the library
keeps this user's messages under ``DIR/user-<uid>/<key folder>/``).

- ``ls`` lists every segment of this user: its key folder, size, messages
  waiting, bad bytes, and whether a live process holds it (a writer, or a
  replay) or nobody does (waiting for the next process to claim it).
- ``replay`` delivers what waits for one write key and host (``--write-key``
  or ``CUSTOMERIO_API_KEY``; the folder is named by their hash), with a
  progress line; exit status 0 when everything was delivered.
- ``purge`` deletes segments no live process holds (all key folders, or the
  one of ``--write-key`` when given): the messages in them are lost for good,
  so it only lists them unless ``--yes`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from typing import Final

from cio_analytics._client import Client
from cio_analytics._delivery import lease
from cio_analytics._delivery.spool_dir import key_folder, user_folder
from cio_analytics._delivery.spool_format import parse
from cio_analytics.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Progress,
    UsageError,
    error,
    resolve_settings,
)

__all__ = ["DEFAULT_REPLAY_TIMEOUT", "run_spool"]

#: Seconds ``spool replay`` may take by default.
DEFAULT_REPLAY_TIMEOUT: Final = 600.0


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """What one segment file holds."""

    key_folder: str
    name: str
    size: int
    waiting: int
    bad_bytes: int
    held: bool
    age: float


def _key_folders(spool_dir: str, only: str | None) -> list[str]:
    mine = os.path.join(os.path.abspath(spool_dir), user_folder())
    try:
        names = sorted(os.listdir(mine))
    except OSError:
        return []
    return [os.path.join(mine, n) for n in names if only is None or n == only]


def describe(spool_dir: str, only: str | None = None) -> list[SegmentInfo]:
    """Every segment of this user under ``spool_dir`` (of one key folder when ``only``)."""
    found = []
    now = time.time()
    for folder in _key_folders(spool_dir, only):
        for name in lease.segment_names(folder):
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as fh:
                    buf = fh.read()
                mtime = os.stat(path).st_mtime
            except OSError:
                continue  # gone meanwhile (delivered and deleted)
            parsed = parse(buf)
            found.append(
                SegmentInfo(
                    key_folder=os.path.basename(folder),
                    name=name,
                    size=len(buf),
                    waiting=len(parsed.unacked),
                    bad_bytes=parsed.bad_bytes,
                    held=lease.is_held_elsewhere(path),
                    age=max(0.0, now - mtime),
                )
            )
    return found


def _only(args: argparse.Namespace) -> str | None:
    """The key folder of ``--write-key``/``--host`` when a key is given, else None (all)."""
    if args.write_key is None and not os.environ.get("CUSTOMERIO_API_KEY"):
        return None
    settings = resolve_settings(args)
    if settings.write_key is None:
        return None
    return key_folder(settings.write_key, settings.base_url)


def _ls(args: argparse.Namespace) -> int:
    segments = describe(args.dir, _only(args))
    out = sys.stdout
    if not segments:
        print(f"no spooled messages for this user under {args.dir}", file=out)
        return EXIT_OK
    header = f"{'key folder':<17} {'segment':<46} {'bytes':>10} {'waiting':>8} {'bad':>6}  state"
    print(header, file=out)
    for s in segments:
        state = "held by a live process" if s.held else "orphaned: the next process replays it"
        print(
            f"{s.key_folder:<17} {s.name[:46]:<46} {s.size:>10,} {s.waiting:>8,} "
            f"{s.bad_bytes:>6,}  {state} (last written {s.age:.0f} s ago)",
            file=out,
        )
    total = sum(s.waiting for s in segments)
    size = sum(s.size for s in segments)
    print(f"{len(segments)} segment(s), {size:,} bytes, {total:,} message(s) waiting", file=out)
    return EXIT_OK


def _replay(args: argparse.Namespace) -> int:
    settings = resolve_settings(args)
    if settings.write_key is None:
        raise UsageError("spool replay needs the write key (--write-key or CUSTOMERIO_API_KEY)")
    folder = key_folder(settings.write_key, settings.base_url)
    waiting = sum(s.waiting for s in describe(args.dir, folder) if not s.held)
    progress = Progress(enabled=None if not args.quiet else False)
    client = Client(
        write_key=settings.write_key,
        host=settings.base_url,
        spool_dir=args.dir,
        upload_interval=0.05,
        handle_sigterm=False,
    )
    deadline = time.monotonic() + args.timeout
    try:
        client.flush(0)  # starts delivery and the replay of what waits on disk
        done = _wait_replayed(client, waiting, deadline, progress)
        client.flush(max(0.0, deadline - time.monotonic()))
    finally:
        client.shutdown(min(10.0, max(0.0, deadline - time.monotonic())))
        progress.clear()
    stats = client.stats()
    print(
        f"replayed {stats.replayed:,} message(s): {stats.delivered:,} delivered, "
        f"{stats.failed:,} failed, {stats.kept:,} kept on disk for later",
        file=sys.stdout,
    )
    return EXIT_OK if done and not stats.failed and not stats.kept else EXIT_FAILURE


def _wait_replayed(client: Client, waiting: int, deadline: float, progress: Progress) -> bool:
    """Draw the progress line until nothing waits (True) or ``deadline`` passes (False)."""
    while time.monotonic() < deadline:
        stats = client.stats()
        progress.update(
            f"replay: {stats.delivered:,} of about {waiting:,} delivered, "
            f"{stats.kept:,} kept, {stats.spool_bytes:,} bytes on disk"
        )
        orphans = any(not s.held for s in describe(client.settings.spool_dir or "", None))
        if stats.replayed and not orphans and stats.pending == 0 and stats.spool_bytes == 0:
            return True
        if not waiting and not orphans:
            return True
        time.sleep(0.1)
    return False


def _purge(args: argparse.Namespace) -> int:
    segments = [s for s in describe(args.dir, _only(args)) if not s.held]
    mine = os.path.join(os.path.abspath(args.dir), user_folder())
    messages = sum(s.waiting for s in segments)
    verb = "removed" if args.yes else "would remove"
    for s in segments:
        if args.yes:
            path = os.path.join(mine, s.key_folder, s.name)
            held = lease.claim(os.path.dirname(path), s.name, lease.new_owner())
            if held is None:
                continue  # claimed by a live process meanwhile: not ours to delete
            lease.release(held, delete=True)
        print(f"{verb} {s.key_folder}/{s.name} ({s.waiting:,} message(s))", file=sys.stdout)
    print(f"{verb} {len(segments)} segment(s), {messages:,} undelivered message(s)")
    if segments and not args.yes:
        print("nothing was deleted: add --yes to delete them", file=sys.stdout)
    return EXIT_OK


def run_spool(args: argparse.Namespace) -> int:
    """Run ``spool ls``, ``spool replay`` or ``spool purge``.

    Returns:
        0 on success; 1 when replay left messages undelivered; 2 for bad input.
    """
    if not os.path.isdir(args.dir):
        error("spool", f"{args.dir} is not a directory")
        return EXIT_USAGE
    try:
        if args.action == "ls":
            return _ls(args)
        if args.action == "replay":
            return _replay(args)
        return _purge(args)
    except UsageError as exc:
        error("spool", str(exc))
        return EXIT_USAGE
