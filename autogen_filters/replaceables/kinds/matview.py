"""Materialized views (``PGMaterializedView``): read from ``pg_class`` (``relkind = 'm'``),
simulated ``WITH NO DATA`` as alembic-utils does (0.7.1+); a replace is a drop and a create,
so dependents are displaced."""

from __future__ import annotations

import copy
from collections.abc import Hashable, Mapping, Sequence
from typing import cast

from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.replaceable_entity import ReplaceableEntity
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

    def simulation_create(
        self, entity: ReplaceableEntity, live: Mapping[Hashable, LiveEntity]
    ) -> str:
        matview = cast(PGMaterializedView, entity)  # this kind only sees materialized views
        if matview.with_data:
            matview = copy.copy(matview)
            matview.with_data = False
        return raw_sql(matview.to_sql_statement_create())


KIND = MaterializedViewKind()
