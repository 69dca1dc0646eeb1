"""Triggers (``PGTrigger``): read from ``pg_trigger`` with ``pg_get_triggerdef``, rendered with
an empty ``search_path`` so the table (and the function after ``EXECUTE FUNCTION``) is always
schema-qualified.  alembic-utils reads them with the session's search_path: a table on it comes
back unqualified, and alembic-utils then assumes ``public`` (wrong schema, broken DROP)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import cast

import parse
from alembic_utils.pg_policy import PGPolicy
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.replaceable_entity import ReplaceableEntity
from sqlalchemy import text
from sqlalchemy.engine import Connection

from .base import Kind, LiveEntity

_TRIGGERS = text(
    """
    select t.oid, n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid)
    from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    where not t.tgisinternal and n.nspname = any(:schemas)
    order by t.oid
    """
)

# alembic-utils' templates, compiled once (it recompiles them for every row, its issue #173).
_TEMPLATES = [
    (parse.compile(t, case_sensitive=False), "constraint" in t) for t in PGTrigger._templates
]


def trigger_from_sql(sql: str) -> PGTrigger:
    """``PGTrigger.from_sql`` with precompiled templates."""
    for template, is_constraint in _TEMPLATES:
        result = template.parse(sql)
        if result is not None:
            on_entity = result["on_entity"]
            if "." not in on_entity:
                on_entity = "public" + "." + on_entity
            definition = " {event} ON {on_entity} {action}".format(
                event=result["event"], on_entity=on_entity, action=result["action"]
            )
            return PGTrigger(
                schema=on_entity.split(".")[0],
                signature=result["signature"],
                on_entity=on_entity,
                definition=definition,
                is_constraint=is_constraint,
            )
    return PGTrigger.from_sql(sql)  # raises alembic-utils' own error


def on_table(entity: ReplaceableEntity) -> str:
    """The table name of a trigger's or policy's ``on_entity`` (``schema.table``)."""
    # Only triggers and policies have an ``on_entity``.
    on_entity: str = cast(PGTrigger | PGPolicy, entity).on_entity
    return on_entity.partition(".")[2] or on_entity


class TriggerKind(Kind):
    entity_class = PGTrigger
    rank = 40

    def read(self, conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
        previous = conn.execute(text("select current_setting('search_path')")).scalar_one()
        conn.execute(text("select set_config('search_path', '', true)"))
        try:
            rows = conn.execute(_TRIGGERS, {"schemas": list(schemas)}).fetchall()
        finally:
            conn.execute(text("select set_config('search_path', :p, true)"), {"p": previous})
        return [
            LiveEntity(trigger_from_sql(sql), ("pg_trigger", oid), nsp, tgname, table)
            for oid, nsp, table, tgname, sql in rows
        ]

    def slot(self, entity: ReplaceableEntity) -> tuple[str, str, str]:
        return (entity.schema, on_table(entity), entity.signature)

    def simulation_drop(
        self, entity: ReplaceableEntity, live: Mapping[Hashable, LiveEntity]
    ) -> str | None:
        schema, table, name = self.slot(entity)
        if (schema, table, name) not in live:
            return None
        return f'DROP TRIGGER IF EXISTS "{name}" ON "{schema}"."{table}" CASCADE'

    def mentions(self, entity: ReplaceableEntity) -> set[str]:
        return super().mentions(entity) | {on_table(entity).lower()}

    def subject(self, entity: ReplaceableEntity) -> tuple[str, str | None, str]:
        return entity.schema, on_table(entity), entity.signature


KIND = TriggerKind()
