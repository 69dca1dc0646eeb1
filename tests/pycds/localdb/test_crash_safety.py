"""``pycds-db`` run twice at once, killed at any moment, or facing a dead server or a taken port."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable

import pytest

from pycds.localdb.postmaster import Postmaster, is_live_postgres

from .conftest import LocalDb, one_error_line, select_one


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _initdb_running(db: LocalDb) -> bool:
    return any((work / "data").exists() for work in db.root.glob(".init-*"))


def _postmaster_launched(db: LocalDb) -> bool:
    return (db.root / "data" / "postmaster.pid").exists()


def _provisioning(db: LocalDb) -> bool:
    log = db.root / "server.log"
    return log.exists() and "ready to accept connections" in log.read_text()


def test_two_fresh_ups_at_once_both_succeed(localdb):
    first, second = localdb.popen("up", "--fresh"), localdb.popen("up", "--fresh")
    for run in (first, second):
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        assert out.startswith("pycds-db: ref (plain) at revision "), out
    assert select_one(localdb.url("ref")) == 1


@pytest.mark.parametrize(
    "moment",
    [_initdb_running, _postmaster_launched, _provisioning],
    ids=["during-initdb", "during-start", "during-provisioning"],
)
def test_an_up_killed_at_any_moment_is_followed_by_an_up_that_succeeds(localdb, moment):
    killed = localdb.popen("up")
    _wait_for(lambda: moment(localdb))
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    # Nothing half-done is left in place: data/ appears only complete.
    data = localdb.root / "data"
    assert not data.exists() or (data / "PG_VERSION").exists()
    done = localdb.run("up")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("pycds-db: ref (plain) at revision "), done.stdout
    assert localdb.run("status").returncode == 0
    assert select_one(localdb.url("ref")) == 1


def test_a_killed_postmaster_is_reported_and_replaced(localdb):
    assert localdb.run("up", "--no-ref").returncode == 0
    data = localdb.root / "data"
    postmaster = Postmaster.read(data)
    assert postmaster is not None and is_live_postgres(postmaster.pid, data)
    os.kill(postmaster.pid, signal.SIGKILL)
    _wait_for(lambda: not is_live_postgres(postmaster.pid, None))
    status = localdb.run("status")
    assert status.returncode == 3
    assert status.stdout.startswith("pycds-db: stopped (a killed server left its pid file"), status
    done = localdb.run("up", "--no-ref")
    assert done.returncode == 0, done.stderr
    assert localdb.run("status").returncode == 0
    assert select_one(localdb.url()) == 1


def test_a_port_taken_by_another_program_is_one_line_naming_it(localdb):
    with socket.socket() as other:
        other.bind(("127.0.0.1", localdb.port))
        other.listen()
        line = one_error_line(localdb.run("up", "--no-ref"))
    assert line == (
        f"pycds-db: error: port {localdb.port} on 127.0.0.1 is taken by another program: "
        "stop it, or choose another port with PYCDS_DB_PORT"
    )
    # Once the port is free again, the same cluster starts.
    assert localdb.run("up", "--no-ref").returncode == 0
