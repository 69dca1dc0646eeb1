"""Upstream PyCDS 5.0.1's head: the schema of the real CRMP and Metnorth databases

The root of the chain. It carries upstream's head revision id, so a database that upstream's
29 migrations brought to ``f6d5a4c2e901`` is at this revision for pycds too, and
``alembic upgrade head`` applies the later revisions to it. From an empty schema it builds
what upstream's head holds (``upstream-head-schema.md``), flaws included; the revisions on
top of it fix them one by one, each with a downgrade back here.

- extensions postgis, plpython3u, citext, hstore, unaccent (SU role, kept on downgrade:
  they are database-wide);
- 13 base tables and 5 history tables (LIKE-copies: inherited defaults and CHECKs,
  ``ix_<schema>_...`` indexes, integer ``obs_raw_hx_id``, ``meta_network_hx_pkey1``);
- 21 functions, 17 triggers, 4 views, 11 materialized views with their indexes;
- owners: the SU role for what upstream created under ``SET ROLE``, the migrating role
  otherwise; standard privileges on history tables, matviews and crmp_network_geoserver.

Nothing to do on a database already at upstream's head: it is stamped with this id.

Revision ID: f6d5a4c2e901
Revises:
Create Date: 2026-11-30 07:00:00

"""

from collections.abc import Sequence
from contextlib import nullcontext

from alembic import op

from pycds import get_schema_name
from pycds.migration_helpers import grant_standard_privileges, su_role
from pycds.upstream_head import functions, tables, views
from pycds.upstream_head.tables import HISTORY_TRACKED, hx_table_name

revision: str = "f6d5a4c2e901"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()

# Extension -> the schema of its objects (None: a language).
EXTENSIONS = {
    "postgis": "public",
    "plpython3u": None,
    "citext": "public",
    "hstore": "public",
    "unaccent": "public",
}


def upgrade() -> None:
    s = schema_name
    with su_role():
        for extension, placement in EXTENSIONS.items():
            where = f" SCHEMA {placement}" if placement else ""
            op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}{where}")
    for statement in [*tables.base_table_statements(s), *tables.hx_table_statements(s)]:
        op.execute(statement)
    for table in HISTORY_TRACKED:
        grant_standard_privileges(s, hx_table_name(table))
    for function in functions.all_functions(s):
        with su_role() if function.su_owned else nullcontext():
            op.execute(function.sql)
    for statement in tables.trigger_statements(s):
        op.execute(statement)
    for relation in views.all_relations(s):
        with su_role() if relation.su_owned else nullcontext():
            op.execute(relation.create_sql(s))
            for index in relation.indexes:
                op.execute(index)
            if relation.materialized or relation.name in views.GRANTED_VIEWS:
                grant_standard_privileges(s, relation.name)


def downgrade() -> None:
    s = schema_name
    for relation in reversed(views.all_relations(s)):
        op.execute(relation.drop_sql(s))
    for statement in tables.drop_trigger_statements(s):
        op.execute(statement)
    for function in reversed(functions.all_functions(s)):
        op.execute(function.drop_sql(s))
    for table in reversed(HISTORY_TRACKED):
        op.execute(f"DROP TABLE {s}.{hx_table_name(table)}")
    for table in reversed(tables.BASE_TABLES):
        op.execute(f"DROP TABLE {s}.{table}")
