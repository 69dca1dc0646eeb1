"""Helpers for the tests of ``pycds-db``: each runs the real command on a cluster of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from pycds.localdb.cluster import free_port
from pycds.localdb.folders import read_fallback

PYCDS_DB = [sys.executable, "-m", "pycds.localdb.cli"]


@dataclass
class LocalDb:
    """A ``pycds-db`` folder and port of a test's own, and a way to run commands on them."""

    root: Path
    port: int

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PYCDS_TEST_DSN"}
        return {**env, "PYCDS_DB_DIR": str(self.root), "PYCDS_DB_PORT": str(self.port)}

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*PYCDS_DB, *args], capture_output=True, text=True, env=self.env, cwd=cwd, timeout=300
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*PYCDS_DB, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )

    def url(self, database: str = "postgres") -> str:
        done = self.run("url", database, "--sqlalchemy")
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def cleanup(self) -> None:
        if self.root.exists() and not self.root.is_symlink():
            self.run("down")
            fallback = read_fallback(self.root / "server-dir")
            if fallback is not None:
                shutil.rmtree(fallback, ignore_errors=True)


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed ``pycds-db`` run."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pycds-db: "), done.stderr
    return lines[0]


def select_one(url: str) -> int:
    """``SELECT 1`` on ``url``: proof that the owner gets in."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT 1"))
    finally:
        engine.dispose()


@pytest.fixture
def public_tmp() -> Iterator[Path]:
    """A temporary folder that the server's user (``postgres`` under root) can traverse."""
    folder = Path(tempfile.mkdtemp(prefix="pycds-localdb-test-", dir="/var/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def localdb(public_tmp: Path) -> Iterator[LocalDb]:
    """A not-yet-created ``pycds-db`` folder and a free port; the server stopped afterwards."""
    db = LocalDb(root=public_tmp / "db", port=free_port())
    yield db
    db.cleanup()
