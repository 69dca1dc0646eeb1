"""``include_name`` / ``include_object`` hooks: the earliest layer that can see an object.

``include_name`` runs before reflection and sees only names. It restricts autogenerate to the
managed schema: for ``type_ == "schema"`` it keeps that schema only, and for every other type it
also requires ``parent_names["schema_name"]`` to be the managed schema, because alembic-utils
scans every schema the inspector lists for entities to drop and does not apply the schema filter
to them (so PostGIS's functions in ``public`` would otherwise be proposed as drops).

``include_object`` sees both sides. Presence differences are decided here where Alembic tells us
the presence: for tables and columns ``compare_to is None`` means the object exists on one side
only, so a ``db_only``/``orm_only`` rule can skip it before any op is built. For indexes and
constraints Alembic passes ``compare_to=None`` whether or not the other side has an object of the
same name, so presence cannot be told apart from a definition change here; those are handled on
the op tree (:mod:`autogen_filters.directives`). Reflected replaceable entities (functions, views,
triggers, grants...) reach ``include_object`` only from the drop scan, so a ``db_only`` rule skips
them here; local entities are never skipped here, so a definition change still comes through.
Declared extensions are compared in whatever schema they place their members (``public`` for
PostGIS); every other entity outside the managed schema is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .matching import Matcher, Subject
from .subjects import entity_subject, is_entity

__all__ = ["IncludeHooks"]


class IncludeHooks:
    """The two callables handed to ``context.configure``, bound to one matcher."""

    def __init__(self, matcher: Matcher, schema: str):
        self.matcher = matcher
        self.schema = schema
        #: Set once autogenerate has started comparing; tells the directive hook that this run
        #: is an autogenerate run (plain ``alembic revision`` calls it with nothing compared).
        self.compared = False

    def include_name(self, name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
        self.compared = True
        if type_ == "schema":
            # The default schema arrives as None; it is managed only if it is named explicitly.
            return name == self.schema
        schema_name = parent_names.get("schema_name")
        return schema_name is None or schema_name == self.schema

    def include_object(
        self, obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        self.compared = True
        if is_entity(obj):
            return self._include_entity(obj, reflected)
        schema = _schema_of(obj, type_)
        if schema is not None and schema != self.schema:
            return False
        if type_ not in ("table", "column") or compare_to is not None:
            # Present on both sides, or a kind whose presence is decided on the op tree.
            return True
        difference = "db_only" if reflected else "orm_only"
        if type_ == "table":
            subject = Subject("table", difference, schema, None, name)
        else:
            subject = Subject("column", difference, schema, obj.table.name, name)
        return self.matcher.suppress(subject) is None

    def _include_entity(self, entity: Any, reflected: bool) -> bool:
        if entity.schema != self.schema:
            # A declared extension is compared wherever its members live (postgis in public):
            # the project needs it, and drops are still only proposed in the managed schema.
            return not reflected and entity.type_ == "extension"
        if not reflected:
            # A local entity is compared by simulation; skipping it here would hide a definition
            # change, so orm_only and definition rules act on the resulting ops instead.
            return True
        return self.matcher.suppress(entity_subject(entity, "db_only")) is None


def _schema_of(obj: Any, type_: str) -> str | None:
    if type_ == "table":
        return getattr(obj, "schema", None)
    table = getattr(obj, "table", None)
    return getattr(table, "schema", None)
