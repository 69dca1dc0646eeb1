"""Materialized views (``PGMaterializedView``): read from ``pg_class`` (``relkind = 'm'``),
simulated ``WITH NO DATA`` as alembic-utils does (0.7.1+); a replace is a drop and a create,
so dependents are displaced."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from alembic_utils.pg_materialized_view import PGMaterializedView
from sqlalchemy.engine import Connection

from .base import Kind, LiveEntity, raw_sql
from .view import RELATIONS


class MaterializedViewKind(Kind):
    entity_class = PGMaterializedView
    rank = 30
    replace_displaces_dependents = True

    def read(self, conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
        rows = conn.execute(RELATIONS, {"schemas": list(schemas), "relkind": "m"}).fetchall()
        return [
            LiveEntity(
                PGMaterializedView(nsp, name, definition, with_data=populated),
                ("pg_class", oid),
                nsp,
                name,
            )
            for oid, nsp, name, definition, populated in rows
        ]

    def simulation_create(self, entity, live) -> str:
        if entity.with_data:
            entity = copy.copy(entity)
            entity.with_data = False
        return raw_sql(entity.to_sql_statement_create())


KIND = MaterializedViewKind()
