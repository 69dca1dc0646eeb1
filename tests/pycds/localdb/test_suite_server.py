"""The test suite runs on a server of its own, on a free port, beside any other server.

``test_the_suite_runs_beside_a_server_on_the_usual_ports`` runs pytest on
``test_the_suite_server_is_its_own`` while the default port and ``PYCDS_DB_PORT`` are
held by another program, as when another checkout's ``pycds-db`` server runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from pycds.localdb.cluster import DEFAULT_PORT, Cluster, free_port
from pycds.localdb.postmaster import Postmaster, is_live_postgres

from .conftest import select_one

REPORT = "PYCDS_TEST_SERVER_REPORT"


@pytest.mark.db
def test_the_suite_server_is_its_own(pg_server_url):
    assert select_one(pg_server_url) == 1
    if os.environ.get("PYCDS_TEST_DSN"):
        return
    usual = {DEFAULT_PORT, int(os.environ.get("PYCDS_DB_PORT", DEFAULT_PORT))}
    assert make_url(pg_server_url).port not in usual
    if REPORT in os.environ:
        Path(os.environ[REPORT]).write_text(pg_server_url)


def _hold(stack: ExitStack, port: int) -> None:
    """Listen on ``port`` (unless something already does: then it is held anyway)."""
    holder = stack.enter_context(socket.socket())
    try:
        holder.bind(("127.0.0.1", port))
        holder.listen()
    except OSError:
        pass


def test_the_suite_runs_beside_a_server_on_the_usual_ports(tmp_path):
    report = tmp_path / "url"
    busy = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYCDS_TEST_DSN"}
    env.update({"PYCDS_DB_PORT": str(busy), REPORT: str(report)})
    with ExitStack() as stack:
        _hold(stack, DEFAULT_PORT)
        _hold(stack, busy)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"{__file__}::test_the_suite_server_is_its_own"],
            capture_output=True, text=True, env=env, timeout=600,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert "1 passed" in done.stdout
    # The suite's server is stopped and its folder deleted at the end.
    url = make_url(report.read_text())
    passfile = Path(url.query["passfile"])
    assert not passfile.parent.exists()
    with socket.socket() as probe:  # nothing listens there any more
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine
        probe.bind(("127.0.0.1", url.port))
        probe.listen()


KILLED_RUN = """
import os, signal
from pycds.localdb.cluster import Cluster
cluster = Cluster.start_disposable()
print(cluster.root, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # a test run killed before its end
"""


def test_the_server_of_a_killed_run_is_swept_by_the_next_one():
    done = subprocess.run([sys.executable, "-c", KILLED_RUN], capture_output=True, text=True)
    killed = Path(done.stdout.strip())
    postmaster = Postmaster.read(killed / "data")
    assert postmaster is not None and is_live_postgres(postmaster.pid, killed / "data")
    live = Cluster.start_disposable()  # holds its lock: never swept
    try:
        Cluster.sweep_disposable()  # the killed run's lock is free, but it is young
        assert killed.exists()
        old = time.time() - 3600
        os.utime(killed / "lock", (old, old))
        os.utime(live.root / "lock", (old, old))
        Cluster.sweep_disposable()
        assert not killed.exists()
        assert not is_live_postgres(postmaster.pid, None)
        assert live.is_running()
    finally:
        live.destroy()
    assert not live.root.exists()
