"""Revision 2c7f4b0d5e31 makes ``idx_meta_history_the_geom`` GiST, rebuilding it only when
it is not GiST already (real CRMP databases have it as GiST: crmp-facts 9.7)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from pycds import get_schema_name
from pycds.alembic_config import make_config

pytestmark = pytest.mark.db

BEFORE = "1b6e3a9c4d20"
GIST_REVISION = "2c7f4b0d5e31"


def _index(engine: sa.Engine, schema: str) -> tuple[str, int, str]:
    """Access method, relfilenode and definition of the index."""
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT am.amname, c.relfilenode::bigint, pg_get_indexdef(c.oid) FROM pg_class c "
                "JOIN pg_am am ON am.oid = c.relam "
                "WHERE c.oid = to_regclass(:name)"
            ),
            {"name": f"{schema}.idx_meta_history_the_geom"},
        ).one()


@pytest.fixture
def at_before(empty_db: str):
    command.upgrade(make_config(empty_db), BEFORE)
    engine = sa.create_engine(empty_db, poolclass=sa.NullPool)
    yield empty_db, engine
    engine.dispose()


def test_an_index_already_gist_is_not_rebuilt(at_before):
    url, engine = at_before
    s = get_schema_name()
    with engine.begin() as conn:  # as CRMP has it (the CRMP-like overlay does the same)
        conn.exec_driver_sql(f"DROP INDEX {s}.idx_meta_history_the_geom")
        conn.exec_driver_sql(
            f"CREATE INDEX idx_meta_history_the_geom ON {s}.meta_history USING gist (the_geom)"
        )
    before = _index(engine, s)
    assert before[0] == "gist"
    command.upgrade(make_config(url), GIST_REVISION)
    assert _index(engine, s) == before
    command.downgrade(make_config(url), BEFORE)
    assert _index(engine, s)[0] == "btree"  # upstream's, whatever the index was


def test_a_btree_index_is_rebuilt_as_gist(at_before):
    url, engine = at_before
    s = get_schema_name()
    method, filenode, _ = _index(engine, s)
    assert method == "btree"
    command.upgrade(make_config(url), GIST_REVISION)
    method, new_filenode, definition = _index(engine, s)
    assert (method, new_filenode != filenode) == ("gist", True)
    assert definition.endswith("USING gist (the_geom)")


def test_a_gist_index_on_another_column_is_rebuilt(at_before):
    url, engine = at_before
    s = get_schema_name()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"ALTER TABLE {s}.meta_history ADD COLUMN other_geom public.geometry")
        conn.exec_driver_sql(f"DROP INDEX {s}.idx_meta_history_the_geom")
        conn.exec_driver_sql(
            f"CREATE INDEX idx_meta_history_the_geom ON {s}.meta_history USING gist (other_geom)"
        )
    command.upgrade(make_config(url), GIST_REVISION)
    assert _index(engine, s)[2].endswith("USING gist (the_geom)")
