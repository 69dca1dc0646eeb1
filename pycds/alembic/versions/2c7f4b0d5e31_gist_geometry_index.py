"""GiST index on meta_history.the_geom

Upstream re-created ``idx_meta_history_the_geom`` from its name and column only, where the
index was missing, which made it a btree: useless for spatial searches (``ST_DWithin``,
``&&``). It becomes GiST, as GeoAlchemy declares it. Real CRMP databases already have it
as GiST (crmp-facts 9.7: upstream created it only where absent): there the upgrade finds a
GiST index on ``the_geom`` alone and changes nothing (no lock beyond reading the catalog).

On a running database where it is a btree: ``DROP INDEX`` takes an ACCESS EXCLUSIVE lock on
meta_history, held until this revision commits, so every reader and writer of meta_history
waits while the GiST index is built (seconds for CRMP's tens of thousands of histories). No
table rewrite, no matview refresh. ``DROP/CREATE INDEX CONCURRENTLY`` would let readers go
on, but it cannot run inside a transaction: outside one, a failure or a kill between the two
steps leaves meta_history without the index, or with an INVALID one, and the version stamp
out of step. For a build of seconds, the atomic rebuild is the better trade.

Downgrade rebuilds upstream's btree, whatever the index was before the upgrade (also on a
database where it was already GiST: re-create the GiST index by hand there if wanted, see
docs/adoption.md). Same lock as the upgrade.

Revision ID: 2c7f4b0d5e31
Revises: 1b6e3a9c4d20
Create Date: 2026-11-30 07:11:00

"""

from collections.abc import Sequence

from alembic import op

from pycds import get_schema_name

revision: str = "2c7f4b0d5e31"
down_revision: str | Sequence[str] | None = "1b6e3a9c4d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()

INDEX = "idx_meta_history_the_geom"


def _rebuild(method: str) -> str:
    return (
        f"DROP INDEX IF EXISTS {schema_name}.{INDEX}; "
        f"CREATE INDEX {INDEX} ON {schema_name}.meta_history USING {method} (the_geom)"
    )


def upgrade() -> None:
    # A DO block, so that the test is made on the database itself (also with --sql).
    op.execute(
        f"""DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1
        FROM pg_catalog.pg_index AS i
        JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
        JOIN pg_catalog.pg_am AS am ON am.oid = ic.relam
        JOIN pg_catalog.pg_attribute AS a
            ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indexrelid = to_regclass('{schema_name}.{INDEX}')
            AND i.indrelid = '{schema_name}.meta_history'::regclass
            AND am.amname = 'gist'
            AND i.indnatts = 1
            AND a.attname = 'the_geom'
            AND i.indexprs IS NULL
            AND i.indpred IS NULL
    ) THEN
        {_rebuild("gist")};
    END IF;
END
$$"""
    )


def downgrade() -> None:
    op.execute(_rebuild("btree"))
