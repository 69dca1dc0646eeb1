"""GiST index on meta_history.the_geom

Upstream re-created ``idx_meta_history_the_geom`` from its name and column only, which
made it a btree: useless for spatial searches (``ST_DWithin``, ``&&``). It becomes GiST,
as GeoAlchemy declares it.

On a running database: the index is dropped and built again inside the migration's
transaction, holding a SHARE lock on meta_history (reads go on, writes wait) for the
build, seconds for CRMP's tens of thousands of histories. No table rewrite, no matview
refresh.

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


def _rebuild(method: str) -> None:
    op.execute(f"DROP INDEX {schema_name}.idx_meta_history_the_geom")
    op.execute(
        f"CREATE INDEX idx_meta_history_the_geom ON {schema_name}.meta_history "
        f"USING {method} (the_geom)"
    )


def upgrade() -> None:
    _rebuild("gist")


def downgrade() -> None:
    _rebuild("btree")
