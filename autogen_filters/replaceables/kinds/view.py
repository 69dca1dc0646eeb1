"""Views (``PGView``): read from ``pg_class`` (``relkind = 'v'``) with ``pg_get_viewdef``, the
text ``pg_views.definition`` holds.  A replaced view drops and re-creates its dependents
(``CREATE OR REPLACE VIEW`` refuses most column changes; alembic-utils #149)."""

from __future__ import annotations

from collections.abc import Sequence

from alembic_utils.pg_view import PGView
from sqlalchemy import text
from sqlalchemy.engine import Connection

from .base import Kind, LiveEntity

RELATIONS = text(
    """
    select c.oid, n.nspname, c.relname, pg_get_viewdef(c.oid), c.relispopulated
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any(:schemas) and c.relkind = :relkind
    order by c.oid
    """
)


class ViewKind(Kind):
    entity_class = PGView
    rank = 20
    replace_displaces_dependents = True

    def read(self, conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
        rows = conn.execute(RELATIONS, {"schemas": list(schemas), "relkind": "v"}).fetchall()
        return [
            LiveEntity(PGView(nsp, name, definition), ("pg_class", oid), nsp, name)
            for oid, nsp, name, definition, _ in rows
        ]


KIND = ViewKind()
