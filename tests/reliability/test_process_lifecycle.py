"""Whole processes against the local server: forks, multiprocessing, Ctrl-C, exit hooks.

Complements tests/core/test_process_lifecycle.py (exit with 10,000 queued, exit
under a stall, fork with a running consumer, pre-fork parent). Each scenario
runs a fresh interpreter (``sys.executable -c SCRIPT``) whose environment points
the default client at a LocalServer in this process, with a timeout.
"""

from __future__ import annotations

import collections
import json
import textwrap
import time

import pytest

from cio_analytics.testing import LocalServer

from ._scripts import SCRIPT_TIMEOUT, assert_each_once, run_script


class TestForkWithoutRunningConsumer:
    """Forks taken while no consumer thread runs in the parent."""

    def test_fork_after_shutdown_child_flushes_then_os_exit(self, server: LocalServer) -> None:
        """After shutdown() stopped the consumer, parent and child each deliver their own once."""
        run_script(
            """
            import os
            import cio_analytics as analytics
            analytics.upload_interval = 0.02
            for i in range(30):
                analytics.track("parent", "Parent Before", {"i": i})
            assert analytics.shutdown(timeout=30)
            pid = os.fork()
            if pid == 0:
                for i in range(40):
                    analytics.track("child", "Child", {"i": i})
                ok = analytics.flush(timeout=30)
                os._exit(0 if ok else 3)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0
            for i in range(20):
                analytics.track("parent", "Parent After", {"i": i})
            # no flush: the exit hook delivers
            """,
            server,
        )
        assert_each_once(server, "Parent Before", 30)
        assert_each_once(server, "Child", 40)
        assert_each_once(server, "Parent After", 20)
        assert server.duplicate_count == 0

    def test_children_exit_normally_without_flush(self, server: LocalServer) -> None:
        """Children forked before any message that just return deliver through their exit hook."""
        run_script(
            """
            import os, sys
            import cio_analytics as analytics
            analytics.upload_interval = 30  # nothing is sent before exit unless the hook does it
            children = []
            for worker in range(3):
                pid = os.fork()
                if pid == 0:
                    for i in range(25):
                        analytics.track("worker-%d" % worker, "Worker %d" % worker, {"i": i})
                    sys.exit(0)  # normal interpreter exit: atexit runs
                children.append(pid)
            for pid in children:
                _, status = os.waitpid(pid, 0)
                assert os.waitstatus_to_exitcode(status) == 0
            """,
            server,
        )
        for worker in range(3):
            assert_each_once(server, f"Worker {worker}", 25)
        assert server.message_count == 75


class TestForkDuringTraffic:
    """A fork taken while another thread of the parent is sending."""

    def test_fork_while_a_second_thread_sends(self, server: LocalServer) -> None:
        """Parent traffic from a second thread and three forked children: each message once."""
        run_script(
            """
            import os, threading, time
            import cio_analytics as analytics
            analytics.upload_interval = 0.01
            analytics.upload_size = 50
            # One delivery first, so the HTTP stack is imported before any fork (a fork
            # during that first import is its own case, below).
            analytics.track("parent", "Warm Up", {"i": 0})
            assert analytics.flush(timeout=30)
            sent = [0]
            def traffic():
                for i in range(1500):
                    analytics.track("parent", "Parent Traffic", {"i": i})
                    sent[0] += 1
                    if i % 10 == 0:
                        time.sleep(0.001)
            producer = threading.Thread(target=traffic)
            producer.start()
            children = []
            for k in range(3):
                deadline = time.monotonic() + 30
                while sent[0] < 200 * (k + 1) and time.monotonic() < deadline:
                    time.sleep(0.001)
                pid = os.fork()
                if pid == 0:
                    for i in range(30):
                        analytics.track("child-%d" % k, "Child %d" % k, {"i": i})
                    ok = analytics.flush(timeout=30)
                    os._exit(0 if ok else 3)
                children.append(pid)
            for pid in children:
                _, status = os.waitpid(pid, 0)
                assert os.waitstatus_to_exitcode(status) == 0, status
            producer.join(60)
            assert not producer.is_alive()
            assert analytics.flush(timeout=30)
            stats = analytics.stats()
            assert stats.delivered == 1501 and stats.failed == 0, stats
            """,
            server,
        )
        assert_each_once(server, "Parent Traffic", 1500)
        for k in range(3):
            assert_each_once(server, f"Child {k}", 30)
        assert server.duplicate_count == 0

    def test_fork_during_the_first_delivery(self, server: LocalServer) -> None:
        """A fork while the parent's first delivery is starting leaves the child able to send."""
        completed = run_script(
            """
            import importlib.abc, os, sys, threading, time
            started = threading.Event()

            class SlowImport(importlib.abc.MetaPathFinder):
                # Makes the HTTP stack's first import slow (a cold disk), so the fork
                # below lands while the consumer thread is inside it.
                def find_spec(self, name, path=None, target=None):
                    if name == "httpcore._api" and not started.is_set():
                        started.set()
                        time.sleep(1.0)
                    return None

            sys.meta_path.insert(0, SlowImport())
            import cio_analytics as analytics
            analytics.upload_interval = 0.01
            analytics.track("parent", "Parent", {"i": 0})
            assert started.wait(20)
            pid = os.fork()
            if pid == 0:
                for i in range(20):
                    analytics.track("child", "Child", {"i": i})
                ok = analytics.flush(timeout=10)
                os._exit(0 if ok else 3)
            _, status = os.waitpid(pid, 0)
            assert analytics.flush(timeout=30)
            print("child exit code", os.waitstatus_to_exitcode(status))
            """,
            server,
        )
        assert "child exit code 0" in completed.stdout, completed.stderr[-3000:]
        assert_each_once(server, "Parent", 1)
        assert_each_once(server, "Child", 20)


MULTIPROCESSING_SCRIPT = """
import json, multiprocessing as mp
import cio_analytics as analytics

def main():
    ctx = mp.get_context({method!r})
    analytics.track("parent", "Parent", {{"i": 0}})  # the parent's consumer runs before forking
    if {kind!r} == "pool":
        pool = ctx.Pool(2)
        ids = pool.starmap(
            analytics.track, [("child-%d" % k, "Child", {{"i": k}}) for k in range({n})]
        )
        pool.close()
        pool.join()
    else:
        ids = ["mp-{method}-%d" % k for k in range({n})]
        procs = [
            ctx.Process(
                target=analytics.track,
                args=("child-%d" % k, "Child", {{"i": k}}, None, None, None, None, ids[k]),
            )
            for k in range({n})
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0] * {n}, [p.exitcode for p in procs]
    print(json.dumps(ids))

if __name__ == "__main__":
    main()
"""

class TestMultiprocessing:
    """multiprocessing children deliver what they track, with fork and with spawn."""

    @pytest.mark.parametrize(
        ("method", "kind"),
        [("fork", "process"), ("fork", "pool"), ("spawn", "process"), ("spawn", "pool")],
    )
    def test_children_deliver_without_flush(
        self, server: LocalServer, method: str, kind: str
    ) -> None:
        """Messages tracked in multiprocessing children (no flush) all arrive exactly once."""
        n = 6
        completed = run_script(MULTIPROCESSING_SCRIPT.format(method=method, kind=kind, n=n), server)
        ids = json.loads(completed.stdout.strip().splitlines()[-1])
        assert len(set(ids)) == n
        arrived = collections.Counter(m["messageId"] for m in server.messages)
        missing = [i for i in ids if arrived[i] == 0]
        assert not missing, f"{len(missing)} of {n} child messages lost"
        assert all(arrived[i] == 1 for i in ids)
        assert len(server.events("Parent")) == 1
        assert server.duplicate_count == 0


class TestKeyboardInterrupt:
    """Ctrl-C in the main thread while the consumer is retrying."""

    @pytest.mark.parametrize("where", ["while waiting", "inside flush"])
    def test_interrupt_while_retrying_then_exit_delivers(
        self, server: LocalServer, where: str
    ) -> None:
        """KeyboardInterrupt ends the script; the exit hook still delivers every message once."""
        server.fail_for(3.0, status=503)
        started = time.monotonic()
        completed = run_script(
            f"""
            import os, signal, threading, time
            import cio_analytics as analytics
            analytics.upload_interval = 0.02
            analytics.max_retries = 30
            analytics.retry_deadline = 60
            analytics.shutdown_timeout = 30
            for i in range(40):
                analytics.track("user", "Interrupted", {{"i": i}})
            deadline = time.monotonic() + 20
            while analytics.stats().retries < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert analytics.stats().retries >= 1
            if {where!r} == "inside flush":
                killer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
                killer.start()
                analytics.flush()  # blocks while the server fails; Ctrl-C lands here
                raise SystemExit("flush returned before the interrupt")
            signal.raise_signal(signal.SIGINT)
            raise SystemExit("not interrupted")
            """,
            server,
            expect_ok=False,
        )
        assert time.monotonic() - started < SCRIPT_TIMEOUT
        assert "KeyboardInterrupt" in completed.stderr, completed.stderr
        assert completed.returncode != 0
        assert_each_once(server, "Interrupted", 40)


class TestNoThreadInExitHooks:
    """Python 3.12+ refuses new threads inside atexit handlers; simulated on 3.11."""

    REFUSE = textwrap.dedent(
        """
    import atexit, threading
    attempts = []
    def _refuse(self, *args, **kwargs):
        attempts.append(self.name)
        raise RuntimeError("can't create new thread at interpreter shutdown")
    def refuse_new_threads():
        threading.Thread.start = _refuse
    def report_attempts():
        print("thread starts attempted: %d" % len(attempts), flush=True)
    """
    )

    def test_exit_hook_delivers_without_starting_a_thread(self, server: LocalServer) -> None:
        """At exit, queued messages go out through the running consumer; no thread is started."""
        completed = run_script(
            self.REFUSE
            + textwrap.dedent(
                """
            atexit.register(report_attempts)  # registered first: runs last
            import cio_analytics as analytics
            analytics.upload_interval = 30  # the messages wait in the queue until exit
            for i in range(200):
                analytics.track("user", "At Exit", {"i": i})
            atexit.register(refuse_new_threads)  # registered last: runs first
            """
            ),
            server,
        )
        assert "thread starts attempted: 0" in completed.stdout, completed.stdout
        assert "Error in atexit" not in completed.stderr, completed.stderr
        assert_each_once(server, "At Exit", 200)

    def test_track_from_a_late_exit_handler_is_delivered_on_that_thread(
        self, server: LocalServer
    ) -> None:
        """A track() in an exit handler that runs after the client's hook still arrives."""
        completed = run_script(
            self.REFUSE
            + textwrap.dedent(
                """
            import cio_analytics as analytics
            def goodbye():
                refuse_new_threads()
                analytics.track("user", "Goodbye", {"i": 0})
                report_attempts()
            atexit.register(goodbye)  # registered before the client's hook: runs after it
            analytics.upload_interval = 0.02
            for i in range(10):
                analytics.track("user", "Hello", {"i": i})
            """
            ),
            server,
        )
        assert "Error in atexit" not in completed.stderr, completed.stderr
        assert "Traceback" not in completed.stderr, completed.stderr
        assert_each_once(server, "Hello", 10)
        assert_each_once(server, "Goodbye", 1)


class TestBilliardChildren:
    """Celery's prefork pool forks with billiard, which also ends children with os._exit."""

    def test_billiard_children_deliver_without_any_setup(self, server: LocalServer) -> None:
        """A billiard child that tracks and returns delivers through billiard's finalizers."""
        pytest.importorskip("billiard", reason="billiard (Celery's pool) is not installed")
        run_script(
            """
            import billiard
            import cio_analytics as analytics
            analytics.upload_interval = 60  # nothing goes before the child ends

            def work(k):
                analytics.track("child-%d" % k, "Billiard", {"i": k})

            if __name__ == "__main__":
                procs = [billiard.Process(target=work, args=(k,)) for k in range(4)]
                for p in procs:
                    p.start()
                for p in procs:
                    p.join(60)
                    assert p.exitcode == 0, p.exitcode
            """,
            server,
        )
        assert_each_once(server, "Billiard", 4)
