"""A database stamped with one of upstream's 28 revisions below its head: every alembic
command says, in one line, to upgrade it with PyCDS 5.0.1 first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from pycds import get_schema_name
from pycds.alembic_config import UPSTREAM_OLDER_REVISIONS

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = (
    ["current"],
    ["check"],
    ["upgrade", "head"],
    ["downgrade", "base"],
    ["stamp", "head"],
    ["revision", "--autogenerate", "-m", "never written"],
)


def test_the_28_older_revisions():
    assert len(set(UPSTREAM_OLDER_REVISIONS)) == 28
    assert "f6d5a4c2e901" not in UPSTREAM_OLDER_REVISIONS


@pytest.fixture
def stamped_old(empty_db: str, tmp_path: Path) -> tuple[Path, str]:
    """An alembic.ini with label ``t`` for a database stamped ``8c05da87cb79``."""
    revision = "8c05da87cb79"  # upstream #27, history tracking for obs_raw
    engine = sa.create_engine(empty_db, poolclass=sa.NullPool)
    with engine.begin() as conn:
        table = f"{get_schema_name()}.alembic_version"
        conn.exec_driver_sql(f"CREATE TABLE {table} (version_num varchar(32) PRIMARY KEY)")
        conn.exec_driver_sql(f"INSERT INTO {table} VALUES ('{revision}')")
    engine.dispose()
    ini = (ROOT / "alembic.ini").read_text().replace("%(here)s", str(ROOT))
    path = tmp_path / "alembic.ini"
    path.write_text(f"{ini}\n[t]\nsqlalchemy.url = {empty_db.replace('%', '%%')}\n")
    return path, revision


@pytest.mark.parametrize("arguments", COMMANDS, ids=lambda a: a[0])
def test_every_command_gives_one_line(stamped_old, arguments):
    ini, revision = stamped_old
    before = sorted((ROOT / "pycds" / "alembic" / "versions").iterdir())
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), "-x", "db=t", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ,
        timeout=300,
    )
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert done.returncode != 0
    assert len(lines) == 1, lines
    assert revision in lines[0] and "PyCDS 5.0.1" in lines[0]
    assert "Can't locate" not in lines[0]
    assert sorted((ROOT / "pycds" / "alembic" / "versions").iterdir()) == before
