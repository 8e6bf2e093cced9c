"""A spool that cannot be used safely is refused; one that fails turns itself off.

Either way: one WARNING, delivery goes on from memory, nothing raises at the
call site. Also here: the folders' modes and the write key never on disk.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cio_analytics import Client
from cio_analytics._delivery.spool_dir import user_folder
from cio_analytics.testing import LocalServer

from ._support import counts, folder_of, last_json, run_child


def _client(server: LocalServer, spool_dir: Path, **extra: object) -> Client:
    return Client(
        write_key=server.write_key,
        host=server.url,
        spool_dir=spool_dir,
        upload_interval=0.02,
        **extra,  # type: ignore[arg-type]
    )


def _deliver_ten(client: Client, event: str) -> None:
    try:
        for i in range(10):
            client.track("u", event, {"i": i})
        assert client.flush(5)
    finally:
        client.shutdown(5)


def _spool_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "spool" in r.getMessage()
    ]


@contextlib.contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[bool]:
    """Mount a small tmpfs at ``path`` when this machine allows it; yields whether it did."""
    path.mkdir(exist_ok=True)
    mount = shutil.which("mount")
    ok = (
        mount is not None
        and os.geteuid() == 0
        and subprocess.run(
            [mount, "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
            capture_output=True,
            check=False,
            timeout=10,
        ).returncode
        == 0
    )
    try:
        yield ok
    finally:
        if ok:
            subprocess.run(
                ["umount", "-l", str(path)], capture_output=True, check=False, timeout=10
            )


class TestFolders:
    def test_folders_are_private_and_the_key_is_never_on_disk(
        self, server: LocalServer, spool_dir: Path
    ) -> None:
        """user-<uid>/<hash of key and host>, both 0700; no file or name holds the key."""
        server.write_key = "secret-write-key-6a1f"
        client = _client(server, spool_dir)
        try:
            for i in range(20):
                client.track("u", "Private", {"i": i})
            folder = folder_of(spool_dir, server)
            assert (folder.parent.stat().st_mode & 0o777) == 0o700
            assert (folder.stat().st_mode & 0o777) == 0o700
            for path in spool_dir.rglob("*"):
                assert "secret-write-key" not in str(path)
                if path.is_file():
                    assert (path.stat().st_mode & 0o077) == 0
                    assert b"secret-write-key" not in path.read_bytes()
            assert client.flush(5)
        finally:
            client.shutdown(5)

    def test_a_symlinked_folder_is_refused(
        self, server: LocalServer, spool_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A symlink squatting on the per-user folder: refused, one warning, memory delivery."""
        elsewhere = tmp_path / "attacker"
        elsewhere.mkdir()
        (spool_dir / user_folder()).symlink_to(elsewhere)
        with caplog.at_level(logging.WARNING, logger="cio_analytics"):
            client = _client(server, spool_dir)
            assert client.stats().spool_off is None  # no spool at all, not a failing one
            _deliver_ten(client, "Linked")
        assert len(counts(server, "Linked")) == 10
        assert list(elsewhere.iterdir()) == []
        warnings = _spool_warnings(caplog)
        assert len(warnings) == 1 and "symbolic link" in warnings[0]

    def test_a_symlinked_spool_dir_is_refused(
        self, server: LocalServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """spool_dir itself a symlink: refused with a clear reason."""
        real = tmp_path / "real"
        real.mkdir()
        link = tmp_path / "link"
        link.symlink_to(real)
        with caplog.at_level(logging.WARNING, logger="cio_analytics"):
            _deliver_ten(_client(server, link), "LinkedParent")
        assert len(counts(server, "LinkedParent")) == 10
        assert list(real.iterdir()) == []
        assert "give the real directory" in _spool_warnings(caplog)[0]

    @pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder away needs root")
    def test_a_folder_owned_by_someone_else_is_refused(
        self, server: LocalServer, spool_dir: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The per-user folder belongs to another uid: refused."""
        mine = spool_dir / user_folder()
        mine.mkdir(mode=0o700)
        os.chown(mine, 4242, 4242)
        with caplog.at_level(logging.WARNING, logger="cio_analytics"):
            _deliver_ten(_client(server, spool_dir), "Owned")
        assert len(counts(server, "Owned")) == 10
        assert "another user" in _spool_warnings(caplog)[0]


class TestFailingDisk:
    def test_full_disk_turns_the_spool_off_once(
        self, server: LocalServer, tmp_path: Path
    ) -> None:
        """The disk fills up: one WARNING, the spool turns off, every message still arrives.

        A 64 KiB tmpfs when this machine can mount one (root); else the child's
        RLIMIT_FSIZE (with SIGXFSZ ignored), which makes the allocation of a
        segment past the limit fail with EFBIG the way a full disk fails it
        with ENOSPC.
        """
        small = tmp_path / "small"
        with _tmpfs(small, "64k") as mounted:
            setup = (
                ""
                if mounted
                else "import resource, signal\n"
                "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
                "resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))\n"
            )
            completed = run_child(
                setup
                + """
import json
import cio_analytics as analytics
client = analytics.Client(upload_interval=0.02, spool_max_bytes=256 * 1024)
for i in range(400):
    client.track("u", "Full", {"i": i, "pad": "x" * 300})
ok = client.flush(10)
s = client.stats()
client.shutdown(5)
print(json.dumps({"ok": ok, "off": s.spool_off, "spooled": s.spooled, "failed": s.failed}))
""",
                server,
                small,
            )
        assert completed.returncode == 0, completed.stderr
        report = last_json(completed.stdout)
        assert report["ok"] and report["failed"] == 0
        assert report["off"] and report["spooled"] < 400
        if mounted:  # segments of 16 KiB: a few fit before the disk is full
            assert report["spooled"] > 0
        assert len(counts(server, "Full")) == 400
        assert completed.stderr.count("disk spool") == 1  # one warning, not one per message

    def test_read_only_directory_turns_the_spool_off(
        self, server: LocalServer, tmp_path: Path
    ) -> None:
        """A read-only file system (a tmpfs remounted ro), or a 0500 folder for a non-root user."""
        ro = tmp_path / "ro"
        with _tmpfs(ro, "1m") as mounted:
            if mounted:
                subprocess.run(
                    ["mount", "-o", "remount,ro", str(ro)], check=True, timeout=10
                )
            elif os.geteuid() == 0:
                pytest.skip("no tmpfs here, and root ignores permission bits")
            else:
                ro.chmod(0o500)
            completed = run_child(
                """
import cio_analytics as analytics
analytics.upload_interval = 0.02
for i in range(50):
    analytics.track("u", "ReadOnly", {"i": i})
assert analytics.flush(5)
print(analytics.stats().spooled)
""",
                server,
                ro,
            )
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.strip() == "0"
        assert len(counts(server, "ReadOnly")) == 50
        assert completed.stderr.count("disk spool") == 1
