"""Views and materialized views

Views over the tables, the native materialized views (created populated, in dependency
order, each with its indexes) and the station view that reads two matviews. The standard
privileges (PYCDS_STANDARD_TABLE_PRIVS) are granted on each.

Revision ID: b2d9f7a1e6c5
Revises: 4c8f2b6e9d13
Create Date: 2026-11-25 08:43:00

"""

from collections.abc import Sequence

from alembic import op

from pycds import get_schema_name
from pycds.migration_helpers import create_entities, drop_entities, grant_standard_privileges
from pycds.replaceables import indexes_of, matviews, views_on_matviews, views_on_tables

revision: str = "b2d9f7a1e6c5"
down_revision: str | Sequence[str] | None = "4c8f2b6e9d13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()


def _in_creation_order() -> list:
    return [*views_on_tables(schema_name), *matviews(schema_name), *views_on_matviews(schema_name)]


def upgrade() -> None:
    for entity in _in_creation_order():
        create_entities([entity])
        for index in indexes_of(entity.signature, schema_name):
            op.execute(index.create_sql())
        grant_standard_privileges(schema_name, entity.signature)


def downgrade() -> None:
    # Dropping a matview drops its indexes and grants with it.
    drop_entities(_in_creation_order())
