"""Table and column grants (``PGGrantTable``): what alembic-utils reads from
``information_schema``, read from the ACLs directly, for all schemas at once.

alembic-utils' model: ``SELECT``, ``INSERT``, ``UPDATE`` and ``REFERENCES`` are column grants
(``role_column_grants``, which also lists a table-level grant once per column), ``DELETE``,
``TRUNCATE`` and ``TRIGGER`` table grants (``role_table_grants``); only grants made by the
current user to roles that are not superusers are seen (a grant's identity is schema, table,
role and privilege: the grantor must be the role that runs the migrations, alembic-utils #78).
Materialized views are not in ``information_schema``: grants on them are not seen.

A grant made on the whole table (``GRANT SELECT ON t``) rather than on columns covers every
column the table will have: a column added or dropped by the upgrade is no change of the grant
(alembic-utils would REVOKE and GRANT it per column, before the column exists on downgrade).

A grant has no oid: its key is the privilege and role on the table's oid, and it needs its
table.  So a grant is created after its table or view, and a view that is dropped and created
again (replaced, displaced) takes its declared grants with it and gets them back.  A replace
(``WITH GRANT OPTION`` or the columns changed) is alembic-utils' ``REVOKE`` + ``GRANT``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import cast

from alembic_utils.pg_grant_table import PGGrantTable
from alembic_utils.replaceable_entity import ReplaceableEntity
from sqlalchemy import text
from sqlalchemy.engine import Connection

from .base import CatalogKey, Kind, LiveEntity, raw_sql

# What information_schema.role_column_grants / role_table_grants hold for these filters
# (their definitions in PostgreSQL 15, read straight from the ACLs: the views take ~100 ms on
# a database with PostGIS).  Column privileges are a table's privileges on each of its columns
# plus the columns' own; "grantable" is as information_schema says it (WITH GRANT OPTION, or
# the grantee is a member of the owner).  Tables, views, foreign and partitioned tables only.
GRANTS = text(
    """
    with rel as (
        select c.oid, n.nspname, c.relname, c.relowner, c.relacl
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(:schemas) and c.relkind in ('r', 'v', 'f', 'p')
    ), acl as (
        select r.oid, r.nspname, r.relname, r.relowner, null::name as attname, a.*
        from rel r, aclexplode(coalesce(r.relacl, acldefault('r', r.relowner))) a
        union all
        select r.oid, r.nspname, r.relname, r.relowner, t.attname, a.*
        from rel r
        join pg_attribute t on t.attrelid = r.oid and t.attnum > 0 and not t.attisdropped
                           and t.attacl is not null,
        aclexplode(t.attacl) a
    ), mine as (
        select acl.oid, acl.nspname, acl.relname, acl.attname, g.rolname, acl.privilege_type,
               pg_has_role(acl.grantee, acl.relowner, 'USAGE') or acl.is_grantable as grantable
        from acl join pg_roles g on g.oid = acl.grantee and not g.rolsuper
        where acl.grantor = (select oid from pg_roles where rolname = current_user)
    )
    select oid, nspname, relname, rolname, privilege_type, grantable, null, true
    from mine
    where attname is null and privilege_type in ('DELETE', 'TRUNCATE', 'TRIGGER')
    union all
    select oid, nspname, relname, rolname, privilege_type, grantable,
           array_agg(distinct cast(col as text)), bool_and(attname is null)
    from (
        select m.*, t.attname as col
        from mine m
        join pg_attribute t on t.attrelid = m.oid and t.attnum > 0 and not t.attisdropped
        where m.attname is null
        union all
        select m.*, m.attname from mine m where m.attname is not null
    ) per_column
    where privilege_type in ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
    group by 1, 2, 3, 4, 5, 6
    """
)


class GrantTableKind(Kind):
    entity_class = PGGrantTable
    rank = 60
    keys_survive_simulation = True

    def read(self, conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
        rows = conn.execute(GRANTS, {"schemas": list(schemas)}).fetchall()
        found = []
        for oid, nsp, table, role, grant, grantable, columns, table_level in rows:
            entity = PGGrantTable(
                schema=nsp,
                table=table,
                role=role,
                grant=grant,
                columns=list(columns) if columns else None,
                with_grant_option=grantable,
            )
            key = (f"grant {role} {grant}", oid)
            found.append(LiveEntity(entity, key, nsp, role, table, shape=table_level))
        return found

    def unchanged(self, live: LiveEntity, simulated: LiveEntity) -> bool:
        # A table-level grant covers every column the table has, whatever the upgrade adds or
        # drops: its columns follow the table ops, so only a change of grant option counts (a
        # declared column list reads back as all columns while the table-level grant stands).
        if live.shape:
            was, now = cast(PGGrantTable, live.entity), cast(PGGrantTable, simulated.entity)
            return bool(was.with_grant_option == now.with_grant_option)
        return super().unchanged(live, simulated)

    def needs(self, live: LiveEntity) -> set[CatalogKey]:
        return {("pg_class", live.key[1])}

    def slot(self, entity: ReplaceableEntity) -> Hashable:
        grant = _grant(entity)
        return (grant.schema, grant.table, grant.role, str(grant.grant))

    def live_slot(self, live: LiveEntity) -> Hashable:
        return self.slot(live.entity)

    def drop_sql(self, entity: ReplaceableEntity) -> str:
        return raw_sql(entity.to_sql_statement_drop())

    def mentions(self, entity: ReplaceableEntity) -> set[str]:
        return {_grant(entity).table.lower()}

    def subject(self, entity: ReplaceableEntity) -> tuple[str, str | None, str]:
        grant = _grant(entity)
        return grant.schema, grant.table, grant.role

    def describe(self, entity: ReplaceableEntity) -> str:
        grant = _grant(entity)
        return f"grant {grant.grant} on {grant.schema}.{grant.table} to {grant.role}"


def _grant(entity: ReplaceableEntity) -> PGGrantTable:
    """The entity as the grant it is: this kind only ever sees ``PGGrantTable`` entities."""
    return cast(PGGrantTable, entity)


KIND = GrantTableKind()
