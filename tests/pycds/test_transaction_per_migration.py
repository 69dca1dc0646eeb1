"""``upgrade head`` commits each revision on its own (``transaction_per_migration``).

A reader holds a lock on a matview that revision 7bce9a5cad86 must drop; with a short
``lock_timeout`` that revision fails. The revisions before it must stay committed (the
database is stamped with the one just before), their locks released, and the next
``upgrade head`` goes on from there once the reader is gone.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from pycds import get_schema_name
from pycds.alembic_config import make_config

pytestmark = pytest.mark.db

ROOT_REVISION = "f6d5a4c2e901"
BLOCKED_REVISION = "7bce9a5cad86"


def _stamped(engine: sa.Engine, schema: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(sa.text(f"SELECT version_num FROM {schema}.alembic_version")))


def test_a_failed_revision_leaves_the_earlier_ones_committed(empty_db):
    s = get_schema_name()
    command.upgrade(make_config(empty_db), ROOT_REVISION)
    script = ScriptDirectory.from_config(make_config(empty_db))
    before_blocked = script.get_revision(BLOCKED_REVISION).down_revision
    impatient = make_config(
        f"{empty_db}{'&' if '?' in empty_db else '?'}options=-c%20lock_timeout%3D1000"
    )
    engine = sa.create_engine(empty_db, poolclass=sa.NullPool)
    try:
        with engine.connect() as reader:
            reader.execute(sa.text(f"SELECT count(*) FROM {s}.climo_obs_count_mv"))  # ACCESS SHARE
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                command.upgrade(impatient, "head")
            assert _stamped(engine, s) == [before_blocked]
            # What the committed revisions did is visible to others: bigint history ids.
            with engine.connect() as other:
                assert (
                    other.scalar(
                        sa.text(
                            "SELECT data_type FROM information_schema.columns WHERE "
                            "table_schema = :s AND table_name = 'obs_raw_hx' "
                            "AND column_name = 'obs_raw_hx_id'"
                        ),
                        {"s": s},
                    )
                    == "bigint"
                )
            reader.rollback()
        command.upgrade(make_config(empty_db), "head")
        assert _stamped(engine, s) == [script.get_current_head()]
    finally:
        engine.dispose()


def test_the_printed_sql_commits_each_revision(capsys):
    """``upgrade --sql`` (no database) shows the same transactions as a real run."""
    config = make_config("postgresql+psycopg2://nobody@localhost/nothing")
    script = ScriptDirectory.from_config(config)
    after_root = len(list(script.iterate_revisions("head", ROOT_REVISION)))
    capsys.readouterr()
    command.upgrade(config, f"{ROOT_REVISION}:head", sql=True)
    printed = capsys.readouterr().out
    assert printed.count("\nCOMMIT;") == after_root
