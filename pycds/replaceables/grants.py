"""The standard privileges (``PYCDS_STANDARD_TABLE_PRIVS``) as alembic-utils ``PGGrantTable``
entities: one per role and privilege on each view and history table.

alembic-utils models ``SELECT``, ``INSERT``, ``UPDATE`` and ``REFERENCES`` as column grants, so
each of those lists every column of its relation (a table-level grant reads back as a grant on
each column); ``ALL`` is its seven privileges. The columns are taken from the view definitions
(:func:`pycds.replaceables.views.output_columns`) and from the ORM's history tables, so a
column added to a tracked table (hence to its history table) is covered by the same draft.

Materialized views get no entity: their grants are invisible to the grant kind (PostgreSQL's
``information_schema``, whose model alembic-utils and our comparator follow, leaves
materialized views out), so declaring them would propose granting them on every run. Their
standard grants stay in ``pycds.autogenerate.extra_sql``, re-applied with each matview.

A grant's grantor must be the role that runs autogenerate (alembic-utils #78): the grants
pycds's revisions make are made by the migrating role, not under the SU role.
"""

from __future__ import annotations

from alembic_utils.pg_grant_table import PGGrantTable
from sqlalchemy import MetaData

from pycds.config import get_standard_table_privileges
from pycds.replaceables._schema import resolve_schema
from pycds.replaceables.views import output_columns, views
from pycds.tracking import HISTORY_TRACKED, hx_table_name

#: Privileges granted per column in alembic-utils' model; the others are table privileges.
COLUMN_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "REFERENCES")
TABLE_PRIVILEGES = ("DELETE", "TRUNCATE", "TRIGGER")


def _expand(privileges: list[str]) -> list[str]:
    if "ALL" in privileges:
        return [*COLUMN_PRIVILEGES, *TABLE_PRIVILEGES]
    return list(dict.fromkeys(privileges))


def grants_on(schema: str, table: str, columns: list[str]) -> list[PGGrantTable]:
    """The standard privileges on ``schema.table`` (whose columns are ``columns``)."""
    return [
        PGGrantTable(
            schema=schema,
            table=table,
            role=role,
            grant=privilege,
            columns=columns if privilege in COLUMN_PRIVILEGES else None,
        )
        for role, privileges in get_standard_table_privileges()
        if role != "public"  # PUBLIC is no role in pg_roles: its grants are never read back
        for privilege in _expand(privileges)
    ]


def _hx_columns(hx: str, metadata: MetaData | None) -> list[str]:
    if metadata is None:
        from pycds.orm import metadata  # the ORM is heavy; only needed here
    (table,) = [t for t in metadata.tables.values() if t.name == hx]
    return [column.name for column in table.columns]


def standard_grants(
    schema: str | None = None, metadata: MetaData | None = None
) -> list[PGGrantTable]:
    """The standard privileges on the four views, then on the history tables, whose columns
    are those of ``metadata`` (default: pycds's ORM; a test passes its changed copy)."""
    s = resolve_schema(schema)
    found: list[PGGrantTable] = []
    for view in views(s):
        found += grants_on(s, view.signature, output_columns(view))
    for table in HISTORY_TRACKED:
        hx = hx_table_name(table)
        found += grants_on(s, hx, _hx_columns(hx, metadata))
    return found
