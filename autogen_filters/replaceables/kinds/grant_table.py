"""Table and column grants (``PGGrantTable``): read from ``information_schema``, as alembic-utils
reads them, for all schemas at once.

alembic-utils' model: ``SELECT``, ``INSERT``, ``UPDATE`` and ``REFERENCES`` are column grants
(``role_column_grants``, which also lists a table-level grant once per column), ``DELETE``,
``TRUNCATE`` and ``TRIGGER`` table grants (``role_table_grants``); only grants made by the
current user to roles that are not superusers are seen (a grant's identity is schema, table,
role and privilege: the grantor must be the role that runs the migrations, alembic-utils #78).
Materialized views are not in ``information_schema``: grants on them are not seen.

A grant has no oid: its key is the privilege and role on the table's oid, and it needs its
table.  So a grant is created after its table or view, and a view that is dropped and created
again (replaced, displaced) takes its declared grants with it and gets them back.  A replace
(``WITH GRANT OPTION`` or the columns changed) is alembic-utils' ``REVOKE`` + ``GRANT``.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic_utils.pg_grant_table import PGGrantTable
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import TextClause

from .base import CatalogKey, Kind, LiveEntity, raw_sql


def _grants(view: str, privileges: str, columns: str, group_by: str) -> TextClause:
    """alembic-utils' grant query on ``information_schema.<view>``, for all schemas at once,
    with the table's oid (the grant's key)."""
    return text(
        f"""
        select c.oid, g.table_schema, g.table_name, g.grantee, g.privilege_type,
               g.is_grantable, {columns}
        from information_schema.{view} g
        join pg_roles r on r.rolname = g.grantee
        join pg_namespace n on n.nspname = g.table_schema
        join pg_class c on c.relnamespace = n.oid and c.relname = g.table_name
        where not r.rolsuper and g.grantor = current_user
          and g.table_schema = any(:schemas) and g.privilege_type in ({privileges})
        {group_by}
        """
    )


_COLUMN_GRANTS = _grants(
    "role_column_grants",
    "'SELECT', 'INSERT', 'UPDATE', 'REFERENCES'",
    "array_agg(cast(g.column_name as text) order by g.column_name)",
    "group by 1, 2, 3, 4, 5, 6",
)
_TABLE_GRANTS = _grants("role_table_grants", "'DELETE', 'TRUNCATE', 'TRIGGER'", "null", "")


class GrantTableKind(Kind):
    entity_class = PGGrantTable
    rank = 60
    keys_survive_simulation = True

    def read(self, conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
        params = {"schemas": list(schemas)}
        rows = conn.execute(_COLUMN_GRANTS, params).fetchall()
        rows += conn.execute(_TABLE_GRANTS, params).fetchall()
        found = []
        for oid, nsp, table, role, grant, grantable, columns in rows:
            entity = PGGrantTable(
                schema=nsp,
                table=table,
                role=role,
                grant=grant,
                columns=list(columns) if columns else None,
                with_grant_option=grantable == "YES",
            )
            found.append(LiveEntity(entity, (f"grant {role} {grant}", oid), nsp, role, table))
        return found

    def needs(self, live: LiveEntity) -> set[CatalogKey]:
        return {("pg_class", live.key[1])}

    def slot(self, entity):
        return (entity.schema, entity.table, entity.role, str(entity.grant))

    def live_slot(self, live):
        return self.slot(live.entity)

    def drop_sql(self, entity) -> str:
        return raw_sql(entity.to_sql_statement_drop())

    def mentions(self, entity) -> set[str]:
        return {entity.table.lower()}

    def subject(self, entity):
        return entity.schema, entity.table, entity.role

    def describe(self, entity) -> str:
        return f"grant {entity.grant} on {entity.schema}.{entity.table} to {entity.role}"


KIND = GrantTableKind()
