"""Every connection error of ``pycds-db`` and of Alembic's ``env.py`` is one line, exit != 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pycds.localdb.cluster import free_port

from .conftest import one_error_line

ROOT = Path(__file__).resolve().parents[3]


def _alembic(tmp_path: Path, url: str, *args: str, env: dict[str, str] | None = None):
    """``alembic -x db=target ARGS`` with the repository's alembic.ini, ``[target]`` = ``url``."""
    ini = tmp_path / "alembic.ini"
    text = (ROOT / "alembic.ini").read_text().replace("%(here)s", str(ROOT))
    ini.write_text(f"{text}\n[target]\nsqlalchemy.url = {url}\n")
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), "-x", "db=target", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def _failed_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("FAILED: "), lines
    return lines[0]


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_a_port_that_is_not_a_number(tmp_path, offline):
    url = "postgresql+psycopg2://postgres@127.0.0.1:${PYCDS_DB_PORT}/ref"
    args = ["upgrade", "head", "--sql"] if offline else ["current"]
    line = _failed_line(_alembic(tmp_path, url, *args, env={"PYCDS_DB_PORT": "abc"}))
    assert line.startswith("FAILED: bad database URL (is its port a number?)")


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_an_unknown_driver(tmp_path, offline):
    url = "postgresql+nosuchdriver://postgres@127.0.0.1:5432/ref"
    args = ["upgrade", "head", "--sql"] if offline else ["current"]
    line = _failed_line(_alembic(tmp_path, url, *args))
    assert line == (
        "FAILED: bad database URL: Can't load plugin: sqlalchemy.dialects:postgresql.nosuchdriver"
    )


def test_an_unreachable_server(tmp_path):
    port = free_port()
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{port}/ref"
    line = _failed_line(_alembic(tmp_path, url, "current"))
    assert line.startswith(f"FAILED: cannot connect to {url}: connection to server at")


def test_a_bad_connection_option(tmp_path):
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/ref?nosuchoption=1"
    line = _failed_line(_alembic(tmp_path, url, "current"))
    assert line.startswith("FAILED: cannot connect to ") and "nosuchoption" in line


@pytest.mark.db
def test_pycds_db_with_a_wrong_password_is_one_line(localdb):
    assert localdb.run("up", "--no-ref").returncode == 0
    passfile = localdb.root / "pgpass"
    passfile.write_text("127.0.0.1:*:*:postgres:wrong\n")
    line = one_error_line(localdb.run("up"))
    assert line.startswith("pycds-db: database error: connection to server at")
    assert 'password authentication failed for user "postgres"' in line
