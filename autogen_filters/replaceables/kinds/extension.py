"""Extensions (``PGExtension``): read from ``pg_extension`` (outside ``pg_catalog``).

An extension has no definition for PostgreSQL to normalise: the declared entity is its own
normal form (alembic-utils' ``definition`` is ``"PGExtension: <schema> <name>"``).  The
simulation never drops a live extension (a ``DROP EXTENSION ... CASCADE`` would take the
columns and functions using its types with it); it only creates a declared one that is not
there yet, so that the functions and views using it can be simulated.  The identity is the
name alone: a declared extension in another schema than the live one is a drop of the live one
and a create (PostgreSQL has no ``CREATE OR REPLACE EXTENSION``; alembic-utils proposes only
the create, which fails).  Functions, views and triggers that use an extension's types or
functions need the extension (``depends.py`` maps extension members to it), so drops run
dependents first and creations extension first.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from alembic_utils.pg_extension import PGExtension
from alembic_utils.replaceable_entity import ReplaceableEntity
from sqlalchemy import text
from sqlalchemy.engine import Connection

from .base import Kind, LiveEntity, raw_sql

_EXTENSIONS = text(
    """
    select e.oid, n.nspname, e.extname
    from pg_extension e
    join pg_namespace n on n.oid = e.extnamespace
    where n.nspname = any(:schemas) and n.nspname <> 'pg_catalog'
    order by e.oid
    """
)


class ExtensionKind(Kind):
    entity_class = PGExtension
    rank = 0
    keys_survive_simulation = True

    def read(self, conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
        rows = conn.execute(_EXTENSIONS, {"schemas": list(schemas)}).fetchall()
        return [
            LiveEntity(PGExtension(nsp, name), ("pg_extension", oid), nsp, name)
            for oid, nsp, name in rows
        ]

    def slot(self, entity: ReplaceableEntity) -> Hashable:
        return entity.signature

    def live_slot(self, live: LiveEntity) -> Hashable:
        return live.name

    def simulation_drop(
        self, entity: ReplaceableEntity, live: Mapping[Hashable, LiveEntity]
    ) -> None:
        return None

    def simulation_create(
        self, entity: ReplaceableEntity, live: Mapping[Hashable, LiveEntity]
    ) -> str | None:
        if self.slot(entity) in live:
            return None
        return raw_sql(entity.to_sql_statement_create())

    def normalised(self, entity: ReplaceableEntity, created: LiveEntity) -> LiveEntity:
        return LiveEntity(entity, created.key, entity.schema, entity.signature)

    def mentions(self, entity: ReplaceableEntity) -> set[str]:
        return set()

    def must_rebuild(self, decision: Any) -> bool:
        return True  # no replace for extensions: drop the live one, create the declared one

    def subject(self, entity: ReplaceableEntity) -> tuple[str, str | None, str]:
        return entity.schema, None, entity.signature


KIND = ExtensionKind()
