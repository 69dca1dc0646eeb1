"""Translate what Alembic hands over (reflected objects, ops) into :class:`Subject` descriptions.

One place knows the shapes of Alembic's and alembic-utils' objects; the hooks, the report and
the baseline writer all describe differences through these functions, so that a rule written from
a baseline matches exactly what the hooks later see.
"""

from __future__ import annotations

from typing import Any, cast

from alembic.operations import ops
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.schema import DefaultClause, FetchedValue

from .matching import Subject

__all__ = [
    "CONSTRAINT_KINDS",
    "entity_subject",
    "is_entity",
    "op_kind_and_identity",
    "render_default",
    "render_nullable",
    "render_type",
]

#: ``constraint_type`` of Add/DropConstraintOp -> registry kind.
CONSTRAINT_KINDS = {
    "foreignkey": "foreign_key_constraint",
    "unique": "unique_constraint",
    "check": "check_constraint",
    "primary": "primary_key",
}

_PG_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy: untyped __init__


def is_entity(obj: Any) -> bool:
    """True for alembic-utils style replaceable entities (functions, views, triggers, grants)."""
    return hasattr(obj, "type_") and hasattr(obj, "schema") and hasattr(obj, "signature")


def entity_subject(entity: Any, difference: str) -> Subject:
    """Describe an alembic-utils entity, as its kind names it (``replaceables/kinds/``).

    ``name`` is the bare object name: a function's name without its argument list, a trigger's
    or policy's name (its table goes to ``table``), a grant's grantee role (its table goes to
    ``table``), an extension's name.  Entities of a class no kind knows are described from
    their ``schema``, ``signature`` and ``on_entity``.
    """
    from .replaceables.kinds import kind_of  # lazy: importing it hooks the comparator

    try:
        schema, table, name = kind_of(entity).subject(entity)
    except TypeError:
        schema, table, name = entity.schema, None, str(entity.signature).split("(", 1)[0]
        on_entity = getattr(entity, "on_entity", None)
        if on_entity:
            table = on_entity.rpartition(".")[2]
    return Subject(
        kind=entity.type_, difference=difference, schema=schema, table=table, name=name.strip()
    )


def render_type(type_: Any) -> str | None:
    """PostgreSQL spelling of a SQLAlchemy type, e.g. ``DOUBLE PRECISION``, ``timescale``."""
    if type_ is None:
        return None
    try:
        return str(type_.compile(dialect=_PG_DIALECT))
    except Exception:  # an unrenderable type still deserves a description, not a crash
        return str(type_)


def render_nullable(nullable: bool | None) -> str | None:
    if nullable is None:
        return None
    return "null" if nullable else "not null"


def render_default(default: Any) -> str:
    """Text of a server default as either side carries it; ``none`` when absent."""
    if default is None or default is False:
        return "none"
    if isinstance(default, DefaultClause):
        default = default.arg
    if isinstance(default, TextClause):
        return default.text
    if isinstance(default, FetchedValue):
        return type(default).__name__
    if hasattr(default, "compile"):
        try:
            return str(default.compile(dialect=_PG_DIALECT))
        except Exception:  # same as render_type: describe rather than crash
            return str(default)
    return str(default)


def op_kind_and_identity(op: Any) -> tuple[str, str | None, str | None, str | None] | None:
    """``(kind, schema, table, name)`` of a create/drop op, or ``None`` for other ops."""
    if isinstance(op, (ops.CreateTableOp, ops.DropTableOp)):
        return "table", op.schema, None, op.table_name
    if isinstance(op, (ops.AddColumnOp, ops.DropColumnOp)):
        column_name = op.column.name if isinstance(op, ops.AddColumnOp) else op.column_name
        return "column", op.schema, op.table_name, column_name
    if isinstance(op, (ops.CreateIndexOp, ops.DropIndexOp)):
        return "index", op.schema, op.table_name, op.index_name
    if isinstance(op, ops.AddConstraintOp):
        constraint = op.to_constraint()
        kind = CONSTRAINT_KINDS.get(op.constraint_type, op.constraint_type)
        table = constraint.table
        # SQLAlchemy types the name with its "no name" sentinel; a constraint here has a str/None.
        return kind, table.schema, table.name, cast(str | None, constraint.name)
    if isinstance(op, ops.DropConstraintOp):
        kind = CONSTRAINT_KINDS.get(op.constraint_type or "", op.constraint_type or "constraint")
        return kind, op.schema, op.table_name, cast(str | None, op.constraint_name)
    target = getattr(op, "target", None)
    if target is not None and is_entity(target):
        subject = entity_subject(target, "definition")
        return subject.kind, subject.schema, subject.table, subject.name
    return None
