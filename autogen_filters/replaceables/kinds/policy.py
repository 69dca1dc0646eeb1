"""Row-level security policies (``PGPolicy``): read from ``pg_policies``, the view alembic-utils
reads, with the definition rebuilt the way alembic-utils rebuilds it (``as <permissive> for
<cmd> to <roles> using (...) with check (...)``) and parsed by its own ``from_sql``, so that
identities and definitions compare exactly as in alembic-utils.  A replace is alembic-utils'
``DROP POLICY IF EXISTS`` + ``CREATE POLICY``.  A policy needs its table; a function used in
its expressions is recorded in ``pg_depend``."""

from __future__ import annotations

from collections.abc import Sequence

from alembic_utils.pg_policy import PGPolicy
from alembic_utils.replaceable_entity import ReplaceableEntity
from alembic_utils.statement import coerce_to_quoted
from sqlalchemy import text
from sqlalchemy.engine import Connection

from .base import Kind, LiveEntity
from .trigger import on_table

_POLICIES = text(
    """
    select p.oid, v.schemaname, v.tablename, v.policyname, v.permissive, v.roles, v.cmd,
           v.qual, v.with_check
    from pg_policies v
    join pg_namespace n on n.nspname = v.schemaname
    join pg_class c on c.relnamespace = n.oid and c.relname = v.tablename
    join pg_policy p on p.polrelid = c.oid and p.polname = v.policyname
    where v.schemaname = any(:schemas)
    order by p.oid
    """
)


def policy_definition(
    permissive: str | None,
    roles: Sequence[str] | None,
    cmd: str | None,
    qual: str | None,
    with_check: str | None,
) -> str:
    """alembic-utils' rendering of a ``pg_policies`` row (``PGPolicy.from_database``)."""
    definition = ""
    if permissive is not None:
        definition += f"as {permissive} "
    if cmd is not None:
        definition += f"for {cmd} "
    if roles is not None:
        definition += f"to {', '.join(roles)} "
    if qual is not None:
        if qual[0] != "(":
            qual = f"({qual})"
        definition += f"using {qual} "
    if with_check is not None:
        if with_check[0] != "(":
            with_check = f"({with_check})"
        definition += f"with check {with_check} "
    return definition


class PolicyKind(Kind):
    entity_class = PGPolicy
    rank = 50

    def read(self, conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
        rows = conn.execute(_POLICIES, {"schemas": list(schemas)}).fetchall()
        found = []
        for oid, nsp, table, name, *rest in rows:
            sql = (
                f"create policy {coerce_to_quoted(name)} on "
                f"{coerce_to_quoted(nsp)}.{coerce_to_quoted(table)} {policy_definition(*rest)}"
            )
            found.append(LiveEntity(PGPolicy.from_sql(sql), ("pg_policy", oid), nsp, name, table))
        return found

    def slot(self, entity: ReplaceableEntity) -> tuple[str, str, str]:
        return (entity.schema, on_table(entity), entity.signature)

    def drop_sql(self, entity: ReplaceableEntity) -> str:
        schema, table, name = self.slot(entity)
        return f'DROP POLICY IF EXISTS "{name}" ON "{schema}"."{table}"'

    def mentions(self, entity: ReplaceableEntity) -> set[str]:
        return super().mentions(entity) | {on_table(entity).lower()}

    def subject(self, entity: ReplaceableEntity) -> tuple[str, str | None, str]:
        return entity.schema, on_table(entity), entity.signature


KIND = PolicyKind()
