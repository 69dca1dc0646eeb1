"""Read-only ORM classes for the views and materialized views of the CRMP schema.

Views and matviews are not tables: ``create_all`` must not create them and Alembic's
autogenerate must not propose them as tables. So their classes live on their own
declarative base, whose metadata is never ``pycds.orm.metadata`` (the migrations create the
objects, from the definitions in :mod:`pycds.replaceables`).

Each relation is declared as a plain ``Table`` without any constraint (a view has no primary
key; declaring one caused trouble upstream, pycds issues #120 and #136). The ORM still
needs an identity for each row, so each class names the columns that are unique in the
relation by construction (``relation(..., identity=("history_id",))``: one row per
history); they become the mapper's primary key only. Writes through these classes are
refused before any SQL is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_view import PGView
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase

from pycds.config import get_schema_name


class ReadOnlyRelationError(TypeError):
    """An attempt to insert, update or delete rows through a view or matview class."""


class ViewBase(DeclarativeBase):
    """Declarative base of the view and matview classes (never in ``Base.metadata``)."""

    metadata = sa.MetaData(schema=get_schema_name())

    def __init_subclass__(cls, relation: Relation | None = None, **kwargs) -> None:
        """Map ``class X(ViewBase, relation=relation(...))`` onto that relation."""
        if relation is not None:
            cls.__table__ = relation.table
            key = [relation.table.c[column] for column in relation.identity]
            cls.__mapper_args__ = {"primary_key": key, **cls.__dict__.get("__mapper_args__", {})}
        super().__init_subclass__(**kwargs)

    @classmethod
    def base_name(cls) -> str:
        """The relation's name, without schema."""
        return cls.__table__.name

    @classmethod
    def qualified_name(cls) -> str:
        """The relation's schema-qualified name."""
        return f"{cls.__table__.schema}.{cls.__table__.name}"

    @classmethod
    def entity(cls) -> PGView | PGMaterializedView:
        """The definition of this relation (:mod:`pycds.replaceables`), in the class's schema."""
        from pycds.replaceables import matviews, views

        schema = cls.__table__.schema
        (found,) = (
            e for e in (*views(schema), *matviews(schema)) if e.signature == cls.base_name()
        )
        return found

    @classmethod
    def create(cls) -> sa.TextClause:
        """SQL creating the relation (and a matview's indexes), as migrations do."""
        return cls.entity().to_sql_statement_create()

    @classmethod
    def drop(cls) -> sa.TextClause:
        """SQL dropping the relation (never CASCADE: dependents must be dropped first)."""
        kind = "MATERIALIZED VIEW" if isinstance(cls.entity(), PGMaterializedView) else "VIEW"
        return sa.text(f"DROP {kind} {cls.qualified_name()}")


class MatviewBase(ViewBase):
    """Base of the materialized-view classes: adds ``refresh``, and indexes to ``create``."""

    __abstract__ = True

    @classmethod
    def create(cls) -> sa.TextClause:
        from pycds.replaceables import indexes_of

        statements = [str(super().create()).rstrip().rstrip(";")]
        statements += [
            index.create_sql() for index in indexes_of(cls.base_name(), cls.__table__.schema)
        ]
        return sa.text(";\n".join(statements))

    @classmethod
    def refresh(cls, *, concurrently: bool = False) -> sa.TextClause:
        """SQL refreshing the matview (``concurrently`` needs its unique index)."""
        mode = "CONCURRENTLY " if concurrently else ""
        return sa.text(f"REFRESH MATERIALIZED VIEW {mode}{cls.qualified_name()}")


# Upstream's name for the base of ORM classes that are replaceable objects
# (``pycds.manage_views`` tests ``issubclass(view, ReplaceableOrmClass)``).
ReplaceableOrmClass = ViewBase


@dataclass(frozen=True)
class Relation:
    """A view's constraint-free ``Table`` and the columns unique per row of it."""

    table: sa.Table
    identity: tuple[str, ...]


def relation(name: str, *columns: sa.Column, identity: Sequence[str]) -> Relation:
    """Declare view ``name``; ``identity`` becomes the mapper's (and only the mapper's) key."""
    return Relation(sa.Table(name, ViewBase.metadata, *columns), tuple(identity))


def _refuse(mapper, connection, target) -> None:
    raise ReadOnlyRelationError(
        f"{type(target).__name__} maps the view {mapper.local_table.name}: it is read-only"
    )


for _operation in ("before_insert", "before_update", "before_delete"):
    event.listen(ViewBase, _operation, _refuse, propagate=True)
