"""A broken ORM change, through the alembic command line on the pycds project: one ``FAILED:``
line naming the entity, PostgreSQL's message and a hint, no traceback (issue 9 item 6).

The change is made in the process that runs Alembic's command line (``alembic.config.main``):
a column a declared view reads is removed from the ORM, or a declared function that cannot be
created is added to pycds's entities.  Everything else is the real pycds environment.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pycds import get_schema_name

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = get_schema_name()

RUN = """
import sys
import pycds.orm
import pycds.replaceables
from alembic.config import main

{change}
main(argv=sys.argv[1:], prog="alembic")
"""

DROP_COLUMN = f"""
table = pycds.orm.metadata.tables["{SCHEMA}.meta_history"]
table._columns.remove(table.c.comments)
"""

BROKEN_FUNCTION = f"""
from alembic_utils.pg_function import PGFunction
declared = pycds.replaceables.all_entities
body = "select no_such_column from {SCHEMA}.meta_network"
broken = PGFunction("{SCHEMA}", "broken()", f"returns int language sql as $$ {{body}} $$")
pycds.replaceables.all_entities = lambda schema: [*declared(schema), broken]
"""


def alembic_cli(tmp_path: Path, url: str, change: str, *args: str):
    ini = tmp_path / "alembic.ini"
    text = (ROOT / "alembic.ini").read_text().replace("%(here)s", str(ROOT))
    escaped = url.replace("%", "%%")  # configparser interpolation
    ini.write_text(text + f"\n[test]\nsqlalchemy.url = {escaped}\n")
    return subprocess.run(
        [sys.executable, "-c", RUN.format(change=change), "-c", str(ini), "-x", "db=test", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )


def one_failure_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "FAILED" in line]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("command", [("check",), ("revision", "--autogenerate", "-m", "x")])
def test_view_on_a_dropped_column(head_db, tmp_path, command):
    line = one_failure_line(alembic_cli(tmp_path, head_db, DROP_COLUMN, *command))
    assert line.startswith(f"FAILED: cannot create view {SCHEMA}.")
    assert "column" in line and "comments" in line and "does not exist" in line
    assert "; hint: " in line
    assert not list((ROOT / "pycds" / "alembic" / "versions").glob("*_x.py"))


def test_entity_that_cannot_be_created(head_db, tmp_path):
    line = one_failure_line(alembic_cli(tmp_path, head_db, BROKEN_FUNCTION, "check"))
    assert line == (
        f'FAILED: cannot create function {SCHEMA}.broken: column "no_such_column" does not '
        "exist; hint: fix its definition, or keep what it uses (a table, column or entity this "
        "revision removes)"
    )
