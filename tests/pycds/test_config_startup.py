"""Configuration is validated when a command starts, not when the SQL that uses it runs.

Issue 12 (found items 5 and 15): a bad ``PYCDS_SU_ROLE_NAME`` or
``PYCDS_STANDARD_TABLE_PRIVS`` let ``alembic check`` pass and ``upgrade`` fail later with a
traceback; reserved words made ``upgrade --sql`` print SQL that cannot run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pycds import get_schema_name
from pycds.config import DEFAULT_STANDARD_TABLE_PRIVS

ROOT = Path(__file__).resolve().parents[2]


def _alembic(tmp_path: Path, url: str, *args: str, env: dict[str, str]):
    """``alembic -x db=t ARGS`` with ``[t]`` pointing at ``url`` and the project's scripts."""
    ini = tmp_path / "alembic.ini"
    text = (ROOT / "alembic.ini").read_text().replace("%(here)s", str(ROOT))
    ini.write_text(f"{text}\n[t]\nsqlalchemy.url = {url.replace('%', '%%')}\n")
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), "-x", "db=t", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **env},
        timeout=300,
    )


def _one_failure_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0, done.stdout + done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("FAILED: ")
    return lines[0]


@pytest.mark.db
def test_alembic_check_passes_with_the_default_configuration(tmp_path, head_db):
    clean = {
        "PYCDS_SU_ROLE_NAME": "pcicdba",
        "PYCDS_STANDARD_TABLE_PRIVS": DEFAULT_STANDARD_TABLE_PRIVS,
    }
    done = _alembic(tmp_path, head_db, "check", env=clean)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.db
def test_alembic_check_sees_privileges_the_database_lacks(tmp_path, head_db):
    # The standard grants are declared entities: privileges configured after the database was
    # migrated show up as the grants to make (the head database has no TRUNCATE for viewer).
    changed = {
        "PYCDS_SU_ROLE_NAME": "pcicdba",
        "PYCDS_STANDARD_TABLE_PRIVS": DEFAULT_STANDARD_TABLE_PRIVS + "; viewer: TRUNCATE",
    }
    done = _alembic(tmp_path, head_db, "check", env=changed)
    assert done.returncode != 0
    (line,) = [x for x in (done.stdout + done.stderr).splitlines() if x.startswith("FAILED: ")]
    assert line.count("'create_entity'") == 9  # four views, five history tables
    assert f"PGGrantTable: {get_schema_name()}.obs_raw_hx.viewer.TRUNCATE" in line


@pytest.mark.db
@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PYCDS_SU_ROLE_NAME", "public", "not a role"),
        ("PYCDS_SU_ROLE_NAME", "current_user", "reserved SQL key word"),
        ("PYCDS_SU_ROLE_NAME", "pg_monitor", "'pg_' is reserved"),
        ("PYCDS_SU_ROLE_NAME", "dba;", "not a plain PostgreSQL identifier"),
        ("PYCDS_STANDARD_TABLE_PRIVS", "public: ALL", "PYCDS_ALLOW_PUBLIC_GRANTS=true"),
        ("PYCDS_STANDARD_TABLE_PRIVS", "steward: DROP", "bad privileges"),
        ("PYCDS_STANDARD_TABLE_PRIVS", "session_user: SELECT", "reserved SQL key word"),
    ],
)
def test_alembic_check_fails_in_one_line_on_bad_settings(
    tmp_path, head_db, variable, value, expected
):
    done = _alembic(tmp_path, head_db, "check", env={variable: value})
    line = _one_failure_line(done)
    assert variable in line and expected in line


@pytest.mark.parametrize("schema", ["select", "user", "pg_temp"])
def test_offline_upgrade_refuses_reserved_schema_names(tmp_path, schema):
    # Offline mode needs no server: the URL only picks the dialect.
    url = "postgresql+psycopg2://nobody@127.0.0.1:1/none"
    done = _alembic(tmp_path, url, "upgrade", "head", "--sql", env={"PYCDS_SCHEMA_NAME": schema})
    line = _one_failure_line(done)
    assert "PYCDS_SCHEMA_NAME" in line
    assert "CREATE" not in done.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PYCDS_SU_ROLE_NAME", "session_user"), ("PYCDS_STANDARD_TABLE_PRIVS", "public: ALL")],
)
def test_pycds_db_up_refuses_bad_settings_before_doing_anything(tmp_path, variable, value):
    data = tmp_path / "cluster"
    done = subprocess.run(
        [sys.executable, "-m", "pycds.localdb.cli", "up"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYCDS_DB_DIR": str(data), "PYCDS_DB_PORT": "1", variable: value},
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"pycds-db: error: {variable}")
    assert done.stderr.count("\n") == 1
    assert not data.exists()
