"""A populated database at upstream's head goes to pycds's head and back, losing nothing.

Built with the root revision only, loaded with CRMP-shaped rows (``tests.helpers.crmp_rows``),
then: ``upgrade head`` keeps every row and ``alembic check`` is clean with no divergence
rule matched; history tracking works at head (whatever the ``search_path``);
``downgrade f6d5a4c2e901`` keeps every row, rebuilds exactly upstream's structure (the facts
file) and history tracking works there too (with the schema on the ``search_path``, as
upstream's triggers need).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from pycds import get_schema_name
from pycds.alembic_config import make_config
from pycds.tracking import HISTORY_TRACKED, hx_table_name
from pycds.upstream_head.tables import BASE_TABLES
from tests.helpers import crmp_rows
from tests.helpers.schema_facts import facts_and_structure

pytestmark = pytest.mark.db

ROOT_REVISION = "f6d5a4c2e901"
TABLES = (*BASE_TABLES, *(hx_table_name(t) for t in HISTORY_TRACKED))


def _rows(conn: sa.Connection, schema: str) -> dict[str, list[str]]:
    """Every row of every table, as JSON text, in a stable order."""
    return {
        table: sorted(
            conn.scalars(sa.text(f"SELECT row_to_json(t)::text FROM {schema}.{table} AS t"))
        )
        for table in TABLES
    }


def _tracking_works(conn: sa.Connection, s: str) -> None:
    """A new observation and a station update each add their history row, linked."""
    history_id, vars_id = conn.execute(
        sa.text(f"SELECT history_id, vars_id FROM {s}.obs_raw ORDER BY obs_raw_id LIMIT 1")
    ).one()
    obs_id = conn.execute(
        sa.text(
            f"INSERT INTO {s}.obs_raw (obs_time, mod_time, datum, vars_id, history_id) "
            "VALUES (now(), now(), 1.5, :v, :h) RETURNING obs_raw_id"
        ),
        {"v": vars_id, "h": history_id},
    ).scalar_one()
    linked = conn.execute(
        sa.text(
            f"SELECT meta_history_hx_id, meta_vars_hx_id, deleted FROM {s}.obs_raw_hx "
            "WHERE obs_raw_id = :o"
        ),
        {"o": obs_id},
    ).one()
    latest_history = conn.scalar(
        sa.text(f"SELECT max(meta_history_hx_id) FROM {s}.meta_history_hx WHERE history_id = :h"),
        {"h": history_id},
    )
    assert linked == (latest_history, linked.meta_vars_hx_id, False)
    assert linked.meta_vars_hx_id is not None
    station_id = conn.scalar(sa.text(f"SELECT min(station_id) FROM {s}.meta_station"))
    before = conn.scalar(
        sa.text(f"SELECT count(*) FROM {s}.meta_station_hx WHERE station_id = :s"),
        {"s": station_id},
    )
    conn.execute(
        sa.text(f"UPDATE {s}.meta_station SET native_id = native_id || 'x' WHERE station_id = :s"),
        {"s": station_id},
    )
    after = conn.scalar(
        sa.text(f"SELECT count(*) FROM {s}.meta_station_hx WHERE station_id = :s"),
        {"s": station_id},
    )
    assert after == before + 1


@pytest.fixture
def populated_root(pg_server_url: str) -> Iterator[str]:
    schema = get_schema_name()
    with crmp_rows.populated_database(
        pg_server_url, "test_adoption_roundtrip", ROOT_REVISION, schema
    ) as url:
        yield url


def test_upgrade_check_downgrade_keeps_rows_and_tracking(populated_root: str, capsys):
    s = get_schema_name()
    config = make_config(populated_root)
    engine = sa.create_engine(populated_root, poolclass=sa.NullPool)
    with engine.connect() as conn:
        loaded = _rows(conn, s)
    assert len(loaded["obs_raw"]) == crmp_rows.OBSERVATIONS
    assert len(loaded["obs_raw_hx"]) == crmp_rows.OBSERVATIONS
    assert len(loaded["obs_raw_native_flags"]) == crmp_rows.NATIVE_FLAG_LINKS

    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert _rows(conn, s) == loaded
        assert conn.scalar(sa.text(f"SELECT count(*) FROM {s}.collapsed_vars_mv")) > 0
    capsys.readouterr()
    command.check(config)  # raises on any difference
    report = capsys.readouterr()
    assert "suppressed by 0 rule(s)" in report.out + report.err

    with engine.begin() as conn:  # default search_path: pycds's triggers need nothing
        _tracking_works(conn, s)
    with engine.connect() as conn:
        at_head = _rows(conn, s)

    command.downgrade(config, ROOT_REVISION)
    with engine.connect() as conn:
        assert _rows(conn, s) == at_head
        facts, structure = facts_and_structure(conn, s)
    assert {k for k in facts if facts[k] != structure.get(k)} == set()
    assert set(structure) == set(facts)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"SET search_path TO {s}, public")
        _tracking_works(conn, s)
    engine.dispose()


def test_history_tracking_works_at_every_revision(populated_root: str):
    """Walking up the chain one revision at a time, then down again, tracking never breaks."""
    s = get_schema_name()
    config = make_config(populated_root)
    script = ScriptDirectory.from_config(config)
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    engine = sa.create_engine(populated_root, poolclass=sa.NullPool)

    def check() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SET search_path TO {s}, public")
            _tracking_works(conn, s)

    for revision in revisions[1:]:
        command.upgrade(config, revision)
        check()
    for revision in reversed(revisions[:-1]):
        command.downgrade(config, revision)
        check()
    engine.dispose()
