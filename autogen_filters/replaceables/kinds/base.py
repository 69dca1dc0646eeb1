"""What an entity kind is: everything the comparator needs to know about one alembic-utils class.

The comparator, the simulation, the planner and the divergence filters never test an entity's
class; they ask its :class:`Kind`.  A kind says how to read every live entity of its class
(one catalog query for all schemas), how the simulation drops a live copy and creates the
declared entity, how a created object is paired with the declared one, which names its
definition mentions (to guess a creation order), which live objects it needs beyond
``pg_depend``, whether a replace must be a drop and a create, how the divergence registry
names it, and how a migration renders it.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from alembic_utils.replaceable_entity import ReplaceableEntity
from alembic_utils.statement import normalize_whitespace
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import TextClause

CatalogKey = tuple[str, int]
"""``(catalog, oid)`` of a live object, e.g. ``("pg_proc", oid)``; kinds without an oid of
their own (grants) use a catalog tag that names them and the oid of what they are on."""

_IF_EXISTS = re.compile(
    r"^(\s*DROP\s+(?:MATERIALIZED\s+VIEW|VIEW|FUNCTION|TRIGGER|POLICY|EXTENSION))\s+(?!IF\s)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


@dataclass(frozen=True)
class LiveEntity:
    """An entity as PostgreSQL holds it, with where it sits in the catalogs."""

    entity: ReplaceableEntity
    key: CatalogKey
    schema: str  # namespace of the object (of its table, for a trigger, policy or grant)
    name: str  # proname, relname, tgname, polname, extname or the grantee, unquoted
    table: str | None = None  # the table of a trigger, policy or grant
    shape: Any = None  # kind-specific facts read with the definition (a function's shape)

    @property
    def identity(self) -> str:
        return self.entity.identity


def bare_name(entity: ReplaceableEntity) -> str:
    """The object's own name: a function's name without arguments, a view's or trigger's name."""
    return entity.signature.split("(", 1)[0].strip()


def raw_sql(clause: TextClause) -> str:
    """The SQL of an alembic-utils ``text()`` clause, with its escaped colons restored."""
    text: str = clause.text
    return text.replace("\\:", ":")


class Kind:
    """One alembic-utils entity class, as the comparator handles it.

    Subclasses set the class attributes and implement :meth:`read`; the other methods have
    defaults that fit entities named ``schema.signature`` and created by their own
    ``to_sql_statement_create``.  A module in this package that defines ``KIND = MyKind()``
    is registered automatically (``kinds/__init__.py``).
    """

    entity_class: ClassVar[type[ReplaceableEntity]]
    #: Creation rank when nothing else decides (lower first): extensions before functions,
    #: functions before views, ..., grants last.
    rank: ClassVar[int]
    #: A replace drops the object (or ``CREATE OR REPLACE`` may refuse): whatever stands on the
    #: live copy is dropped before and re-created after (views, materialized views).
    replace_displaces_dependents: ClassVar[bool] = False
    #: The object keeps its catalog key when the simulation drops and re-creates it (grants:
    #: keyed by the table they are on), or is not re-created at all (extensions): every object
    #: read back is a candidate for the declared one, not only new keys.
    keys_survive_simulation: ClassVar[bool] = False

    @property
    def type_(self) -> str:
        """alembic-utils' ``type_`` string (``include_name``/``include_object``, registry)."""
        return self.entity_class.type_  # type: ignore[return-value]

    # --- reading -------------------------------------------------------------------------
    def read(self, conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
        """Every live entity of this kind in ``schemas``, with one catalog query."""
        raise NotImplementedError

    def needs(self, live: LiveEntity) -> set[CatalogKey]:
        """Live objects this one needs that ``pg_depend`` does not record (a grant: its table)."""
        return set()

    # --- simulation ----------------------------------------------------------------------
    def slot(self, entity: ReplaceableEntity) -> Hashable:
        """Where the declared entity lands in the catalog: pairs it with the object its CREATE
        made (overloaded functions share a slot and are told apart by creation order)."""
        return (entity.schema, None, bare_name(entity))

    def live_slot(self, live: LiveEntity) -> Hashable:
        return (live.schema, live.table, live.name)

    def simulation_drop(
        self, entity: ReplaceableEntity, live: Mapping[Hashable, LiveEntity]
    ) -> str | None:
        """SQL dropping the live copy ``entity`` would collide with (``live``: this kind's live
        entities by slot), or None.  Runs inside the simulation's savepoint; must not fail."""
        existing = live.get(self.slot(entity))
        if existing is None:
            return None
        return self.drop_sql(existing.entity)

    def drop_sql(self, entity: ReplaceableEntity) -> str:
        """``DROP ... IF EXISTS ... CASCADE`` of a live entity, for the simulation (a cascade
        may have removed it already)."""
        sql = raw_sql(entity.to_sql_statement_drop(cascade=True))
        return _IF_EXISTS.sub(r"\1 IF EXISTS ", sql, 1)

    def simulation_create(
        self, entity: ReplaceableEntity, live: Mapping[Hashable, LiveEntity]
    ) -> str | None:
        """SQL creating the declared entity inside the simulation (None: nothing to run);
        ``live``: this kind's live entities by slot."""
        return raw_sql(entity.to_sql_statement_create())

    def normalised(self, entity: ReplaceableEntity, created: LiveEntity) -> LiveEntity:
        """The declared entity as PostgreSQL holds it, from the object its creation made."""
        return created

    def unchanged(self, live: LiveEntity, simulated: LiveEntity) -> bool:
        """Whether the declared entity, as the simulation read it back, is the live one."""
        return normalize_whitespace(live.entity.definition) == normalize_whitespace(
            simulated.entity.definition
        )

    def mentions(self, entity: ReplaceableEntity) -> set[str]:
        """Lower-case names the definition mentions: what is mentioned is created first."""
        return {w.lower() for w in _WORD.findall(entity.definition)}

    # --- decisions and plan --------------------------------------------------------------
    def must_rebuild(self, decision: Any) -> bool:
        """A replace that has to be a drop of the live copy and a create of the declared one."""
        return False

    # --- divergence registry and rendering -----------------------------------------------
    def subject(self, entity: ReplaceableEntity) -> tuple[str, str | None, str]:
        """``(schema, table, name)`` under which the divergence registry matches the entity."""
        return entity.schema, None, bare_name(entity)

    def describe(self, entity: ReplaceableEntity) -> str:
        """A short name for messages, e.g. ``view crmp.crmp_network_geoserver``."""
        schema, table, name = self.subject(entity)
        where = f"{schema}.{table}" if table else schema
        return f"{self.type_.replace('_', ' ')} {where}.{name}"

    def render(self, entity: ReplaceableEntity) -> str:
        """Python code that builds the entity in a migration (alembic-utils' rendering)."""
        return entity.render_self_for_migration()


def words(text: str) -> Iterable[str]:
    return (w.lower() for w in _WORD.findall(text))
