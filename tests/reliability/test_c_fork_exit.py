"""A child forked from C that never builds a message, and SIGTERM handlers installed from C.

uWSGI forks its workers in C, so no Python at-fork hook runs; the library
notices the new process id when the child builds its first message. A worker
that serves no request before it is stopped never builds one, yet it inherits
the parent's exit hook, its SIGTERM handler and its clients, with copies of
what the parent had queued. These tests fork through libc in a fresh
interpreter and check that such a child sends nothing of its parent's, by
any of its three ways out: the exit hook, ``shutdown()`` and SIGTERM. The
last test checks that a SIGTERM disposition set from C (invisible to
``signal.getsignal``, which answers from what Python read at start-up) is
left alone, as uWSGI's own handler in its workers must be.
"""

from __future__ import annotations

import signal

from cio_analytics.testing import LocalServer

from ._outcomes import MATRIX_ROWS, MatrixRow
from ._scripts import counts_by, run_script

#: The parent's message waits in its queue across the fork (upload_interval = 30).
PARENT = """
import ctypes, os, signal, sys, time
import cio_analytics as analytics

# PyDLL keeps the GIL across the call: the fork cannot catch the library's
# thread holding it (a child would then wait for it forever).
libc = ctypes.PyDLL(None, use_errno=True)
analytics.upload_interval = 30
analytics.track("parent", "Before Fork", {"i": 0})
"""


def test_idle_children_do_not_resend_the_parents_queue_at_exit(server: LocalServer) -> None:
    """Three children that build no message and exit normally: the parent's message arrives once."""
    completed = run_script(
        PARENT
        + """
children = []
for n in range(3):
    pid = libc.fork()
    if pid == 0:
        sys.exit(0)  # a normal exit: the inherited exit hook runs here
    children.append(pid)
for pid in children:
    assert os.waitpid(pid, 0)[1] == 0
""",
        server,
    )
    assert completed.returncode == 0, completed.stderr
    assert counts_by(server, "Before Fork") == {0: 1}  # by the parent, at its own exit
    assert server.message_count == 1
    MATRIX_ROWS.append(
        MatrixRow(
            "fork in C, 3 children that send nothing and exit normally",
            1,
            server.message_count,
            0,
            1 - server.message_count,
            max(0, server.message_count - 1),
            "the inherited exit hook detects the fork first: nothing of the parent's resent",
        )
    )


def test_shutdown_in_an_idle_child_sends_nothing_of_the_parents(server: LocalServer) -> None:
    """A child that only calls shutdown() (as a uwsgi.atexit hook would) sends nothing."""
    completed = run_script(
        PARENT
        + """
pid = libc.fork()
if pid == 0:
    ok = analytics.shutdown(timeout=5)
    os._exit(0 if ok else 3)
assert os.waitpid(pid, 0)[1] == 0
""",
        server,
    )
    assert completed.returncode == 0, completed.stderr
    assert counts_by(server, "Before Fork") == {0: 1}
    assert server.message_count == 1


def test_sigterm_in_an_idle_child_sends_nothing_of_the_parents(server: LocalServer) -> None:
    """SIGTERM to a child holding the parent's handler: it dies of SIGTERM, resending nothing."""
    completed = run_script(
        PARENT
        + """
assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL  # the library's handler
r, w = os.pipe()
pid = libc.fork()
if pid == 0:
    os.write(w, b"x")
    time.sleep(30)
    os._exit(4)  # never reached: SIGTERM ends the child
os.read(r, 1)
os.kill(pid, signal.SIGTERM)
status = os.waitpid(pid, 0)[1]
print("child", os.WTERMSIG(status) if os.WIFSIGNALED(status) else -os.WEXITSTATUS(status))
""",
        server,
    )
    assert completed.returncode == 0, completed.stderr
    assert f"child {int(signal.SIGTERM)}" in completed.stdout, completed.stdout
    assert counts_by(server, "Before Fork") == {0: 1}
    assert server.message_count == 1


def test_a_sigterm_disposition_set_from_c_is_left_alone(server: LocalServer) -> None:
    """SIGTERM ignored through libc (Python still records SIG_DFL): no handler goes over it."""
    completed = run_script(
        """
        import ctypes, os, signal
        import cio_analytics as analytics

        libc = ctypes.CDLL(None)
        libc.signal.restype = ctypes.c_void_p
        libc.signal(int(signal.SIGTERM), ctypes.c_void_p(1))  # SIG_IGN, set from C
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # what Python believes
        analytics.track("u", "E", {"i": 0})
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # nothing installed
        os.kill(os.getpid(), signal.SIGTERM)  # still ignored, as the C code wanted
        assert analytics.flush(10)
        print("alive")
        """,
        server,
    )
    assert completed.stdout.strip() == "alive", completed.stderr
    assert counts_by(server, "E") == {0: 1}
